"""Synthetic CMRT workbooks for the ingest benchmark and the tests that run without the RMI's
templates (a user's clone has no ../shared/rmi-templates/).

They put the answers in the cells of the real 6.x layout (`disclosures.ingest.cmrt_template`,
checked against the RMI's templates by tests/test_cmrt_templates.py): revision in J3, company
D8, effective date D22, one answer per metal under each question, the Smelter List from row 5
(options A, B and C as suppliers use them) and a Smelter Look-up of the smelters listed. The
labels a real file computes in its display language are not needed: the reader never reads them.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

from disclosures.ingest import cmrt_template as layout

LANGUAGES = {"en": "English", "zh": "中文 Chinese", "ja": "日本語 Japanese"}


@dataclass
class SmelterSpec:
    metal: str
    name: str
    country: str
    cid: str = ""
    mine_country: str = ""
    option: str = ""  # "A" (ID only), "B" (look-up name), "C" (not listed); default: B with an ID, else C


@dataclass
class CmrtSpec:
    company: str
    smelters: list[SmelterSpec] = field(default_factory=list)
    version: str = "6.5"
    language: str = "en"
    effective_date: object = dt.date(2024, 5, 2)  # a date, an Excel serial number, or text
    necessary: dict = field(default_factory=lambda: {m: True for m in ("Tantalum", "Tin", "Gold", "Tungsten")})
    from_covered: dict = field(default_factory=lambda: {m: False for m in ("Tantalum", "Tin", "Gold", "Tungsten")})
    all_identified: dict = field(default_factory=lambda: {m: True for m in ("Tantalum", "Tin", "Gold", "Tungsten")})
    responded: str = "100%"
    extra_rows: list[list] = field(default_factory=list)  # raw A..Q rows appended as-is (mess)
    blank_formula_rows: int = 20  # rows of "0" a template's formulas leave behind


def write_cmrt(spec: CmrtSpec, path: Path) -> Path:
    book = Workbook()
    book.active.title = "Revision"
    book["Revision"]["B13"], book["Revision"]["B14"] = "6.01", spec.version
    _declaration(book.create_sheet("Declaration"), spec)
    _smelter_list(book.create_sheet("Smelter List"), spec)
    lookup = book.create_sheet("Smelter Look-up")
    for row, s in enumerate((s for s in spec.smelters if s.cid), 5):
        for column, value in enumerate((s.metal, s.name, s.name, s.country, s.cid, "RMI"), 1):
            lookup.cell(row, column, value)
    path = Path(path)
    book.save(path)
    return path


def _yes_no(value) -> str:
    return ("Yes" if value else "No") if isinstance(value, bool) else value


def _declaration(sheet, spec: CmrtSpec) -> None:
    sheet["D3"] = LANGUAGES.get(spec.language, spec.language)
    sheet["J3"] = f"Revision {spec.version}\nApril 25, 2025"
    sheet["D8"], sheet["D9"], sheet["D22"] = spec.company, "A. Company", spec.effective_date
    every = {m: True for m in spec.necessary}
    answers = {"uses": spec.necessary, "remains": spec.necessary, "covered_countries": spec.from_covered,
               "cahra": {m: False for m in every}, "recycled": {m: False for m in every},
               "responded_share": {m: spec.responded for m in every}, "all_identified": spec.all_identified,
               "all_reported": every}
    for kind, per_metal in answers.items():
        for offset, metal in enumerate(layout.METAL_ORDER, 1):
            sheet.cell(layout.QUESTIONS_6[kind] + offset, layout.ANSWER_COLUMN, _yes_no(per_metal[metal]))


def _smelter_list(sheet, spec: CmrtSpec) -> None:
    row = layout.FIRST_DATA_ROW
    for s in spec.smelters:
        option = s.option or ("B" if s.cid else "C")
        values = {"A": [s.cid], "B": ["", s.metal, s.name, "", s.country, s.cid],
                  "C": ["", s.metal, "Smelter not listed", s.name, s.country, s.cid]}[option]
        for column, value in enumerate(values, 1):
            sheet.cell(row, column, value)
        sheet.cell(row, 15, s.mine_country)
        row += 1
    for raw in spec.extra_rows:
        for column, value in enumerate(raw, 1):
            sheet.cell(row, column, value)
        row += 1
    for _ in range(spec.blank_formula_rows):  # a template's lookup formulas, cached as 0
        for column in (3, 4, 5, 6, 7):
            sheet.cell(row, column, "0")
        row += 1


# ---- realistic random content for the benchmark -------------------------------------------

COUNTRIES = ["CHINA", "JAPAN", "INDONESIA", "UNITED STATES OF AMERICA", "BRAZIL", "GERMANY", "KOREA, REPUBLIC OF",
             "SWITZERLAND", "INDIA", "RUSSIAN FEDERATION", "VIET NAM", "THAILAND", "MALAYSIA", "BOLIVIA", "RWANDA"]
WORDS = ["Golden", "Metal", "Refining", "Smelting", "Mining", "Precious", "Nonferrous", "Industrial", "Pacific",
         "Northern", "Eastern", "Alloy", "Resources", "Materials", "Technology", "Group"]
SUFFIXES = ["Co., Ltd.", "S.A.", "GmbH", "Inc.", "Ltd.", "Corporation", "PT", "LLC", "AG"]


def random_spec(rng: random.Random, index: int, rows: int = 300) -> CmrtSpec:
    smelters = []
    for _ in range(rows):
        cid_number = rng.randint(1, 3000)
        metal = rng.choice(["Gold", "Gold", "Tin", "Tantalum", "Tungsten"])
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {cid_number} {rng.choice(SUFFIXES)}"
        smelters.append(SmelterSpec(metal, name, rng.choice(COUNTRIES),
                                    f"CID{cid_number:06d}" if rng.random() > 0.05 else "", rng.choice(COUNTRIES)))
    return CmrtSpec(company=f"Supplier {index:04d} Co., Ltd.", smelters=smelters,
                    version=rng.choice(["6.01", "6.1", "6.22", "6.31", "6.4", "6.5"]),
                    language=rng.choice(["en", "en", "zh"]))
