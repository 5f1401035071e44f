"""The one gate every untrusted string passes (CSV and YAML values, workbook and imported cells,
RMI lists): code points that hide in text are refused in the files staff keep, removed (and
counted) from what is imported, and never count when names are matched.

"Hidden" comes from Unicode's own properties (the `regex` module follows each Unicode release),
not a hand list: Default_Ignorable_Code_Point (zero-width and joiner characters, the combining
grapheme joiner, variation selectors, Hangul fillers, Mongolian selectors, tags), every other
format character (bidi controls), controls (NUL...), private-use, unassigned and surrogate code
points, and the line and paragraph separators. A name written with one looks exactly like the
name without it, so a sanctioned smelter could pass unflagged.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex

_HIDDEN = r"\p{Default_Ignorable_Code_Point}\p{Cf}\p{Cc}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}"
HIDDEN = regex.compile(f"[{_HIDDEN}]")


@lru_cache(maxsize=None)
def hidden_but(keep: str):
    """The hidden code points except `keep` (prose keeps its line breaks)."""
    return regex.compile(f"[{_HIDDEN}--[{regex.escape(keep)}]]", flags=regex.VERSION1)


HIDDEN_IN_PROSE = hidden_but("\t\n")


def hidden_code_points(text: str, prose: bool = False) -> list[str]:
    """Each hidden code point of `text`, described ("U+034F COMBINING GRAPHEME JOINER"), once."""
    if text.isascii() and text.isprintable():  # most text: nothing to find
        return []
    found = dict.fromkeys((HIDDEN_IN_PROSE if prose else HIDDEN).findall(text))
    return [describe(c) for c in found]


def describe(char: str) -> str:
    name = unicodedata.name(char, "") or {"Cc": "CONTROL", "Co": "PRIVATE USE", "Cs": "SURROGATE"}.get(
        unicodedata.category(char), "UNASSIGNED")
    return f"U+{ord(char):04X} {name}"


def without_hidden(text: str) -> str:
    return HIDDEN.sub("", text)


SUPER = "<super>"  # the Unicode Character Database's decomposition tag (not HTML)


@lru_cache(maxsize=1)
def _superscripts():
    """Superscripts (¹ ² ™) are footnote marks and trademarks as printed: NFKC would turn "Ltd.¹"
    into "Ltd.1". From the Unicode Character Database, once (only text beyond ASCII needs it)."""
    return regex.compile("([%s])" % "".join(
        regex.escape(chr(i)) for i in range(0x80, 0x10000) if unicodedata.decomposition(chr(i)).startswith(SUPER)))


def clean(text: str, keep: str = "") -> str:
    """An imported cell as staff files keep it: NFKC (compatibility forms, such as fullwidth letters
    or a no-break space, as the plain character; superscripts kept) and no hidden code points but
    `keep` (removed before and after NFKC, which can map one to another)."""
    pattern = hidden_but(keep) if keep else HIDDEN
    if text.isascii():  # NFKC leaves ASCII as it is: only its controls can go
        return pattern.sub("", text) if not text.isprintable() else text
    parts = _superscripts().split(pattern.sub("", text))
    return pattern.sub("", "".join(p if i % 2 else unicodedata.normalize("NFKC", p) for i, p in enumerate(parts)))


def hidden_problem(text: str, prose: bool = False) -> str | None:
    """The one sentence a refusal says, or None when the text passes."""
    found = hidden_code_points(text, prose)
    if not found:
        return None
    return (f"contains {', '.join(found[:3])}{' and more' if len(found) > 3 else ''}: a code point that cannot "
            f"be seen, so this text could pass for other text; delete it (retype the value)")
