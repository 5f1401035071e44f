"""A year's key facts at a glance: the conclusion in the filing's words, the totals, the classes
with a legend, the flagged rows and the greater-risk smelters by name, each linking to the
smelter list filtered to them. This site's analysis, labelled as such by its template."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from markupsafe import Markup

from disclosures.engine.model import Filing
from disclosures.engine.reference import CLASS_ORDER, Reference
from disclosures.site.render.charts import share_bar
from disclosures.site.render.templating import render


@dataclass(frozen=True)
class Fact:
    count: int
    words: str
    href: str
    key: str = ""  # a class key
    style: str = ""  # its colour: the class key, or "qualified" where the filing's own legend qualifies it


def key_facts(filing: Filing, reference: Reference, list_url: str, framed: bool = True) -> Markup:
    """`list_url`: the year's smelter list, relative to the page the facts are shown on."""
    def link(**query) -> str:  # to the filtered list itself, not the top of its page
        return f"{list_url}?{urlencode(query)}#smelters-{filing.year}"

    st = filing.stats
    total = st.facilities or 1
    def style(c: str) -> str:
        return "qualified" if filing.class_label(c, reference) != reference.classes[c].label else c

    classes = [Fact(st.by_class[c], f"{filing.class_label(c, reference)} ({st.by_class[c] / total:.0%})",
                    link(**{"class": c}), c, style(c)) for c in CLASS_ORDER if st.by_class.get(c)]
    flagged = [Fact(st.in_covered_countries, "in the Covered Countries", link(risk="covered")),
               Fact(st.sanctioned, "sanctioned", link(risk="sanction")),
               Fact(st.suspended, "suspended by an audit programme", link(risk="suspension"))]
    greater = [(s.row.smelter_name, s.country_name, link(search=s.row.smelter_name)) for s in filing.smelters if s.greater_risk]
    return render("cm/key_facts.html", filing=filing, framed=framed, list_url=list_url, total=st.facilities,
                  distinct=st.distinct, classes=classes, flagged=flagged, greater=greater,
                  greater_href=link(risk="greater-risk"),
                  bar=share_bar([(f.style, f.words, f.count) for f in classes], f"{filing.year} rows by class"))
