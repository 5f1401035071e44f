"""Untrusted text made inert in the files we write: spreadsheet formulas and Markdown.

Supplier cells, filings and YAML values can hold `=HYPERLINK(...)` or `[link](javascript:...)`.
Every CSV and XLSX we write (public downloads and staff files alike) passes cells through
`neutralize`; every Markdown report for staff passes supplier text through `markdown_text`.
"""
from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>])")


def neutralize(value):
    """A text cell a spreadsheet would run as a formula, prefixed with ' (OWASP's advice)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def markdown_text(text: str) -> str:
    """Text that Markdown shows as written: the marks that make links, emphasis, code, table
    cells, headings and lists backslash-escaped (escapes CommonMark and Python-Markdown both
    honour), `&` and `<` as entities so no HTML is made, line breaks as spaces."""
    text = " ".join(str(text).split()).replace("&", "&amp;").replace("<", "&lt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
