#!/usr/bin/env python3
"""List likely renames still unmatched between two filings, and accept the right ones.

    python scripts/suggest_aliases.py                 # newest filing vs the one before it
    python scripts/suggest_aliases.py --old 2013 --new 2023 --min-score 70
    python scripts/suggest_aliases.py --accept 1 4    # write suggestions 1 and 4 as aliases

Suggestions are never applied by themselves: only --accept writes them, into
data/reference/smelter_aliases.yaml, and the build then checks every alias against the data.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path


from disclosures.engine.compare import diff, suggest_renames
from disclosures.engine.errors import DataError
from disclosures.engine.load import load_site
from disclosures.staff.cli import ROOT, load_site_or_exit, reporting_year


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def alias_yaml(suggestion, today: dt.date) -> str:
    old, new = suggestion.old, suggestion.new
    return (f"  - metal: {old.metal}\n    names:\n"
            f"      - {{year: {old.year}, name: {_quote(old.first.row.smelter_name)}}}\n"
            f"      - {{year: {new.year}, name: {_quote(new.first.row.smelter_name)}}}\n"
            f"    note: Accepted from scripts/suggest_aliases.py (score {suggestion.score}) on {today.isoformat()}.\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/dev aliases", description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", type=reporting_year)
    parser.add_argument("--new", type=reporting_year)
    parser.add_argument("--min-score", type=float, default=75.0)
    parser.add_argument("--accept", type=int, nargs="+", metavar="N", help="suggestion numbers to write as aliases")
    parser.add_argument("--data", type=Path, default=ROOT / "data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    site = load_site_or_exit(args.data)
    if len(site.years) < 2:
        print("only one filing: nothing to compare")
        return 0
    new = args.new or site.years[-1]
    old = args.old or max(y for y in site.years if y < new)
    suggestions = suggest_renames(diff(site.filing(old), site.filing(new), site.aliases), args.min_score)

    if not args.accept:
        print(f"{len(suggestions)} likely renames between {old} and {new} (score >= {args.min_score:g}):")
        for number, s in enumerate(suggestions, 1):
            o, n = s.old.first, s.new.first
            print(f"{number:>4}. {s.score:5.1f}  {s.old.metal:<9} {o.row.smelter_name} ({o.country_code})"
                  f"  ->  {n.row.smelter_name} ({n.country_code})")
        if suggestions:
            print("Accept the right ones with: python scripts/suggest_aliases.py --accept N [N ...]")
        return 0

    bad = [n for n in args.accept if not 1 <= n <= len(suggestions)]
    if bad:
        print(f"error: no suggestion numbered {', '.join(map(str, bad))} (1..{len(suggestions)})", file=sys.stderr)
        return 2
    path = args.data / "reference" / "smelter_aliases.yaml"
    text = path.read_text(encoding="utf-8") if path.exists() else "aliases:\n"
    if "aliases: []" in text:
        text = text.replace("aliases: []", "aliases:")
    text = text.rstrip("\n") + "\n" + "".join(alias_yaml(suggestions[n - 1], dt.date.today()) for n in args.accept)
    path.write_text(text, encoding="utf-8")
    try:
        load_site(args.data)  # the aliases must still validate
    except DataError as exc:
        print(f"warning: the alias file no longer validates:\n{exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(args.accept)} aliases to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
