"""Smelter tables as real HTML: readable, printable and indexable without JavaScript.

The table carries its facet values in data-* attributes; assets/js/smelter-table.js reads them
to add search, filters, sorting and shareable URLs. Every cell is escaped (see html.py).
"""
from __future__ import annotations

import json

from markupsafe import Markup

from disclosures.engine.model import Filing, Smelter
from disclosures.engine.reference import CLASS_ORDER, METALS, Reference
from disclosures.engine.names import fold
from disclosures.site.render.templating import render

# Each facet's name and its "no filter" choice, for the table script (it has no words of its own).
FACET_NAMES = {"metal": ("Metal", "All metals"), "class": ("Class", "All classes"), "country": ("Country", "All countries"),
               "risk": ("Risk", "Any risk"), "year": ("Listed in", "Any filing")}


def table_labels(reference: Reference, class_labels: dict[str, str] | None = None, facet_names: dict | None = None) -> str:
    """The words the table script shows, as JSON for the container's data-labels: facet names,
    the class labels (a filing's own, where its legend qualifies a class) and the risk flags,
    named after the authorities in data/reference/restrictions.yaml."""
    authorities: dict[str, set[str]] = {}
    for r in reference.restrictions:
        authorities.setdefault(r.kind, set()).add(r.authority)
    risk = {"covered": "In a Covered Country", "greater-risk": "Greater risk", "none": "No risk flag"}
    for kind, names in sorted(authorities.items()):
        risk[kind] = f"{'Sanctioned' if kind == 'sanction' else 'Suspended'} ({', '.join(sorted(names))})"
    classes = class_labels or {k: c.label for k, c in reference.classes.items()}
    return json.dumps({"noun": "smelters", "facets": dict(FACET_NAMES, **(facet_names or {})),
                       "values": {"class": classes, "risk": risk}})


def risk_tokens(s: Smelter) -> list[str]:
    tokens = []
    if s.in_covered_country:
        tokens.append("covered")
    if s.greater_risk:
        tokens.append("greater-risk")
    tokens += sorted({r.kind for r in s.restrictions})
    return tokens


def risk_badges(s: Smelter, footnote_ids: dict[str, str]) -> Markup:
    return render("cm/risk_badges.html", s=s, footnote_ids=footnote_ids)


def long_word(name: str, limit: int = 28) -> bool:
    """A name with a word too long for a column (untrusted input, or a run without spaces):
    only such a name may break inside a word, so real names wrap at spaces only."""
    return any(len(word) > limit for word in name.split())


def footnote_anchor(year: int, index: int) -> str:
    return f"footnote-{year}-{index + 1}"


def smelter_table(filing: Filing, reference: Reference, view: str = "analysis", analysis_url: str = "",
                  page_of=lambda s: "", download: str = "", rows_memo: dict | None = None) -> Markup:
    """The year's list; `view` "filed" opens it with the filed columns only (the report's annex).
    `page_of(s)`: the address of a row's smelter page ("" for none); `download`: the address of
    the year's JSON download, which "Download this view" filters. `rows_memo`: rendered rows kept
    for the same filing (object), columns and links, so the annex and the list render them once."""
    meta = filing.meta
    show_id = any(s.row.smelter_id for s in filing.smelters)
    show_status = any(s.row.status for s in filing.smelters)  # a list filed without designations has no such column
    # IDs this site resolved: an analysis column of the year's list page, not of the report's annex
    # (which links to that page and keeps the filed columns and flags in view on screen and paper).
    show_resolved = not analysis_url and any(s.resolved_id for s in filing.smelters)
    own = {"metal": "Metal", "name": "Smelter or refiner", "country": "Country", "smelter_id": "Smelter ID",
           "designation": meta.designation_column}
    # The filed header, keyed by the list's columns (validated when the filing is loaded).
    column = {"smelter_name": "name", "status": "designation"}
    filed_header = {column.get(k, k): text for k, text in meta.list_header.items()} if meta.list_header else None
    header = dict(own, **filed_header) if filed_header else own
    links = tuple(page_of(s) for s in filing.smelters)
    key = (id(filing), show_id, show_status, show_resolved, links)
    memo = {} if rows_memo is None else rows_memo
    if key not in memo:
        memo[key] = render("cm/smelter_table_rows.html", rows=zip(filing.smelters, links), show_id=show_id,
                           show_status=show_status, show_resolved=show_resolved, footnote_ids=footnote_ids(filing),
                           risk_tokens=risk_tokens, search_key=search_key, class_rank=CLASS_ORDER.index,
                           long_word=long_word)
    return render(
        "cm/smelter_table.html", rows_html=memo[key], year=filing.year, view=view, analysis_url=analysis_url,
        table_id=f"smelters-{filing.year}", show_id=show_id, show_status=show_status, show_resolved=show_resolved, header=header, filed_header=filed_header,
        caption=f"Smelters and refiners listed in the {filing.year} Conflict Minerals Report ({filing.stats.facilities:,} rows)",
        labels=table_labels(reference, {k: filing.class_label(k, reference) for k in reference.classes}),
        footnotes=meta.footnotes, footnote_ids=footnote_ids(filing), download=download, transcription=meta.transcription_notes)


def footnote_ids(filing: Filing) -> dict[str, str]:
    return {f.marker: footnote_anchor(filing.year, i) for i, f in enumerate(filing.meta.footnotes)}


def search_key(s: Smelter) -> str:
    """What the table search matches besides the visible text: the name and country as read
    (look-alike letters and invisible characters resolved), and the normalized country name."""
    return fold(f"{s.row.smelter_name} {s.country_name} {s.smelter_id}")


def footnotes_block(filing: Filing) -> Markup:
    return render("cm/footnotes.html", year=filing.year, footnotes=filing.meta.footnotes, footnote_ids=footnote_ids(filing))


def summary_table(filing: Filing, reference: Reference) -> Markup:
    """Rows by metal x class, with totals: this site's analysis, labelled as such."""
    st = filing.stats
    return render("cm/summary_table.html", year=filing.year,
                  classes=[c for c in CLASS_ORDER if any(st.by_metal_class.get((m, c)) for m in METALS)],
                  metals=[m for m in METALS if st.by_metal.get(m)],
                  labels={c: filing.class_label(c, reference) for c in CLASS_ORDER},
                  by_metal_class=st.by_metal_class, by_metal=st.by_metal, by_class=st.by_class, total=st.facilities)
