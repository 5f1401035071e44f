"""Country names as suppliers type them, in any of the CMRT's ten display languages -> ISO codes.

In order: the site's resolver (ISO names in English and data/reference/country_aliases.yaml);
the workbook's own country sheet `C` (ISO code, English name); then the ISO 3166 names in the
template languages from pycountry's translations (maintained with the standard by Debian's
iso-codes project), so "中国", "Chine", "Demokratische Republik Kongo" and "콩고 민주 공화국"
resolve. A name none of them knows stays unresolved, for staff to follow up.
"""
from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry

from disclosures.engine.countries import CountryResolver
from disclosures.engine.names import fold

# The display languages of CMRT 6.x (sheet L, row 1) as gettext locales.
TEMPLATE_LOCALES = ("zh_CN", "zh_TW", "ja", "ko", "fr", "pt", "pt_BR", "de", "es", "it", "tr")


@lru_cache(maxsize=1)
def translated_names() -> dict[str, str]:
    """Folded country name in a template language -> ISO alpha-2 code."""
    names: dict[str, str] = {}
    for locale in TEMPLATE_LOCALES:
        try:
            table = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
        except OSError:
            continue
        for country in pycountry.countries:
            for attr in ("name", "official_name", "common_name"):
                english = getattr(country, attr, None)
                if english:
                    names.setdefault(fold(table.gettext(english)), country.alpha_2)
    return names


def country_sheet(rows: list[list]) -> dict[str, str]:
    """Sheet C of a CMRT: column A the ISO code, column B the English name; header on row 1."""
    found = {}
    for row in rows[1:]:
        code, name = (str(v).strip() if v is not None else "" for v in (list(row) + [None, None])[:2])
        if len(code) == 2 and code.isalpha() and name:
            found[fold(name)] = code.upper()
    return found


def country_code(text: str, resolver: CountryResolver, workbook_names: dict[str, str] | None = None) -> str | None:
    """The ISO code of a country name in any template language, or None."""
    if not text.strip():
        return None
    try:
        return resolver.resolve(text).code
    except LookupError:
        pass
    key = fold(text)
    code = (workbook_names or {}).get(key) or translated_names().get(key)
    return code if code and pycountry.countries.get(alpha_2=code) else None
