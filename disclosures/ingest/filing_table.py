"""Read a filing's published smelter table (plain text or EDGAR HTML) into normalized rows.

Pure: takes the source text, returns rows plus an accounting of every table line, so the
command in scripts/import_filing.py only does the file I/O and the printing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from disclosures.engine.errors import DataError, Problem
from disclosures.engine.model import SmelterRow
from disclosures.engine.names import clean_cell, fold
from disclosures.engine.reference import Reference
from disclosures.engine.smelter_csv import canonical_cid, validate_row

METAL_WORDS = {
    "gold": "Gold", "au": "Gold",
    "tin": "Tin", "sn": "Tin",
    "tantalum": "Tantalum", "ta": "Tantalum",
    "tungsten": "Tungsten", "w": "Tungsten", "wolfram": "Tungsten",
}
FOOTNOTE_MARK = re.compile(r"\s*([*†‡]+)$")
DEBRIS = re.compile(r"^[\s\-–—_.·•|]*$")
DEFAULT_COLUMNS = {"metal": 0, "smelter_name": 1, "country": 2, "status": 3}


@dataclass
class Accounting:
    """Where every table line went; printed by the command and asserted by the tests."""

    lines_read: int = 0
    table_rows: int = 0
    headers: list[int] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[tuple[int, int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: int = 0

    def balanced(self) -> bool:
        return self.table_rows == self.written + len(self.headers) + len(self.rejected)


def parse_metal(text: str) -> str | None:
    """`Gold`, `GOLD`, `Gold (Au)`, `Au` -> `Gold`; None for anything else."""
    words = fold(re.sub(r"\(.*?\)", " ", text)) or fold(text)
    return METAL_WORDS.get(words)


def header_role(text: str) -> str | None:
    """Which column a header cell names, from its words (checked most specific first)."""
    words = fold(clean_cell(text))
    if not words:
        return None
    if re.search(r"\b(cid|id|identification|number)\b", words):
        return "smelter_id"
    if re.search(r"\b(country|location)\b", words):
        return "country"
    if re.search(r"\b(designation|status|conformant|compliant|conflict free|audit)\b", words):
        return "status"
    if words == "metal" or words.startswith("metal ") or words == "mineral":
        return "metal"
    if re.search(r"\b(smelter|refiner|refinery|facility|name)\b", words):
        return "smelter_name"
    return None


def _header_columns(cells: list[str]) -> dict[str, int] | None:
    roles = {}
    for index, cell in enumerate(cells):
        role = header_role(cell)
        if role and role not in roles:
            roles[role] = index
    return roles if {"metal", "smelter_name"} <= roles.keys() else None


def text_rows(source: str) -> list[tuple[int, list[str]]]:
    """Tab-separated lines of a plain-text filing, with their line numbers."""
    return [(n, line.split("\t")) for n, line in enumerate(source.splitlines(), 1) if "\t" in line]


class _TableParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[int, list[str]]] = []
        self._row = None
        self._cell = None
        self._span = 1

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = (self.getpos()[0], [])
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._span = int(span) if span.isdigit() and 0 < int(span) < 50 else 1
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row[1].extend([" ".join("".join(self._cell).split())] * self._span)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row[1]:
                self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_rows(source: str) -> list[tuple[int, list[str]]]:
    """Table rows of an HTML exhibit (as on SEC EDGAR), cells repeated across colspan."""
    parser = _TableParser()
    parser.feed(source)
    parser.close()
    return parser.rows


def looks_like_html(source: str) -> bool:
    return bool(re.search(r"<\s*(table|html)\b", source[:200_000], re.IGNORECASE))


def import_table(source: str, path: str, reference: Reference) -> tuple[list[SmelterRow], Accounting]:
    """Rows of the smelter table in `source`; raises DataError naming every bad line."""
    rows = html_rows(source) if looks_like_html(source) else text_rows(source)
    accounting = Accounting(lines_read=source.count("\n") + (not source.endswith("\n")))
    columns, started = None, False
    result: list[SmelterRow] = []
    problems: list[Problem] = []
    for line, raw in rows:
        cells = [clean_cell(c) for c in raw]
        header = _header_columns(cells)
        if header:
            columns, started = header, True
            accounting.table_rows += 1
            accounting.headers.append(line)
            continue
        metal_cell = cells[(columns or DEFAULT_COLUMNS)["metal"]] if cells else ""
        if not started:
            if parse_metal(metal_cell) is None or len([c for c in cells if c]) < 3:
                continue  # prose or cover-page debris before the table
            columns, started = DEFAULT_COLUMNS, True
            accounting.notes.append(f"line {line}: no header row before the table; "
                                    "assumed columns Metal, Smelter Name, Country, Status")
        accounting.table_rows += 1
        if all(DEBRIS.match(c) for c in cells):
            accounting.rejected.append((line, f"page-break debris {''.join(raw).strip()!r}"))
            continue
        row, row_problems = _row(cells, columns, line)
        if row is None:
            problems += [Problem(path, msg, line=line, field=fld) for fld, msg in row_problems]
            continue
        problems += [Problem(path, msg, line=line, field=fld) for fld, msg in validate_row(row, reference, {row.footnote} - {""})]
        result.append(row)
    if problems:
        raise DataError(problems)
    if not result:
        raise DataError(Problem(path, "no smelter table found (no row starts with Gold, Tin, Tantalum or Tungsten)"))
    accounting.written = len(result)
    accounting.duplicates = _exact_duplicates(result)
    return result, accounting


def _row(cells: list[str], columns: dict[str, int], line: int):
    def cell(role: str) -> str:
        index = columns.get(role)
        return cells[index] if index is not None and index < len(cells) else ""

    metal = parse_metal(cell("metal"))
    if metal is None:
        return None, [("metal", f"unknown metal {cell('metal')!r}")]
    footnote = ""
    values = {}
    for role in ("smelter_name", "country", "status"):
        text = cell(role)
        mark = FOOTNOTE_MARK.search(text)
        if mark:
            footnote = footnote or mark.group(1)
            text = text[: mark.start()]
        values[role] = text
    values["country"] = re.sub(r"^[\-–—•·\s]+", "", values["country"])  # "- Japan": a stray bullet
    smelter_id = ""
    if cell("smelter_id"):
        smelter_id = canonical_cid(cell("smelter_id")) or cell("smelter_id")
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
