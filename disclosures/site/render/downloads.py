"""CSV, XLSX and JSON downloads of a table, safe to open in a spreadsheet.

A cell a spreadsheet would run as a formula (starting =, +, -, @, tab or CR) is prefixed with
an apostrophe in CSV and XLSX (OWASP's advice); JSON keeps the exact published text.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import multiprocessing
import os
import shutil
import tempfile
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from disclosures.engine.inert import neutralize
from disclosures.engine.load import Site
from disclosures.engine.model import Filing, Smelter
from disclosures.engine.compare import Timeline
from disclosures.engine.reference import Reference
from disclosures.engine.smelter_keys import timeline_ids
from disclosures.site.render import data_package

def _xlsx_cell(value, illegal):
    """Neutralized, and without the control characters (`illegal`) the XLSX format cannot hold."""
    value = neutralize(value)
    return illegal.sub("\ufffd", value) if isinstance(value, str) else value


def smelter_records(filing: Filing, reference: Reference) -> list[dict]:
    notes = {f.marker: f.text for f in filing.meta.footnotes}
    return [_record(filing.year, s, reference, notes) for s in filing.smelters]


def _record(year: int, s: Smelter, reference: Reference, notes: dict[str, str]) -> dict:
    r = s.row
    return {
        "filing_year": year,
        "metal": r.metal,
        "smelter_name": r.smelter_name,
        "country_as_published": r.country,
        "country_code": s.country_code,
        "country": s.country_name,
        "smelter_id": r.smelter_id,
        "smelter_id_resolved_by_site": s.resolved_id,
        "designation_as_published": r.status,
        "class": s.status_class,
        "class_label": s.class_label,
        "in_covered_country": s.in_covered_country,
        "greater_risk": s.greater_risk,
        "restrictions": "; ".join(f"{x.label} ({x.list}, {x.date.isoformat()})" for x in s.restrictions),
        "footnote": r.footnote,
        "footnote_text": notes.get(r.footnote, ""),
    }


def to_csv(records: list[dict], columns: tuple = ()) -> bytes:
    """`columns` (data_package.Column) name the header when there is no row to take it from (a
    draft year's empty list still downloads as a table)."""
    buffer = io.StringIO()
    names = list(records[0]) if records else [c.name for c in columns]
    if names:
        writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({k: neutralize(v) for k, v in rec.items()} for rec in records)
    # A BOM so Excel opens accented names (Mineração) as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_json(records: list[dict], meta: dict, columns: tuple[data_package.Column, ...]) -> bytes:
    """The file's facts, its Table Schema and its rows, empty cells as null: pandas reads it with
    `pd.read_json(path, orient="table")`, anything else as plain JSON ("data" is the rows)."""
    # One row per line: readable, diffable, and still the fast C encoder for each row.
    rows = ",\n".join(json.dumps({k: None if v == "" else v for k, v in rec.items()}, ensure_ascii=False)
                      for rec in records)
    head = dict(meta, schema=data_package.table_schema(columns, for_pandas=True))
    return (json.dumps(head, ensure_ascii=False)[:-1] + ', "data": [\n' + rows + "\n]}\n").encode("utf-8")


def to_xlsx(records: list[dict], title: str, columns: tuple = ()) -> bytes:
    """A formatted sheet: bold frozen header, auto-filter, sensible column widths.

    openpyxl's write-only mode streams rows (about twice as fast, a fraction of the memory).
    Imported here: only the downloads' writer process needs openpyxl (0.17 s to import).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    columns = list(records[0]) if records else [c.name for c in columns]
    for index, name in enumerate(columns, 1):
        longest = max([len(name)] + [len(str(rec[name])) for rec in records[:2000]])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(10, longest + 2), 60)
    sheet.freeze_panes = "A2"
    if records:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(records) + 1}"
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F3A5F")
        cell.alignment = Alignment(vertical="center")
        header.append(cell)
    sheet.append(header)
    for rec in records:
        sheet.append([_xlsx_cell(v, ILLEGAL_CHARACTERS_RE) for v in rec.values()])
    book.properties.created = book.properties.modified = UNDATED  # not the build's time: same rows, same bytes
    buffer = io.BytesIO()
    ExcelWriter(book, _UndatedZip(buffer, "w", zipfile.ZIP_DEFLATED)).save()  # save() would stamp "modified"
    return buffer.getvalue()


UNDATED = dt.datetime(1980, 1, 1)  # the zip format's first day


class _UndatedZip(zipfile.ZipFile):
    """Every member dated 1980-01-01 (the zip format's first day), not when it was written."""

    def writestr(self, name, data, *args, **kwargs):
        if isinstance(name, str):
            name = zipfile.ZipInfo(name, date_time=UNDATED.timetuple()[:6])
            name.compress_type, name.external_attr = self.compression, 0o600 << 16
        return super().writestr(name, data, *args, **kwargs)

    def write(self, filename, arcname=None, *args, **kwargs):  # a write-only sheet, streamed to a temporary file
        self.writestr(arcname or Path(filename).name, Path(filename).read_bytes())


def change_records(d) -> list[dict]:
    """One row per smelter in a diff (compare.Diff): its section and both sides."""
    records = []

    def side(entry, prefix):
        if entry is None:
            return {f"{prefix}_{k}": "" for k in ("name", "country", "designation", "class", "rows")}
        s = entry.first
        return {f"{prefix}_name": s.row.smelter_name, f"{prefix}_country": s.row.country,
                f"{prefix}_designation": s.row.status, f"{prefix}_class": s.status_class,
                f"{prefix}_rows": len(entry.rows)}

    for entry in d.added:
        records.append({"change": "added", "metal": entry.metal, "matched_by": "", "renamed": False,
                        "relocated": False, **side(None, "old"), **side(entry, "new")})
    for entry in d.removed:
        records.append({"change": "removed", "metal": entry.metal, "matched_by": "", "renamed": False,
                        "relocated": False, **side(entry, "old"), **side(None, "new")})
    for p in d.pairs:
        records.append({"change": p.status_change, "metal": p.new.metal, "matched_by": p.matched_by,
                        "renamed": p.renamed, "relocated": p.relocated, **side(p.old, "old"), **side(p.new, "new")})
    for rec in records:
        rec["old_year"], rec["new_year"] = d.old_year, d.new_year
    return records


def index_records(timelines: list[Timeline], years: list[int], keys: list[str]) -> list[dict]:
    records = []
    for t, key in zip(timelines, keys):
        s = t.latest.first
        published, resolved = timeline_ids(t)
        rec = {"smelter_key": key, "metal": s.row.metal, "smelter_name": s.row.smelter_name, "other_names": "; ".join(t.names[1:]),
               "country": s.country_name, "country_code": s.country_code, "smelter_id": published or resolved,
               "smelter_id_source": "as filed" if published else "resolved by this site" if resolved else "",
               "first_listed": t.years[0], "last_listed": t.years[-1]}
        for y in years:
            e = t.by_year.get(y)
            rec[f"class_{y}"] = e.first.status_class if e else ""
            rec[f"designation_{y}"] = e.first.row.status if e else ""
        rec["in_covered_country"] = s.in_covered_country
        rec["restrictions"] = "; ".join(r.label for r in s.restrictions)
        records.append(rec)
    return records


class Rows:
    """A table's records, made on first use: by the process that writes the files (forked beside
    the page build), not by the build itself; shared by the formats of one table."""

    def __init__(self, make, *args):
        self._make, self._args, self._rows = make, args, None

    def get(self) -> list:
        if self._rows is None:
            self._rows, self._make, self._args = self._make(*self._args), None, None
        return self._rows


@dataclass(frozen=True)
class Download:
    """One file of downloads/: its records (a list, or Rows) in a format, with the JSON's metadata
    or the sheet's title."""

    name: str
    format: str  # "csv", "json", "xlsx"
    source: list | Rows
    columns: tuple  # data_package.Column: what each column holds
    extra: dict | str | None = None
    title: str = ""  # what the file is, for datapackage.json

    @property
    def records(self) -> list:
        return self.source.get() if isinstance(self.source, Rows) else self.source


def plan(site: Site, amendments: dict) -> list[Download]:
    """Every download the site offers, from the one model (and the lists as filed of amended years)."""
    files = []
    for year, filing in site.filings.items():
        records = Rows(smelter_records, filing, site.reference)
        meta = {"registrant": filing.meta.registrant.name, "filing_year": year,
                "filed_on": filing.meta.filed_on.isoformat(), "row_count": len(filing.smelters)}
        columns, title = data_package.SMELTER_LIST, f"The {year} smelter list"
        files += [Download(f"smelters-{year}.csv", "csv", records, columns, title=title),
                  Download(f"smelters-{year}.json", "json", records, columns, meta, title=title),
                  Download(f"smelters-{year}.xlsx", "xlsx", records, columns, f"Smelters {year}", title=title)]
        effect = amendments.get(year)
        if effect and effect.as_filed:
            files.append(Download(f"smelters-{year}-as-filed.csv", "csv", Rows(smelter_records, effect.as_filed, site.reference),
                                  columns, title=f"The {year} smelter list as originally filed, before its amendment"))
    for d in site.diffs.values():
        records, columns = Rows(change_records, d), data_package.change_log(d.old_year, d.new_year)
        stem, title = f"changes-{d.old_year}-{d.new_year}", f"Changes from the {d.old_year} to the {d.new_year} filing"
        files += [Download(f"{stem}.csv", "csv", records, columns, title=title),
                  Download(f"{stem}.json", "json", records, columns, {"old_year": d.old_year, "new_year": d.new_year},
                           title=title)]
    records = Rows(index_records, list(site.timelines), site.years, site.keys.keys)
    columns = data_package.smelter_index(site.years)
    title = "Every smelter listed in any filing, one row per smelter and metal"
    files += [Download("smelter-index.csv", "csv", records, columns, title=title),
              Download("smelter-index.xlsx", "xlsx", records, columns, "All smelters", title=title),
              Download("smelter-index.json", "json", records, columns, {"filing_years": site.years}, title=title)]
    return files


def render_file(file: Download) -> bytes:
    if file.format == "csv":
        return to_csv(file.records, file.columns)
    if file.format == "json":
        return to_json(file.records, file.extra, file.columns)
    return to_xlsx(file.records, file.extra, file.columns)


def write_all(out: Path, files: list[Download], parallel: bool = True) -> None:
    """Write the files; XLSX writing dominates at scale, so spread it over the cores when there is
    enough (`parallel`: a preview's writer, which may be stopped, has no workers to leave behind)."""
    out.mkdir(parents=True, exist_ok=True)
    files = [replace(f, source=f.records) for f in files]  # the records made here, once, before any is sent to a worker
    rows = sum(len(f.records) for f in files if f.format == "xlsx")
    if parallel and rows > 20_000 and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor(max_workers=min(4, os.cpu_count())) as pool:
            rendered = dict(zip((f.name for f in files), pool.map(render_file, files)))
    else:
        rendered = {f.name: render_file(f) for f in files}
    for name, data in rendered.items():
        (out / name).write_bytes(data)


@dataclass
class Writing:
    """Downloads being written into `folder` by a forked process while MkDocs renders the pages."""

    folder: Path
    process: multiprocessing.Process | None = None


def write_in_background(files: list[Download]) -> Writing:
    """Start writing the downloads beside the page build (measured: 0.4 s of a 1.9 s example
    build, openpyxl's import included). Without fork (not Linux), written here and now."""
    writing = Writing(Path(tempfile.mkdtemp(prefix="cm-downloads-")))
    if "fork" not in multiprocessing.get_all_start_methods():
        write_all(writing.folder, files)
        return writing
    writing.process = multiprocessing.get_context("fork").Process(target=write_all, args=(writing.folder, files))
    writing.process.start()
    return writing


def write_detached(out: Path, files: list[Download], data: str, running: tuple[str, object] | None):
    """A preview's downloads: written in a forked process the preview does not wait for, again only
    when the data they come from (`data`, its digest) changed since the last writer started. Returns
    (data, process), to pass back next time."""
    if running is not None and running[0] == data and out.is_dir():
        return running
    if running is not None and running[1] is not None and running[1].is_alive():
        running[1].terminate()  # the data changed again: its files would be stale
        running[1].join()
    if "fork" not in multiprocessing.get_all_start_methods():
        write_all(out, files)
        return data, None
    process = multiprocessing.get_context("fork").Process(target=_write_politely, args=(out, files))
    process.start()
    return data, process


def _write_politely(out: Path, files: list[Download]) -> None:
    """At the lowest priority: the preview's next save renders first. In this one process: a save
    that changes the data again stops it (terminate), and a pool's workers would outlive it."""
    os.nice(19)
    write_all(out, files, parallel=False)


def finish(writing: Writing, out: Path | None) -> None:
    """Wait for the writer, then move its files into `out` (None: the build failed, discard them)."""
    try:
        if writing.process is not None:
            writing.process.join()
            if writing.process.exitcode != 0:
                raise RuntimeError(f"writing the downloads failed (exit code {writing.process.exitcode}; see above)")
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            for path in sorted(writing.folder.iterdir()):
                shutil.move(str(path), out / path.name)
    finally:
        shutil.rmtree(writing.folder, ignore_errors=True)

