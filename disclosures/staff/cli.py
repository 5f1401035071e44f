"""What every staff command shares: the project root, and the validated model or a clear error."""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from disclosures.engine.errors import DataError
from disclosures.engine.load import Site, load_site


def project_root() -> Path:
    """The project the command works on: CM_PROJECT_ROOT (set by scripts/dev, since staff run
    commands from wherever they are), else the nearest folder up from here with a mkdocs.yml."""
    if os.environ.get("CM_PROJECT_ROOT"):
        return Path(os.environ["CM_PROJECT_ROOT"]).resolve()
    here = Path.cwd().resolve()
    return next((p for p in (here, *here.parents) if (p / "mkdocs.yml").is_file()), here)


ROOT = project_root()
FIRST_YEAR = 2013  # the first reporting year of Rule 13p-1


def reporting_year(text: str) -> int:
    """An argparse type: a reporting year from 2013 to next year, or a one-line error."""
    if not re.fullmatch(r"\d{4}", text.strip()) or not FIRST_YEAR <= int(text) <= dt.date.today().year + 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a reporting year: write the calendar year the filing "
                                         f"covers, {FIRST_YEAR} to {dt.date.today().year + 1} (e.g. 2025)")
    return int(text)


def load_site_or_exit(data_dir: Path, consequence: str = "", drafts: bool = True) -> Site:
    try:
        return load_site(data_dir, drafts=drafts)
    except DataError as exc:
        print(f"error: {consequence}\n{exc}" if consequence else str(exc), file=sys.stderr)
        raise SystemExit(1) from None


def build_records(root: Path, tmp: Path, consequence: str) -> Path | None:
    """Build the site into tmp/site (drafts included: a year is one until locked), writing each
    year's record and its report as converted (tmp/records); None, with the build's error, if it fails."""
    result = subprocess.run([sys.executable, "-m", "disclosures.site.mkdocs_plugin", "build", "--drafts", "--quiet",
                             "-f", str(root / "mkdocs.yml"), "-d", str(tmp / "site"), "--record-to", str(tmp / "records")],
                            cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"error: the site does not build, so {consequence}:\n{result.stderr.strip()[-4000:]}", file=sys.stderr)
        return None
    return tmp / "records"


@contextlib.contextmanager
def project_lock(root: Path):
    """One locking or building command at a time per project: a second waits for the first."""
    name = hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"cm-{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def refuse_filed_year(root: Path, year: int, writes: Path, what: str) -> None:
    """A filed year's files change only by amendment: stop a command that would overwrite one,
    unless data/filings/YYYY.yaml records an amendment its lock has not seen yet."""
    from disclosures.engine.locks import read_lock, unlocked_corrections
    from disclosures.engine.load import load_filing_meta
    from disclosures.engine.registry import filed_years

    try:
        filed = year in filed_years(root)
    except DataError as exc:
        raise SystemExit(f"error: {exc}") from None
    if not filed or not Path(writes).resolve().is_relative_to(Path(root).resolve()):
        return
    meta = load_filing_meta(Path(root) / "data" / "filings" / f"{year}.yaml")
    lock = read_lock(root, year) or {}
    new, _ = unlocked_corrections(meta, lock.get("history", []))
    if any(c["kind"] == "amendment" for c in new):
        return
    raise SystemExit(
        f"error: {year} is filed, so {what} would overwrite the filed record ({Path(writes).relative_to(Path(root).resolve())}); "
        f"nothing was written.\n  A filed year changes only by amendment: record the Form SD/A under `amendments:` "
        f"(date, form, reason) in data/filings/{year}.yaml, run this command again, then `scripts/dev lock {year}`.")
