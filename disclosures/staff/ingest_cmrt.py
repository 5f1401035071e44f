#!/usr/bin/env python3
"""Merge the suppliers' CMRT workbooks into the year's smelter list.

    scripts/dev ingest --year 2024 [--rmi-list FILE] [--out PATH] INPUT...

INPUT is a workbook or a folder of them (keep them in inbox/, which git ignores). Writes:

- data/smelters/YYYY.csv: one row per smelter, only what is published plus how many suppliers
  reported it (supplier_count);
- data/rcoi/YYYY.yaml: the survey figures the report quotes ({{ supplier_survey.NAME }}) and
  the follow-ups `scripts/dev check` lists until staff mark them resolved; no supplier names;
- private/YYYY/: git-ignored, for staff only: smelters-with-suppliers.csv (which suppliers
  reported each smelter, mine countries) and ingest-report.md (every workbook and row by name).

Supplier names and contacts never go into data/ or the site. Exits 0 only when every workbook
was accepted; a rejected one is named with its reason and the others are still ingested.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml
from tqdm import tqdm


from disclosures.ingest.cmrt import NotACmrt, parse_rmi_list, parse_supplier, read_grids, merge
from disclosures.engine.errors import DataError
from disclosures.engine.model import SmelterRow
from disclosures.engine.reference import load_reference
from disclosures.engine.smelter_csv import write_smelter_csv
from disclosures.staff.cli import ROOT

EXCEL = (".xlsx", ".xlsm", ".xls")
RMI_LIST_FORMAT = """The RMI facility list (--rmi-list) is a CSV (UTF-8) or XLSX file, as exported from the RMI
facility lists: a header row within the first 20 rows, then one row per facility. Columns are
found by their header words, in any order: "Smelter ID" (or "CID", "Facility ID"), "Metal",
"Standard Smelter Name" (or "Smelter Name", "Facility Name", "Name"), "Country" (or "Location")
and "Status" (a designation the site knows, e.g. Conformant, Active, Non-Conformant). Rows
without a smelter ID are skipped. With no list, every smelter's status is "Unknown".

Example:
  Smelter ID,Metal,Standard Smelter Name,Country,Status
  CID000035,Gold,Agosi AG,Germany,Conformant
