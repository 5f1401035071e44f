#!/usr/bin/env python3
"""Propose RMI smelter IDs for a filing's rows published without one, and accept the right ones.

    scripts/dev resolve-ids 2013 --lookup ../shared/rmi-templates/RMI_CMRT_6.5.xlsx
    scripts/dev resolve-ids 2013 --lookup FILE --accept 3 7       # write proposals 3 and 7
    scripts/dev resolve-ids 2013 --lookup FILE --accept-unambiguous

--lookup is any CMRT workbook or blank RMI template: its "Smelter Look-up" sheet (metal, known
names, standard name, country, ID) is matched against each row by standard name, known name and
similarity, in the same metal and a consistent country. A proposal is *unambiguous* when one ID
scores at least 90 and every other at least 10 less.

Accepted IDs go to data/reference/resolved_ids.yaml; the published CSV is never changed. The
site then pairs the smelter across filings by that ID and shows it as "resolved by this site".
For a filed year that changes what the year shows: the build says so, and you record a
restatement in its YAML and re-lock it (see the README).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from disclosures.engine.countries import CountryResolver
from disclosures.engine.reference import RESOLVED_IDS
from disclosures.ingest.country_names import country_code
from disclosures.ingest.smelter_lookup import confident, parse_lookup
from disclosures.ingest.workbook import NotACmrt, read_sheets
from disclosures.staff.cli import ROOT, load_site_or_exit, reporting_year

HEADER = """\
# RMI smelter IDs this site resolved for rows a filing published without one. The published
# lists (data/smelters/) are never changed: the site uses these IDs to pair a smelter across
# filings and shows them marked "resolved by this site". Written by `scripts/dev resolve-ids`
# (see its --help); an entry naming a row its year does not list stops the build.
"""


def proposals(filing, lookup, countries: CountryResolver) -> list[dict]:
    """One per row without an ID (published or resolved) that the look-up has candidates for."""
    def code_of(text: str) -> str | None:
        return country_code(text, countries)

    found = []
    for s in filing.smelters:
        if s.smelter_id:
            continue
        candidates = lookup.candidates(s.row.metal, s.row.smelter_name, s.country_code, code_of)
        if candidates:
            found.append({"smelter": s, "candidates": candidates, "unambiguous": confident(candidates) is not None})
    return found


def entry(year: int, proposal: dict, source: str) -> dict:
    best = proposal["candidates"][0]
    row = proposal["smelter"].row
    return {"year": year, "metal": row.metal, "name": row.smelter_name, "country": row.country,
            "smelter_id": best.smelter.smelter_id, "basis": best.basis, "score": best.score,
            "source": f"{source} Smelter Look-up ({best.smelter.standard_name})"}


def write_entries(path: Path, new: list[dict]) -> None:
    existing = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("resolved", []) if path.exists() else []
    def key(e):
        return e["year"], e["metal"], e["name"], e["country"]
    merged = list({key(e): e for e in existing + new}.values())  # a row's newest entry wins
    merged.sort(key=lambda e: (e["year"], e["metal"], e["name"].casefold()))
    path.write_text(HEADER + yaml.safe_dump({"resolved": merged}, sort_keys=False, allow_unicode=True, width=120),
                    encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/dev resolve-ids", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("year", type=reporting_year)
    parser.add_argument("--lookup", type=Path, required=True, help="a CMRT workbook or blank RMI template")
    parser.add_argument("--accept", type=int, nargs="+", default=[], metavar="N", help="write these proposals")
    parser.add_argument("--accept-unambiguous", action="store_true", help="write every unambiguous proposal")
    args = parser.parse_args(argv)
    site = load_site_or_exit(ROOT / "data")
    if args.year not in site.filings:
        print(f"error: there is no {args.year} filing", file=sys.stderr)
        return 2
    try:
        sheets = read_sheets(args.lookup)
    except (NotACmrt, OSError) as exc:
        print(f"error: {args.lookup} cannot be read: {exc}", file=sys.stderr)
        return 2
    lookup = parse_lookup(sheets.get("smelter look-up"), args.lookup.name)
    if not len(lookup):
        print(f"error: {args.lookup} has no Smelter Look-up with smelter IDs", file=sys.stderr)
        return 2
    found = proposals(site.filings[args.year], lookup, site.reference.countries)
    unresolved = sum(1 for s in site.filings[args.year].smelters if not s.smelter_id)
    for number, p in enumerate(found, 1):
        s, best = p["smelter"], p["candidates"][0]
        others = "; ".join(f"{c.smelter.smelter_id} {c.score:g}" for c in p["candidates"][1:])
        print(f"{number:>4}. {s.row.metal} / {s.row.smelter_name} ({s.row.country}) -> {best.smelter.smelter_id} "
              f"{best.smelter.standard_name} [{best.basis}, {best.score:g}]"
              + ("" if p["unambiguous"] else f"  AMBIGUOUS{': also ' + others if others else ''}"))
    chosen = [p for n, p in enumerate(found, 1) if n in args.accept or (args.accept_unambiguous and p["unambiguous"])]
    print(f"{len(found)} of {unresolved} rows without an ID have proposals, "
          f"{sum(p['unambiguous'] for p in found)} unambiguous.")
    if chosen:
        path = ROOT / "data" / "reference" / RESOLVED_IDS
        write_entries(path, [entry(args.year, p, args.lookup.name) for p in chosen])
        print(f"wrote {len(chosen)} to {path.relative_to(ROOT)}; `scripts/dev build` shows what changes "
              "(a filed year needs a restatement and `scripts/dev lock YYYY`)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
