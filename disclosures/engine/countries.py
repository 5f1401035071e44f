"""Country names as published -> ISO 3166-1 codes, with pycountry and a small alias file.

pycountry knows ISO names, official names and common names in any case ("KOREA, REPUBLIC OF",
"Viet Nam", "TAIWAN, PROVINCE OF CHINA"); the alias file in data/reference/ adds the
UN-style and colloquial names ISO does not carry ("BOLIVIA (PLURINATIONAL STATE OF)", "Turkey").
"""
from __future__ import annotations

from dataclasses import dataclass
import re
from functools import lru_cache

import pycountry


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str  # short English name, for display and facets


# Friendlier display names than ISO's for a handful of codes.
_DISPLAY = {
    "BO": "Bolivia", "KR": "South Korea", "KP": "North Korea", "RU": "Russia", "TW": "Taiwan",
    "VN": "Vietnam", "IR": "Iran", "TZ": "Tanzania", "CD": "DR Congo", "CG": "Republic of the Congo",
    "US": "United States", "GB": "United Kingdom", "LA": "Laos", "SY": "Syria", "MD": "Moldova",
    "VE": "Venezuela", "TR": "Türkiye", "CZ": "Czechia",
}


_LEADING_MARK = re.compile(r"^[\-–—•·\s]+")


class CountryResolver:
    def __init__(self, aliases: dict[str, str]):
        self._aliases = {k.casefold().strip(): v.upper() for k, v in aliases.items()}
        self.resolve = lru_cache(maxsize=4096)(self._resolve)

    def known(self, published: str) -> bool:
        try:
            self.resolve(published)
        except LookupError:
            return False
        return True

    def _resolve(self, published: str) -> Country:
        """Raise LookupError when the name is neither ISO nor an alias."""
        # "- Japan": a dash or bullet a filing printed before the name is not part of it.
        key = " ".join(_LEADING_MARK.sub("", published).split()).casefold()
        if not key:
            raise LookupError("blank country")
        code = self._aliases.get(key)
        record = pycountry.countries.get(alpha_2=code) if code else _iso_lookup(key)
        if record is None:
            raise LookupError(f"unknown country {published!r}")
        return Country(record.alpha_2, display_name(record.alpha_2))


def _iso_lookup(key: str):
    try:
        return pycountry.countries.lookup(key)
    except LookupError:
        return None


def display_name(code: str) -> str:
    record = pycountry.countries.get(alpha_2=code)
    return _DISPLAY.get(code) or getattr(record, "common_name", None) or record.name
