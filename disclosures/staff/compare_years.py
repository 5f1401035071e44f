#!/usr/bin/env python3
"""What changed between any two filing years (they need not be consecutive).

    python scripts/compare_years.py OLD NEW [--format text|csv|json] [--out FILE]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


from disclosures.engine.compare import SECTION_TITLES, diff
from disclosures.site.render.data_package import change_log
from disclosures.site.render.downloads import change_records, to_csv, to_json
from disclosures.staff.cli import ROOT, load_site_or_exit, reporting_year


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/dev compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=reporting_year)
    parser.add_argument("new", type=reporting_year)
    parser.add_argument("--format", choices=("text", "csv", "json"), default="text")
    parser.add_argument("--out", type=Path, help="write here instead of standard output")
    parser.add_argument("--data", type=Path, default=ROOT / "data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    site = load_site_or_exit(args.data)
    missing = [y for y in (args.old, args.new) if y not in site.filings]
    if missing:
        print(f"error: no filing for {', '.join(map(str, missing))}; filings: {', '.join(map(str, site.years))}", file=sys.stderr)
        return 2
    d = diff(site.filing(args.old), site.filing(args.new), site.aliases)
    if args.format == "text":
        counts = d.counts()
        lines = [f"{args.old} -> {args.new}"] + [f"  {SECTION_TITLES[k]:<26}{v:>6}" for k, v in counts.items()]
        output = ("\n".join(lines) + "\n").encode()
    elif args.format == "csv":
        output = to_csv(change_records(d), change_log(args.old, args.new))
    else:
        output = to_json(change_records(d), {"old_year": args.old, "new_year": args.new}, change_log(args.old, args.new))
    if args.out:
        args.out.write_bytes(output)
    else:
        sys.stdout.buffer.write(output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
