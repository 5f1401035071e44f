"""One supplier's CMRT workbook -> its Declaration (in English) and its smelter rows.

Everything here is pure: it works on the grids `workbook.read_sheets` returns, so tests and
the benchmark drive it without files. Where each answer sits comes from `cmrt_template`.
A file Excel saved carries what the template's formulas found in its Smelter Look-up (metal,
standard name, country, ID) as cached values; the look-up sheet itself is read only for a row
without them (a file written by a program) or a row naming a smelter "not listed".

Smelter List rows, as the template's instructions tell suppliers to fill them:
- option A: a smelter ID in column A (B, C, E, F... are formulas of it);
- option B: a metal in B and a look-up name in C (E, F... are formulas of them);
- option C: "Smelter not listed" in C, the smelter's name in D and its country in E;
- "Smelter not yet identified" in C: a placeholder, read and reported, never a smelter.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from disclosures.engine.names import fold
from disclosures.engine.smelter_csv import canonical_cid
from disclosures.ingest import cmrt_template as t
from disclosures.ingest.country_names import country_sheet
from disclosures.ingest.smelter_lookup import SmelterLookup, parse_lookup
from disclosures.ingest.table_text import clean_value
from disclosures.ingest.workbook import BOUNDS, CellError, NotACmrt, Sheets

METALS = ("Gold", "Tantalum", "Tin", "Tungsten")
PLACEHOLDERS = {t.NOT_IDENTIFIED, "not yet identified", "unknown", "not applicable", "n a", "na", "none", "tbd"}
# Excel serial numbers of plausible effective dates: 1990-01-01 .. 2099-12-31.
SERIAL_RANGE = (32874, 73050)
DATE_FORMATS = ("%d-%b-%Y", "%d-%B-%Y", "%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y", "%B %d, %Y", "%d %B %Y", "%Y/%m/%d")


@dataclass
class Declaration:
    company: str
    scope: str
    effective_date: dt.date | None
    revision: str
    language: str
    answers: dict[str, dict[str, str]]  # question kind -> metal -> answer in English ("Yes", "Unknown", ...)
    company_answers: dict[str, str] = field(default_factory=dict)  # "A".."H" -> answer in English

    def says(self, kind: str, metal: str) -> str:
        return self.answers.get(kind, {}).get(metal, "")

    def metals_used(self) -> list[str]:
        return [m for m in METALS if self.says("uses", m) == "Yes"]


@dataclass
class SmelterLine:
    """One smelter row of a supplier's Smelter List, resolved as far as the workbook allows."""

    row: int
    metal: str
    name: str
    country: str
    smelter_id: str
    mine_country: str
    option: str   # "A" (ID), "B" (look-up name), "C" (not listed)
    basis: str    # how metal, name and ID were found: "look-up by ID", "look-up name", "as typed"


@dataclass
class Supplier:
    file: str
    declaration: Declaration
    lines: list[SmelterLine]
    rejected: list[tuple[int, str]]  # (row, reason): read, not a smelter or not usable
    notes: list[str]                 # follow-up items found in this file
    lookup: SmelterLookup | None     # its Smelter Look-up; None when no row needed it
    countries: dict[str, str]        # the workbook's country sheet: folded name -> ISO code


# ---- cells -----------------------------------------------------------------------------------

def cell_text(value) -> str:
    """Text of a cell; a blank formula's cached 0 or error, and empty values, become ""."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_value(str(value))
    return "" if text in ("0", "-") or re.fullmatch(r"#(N/A|REF!|VALUE!|NAME\?|DIV/0!|NULL!|NUM!)", text) else text


def excel_date(value) -> dt.date | None:
    """A date cell, an Excel serial number of 1990-2099, or text like 02-May-2024; else None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if re.fullmatch(r"\d+(\.\d+)?", text):
        serial = float(text)
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(serial)) if SERIAL_RANGE[0] <= serial <= SERIAL_RANGE[1] else None
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


# ---- the Declaration -------------------------------------------------------------------------

