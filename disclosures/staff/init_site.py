#!/usr/bin/env python3
"""Start this repository's site for your company: the example leaves, your settings come in.

    scripts/dev init --registrant "Example Devices, Inc." --cik 1234567 --file-number 001-12345

Removes the example (its filings, lists, pages, locks and the filed documents under
data/sources/) and the reference data that belongs to one company (smelter aliases, resolved
IDs), keeps the shared reference data (designations, Covered Countries, sanctions and
suspensions, country spellings), and writes data/site.yaml: the site's name, description and
footer, and every page's words about the registrant, come from it. The example stays in
tests/fixtures/example (`scripts/dev demo` serves it). Refuses a site with filed years of its
own unless --force (they stay in git's history).
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import yaml

from disclosures.engine.errors import DataError
from disclosures.engine.registry import LOCK_DIR, filed_years, write_atomically
from disclosures.engine.settings import SETTINGS, SiteSettings, read_settings
from disclosures.staff.cli import ROOT

COMPANY_REFERENCE = {  # reference files that hold one company's decisions: emptied, with their explanation kept
    "smelter_aliases.yaml": "aliases: []\n",
    "resolved_ids.yaml": "resolved: []\n",
}
NEXT = """started the site of {name}: data/site.yaml (edit it freely)
next:
  scripts/dev new-year YEAR                     the first year to publish: its Form SD to confirm, marked CHECK
  scripts/dev import EXHIBIT.htm --year YEAR    its filed smelter list (EDGAR exhibit, text, PDF or spreadsheet)
  scripts/dev check YEAR                        what is left to confirm, one line each
  scripts/dev serve                             look at it (a draft, with its banner)
  scripts/dev lock YEAR                         file it; then the same for earlier years (new-year works backwards too)
  scripts/dev demo                              the example site, for comparison"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/dev init", description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrant", required=True, help="the name as on the cover of its Form SD")
    parser.add_argument("--short-name", help="how running text calls it (default: the name)")
    parser.add_argument("--cik", help="the SEC Central Index Key (links to its filings on EDGAR)")
    parser.add_argument("--file-number", help="the Commission File Number on its cover")
    parser.add_argument("--state", help="state or other jurisdiction of incorporation")
    parser.add_argument("--irs-number", help="I.R.S. Employer Identification No., if its cover prints one")
    parser.add_argument("--address", help="address of principal executive offices, as on its cover")
    parser.add_argument("--site-url", help="where the site is published (default: the GitHub Pages address)")
    parser.add_argument("--force", action="store_true", help="start over even though this site has filed years")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root = args.root
    try:
        settings = SiteSettings(registrant=args.registrant, short_name=args.short_name, cik=args.cik,
                                commission_file_number=args.file_number, state_of_incorporation=args.state,
                                irs_employer_id=args.irs_number, address=args.address, site_url=args.site_url)
        current = read_settings(root) if (root / SETTINGS).is_file() else None
        filed = filed_years(root)
    except (ValueError, DataError) as exc:
        print(f"error: {exc}; nothing was changed", file=sys.stderr)
        return 2
    if filed and not (current and current.example) and not args.force:
        print(f"error: this site has filed years ({', '.join(map(str, sorted(filed)))}): init would remove them; "
              "nothing was changed. Run it with --force only to start over (they stay in git's history).", file=sys.stderr)
        return 1
    remove_content(root)
    write_atomically(root / SETTINGS, settings_yaml(settings))
    print(NEXT.format(name=settings.registrant))
    return 0


def remove_content(root: Path) -> None:
    """Every filing, list, page, lock, survey and filed document of the site; one company's reference data."""
    for folder, pattern in (("data/filings", "*.yaml"), ("data/smelters", "*.csv"), ("data/rcoi", "*.yaml"),
                            ("data/sources", "*"), (LOCK_DIR.as_posix(), "*")):
        for path in (root / folder).glob(pattern):
            path.unlink() if path.is_file() else shutil.rmtree(path)
    for folder in (root / "docs").glob("[0-9][0-9][0-9][0-9]"):
        shutil.rmtree(folder)
    for name, empty in COMPANY_REFERENCE.items():
        path = root / "data" / "reference" / name
        comments = "".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
                           if line.startswith("#")) if path.is_file() else ""
        write_atomically(path, comments + empty)


def settings_yaml(settings: SiteSettings) -> str:
    values = settings.model_dump(exclude_none=True, exclude={"example"})
    return ("# yaml-language-server: $schema=schemas/site.schema.json\n"
            "# This site's settings: who it publishes for (scripts/dev init wrote this file; edit it freely).\n"
            "# The site's name, description and footer, and every page's words about the registrant, come from here:\n"
            "# site_name, site_description and footer may be set too (otherwise they are made from the name).\n"
            + yaml.safe_dump(values, allow_unicode=True, sort_keys=False))


if __name__ == "__main__":
    sys.exit(main())
