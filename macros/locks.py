"""Filed years are locked: a content hash of their YAML, CSV and narrative, kept in data/locks/.

A later change to a locked year stops the build, unless the year's YAML records an amendment
that the lock has not seen yet; then the site shows "Amended on ..." with what changed, and the
figures and smelter list as originally filed stay published. `scripts/lock_filing.py` locks a
year, and re-locks it after an amendment (keeping the original).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .narrative import figures_of
from .model import Filing

LOCK_DIR = Path("data") / "locks"


def year_files(root: Path, year: int) -> list[Path]:
    """Everything that makes up a filing year's public record, relative to the project root."""
    docs = sorted((root / "docs" / str(year)).glob("*.md"))
    return [Path("data") / "filings" / f"{year}.yaml", Path("data") / "smelters" / f"{year}.csv"] + [
        p.relative_to(root) for p in docs]


def digests(root: Path, year: int) -> dict[str, str]:
    return {p.as_posix(): hashlib.sha256((root / p).read_bytes()).hexdigest()
            for p in year_files(root, year) if (root / p).is_file()}


def lock_path(root: Path, year: int) -> Path:
    return root / LOCK_DIR / f"{year}.json"


def original_csv_path(root: Path, year: int) -> Path:
    return root / LOCK_DIR / f"{year}.as-filed.csv"


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


def check_locks(root: Path, filings: dict[int, Filing]) -> tuple[list[str], dict[int, LockStatus]]:
    """(problems, status per locked year). A problem is a locked year changed without amendment."""
    problems, statuses = [], {}
    for path in sorted((root / LOCK_DIR).glob("*.json")):
        lock = json.loads(path.read_text(encoding="utf-8"))
        year = int(lock["year"])
        if year not in filings:
            problems.append(f"{path.relative_to(root)} locks {year}, but there is no {year} filing in data/")
            continue
        current = digests(root, year)
        changed = tuple(sorted(f for f in current.keys() | lock["files"].keys() if current.get(f) != lock["files"].get(f)))
        recorded = len(filings[year].meta.amendments)
        if changed and recorded <= lock["amendments"]:
            problems.append(
                f"{year} is filed and locked (locked on {lock['locked_on']}), but these files changed: "
                f"{', '.join(changed)}. A filed year changes only by amendment: record it under `amendments:` "
                f"(date, form SD/A, reason) in data/filings/{year}.yaml, then run python scripts/lock_filing.py {year}; "
                f"or undo the change.")
        statuses[year] = LockStatus(year, lock["locked_on"], changed, lock["original"]["figures"],
                                    original_csv_path(root, year).is_file())
    return problems, statuses


def make_lock(root: Path, filing: Filing, previous: dict | None, today: dt.date) -> dict:
    """A new lock for `filing`; the original figures of a previous lock are kept forever."""
    original = previous["original"] if previous else {
        "locked_on": today.isoformat(),
        "figures": {k: v for k, v in figures_of(filing).__dict__.items()},
    }
    return {
        "year": filing.year,
        "locked_on": today.isoformat(),
        "amendments": len(filing.meta.amendments),
        "files": digests(root, filing.year),
        "original": original,
    }