def parse_declaration(sheets: Sheets, tr: t.Translations, revision: str) -> tuple[Declaration, list[str]]:
    rows, notes = sheets.get("declaration"), []

    def at(position: tuple[int, int]):
        return t.cell_at(rows, *position)

    answers = {}
    for kind, heading in t.QUESTIONS_6.items():
        per_metal = {metal: tr.english(cell_text(t.cell_at(rows, heading + offset, t.ANSWER_COLUMN)))
                     for offset, metal in enumerate(t.METAL_ORDER, 1)}
        answers[kind] = {m: a for m, a in per_metal.items() if a}
    company_answers = {q: tr.english(cell_text(t.cell_at(rows, row, t.ANSWER_COLUMN)))
                       for q, row in t.COMPANY_QUESTIONS_6.items()}
    raw_date = at(t.EFFECTIVE_DATE)
    effective = excel_date(raw_date)
    if effective is None and cell_text(raw_date):
        notes.append(f"effective date {cell_text(raw_date)!r} (Declaration D22) is not a date: ask the supplier")
    declaration = Declaration(cell_text(at(t.COMPANY_NAME)), tr.english(cell_text(at(t.SCOPE))), effective, revision,
                              cell_text(at(t.LANGUAGE)), answers, {q: a for q, a in company_answers.items() if a})
    return declaration, notes


# ---- the Smelter List ------------------------------------------------------------------------

@dataclass
class RowResult:
    line: SmelterLine | None = None
    rejected: str = ""
    note: str = ""


class LookupOnDemand:
    """A workbook's Smelter Look-up, read and parsed the first time a row needs it."""

    def __init__(self, read: Callable[[], SmelterLookup]):
        self._read, self.lookup = read, None

    def __call__(self) -> SmelterLookup:
        if self.lookup is None:
            self.lookup = self._read()
        return self.lookup


def parse_row(number: int, cells: list[str], lookup: Callable[[], SmelterLookup], tr: t.Translations,
              id_not_in_lookup: bool = False) -> RowResult:
    """One Smelter List row (A..Q as text) -> a smelter line, or why it is not one. `lookup()`
    gives the workbook's Smelter Look-up; it is called only when the row's cached values do not
    answer (`id_not_in_lookup`: they say the look-up has no smelter of column A's ID)."""
    typed_id, metal_text, lookup_name, name, country, cached_id = (cells[t.COL_INPUT_ID], cells[t.COL_METAL],
                                                                    cells[t.COL_LOOKUP], cells[t.COL_NAME],
                                                                    cells[t.COL_COUNTRY], cells[t.COL_CID])
    metal, note = tr.metal(metal_text), ""
    choice = fold(lookup_name)
    if typed_id:
        return _option_a(number, cells, (lambda: SmelterLookup("")) if id_not_in_lookup else lookup, tr)
    if choice == t.NOT_IDENTIFIED or fold(name) in PLACEHOLDERS or (not name and choice in PLACEHOLDERS):
        return RowResult(rejected=f"placeholder, not a smelter ({lookup_name or name})")
    if not metal:
        return RowResult(rejected=f"no metal ({metal_text or 'blank'})")
    option = "C" if choice == t.NOT_LISTED or not lookup_name else "B"
    typed = name if option == "C" else lookup_name
    if not typed:
        return RowResult(rejected="'Smelter not listed' without a smelter name in column D")
    if option == "B" and canonical_cid(cached_id) and country:  # the template's formulas found it
        return RowResult(SmelterLine(number, metal, typed, country, canonical_cid(cached_id),
                                     cells[t.COL_MINE_COUNTRY], option, "look-up name"))
    found = lookup().by_name(metal, typed)
    entry = found[0] if len(found) == 1 else lookup().get(canonical_cid(cached_id) or "")
    if entry and entry.metal == metal:
        return RowResult(SmelterLine(number, metal, entry.standard_name, entry.country, entry.smelter_id,
                                     cells[t.COL_MINE_COUNTRY], option, "look-up name"))
    if len(found) > 1:
        note = f"row {number}: {typed!r} is a look-up name of {len(found)} smelters ({', '.join(s.smelter_id for s in found)})"
    smelter_id = canonical_cid(cached_id) or ""
    if cached_id and not smelter_id:
        note = f"row {number}: malformed smelter ID {cached_id!r} for {typed}; kept without an ID"
    return RowResult(SmelterLine(number, metal, typed, country, smelter_id, cells[t.COL_MINE_COUNTRY], option, "as typed"),
                     note=note)


