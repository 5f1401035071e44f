#!/usr/bin/env python3
"""Write a year's EDGAR submission documents from the data and Markdown the site renders.

    scripts/dev exhibit 2023 [--out DIR] [--no-pdf]

The Form SD (Form SD/A when the year records an amendment) and the Conflict Minerals Report
exhibit, numbered as the year's exhibit index says, as EDGAR HTML (ASCII, HTML 3.2 elements,
inline styles), each checked against the EDGAR Filer Manual's rules (Arelle), and a PDF of each
for counsel (US Letter). The exhibit's words are the site's report; its smelter table is the
year's list as filed, which `scripts/dev import` reads back to the same CSV. A year that
`scripts/dev check` does not pass gets no documents. Default folder: exhibits/YYYY/ (git-ignored:
the documents are remade from the data; `scripts/dev lock` records their SHA-256 when the year
is filed or amended, and sha256sums.txt beside them lets anyone compare).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from disclosures.engine.checks import check_year
from disclosures.exhibit import documents as edgar_documents
from disclosures.exhibit import rules
from disclosures.exhibit.documents import Document
from disclosures.exhibit.pdf import print_pdf
from disclosures.staff.cli import ROOT, build_records, load_site_or_exit, project_lock, reporting_year


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/dev exhibit", description=__doc__.split("\n\n")[0])
    parser.add_argument("year", type=reporting_year)
    parser.add_argument("--out", type=Path, help="the folder to write (default: exhibits/YYYY/ in the project); "
                                                 "replaced whole, only when every document passes")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDFs for counsel (no Chromium needed)")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    out = (args.out or args.root / "exhibits" / str(args.year)).resolve()
    with project_lock(args.root):
        return write_exhibit(args.root, args.year, out, pdf=not args.no_pdf)


def write_exhibit(root: Path, year: int, out: Path, pdf: bool = True) -> int:
    site = load_site_or_exit(root / "data", "the data does not validate, so no EDGAR documents were written.")
    if year not in site.filings:
        return _error(f"no {year} filing in data/filings/")
    problems = check_year(root, site, year)
    if problems:
        return _error(f"{year} does not pass `scripts/dev check {year}`, so no EDGAR documents were written:\n  " +
                      "\n  ".join(map(str, problems)))
    with tempfile.TemporaryDirectory(prefix="cm-exhibit-") as tmp:
        records = build_records(root, Path(tmp), "no EDGAR documents were written")
        if records is None:
            return 1
        documents, problems = generate(root, site, year, records)
    if problems:
        return _error(f"the {year} documents would not pass EDGAR, so none were written:\n  " + "\n  ".join(problems))
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{out.name}-", dir=out.parent) as staging:
        staged = Path(staging) / "documents"
        staged.mkdir()
        for document in documents:
            (staged / document.name).write_bytes(document.content)
        (staged / "sha256sums.txt").write_text("".join(f"{d.sha256}  {d.name}\n" for d in documents), encoding="ascii")
        if pdf:
            try:
                for document in documents:
                    if document.name.endswith(".htm"):
                        print_pdf(staged / document.name, staged / f"{document.name[:-4]}.pdf")
            except RuntimeError as exc:
                return _error(f"{exc}; nothing was written")
        if out.exists():
            shutil.rmtree(out)
        staged.rename(out)
    _report(year, out, documents, pdf)
    for note in edgar_documents.cover_notes(site.filing(year)):
        print(f"note: {note}")
    return 0


def generate(root: Path, site, year: int, records: Path) -> tuple[list[Document], list[str]]:
    """The year's documents from a build's records (cli.build_records), and every EDGAR rule they break."""
    report = records / f"{year}.report.html"
    html = report.read_text(encoding="utf-8") if report.is_file() else ""
    documents, problems = edgar_documents.submission(site.filing(year), html, root / "docs")
    names = {d.name for d in documents}
    for document in documents:
        problems += rules.problems(document.name, document.content, names)
    return documents, problems


def _report(year: int, out: Path, documents: list[Document], pdf: bool) -> None:
    print(f"wrote the {year} EDGAR documents to {out}:")
    for d in documents:
        print(f"  {d.name:34} {d.edgar_type:9} {d.description}")
    if pdf:
        print("  a PDF of each .htm for counsel (US Letter); sha256sums.txt: each document's SHA-256")
    print(f"Every EDGAR rule checked (Filer Manual 5.1.1, 5.2.1, 5.2.2; Arelle). Attach the .htm and graphic files "
          f"in EDGAR as the types shown; once filed, `scripts/dev lock {year}` records their digests.")


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
