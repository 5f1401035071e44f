"""CSV, XLSX and JSON downloads of a table, safe to open in a spreadsheet.

A cell a spreadsheet would run as a formula (starting =, +, -, @, tab or CR) is prefixed with
an apostrophe in CSV and XLSX (OWASP's advice); JSON keeps the exact published text.
"""
from __future__ import annotations

import csv
import io
import json

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..model import Filing, Smelter
from ..reference import Reference

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _xlsx_cell(value):
    """Neutralized, and without the control characters the XLSX format cannot hold."""
    value = neutralize(value)
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value) if isinstance(value, str) else value


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
        "designation_as_published": r.status,
        "class": s.status_class,
        "class_label": s.class_label,
        "in_covered_country": s.in_covered_country,
        "greater_risk": s.greater_risk,
        "restrictions": "; ".join(f"{x.label} ({x.list}, {x.date.isoformat()})" for x in s.restrictions),
        "footnote": r.footnote,
        "footnote_text": notes.get(r.footnote, ""),
    }


def to_csv(records: list[dict]) -> bytes:
    buffer = io.StringIO()
    if records:
        writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({k: neutralize(v) for k, v in rec.items()} for rec in records)
    # A BOM so Excel opens accented names (Mineração) as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_json(records: list[dict], meta: dict) -> bytes:
    # One row per line: readable, diffable, and still the fast C encoder for each row.
    rows = ",\n".join(json.dumps(rec, ensure_ascii=False) for rec in records)
    head = json.dumps(meta, ensure_ascii=False)[:-1]
    return (head + (", " if meta else "") + '"rows": [\n' + rows + "\n]}\n").encode("utf-8")


def to_xlsx(records: list[dict], title: str) -> bytes:
    """A formatted sheet: bold frozen header, auto-filter, sensible column widths.

    openpyxl's write-only mode streams rows (about twice as fast, a fraction of the memory).
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    columns = list(records[0]) if records else []
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
        sheet.append([_xlsx_cell(v) for v in rec.values()])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


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


def render_file(task: tuple) -> bytes:
    """("csv"|"json"|"xlsx", records, meta or sheet title) -> the file's bytes (picklable for a pool)."""
    fmt, records, extra = task
    if fmt == "csv":
        return to_csv(records)
    if fmt == "json":
        return to_json(records, extra)
    return to_xlsx(records, extra)
