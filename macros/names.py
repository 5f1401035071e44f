"""Folding smelter names and cleaning published cells, without ever re-wording them."""
from __future__ import annotations

import re
import unicodedata

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


def fold(text: str) -> str:
    """Lower-case, strip accents and punctuation, squeeze spaces: a comparison key."""
    decomposed = unicodedata.normalize("NFKD", text.replace("&", " and "))
    no_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.sub(r"[^\w]+", " ", no_marks.casefold().replace("_", " "))
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


def clean_cell(text: str) -> str:
    """Remove markup and whitespace debris from a published cell; keep the words as printed."""
    text = re.sub(r"</?u>|\*\*", "", text)
    text = text.replace("\u00a0", " ")
    return " ".join(text.split())
