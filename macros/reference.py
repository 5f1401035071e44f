"""Reference data from data/reference/: what makes years comparable and flags risk."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .countries import CountryResolver
from .errors import DataError, Problem
from .names import name_key
from .yamlio import read_yaml

METALS = ("Gold", "Tantalum", "Tin", "Tungsten")
# The classes, best first: the order of tables, sorting and "improved"/"worsened" between filings.
CLASS_ORDER = ("conformant", "active", "not_listed", "non_conformant")


@dataclass(frozen=True)
class StatusClass:
    key: str
    label: str
    description: str


@dataclass(frozen=True)
class Restriction:
    kind: str  # "sanction" or "suspension"
    authority: str
    list: str
    date: dt.date
    metal: str
    country: str
    names: frozenset[str]  # name keys
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
    designations: dict[str, str]  # folded designation -> class key
    covered_countries: dict[str, str]  # ISO code -> name
    restrictions: tuple[Restriction, ...]
    countries: CountryResolver
    smelter_aliases: tuple[dict, ...] = ()

    def class_of(self, designation: str) -> str | None:
        return self.designations.get(designation_key(designation))


def designation_key(text: str) -> str:
    """Designations compare ignoring case and repeated spaces."""
    return " ".join(text.split()).casefold()


def load_reference(folder: Path) -> Reference:
    designations = read_yaml(folder / "designations.yaml")
    classes = {
        key: StatusClass(key, spec["label"], spec.get("description", ""))
        for key, spec in designations["classes"].items()
    }
    problems = [] if tuple(classes) == CLASS_ORDER else [
        Problem(folder / "designations.yaml", f"classes must be, in order: {', '.join(CLASS_ORDER)}", field="classes")]
    problems += [
        Problem(folder / "designations.yaml", f"{word!r} maps to unknown class {cls!r}", field="designations")
        for word, cls in designations["designations"].items()
        if cls not in classes
    ]
    if problems:
        raise DataError(problems)
    covered = read_yaml(folder / "covered_countries.yaml")["covered_countries"]
    restrictions = tuple(
        Restriction(
            kind=r["kind"], authority=r["authority"], list=r["list"], date=r["date"],
            metal=r["metal"], country=r["country"],
            names=frozenset(name_key(n) for n in r.get("names", [])),
            smelter_id=r.get("smelter_id"), source=r.get("source", ""),
        )
        for r in read_yaml(folder / "restrictions.yaml")["restrictions"]
    )
    aliases_path = folder / "smelter_aliases.yaml"
    smelter_aliases = tuple((read_yaml(aliases_path) or {}).get("aliases") or []) if aliases_path.exists() else ()
    return Reference(
        classes=classes,
        designations={designation_key(str(w)): c for w, c in designations["designations"].items()},
        covered_countries=dict(covered),
        restrictions=restrictions,
        countries=CountryResolver(read_yaml(folder / "country_aliases.yaml") or {}),
        smelter_aliases=smelter_aliases,
    )
