"""The I/O edge of the CMRT reader: one supplier workbook -> bounded grids of cell values.

Supplier workbooks are untrusted. Every sheet is read within fixed bounds (never the sheet's
declared dimension, which a file can set to A1:XFD1048576), the zip is checked for members that
inflate beyond any real template before anything is parsed, and every failure becomes
NotACmrt with the reason staff should see, so one bad file never costs the others.

The sheets' XML is streamed from the zip with lxml's iterparse, row by row, and reading stops at
the bound: only the parts the reader needs (workbook, shared strings, the sheets of BOUNDS, the
Smelter Look-up only when a row asks for it), never the stylesheet or the sheets it has no use for. The cached values are what Excel shows; a cell
without one (a formula a program wrote) reads as empty, as openpyxl's data-only reading gives it.
(openpyxl read-only, the reader before, parsed the stylesheet and was 3-5x slower; python-calamine
builds the whole used range first: one cell at XFD1048576 made it ask for 512 GiB and abort.)
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from lxml import etree

# (rows, columns) read from each sheet, 1-based from A1. The templates use Declaration A1:W119,
# Smelter List A1:Q2504 (data from row 5), Smelter Look-up A1:J~700, L A1:M1012, C A1:B250.
BOUNDS = {
    "declaration": (130, 23),
    "smelter list": (10_004, 17),
    "smelter look-up": (20_000, 6),
    "l": (3_000, 13),
    "c": (400, 2),
    "revision": (200, 6),
}
REQUIRED = ("declaration", "smelter list")
# Read only when asked for: a workbook Excel saved carries the look-up's answers in the Smelter
# List's cached formula values, so most rows never need the look-up itself (cmrt.parse_row).
ON_DEMAND = ("smelter look-up",)
MAX_MEMBER_BYTES = 150_000_000    # one XML part, inflated (the 6.5 template's largest: 5.8 MB)
MAX_TOTAL_BYTES = 400_000_000     # all parts, inflated
MAX_RATIO = 300                   # inflated / compressed, per part (the templates': under 40)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")


class CellError(str):
    """A formula's cached error (#N/A, #REF!...), as Excel shows it: the formula was computed."""


class NotACmrt(ValueError):
    """A workbook this ingester cannot take, with the reason staff should see."""


@dataclass
class Sheets:
    """The sheets of one workbook the reader needs, as rows of cell values from A1; a deferred
    sheet is read the first time `get` asks for it."""

    names: list[str]
    grids: dict[str, list[list]]  # folded sheet name ("declaration", "l", ...) -> rows
    overflow: dict[str, int]      # folded sheet name -> the bound it has content beyond
    declared: dict[str, str] = field(default_factory=dict)  # sheets claiming a range far beyond what is read
    deferred: set[str] = field(default_factory=set)  # sheets to read when first asked for ...
    read_later: Callable[[str], None] | None = field(default=None, repr=False)  # ... by this

    def get(self, name: str) -> list[list]:
        if name in self.deferred and self.read_later is not None:
            self.deferred.discard(name)
            self.read_later(name)
        return self.grids.get(name, [])


def read_sheets(path: Path, on_demand: tuple[str, ...] = ON_DEMAND) -> Sheets:
    """The sheets of BOUNDS that the workbook has (those of `on_demand` when first asked for);
    NotACmrt with a reason otherwise, also from a sheet read on demand."""
    path = Path(path)
    check_container(path)
    now = [key for key in BOUNDS if key not in on_demand]
    sheets, strings = _guarded(lambda: _read(path, now))
    sheets.deferred = set(on_demand) & set(BOUNDS)
    sheets.read_later = lambda key: _guarded(lambda: _read(path, [key], sheets, strings))
    return sheets


def _guarded(read):
    try:
        return read()
    except NotACmrt:
        raise
    except MemoryError:
        raise NotACmrt("the workbook needs more memory than any CMRT: not read") from None
    except Exception as exc:  # a damaged zip or XML: each layer raises its own types
        raise NotACmrt(f"unreadable workbook ({type(exc).__name__}: {str(exc)[:120]})") from None


