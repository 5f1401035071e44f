"""What narrative authors can write in docs/YYYY/*.md: figures and formatting filters.

Everything here is listed on the staff guide page (docs/staff-guide.md), which the tests keep
in step with this module.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, field

from disclosures.engine.model import Filing

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
         "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def _doc(text: str):
    return field(metadata={"doc": text})


@dataclass(frozen=True)
class Figures:
    """The figures of one filing, by the names a report uses."""

    year: int = _doc("Reporting calendar year")
    facilities: int = _doc("Smelter and refiner rows listed in the filing")
    distinct: int = _doc("Distinct smelters (the same smelter listed twice counts once)")
    duplicates: int = _doc("Rows that repeat a smelter already listed")
    conformant: int = _doc("Rows whose designation is in the conformant class (e.g. Yes, Full Compliant, Conformant)")
    active: int = _doc("Rows in the active class (e.g. Active, In Process)")
    not_listed: int = _doc("Rows not on the conformant or active lists (e.g. No, Indeterminable, Not Enrolled)")
    non_conformant: int = _doc("Rows found non-conformant or suspended")
    not_stated: int = _doc("Rows the filing published without a designation (a list with no designation column)")
    share_conformant: float = _doc("conformant / facilities, a number from 0 to 1 (use with | percent)")
    in_covered_countries: int = _doc("Rows located in one of the ten Covered Countries")
    greater_risk: int = _doc("Rows in a Covered Country that are neither conformant nor active")
    sanctioned: int = _doc("Rows naming a smelter under sanctions at the filing date (e.g. OFAC SDN)")
    restricted: int = _doc("Rows under any sanction or suspension at the filing date (OFAC, LBMA)")
    surveyed: int = _doc("Contract manufacturers (suppliers) surveyed in the RCOI")
    responded: int = _doc("Contract manufacturers that responded")
    not_responded: int = _doc("surveyed - responded")
    response_rate: float = _doc("responded / surveyed, from 0 to 1 (use with | percent)")
    gold: int = _doc("Gold rows")
    tin: int = _doc("Tin rows")
    tantalum: int = _doc("Tantalum rows")
    tungsten: int = _doc("Tungsten rows")


def figures_of(filing: Filing) -> Figures:
    stats, rcoi = filing.stats, filing.meta.rcoi
    by_class, by_metal = stats.by_class, stats.by_metal
    return Figures(
        year=filing.year,
        facilities=stats.facilities,
        distinct=stats.distinct,
        duplicates=stats.facilities - stats.distinct,
        conformant=by_class.get("conformant", 0),
        active=by_class.get("active", 0),
        not_listed=by_class.get("not_listed", 0),
        non_conformant=by_class.get("non_conformant", 0),
        not_stated=by_class.get("not_stated", 0),
        share_conformant=stats.share_conformant,
        in_covered_countries=stats.in_covered_countries,
        greater_risk=stats.greater_risk,
        sanctioned=stats.sanctioned,
        restricted=stats.restricted,
        surveyed=rcoi.contract_manufacturers_surveyed,
        responded=rcoi.contract_manufacturers_responded,
        not_responded=rcoi.contract_manufacturers_surveyed - rcoi.contract_manufacturers_responded,
        response_rate=rcoi.response_rate,
        gold=by_metal.get("Gold", 0),
        tin=by_metal.get("Tin", 0),
        tantalum=by_metal.get("Tantalum", 0),
        tungsten=by_metal.get("Tungsten", 0),
    )


def figure_docs() -> list[tuple[str, str]]:
    return [(f.name, f.metadata["doc"]) for f in fields(Figures)]


# ---- filters -------------------------------------------------------------------------------

def spell(number: int) -> str:
    """0..99 in words, as filings write small counts ("seven"); larger numbers as digits."""
    n = int(number)
    if 0 <= n < 20:
        return _ONES[n]
    if 20 <= n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens - 2] + (f"-{_ONES[ones]}" if ones else "")
    return f"{n:,}"


def percent(share: float, digits: int = 0) -> str:
    return f"{share * 100:.{digits}f}%"


def longdate(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def number(value: int) -> str:
    return f"{int(value):,}"


def plural(count: int, singular: str, plural_form: str) -> str:
    """The form that agrees with `count`: one smelter *is*, three smelters *are*."""
    return singular if int(count) == 1 else plural_form


FILTERS = {
    "spell": (spell, 'Small counts in words: {{ figures.surveyed | spell }} -> "seven"'),
    "percent": (percent, "A share as a percentage: {{ figures.response_rate | percent }} -> \"100%\"; "
                         "{{ figures.share_conformant | percent(1) }} -> \"63.4%\""),
    "longdate": (longdate, "A date as filings write it: {{ filing.meta.filed_on | longdate }} -> \"May 30, 2024\""),
    "number": (number, "Thousands separators: {{ figures.facilities | number }} -> \"1,234\""),
    "plural": (plural, "The words that agree with a count: {{ figures.greater_risk | plural('smelter is', "
                       "'smelters are') }} -> \"smelter is\" for 1, \"smelters are\" otherwise"),
}
