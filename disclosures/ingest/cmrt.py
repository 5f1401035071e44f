"""Supplier CMRT workbooks -> one year's smelter list, the RCOI figures, and a follow-up list.

Layout (RMI CMRT 6.01-6.5 and the older EICC-GeSI template): the "Smelter List" sheet has its
headers on row 4 and data from row 5, columns A..Q, read BY POSITION because headers are in the
file's language; the "Declaration" sheet holds the company, scope, effective date and one answer
per metal to each question. Parsing works on plain grids of cell values (pure, tested without
files); reading a workbook into grids is the I/O edge at the bottom (python-calamine, measured
~20x faster than pandas on openpyxl; openpyxl read-only as the fallback).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from disclosures.ingest.filing_table import parse_metal
from disclosures.engine.names import fold, name_key
from disclosures.engine.reference import Reference
from disclosures.engine.smelter_csv import canonical_cid

# Smelter List columns, 0-based (A=0).
COL_METAL, COL_LOOKUP, COL_NAME, COL_COUNTRY, COL_CID, COL_MINE_COUNTRY = 1, 2, 3, 4, 5, 14
FIRST_DATA_ROW = 5  # 1-based, as staff see it in Excel
PLACEHOLDERS = ("smelter not listed", "smelter not yet identified", "not yet identified", "unknown", "not applicable",
                "n a", "na", "none", "tbd", "0")
LOCAL_METALS = {"金": "Gold", "黄金": "Gold", "锡": "Tin", "錫": "Tin", "スズ": "Tin", "钽": "Tantalum", "タンタル": "Tantalum",
                "钨": "Tungsten", "タングステン": "Tungsten", "金 (au)": "Gold"}
YES = {"yes", "y", "是", "はい", "true"}
NO = {"no", "n", "否", "いいえ", "false"}
QUESTION_WORDS = [  # (kind, words in the English question)
    ("necessary", ("necessary",)),
    ("covered_countries", ("covered countries",)),
    ("cahra", ("cahra", "conflict affected")),
    ("recycled", ("recycled or scrap",)),
    ("responded_share", ("percentage",)),
    ("all_identified", ("identified all",)),
    ("all_reported", ("all of the smelter information", "been reported")),
]
# Question order when the text is not English: CMRT 6.x added the CAHRA question as Q3.
ORDER_6 = ["necessary", "covered_countries", "cahra", "recycled", "responded_share", "all_identified", "all_reported"]
ORDER_OLD = ["necessary", "covered_countries", "recycled", "responded_share", "all_identified", "all_reported"]
DATE_FORMATS = ("%d-%b-%Y", "%d-%B-%Y", "%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y", "%B %d, %Y", "%d %B %Y", "%Y/%m/%d")


@dataclass
class Grids:
    """The sheets the ingester reads, as rows of cell values."""

    sheet_names: list[str]
    declaration: list[list]
    smelter_list: list[list]
    revision: list[list] = field(default_factory=list)


@dataclass
class Declaration:
    company: str
    scope: str
    effective_date: dt.date | None
    version: str
    answers: dict[str, dict[str, str]]  # question kind -> metal -> answer ("yes"/"no"/text)

    def says(self, kind: str, metal: str) -> str:
        return self.answers.get(kind, {}).get(metal, "")


@dataclass
class SmelterLine:
    """One usable row of a supplier's Smelter List."""

    row: int
    metal: str
    name: str
    country: str
    smelter_id: str
    mine_country: str


@dataclass
class Supplier:
    file: str
    declaration: Declaration
    lines: list[SmelterLine]
    rejected: list[tuple[int, str]]  # (row, reason): read but not used
    notes: list[str]                 # follow-up items found in this file


class NotACmrt(ValueError):
    """A workbook this ingester cannot take, with the reason staff should see."""


# ---- cells -----------------------------------------------------------------------------------

def cell_text(value) -> str:
    """Text of a cell; a blank formula's cached "0" and empty values become ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return "" if text in ("0", "-", "#N/A") else text


def metal_of(text: str) -> str | None:
    return parse_metal(text) or LOCAL_METALS.get(text.strip().casefold())


def answer_of(value) -> str:
    text = cell_text(value)
    key = text.casefold()
    return "yes" if key in YES else "no" if key in NO else text


def excel_date(value) -> dt.date | None:
    """A date cell, an Excel serial number (days since 1899-12-30) or text like 02-May-2024."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and 20000 < value < 80000:
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    text = cell_text(value)
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return excel_date(float(text))
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


