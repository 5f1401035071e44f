#!/usr/bin/env python3
"""Scaffold a filing year, or restore a missing page of one: never overwrites a file.

    scripts/dev new-year 2024

Creates data/filings/YYYY.yaml, an empty data/smelters/YYYY.csv and docs/YYYY/report.md (the
Form SD, smelter list and change log pages come from the one standard source, disclosures/pages/;
put a page of that name in docs/YYYY/ only to give a year its own). Structure is copied from the
latest earlier filing, never its facts: every field that differs per year is blank or marked
CHECK; the exhibit list, designation legend, footnotes and survey counts start empty; the
report's text is last year's with its years written as macros and a CHECK at the top. The year
is a draft (a banner on every page, never deployed) until `scripts/dev lock YYYY` files it.
For a year that exists, only its missing files are created (the build's advice when one is gone).
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

import io

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from disclosures.engine.load import load_filing_meta
from disclosures.engine.registry import filed_years
from disclosures.engine.settings import SiteSettings, read_settings
from disclosures.engine.smelter_csv import COLUMNS
from disclosures.staff.cli import FIRST_YEAR, ROOT, reporting_year


FIRST_REPORT = """<!-- CHECK: write the {year} Conflict Minerals Report as filed. Write every figure as a macro
     ({{{{ figures.facilities }}}}, ...): the staff guide lists them. -->
# Conflict Minerals Report

CHECK: the text of the report as filed.

## Smelters and refiners

{{{{ smelter_table() }}}}
"""


def q(value) -> str:
    """A YAML scalar, quoted as YAML needs (the text of a filing can hold any character)."""
    return yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True).strip().removesuffix("\n...")


def filing_yaml(source_path: Path, source, year: int) -> str:
    """The new year's YAML: the previous filing's file edited in place (its comments, field order
    and every cover field kept, its years moved on), what belongs to one filing reset, and each
    value to confirm marked by a `# CHECK` line above it."""
    swaps = {str(source.reporting_period.start.year): str(year), str(source.filed_on.year): str(year + 1)}
    if source.reporting_period.start.year > year:  # back-filled before it: its years move back
        swaps = {str(source.filed_on.year): str(year + 1), str(source.reporting_period.start.year): str(year)}
    rt = YAML()  # round-trip: comments and order kept
    rt.width, rt.preserve_quotes = 100, True
    rt.indent(mapping=2, sequence=4, offset=2)
    doc = rt.load(source_path.read_text(encoding="utf-8"))
    doc.ca.comment = None  # the previous year's heading comments: this file gets its own
    for key in ("designation_classes", "source_document", "edgar_accession", "transcription_notes", "amendments", "restatements"):
        doc.pop(key, None)  # one filing's own
    doc["reporting_period"]["start"], doc["reporting_period"]["end"] = dt.date(year, 1, 1), dt.date(year, 12, 31)
    doc["filed_on"] = dt.date(year + 1, 5, 31)
    _swap_in_place(doc["form_sd"], swaps)
    rcoi = doc["rcoi"]
    for key in [k for k in rcoi if k not in ("contract_manufacturers_surveyed", "contract_manufacturers_responded", "responses")]:
        del rcoi[key]
    rcoi["contract_manufacturers_surveyed"] = rcoi["contract_manufacturers_responded"] = 0
    rcoi["responses"] = "CHECK: how the suppliers responded, in the report's words"
    doc["designation_legend"] = CommentedMap()
    doc["conclusion"]["quote"] = "CHECK: the conclusion in the filing's words, copied from the report or the Form SD"
    doc["list_header"], doc["footnotes"] = None, CommentedSeq()
    for key in ("list_header",):
        doc.ca.items.pop(key, None)  # a comment about last year's value
    for key, note in (("registrant", f"as on the {year} cover page"), ("contact", f"the person to contact named in the {year} filing"),
                      ("filed_on", "the date filed"), ("form_sd", f"every block of the Form SD against the {year} filing as printed "
                                                               "(text, case, order); its years were moved on by one"),
                      ("template", "the template the suppliers answered"), ("audit_program", "as filed"),
                      ("products_covered", "as filed"), ("rcoi", f"the {year} survey (scripts/dev ingest writes data/rcoi/{year}.yaml)"),
                      ("designation_column", "the header of the status column as filed"),
                      ("designation_legend", "each designation the list uses, in the filing's words (null when it defines none)"),
                      ("list_header", "the table's header row as filed, keyed by column ({metal: ..., smelter_name: ..., "
                                      "country: ..., status: ...}), or null if it had none"), ("urls", "as filed")):
        if key in doc:
            doc.yaml_set_comment_before_after_key(key, before=f"CHECK: {note}")
    out = io.StringIO()
    rt.dump(doc, out)
    body = out.getvalue()
    return (f"# yaml-language-server: $schema=../schemas/filing.schema.json\n"
            f"# Form SD for calendar year {year}: scaffolded by `scripts/dev new-year` from the "
            f"{source.reporting_period.start.year} filing's file.\n"
            f"# Confirm every value under a capitalised marker against the {year} filing, then remove the marker;\n"
            f"# `scripts/dev check {year}` lists what is left. Text is copied as filed: do not re-word it.\n" + body)


def _swap_in_place(node, swaps: dict[str, str]) -> None:
    """Every year in the strings of a round-trip YAML node moved on, comments untouched."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in list(items):
        if isinstance(value, str):
            node[key] = type(value)(_swap_years(str(value), swaps))  # a block scalar stays one
        else:
            _swap_in_place(value, swaps)


