"""The one registry of filed years: data/locks/filed.json.

A year is filed from the moment `scripts/dev lock` registers it, and stays filed: removing its
files (lock, list, YAML, pages) stops every build instead of dropping the year from the site.
Written last by a first lock, so a lock interrupted before it leaves a draft that re-running
`scripts/dev lock` files; every file here is written whole or not at all (write_atomically).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

from disclosures.engine.errors import DataError, Problem
from disclosures.engine.model import Strict
from disclosures.engine.yamlio import read_typed

LOCK_DIR = Path("data") / "locks"
REGISTRY = LOCK_DIR / "filed.json"


class Registry(Strict):
    """data/locks/filed.json: each filed year and the day it was first filed (locked)."""

    format: int = 1
    filed: dict[int, dt.date]


def registry_path(root: Path) -> Path:
    return Path(root) / REGISTRY


def filed_years(root: Path) -> dict[int, dt.date]:
    """Every filed year -> the day it was first locked. No registry and no lock: nothing is filed
    yet (a new site). Locks without the registry: it was removed, which stops the build."""
    path = registry_path(root)
    if not path.is_file():
        locks = sorted((Path(root) / LOCK_DIR).glob("[0-9][0-9][0-9][0-9].json"))
        legacy = {int(p.stem): _first_locked(p) for p in locks}
        if locks and all(legacy.values()):  # locks of format 3 kept the record in each lock: migrate them
            return legacy
        if locks:
            locks = [p.name for p in locks]
            raise DataError(Problem(path, f"missing, but {', '.join(locks)} exist: the registry of filed years is "
                                          f"never removed; restore it from git (git checkout -- {REGISTRY.as_posix()})"))
        return {}
    return dict(read_typed(path, Registry, json_file=True).filed)


def register(root: Path, year: int, today: dt.date, known: dict[int, dt.date] | None = None) -> None:
    """Add a newly filed year (a year already filed keeps its first date) to the registry, or to
    `known` (the years filed before the registry existed, when migrating)."""
    filed = dict(known) if known is not None else filed_years(root)
    filed.setdefault(year, today)
    data = {"format": 1, "filed": {str(y): d.isoformat() for y, d in sorted(filed.items())}}
    write_atomically(registry_path(root), json.dumps(data, indent=2) + "\n")


def write_atomically(path: Path, text: str | bytes) -> None:
    """The file is replaced whole or not at all: a crash leaves the old one (or none)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8") if isinstance(text, str) else text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _first_locked(path: Path) -> dt.date | None:
    """The first lock's date in a lock of format 3 (before the registry), else None."""
    try:
        lock = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return dt.date.fromisoformat(lock["original"]["locked_on"]) if lock.get("format") == 3 else None
