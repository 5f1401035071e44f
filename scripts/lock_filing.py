#!/usr/bin/env python3
"""Lock a filed year, or re-lock it after recording an amendment.

    python scripts/lock_filing.py 2023

Records a content hash of data/filings/YYYY.yaml, data/smelters/YYYY.csv and docs/YYYY/*.md
in data/locks/YYYY.json. The first lock also keeps the figures and the smelter list as filed
(data/locks/YYYY.as-filed.csv); re-locking after an amendment never replaces them.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from macros.locks import digests, lock_path, make_lock, original_csv_path, read_lock  # noqa: E402
from scripts.cli import load_site_or_exit  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
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
    if previous:
        changed = digests(root, args.year) != previous["files"]
        new_amendment = len(filing.meta.amendments) > previous["amendments"]
        if not changed and not new_amendment:
            print(f"{args.year} is already locked and unchanged")
            return 0
        if not new_amendment:
            print(f"error: {args.year} changed since it was locked, but data/filings/{args.year}.yaml records no new "
                  "amendment (date, form SD/A, reason); nothing was re-locked", file=sys.stderr)
            return 1
    else:
        original_csv_path(root, args.year).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / "data" / "smelters" / f"{args.year}.csv", original_csv_path(root, args.year))
    lock = make_lock(root, filing, previous, dt.date.today())
    path = lock_path(root, args.year)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(lock, indent=2) + "\n", encoding="utf-8")
    print(f"{'re-locked' if previous else 'locked'} {args.year}: {path.relative_to(root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
