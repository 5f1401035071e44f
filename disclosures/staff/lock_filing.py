#!/usr/bin/env python3
"""File (lock) a year, or re-lock it after recording an amendment or a restatement.

    scripts/dev lock 2023

Writes data/locks/YYYY.json: what the year publishes (every figure, every row as shown) and
content hashes of its files and of the reference data that shapes it. The first lock also
keeps the figures and the smelter list as filed (data/locks/YYYY.as-filed.csv); nothing ever
replaces them. From then on the year is filed: any change to what it publishes stops the
build until an `amendments:` (Form SD/A) or `restatements:` (a correction of this site's
analysis) entry in data/filings/YYYY.yaml records it and the year is re-locked.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from disclosures.engine.locks import LOCK_FORMAT, context_hashes, rendered_differences, LOCK_DIR, check_locks, lock_path, make_lock, original_csv_path, read_lock, rendered
from disclosures.staff.cli import ROOT, load_site_or_exit

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/dev lock", description=__doc__.split("\n\n")[0])
    parser.add_argument("year", type=int)
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root = args.root
    site = load_site_or_exit(root / "data", "the data does not validate, so nothing was locked.")
    if args.year not in site.filings:
        print(f"error: no {args.year} filing in data/filings/", file=sys.stderr)
        return 2
    filing = site.filing(args.year)
    previous = read_lock(root, args.year)
    as_filed = original_csv_path(root, args.year)
    if previous:
        problems, _ = check_locks(root, {args.year: filing})
        new_correction = len(filing.meta.amendments) + len(filing.meta.restatements) > previous.get(
            "corrections", previous["amendments"])
        if not problems and not new_correction and previous.get("format") == LOCK_FORMAT:
            return refresh_causes(root, args.year, previous)
        if problems and not new_correction:
            print("error: nothing was re-locked.\n  " + "\n  ".join(problems), file=sys.stderr)
            return 1
    elif as_filed.is_file():
        print(f"error: {args.year} was filed ({as_filed.relative_to(root)} exists) but its lock "
              f"{lock_path(root, args.year).relative_to(root)} is gone: restore it from git "
              f"(git checkout -- {lock_path(root, args.year).relative_to(root)}); nothing was locked", file=sys.stderr)
        return 1
    elif not filing.smelters:
        print(f"error: data/smelters/{args.year}.csv has no rows: import the list before filing; nothing was locked",
              file=sys.stderr)
        return 1
    shown = built(root, args.year)
    if shown is None:
        return 1
    if not previous:
        as_filed.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / "data" / "smelters" / f"{args.year}.csv", as_filed)
    filed_years = sorted({int(p.name[:4]) for p in (root / LOCK_DIR).glob("*.json")} | {args.year})
    lock = make_lock(root, filing, previous, dt.date.today(), shown, filed_years)
    path = lock_path(root, args.year)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(lock, indent=2) + "\n", encoding="utf-8")
    print(f"{'re-locked' if previous else 'filed and locked'} {args.year}: {path.relative_to(root)}")
    return 0

def refresh_causes(root: Path, year: int, lock: dict) -> int:
    """A locked year that shows exactly what it showed, while reference data it depends on was
    edited (a designation or class added for another year): record the new hashes, so a later
    difference names its real cause. What the year shows is checked by a build first."""
    context = context_hashes(root, year)
    if context == lock.get("context"):
        print(f"{year} is already locked and unchanged")
        return 0
    shown = built(root, year)
    if shown is None:
        return 1
    if rendered_differences(lock.get("rendered", {}), shown):
        print(f"error: {year} would read differently; nothing was re-locked (run scripts/dev build to see why)", file=sys.stderr)
        return 1
    edited = sorted(f for f in context.keys() | lock.get("context", {}).keys() if context.get(f) != lock.get("context", {}).get(f))
    lock_path(root, year).write_text(json.dumps(lock | {"context": context}, indent=2) + "\n", encoding="utf-8")
    print(f"{year} is locked and shows exactly what it showed; recorded the new hashes of {', '.join(edited)} "
          "so that a later difference names its cause")
    return 0


def built(root: Path, year: int) -> dict | None:
    """Build the site (drafts included: the year is one until locked) and read what `year` shows."""
    with tempfile.TemporaryDirectory(prefix="cm-lock-") as tmp:
        env = dict(os.environ, CM_DRAFTS="include", NO_MKDOCS_2_WARNING="1")
        result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", tmp,
                                 "-f", str(root / "mkdocs.yml")], cwd=root, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            print(f"error: the site does not build, so nothing was locked:\n{result.stderr.strip()[-4000:]}", file=sys.stderr)
            return None
        return rendered(Path(tmp), year)

if __name__ == "__main__":
    sys.exit(main())