"""


def workbooks(inputs: list[Path]) -> list[Path]:
    found = []
    for item in inputs:
        if item.is_dir():
            found += sorted(p for p in item.rglob("*") if p.suffix.lower() in EXCEL and not p.name.startswith("~$"))
        else:
            found.append(item)
    return found


def read_one(job: tuple[str, str]):
    """(file, Supplier or None, reason); runs in a worker process."""
    path, engine = job
    try:
        return path, parse_supplier(Path(path).name, read_grids(Path(path), engine)), ""
    except NotACmrt as exc:
        return path, None, str(exc)
    except OSError as exc:
        return path, None, f"cannot read: {exc.strerror}"


def read_all(paths: list[Path], engine: str, jobs: int) -> list[tuple]:
    work = [(str(p), engine) for p in paths]
    progress = dict(total=len(work), unit="file", desc="CMRT", disable=None)  # shown on a terminal only
    if jobs <= 1 or len(work) < 4:
        return [read_one(job) for job in tqdm(work, **progress)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(tqdm(pool.map(read_one, work, chunksize=4), **progress))


def read_rmi(path: Path, reference):
    if path.suffix.lower() == ".csv":
        rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    else:
        from python_calamine import CalamineWorkbook
        book = CalamineWorkbook.from_path(str(path))
        rows = book.get_sheet_by_index(0).to_python()
    return parse_rmi_list(rows, str(path), reference)


def report_markdown(year: int, result, refused: list[tuple[str, str]], suppliers) -> str:
    lines = [f"# CMRT ingest for {year}", "", f"Run on {dt.date.today().isoformat()}.", "",
             "## Figures", ""] + [f"- {k.replace('_', ' ')}: {v}" for k, v in result.rcoi.items()]
    lines += ["", f"## Accepted workbooks ({len(suppliers)})", "",
              "| File | Company | Template version | Effective date | Smelter rows | Not used |", "| --- | --- | --- | --- | ---: | ---: |"]
    lines += [f"| `{s.file}` | {s.declaration.company} | {s.declaration.version or 'not found'} | "
              f"{s.declaration.effective_date or 'not found'} | {len(s.lines)} | {len(s.rejected)} |" for s in suppliers]
    lines += ["", f"## Rejected workbooks ({len(refused)})", ""] + [f"- `{Path(f).name}`: {why}" for f, why in refused]
    lines += ["", f"## Rows read but not used ({len(result.rejected_rows)})", ""] + [
        f"- `{f}` row {row}: {why}" for f, row, why in result.rejected_rows]
    lines += ["", f"## To follow up ({len(result.follow_up)})", ""] + [f"- {item}" for item in result.follow_up]
    return "\n".join(lines) + "\n"


def write_provenance(smelters, path: Path) -> None:
    """Staff-only: which suppliers reported each smelter (git-ignored; formulas neutralized)."""
    from disclosures.site.render.downloads import to_csv
    records = [{"metal": s.metal, "smelter_name": s.smelter_name, "country": s.country, "smelter_id": s.smelter_id,
                "status": s.status, "supplier_count": len(s.suppliers), "suppliers": "; ".join(sorted(s.suppliers)),
                "mine_countries": "; ".join(sorted(s.mine_countries))} for s in smelters]
    path.write_bytes(to_csv(records))


def public_follow_ups(result, refused, suppliers, report: Path) -> list[dict]:
    """What staff must follow up, told without naming a supplier (the names are in `report`)."""
    items = [{"item": f"no smelter ID: {s.metal} / {s.smelter_name} ({s.country}), reported by "
                      f"{len(s.suppliers)} supplier{'s' if len(s.suppliers) != 1 else ''}", "resolved": False}
             for s in result.smelters if not s.smelter_id]
    supplier_notes = sum(1 for item in result.follow_up if not item.startswith(("no smelter ID:", "not on the RMI list:")))
    items += [{"item": item, "resolved": False} for item in result.follow_up if item.startswith("not on the RMI list:")]
    if supplier_notes:
        items.append({"item": f"{supplier_notes} supplier declarations to follow up (contradictions, notes): "
                              f"see {report.relative_to(ROOT) if report.is_relative_to(ROOT) else report}",
                      "resolved": False})
    if refused:
        items.append({"item": f"{len(refused)} workbooks rejected: see the private ingest report", "resolved": False})
    return items


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/dev ingest", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=RMI_LIST_FORMAT)
    parser.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="CMRT workbooks, or folders of them")
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--rmi-list", type=Path, help="RMI facility list (CSV or XLSX): see below")
    parser.add_argument("--out", type=Path, help="smelter CSV (default data/smelters/YYYY.csv)")
    parser.add_argument("--report-dir", type=Path, help="where the survey figures go (default data/rcoi)")
    parser.add_argument("--private-dir", type=Path, help="where supplier names go (default private/YYYY, git-ignored)")
    parser.add_argument("--engine", choices=("calamine", "openpyxl"), default="calamine")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    args = parser.parse_args(argv)
    out = args.out or ROOT / "data" / "smelters" / f"{args.year}.csv"
    report_dir = args.report_dir or ROOT / "data" / "rcoi"
    private_dir = args.private_dir or ROOT / "private" / str(args.year)

    reference = load_reference(ROOT / "data" / "reference")
    try:
        rmi = read_rmi(args.rmi_list, reference) if args.rmi_list else None
    except (DataError, OSError) as exc:
        print(f"error: the RMI list cannot be used, nothing was written.\n{exc}", file=sys.stderr)
        return 2
    paths = workbooks(args.inputs)
    if not paths:
        print("error: no workbooks found in the inputs", file=sys.stderr)
        return 2
    results = read_all(paths, args.engine, args.jobs)
    suppliers = [s for _, s, _ in results if s is not None]
    refused = [(f, why) for f, s, why in results if s is None]
    result = merge(suppliers, reference, rmi, len(paths))

    published = [SmelterRow(s.metal, s.smelter_name, s.country, s.status, s.smelter_id, "", str(len(s.suppliers)))
                 for s in result.smelters]
    if published:
        write_smelter_csv(published, out)
    private_dir.mkdir(parents=True, exist_ok=True)
    write_provenance(result.smelters, private_dir / "smelters-with-suppliers.csv")
    report = private_dir / "ingest-report.md"
    report.write_text(report_markdown(args.year, result, refused, suppliers), encoding="utf-8")
    report_dir.mkdir(parents=True, exist_ok=True)
    survey = dict(result.rcoi, follow_ups=public_follow_ups(result, refused, suppliers, report))
    (report_dir / f"{args.year}.yaml").write_text(
        f"# Written by `scripts/dev ingest` on {dt.date.today().isoformat()}; quote as {{{{ supplier_survey.NAME }}}}.\n"
        "# No supplier names here: they are in the git-ignored private/ folder. Mark a follow-up\n"
        "# `resolved: true` with a `note` once handled; `scripts/dev check` lists the open ones.\n"
        + yaml.safe_dump(survey, sort_keys=False, allow_unicode=True), encoding="utf-8")
    read_rows = sum(len(s.lines) + len(s.rejected) for s in suppliers)
    print(f"{len(paths)} workbooks: {len(suppliers)} accepted, {len(refused)} rejected")
    for f, why in refused:
        print(f"  rejected {Path(f).name}: {why}")
    print(f"{read_rows} smelter rows read: {len(result.rejected_rows)} not used (reasons in the report), "
          f"{len(published)} distinct smelters written to {out if published else '(nothing: no smelters)'}")
    print(f"{len(result.follow_up)} items to follow up; report: {report}")
    return 0 if not refused else 1


if __name__ == "__main__":
    sys.exit(main())