# ---- sheets ----------------------------------------------------------------------------------

def find_version(grids: Grids) -> str:
    """'6.5', '6.01', ... from the Revision sheet or the Declaration's title; '' when absent."""
    found = []
    for row in grids.revision[:60] + grids.declaration[:6]:
        for value in row:
            text = cell_text(value)
            found += re.findall(r"(?<![\d.])([2-6]\.\d{1,2})(?![\d.])", text)
    return max(found, key=lambda v: tuple(int(p) for p in v.split("."))) if found else ""


def _labelled(rows: list[list], words: tuple[str, ...], fallback: tuple[int, int]):
    """The value right of a label containing `words` (English templates), else a fixed cell."""
    for row in rows[:40]:
        for i, value in enumerate(row):
            if any(w in fold(cell_text(value)) for w in words):
                rest = [v for v in row[i + 1:] if cell_text(v) or isinstance(v, (dt.date, int, float)) and v]
                return rest[0] if rest else None
    r, c = fallback
    return rows[r][c] if r < len(rows) and c < len(rows[r]) else None


def parse_declaration(grids: Grids) -> Declaration:
    rows = grids.declaration
    version = find_version(grids)
    company = cell_text(_labelled(rows, ("company name",), (7, 3)))
    scope = cell_text(_labelled(rows, ("declaration scope",), (8, 3)))
    effective = excel_date(_labelled(rows, ("effective date",), (20, 3)))
    # Each question is a run of rows with a metal in column C and the answer in D.
    runs, current, question = [], None, ""
    for row in rows:
        c, d = (row[2] if len(row) > 2 else None), (row[3] if len(row) > 3 else None)
        metal = metal_of(cell_text(c))
        if metal:
            if current is None:
                current = (question, {})
                runs.append(current)
            current[1][metal] = answer_of(d)
        else:
            current = None
            text = cell_text(row[1] if len(row) > 1 else None)
            if text:
                question = text
    order = ORDER_6 if version.startswith("6") else ORDER_OLD
    answers = {}
    for index, (text, per_metal) in enumerate(runs):
        words = fold(text)
        kind = next((k for k, keys in QUESTION_WORDS if any(w in words for w in keys)), None)
        kind = kind or (order[index] if index < len(order) else f"question_{index + 1}")
        answers.setdefault(kind, per_metal)
    return Declaration(company, scope, effective, version, answers)


def parse_smelter_list(grids: Grids) -> tuple[list[SmelterLine], list[tuple[int, str]], list[str]]:
    lines, rejected, notes = [], [], []
    for number, row in enumerate(grids.smelter_list[FIRST_DATA_ROW - 1:], FIRST_DATA_ROW):
        cells = [cell_text(v) for v in row[:17]] + [""] * max(0, 17 - len(row))
        if not any(cells):
            continue  # blank (or only template formulas)
        metal = metal_of(cells[COL_METAL])
        lookup, name = cells[COL_LOOKUP], cells[COL_NAME]
        name = name or ("" if fold(lookup) in PLACEHOLDERS else lookup)
        if not metal:
            rejected.append((number, f"no metal ({cells[COL_METAL] or 'blank'})"))
        elif not name or fold(name) in PLACEHOLDERS:
            rejected.append((number, f"placeholder, not a smelter ({name or lookup or 'blank name'})"))
        else:
            raw_cid = cells[COL_CID]
            cid = canonical_cid(raw_cid) or ""
            if raw_cid and not cid:
                notes.append(f"row {number}: malformed smelter ID {raw_cid!r} for {name}; kept without an ID")
            lines.append(SmelterLine(number, metal, name, cells[COL_COUNTRY], cid, cells[COL_MINE_COUNTRY]))
    return lines, rejected, notes


def parse_supplier(file: str, grids: Grids) -> Supplier:
    """Raise NotACmrt for a workbook to reject; else the supplier's declaration and smelters."""
    declaration = parse_declaration(grids)
    lines, rejected, notes = parse_smelter_list(grids)
    necessary = [m for m in ("Gold", "Tin", "Tantalum", "Tungsten") if declaration.says("necessary", m) == "yes"]
    if not lines and necessary:
        raise NotACmrt(f"the Smelter List has no smelter rows, but the Declaration says {', '.join(necessary)} "
                       "is necessary")
    for metal in sorted({line.metal for line in lines}):
        if declaration.says("necessary", metal) == "no":
            notes.append(f"the Declaration says {metal} is not necessary, but {metal} smelters are listed")
    if declaration.says("all_identified", "Gold") == "yes" and any("placeholder" in r for _, r in rejected):
        notes.append("the Declaration says all smelters are identified, but the list has placeholder rows")
    if not declaration.company:
        notes.append("no company name on the Declaration sheet; the file name stands in for it")
        declaration.company = Path(file).stem
    return Supplier(file, declaration, lines, rejected, notes)


