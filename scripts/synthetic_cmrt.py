"""Synthetic CMRT workbooks for the tests and the ingest benchmark.

These are NOT RMI's template (copyrighted, and real supplier files carry personal data): they
reproduce the parts the ingester reads, at the same places (Declaration answers beside their
metal, "Smelter List" headers on row 4 and data from row 5 in columns A..Q), plus the other
sheets and formula-like debris a real file carries, in English or Chinese.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

SMELTER_HEADERS = {
    "en": ["Smelter Identification Number Input Column", "Metal (*)", "Smelter Look-up (*)", "Smelter Name (1)",
           "Smelter Country (1)", "Smelter Identification", "Source of Smelter Identification Number",
           "Smelter Street", "Smelter City", "Smelter Facility Location: State / Province", "Smelter Contact Name",
           "Smelter Contact Email", "Proposed next steps, if applicable", "Name of Mine(s) or if recycled or scrap sourced, enter \"recycled\" or \"scrap\"",
           "Location (Country) of Mine(s) or if recycled or scrap sourced, enter \"recycled\" or \"scrap\"",
           "Does 100% of the smelter's feedstock originate from recycled or scrap sources?", "Comments"],
    "zh": ["冶炼厂识别号码输入栏", "金属 (*)", "冶炼厂查询 (*)", "冶炼厂名称 (1)", "冶炼厂所在国家/地区 (1)", "冶炼厂识别",
           "冶炼厂识别号码来源", "冶炼厂街道", "冶炼厂城市", "冶炼厂所在州/省", "冶炼厂联系人姓名", "冶炼厂联系人电子邮件",
           "建议的后续步骤", "矿山名称", "矿山所在位置（国家/地区）", "冶炼厂原料是否 100% 来自回收料或废料？", "备注"],
}
METAL_WORDS = {"en": {"Gold": "Gold", "Tin": "Tin", "Tantalum": "Tantalum", "Tungsten": "Tungsten"},
               "zh": {"Gold": "金", "Tin": "锡", "Tantalum": "钽", "Tungsten": "钨"}}
QUESTIONS = {
    "en": ["1) Is the intentional addition of 3TG necessary to the functionality or production of your products?",
           "2) Do any of the smelters in your supply chain source the 3TG from the covered countries?",
           "3) Do any of the smelters in your supply chain source the 3TG from CAHRAs?",
           "4) Does 100 percent of the 3TG originate from recycled or scrap sources?",
           "5) What percentage of relevant suppliers have provided a response to your supply chain survey?",
           "6) Have you identified all of the smelters supplying the 3TG to your supply chain?",
           "7) Has all of the smelter information received by your company been reported in this declaration?"],
    "zh": [f"{n}) 问题 {n}" for n in range(1, 8)],
}
YES_NO = {"en": ("Yes", "No"), "zh": ("是", "否")}


@dataclass
class SmelterSpec:
    metal: str
    name: str
    country: str
    cid: str = ""
    mine_country: str = ""


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
    book["Revision"]["A1"] = "Revision"
    book["Revision"]["B2"] = spec.version
    book["Revision"]["C2"] = "Release notes"
    for name in ("Instructions", "Definitions"):
        sheet = book.create_sheet(name)
        for row in range(1, 40):
            sheet.cell(row, 2, f"{name} text, paragraph {row}. " * 3)
    _declaration(book.create_sheet("Declaration"), spec)
    _smelter_list(book.create_sheet("Smelter List"), spec)
    checker = book.create_sheet("Checker")
    for row in range(1, 60):
        checker.cell(row, 1, f"Check {row}")
        checker.cell(row, 2, "=IF(Declaration!D8=\"\",\"Missing\",\"OK\")")
    book.create_sheet("Product List").cell(1, 1, "Manufacturer's Product Number")
    lookup = book.create_sheet("Smelter Look-up")
    for row in range(1, 400):
        lookup.cell(row, 1, "Gold")
        lookup.cell(row, 2, f"Reference smelter {row}")
        lookup.cell(row, 3, f"CID{row:06d}")
    path = Path(path)
    book.save(path)
    return path


def _declaration(sheet, spec: CmrtSpec) -> None:
    en = spec.language == "en"
    sheet["B2"] = f"Conflict Minerals Reporting Template (CMRT) Version {spec.version}"
    labels = [("Company Name (*):", spec.company), ("Declaration Scope or Class (*):", "A. Company"),
              ("Description of Scope:", ""), ("Company Unique ID:", ""), ("Company Unique ID Authority:", ""),
              ("Address:", "1 Example Road"), ("Contact Name (*):", "A. Person"), ("Email – Contact (*):", "a@example.com"),
              ("Phone – Contact (*):", "+1 555 0100"), ("Authorizer (*):", "B. Person"), ("Title - Authorizer:", "Director"),
              ("Email - Authorizer (*):", "b@example.com"), ("Phone - Authorizer (*):", "+1 555 0101"),
              ("Effective Date (*):", spec.effective_date)]
    for offset, (label, value) in enumerate(labels):
        sheet.cell(8 + offset, 2, label if en else f"字段 {offset + 1}:")
        sheet.cell(8 + offset, 4, value)
    yes, no = YES_NO[spec.language]
    answers = [spec.necessary, spec.from_covered, {m: False for m in spec.necessary}, {m: False for m in spec.necessary},
               {m: spec.responded for m in spec.necessary}, spec.all_identified, {m: True for m in spec.necessary}]
    row = 24
    for question, answer in zip(QUESTIONS[spec.language], answers):
        sheet.cell(row, 2, question)
        for metal in ("Tantalum", "Tin", "Gold", "Tungsten"):
            row += 1
            sheet.cell(row, 3, METAL_WORDS[spec.language][metal])
            value = answer[metal]
            sheet.cell(row, 4, (yes if value else no) if isinstance(value, bool) else value)
        row += 2


def _smelter_list(sheet, spec: CmrtSpec) -> None:
    sheet["A1"] = "Smelter List"
    for column, header in enumerate(SMELTER_HEADERS[spec.language], 1):
        sheet.cell(4, column, header)
    row = 5
    for s in spec.smelters:
        values = ["", METAL_WORDS[spec.language].get(s.metal, s.metal), "Smelter not listed" if not s.cid else s.name,
                  s.name, s.country, s.cid, "RMI" if s.cid else "", "", "", "", "", "", "", "", s.mine_country, "No", ""]
        for column, value in enumerate(values, 1):
            sheet.cell(row, column, value)
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
