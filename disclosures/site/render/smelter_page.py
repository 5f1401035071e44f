"""A page per smelter (smelters/KEY/): its names, location and each filing's designation as
filed, this site's class and flags beside them, links to each year's list, and schema.org
markup. The filed words are quoted as printed; everything else is labelled as analysis."""
from __future__ import annotations

import json
import re
from urllib.parse import urlencode

from markupsafe import Markup

from disclosures.engine.compare import Timeline
from disclosures.engine.figures import longdate
from disclosures.engine.reference import Reference
from disclosures.engine.smelter_keys import timeline_ids
from disclosures.site.render.html import script_json
from disclosures.site.render.templating import render


def page_markdown(key: str, t: Timeline) -> str:
    """The page's source: its title as front matter (JSON, which YAML reads verbatim), kept out
    of the site search (its smelter entry links here) and one macro call.

    The theme prints a page's title unescaped (in <title> and the header), so the title is the
    name without the characters markup is made of; the page's own heading (the macro's) shows
    the name exactly, escaped."""
    title = json.dumps(plain_title(t.latest.first.row.smelter_name), ensure_ascii=True)
    return f'---\ntitle: {title}\nsearch:\n  exclude: true\n---\n\n{{{{ smelter_page("{key}") }}}}\n'


def plain_title(name: str) -> str:
    return " ".join(_MARKUP.sub(" ", name).split()) or "Smelter"


_MARKUP = re.compile(r"[<>&\"'`{}=\\]")


def heading(t: Timeline) -> Markup:
    """The page's h1, outside the slot: the theme then adds none of its own (from the title)."""
    return render("cm/smelter_heading.html", name=t.latest.first.row.smelter_name)


def smelter_page(t: Timeline, key: str, reference: Reference, link, site_url: str = "") -> Markup:
    """`link(target)`: a path from the site root made relative to this page."""
    latest = t.latest.first
    published, resolved = timeline_ids(t)
    found_id = published or resolved
    filings = []
    for year in reversed(t.years):
        entry = t.by_year[year]
        for s in entry.rows:
            query = urlencode({"search": s.smelter_id or s.row.smelter_name})
            filings.append({"year": year, "s": s, "href": link(f"{year}/smelters/") + f"?{query}#smelters-{year}"})
    flags = {}
    for year in t.years:
        for s in t.by_year[year].rows:
            for r in s.restrictions:
                flags.setdefault((r.label, r.list), (r, year))
    return render("cm/smelter_page.html", t=t, key=key, latest=latest, smelter_id=found_id,
                  id_source="as filed" if published else "resolved by this site" if found_id else "",
                  filings=filings, flags=list(flags.values()), longdate=longdate,
                  checked_on=reference.restrictions_checked_on, index_href=link("smelters/"),
                  about_href=link("about/"), structured=script_json(structured_data(t, key, found_id, site_url)))


def structured_data(t: Timeline, key: str, smelter_id: str, site_url: str) -> str:
    """schema.org: the smelter as an Organization, with its RMI ID and country."""
    latest = t.latest.first
    data = {"@context": "https://schema.org", "@type": "Organization", "name": latest.row.smelter_name,
            "description": f"{latest.row.metal} smelter or refiner listed in the conflict minerals filings "
                           f"{', '.join(str(y) for y in t.years)}"}
    if len(t.names) > 1:
        data["alternateName"] = t.names[1:]
    if smelter_id:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "RMI smelter ID", "value": smelter_id}
    if latest.country_code:
        data["address"] = {"@type": "PostalAddress", "addressCountry": latest.country_code}
    if site_url:
        data["url"] = f"{site_url.rstrip('/')}/smelters/{key}/"
    return json.dumps(data, ensure_ascii=False)
