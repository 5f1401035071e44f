#!/usr/bin/env python3
"""Create the files a new filing year needs, to fill in.

    python scripts/new_year.py 2024

Writes data/filings/2024.yaml (the latest filing's YAML with the new period, every field to
check marked), an empty data/smelters/2024.csv, and docs/2024/ with the Form SD, report,
smelter list and change-log pages. Never overwrites a file. The build fails, naming what is
missing, until the smelter list is imported and the YAML is complete.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from macros.smelter_csv import COLUMNS  # noqa: E402

SMELTERS_PAGE = """---
hide:
  - toc
---

# Smelters and refiners

The smelters and refiners that suppliers reported for this filing, exactly as the filing
lists them, with the class each designation counts as and any risk flags.
Search, filter and sort the table, share the filtered view's address, or download the list.

{{ smelter_summary() }}

{{ download_links() }}

{{ status_legend() }}

{{ smelter_table() }}
"""
FORM_SD_PAGE = """# Form SD

{{ form_sd() }}

[Read the Conflict Minerals Report](report.md){ .md-button } [Browse the smelter list](smelters.md){ .md-button }
"""
CHANGES_PAGE = """# Changes since the {{ previous.year }} filing

What changed in the smelter list between the {{ previous.year }} and {{ filing.year }} filings.
A smelter is the same across filings when it has the same smelter ID, when staff confirmed
that two names are one smelter, or when its name is the same once case, accents,
punctuation and legal forms (S.A., Co., Ltd.) are ignored. Designations are compared by
class, so "Yes" (2013) and "Full Compliant" (2023) count as the same status.

{{ changes() }}
"""


def scaffold(root: Path, year: int) -> list[Path]:
    filings = sorted(int(p.stem) for p in (root / "data" / "filings").glob("[0-9][0-9][0-9][0-9].yaml"))
    earlier = [y for y in filings if y < year]
    template_year = earlier[-1] if earlier else (filings[-1] if filings else None)
    if template_year is None:
        raise SystemExit("no filing to copy from: write data/filings/YYYY.yaml by hand (see README)")
    planned = {
        root / "data" / "filings" / f"{year}.yaml": _yaml(root, template_year, year),
        root / "data" / "smelters" / f"{year}.csv": ",".join(COLUMNS) + "\n",
        root / "docs" / str(year) / "index.md": FORM_SD_PAGE,
        root / "docs" / str(year) / "report.md": _report(root, template_year, year),
        root / "docs" / str(year) / "smelters.md": SMELTERS_PAGE,
    }
    if earlier:
        planned[root / "docs" / str(year) / "changes.md"] = CHANGES_PAGE
    existing = [p for p in planned if p.exists()]
    if existing:
        raise SystemExit("not overwriting: " + ", ".join(str(p.relative_to(root)) for p in existing))
    for path, content in planned.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return list(planned)


def _yaml(root: Path, source_year: int, year: int) -> str:
    text = (root / "data" / "filings" / f"{source_year}.yaml").read_text(encoding="utf-8")
    text = re.sub(r"^#.*\n", "", text, flags=re.M)
    text = text.replace(f"start: {source_year}-01-01", f"start: {year}-01-01").replace(
        f"end: {source_year}-12-31", f"end: {year}-12-31")
    text = re.sub(r"^(filed_on|  date): .*$", rf"\1: {year + 1}-05-31  # CHECK: the date signed and filed", text, flags=re.M)
    header = (f"# Form SD for calendar year {year}: copied from {source_year} by scripts/new_year.py.\n"
              f"# CHECK EVERY FIELD against the {year} filing before publishing; text is copied as filed.\n")
    return header + text


def _report(root: Path, source_year: int, year: int) -> str:
    text = (root / "docs" / str(source_year) / "report.md").read_text(encoding="utf-8")
    note = (f"<!-- Copied from the {source_year} report by scripts/new_year.py: replace with the {year} text as filed.\n"
            f"     Write every figure as a macro ({{{{ figures.facilities }}}} ...): see the staff guide. -->\n")
    return note + text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("year", type=int)
    args = parser.parse_args(argv)
    for path in scaffold(ROOT, args.year):
        print(f"created {path.relative_to(ROOT)}")
    print(f"next: python scripts/import_filing.py FILING --year {args.year}, then edit the YAML and docs/{args.year}/report.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
