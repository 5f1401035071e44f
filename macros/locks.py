"""Filed years are locked: data/locks/YYYY.json freezes what the year publishes.

A lock holds (1) a content hash of the year's own files (YAML, CSV, pages), (2) what the year
shows, computed from them: every figure and every row as shown (class, ISO country, flags,
identity), and (3) hashes of everything else that can change what it shows (reference data,
aliases, the supplier survey), to name the cause of a difference. The first lock also keeps the
figures and the list as filed (data/locks/YYYY.as-filed.csv, hashed too), never replaced.

Every build recomputes (1) and (2). Any difference, whatever caused it, stops the build,
unless the year's YAML records an amendment (Form SD/A) or a restatement (a correction of
this site's analysis, the filed text untouched) that the lock has not seen; `scripts/dev lock
YYYY` then re-locks it. The pages say what changed.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .model import Filing, Smelter
from .narrative import figures_of

LOCK_DIR = Path("data") / "locks"
LOCK_FORMAT = 2
FIGURES_SHOWN = ("facilities", "distinct", "conformant", "active", "not_listed", "non_conformant",
                 "in_covered_countries", "greater_risk", "sanctioned", "restricted", "surveyed", "responded")


def year_files(root: Path, year: int) -> list[Path]:
    """The year's own files, relative to the project root."""
    docs = sorted((root / "docs" / str(year)).glob("*.md"))
    return [Path("data") / "filings" / f"{year}.yaml", Path("data") / "smelters" / f"{year}.csv"] + [
        p.relative_to(root) for p in docs]


def context_files(root: Path, year: int) -> list[Path]:
    """Files outside the year that change what it shows: reference data and its supplier survey."""
    return sorted(p.relative_to(root) for p in (root / "data" / "reference").glob("*.yaml")) + [
        Path("data") / "rcoi" / f"{year}.yaml"]


def _hashes(root: Path, paths: list[Path]) -> dict[str, str]:
    return {p.as_posix(): _sha256(root / p) for p in paths if (root / p).is_file()}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def digests(root: Path, year: int) -> dict[str, str]:
    return _hashes(root, year_files(root, year))


def lock_path(root: Path, year: int) -> Path:
    return root / LOCK_DIR / f"{year}.json"


def original_csv_path(root: Path, year: int) -> Path:
    return root / LOCK_DIR / f"{year}.as-filed.csv"


def row_as_shown(s: Smelter) -> str:
    """One row as the site shows it: published cells, then what the site derives from them."""
    flags = ",".join(sorted(r.label for r in s.restrictions))
    return " | ".join((s.row.metal, s.row.smelter_name, s.row.country, s.row.status, s.row.smelter_id,
                       s.row.footnote, s.status_class, s.country_code, "covered" if s.in_covered_country else "",
                       "greater risk" if s.greater_risk else "", flags))


def published(filing: Filing) -> dict:
    figures = figures_of(filing)
    return {"figures": {name: getattr(figures, name) for name in FIGURES_SHOWN},
            "rows": [row_as_shown(s) for s in filing.smelters]}


@dataclass(frozen=True)
class LockStatus:
    year: int
    locked_on: str
    changed: tuple[str, ...]  # files that differ from the lock (allowed only under a new amendment)
    original_figures: dict = field(default_factory=dict)
    has_original_csv: bool = False


def read_lock(root: Path, year: int) -> dict | None:
    path = lock_path(root, year)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _corrections(filing: Filing) -> int:
    return len(filing.meta.amendments) + len(filing.meta.restatements)


def shown_differences(lock: dict, now: dict, limit: int = 5) -> list[str]:
    """Readable differences between what a year showed when locked and what it would show now."""
    was = lock.get("published", {})
    lines = [f"figure `{name}` would read {now['figures'][name]} (filed and locked: {value})"
             for name, value in was.get("figures", {}).items() if now["figures"].get(name) != value]
    before, after = was.get("rows", []), now["rows"]
    if before != after:
        gone = [r for r in before if r not in set(after)]
        new = [r for r in after if r not in set(before)]
        lines.append(f"{len(gone)} rows would be shown differently ({len(before)} rows locked, {len(after)} now)")
        lines += [f"  was: {a}\n      now: {b}" for a, b in zip(gone[:limit], new[:limit])]
        lines += [f"  was: {a}" for a in gone[len(new):limit]] + [f"  new: {b}" for b in new[len(gone):limit]]
    return lines


