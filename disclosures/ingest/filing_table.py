"""Read a filing's published smelter table, in any layout real filings use, into normalized rows.

table_sources.py turns the document into grids of cells; this module finds which grids are
smelter lists (by their header words, or by their rows when a filing printed no header), reads
each row in the columns its header names, takes the metal from a Metal column, a section row
("Gold") or the heading above the table, and accounts for every unit of the source. Pure: the
command (disclosures/staff/import_filing.py) does the file I/O and the printing.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from disclosures.engine.errors import DataError, Problem
from disclosures.engine.model import SmelterRow
from disclosures.engine.reference import Reference
from disclosures.engine.smelter_csv import canonical_cid, validate_row
from disclosures.ingest.table_sources import Grid, Row, read_source
from disclosures.ingest.table_text import (
    DEBRIS, PAGE_FURNITURE, TOTAL_ROW, clean_cell, footnote_text, header_role, heading_metal, parse_metal, plain,
    split_mark,
)

DEFAULT_COLUMNS = {"metal": [0], "smelter_name": [1], "country": [2], "status": [3]}
NAME_WORD = re.compile(r"smelter|refiner|facility|name", re.IGNORECASE)
NO_VALUE = re.compile(r"^(?:n/?a|none|not available|-+|–|—)$", re.IGNORECASE)
# What became of a unit of the source, in the order the command prints them.
KINDS = {
    "written": "smelter rows written",
    "header": "header rows",
    "section": "metal headings inside the table",
    "continuation": "wrapped-cell lines joined to their row",
    "footnote": "footnote texts inside the table",
    "total": "total rows",
    "blank": "blank rows",
    "debris": "page debris (rules, page numbers, running heads)",
    "outside": "text above or below a smelter table",
    "skipped": "rows of tables that are not smelter lists",
    "layout": "rows of layout tables around a smelter table",
    "nested": "rows of tables nested in a cell (read as cell text)",
    "prose": "prose outside the table",
}


@dataclass(frozen=True)
class Entry:
    line: int
    kind: str
    detail: str = ""


@dataclass
class Accounting:
    """Where every unit of the source went (a line, an HTML table row, a sheet row): printed by
    the command and checked by the tests on every fixture."""

    source: str = "text"
    unit: str = "line"
    units: int = 0
    entries: list[Entry] = field(default_factory=list)
    tables: list[tuple[str, str]] = field(default_factory=list)  # (table, what became of it)
    footnotes: dict[str, str] = field(default_factory=dict)  # mark -> text found below the table
    duplicates: list[tuple[int, int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self, kind: str) -> list[int]:
        return [e.line for e in self.entries if e.kind == kind]

    def counts(self) -> Counter:
        return Counter(e.kind for e in self.entries)

    @property
    def written(self) -> int:
        return len(self.lines("written"))

    def balanced(self) -> bool:
        return len(self.entries) == self.units and set(self.counts()) <= KINDS.keys()


def import_table(data: bytes | str, path: str, reference: Reference) -> tuple[list[SmelterRow], Accounting]:
    """Rows of every smelter table in the document; raises DataError naming every bad line."""
    data = data.encode("utf-8") if isinstance(data, str) else data
    try:
        is_header = header_test(reference)
        source = read_source(data, path, is_header)
    except ValueError as exc:
        raise DataError(Problem(path, str(exc))) from None
    acc = Accounting(source.kind, source.unit, source.units, notes=list(source.notes))
    acc.entries += [Entry(line, kind, detail) for line, kind, detail in source.accounted]
    rows: list[SmelterRow] = []
    problems: list[Problem] = []
    for grid in source.grids:
        read = GridReader(grid, reference, path, is_header)
        grid_rows, grid_problems = read.rows()
        rows += grid_rows
        problems += grid_problems
        acc.entries += read.entries
        acc.notes += read.notes
        acc.tables.append((grid.label, read.outcome))
        acc.footnotes.update({m: t for m, t in read.footnotes.items() if m not in acc.footnotes})
    if problems:
        raise DataError(problems)
    if not rows:
        skipped = "; ".join(f"{label}: {outcome}" for label, outcome in acc.tables) or "the document has no tables"
        raise DataError(Problem(path, f"no smelter table found ({skipped}). A smelter table has a header naming a "
                                      "smelter or refiner column and its country or metal, or rows starting with "
                                      "Gold, Tin, Tantalum or Tungsten"))
    marks = {r.footnote for r in rows} - {""}
    acc.notes += [f"footnote mark {m!r} is used but no footnote text was found below the table" for m in sorted(marks - acc.footnotes.keys())]
    acc.duplicates = _exact_duplicates(rows)
    return rows, acc


MAX_COLUMNS = 60  # a header wider than any smelter list is not one (and would make every row cost its width)


def header_test(reference: Reference):
    """A header names a smelter column and one more (country, metal, designation or ID), and
    holds no metal or country value: "Gold | CCR Refinery | Canada | Full Compliant" is a row."""
    def is_header(cells: list[str]) -> bool:
        if len(cells) > MAX_COLUMNS or not any(NAME_WORD.search(c) for c in cells):
            return False  # the cheap test first: most rows are data
        cells = [clean_cell(c) for c in cells if c and c.strip()]
        if any(parse_metal(c) or reference.countries.known(c) for c in cells):
            return False
        roles = {header_role(c) for c in cells}
        return "smelter_name" in roles and bool(roles & {"country", "metal", "status", "smelter_id"})
    return is_header


def header_columns(cells: list[str]) -> dict[str, list[int]]:
    """Role -> the columns its header cell covers (a colspan covers several)."""
    columns: dict[str, list[int]] = {}
    for index, cell in enumerate(cells):
        role = header_role(cell)
        if role and (role not in columns or columns[role][-1] == index - 1 and cells[index - 1] == cell):
            columns.setdefault(role, []).append(index)
    return columns


class GridReader:
    """Reads one grid: is it a smelter list, and what is each of its rows."""

    def __init__(self, grid: Grid, reference: Reference, path: str, is_header):
        self.grid, self.reference, self.path, self.is_header = grid, reference, path, is_header
        self.entries: list[Entry] = []
        self.notes: list[str] = []
        self.footnotes: dict[str, str] = {}
        self.outcome = ""

    def rows(self) -> tuple[list[SmelterRow], list[Problem]]:
        start, columns = self._start()
        if start is None:
            self.outcome = f"skipped, not a smelter list: {columns}"
            self.entries += [Entry(r.line, "skipped", self.grid.label) for r in self.grid.rows]
            return [], []
        start = self._section_above(start)
        self.entries += [Entry(r.line, "outside" if any(c.strip() for c in r.cells) else "blank", "above the table")
                         for r in self.grid.rows[:start]]
        kinds, result, problems = self._read(self.grid.rows[start:], columns)
        problems += self._settle_trailing(kinds)
        self.entries += [Entry(line, kind, detail) for line, kind, detail in kinds]
        self._find_footnotes(result, kinds)
        self.outcome = f"smelter list: {len(result)} rows" + (f" ({', '.join(sorted({r.metal for r in result}))})" if result else "")
        return result, problems

    def _start(self):
        """(index of the first header or row, columns), or (None, why this is not a smelter list)."""
        for i, row in enumerate(self.grid.rows):
            if self.is_header(row.cells):
                unread = list(dict.fromkeys(c for c in map(clean_cell, row.cells) if c and header_role(c) is None))
                if unread:
                    self.notes.append(f"{self.grid.label}: columns not imported (no place in the smelter list): {', '.join(unread)}")
                return i, header_columns(row.cells)
        for i, row in enumerate(self.grid.rows):
            cells = [clean_cell(c) for c in row.cells]
            if len(cells) >= 3 and parse_metal(cells[0]) and self.reference.countries.known(cells[2]) and not self.reference.countries.known(cells[1]):
                self.notes.append(f"{self.grid.label}, line {row.line}: no header row before the table; "
                                  "assumed columns Metal, Smelter Name, Country, Status")
                return i, DEFAULT_COLUMNS
        first = next((" | ".join(c for c in r.cells if c)[:80] for r in self.grid.rows if any(r.cells)), "")
        return None, f"no header naming a smelter or refiner column with its country or metal (first row: {first!r})"

    def _section_above(self, start: int) -> int:
        """Start at a metal section row just above the first header ("Gold", then the header)."""
        above = [i for i in range(start) if any(c.strip() for c in self.grid.rows[i].cells)]
        if above:
            filled = {clean_cell(c) for c in self.grid.rows[above[-1]].cells} - {""}
            if len(filled) == 1 and heading_metal(filled.pop()):
                return above[-1]
        return start

    def _read(self, rows: list[Row], columns: dict[str, list[int]]):
        kinds: list[tuple[int, str, str]] = []
        result: list[SmelterRow] = []
        problems: list[Problem] = []
        metal_above = heading_metal(self.grid.before)
        section = None
        if "status" not in columns:
            self.notes.append(f"{self.grid.label}: no designation column; rows are imported with an empty "
                              "designation, which the site shows as 'not stated'")
        for row in rows:
            cells = [clean_cell(c) for c in row.cells]
            filled = [c for c in cells if c]
            kind, detail = self._kind(cells, filled, row)
            if kind == "section":
                section = heading_metal(filled[0])
            if kind == "header":
                columns = header_columns(cells)
            if kind != "data":
                kinds.append((row.line, kind, detail))
                continue
            smelter, row_problems = parse_row(cells, columns, section or metal_above, row.line, self.grid.label)
            printed = next((cells[i] for i in columns.get("country", ()) if i < len(cells) and cells[i]), "")
            if smelter is not None and LEADING_MARK.match(printed):
                self.notes.append(f"line {row.line}: the country printed {printed!r} is written {smelter.country!r} "
                                  f"(a leading dash or bullet dropped); record it under transcription_notes in the "
                                  f"year's YAML")
            if smelter is not None:
                row_problems += validate_row(smelter, self.reference, {smelter.footnote} - {""})
                result.append(smelter)
                kinds.append((row.line, "written", ""))
            problems += [Problem(self.path, msg, line=row.line, field=fld) for fld, msg in row_problems]
        return kinds, result, problems

    def _kind(self, cells: list[str], filled: list[str], row: Row) -> tuple[str, str]:
        if not filled:
            return "blank", ""
        if self.is_header(cells):
            return "header", ""
        joined = " ".join(dict.fromkeys(filled))
        if all(DEBRIS.match(c) for c in cells) or PAGE_FURNITURE.match(plain(joined)):
            return "debris", repr("".join(row.cells).strip())
        if TOTAL_ROW.match(filled[0]):
            return "total", joined[:60]
        if row.page_edge and len(filled) <= 2 and not any(parse_metal(c) for c in filled):
            return "edge", joined
        if len(set(filled)) == 1:
            if heading_metal(filled[0]):
                return "section", filled[0]
            return "single", joined
        return "data", ""

    def _settle_trailing(self, kinds: list[tuple[int, str, str]]) -> list[Problem]:
        """One-cell rows after the last smelter row are notes below the table (footnote texts,
        sources); inside the table they are page debris, noted. One that reads like a smelter row
        (a row's cells run together in one cell) is never set aside: it stops the import."""
        last = max((i for i, k in enumerate(kinds) if k[1] == "written"), default=-1)
        problems = [Problem(self.path, f"a one-cell row that reads like a smelter row ({detail[:80]!r}) cannot be "
                                       "imported: its cells are run together; split it into the table's columns "
                                       "in the source (or type the row into the CSV) and import again", line=line)
                    for i, (line, kind, detail) in enumerate(kinds)
                    if kind in ("single", "edge") and self._reads_like_a_row(detail, inside=i < last)]
        for i, (line, kind, detail) in enumerate(kinds):
            if kind in ("single", "edge") and i > last:
                kinds[i] = (line, "outside", detail)
            elif kind == "edge":  # a running head or footer between two pages of the table
                kinds[i] = (line, "debris", f"next to a page break: {detail[:60]!r}")
            elif kind == "single":
                kinds[i] = (line, "debris", f"one-cell row inside the table: {detail[:60]!r}")
                self.notes.append(f"{self.grid.label}, line {line}: a one-cell row inside the table "
                                  f"({detail[:60]!r}) was read as page debris; check it is not a smelter")
        return problems

    def _reads_like_a_row(self, text: str, inside: bool) -> bool:
        """A smelter ID, or a metal first with a country after it (below the table, where footnotes
        sit, only in a short line: a footnote is a sentence)."""
        if CID_IN_TEXT.search(text):
            return True
        words = plain(text).split()[:40]
        if not words or not any(parse_metal(w) for w in words[:2]) or (not inside and len(words) > 12):
            return False
        return any(self.reference.countries.known(" ".join(words[i:j]))
                   for i in range(1, len(words)) for j in range(i + 1, min(i + 5, len(words) + 1)))

    def _find_footnotes(self, rows: list[SmelterRow], kinds) -> None:
        marks = {r.footnote for r in rows} - {""}
        if not marks:
            return
        below = [(line, detail) for line, kind, detail in kinds if kind == "outside"] + self.grid.after
        mark = None
        for i, (line, text) in enumerate(below):
            found = footnote_text(text, marks)
            if found and found[0] not in self.footnotes:
                mark, self.footnotes[found[0]] = found
            elif mark and not found and i and below[i - 1][0] == line - 1:  # a footnote wrapped onto the next line
                self.footnotes[mark] += " " + clean_cell(text)
            else:
                mark = None


LEADING_MARK = re.compile(r"^[\-–—•·\s]+")  # a dash or bullet a filing printed before a country's name
CID_IN_TEXT = re.compile(r"\bCID[\s\-_]*\d{3,6}\b", re.IGNORECASE)


def parse_row(cells: list[str], columns: dict[str, list[int]], metal_default: str | None, line: int, table: str):
    """One smelter row from its cells; (None, problems) when its metal cannot be known."""
    def cell(role: str) -> str:
        return next((cells[i] for i in columns.get(role, ()) if i < len(cells) and cells[i]), "")

    if "metal" in columns and cell("metal"):
        metal = parse_metal(cell("metal"))
        if metal is None:
            return None, [("metal", f"unknown metal {plain(cell('metal'))!r}")]
    elif metal_default:
        metal = metal_default
    else:
        return None, [("metal", f"no metal: {table} has no Metal column and no heading or section row "
                                "(such as 'Gold' or 'Tin Smelters') names one above this row")]
    footnote, values = "", {}
    for role in ("smelter_name", "country", "status"):
        text, mark = split_mark(cell(role))
        footnote = footnote or mark
        values[role] = text
    values["country"] = LEADING_MARK.sub("", values["country"])  # "- Japan": a stray bullet (noted by the caller)
    values["status"] = "" if NO_VALUE.match(values["status"]) else values["status"]
    raw_id = plain(cell("smelter_id"))
    smelter_id = "" if not raw_id or NO_VALUE.match(raw_id) else canonical_cid(raw_id) or raw_id
    return SmelterRow(metal=metal, smelter_id=smelter_id, footnote=footnote, line=line, **values), []


def _exact_duplicates(rows: list[SmelterRow]) -> list[tuple[int, int, str]]:
    first_seen: dict[tuple, SmelterRow] = {}
    found = []
    for r in rows:
        key = (r.metal, r.smelter_name, r.country, r.status, r.smelter_id)
        if key in first_seen:
            found.append((first_seen[key].line, r.line, f"{r.metal} / {r.smelter_name}"))
        else:
            first_seen[key] = r
    return found
