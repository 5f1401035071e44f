"""The RMI Smelter Look-up (a CMRT's sheet of metal, known name, standard name, country and
smelter ID), and matching a name without an ID against it.

Used three ways: to resolve a supplier's Smelter List row by ID or look-up name when the
workbook carries no cached formula values; to give a supplier's "Smelter not listed" row the
ID of a smelter the look-up knows; and by `scripts/dev resolve-ids` to propose IDs for a
filing published without them. A match is *confident* only when one smelter ID stands out;
otherwise the candidates are shown to staff, never applied.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

from rapidfuzz import fuzz, process

from disclosures.engine.names import fold, name_key
from disclosures.engine.smelter_csv import canonical_cid
from disclosures.ingest.table_text import clean_value, parse_metal

FIRST_ROW = 5  # rows 1-4 are the sheet's title and headers
CONFIDENT = 90.0     # a candidate scoring at least this ...
MARGIN = 10.0        # ... and this far ahead of any other smelter ID is taken
SUGGEST = 75.0       # candidates from this score are shown to staff


@dataclass
class LookupSmelter:
    smelter_id: str
    metal: str
    standard_name: str
    country: str  # as the look-up writes it ("UNITED STATES OF AMERICA")
    names: set[str] = field(default_factory=set)  # known names, standard name included


@dataclass(frozen=True)
class Candidate:
    smelter: LookupSmelter
    score: float
    basis: str  # "standard name", "known name", "similar name"


@dataclass
class SmelterLookup:
    source: str
    by_id: dict[str, LookupSmelter] = field(default_factory=dict)
    _by_key: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    _choices: dict[str, dict] = field(default_factory=dict)  # metal -> {(id, name): folded}, built on first use

    def __len__(self) -> int:
        return len(self.by_id)

    def add(self, metal: str, known: str, standard: str, country: str, smelter_id: str) -> None:
        entry = self.by_id.setdefault(smelter_id, LookupSmelter(smelter_id, metal, standard or known, country))
        for name in (known, standard):
            if name:
                entry.names.add(name)
                self._by_key[(metal, name_key(name))].add(smelter_id)
        self._choices.pop(metal, None)

    def merge(self, other: SmelterLookup) -> None:
        for s in other.by_id.values():
            for name in s.names:
                self.add(s.metal, name, s.standard_name, s.country, s.smelter_id)

    def get(self, smelter_id: str) -> LookupSmelter | None:
        return self.by_id.get(smelter_id)

    def by_name(self, metal: str, name: str) -> list[LookupSmelter]:
        """Smelters of this metal whose standard or known name folds to `name`'s key."""
        return [self.by_id[i] for i in sorted(self._by_key.get((metal, name_key(name)), ()))]

    def candidates(self, metal: str, name: str, country_code: str | None = None,
                   code_of: Callable[[str], str | None] = lambda _: None, limit: int = 3) -> list[Candidate]:
        """The best smelter IDs for a name, best first; one per ID; country must be consistent."""
        found: dict[str, Candidate] = {}
        key = name_key(name)
        for s in self.by_name(metal, name):
            basis = "standard name" if name_key(s.standard_name) == key else "known name"
            found[s.smelter_id] = Candidate(s, 100.0, basis)
        if metal not in self._choices:
            self._choices[metal] = {(s.smelter_id, n): fold(n) for s in self.by_id.values() if s.metal == metal
                                    for n in s.names}
        for _, score, (sid, _) in process.extract(fold(name), self._choices[metal], scorer=fuzz.token_sort_ratio,
                                                   limit=limit * 4, score_cutoff=SUGGEST):
            if sid not in found or found[sid].score < score:
                found[sid] = Candidate(self.by_id[sid], round(score, 1), "similar name")
        consistent = [c for c in found.values()
                      if not country_code or code_of(c.smelter.country) in (None, country_code)]
        return sorted(consistent, key=lambda c: (-c.score, c.smelter.smelter_id))[:limit]


def confident(candidates: list[Candidate]) -> Candidate | None:
    """The one candidate that stands out, or None: one smelter ID with the name as a standard
    or known name; else a similar name scoring CONFIDENT, MARGIN ahead of any other."""
    exact = {c.smelter.smelter_id: c for c in candidates if c.basis != "similar name"}
    if exact:
        return next(iter(exact.values())) if len(exact) == 1 else None
    if not candidates or candidates[0].score < CONFIDENT:
        return None
    if len(candidates) > 1 and candidates[1].score > candidates[0].score - MARGIN:
        return None
    return candidates[0]


def parse_lookup(rows: list[list], source: str) -> SmelterLookup:
    """Sheet "Smelter Look-up": A metal, B known name, C standard name, D country, E smelter ID.
    Rows without a well-formed ID (the "Smelter not listed" entries) are not smelters."""
    lookup = SmelterLookup(source)
    for row in rows[FIRST_ROW - 1:]:
        # A supplier's look-up is supplier text: through the text gate, as the Smelter List's cells.
        cells = [("" if v is None else clean_value(str(v))) for v in row[:5]] + [""] * (5 - len(row[:5]))
        metal, smelter_id = parse_metal(cells[0]), canonical_cid(cells[4])
        if metal and smelter_id and (cells[1] or cells[2]):
            lookup.add(metal, cells[1], cells[2], cells[3], smelter_id)
    return lookup
