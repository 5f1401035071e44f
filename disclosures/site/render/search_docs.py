"""The site search's entries for smelters: one per smelter (and metal) across filings, linking
to its page (smelters/KEY/), instead of every name of a list run together as one
page section's excerpt. Material's search index holds HTML-escaped text, so names are escaped."""
from __future__ import annotations

from html import escape

from disclosures.engine.compare import Timeline


def smelter_docs(timelines: list[Timeline], keys: list[str], pages: str = "smelters/") -> list[dict]:
    docs = []
    for t, key in zip(timelines, keys):
        s = t.latest.first
        facts = [s.row.metal, s.country_name]
        if s.row.smelter_id:
            facts.append(s.row.smelter_id)
        elif s.resolved_id:  # findable by its RMI ID too, labelled as the site's analysis
            facts.append(f"RMI ID resolved by this site: {s.resolved_id}")
        facts += [f"{year}: {t.by_year[year].first.row.status}" for year in t.years]
        if len(t.names) > 1:
            facts.append("also listed as " + "; ".join(t.names[1:]))
        docs.append({"location": f"{pages}{key}/",
                     "title": escape(s.row.smelter_name, quote=False),
                     "text": escape(" · ".join(facts), quote=False)})
    return docs


def with_smelters(index: dict, docs: list[dict]) -> dict:
    """Material's search_index.json with the smelter entries added (once: a rebuild replaces them)."""
    locations = {d["location"] for d in docs}
    kept = [d for d in index.get("docs", []) if d["location"] not in locations]
    return {**index, "docs": kept + docs}
