"""Every accepted supplier workbook -> the year's smelter list (one row per smelter), the survey
figures the report quotes, and what staff must follow up.

One smelter, one row: rows with a smelter ID group by metal and ID. A row without one takes
an ID when its name is one a row with that ID used, or when the Smelter Look-ups (those read,
at least one per template revision: `scripts/dev ingest` reads one for a revision none of whose
rows needed its own; the newest revision first) name exactly one smelter for it, in a consistent
country (`smelter_lookup.confident`); several close candidates go to the follow-up list with
their IDs, and the row stays its own. A country no resolver knows is never dropped silently:
the row waits, and the command exits non-zero until staff resolve it.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from disclosures.engine.names import fold, name_key
from disclosures.engine.reference import Reference
from disclosures.ingest import cmrt_template as t
from disclosures.ingest.cmrt import METALS, SmelterLine, Supplier
from disclosures.ingest.country_names import country_code
from disclosures.ingest.rmi_list import RmiFacility
from disclosures.ingest.smelter_lookup import SmelterLookup, confident


@dataclass
class FollowUp:
    kind: str  # no_id, ambiguous, not_on_rmi_list, unknown_country, two_metals, contradiction, supplier_note
    text: str  # says no supplier name: it may be published in data/rcoi/
    supplier: str = ""  # "file (company)": staff-only


@dataclass
class MergedSmelter:
    metal: str
    smelter_name: str
    country: str
    country_code: str
    status: str
    smelter_id: str
    suppliers: set[str] = field(default_factory=set)
    mine_countries: set[str] = field(default_factory=set)
    names: Counter = field(default_factory=Counter)  # the names suppliers used for it
    matched: list[str] = field(default_factory=list)  # how rows without an ID were given this one


@dataclass
class IngestResult:
    smelters: list[MergedSmelter]
    rejected_rows: list[tuple[str, int, str]]  # (file, row, reason)
    follow_up: list[FollowUp]
    rcoi: dict

    def blocking(self) -> list[FollowUp]:
        """Follow-ups that make the run fail: a row that could not be placed on the list."""
        return [f for f in self.follow_up if f.kind == "unknown_country"]


@dataclass
class _Placed:
    supplier: Supplier
    line: SmelterLine
    code: str


def merge(suppliers: list[Supplier], reference: Reference, rmi: dict[str, RmiFacility] | None,
          workbooks_received: int, extra_lookup: SmelterLookup | None = None) -> IngestResult:
    lookup = combined_lookup(suppliers, extra_lookup)
    rejected, follow_up = [], []
    for s in suppliers:
        rejected += [(s.file, row, reason) for row, reason in s.rejected]
        follow_up += [FollowUp("supplier_note", note, _who(s)) for note in s.notes]
    placed = _place_countries(suppliers, reference, rmi, lookup, rejected, follow_up)
    merged: dict[tuple, MergedSmelter] = {}
    named: dict[tuple, str] = {}  # (metal, name key, country) -> the ID a row of that name was listed with
    for p in sorted(placed, key=lambda p: not p.line.smelter_id):  # rows with IDs first
        key = _key_for(p, named, merged, lookup, reference, follow_up)
        entry = merged.get(key) or merged.setdefault(key, _new_entry(key, p, lookup, rmi))
        entry.suppliers.add(p.supplier.declaration.company)
        entry.names[p.line.name] += 1
        if entry.smelter_id:
            named.setdefault((entry.metal, name_key(p.line.name), entry.country_code), entry.smelter_id)
        if p.line.mine_country:
            entry.mine_countries.add(p.line.mine_country)
    smelters = sorted(merged.values(), key=lambda s: (s.metal, name_key(s.smelter_name)))
    follow_up += _smelter_follow_ups(smelters, rmi) + contradictions(placed, reference)
    return IngestResult(smelters, rejected, follow_up, survey(suppliers, workbooks_received, len(smelters)))


def combined_lookup(suppliers: list[Supplier], extra: SmelterLookup | None) -> SmelterLookup:
    """Every Smelter Look-up read, the newest revision's standard names first."""
    combined = SmelterLookup("the suppliers' Smelter Look-ups")
    for s in sorted(suppliers, key=lambda s: t.version_key(s.declaration.revision), reverse=True):
        if s.lookup is not None:
            combined.merge(s.lookup)
    if extra is not None:
        combined.merge(extra)
    return combined


def _place_countries(suppliers, reference, rmi, lookup: SmelterLookup, rejected, follow_up) -> list[_Placed]:
    """Each row's country: the RMI list's, else the newest look-up's for its ID, else as written."""
    placed = []
    for s in suppliers:
        for line in s.lines:
            facility = rmi.get(line.smelter_id) if rmi and line.smelter_id else None
            known = lookup.get(line.smelter_id) if line.smelter_id else None
            text = facility.country if facility and facility.country else known.country if known else line.country
            code = country_code(text, reference.countries, s.countries)
            if code is None:
                reason = f"smelter country {text!r} is not a country the site knows" if text else "no smelter country"
                rejected.append((s.file, line.row, reason))
                follow_up.append(FollowUp("unknown_country", f"{line.metal} / {line.name}: {reason}; correct the workbook "
                                          "or add the name to data/reference/country_aliases.yaml, then ingest again",
                                          _who(s)))
                continue
            placed.append(_Placed(s, line, code))
    return placed


