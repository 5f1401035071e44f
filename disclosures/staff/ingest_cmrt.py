#!/usr/bin/env python3
"""Merge the suppliers' CMRT workbooks into the year's smelter list.

    scripts/dev ingest --year 2024 [--rmi-list FILE] [--lookup WORKBOOK] [--out PATH] INPUT...

INPUT is a workbook or a folder of them (keep them in inbox/, which git ignores). RMI CMRT
revisions 6.01 to 6.5 in any of their ten display languages are read; each workbook on its own,
so a bad one is rejected with its reason and the others are kept. Writes:

- data/smelters/YYYY.csv: one row per smelter, only what is published plus how many suppliers
  reported it (supplier_count);
- data/rcoi/YYYY.yaml: the survey figures the report quotes ({{ supplier_survey.NAME }}, and
  per metal {{ supplier_survey.by_metal.Gold.covered_countries }}) and the follow-ups
  `scripts/dev check` lists until staff mark them resolved; no supplier names;
- private/YYYY/: git-ignored, for staff only: smelters-with-suppliers.csv (which suppliers
  reported each smelter, mine countries) and ingest-report.md (every workbook and row by name).

Supplier names and contacts never go into data/ or the site; supplier text is neutralized in
every file written (no live formula, no Markdown). Exits 0 only when every workbook was accepted
and every smelter row placed; otherwise 1, with the reasons printed and in the report.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import sys
from pathlib import Path

import yaml
from tqdm import tqdm

from disclosures.engine.errors import DataError, Problem
from disclosures.engine.inert import markdown_text, neutralize
from disclosures.engine.model import SmelterRow
from disclosures.engine.reference import load_reference
from disclosures.engine.smelter_csv import bounded_reader, write_smelter_csv
from disclosures.ingest.bounded import LimitExceeded, Limits, read_each, run_bounded
from disclosures.ingest.cmrt import parse_supplier
from disclosures.ingest.cmrt_merge import merge
from disclosures.ingest.rmi_list import FORMAT as RMI_LIST_FORMAT, parse_rmi_list
from disclosures.ingest.smelter_lookup import parse_lookup
from disclosures.ingest.workbook import BOUNDS, NotACmrt, check_container, read_sheets
from disclosures.engine.registry import filed_years
from disclosures.staff.cli import ROOT, refuse_filed_year, reporting_year

EXCEL = (".xlsx", ".xlsm", ".xls")
MAX_LIST_ROWS = 100_000  # the RMI's lists hold a few thousand facilities
WORKBOOK_LIMITS = Limits(max_bytes=50_000_000, cpu_seconds=60, memory_bytes=3 * 2**30)  # a real CMRT: ~1 MB, < 2 s


def workbooks(inputs: list[Path]) -> list[Path]:
    found = []
    for item in inputs:
        if item.is_dir():
            found += sorted(p for p in item.rglob("*") if p.suffix.lower() in EXCEL and not p.name.startswith("~$"))
        else:
            found.append(item)
    return found


def read_one(path: str):
    """(file, Supplier or None, reason); runs in a worker process."""
    try:
        return path, parse_supplier(Path(path).name, read_sheets(Path(path))), ""
    except NotACmrt as exc:
        return path, None, str(exc)
    except OSError as exc:
        return path, None, f"cannot read: {exc.strerror or exc}"
    except Exception as exc:  # a reader bug must cost one workbook, not the run
        return path, None, f"could not be read ({type(exc).__name__}: {str(exc)[:120]}): please report it"


def read_all(paths: list[Path], jobs: int) -> list[tuple]:
    """Each workbook in a child process under the limits (`jobs` children, each reading one file
    after another): a crash or a runaway file is that file's rejection, with the limit it met."""
    work = [str(p) for p in paths]
    progress = dict(total=len(work), unit="file", desc="CMRT", disable=None)  # shown on a terminal only
    refused = lambda path, exc: (path, None, str(exc).removeprefix(f"{path}: "))  # noqa: E731
    return list(tqdm(read_each(read_one, work, jobs, WORKBOOK_LIMITS, refused), **progress))