# ---- the RMI facility list -------------------------------------------------------------------

@dataclass(frozen=True)
class RmiFacility:
    smelter_id: str
    metal: str
    name: str
    country: str
    status: str


def parse_rmi_list(rows: list[list], source: str, reference: Reference) -> dict[str, RmiFacility]:
    """smelter ID -> facility, from an RMI export (CSV or XLSX); columns found by header words."""
    from disclosures.engine.errors import DataError, Problem

    header_index = next((i for i, row in enumerate(rows[:20])
                         if any("smelter id" in fold(cell_text(v)) or fold(cell_text(v)) in ("cid", "facility id")
                                for v in row)), None)
    if header_index is None:
        raise DataError(Problem(source, "no header row with a 'Smelter ID' column in the first 20 rows"))
    header = [fold(cell_text(v)) for v in rows[header_index]]

    def column(*words):
        return next((i for i, h in enumerate(header) if any(w in h for w in words)), None)

    cols = {"smelter_id": column("smelter id", "cid", "facility id"), "metal": column("metal"),
            "name": column("standard smelter name", "smelter name", "facility name", "name"),
            "country": column("country", "location"), "status": column("status")}
    missing = [k for k, v in cols.items() if v is None]
    if missing:
        raise DataError(Problem(source, f"no column for {', '.join(missing)}", line=header_index + 1))
    facilities, problems = {}, []
    for number, row in enumerate(rows[header_index + 1:], header_index + 2):
        get = lambda k: cell_text(row[cols[k]]) if cols[k] < len(row) else ""  # noqa: E731
        cid = canonical_cid(get("smelter_id"))
        if not cid:
            continue
        status = get("status")
        if reference.class_of(status) is None:
            problems.append(Problem(source, f"unknown status {status!r}", line=number, field="status"))
            continue
        facilities[cid] = RmiFacility(cid, metal_of(get("metal")) or get("metal"), get("name"), get("country"), status)
    if problems:
        raise DataError(problems)
    return facilities


# ---- merging every supplier into the year's list ---------------------------------------------

@dataclass
class MergedSmelter:
    metal: str
    smelter_name: str
    country: str
    status: str
    smelter_id: str
    suppliers: set[str] = field(default_factory=set)
    mine_countries: set[str] = field(default_factory=set)


@dataclass
class IngestResult:
    smelters: list[MergedSmelter]
    rejected_rows: list[tuple[str, int, str]]  # (file, row, reason)
    follow_up: list[str]
    rcoi: dict


