"""Supplier workbooks made from the RMI's real blank templates, filled as suppliers fill them.

The templates are read from ../shared/rmi-templates/ (never copied into the project). A filled
copy saved by openpyxl keeps the template's formulas without cached values, like a file written
by a program; `recalculate` passes it through LibreOffice, which stores the values as Excel does.
"""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook

TEMPLATES = Path(__file__).resolve().parents[3] / "shared" / "rmi-templates"
REVISIONS = ("6.01", "6.1", "6.22", "6.31", "6.4", "6.5")
LANGUAGES = ("English", "中文 Chinese", "日本語 Japanese", "한국어 Korean", "Français", "Português", "Deutsch",
             "Español", "Italiano", "Türkçe")
QUESTION_ROWS = {"uses": 25, "remains": 31, "covered_countries": 37, "cahra": 43, "recycled": 49,
                 "responded_share": 55, "all_identified": 61, "all_reported": 67}
METAL_ORDER = ("Tantalum", "Tin", "Gold", "Tungsten")


def template(revision: str) -> Path:
    return TEMPLATES / f"RMI_CMRT_{revision}.xlsx"


def available() -> bool:
    return all(template(r).is_file() for r in REVISIONS)


@dataclass
class Row:
    """One Smelter List row as a supplier types it: only the input cells."""

    input_id: str = ""       # A (option A)
    metal: str = ""          # B (options B and C)
    lookup: str = ""         # C: a look-up name, "Smelter not listed" or "Smelter not yet identified"
    name: str = ""           # D (option C)
    country: str = ""        # E (option C)
    mine_country: str = ""   # O


def by_id(cid: str, mine_country: str = "") -> Row:
    return Row(input_id=cid, mine_country=mine_country)


def by_name(metal: str, lookup: str) -> Row:
    return Row(metal=metal, lookup=lookup)


def not_listed(metal: str, name: str, country: str) -> Row:
    return Row(metal=metal, lookup="Smelter not listed", name=name, country=country)


def answers(**per_kind) -> dict[str, dict[str, str]]:
    """Every question answered for every metal; `covered_countries={"Gold": "Yes"}` overrides."""
    base = {"uses": "Yes", "remains": "Yes", "covered_countries": "No", "cahra": "No", "recycled": "No",
            "responded_share": "Greater than 90%", "all_identified": "Yes", "all_reported": "Yes"}
    return {kind: {m: per_kind.get(kind, {}).get(m, value) for m in METAL_ORDER} for kind, value in base.items()}


@dataclass
class Supplier:
    company: str = "Acme Components Ltd."
    language: str = "English"
    effective_date: object = dt.date(2025, 3, 31)
    scope: str = "A. Company"
    answers: dict = field(default_factory=answers)
    company_answers: dict = field(default_factory=lambda: dict.fromkeys("ABCDEFGH", "Yes"))
    rows: list[Row] = field(default_factory=list)
    cells: dict = field(default_factory=dict)  # extra (sheet, cell) -> value, for hostile files


def fill(revision: str, supplier: Supplier, path: Path) -> Path:
    book = load_workbook(template(revision))
    decl, smelters = book["Declaration"], book["Smelter List"]
    decl["D3"], decl["D8"], decl["D9"], decl["D22"] = supplier.language, supplier.company, supplier.scope, supplier.effective_date
    for kind, per_metal in supplier.answers.items():
        for offset, metal in enumerate(METAL_ORDER, 1):
            decl.cell(QUESTION_ROWS[kind] + offset, 4).value = per_metal.get(metal)
    for letter, row in zip("ABCDEFGH", range(75, 90, 2)):
        decl.cell(row, 4).value = supplier.company_answers.get(letter)
    for number, row in enumerate(supplier.rows, 5):
        for column, value in (("A", row.input_id), ("B", row.metal), ("C", row.lookup), ("D", row.name),
                              ("E", row.country), ("O", row.mine_country)):
            cell = smelters[f"{column}{number}"]
            stray = number == 5 and not str(cell.value or "").startswith("=")  # some copies' row 5 holds stray values
            if value or stray:  # a supplier overwrites them, and leaves the template's formulas
                cell.value = value or None
    for (sheet, cell), value in supplier.cells.items():
        book[sheet][cell] = value
    book.save(path)
    return path


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def recalculate_all(paths: list[Path], out_dir: Path) -> list[Path]:
    """The workbooks as LibreOffice saves them: formulas with cached values, like Excel's files
    (one LibreOffice start for all of them)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([soffice(), "--headless", "--norestore", f"-env:UserInstallation=file://{out_dir}/.lo-profile",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out_dir), *map(str, paths)],
                   check=True, capture_output=True, timeout=600)
    return [out_dir / p.name for p in paths]
