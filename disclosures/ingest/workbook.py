"""The I/O edge of the CMRT reader: one supplier workbook -> bounded grids of cell values.

Supplier workbooks are untrusted. Every sheet is read within fixed bounds (never the sheet's
declared dimension, which a file can set to A1:XFD1048576), the zip is checked for members that
inflate beyond any real template before anything is parsed, and every failure becomes
NotACmrt with the reason staff should see, so one bad file never costs the others.

openpyxl in read-only mode streams each sheet's XML row by row and stops at the bound. (The
faster python-calamine builds the whole used range first: one cell at XFD1048576 made it ask
for 512 GiB and abort the process, so it cannot read files we did not write.)
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

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
MAX_MEMBER_BYTES = 150_000_000    # one XML part, inflated (the 6.5 template's largest: 5.8 MB)
MAX_TOTAL_BYTES = 400_000_000     # all parts, inflated
MAX_RATIO = 300                   # inflated / compressed, per part (the templates': under 40)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")


class NotACmrt(ValueError):
    """A workbook this ingester cannot take, with the reason staff should see."""


@dataclass
class Sheets:
    """The sheets of one workbook the reader needs, as rows of cell values from A1."""

    names: list[str]
    grids: dict[str, list[list]]  # folded sheet name ("declaration", "l", ...) -> rows
    overflow: dict[str, int]      # folded sheet name -> the bound it has content beyond
    declared: dict[str, str] = field(default_factory=dict)  # sheets claiming a range far beyond what is read

    def get(self, name: str) -> list[list]:
        return self.grids.get(name, [])


def read_sheets(path: Path) -> Sheets:
    """The sheets of BOUNDS that the workbook has; NotACmrt with a reason otherwise."""
    path = Path(path)
    check_container(path)
    try:
        return _read(path)
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


def _read(path: Path) -> Sheets:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        by_fold = {name.strip().casefold(): name for name in book.sheetnames}
        missing = [name for name in REQUIRED if name not in by_fold]
        if missing:
            raise NotACmrt(f"not a CMRT: no '{missing[0].title()}' sheet (sheets: {', '.join(book.sheetnames[:8])})")
        grids, overflow, declared = {}, {}, {}
        for key, (rows, cols) in BOUNDS.items():
            if key in by_fold:
                sheet = book[by_fold[key]]
                grid = [list(r) for r in sheet.iter_rows(min_row=1, max_row=rows + 1, max_col=cols, values_only=True)]
                if len(grid) > rows and any(v not in (None, "") for v in grid[rows]):
                    overflow[key] = rows
                grids[key] = grid[:rows]
                if (sheet.max_row or 0) > rows or (sheet.max_column or 0) > 16_000:  # the file's own claim, only told
                    declared[key] = f"{sheet.max_column or 0:,} columns x {sheet.max_row or 0:,} rows"
        return Sheets(list(book.sheetnames), grids, overflow, declared)
    finally:
        book.close()
