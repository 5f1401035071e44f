"""What the RMI Conflict Minerals Reporting Template is: where each answer sits, by revision,
and the template's own translation sheet.

Verified against the RMI's published blank templates 6.01, 6.1, 6.22, 6.31, 6.4 and 6.5
(tests/test_cmrt_templates.py reads each one's sheet `L`): every 6.x revision puts the
Declaration in the same cells. Labels are formulas that follow the display language chosen in
Declaration!D3, so nothing here depends on a label's text; answers are chosen from English
lists, and the sheet `L` (sheet, cell, English, then nine languages) translates anything a
supplier typed in a display language back to English.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from disclosures.engine.names import fold
from disclosures.ingest.table_text import parse_metal

# Declaration rows (1-based). Each question: the heading row, then one row per metal in this order.
METAL_ORDER = ("Tantalum", "Tin", "Gold", "Tungsten")
QUESTIONS_6 = {  # kind -> heading row; the metal rows follow it
    "uses": 25,               # 1) Is any 3TG intentionally added or used in the product(s) or its production?
    "remains": 31,            # 2) Does any 3TG remain in the product(s)?
    "covered_countries": 37,  # 3) ... source the 3TG from the covered countries?
    "cahra": 43,              # 4) ... source the 3TG from conflict-affected and high-risk areas?
    "recycled": 49,           # 5) Does 100 percent of the 3TG come from recycled or scrap sources?
    "responded_share": 55,    # 6) What percentage of relevant suppliers have responded?
    "all_identified": 61,     # 7) Have you identified all of the smelters supplying the 3TG?
    "all_reported": 67,       # 8) Has all applicable smelter information been reported?
}
COMPANY_QUESTIONS_6 = {  # A-H, answered in column D of these rows
    "A": 75, "B": 77, "C": 79, "D": 81, "E": 83, "F": 85, "G": 87, "H": 89,
}
COMPANY_NAME, SCOPE, EFFECTIVE_DATE, LANGUAGE = (8, 4), (9, 4), (22, 4), (3, 4)  # (row, column)
ANSWER_COLUMN, COMMENT_COLUMN = 4, 7
REVISION_CELLS = (("declaration", 3, 10), ("smelter list", 3, 17))  # "Revision 6.5\nApril 25, 2025"
LAYOUT_6 = "6"  # the layout every 6.x revision shares

# Smelter List columns, 0-based (A=0): A ID input, B metal, C look-up name, D name, E country,
# F smelter ID (formula), N mine name, O mine country, P 100% recycled, Q comments.
COL_INPUT_ID, COL_METAL, COL_LOOKUP, COL_NAME, COL_COUNTRY, COL_CID = 0, 1, 2, 3, 4, 5
COL_MINE_COUNTRY = 14
FIRST_DATA_ROW = 5
NOT_LISTED, NOT_IDENTIFIED = "smelter not listed", "smelter not yet identified"

ENGLISH_ANSWERS = ("Yes", "No", "Unknown", "Not applicable", "100%", "Greater than 90%", "Greater than 75%",
                   "Greater than 50%", "50% or less", "None", "Yes, in conformance with IPC1755 (e.g., CMRT)",
                   "Yes, using other format (describe)", "Yes, with the SEC", "Yes, with the EU",
                   "Yes, with the SEC and the EU")


def version_key(text: str) -> Decimal:
    """Revisions are decimals: 6.5 comes after 6.31, and 6.1 is 6.10, not 6.01."""
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal(0)


def revision_of(cells: dict[str, list[list]]) -> str:
    """The template revision printed on the Declaration (J3) or Smelter List (Q3), else the
    newest in the Revision sheet's history; '' when the workbook names none."""
    for sheet, row, col in REVISION_CELLS:
        found = re.search(r"revision\s*:?\s*(\d+(?:\.\d+)?)", _text(cell_at(cells.get(sheet, []), row, col)), re.I)
        if found:
            return found.group(1)
    history = [m.group(1) for r in cells.get("revision", []) for v in r[1:2]
               if (m := re.fullmatch(r"(\d+(?:\.\d+)?)", _text(v)))]
    return max(history, key=version_key) if history else ""


def layout_for(revision: str) -> str | None:
    """The Declaration layout a revision uses; None for the pre-6 templates this reader does not know."""
    return LAYOUT_6 if revision.split(".")[0] == "6" or version_key(revision) >= 6 else None


@dataclass
class Translations:
    """From the workbook's sheet L: any display language's words -> English."""

    words: dict[str, str] = field(default_factory=dict)   # folded text -> English
    labels: dict[str, str] = field(default_factory=dict)  # "Declaration!B25" -> English label
    languages: list[str] = field(default_factory=list)

    def english(self, text: str) -> str:
        return self.words.get(fold(text), text)

    def metal(self, text: str) -> str | None:
        found = parse_metal(text)
        if found:
            return found
        english = self.words.get(fold(text))
        return parse_metal(english) if english else None


def read_translations(rows: list[list]) -> Translations:
    """Sheet L: column B sheet, C cell, D English, E.. the other display languages."""
    result = Translations()
    if rows:
        result.languages = [_text(v) for v in rows[0][3:13] if _text(v)]
    for row in rows[1:]:
        sheet, cell, english = _text(_at(row, 1)), _text(_at(row, 2)), _text(_at(row, 3))
        if not english:
            continue
        result.labels[f"{sheet}!{cell}"] = english
        if _is_vocabulary(sheet, cell):
            for value in row[3:13]:
                if _text(value):
                    result.words.setdefault(fold(_text(value)), english.strip())
    for english in ENGLISH_ANSWERS:
        result.words.setdefault(fold(english), english)
    return result


def _is_vocabulary(sheet: str, cell: str) -> bool:
    """The translated answer lists and metal names (not the long labels)."""
    match = re.fullmatch(r"([A-Z]+)(\d+)", cell)
    if not match:
        return False
    column, row = match.group(1), int(match.group(2))
    return (sheet == "Declaration" and (row >= 94 or (column == "B" and 26 <= row <= 29))) or \
           (sheet == "Smelter List" and column == "AH")


def layout_problems(translations: Translations) -> list[str]:
    """Where a workbook's own labels disagree with the 6.x layout (rows inserted or moved)."""
    if not translations.labels:
        return []
    problems = []
    for number, (kind, row) in enumerate(QUESTIONS_6.items(), 1):
        label = translations.labels.get(f"Declaration!B{row}", "")
        if not label.strip().startswith(f"{number})"):
            problems.append(f"Declaration row {row} should hold question {number}, its label reads {label[:40]!r}")
    for offset, metal in enumerate(METAL_ORDER, 1):
        label = translations.labels.get(f"Declaration!B{QUESTIONS_6['uses'] + offset}", "")
        if parse_metal(label) != metal:
            problems.append(f"Declaration row {QUESTIONS_6['uses'] + offset} should be {metal}, reads {label!r}")
    return problems


def cell_at(rows: list[list], row: int, col: int):
    return rows[row - 1][col - 1] if row - 1 < len(rows) and col - 1 < len(rows[row - 1]) else None


def _at(row: list, index: int):
    return row[index] if index < len(row) else None


def _text(value) -> str:
    return "" if value is None else str(value).strip()

