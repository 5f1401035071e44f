"""Pure classification: a published row -> class, ISO country, risk flags; a filing -> figures."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from disclosures.engine.model import FilingStats, Smelter, SmelterRow
from disclosures.engine.names import name_key
from disclosures.engine.reference import Reference, designation_key


def classify(row: SmelterRow, reference: Reference, filed_on: dt.date, own: dict | None = None,
             resolved_id: str = "") -> Smelter:
    """`own`: the filing's designation_classes (folded designation -> FilingClass), which win;
    `resolved_id`: the RMI ID staff accepted for a row published without one."""
    mine = (own or {}).get(designation_key(row.status))
    status_class = mine.counts_as if mine else reference.class_of(row.status)
    country = reference.countries.resolve(row.country)
    key = name_key(row.smelter_name)
    in_force = tuple(
        r for r in reference.restrictions
        if r.date <= filed_on and r.matches(row.metal, country.code, key, row.smelter_id or resolved_id or None)
    )
    return Smelter(
        row=row,
        status_class=status_class,
        country_code=country.code,
        country_name=country.name,
        in_covered_country=country.code in reference.covered_countries,
        restrictions=in_force,
        name_key=key,
        class_label=mine.label if mine else reference.classes[status_class].label,
        resolved_id="" if row.smelter_id else resolved_id,
        qualified=bool(mine) and mine.label != reference.classes[status_class].label,
    )


def filing_stats(smelters: tuple[Smelter, ...]) -> FilingStats:
    by_identity = defaultdict(list)
    for s in smelters:
        by_identity[s.identity].append(s)
    return FilingStats(
        facilities=len(smelters),
        distinct=len(by_identity),
        by_class=dict(Counter(s.status_class for s in smelters)),
        by_metal=dict(Counter(s.row.metal for s in smelters)),
        by_metal_class=dict(Counter((s.row.metal, s.status_class) for s in smelters)),
        in_covered_countries=sum(s.in_covered_country for s in smelters),
        greater_risk=sum(s.greater_risk for s in smelters),
        restricted=sum(bool(s.restrictions) for s in smelters),
        sanctioned=sum(s.sanctioned for s in smelters),
        suspended=sum(any(r.kind == "suspension" for r in s.restrictions) for s in smelters),
        duplicates=tuple(tuple(group) for group in by_identity.values() if len(group) > 1),
    )
