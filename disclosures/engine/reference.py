"""Reference data from data/reference/: what makes years comparable and flags risk."""
from __future__ import annotations

import builtins
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional

from pydantic import Field, RootModel

from disclosures.engine.countries import CountryResolver
from disclosures.engine.errors import DataError, Problem
from disclosures.engine.model import Strict
from disclosures.engine.names import name_key
from disclosures.engine.yamlio import read_typed

METALS = ("Gold", "Tantalum", "Tin", "Tungsten")
RESOLVED_IDS = "resolved_ids.yaml"  # in data/reference/: IDs this site resolved (scripts/dev resolve-ids)
# The classes, best first: the order of tables, sorting and "improved"/"worsened" between filings.
CLASS_ORDER = ("conformant", "active", "not_listed", "non_conformant", "not_stated")
# A row the filing published without a designation (a list with no designation column): its
# own class, never ranked against the others, never guessed.
NOT_STATED = "not_stated"


@dataclass(frozen=True)
class StatusClass:
    key: str
    label: str
    description: str


@dataclass(frozen=True)
class Restriction:
    kind: str
    """"sanction" or "suspension"."""
    authority: str
    list: str
    date: dt.date
    metal: str
    country: str
    names: frozenset[str]
    """Name keys"""
    smelter_id: str | None
    source: str

    @property
    def label(self) -> str:
        return f"{self.authority} {'sanctioned' if self.kind == 'sanction' else 'suspended'}"

    def matches(self, metal: str, country: str, key: str, smelter_id: str | None) -> bool:
        if self.smelter_id and smelter_id:
            return self.smelter_id == smelter_id
        return metal == self.metal and country == self.country and key in self.names


@dataclass(frozen=True)
class Reference:
    classes: dict[str, StatusClass]
    designations: dict[str, str]
    """Folded designation -> class key"""
    covered_countries: dict[str, str]
    """ISO code -> name"""
    restrictions: tuple[Restriction, ...]
    countries: CountryResolver
    smelter_aliases: tuple[dict, ...] = ()
    resolved_ids: dict[tuple[int, str, str, str], str] = field(default_factory=dict)
    """(year, metal, name key, ISO) -> CID"""
    restrictions_checked_on: dt.date | None = None

    def resolved_id(self, year: int, metal: str, key: str, country_code: str) -> str:
        return self.resolved_ids.get((year, metal, key, country_code), "")

    def class_of(self, designation: str) -> str | None:
        key = designation_key(designation)
        return self.designations.get(key) if key else NOT_STATED


def designation_key(text: str) -> str:
    """Designations compare ignoring case and repeated spaces."""
    return " ".join(text.split()).casefold()


# ---- the files of data/reference/, as typed schemas (a misspelt key names file, line and field) ----

class ClassSpec(Strict):
    label: str = Field(min_length=1)
    description: str = ""


class DesignationsFile(Strict):
    classes: dict[str, ClassSpec]
    designations: dict[str, str]


class CoveredCountriesFile(Strict):
    covered_countries: dict[str, str]


class RestrictionSpec(Strict):
    kind: Literal["sanction", "suspension"]
    authority: str = Field(min_length=1)
    list: str = Field(min_length=1)
    date: dt.date
    metal: Literal[METALS]
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code")
    names: builtins.list[str] = []
    """The names it is listed under (compared folded); `builtins.list`: `list` is a field here"""
    smelter_id: str | None = None
    source: str = ""


class RestrictionsFile(Strict):
    checked_on: Optional[dt.date] = None
    """When these entries were last checked against the authorities' own lists (shown beside each flag)"""
    restrictions: list[RestrictionSpec]


class AliasName(Strict):
    year: int
    name: str = Field(min_length=1)


class SmelterAlias(Strict):
    metal: Literal[METALS]
    names: list[AliasName] = Field(min_length=2)
    note: str = ""


class SmelterAliasesFile(Strict):
    aliases: list[SmelterAlias] = []


class ResolvedId(Strict):
    """One row of a filing published without an ID, and the RMI ID staff accepted for it."""

    year: int
    metal: Literal[METALS]
    name: str = Field(min_length=1)
    country: str = Field(min_length=1)
    """As published: two refiners can share a name ("Johnson Matthey")"""
    smelter_id: str = Field(pattern=r"^CID\d{6}$")
    basis: str = ""
    """"standard name", "known name", "similar name"."""
    score: float = 100
    source: str = ""
    """The Smelter Look-up it came from"""


class ResolvedIdsFile(Strict):
    resolved: list[ResolvedId] = []


class CountryAliasesFile(RootModel[dict[str, str]]):
    """Published country name -> ISO 3166-1 alpha-2 code."""


def load_reference(folder: Path) -> Reference:
    folder = Path(folder)
    spec = read_typed(folder / "designations.yaml", DesignationsFile)
    classes = {key: StatusClass(key, c.label, c.description) for key, c in spec.classes.items()}
    problems = [] if tuple(classes) == CLASS_ORDER else [
        Problem(folder / "designations.yaml", f"classes must be, in order: {', '.join(CLASS_ORDER)}", field="classes")]
    problems += [
        Problem(folder / "designations.yaml", f"{word!r} maps to unknown class {cls!r}", field=f"designations.{word}")
        for word, cls in spec.designations.items() if cls not in classes
    ]
    if problems:
        raise DataError(problems)
    restrictions_file = read_typed(folder / "restrictions.yaml", RestrictionsFile)
    restrictions = tuple(
        Restriction(kind=r.kind, authority=r.authority, list=r.list, date=r.date, metal=r.metal, country=r.country,
                    names=frozenset(name_key(n) for n in r.names), smelter_id=r.smelter_id, source=r.source)
        for r in restrictions_file.restrictions
    )
    aliases_path = folder / "smelter_aliases.yaml"
    aliases = read_typed(aliases_path, SmelterAliasesFile).aliases if aliases_path.exists() else []
    resolved_path = folder / RESOLVED_IDS
    resolved = read_typed(resolved_path, ResolvedIdsFile).resolved if resolved_path.exists() else []
    countries = CountryResolver(read_typed(folder / "country_aliases.yaml", CountryAliasesFile).root)
    unknown = [Problem(resolved_path, f"{r.smelter_id}: unknown country {r.country!r}", field="resolved")
               for r in resolved if not countries.known(r.country)]
    if unknown:
        raise DataError(unknown)
    return Reference(
        classes=classes,
        designations={designation_key(str(w)): c for w, c in spec.designations.items()},
        covered_countries=read_typed(folder / "covered_countries.yaml", CoveredCountriesFile).covered_countries,
        restrictions=restrictions,
        restrictions_checked_on=restrictions_file.checked_on,
        countries=countries,
        smelter_aliases=tuple(a.model_dump() for a in aliases),
        resolved_ids={(r.year, r.metal, name_key(r.name), countries.resolve(r.country).code): r.smelter_id
                      for r in resolved},
    )
