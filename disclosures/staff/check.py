#!/usr/bin/env python3
"""Check what a year still needs before it is filed: one line per problem, file and line.

    scripts/dev check [YEAR ...]

Reports CHECK markers left by the scaffold, other years' dates left in a year's narrative,
numbers typed by hand where a figure macro exists, designations without a legend entry (and
legend entries no row uses), RCOI counts that disagree with the ingested supplier survey, and
open follow-ups from the CMRT ingest. Checks every year in data/ (drafts included), or only the
filed ones with --filed-only (the deploy workflow: what it publishes). Exits 1 on any problem.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from disclosures.engine.checks import check_year
from disclosures.staff.cli import ROOT, load_site_or_exit, reporting_year


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/dev check", description=__doc__.split("\n\n")[0])
    parser.add_argument("years", nargs="*", type=reporting_year, metavar="YEAR", help="only these years (default: every year)")
    parser.add_argument("--filed-only", action="store_true",
                        help="check only the filed years (what the deploy publishes), not the drafts")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    site = load_site_or_exit(args.root / "data", drafts=not args.filed_only)
    years = args.years or site.years
    unknown = [y for y in years if y not in site.filings]
    if unknown:
        print(f"error: no filing for {', '.join(map(str, unknown))} in data/filings/", file=sys.stderr)
        return 2
    for year in years:  # how the filed header will read over the list's columns (the "as filed" view)
        header = site.filing(year).meta.list_header
        if header:
            print(f"{year}: the list's filed header reads " + " | ".join(f"{text!r} over {column}" for column, text in header.items()))
    problems = [(year, p) for year in years for p in check_year(args.root, site, year)]
    for year, problem in problems:
        state = "draft" if year in site.drafts else "filed"
        print(f"{year} ({state}): {problem}")
    checked = ", ".join(f"{y}{' (draft)' if y in site.drafts else ''}" for y in years)
    faulty = ", ".join(f"{y}{' (draft)' if y in site.drafts else ''}" for y in sorted({y for y, _ in problems}))
    print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {faulty} (checked {checked})" if problems
          else f"ready: {checked}", file=sys.stderr if problems else sys.stdout)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