def first_form_sd(settings: SiteSettings, year: int) -> list[dict]:
    """The Form SD's standard parts (SEC Form SD, Rule 13p-1), to confirm against the filing as printed."""
    name = settings.registrant
    return [
        {"title": "UNITED STATES SECURITIES AND EXCHANGE COMMISSION"}, {"line": "Washington, D.C. 20549"},
        {"title": "FORM SD"}, {"title": "SPECIALIZED DISCLOSURE REPORT"}, {"title": name.upper()},
        {"caption": "(Exact name of registrant as specified in its charter)"},
        {"fields": [{"value": settings.state_of_incorporation or "CHECK: state",
                     "caption": "(State or other jurisdiction of incorporation)"},
                    {"value": settings.commission_file_number or "CHECK: file number", "caption": "(Commission File Number)"},
                    {"value": settings.irs_employer_id or "CHECK: IRS employer number",
                     "caption": "(I.R.S. Employer Identification No.)"}]},
        {"line": settings.address or "CHECK: address", "caption": "(Address of principal executive offices) (Zip Code)"},
        {"line": "CHECK: name and telephone number of the person to contact",
         "caption": "(Name and telephone number, including area code, of the person to contact in connection with this report)"},
        {"paragraph": "Check the appropriate box to indicate the rule pursuant to which this form is being filed, and "
                      "provide the period to which the information in this form applies:"},
        {"checkbox": "checked", "line": f"Rule 13p-1 under the Securities Exchange Act (17 CFR 240.13p-1) for the "
                                        f"reporting period from January 1 to December 31, {year}."},
        {"heading": "Section 1 - Conflict Minerals Disclosure"},
        {"subheading": "Item 1.01 Conflict Minerals Disclosure and Report"},
        {"paragraph": "CHECK: the text of Item 1.01 as filed"},
        {"subheading": "Item 1.02 Exhibit"}, {"paragraph": "CHECK: the text of Item 1.02 as filed"},
        {"heading": "Section 3 - Exhibits"}, {"subheading": "Item 3.01 Exhibits"},
        # The exhibit's number is read from here by `scripts/dev exhibit` (1.01 since 2015; 1.02 in 2013-2014).
        {"paragraph": f"CHECK: Exhibit 1.01 - Conflict Minerals Report of {name} for the reporting period from "
                      f"January 1 to December 31, {year}, as filed"},
        {"heading": "SIGNATURES"},
        {"paragraph": "Pursuant to the requirements of the Securities Exchange Act of 1934, the registrant has duly "
                      "caused this report to be signed on its behalf by the duly authorized undersigned."},
        {"line": name}, {"line": "CHECK: By: /s/ the signatory, with name and title as printed"},
        {"line": "CHECK: Date: as printed"},
    ]


def first_filing_yaml(settings: SiteSettings, year: int) -> str:
    """A first year's YAML, from the settings: every value to confirm against the filing, marked CHECK."""
    name = settings.registrant
    form_sd = yaml.safe_dump(first_form_sd(settings, year), allow_unicode=True, sort_keys=False, width=100)
    return f"""# yaml-language-server: $schema=../schemas/filing.schema.json
# Form SD for calendar year {year}: the first year, scaffolded by `scripts/dev new-year` from data/site.yaml.
# The cover and items below are the Form SD's standard parts: change each block to read exactly as
# the {year} filing prints it (text, case, order; add or remove blocks), then remove each marker;
# `scripts/dev check {year}` lists what is left. The staff guide lists the block kinds.
registrant:
  name: {q(name)}
  short_name: {q(settings.name_in_text)}
  state_of_incorporation: {q(settings.state_of_incorporation or "CHECK")}
  commission_file_number: {q(settings.commission_file_number or "CHECK")}
  address: {q(settings.address or "CHECK")}
contact:  # CHECK: the person to contact named in the {year} filing
  name: CHECK
  phone: CHECK
reporting_period:
  start: {year}-01-01
  end: {year}-12-31
filed_on: {year + 1}-05-31  # CHECK: the date filed
form_sd:
{_indent(form_sd)}template:  # CHECK: the template the suppliers answered
  name: Conflict Minerals Reporting Template (CMRT)
  short_name: CMRT
  publisher: Responsible Minerals Initiative (RMI)
audit_program: Responsible Minerals Assurance Process (RMAP)  # CHECK
products_covered: {q("CHECK: the products the report covers, in its words")}
rcoi:  # CHECK: the {year} survey (scripts/dev ingest writes data/rcoi/{year}.yaml to compare with)
  contract_manufacturers_surveyed: 0
  contract_manufacturers_responded: 0
  responses: {q("CHECK: how the suppliers responded, in the report's words")}
designation_column: Status  # CHECK: the header of the status column as filed
designation_legend: {{}}  # CHECK: each designation the list uses, in the filing's words (null when it defines none)
conclusion:
  quote: {q("CHECK: the conclusion in the filing's words, copied from the report or the Form SD")}
list_header: null  # CHECK: the smelter table's header row as filed, keyed by column ({{metal: ..., smelter_name: ..., country: ..., status: ...}}), or null if it had none
footnotes: []  # the list's footnotes as filed (marker, text)
urls: {{}}  # e.g. edgar: the filing's page on SEC EDGAR
"""