def _key_for(p: _Placed, named: dict, merged: dict, lookup: SmelterLookup, reference: Reference,
             follow_up: list) -> tuple:
    line = p.line
    if line.smelter_id:
        return (line.metal, line.smelter_id)
    key = name_key(line.name)
    same_name = named.get((line.metal, key, p.code))
    if same_name:
        merged[(line.metal, same_name)].matched.append(f"{line.name!r} (same name as a row with {same_name})")
        return (line.metal, same_name)
    candidates = lookup.candidates(line.metal, line.name, p.code, lambda c: country_code(c, reference.countries))
    best = confident(candidates)
    if best:
        line.smelter_id = best.smelter.smelter_id
        return (line.metal, line.smelter_id)
    if candidates:
        follow_up.append(FollowUp("ambiguous", f"{line.metal} / {line.name}: no smelter ID; candidates in the "
                                  "Smelter Look-up, none certain: " + "; ".join(
                                      f"{c.smelter.smelter_id} {c.smelter.standard_name} ({c.basis}, {c.score:g})"
                                      for c in candidates), _who(p.supplier)))
    return (line.metal, key, p.code)


def _new_entry(key: tuple, p: _Placed, lookup: SmelterLookup, rmi) -> MergedSmelter:
    line = p.line
    facility = rmi.get(line.smelter_id) if rmi and line.smelter_id else None
    known = lookup.get(line.smelter_id) if line.smelter_id else None
    name = (facility.name if facility and facility.name else None) or (known.standard_name if known else line.name)
    country = facility.country if facility and facility.country else (known.country if known else line.country)
    status = facility.status if facility else ("Not Listed" if rmi is not None else "Unknown")
    entry = MergedSmelter(line.metal, name, country, p.code, status, line.smelter_id)
    if line.basis == "as typed" and known:
        entry.matched.append(f"{line.name!r} ({'look-up name' if name_key(line.name) != name_key(name) else 'same name'})")
    return entry


def _smelter_follow_ups(smelters: list[MergedSmelter], rmi) -> list[FollowUp]:
    items = []
    by_id = Counter(s.smelter_id for s in smelters if s.smelter_id)
    for s in smelters:
        where = f"{s.metal} / {s.smelter_name} ({s.country})"
        if not s.smelter_id:
            items.append(FollowUp("no_id", f"no smelter ID: {where}, reported by {_count(len(s.suppliers))}"))
        elif by_id[s.smelter_id] > 1:
            items.append(FollowUp("two_metals", f"{s.smelter_id} is listed under more than one metal: {where}"))
        elif rmi is not None and s.smelter_id not in rmi:
            items.append(FollowUp("not_on_rmi_list", f"not on the RMI list: {where} ({s.smelter_id})"))
    return items


def contradictions(placed: list[_Placed], reference: Reference) -> list[FollowUp]:
    """A supplier's Declaration against its own Smelter List."""
    items, seen = [], set()
    for p in placed:
        d, metal, file = p.supplier.declaration, p.line.metal, p.supplier.file
        found = []
        if d.says("uses", metal) == "No":  # once per workbook and metal
            found.append(((file, metal, "uses"), f"declares no {metal} in its products (question 1) but lists "
                                                 f"{metal} smelters"))
        if d.says("covered_countries", metal) == "No" and p.code in reference.covered_countries:
            found.append(((file, metal, p.line.name), f"declares no {metal} from the Covered Countries (question 3) "
                          f"but lists {p.line.name}, located in {reference.covered_countries[p.code]}"))
        for key, text in found:
            if key not in seen:
                seen.add(key)
                items.append(FollowUp("contradiction", f"a supplier {text}", _who(p.supplier)))
    return items


def survey(suppliers: list[Supplier], workbooks_received: int, smelters: int) -> dict:
    """The figures the report quotes, per metal and overall; one supplier counted once (its
    workbooks pooled: a supplier declares Yes when any of its workbooks does)."""
    answers: dict[str, dict[str, dict[str, set[str]]]] = {}
    for s in suppliers:
        company = answers.setdefault(fold(s.declaration.company), {})
        for kind, per_metal in s.declaration.answers.items():
            for metal, answer in per_metal.items():
                company.setdefault(kind, {}).setdefault(metal, set()).add(answer)

    def says(company, kind, metal, answer="Yes"):
        return answer in company.get(kind, {}).get(metal, set())

    def identified_all(company):
        used = [m for m in METALS if says(company, "uses", m)]
        return bool(used) and all(says(company, "all_identified", m) for m in used)

    companies = list(answers.values())
    by_metal = {m: {"using": sum(says(c, "uses", m) for c in companies),
                    "covered_countries": sum(says(c, "covered_countries", m) for c in companies),
                    "covered_countries_unknown": sum(says(c, "covered_countries", m, "Unknown") for c in companies),
                    "cahra": sum(says(c, "cahra", m) for c in companies),
                    "all_smelters_identified": sum(says(c, "all_identified", m) for c in companies)} for m in METALS}
    return {
        "workbooks_received": workbooks_received,
        "workbooks_accepted": len(suppliers),
        "suppliers": len(companies),
        "suppliers_sourcing_from_covered_countries": sum(any(says(c, "covered_countries", m) for m in METALS) for c in companies),
        "suppliers_sourcing_from_cahra": sum(any(says(c, "cahra", m) for m in METALS) for c in companies),
        "suppliers_all_smelters_identified": sum(identified_all(c) for c in companies),
        "smelters": smelters,
        "by_metal": by_metal,
    }


def _who(s: Supplier) -> str:
    return f"{s.file} ({s.declaration.company})"


def _count(n: int) -> str:
    return f"{n} supplier{'s' if n != 1 else ''}"