def merge(suppliers: list[Supplier], reference: Reference, rmi: dict[str, RmiFacility] | None,
          workbooks_received: int) -> IngestResult:
    merged: dict[tuple, MergedSmelter] = {}
    rejected, follow_up = [], []
    for supplier in suppliers:
        company = supplier.declaration.company
        rejected += [(supplier.file, row, reason) for row, reason in supplier.rejected]
        follow_up += [f"{supplier.file} ({company}): {note}" for note in supplier.notes]
        for line in supplier.lines:
            facility = rmi.get(line.smelter_id) if rmi and line.smelter_id else None
            name = facility.name if facility and facility.name else line.name
            country_text = facility.country if facility and facility.country else line.country
            try:
                country = reference.countries.resolve(country_text)
            except LookupError:
                rejected.append((supplier.file, line.row, f"smelter country {country_text!r} is not a known country"))
                continue
            key = (line.metal, line.smelter_id) if line.smelter_id else (line.metal, name_key(name), country.code)
            status = facility.status if facility else ("Not Listed" if rmi is not None else "Unknown")
            entry = merged.setdefault(key, MergedSmelter(line.metal, name, country_text, status, line.smelter_id))
            entry.suppliers.add(company)
            if line.mine_country:
                entry.mine_countries.add(line.mine_country)
    smelters = sorted(merged.values(), key=lambda s: (s.metal, name_key(s.smelter_name)))
    for s in smelters:
        if not s.smelter_id:
            follow_up.append(f"no smelter ID: {s.metal} / {s.smelter_name} (reported by {', '.join(sorted(s.suppliers))})")
        elif rmi is not None and s.smelter_id not in rmi:
            follow_up.append(f"not on the RMI list: {s.metal} / {s.smelter_name} ({s.smelter_id})")
    for supplier in suppliers:
        declared_clear = {m for m in ("Gold", "Tin", "Tantalum", "Tungsten") if supplier.declaration.says("covered_countries", m) == "no"}
        for line in supplier.lines:
            try:
                code = reference.countries.resolve(line.country).code
            except LookupError:
                continue
            if line.metal in declared_clear and code in reference.covered_countries:
                follow_up.append(f"{supplier.file} ({supplier.declaration.company}): the Declaration says no {line.metal} "
                                 f"from the Covered Countries, but lists {line.name} in {line.country}")
    companies = {fold(s.declaration.company): s for s in suppliers}
    rcoi = {
        "workbooks_received": workbooks_received,
        "workbooks_accepted": len(suppliers),
        "suppliers": len(companies),
        "suppliers_sourcing_from_covered_countries": sum(
            any(s.declaration.says("covered_countries", m) == "yes" for m in ("Gold", "Tin", "Tantalum", "Tungsten"))
            for s in companies.values()),
        "suppliers_all_smelters_identified": sum(
            all(s.declaration.says("all_identified", m) in ("yes", "") for m in ("Gold", "Tin", "Tantalum", "Tungsten"))
            and any(s.declaration.says("all_identified", m) == "yes" for m in ("Gold", "Tin", "Tantalum", "Tungsten"))
            for s in companies.values()),
        "smelters": len(smelters),
    }
    return IngestResult(smelters, rejected, follow_up, rcoi)


# ---- the I/O edge: files -> grids ------------------------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")


def read_grids(path: Path, engine: str = "calamine") -> Grids:
    """The Declaration, Smelter List and Revision sheets; NotACmrt with a reason otherwise."""
    head = Path(path).read_bytes()[:4096] if Path(path).stat().st_size else b""
    if not head:
        raise NotACmrt("empty file")
    if head.startswith(OLE_MAGIC):
        if ENCRYPTED_MARK in Path(path).read_bytes()[:200_000]:
            raise NotACmrt("password-protected (encrypted) workbook: ask the supplier for an unprotected copy")
        raise NotACmrt("legacy .xls workbook: ask the supplier to save it as .xlsx")
    if not head.startswith(b"PK"):
        raise NotACmrt("not an Excel .xlsx file (corrupt, or another format)")
    try:
        names, sheets = (_read_calamine if engine == "calamine" else _read_openpyxl)(Path(path))
    except NotACmrt:
        raise
    except Exception as exc:  # a damaged zip or XML: each reader raises its own types
        raise NotACmrt(f"unreadable workbook ({type(exc).__name__}: {str(exc)[:120]})") from None
    return Grids(names, sheets.get("declaration", []), sheets["smelter list"], sheets.get("revision", []))


def _wanted(names: list[str]) -> dict[str, str]:
    by_fold = {n.strip().casefold(): n for n in names}
    if "smelter list" not in by_fold:
        raise NotACmrt(f"not a CMRT: no 'Smelter List' sheet (sheets: {', '.join(names[:8])})")
    if "declaration" not in by_fold:
        raise NotACmrt("not a CMRT: no 'Declaration' sheet")
    return {k: by_fold[k] for k in ("declaration", "smelter list", "revision") if k in by_fold}


def _read_calamine(path: Path):
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    wanted = _wanted(book.sheet_names)
    return book.sheet_names, {k: _anchored(book.get_sheet_by_name(v)) for k, v in wanted.items()}


def _anchored(sheet) -> list[list]:
    """Rows from A1: calamine starts at the first used cell, but the layout is positional."""
    rows = sheet.to_python()
    top, left = sheet.start if rows else (0, 0)
    return [[] for _ in range(top)] + [[""] * left + list(row) for row in rows]


def _read_openpyxl(path: Path):
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        wanted = _wanted(book.sheetnames)
        return book.sheetnames, {k: [list(r) for r in book[v].iter_rows(values_only=True)] for k, v in wanted.items()}
    finally:
        book.close()
