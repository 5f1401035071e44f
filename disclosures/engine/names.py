"""Folding smelter names and cleaning published cells, without ever re-wording them."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from confusable_homoglyphs import confusables

from disclosures.engine.text_gate import clean, describe

# Legal-form words dropped when comparing names: "Argor-Heraeus SA" = "Argor-Heraeus S.A.".
# Compared after punctuation is removed, so "S.A." arrives here as "s a" and is joined first.
LEGAL_SUFFIXES = frozenset(
    """
    ag sa sas sarl spa srl bv nv gmbh kg co corp corporation company inc incorporated llc
    ltd limited plc pte pty tbk jsc ojsc cjsc pjsc oao zao ooo kk sdn bhd ltda lda as asa ab
    oy llp lp persero
    """.split()
)
_JOINABLE_INITIALS = re.compile(r"\b(?:[a-z] )+[a-z]\b")  # "s a" -> "sa", "s p a" -> "spa"


@lru_cache(maxsize=None)
def _latin_lookalike(char: str) -> str:
    """The ASCII letter a non-ASCII letter is confusable with (Unicode TR39 data), else itself."""
    for glyph in confusables.confusables_data.get(char, ()):
        if len(glyph["c"]) == 1 and glyph["c"].isascii() and glyph["c"].isalpha():
            return glyph["c"]
    return char


def skeleton(text: str) -> str:
    """NFKC, hidden code points removed (text_gate), look-alike letters (Cyrillic А, Greek ο,
    fullwidth ｅ) mapped to the Latin letter they imitate: what a reader would take the text to say."""
    text = clean(text)
    return "".join(c if c.isascii() else _latin_lookalike(c) for c in text)


def mixed_script_words(text: str) -> list[str]:
    """Words mixing Latin letters with look-alikes from another script ("Аfrican" with a Cyrillic А)."""
    return [w for w in text.split() if any(c.isascii() and c.isalpha() for c in w)
            and any(not c.isascii() and c.isalpha() and _latin_lookalike(c) != c and not _is_latin(c) for c in w)]


def lookalike_characters(text: str) -> list[str]:
    """Each character a reader would take for another: compatibility forms (fullwidth, ligatures),
    hidden code points and letters of another script imitating a Latin one, described once."""
    found = [c for c in dict.fromkeys(text) if clean(c) != c or
             (not c.isascii() and c.isalpha() and not _is_latin(c) and _latin_lookalike(c) != c)]
    return [f"{c if clean(c) else ''} {describe(c)}".strip() for c in found]


def _is_latin(char: str) -> bool:
    return unicodedata.name(char, "").startswith("LATIN")


@lru_cache(maxsize=1 << 16)  # every name is folded again by each comparison it takes part in
def fold(text: str) -> str:
    """Lower-case, strip accents, look-alikes and punctuation, squeeze spaces: a comparison key.

    To a fixed point: removing an accent can leave a look-alike ("ἀ" -> "α" -> "a"); look-alikes
    only ever map to ASCII, so a few passes settle it."""
    for _ in range(4):
        folded = _fold_once(text)
        if folded == text:
            break
        text = folded
    return text


def _fold_once(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", skeleton(text).casefold().replace("&", " and "))
    no_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.sub(r"[^\w]+", " ", skeleton(no_marks).casefold().replace("_", " "))
    return " ".join(words.split())


def name_key(name: str) -> str:
    """Comparison key for a smelter name: folded, legal suffixes dropped.

    Falls back to the folded name when every word is a legal suffix, so no key is empty
    for a non-empty name.
    """
    key = fold(name)
    while True:  # to a fixed point: dropping "co" from "a co a" leaves initials to join ("aa")
        joined = _JOINABLE_INITIALS.sub(lambda m: m.group(0).replace(" ", ""), key)
        kept = " ".join(w for w in joined.split() if w not in LEGAL_SUFFIXES) or joined
        if kept == key:
            return key
        key = kept


def column_role(words: str) -> str | None:
    """Which column of a smelter list a header names, from its folded words (checked most
    specific first): smelter_id, country, status, metal or smelter_name; None if none."""
    if not words or len(words.split()) > 8:
        return None
    if re.search(r"\b(cid|id|identification)\b|\b(smelter|refiner|facility|rmi) (number|no)\b", words):
        return "smelter_id"
    if re.search(r"\b(country|location)\b", words):
        return "country"
    if re.search(r"\b(designation|status|conformant|compliant|conflict free|audit|rmap)\b", words):
        return "status"
    if words in ("metal", "mineral", "metal type", "3tg", "conflict mineral") or words.startswith("metal "):
        return "metal"
    if re.search(r"\b(smelter|refiner|refinery|facility|name)\b", words):
        return "smelter_name"
    return None
