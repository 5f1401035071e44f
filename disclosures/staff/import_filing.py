"""Import a filing's published smelter table into data/smelters/YYYY.csv.

    scripts/dev import SOURCE --year YYYY [--out PATH]

SOURCE is the filed document or its smelter list, in any of the layouts filings use:
  .htm/.html  an EDGAR exhibit or Word "save as web page" (tables with a Metal column, one
              table per metal under a heading, section rows, merged cells, nested tables)
  .txt        a text filing with tab-separated rows, or `pdftotext -layout` output of a PDF
              exhibit (columns separated by runs of spaces)
  .pdf        a PDF exhibit, read through `pdftotext -layout` (poppler-utils)
  .xlsx/.csv  a smelter list exported from a compliance tool (title block, other sheets,
              total rows are fine)
Columns are found by their header words. Every line or table row is accounted for, tables
that are not smelter lists are skipped with the reason, and nothing is written unless the
whole table is valid.
"""
from __future__ import annotations

import argparse
from dataclasses import replace
import subprocess
import sys
from pathlib import Path


from disclosures.engine.errors import DataError
from disclosures.engine.inert import neutralize
from disclosures.ingest.bounded import LimitExceeded, check_size, limit_memory, run_bounded
from disclosures.ingest.workbook import NotACmrt, check_container
from disclosures.ingest.filing_table import KINDS, Accounting, import_table
from disclosures.engine.reference import load_reference
from disclosures.engine.smelter_csv import write_smelter_csv
from disclosures.staff.cli import ROOT, refuse_filed_year, reporting_year



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/dev import", description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path, help="the filing: .htm(l), .txt, .pdf, .xlsx or .csv")
    parser.add_argument("--year", type=reporting_year, required=True, help="reporting calendar year")
    parser.add_argument("--out", type=Path, help="output CSV (default data/smelters/YYYY.csv)")
    parser.add_argument("--data", type=Path, default=ROOT / "data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    out = args.out or args.data / "smelters" / f"{args.year}.csv"
    if out.resolve() == (args.data / "smelters" / f"{args.year}.csv").resolve():
        refuse_filed_year(args.data.parent, args.year, out, "importing its list")

    try:
        check_size(args.source)
        data = args.source.read_bytes()
        if data[:2] == b"PK":
            check_container(args.source)  # a workbook: no part inflating beyond any real one
    except OSError as exc:
        print(f"error: {args.source}: {exc.strerror}", file=sys.stderr)
        return 2
    except (LimitExceeded, NotACmrt) as exc:
        print(f"error: nothing written. {args.source}: {exc}" if isinstance(exc, NotACmrt) else
              f"error: nothing written. {exc}", file=sys.stderr)
        return 2
    if data[:5] == b"%PDF-":
        data = pdf_text(args.source)
        if data is None:
            return 2
    reference = load_reference(args.data / "reference")
    try:  # the parse in a child process under the size, time and memory limits
        rows, acc = run_bounded(import_table, args.source, data, str(args.source), reference)
    except DataError as exc:
        print(f"error: nothing written.\n{exc}", file=sys.stderr)
        return 1
    except LimitExceeded as exc:
        print(f"error: nothing written. {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # markup deeper than any filing, an unreadable workbook
        print(f"error: nothing written. {args.source}: {exc}", file=sys.stderr)
        return 2
    assert acc.balanced(), "accounting does not add up"
    # A filed cell opened in a spreadsheet must not run: =HYPERLINK(...) is kept as text ('=...).
    write_smelter_csv([replace(r, **{f: neutralize(getattr(r, f)) for f in TEXT_FIELDS}) for r in rows], out)
    print(f"{args.source}: {acc.written} rows written to {out}")
    print(report(acc))
    return 0


def pdf_text(path: Path) -> bytes | None:
    """A PDF exhibit as `pdftotext -layout` text (poppler-utils, which scripts/dev installs)."""
    try:
        result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, timeout=120,
                                preexec_fn=limit_memory)
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"error: {path} is a PDF and pdftotext could not read it ({exc}); install poppler-utils, or run "
              f"`pdftotext -layout {path} exhibit.txt` and import the .txt", file=sys.stderr)
        return None
    if result.returncode != 0:
        print(f"error: {path}: pdftotext failed: {result.stderr.decode(errors='replace').strip()}", file=sys.stderr)
        return None
    print(f"{path}: a PDF, read through `pdftotext -layout`")
    return result.stdout


TEXT_FIELDS = ("smelter_name", "country", "status", "smelter_id", "footnote")


def report(acc: Accounting) -> str:
    """Where every line went, the tables read and skipped, the footnotes found."""
    counts = acc.counts()
    lines = [f"  {acc.unit}s read: {acc.units} ({acc.source})"]
    for kind, label in KINDS.items():
        if counts[kind]:
            where = acc.lines(kind)
            shown = ", ".join(map(str, where[:12])) + (", ..." if len(where) > 12 else "")
            lines.append(f"  {label + ':':<52}{counts[kind]:>6}" + ("" if kind in ("written", "prose", "outside") else f"  (lines {shown})"))
    lines.append("  tables:")
    lines += [f"    {label}: {outcome}" for label, outcome in acc.tables]
    for entry in acc.entries:
        if entry.kind == "debris" and entry.detail:
            lines.append(f"    line {entry.line}: page debris {entry.detail}")
    lines.append(f"  exact duplicates: {len(acc.duplicates)} (kept as published)")
    lines += [f"    lines {first} and {again}: {what}" for first, again, what in acc.duplicates]
    if acc.footnotes:
        lines.append("  footnotes found below the table (copy them into the year's YAML `footnotes:`):")
        lines += [f"    {mark!r}: {text}" for mark, text in acc.footnotes.items()]
    lines += [f"  note: {note}" for note in acc.notes]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