def check_container(path: Path) -> None:
    """Refuse a file that is not an .xlsx zip, or whose parts inflate beyond any real workbook."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head:
        raise NotACmrt("empty file")
    if head.startswith(OLE_MAGIC):
        if ENCRYPTED_MARK in path.read_bytes()[:200_000]:
            raise NotACmrt("password-protected (encrypted) workbook: ask the supplier for an unprotected copy")
        raise NotACmrt("legacy .xls workbook: ask the supplier to save it as .xlsx")
    if not head.startswith(b"PK"):
        raise NotACmrt("not an Excel .xlsx file (corrupt, or another format)")
    try:
        members = zipfile.ZipFile(path).infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise NotACmrt(f"not a readable .xlsx (zip) file: {exc}") from None
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > MAX_MEMBER_BYTES or (member.file_size > 10_000_000 and ratio > MAX_RATIO):
            raise NotACmrt(f"{member.filename} inflates to {member.file_size:,} bytes ({ratio:,.0f}x its "
                           "compressed size): not a CMRT, possibly a zip bomb")
    total = sum(m.file_size for m in members)
    if total > MAX_TOTAL_BYTES:
        raise NotACmrt(f"the workbook inflates to {total:,} bytes, far beyond any CMRT: not read")


def _read(path: Path, keys: list[str], sheets: Sheets | None = None, strings: list[str] | None = None):
    """Read the sheets `keys` into `sheets` (a new Sheets when None, which checks the workbook is a
    CMRT); (sheets, the shared strings), kept for a sheet read later."""
    with zipfile.ZipFile(path) as book:
        parts = _sheet_parts(book)
        by_fold = {name.strip().casefold(): name for name in parts}
        if sheets is None:
            missing = [name for name in REQUIRED if name not in by_fold]
            if missing:
                raise NotACmrt(f"not a CMRT: no '{missing[0].title()}' sheet (sheets: {', '.join(list(parts)[:8])})")
            sheets = Sheets(list(parts), {}, {})
        strings = _shared_strings(book) if strings is None else strings
        for key in keys:
            rows, cols = BOUNDS[key]
            grid, claim = _grid(book, parts[by_fold[key]], strings, rows + 1, cols) if key in by_fold else ([], None)
            if len(grid) > rows and any(v not in (None, "") for v in grid[rows]):
                sheets.overflow[key] = rows
            if key in by_fold:
                sheets.grids[key] = grid[:rows]
            if claim and (claim[0] > rows or claim[1] > 16_000):  # the file's own claim, only told
                sheets.declared[key] = f"{claim[1]:,} columns x {claim[0]:,} rows"
        return sheets, strings


# ---- the workbook's XML, streamed (SpreadsheetML, ECMA-376 Part 1 section 18) -----------------
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)$")


def _xml_events(book: zipfile.ZipFile, member: str, tags: tuple[str, ...]):
    """(event, element) of `member`'s elements named `tags`, streamed: no entity expansion, no
    network, no DTD; each element is the caller's to clear."""
    return etree.iterparse(book.open(member), events=("end",), tag=tags, resolve_entities=False, no_network=True,
                           load_dtd=False, huge_tree=False, remove_comments=True)


def _sheet_parts(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML part, in the workbook's order."""
    targets = {}
    for _, rel in _xml_events(book, "xl/_rels/workbook.xml.rels", (f"{_PACKAGE_REL}Relationship",)):
        target = rel.get("Target", "")
        targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    names = set(book.namelist())
    parts = {}
    for _, sheet in _xml_events(book, "xl/workbook.xml", (f"{_MAIN}sheet",)):
        part = targets.get(sheet.get(f"{_REL}id"))
        if part in names:
            parts[sheet.get("name", "")] = part
    return parts


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    """The shared strings, each its text runs joined (phonetic guides left out, as Excel shows them)."""
    member = next((n for n in book.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
    if member is None:
        return []
    strings = []
    for _, item in _xml_events(book, member, (f"{_MAIN}si",)):
        strings.append("".join(t.text or "" for t in item.iter(f"{_MAIN}t")
                               if t.getparent().tag != f"{_MAIN}rPh"))
        item.clear()
    return strings


def _grid(book: zipfile.ZipFile, part: str, strings: list[str], max_rows: int, max_cols: int):
    """Rows 1..max_rows, columns 1..max_cols of a sheet as cached values (what Excel shows), the
    sheet's own claimed extent (rows, columns) or None; stops at the bound, whatever the file says."""
    grid: list[list] = []
    claim = None
    row_number = 0
    events = _xml_events(book, part, (f"{_MAIN}dimension", f"{_MAIN}row"))
    for _, element in events:
        if element.tag == f"{_MAIN}dimension":
            claim = _extent(element.get("ref", ""))
            continue
        row_number = int(element.get("r") or row_number + 1)
        if row_number > max_rows:
            break
        cells: list = []
        column = 0
        for cell in element.iter(f"{_MAIN}c"):
            found = _CELL_REF.match(cell.get("r", ""))
            column = _column_number(found.group(1)) if found else column + 1
            if column > max_cols:
                break
            value = _value(cell, strings)
            if value is not None:
                cells.extend([None] * (column - len(cells)))
                cells[column - 1] = value
        grid.extend([] for _ in range(row_number - len(grid)))
        grid[row_number - 1] = cells  # (rows out of order, which Excel never writes, land in place)
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]
    width = max_cols
    return [row + [None] * (width - len(row)) for row in grid], claim


def _value(cell, strings: list[str]):
    """A cell's cached value as openpyxl gives it (data_only): text, int or float, bool, an error's text."""
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{_MAIN}t") if t.getparent().tag != f"{_MAIN}rPh")
    found = cell.find(f"{_MAIN}v")
    text = found.text if found is not None else None
    if text is None:
        return None
    if kind == "s":
        index = int(text)
        return strings[index] if 0 <= index < len(strings) else None
    if kind == "b":
        return text.strip() == "1"
    if kind == "e":
        return CellError(text)
    if kind in ("str", "d"):
        return text
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and not any(c in text for c in ".eE") else number


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _extent(ref: str) -> tuple[int, int] | None:
    """The bottom-right corner of a dimension like A1:XFD1048576 as (rows, columns)."""
    found = _CELL_REF.match(ref.split(":")[-1].replace("$", ""))
    return (int(found.group(2)), _column_number(found.group(1))) if found else None
