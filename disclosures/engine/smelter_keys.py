"""Each smelter's key across filings: the address of its page (smelters/KEY/) and the
`smelter_key` column of the cross-filing index.

The key is the smelter's RMI ID (as published, else as this site resolved it), so the page of
CID003185 is smelters/CID003185/ whatever a filing called it. A smelter no filing or look-up
identifies gets its metal and the name it was first listed under ("gold-yokohama-metal-co-ltd"):
stable while the filings stand, and moved to its RMI ID once one is published or resolved.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from disclosures.engine.compare import Timeline

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, limit: int = 60) -> str:
    """Lower-case ASCII letters and digits joined by hyphens; a name with none (all Chinese,
    say) becomes a short digest of itself."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    found = _NOT_SLUG.sub("-", ascii_text).strip("-")[:limit].strip("-")
    return found or "n" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def first_name(t: Timeline) -> str:
    return t.by_year[t.years[0]].first.row.smelter_name


def timeline_ids(t: Timeline) -> tuple[str, str]:
    """(the RMI ID the newest filing that gave one published, the ID this site resolved), either ""."""
    rows = [s for year in reversed(t.years) for s in t.by_year[year].rows]
    return (next((s.row.smelter_id for s in rows if s.row.smelter_id), ""),
            next((s.resolved_id for s in rows if s.resolved_id), ""))


def rmi_id(t: Timeline) -> str:
    """The smelter's RMI ID: as published, else as this site resolved it, else ""."""
    published, resolved = timeline_ids(t)
    return published or resolved


def smelter_keys(timelines: list[Timeline]) -> list[str]:
    """One key per timeline, in their order; a key two smelters would share gets the metal, then a number."""
    keys, taken, next_number = [], set(), {}
    for t in timelines:
        found = rmi_id(t)
        key = _safe_id(found) if found else f"{slug(t.metal)}-{slug(first_name(t))}"
        if key in taken:
            key = f"{key}-{slug(t.metal)}"
        base = key
        while key in taken:  # numbered from where the last one of this base stopped: linear in smelters
            next_number[base] = next_number.get(base, 1) + 1
            key = f"{base}-{next_number[base]}"
        taken.add(key)
        keys.append(key)
    return keys


def _safe_id(smelter_id: str) -> str:
    """An RMI ID as a path segment (CID003185); anything else a filing printed as an ID is slugged."""
    return smelter_id if re.fullmatch(r"[A-Z]{2,4}\d{3,8}", smelter_id) else slug(smelter_id).upper()


class KeyIndex:
    """The key of each timeline and of each filing row (a row's smelter across filings)."""

    def __init__(self, timelines: list[Timeline]):
        self.timelines = list(timelines)
        self.keys = smelter_keys(self.timelines)
        self._of_timeline = {id(t): k for t, k in zip(self.timelines, self.keys)}
        self._by_key = dict(zip(self.keys, self.timelines))
        self._of_row = {id(s): k for t, k in zip(self.timelines, self.keys)
                        for entry in t.by_year.values() for s in entry.rows}

    def of_timeline(self, t: Timeline) -> str:
        return self._of_timeline[id(t)]

    def timeline(self, key: str) -> Timeline | None:
        return self._by_key.get(key)

    def of_row(self, smelter) -> str:
        return self._of_row.get(id(smelter), "")
