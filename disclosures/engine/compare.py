"""Compare two filings: who is the same smelter, and what changed between them.

Identity, in this order (README, "Identity across filings"): same metal and RMI smelter ID; a staff alias in
data/reference/smelter_aliases.yaml; same metal and folded name in the same country; same
metal and folded name. Each step pairs what is still unpaired one to one, in a fixed order,
so diff(A, B) is exactly the mirror of diff(B, A). Nothing fuzzy is ever applied here:
likely renames are only *suggested* (suggest_renames) for staff to accept as aliases.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable

from rapidfuzz import fuzz, process

from disclosures.engine.errors import DataError, Problem
from disclosures.engine.model import Filing, Smelter
from disclosures.engine.names import fold, name_key
from disclosures.engine.reference import CLASS_ORDER, NOT_STATED

# Better class = higher rank (CLASS_ORDER is best first): failing an audit is worse than not being listed.
CLASS_RANK = {c: len(CLASS_ORDER) - i for i, c in enumerate(CLASS_ORDER) if c != NOT_STATED}
STATUS_SECTIONS = ("added", "removed", "improved", "worsened", "incomparable", "unstated", "reworded", "unchanged")
SECTION_TITLES = {
    "added": "Added",
    "removed": "Removed",
    "improved": "Class improved",
    "worsened": "Class worsened",
    "incomparable": "Not comparable: a filing's own legend",
    "unstated": "Designation in one filing only",
    "reworded": "Same class, new wording",
    "unchanged": "Unchanged",
    "renamed": "Renamed",
    "relocated": "Relocated",
}


@dataclass(frozen=True)
class Entry:
    """One distinct smelter in one filing, with every row the filing published for it."""

    year: int
    rows: tuple[Smelter, ...]

    @property
    def first(self) -> Smelter:
        return self.rows[0]

    @property
    def metal(self) -> str:
        return self.first.row.metal

    @property
    def identity(self) -> tuple:
        return (self.year,) + self.first.identity


@dataclass(frozen=True)
class Pair:
    """The same smelter in the old and the new filing."""

    old: Entry
    new: Entry
    matched_by: str  # "smelter ID", "alias", "name and country", "name"

    @property
    def status_change(self) -> str:
        classes = {self.old.first.status_class, self.new.first.status_class}
        if NOT_STATED in classes:  # nothing to compare a designation with: never improved or worsened
            return "unchanged" if classes == {NOT_STATED} else "unstated"
        old, new = self.old.first, self.new.first
        if (old.qualified or new.qualified) and old.class_label != new.class_label:
            return "incomparable"  # e.g. 2013's "Yes" (conformant or undeterminable) -> "Full Compliant"
        before, after = CLASS_RANK[self.old.first.status_class], CLASS_RANK[self.new.first.status_class]
        if after > before:
            return "improved"
        if after < before:
            return "worsened"
        same_words = " ".join(self.old.first.row.status.split()).casefold() == " ".join(self.new.first.row.status.split()).casefold()
        return "unchanged" if same_words else "reworded"

    @property
    def renamed(self) -> bool:
        """A different name, not just different punctuation (only possible via ID or alias)."""
        return self.old.first.name_key != self.new.first.name_key

    @property
    def relocated(self) -> bool:
        return self.old.first.country_code != self.new.first.country_code


@dataclass(frozen=True)
class Diff:
    old_year: int
    new_year: int
    added: tuple[Entry, ...]
    removed: tuple[Entry, ...]
    pairs: tuple[Pair, ...]

    def section(self, name: str) -> tuple:
        """Entries (added/removed) or pairs (every other section)."""
        if name == "added":
            return self.added
        if name == "removed":
            return self.removed
        if name in ("renamed", "relocated"):
            return tuple(p for p in self.pairs if getattr(p, name))
        return tuple(p for p in self.pairs if p.status_change == name)

    def counts(self) -> dict[str, int]:
        return {name: len(self.section(name)) for name in SECTION_TITLES}

    def counts_by_metal(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for name in SECTION_TITLES:
            per_metal: dict[str, int] = defaultdict(int)
            for item in self.section(name):
                per_metal[item.metal if isinstance(item, Entry) else item.new.metal] += 1
            table[name] = dict(per_metal)
        return table


def entries(filing: Filing) -> list[Entry]:
    """Distinct smelters of a filing, in published order; duplicates fold into one entry."""
    grouped: dict[tuple, list[Smelter]] = {}
    for smelter in filing.smelters:
        grouped.setdefault(smelter.identity, []).append(smelter)
    return [Entry(filing.year, tuple(rows)) for rows in grouped.values()]


# ---- aliases ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class AliasIndex:
    """(year, metal, name key) -> alias group number, from data/reference/smelter_aliases.yaml."""

    groups: dict[tuple[int, str, str], int]

    def group_of(self, entry: Entry) -> int | None:
        return self.groups.get((entry.year, entry.metal, entry.first.name_key))


def alias_index(aliases: Iterable[dict], filings: dict[int, Filing], source: str = "data/reference/smelter_aliases.yaml",
                drafts_left_out: Iterable[int] = ()) -> AliasIndex:
    """Check every alias names a smelter really listed in its year; fail loudly otherwise (a name
    in a draft this build leaves out is not checked, and not used)."""
    present = {(f.year, s.row.metal, s.name_key) for f in filings.values() for s in f.smelters}
    groups, problems = {}, []
    for number, alias in enumerate(aliases):
        for name in alias.get("names", []):
            key = (int(name["year"]), alias["metal"], name_key(name["name"]))
            if key[0] in filings and key not in present:
                problems.append(Problem(source, f"alias {number + 1}: no {alias['metal']} smelter named "
                                                f"{name['name']!r} in the {key[0]} filing", field="aliases"))
            elif key[0] not in filings and key[0] not in drafts_left_out:
                problems.append(Problem(source, f"alias {number + 1}: there is no {key[0]} filing", field="aliases"))
            groups[key] = number
    if problems:
        raise DataError(problems)
    return AliasIndex(groups)


# ---- the diff --------------------------------------------------------------------------------

def _pair_by(key: Callable[[Entry], tuple | None], old: list[Entry], new: list[Entry], how: str,
             pairs: list[Pair]) -> tuple[list[Entry], list[Entry]]:
    """Pair unpaired entries sharing a key, one to one, in a fixed (symmetric) order."""
    by_key_old, by_key_new = defaultdict(list), defaultdict(list)
    for e in old:
        k = key(e)
        if k is not None:
            by_key_old[k].append(e)
    for e in new:
        k = key(e)
        if k is not None:
            by_key_new[k].append(e)
    paired_old, paired_new = set(), set()
    for k in sorted(by_key_old.keys() & by_key_new.keys(), key=repr):  # a fixed order, not the set's
        order = lambda e: (e.first.country_code, e.first.name_key, e.first.row.smelter_name)  # noqa: E731
        for a, b in zip(sorted(by_key_old[k], key=order), sorted(by_key_new[k], key=order)):
            pairs.append(Pair(a, b, how))
            paired_old.add(id(a))
            paired_new.add(id(b))
    return [e for e in old if id(e) not in paired_old], [e for e in new if id(e) not in paired_new]


def match(old: list[Entry], new: list[Entry], aliases: AliasIndex | None = None) -> tuple[list[Pair], list[Entry], list[Entry]]:
    """(pairs, unmatched old, unmatched new), applying the identity rules in order."""
    aliases = aliases or AliasIndex({})
    pairs: list[Pair] = []
    a, b = old, new
    a, b = _pair_by(lambda e: (e.metal, e.first.row.smelter_id) if e.first.row.smelter_id else None, a, b, "smelter ID", pairs)
    a, b = _pair_by(lambda e: (e.metal, e.first.smelter_id) if e.first.smelter_id else None, a, b,
                    "smelter ID (resolved by this site)", pairs)
    a, b = _pair_by(lambda e: (e.metal, g) if (g := aliases.group_of(e)) is not None else None, a, b, "alias", pairs)
    a, b = _pair_by(lambda e: (e.metal, e.first.name_key, e.first.country_code), a, b, "name and country", pairs)
    a, b = _pair_by(lambda e: (e.metal, e.first.name_key), a, b, "name", pairs)
    return pairs, a, b


def diff(old: Filing, new: Filing, aliases: AliasIndex | None = None) -> Diff:
    pairs, removed, added = match(entries(old), entries(new), aliases)
    pairs.sort(key=lambda p: _order(p.new))
    return Diff(old.year, new.year, tuple(added), tuple(removed), tuple(pairs))


# ---- every smelter across every filing -------------------------------------------------------

@dataclass(frozen=True)
class Timeline:
    """One smelter (for one metal) through the filings that listed it."""

    by_year: dict[int, Entry]

    @property
    def years(self) -> list[int]:
        return sorted(self.by_year)

    @property
    def latest(self) -> Entry:
        return self.by_year[self.years[-1]]

    @property
    def metal(self) -> str:
        return self.latest.metal

    @property
    def names(self) -> list[str]:
        """Every published name, newest first, without repeats."""
        seen = []
        for year in reversed(self.years):
            for s in self.by_year[year].rows:
                if s.row.smelter_name not in seen:
                    seen.append(s.row.smelter_name)
        return seen


def timelines(filings: list[Filing], aliases: AliasIndex | None = None, memo: list | None = None) -> list[Timeline]:
    """Chain the filings oldest first; a smelter missing from a year and back later is one timeline.
    `memo` (a preview's, kept between saves; the same aliases): the chain after each filing, so a
    save of one year chains again from that year only."""
    lines: list[dict[int, Entry]] = []
    latest: dict[int, int] = {}  # id(latest entry) -> timeline index
    previous: Filing | None = None
    for step, filing in enumerate(sorted(filings, key=lambda f: f.year)):
        if memo is not None and step < len(memo) and memo[step][0] is filing and (step == 0 or memo[step - 1][0] is previous):
            lines, latest = [dict(line) for line in memo[step][1]], dict(memo[step][2])
            previous = filing
            continue
        open_entries = [line[max(line)] for line in lines]
        pairs, _, added = match(open_entries, entries(filing), aliases)
        for pair in pairs:
            line = lines[latest[id(pair.old)]]
            line[filing.year] = pair.new
            latest[id(pair.new)] = latest[id(pair.old)]
        for entry in added:
            lines.append({filing.year: entry})
            latest[id(entry)] = len(lines) - 1
        if memo is not None:
            del memo[step:]
            memo.append((filing, [dict(line) for line in lines], dict(latest)))
        previous = filing
    result = [Timeline(dict(line)) for line in lines]
    result.sort(key=lambda t: (t.metal, t.latest.first.name_key))
    return result


def _order(entry: Entry) -> tuple:
    """Fully determined: two smelters may share a folded name ("TANIOBIS Co., Ltd." and "TANIOBIS
    GmbH"), and a filed change log must read the same on every build."""
    first = entry.first
    return (entry.metal, first.name_key, first.country_code, first.row.smelter_name, first.row.smelter_id)


# ---- rename suggestions (never applied by themselves) ---------------------------------------

@dataclass(frozen=True)
class Suggestion:
    old: Entry
    new: Entry
    score: float


def suggest_renames(d: Diff, min_score: float = 75.0) -> list[Suggestion]:
    """Removed/added pairs of the same metal whose names look alike, best first.

    rapidfuzz's token_set_ratio on the folded names (legal forms kept: a shared "GmbH Co KG"
    is evidence) scores "PAMP SA" -> "MKS PAMP SA" and "Do Sung Corporation" -> "DSC (Do Sung
    Corporation)" at 100, "Heraeus Precious Metals GmbH & Co. KG" -> "Heraeus Germany GmbH Co.
    KG" at 82; a different country costs 10 points.
    """
    suggestions = []
    added_by_metal = defaultdict(list)
    for e in d.added:
        added_by_metal[e.metal].append(e)
    for old in d.removed:
        candidates = added_by_metal.get(old.metal, [])
        if not candidates:
            continue
        choices = [fold(c.first.row.smelter_name) for c in candidates]
        for _, score, index in process.extract(fold(old.first.row.smelter_name), choices, scorer=fuzz.token_set_ratio,
                                               limit=3, score_cutoff=min_score - 10):
            new = candidates[index]
            score -= 0 if new.first.country_code == old.first.country_code else 10
            if score >= min_score:
                suggestions.append(Suggestion(old, new, round(score, 1)))
    suggestions.sort(key=lambda s: (-s.score, s.old.metal, s.old.first.row.smelter_name))
    return suggestions