def _plain_error(exc: Exception) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def read_rmi_list(path: Path, reference, status: str):
    return parse_rmi_list(read_table(path), str(path), reference, status)


def read_table(path: Path) -> list[list]:
    """An RMI facility list's rows (CSV or the first sheet of a workbook), within bounds."""
    if path.suffix.lower() == ".csv":
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        reader = bounded_reader(text)
        try:
            return [row for row, _ in zip(reader, range(MAX_LIST_ROWS))]
        except csv.Error as exc:  # a cell over 131,072 characters: no facility list has one
            raise DataError(Problem(path, f"not a readable CSV row ({exc})", line=reader.line_num)) from None
    check_container(path)
    from openpyxl import load_workbook
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return [list(r) for r in book.worksheets[0].iter_rows(max_row=MAX_LIST_ROWS, max_col=40, values_only=True)]
    finally:
        book.close()


def read_lookup(path: Path, source: str):
    """A workbook's Smelter Look-up alone (its other sheets are not read)."""
    grid = read_sheets(Path(path), on_demand=tuple(BOUNDS)).get("smelter look-up")
    if not grid:
        raise NotACmrt("it has no 'Smelter Look-up' sheet")
    return parse_lookup(grid, source)


def read_extra_lookup(path: Path):
    """--lookup: a CMRT workbook or template whose Smelter Look-up helps match names."""
    return read_lookup(path, path.name)


def lookup_per_revision(results: list[tuple]) -> None:
    """At least one Smelter Look-up per template revision for the merge, which names smelters by
    the newest: for a revision none of whose workbooks needed their own, the first workbook's is
    read now (in a bounded child, as the workbooks were)."""
    have = {s.declaration.revision for _, s, _ in results if s is not None and s.lookup is not None}
    for path, s, _ in results:
        revision = s.declaration.revision if s is not None else None
        if s is None or revision in have:
            continue
        try:
            s.lookup = run_bounded(read_lookup, path, path, f"{s.file} (CMRT {revision})", limits=WORKBOOK_LIMITS)
            have.add(revision)
        except Exception as exc:  # as in read_one: one workbook's problem, not the run's
            s.notes.append(f"its Smelter Look-up could not be read ({_plain_error(exc)}); its rows were read from "
                           "their cached values")


def report_markdown(year: int, result, refused: list[tuple[str, str]], suppliers) -> str:
    """The staff's report; every supplier-written text escaped (it is read as Markdown)."""
    m = markdown_text
    lines = [f"# CMRT ingest for {year}", "", f"Run on {dt.date.today().isoformat()}.", "", "## Figures", ""]
    lines += [f"- {k.replace('_', ' ')}: {v}" for k, v in result.rcoi.items() if k != "by_metal"]
    lines += ["", "| Metal | " + " | ".join(k.replace("_", " ") for k in next(iter(result.rcoi["by_metal"].values()))) + " |",
              "| --- |" + " ---: |" * len(next(iter(result.rcoi["by_metal"].values())))]
    lines += [f"| {metal} | " + " | ".join(str(v) for v in figures.values()) + " |"
              for metal, figures in result.rcoi["by_metal"].items()]
    lines += ["", f"## Accepted workbooks ({len(suppliers)})", "",
              "| File | Company | Revision | Language | Effective date | Smelter rows | Not used |",
              "| --- | --- | --- | --- | --- | ---: | ---: |"]
    lines += [f"| {m(s.file)} | {m(s.declaration.company)} | {s.declaration.revision} | {m(s.declaration.language)} | "
              f"{s.declaration.effective_date or 'not found'} | {len(s.lines)} | {len(s.rejected)} |" for s in suppliers]
    lines += ["", f"## Rejected workbooks ({len(refused)})", ""] + [f"- {m(Path(f).name)}: {m(why)}" for f, why in refused]
    lines += ["", f"## Rows read but not used ({len(result.rejected_rows)})", ""] + [
        f"- {m(f)} row {row}: {m(why)}" for f, row, why in result.rejected_rows]
    matched = [(s, how) for s in result.smelters for how in s.matched]
    lines += ["", f"## Rows given a smelter ID by name ({len(matched)})", ""] + [
        f"- {s.metal} / {m(s.smelter_name)} ({s.smelter_id}): {m(how)}" for s, how in matched]
    lines += ["", f"## To follow up ({len(result.follow_up)})", ""] + [
        f"- {m(f.text)}" + (f" ({m(f.supplier)})" if f.supplier else "") for f in result.follow_up]
    return "\n".join(lines) + "\n"


