#!/usr/bin/env python3
"""Import a filing's published smelter table into data/smelters/YYYY.csv.

    python scripts/import_filing.py SOURCE --year YYYY [--out PATH]

SOURCE is the filing as plain text (tab-separated table rows) or an HTML exhibit from EDGAR.
Prints where every table row went; writes nothing unless the whole table is valid.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


from disclosures.engine.errors import DataError
from disclosures.ingest.filing_table import import_table
from disclosures.engine.reference import load_reference
from disclosures.engine.smelter_csv import write_smelter_csv
from disclosures.staff.cli import ROOT



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/dev import", description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="filing as .txt or .htm(l)")
    parser.add_argument("--year", type=int, required=True, help="reporting calendar year")
    parser.add_argument("--out", type=Path, help="output CSV (default data/smelters/YYYY.csv)")
    parser.add_argument("--data", type=Path, default=ROOT / "data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    out = args.out or args.data / "smelters" / f"{args.year}.csv"

    try:
        source = args.source.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        print(f"error: {args.source}: {exc.strerror}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:
        print(f"error: {args.source}: not UTF-8 text (byte {exc.start})", file=sys.stderr)
        return 2
    try:
        rows, acc = import_table(source, str(args.source), load_reference(args.data / "reference"))
    except DataError as exc:
        print(f"error: nothing written.\n{exc}", file=sys.stderr)
        return 1

    write_smelter_csv(rows, out)
    print(f"{args.source}: {acc.written} rows written to {out}")
    print(f"  lines read:           {acc.lines_read}")
    print(f"  table rows read:      {acc.table_rows}")
    print(f"  smelter rows written: {acc.written}")
    print(f"  repeated headers:     {len(acc.headers)} (lines {', '.join(map(str, acc.headers)) or '-'})")
    print(f"  rows rejected:        {len(acc.rejected)}")
    for line, reason in acc.rejected:
        print(f"    line {line}: {reason}")
    print(f"  exact duplicates:     {len(acc.duplicates)} (kept as published)")
    for first, again, what in acc.duplicates:
        print(f"    lines {first} and {again}: {what}")
    for note in acc.notes:
        print(f"  note: {note}")
    assert acc.balanced(), "accounting does not add up"
    return 0


if __name__ == "__main__":
    sys.exit(main())