def _option_a(number: int, cells: list[str], lookup: Callable[[], SmelterLookup], tr: t.Translations) -> RowResult:
    typed = cells[t.COL_INPUT_ID]
    smelter_id = canonical_cid(typed)
    if not smelter_id:
        return RowResult(rejected=f"{typed!r} in column A is not a smelter ID (CID and six digits)")
    metal, standard, country = tr.metal(cells[t.COL_METAL]), cells[t.COL_LOOKUP], cells[t.COL_COUNTRY]
    if metal and standard and country and canonical_cid(cells[t.COL_CID]) == smelter_id:  # the formulas found it
        return RowResult(SmelterLine(number, metal, standard, country, smelter_id, cells[t.COL_MINE_COUNTRY], "A",
                                     "look-up by ID"))
    entry = lookup().get(smelter_id)
    if entry:
        return RowResult(SmelterLine(number, entry.metal, entry.standard_name, entry.country, smelter_id,
                                     cells[t.COL_MINE_COUNTRY], "A", "look-up by ID"))
    metal, name = tr.metal(cells[t.COL_METAL]), cells[t.COL_NAME] or cells[t.COL_LOOKUP]
    if metal and name:  # cached values of a look-up newer than ours, or typed by the supplier
        return RowResult(SmelterLine(number, metal, name, cells[t.COL_COUNTRY], smelter_id, cells[t.COL_MINE_COUNTRY],
                                     "A", "as typed"), note=f"row {number}: {smelter_id} is not in this workbook's Smelter Look-up")
    return RowResult(rejected=f"{smelter_id} is not in this workbook's Smelter Look-up and the row names no metal and smelter")


def _lookup_missed(row: list) -> bool:
    """The template's metal formula (B) is #N/A: its look-up has no smelter of the ID in A, typed
    exactly as an ID (a loose "cid 1076" is not found by the formula, yet is one)."""
    typed = row[t.COL_INPUT_ID] if row else None
    return len(row) > t.COL_METAL and isinstance(row[t.COL_METAL], CellError) and isinstance(typed, str) \
        and typed == canonical_cid(typed)


def parse_smelter_list(rows: list[list], lookup: Callable[[], SmelterLookup], tr: t.Translations):
    lines, rejected, notes = [], [], []
    for number, row in enumerate(rows[t.FIRST_DATA_ROW - 1:], t.FIRST_DATA_ROW):
        cells = [cell_text(v) for v in row[:17]] + [""] * max(0, 17 - len(row))
        if not any(cells[:6]):
            continue  # blank (or only the template's formulas)
        result = parse_row(number, cells, lookup, tr, id_not_in_lookup=_lookup_missed(row))
        if result.line:
            lines.append(result.line)
        else:
            rejected.append((number, result.rejected))
        if result.note:
            notes.append(result.note)
    return lines, rejected, notes


# ---- one workbook ----------------------------------------------------------------------------

def parse_supplier(file: str, sheets: Sheets) -> Supplier:
    """Raise NotACmrt for a workbook to reject; else the supplier's declaration and smelters."""
    revision = t.revision_of(sheets.grids)
    if not revision:
        raise NotACmrt("no template revision found (Declaration J3, Smelter List Q3, Revision sheet): not an RMI CMRT")
    if t.layout_for(revision) is None:
        raise NotACmrt(f"CMRT revision {revision} predates 6.01, the oldest this reader knows: ask the supplier "
                       "to fill in the current template")
    tr = t.read_translations(sheets.get("l"))
    moved = t.layout_problems(tr)
    if moved:
        raise NotACmrt(f"revision {revision}: the Declaration is not laid out as in 6.x ({moved[0]})")
    if "smelter list" in sheets.overflow:
        raise NotACmrt(f"the Smelter List has content beyond row {sheets.overflow['smelter list']:,}, "
                       "the most this reader takes: split the workbook or check it")
    declaration, notes = parse_declaration(sheets, tr, revision)
    lookup = LookupOnDemand(lambda: parse_lookup(sheets.get("smelter look-up"), f"{file} (CMRT {revision})"))
    lines, rejected, row_notes = parse_smelter_list(sheets.get("smelter list"), lookup, tr)
    notes += [f"the {name.title()} sheet declares {extent}; only its first {BOUNDS[name][0]:,} rows and "
              f"{BOUNDS[name][1]} columns are read (the template's end well within them)"
              for name, extent in sheets.declared.items()] + row_notes
    if not lines and declaration.metals_used():
        raise NotACmrt(f"the Smelter List has no smelter rows, but the Declaration says {', '.join(declaration.metals_used())} "
                       "is used")
    if any(declaration.says("all_identified", m) == "Yes" for m in METALS) and \
            any(r.startswith("placeholder") for _, r in rejected):
        notes.append("the Declaration says all smelters are identified, but the list has placeholder rows")
    if not declaration.company:
        notes.append("no company name on the Declaration sheet; the file name stands in for it")
        declaration.company = Path(file).stem
    return Supplier(file, declaration, lines, rejected, notes, lookup.lookup, country_sheet(sheets.get("c")))