def write_provenance(smelters, path: Path) -> None:
    """Staff-only: which suppliers reported each smelter (git-ignored; formulas neutralized)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["metal", "smelter_name", "country", "smelter_id", "status", "supplier_count", "suppliers",
                     "names_reported", "mine_countries"])
    for s in smelters:
        writer.writerow([neutralize(v) for v in (s.metal, s.smelter_name, s.country, s.smelter_id, s.status,
                                                 len(s.suppliers), "; ".join(sorted(s.suppliers)),
                                                 "; ".join(sorted(s.names)), "; ".join(sorted(s.mine_countries)))])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def public_follow_ups(result, refused, report: Path) -> list[dict]:
    """What staff must follow up, told without naming a supplier (the names are in `report`)."""
    public = ("no_id", "ambiguous", "not_on_rmi_list", "unknown_country", "two_metals")
    items = [{"item": f.text, "resolved": False} for f in result.follow_up if f.kind in public]
    per_supplier = sum(1 for f in result.follow_up if f.kind not in public)
    where = report.relative_to(ROOT) if report.is_relative_to(ROOT) else report
    if per_supplier:
        items.append({"item": f"{per_supplier} supplier declarations to follow up (contradictions, notes): see {where}",
                      "resolved": False})
    if refused:
        items.append({"item": f"{len(refused)} workbooks rejected: see {where}", "resolved": False})
    return items


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="scripts/dev ingest", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=RMI_LIST_FORMAT)
    parser.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="CMRT workbooks, or folders of them")
    parser.add_argument("--year", type=reporting_year, required=True)
    parser.add_argument("--rmi-list", type=Path, help="RMI facility list (CSV or XLSX): see below")
    parser.add_argument("--rmi-status", default="", help="the status of every facility of a list without a status column")
    parser.add_argument("--lookup", type=Path, help="a CMRT (or blank RMI template) whose Smelter Look-up is newer "
                                                    "than the suppliers'; used to match names to IDs")
    parser.add_argument("--out", type=Path, help="smelter CSV (default data/smelters/YYYY.csv)")
    parser.add_argument("--report-dir", type=Path, help="where the survey figures go (default data/rcoi)")
    parser.add_argument("--private-dir", type=Path, help="where supplier names go (default private/YYYY, git-ignored)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    out = args.out or ROOT / "data" / "smelters" / f"{args.year}.csv"
    report_dir = args.report_dir or ROOT / "data" / "rcoi"
    private_dir = args.private_dir or ROOT / "private" / str(args.year)
    if private_dir.resolve().is_relative_to(ROOT.resolve()) and \
            not private_dir.resolve().is_relative_to((ROOT / "private").resolve()):
        print(f"error: --private-dir {args.private_dir} is inside the project but not under private/: supplier names "
              f"would be committed or published from there; nothing was written. Use private/ (git-ignored) "
              f"or a folder outside the project", file=sys.stderr)
        return 2
    for path, what in ((out, "ingesting into its list"), (report_dir / f"{args.year}.yaml", "ingesting its survey")):
        refuse_filed_year(ROOT, args.year, path, what)
    if private_dir.exists() and any(private_dir.iterdir()) and args.private_dir is None \
            and args.year in filed_years(ROOT):
        private_dir = ROOT / "private" / f"{args.year}-amendment-{dt.date.today().isoformat()}"  # the original stays
    reference = load_reference(ROOT / "data" / "reference")
    try:  # both parsed in a child process under the limits, as the workbooks are
        rmi = run_bounded(read_rmi_list, args.rmi_list, args.rmi_list, reference, args.rmi_status) \
            if args.rmi_list else None
    except (DataError, NotACmrt, LimitExceeded, OSError, ValueError) as exc:
        print(f"error: {args.rmi_list} cannot be used, nothing was written.\n{_plain_error(exc)}", file=sys.stderr)
        return 2
    try:
        extra = run_bounded(read_extra_lookup, args.lookup, args.lookup) if args.lookup else None
    except (DataError, NotACmrt, LimitExceeded, OSError, ValueError) as exc:
        print(f"error: {args.lookup} cannot be used, nothing was written.\n{_plain_error(exc)}", file=sys.stderr)
        return 2
    paths = workbooks(args.inputs)
    if not paths:
        print("error: no workbooks found in the inputs", file=sys.stderr)
        return 2
    results = read_all(paths, args.jobs)
    lookup_per_revision(results)
    suppliers = [s for _, s, _ in results if s is not None]
    refused = [(f, why) for f, s, why in results if s is None]
    result = merge(suppliers, reference, rmi, len(paths), extra)
    write_outputs(args.year, result, refused, suppliers, out, report_dir, private_dir)
    return summarize(paths, suppliers, refused, result, out, private_dir / "ingest-report.md")


def write_outputs(year, result, refused, suppliers, out: Path, report_dir: Path, private_dir: Path) -> None:
    published = [SmelterRow(s.metal, neutralize(s.smelter_name), neutralize(s.country), s.status, s.smelter_id, "",
                            str(len(s.suppliers))) for s in result.smelters]  # supplier text: no live formula
    if published:
        write_smelter_csv(published, out)
    private_dir.mkdir(parents=True, exist_ok=True)
    write_provenance(result.smelters, private_dir / "smelters-with-suppliers.csv")
    report = private_dir / "ingest-report.md"
    report.write_text(report_markdown(year, result, refused, suppliers), encoding="utf-8")
    report_dir.mkdir(parents=True, exist_ok=True)
    survey = dict(result.rcoi, follow_ups=public_follow_ups(result, refused, report))
    (report_dir / f"{year}.yaml").write_text(
        f"# Written by `scripts/dev ingest` on {dt.date.today().isoformat()}; quote as {{{{ supplier_survey.NAME }}}}.\n"
        "# No supplier names here: they are in the git-ignored private/ folder. Mark a follow-up\n"
        "# `resolved: true` with a `note` once handled; `scripts/dev check` lists the open ones.\n"
        + yaml.safe_dump(survey, sort_keys=False, allow_unicode=True), encoding="utf-8")


def summarize(paths, suppliers, refused, result, out: Path, report: Path) -> int:
    read_rows = sum(len(s.lines) + len(s.rejected) for s in suppliers)
    print(f"{len(paths)} workbooks: {len(suppliers)} accepted, {len(refused)} rejected")
    for f, why in refused:
        print(f"  rejected {Path(f).name}: {why}")
    print(f"{read_rows} smelter rows read: {len(result.rejected_rows)} not used (reasons in the report), "
          f"{len(result.smelters)} distinct smelters written to {out if result.smelters else '(nothing: no smelters)'}")
    blocking = result.blocking()
    for item in blocking:
        print(f"  not placed: {item.text}")
    print(f"{len(result.follow_up)} items to follow up; report: {report}")
    return 0 if not refused and not blocking else 1


if __name__ == "__main__":
    sys.exit(main())
