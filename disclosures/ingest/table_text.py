"""Reading the words of a published smelter table: metals, header roles, headings, footnote marks.

Pure string functions shared by every layout the importer reads (HTML, text, PDF text,
spreadsheets). Nothing here re-words a name: cells only lose layout debris.
"""
from __future__ import annotations

import re
from functools import lru_cache

from disclosures.engine.names import column_role, fold
from disclosures.engine.text_gate import clean

METAL_WORDS = {
    "gold": "Gold", "au": "Gold",
    "tin": "Tin", "sn": "Tin",
    "tantalum": "Tantalum", "ta": "Tantalum",
    "tungsten": "Tungsten", "w": "Tungsten", "wolfram": "Tungsten",
}
# Words a heading may carry around its metal: "Tantalum Smelters and Refiners", "Annex A - Gold".
HEADING_FILLER = frozenset("""
    smelter smelters refiner refiners refinery refineries facility facilities processing processors
    and or of the list known identified table annex appendix exhibit schedule part section continued
    conflict minerals mineral metal metals i ii iii iv v vi vii viii ix x
    """.split())
# A footnote mark at the end of a cell: *, **, †, ‡, §, (1), ¹; <sup>1</sup> arrives as SUP_OPEN 1 SUP_CLOSE.
SUP_OPEN, SUP_CLOSE = "\ue000", "\ue001"
KEPT = "\t\n\r\v\f\u0085\u2028\u2029" + SUP_OPEN + SUP_CLOSE  # spaces (squeezed after) and the marks
FOOTNOTE_MARK = re.compile(r"\s*(\*{1,3}|[†‡§]{1,3}|\(\d{1,2}\)|[¹²³⁴⁵⁶⁷⁸⁹⁰]{1,2}|" + SUP_OPEN + r"[^" + SUP_CLOSE + r"]{1,3}" + SUP_CLOSE + r")$")
_SUPERSCRIPT_DIGITS = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹⁰", "1234567890")
# Rows that are page furniture, not data: rules, bullets, page numbers, "(continued)".
DEBRIS = re.compile(r"^[\s\-–—_.·•|=]*$")
PAGE_FURNITURE = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?\s*$|^\s*[-–—]\s*\d{1,4}\s*[-–—]\s*$|"
                            r"^\s*\(?(?:table\s+)?continued\)?\s*:?\s*$", re.IGNORECASE)
TOTAL_ROW = re.compile(r"^\s*(?:grand\s+)?(?:total|totals|count|number of (?:smelters|refiners|facilities))\b", re.IGNORECASE)


def clean_cell(text: str) -> str:
    """Remove layout debris from a published cell; keep the words as printed. Soft hyphens and
    zero-width no-break spaces are typesetting, not letters (Word and EDGAR tools emit them)."""
    if "<" in text:
        text = re.sub(r"</?u>", "", text)
    if "**" in text:
        text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)  # Markdown bold in a text filing; a lone ** is a footnote mark
    return clean_text(text)


def clean_text(text: str) -> str:
    """Typesetting debris out, words kept: through the text gate (NFKC; soft hyphens, BOMs,
    zero-width and every other hidden code point, controls removed: never an escape sequence into
    the staff's terminal or the CSV), repeated spaces squeezed. Keeps this module's own
    superscript marks (private-use code points)."""
    return " ".join(clean(text, keep=KEPT).split())


def clean_value(text: str) -> str:
    """clean_text for a cell of a file with no footnote marks of ours (a supplier's workbook, an
    RMI list): a private-use mark in it is hidden text like any other."""
    return plain(clean_text(text))


def plain(text: str) -> str:
    """A cell without superscript brackets: <sup>TM</sup> inside a name reads as TM."""
    return text.replace(SUP_OPEN, "").replace(SUP_CLOSE, "")


@lru_cache(maxsize=4096)
def parse_metal(text: str) -> str | None:
    """`Gold`, `GOLD`, `Gold (Au)`, `Au` -> `Gold`; None for anything else."""
    words = fold(re.sub(r"\(.*?\)", " ", plain(text))) or fold(plain(text))
    return METAL_WORDS.get(words)


def heading_metal(text: str) -> str | None:
    """The metal a heading or section row names: `Gold`, `Tin Smelters`, `Tantalum Smelters and
    Refiners`, `Annex A - Tungsten`. A name with a metal word in it ("Changsha South Tantalum
    Niobium Co") is not a heading: every other word must be heading filler."""
    text = plain(text)
    if len(text) > 80:
        return None
    exact = parse_metal(text)
    if exact:
        return exact
    words = fold(re.sub(r"\((?:au|sn|ta|w)\)", " ", text, flags=re.IGNORECASE)).split()
    metals = {METAL_WORDS[w] for w in words if w in METAL_WORDS and len(w) > 2}
    others = [w for w in words if not (w in METAL_WORDS and len(w) > 2) and w not in HEADING_FILLER and len(w) > 1]
    return metals.pop() if len(metals) == 1 and not others else None


@lru_cache(maxsize=4096)
def header_role(text: str) -> str | None:
    """Which column a header cell names, from its words (engine.names.column_role)."""
    return column_role(fold(clean_cell(plain(text))))


def split_mark(text: str) -> tuple[str, str]:
    """(`text` without its trailing footnote mark, the mark as published): `Refinery*` -> `*`,
    `Refinery (1)` -> `(1)`, `Refinery<sup>1</sup>` -> `1`, `Refinery¹` -> `1`."""
    match = FOOTNOTE_MARK.search(text)
    if not match or match.start() == 0:
        return plain(text), ""
    mark = match.group(1)
    if mark.startswith(SUP_OPEN):
        mark = mark[1:-1].strip()
        if not re.fullmatch(r"\d{1,2}|[*†‡§]{1,3}|[a-z]", mark):
            return plain(text), ""  # <sup>TM</sup>, <sup>st</sup>: part of the name
    return plain(text[: match.start()]).rstrip(), mark.translate(_SUPERSCRIPT_DIGITS)


def footnote_text(line: str, marks: set[str]) -> tuple[str, str] | None:
    """(`mark`, text) when `line` is the footnote text for one of `marks`: `* OFAC designated ...`,
    `(1) Subject to ...`, `1. Subject to ...`, `¹ Subject to`."""
    line = plain(clean_cell(line)).translate(_SUPERSCRIPT_DIGITS)
    for mark in sorted(marks, key=len, reverse=True):
        forms = [re.escape(mark)] + ([rf"\({mark}\)", rf"{mark}[.):]"] if mark.isdigit() else [])
        match = re.match(r"^(?:" + "|".join(forms) + r")\s+(\S.*)$", line)
        if match and (not mark.strip("()").isdigit() or len(match.group(1)) > 20):
            return mark, match.group(1)
    return None
