"""What an amendment changed in a filed year: figures and rows against the list as first filed.

Computed once per build (hooks.on_config) from the year's lock; the pages show it and the
downloads offer the list as filed (data/locks/YYYY.as-filed.csv).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from disclosures.engine.compare import diff
from disclosures.engine.figures import figures_of
from disclosures.engine.load import Site, load_filing_rows
from disclosures.engine.locks import LockStatus, original_csv_path
from disclosures.engine.model import Filing

FIGURES_COMPARED = ("facilities", "conformant", "active", "not_listed", "non_conformant", "in_covered_countries",
                    "greater_risk", "surveyed", "responded")
ROW_CHANGES = ("added", "removed", "improved", "worsened", "incomparable", "unstated", "reworded")


@dataclass(frozen=True)
class FigureChange:
    name: str
    original: int | float | None
    now: int | float


@dataclass(frozen=True)
class AmendmentEffect:
    """An amended year: the figures that differ from the filing as first locked, and its list as
    filed (classified like any list) with the row changes since, when the lock kept it."""

    figures_changed: tuple[FigureChange, ...] = ()
    as_filed: Filing | None = None
    rows_changed: dict[str, int] = field(default_factory=dict)


def amendment_effects(root: Path, site: Site, locks: dict[int, LockStatus]) -> dict[int, AmendmentEffect]:
    return {year: amendment_effect(root, site, year, lock) for year, lock in locks.items()
            if year in site.filings and site.filing(year).meta.amendments and lock.original_figures}


def amendment_effect(root: Path, site: Site, year: int, lock: LockStatus) -> AmendmentEffect:
    filing = site.filing(year)
    now = figures_of(filing).__dict__
    changed = tuple(FigureChange(name.replace("_", " "), lock.original_figures.get(name), now[name])
                    for name in FIGURES_COMPARED if lock.original_figures.get(name) != now[name])
    if not lock.has_original_csv:
        return AmendmentEffect(changed)
    original = load_filing_rows(site, year, original_csv_path(root, year))
    counts = diff(original, filing, site.aliases).counts()
    return AmendmentEffect(changed, original, {k: counts[k] for k in ROW_CHANGES})
