#!/usr/bin/env python3
"""Merge the suppliers' CMRT workbooks into the year's smelter list.

    python scripts/ingest_cmrt.py --year 2024 [--rmi-list FILE] [--out PATH] INPUT...

INPUT is a workbook or a folder of them. Writes the normalized smelter CSV (default
data/smelters/YYYY.csv, with provenance columns), the RCOI figures the report quotes
(data/rcoi/YYYY.yaml) and an ingest report for staff (data/rcoi/YYYY-ingest-report.md).
Exits 0 only when every workbook was accepted; a rejected one is named with its reason and
the others are still ingested.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from macros.cmrt import NotACmrt, parse_rmi_list, parse_supplier, read_grids, merge  # noqa: E402
from macros.errors import DataError  # noqa: E402
from macros.model import SmelterRow  # noqa: E402
from macros.reference import load_reference  # noqa: E402
from macros.smelter_csv import write_smelter_csv  # noqa: E402

EXCEL = (".xlsx", ".xlsm", ".xls")


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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", type=Path, metavar="INPUT")
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--rmi-list", type=Path, help="RMI facility list (CSV or XLSX) with smelter IDs and status")
    parser.add_argument("--out", type=Path, help="smelter CSV (default data/smelters/YYYY.csv)")
    parser.add_argument("--report-dir", type=Path, help="where the RCOI figures and the report go (default data/rcoi)")
    parser.add_argument("--engine", choices=("calamine", "openpyxl"), default="calamine")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    args = parser.parse_args(argv)
    out = args.out or ROOT / "data" / "smelters" / f"{args.year}.csv"
    report_dir = args.report_dir or ROOT / "data" / "rcoi"

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

    rows = [SmelterRow(s.metal, s.smelter_name, s.country, s.status, s.smelter_id, "", str(len(s.suppliers)),
                       "; ".join(sorted(s.suppliers)), "; ".join(sorted(s.mine_countries))) for s in result.smelters]
    if rows:
        write_smelter_csv(rows, out)
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / f"{args.year}.yaml").write_text(
        f"# Written by scripts/ingest_cmrt.py on {dt.date.today().isoformat()}; quote as {{{{ supplier_survey.NAME }}}}.\n"
        + yaml.safe_dump(result.rcoi, sort_keys=False), encoding="utf-8")
    report = report_dir / f"{args.year}-ingest-report.md"
    report.write_text(report_markdown(args.year, result, refused, suppliers), encoding="utf-8")

    read_rows = sum(len(s.lines) + len(s.rejected) for s in suppliers)
    print(f"{len(paths)} workbooks: {len(suppliers)} accepted, {len(refused)} rejected")
    for f, why in refused:
        print(f"  rejected {Path(f).name}: {why}")
    print(f"{read_rows} smelter rows read: {len(result.rejected_rows)} not used (reasons in the report), "
          f"{len(rows)} distinct smelters written to {out if rows else '(nothing: no smelters)'}")
    print(f"{len(result.follow_up)} items to follow up; report: {report}")
    return 0 if not refused else 1


if __name__ == "__main__":
    sys.exit(main())