def _swap_years(value, swaps: dict[str, str]):
    if isinstance(value, str):
        return re.sub(r"(?<!\d)(20\d\d)(?!\d)", lambda m: swaps.get(m.group(1), m.group(1)), value)
    if isinstance(value, list):
        return [_swap_years(v, swaps) for v in value]
    if isinstance(value, dict):
        return {k: _swap_years(v, swaps) for k, v in value.items()}
    return value


def _indent(block: str) -> str:
    return "".join(f"  {line}\n" for line in block.splitlines())


def report_text(source_text: str, source_year: int, source_filed_year: int) -> str:
    """Last year's report with its years as macros, so nothing of last year's is left typed."""
    text = re.sub(r"^<!-- CHECK:.*?-->\n", "", source_text, flags=re.S)
    swaps = {str(source_year): "{{ filing.year }}", str(source_filed_year): "{{ filing.meta.filed_on.year }}",
             str(source_year - 1): "{{ previous.year }}"}
    parts = re.split(r"(\{\{.*?\}\}|\{%.*?%\}|https?://\S+)", text, flags=re.S)  # leave macros and URLs alone
    parts = [p if i % 2 else re.sub(r"(?<!\d)(20\d\d)(?!\d)", lambda m: swaps.get(m.group(1), m.group(1)), p)
             for i, p in enumerate(parts)]
    note = ("<!-- CHECK: this is last year's report with its years and figures as macros; replace it with the\n"
            "     text as filed this year, keeping every figure a macro (see the staff guide). -->\n")
    return note + "".join(parts)


def planned_files(root: Path, year: int) -> dict[Path, str]:
    """The latest earlier filing gives the structure; a year before every filing (a past year
    back-filled after adoption) takes the earliest later one's; the first year, the settings'."""
    data, docs = root / "data", root / "docs" / str(year)
    years = sorted(int(p.stem) for p in (data / "filings").glob("[0-9][0-9][0-9][0-9].yaml"))
    source_year = max((y for y in years if y < year), default=None) or min((y for y in years if y > year), default=None)
    source = load_filing_meta(data / "filings" / f"{source_year}.yaml") if source_year else None
    plan: dict[Path, str] = {}
    if year not in years:
        plan[data / "filings" / f"{year}.yaml"] = filing_yaml(data / "filings" / f"{source_year}.yaml", source, year) if source else \
            first_filing_yaml(read_settings(root), year)
        plan[data / "smelters" / f"{year}.csv"] = ",".join(COLUMNS) + "\n"
    source_report = root / "docs" / str(source_year) / "report.md"
    plan[docs / "report.md"] = (report_text(source_report.read_text(encoding="utf-8"), source_year, source.filed_on.year)
                                if source and source_report.is_file() else FIRST_REPORT.format(year=year))
    return plan  # the Form SD, smelter list and changes pages come from disclosures/pages/


def scaffold(root: Path, year: int, today: dt.date | None = None) -> list[Path]:
    """Write what `year` is missing; a year that exists gets only its missing pages."""
    latest = (today or dt.date.today()).year + 1
    if not FIRST_YEAR <= year <= latest:
        raise SystemExit(f"error: {year} is not a reporting year this site can hold ({FIRST_YEAR} to {latest})")
    if year in filed_years(root):
        raise SystemExit(f"error: {year} is filed: its pages and files are the filed record, never scaffolded again; "
                         f"restore a missing one from git (git checkout -- PATH), or record an amendment to change it")
    plan = {path: text for path, text in planned_files(root, year).items() if not path.exists()}
    if not plan:
        raise SystemExit(f"error: {year} already has every file; nothing was changed (not overwriting)")
    for path, content in plan.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return list(plan)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/dev new-year", description=__doc__.split("\n\n")[0])
    parser.add_argument("year", type=reporting_year, help=f"calendar year of the filing ({FIRST_YEAR} to next year)")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for path in scaffold(args.root, args.year):
        print(f"created {path.relative_to(args.root)}")
    print(f"next: scripts/dev import FILING --year {args.year} (or scripts/dev ingest --year {args.year} ...), "
          f"fill every CHECK in data/filings/{args.year}.yaml and docs/{args.year}/report.md, "
          f"then scripts/dev check {args.year}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