def check_locks(root: Path, filings: dict[int, Filing]) -> tuple[list[str], dict[int, LockStatus]]:
    """(problems, status per locked year). A problem: a locked year would change without an
    amendment or restatement recorded since its lock, or its lock or as-filed list was tampered with."""
    problems, statuses = [], {}
    for as_filed in sorted((root / LOCK_DIR).glob("*.as-filed.csv")):
        lock = as_filed.with_name(as_filed.name.replace(".as-filed.csv", ".json"))
        if not lock.is_file():
            problems.append(f"{as_filed.name[:4]} was filed ({as_filed.relative_to(root)} exists) but its lock "
                            f"{lock.relative_to(root)} is missing: a filed year never becomes a draft again; "
                            f"restore the lock from git (git checkout -- {lock.relative_to(root)})")
    for path in sorted((root / LOCK_DIR).glob("*.json")):
        lock = json.loads(path.read_text(encoding="utf-8"))
        year = int(lock["year"])
        if year not in filings:
            continue  # left out of this build (or missing data, which load_site reports)
        filing = filings[year]
        fix = (f"Undo the change; or, if the filing was amended, record it under `amendments:` (date, form SD/A, "
               f"reason) in data/filings/{year}.yaml; or, if this site's analysis was corrected, record a "
               f"`restatements:` entry (date, reason); then run `scripts/dev lock {year}`.")
        as_filed = original_csv_path(root, year)
        if lock["original"].get("csv_sha256") and (not as_filed.is_file() or _sha256(as_filed) != lock["original"]["csv_sha256"]):
            problems.append(f"{year}: {as_filed.relative_to(root)}, the smelter list as originally filed, was changed or "
                            f"removed; it is never edited: restore it from git (git checkout -- {as_filed.relative_to(root)})")
        current = digests(root, year)
        changed = tuple(sorted(f for f in current.keys() | lock["files"].keys() if current.get(f) != lock["files"].get(f)))
        differences = shown_differences(lock, published(filing)) if "published" in lock else []
        if (changed or differences) and _corrections(filing) <= lock.get("corrections", lock.get("amendments", 0)):
            context = _hashes(root, context_files(root, year))
            causes = sorted(f for f in context.keys() | lock.get("context", {}).keys()
                            if context.get(f) != lock.get("context", {}).get(f))
            text = [f"{year} is filed and locked (locked on {lock['locked_on']}), but what it publishes would change."]
            if changed:
                text.append(f"Its files changed: {', '.join(changed)}.")
            text += differences
            if differences and causes:
                text.append(f"Changed since the lock, outside the year: {', '.join(causes)}.")
            elif differences and not changed:
                text.append("Nothing in data/ changed: the code that classifies or shows the rows did.")
            problems.append("\n    ".join(text + [fix]))
        statuses[year] = LockStatus(year, lock["locked_on"], changed, lock["original"]["figures"], as_filed.is_file())
    return problems, statuses


def make_lock(root: Path, filing: Filing, previous: dict | None, today: dt.date) -> dict:
    """A new lock for `filing`; what the first lock kept as filed is kept forever."""
    as_filed = original_csv_path(root, filing.year)
    original = previous["original"] if previous else {
        "locked_on": today.isoformat(),
        "figures": {k: v for k, v in figures_of(filing).__dict__.items()},
    }
    if "csv_sha256" not in original and as_filed.is_file():
        original = dict(original, csv_sha256=_sha256(as_filed))
    return {
        "format": LOCK_FORMAT,
        "year": filing.year,
        "locked_on": today.isoformat(),
        "amendments": len(filing.meta.amendments),
        "corrections": _corrections(filing),
        "files": digests(root, filing.year),
        "context": _hashes(root, context_files(root, filing.year)),
        "published": published(filing),
        "original": original,
    }
