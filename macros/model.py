"""The in-memory model of every filing: what the build renders and the tests assert."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    # extra="forbid" turns a misspelt YAML key into an error instead of a silently ignored field.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Registrant(_Strict):
    name: str
    short_name: str
    state_of_incorporation: str
    commission_file_number: str
    irs_employer_id: Optional[str] = None
    address: str


class Contact(_Strict):
    name: str
    title: str
    phone: str


class Period(_Strict):
    start: dt.date
    end: dt.date


class Signature(_Strict):
    company: str
    by: str
    name: str
    title: str
    date: dt.date


class Exhibit(_Strict):
    number: str
    description: str
    filed_as: str


class Item(_Strict):
    heading: str
    text: str


class Section(_Strict):
    heading: str
    items: list[Item]


class Template(_Strict):
    name: str
    short_name: str
    publisher: str


class Rcoi(_Strict):
    contract_manufacturers_surveyed: int = Field(ge=0)
    contract_manufacturers_responded: int = Field(ge=0)
    responses: str
    responded_none_from_covered_countries: Optional[int] = Field(default=None, ge=0)
    insufficient_information: Optional[int] = Field(default=None, ge=0)
    declaration_scope: Optional[str] = None

    @model_validator(mode="after")
    def _responded_within_surveyed(self):
        if self.contract_manufacturers_responded > self.contract_manufacturers_surveyed:
            raise ValueError("more contract manufacturers responded than were surveyed")
        return self

    @property
    def response_rate(self) -> float:
        surveyed = self.contract_manufacturers_surveyed
        return self.contract_manufacturers_responded / surveyed if surveyed else 0.0


class Conclusion(_Strict):
    designation: str
    summary: str


class Footnote(_Strict):
    marker: str
    text: str


class Amendment(_Strict):
    date: dt.date
    form: str = "SD/A"
    reason: str


class Restatement(_Strict):
    """A correction of this site's analysis of a filed year (a class, a flag, a resolved ID):
    the filed text is untouched; the year's pages show the date and the reason."""

    date: dt.date
    reason: str


class FilingMeta(_Strict):
    """data/filings/YYYY.yaml: everything a filing states except its smelter list."""

    registrant: Registrant
    contact: Contact
    form: str
    rule: str
    reporting_period: Period
    filed_on: dt.date
    signature: Signature
    report_exhibit: str
    exhibits: list[Exhibit]
    form_sd_sections: list[Section]
    template: Template
    audit_program: str
    products_covered: str
    rcoi: Rcoi
    designation_column: str
    designation_legend: dict[str, Optional[str]]  # null: a designation the filing uses but never defines
    conclusion: Conclusion
    footnotes: list[Footnote] = []
    urls: dict[str, str] = {}
    source_document: Optional[str] = None
    amendments: list[Amendment] = []
    restatements: list[Restatement] = []

    @model_validator(mode="after")
    def _only_web_addresses(self):
        for key, url in self.urls.items():
            if not re.match(r"^https?://[^\s/]+", url, re.I):
                raise ValueError(f"urls.{key}: only http(s) addresses are published, not {url[:40]!r}")
        return self

    @model_validator(mode="after")
    def _dates_in_order(self):
        if self.reporting_period.end < self.reporting_period.start:
            raise ValueError("reporting_period ends before it starts")
        if self.filed_on < self.reporting_period.end:
            raise ValueError("filed_on is before the end of the reporting period")
        return self


@dataclass(frozen=True)
class SmelterRow:
    """One published row of data/smelters/YYYY.csv, as printed in the filing."""

    metal: str
    smelter_name: str
    country: str
    status: str
    smelter_id: str = ""
    footnote: str = ""
    supplier_count: str = ""  # how many suppliers reported it (scripts/dev ingest); never who
    line: int = 0  # line in the CSV, for messages


@dataclass(frozen=True)
class Smelter:
    """A published row plus everything derived from data/reference/ at build time."""

    row: SmelterRow
    status_class: str
    country_code: str
    country_name: str
    in_covered_country: bool
    restrictions: tuple  # Restriction entries in force at the filing date
    name_key: str

    @property
    def identity(self) -> tuple[str, ...]:
        """Who this smelter is within a filing: metal + CID, else metal + folded name + country.

        The country matters without a CID: "Johnson Matthey Inc" (US) and "Johnson Matthey Ltd"
        (Canada) fold to the same name but are two refiners.
        """
        if self.row.smelter_id:
            return (self.row.metal, self.row.smelter_id)
        return (self.row.metal, self.name_key, self.country_code)

    @property
    def greater_risk(self) -> bool:
        """In a Covered Country and neither conformant nor active (the filings' own test)."""
        return self.in_covered_country and self.status_class not in ("conformant", "active")

    @property
    def sanctioned(self) -> bool:
        return any(r.kind == "sanction" for r in self.restrictions)


@dataclass(frozen=True)
class Filing:
    year: int
    meta: FilingMeta
    smelters: tuple[Smelter, ...]
    stats: "FilingStats"
    sources: dict = field(default_factory=dict)  # "yaml"/"csv" -> Path
    supplier_survey: dict | None = None  # data/rcoi/YYYY.yaml, written by scripts/ingest_cmrt.py


@dataclass(frozen=True)
class FilingStats:
    """Every figure a report quotes, computed from the classified rows."""

    facilities: int
    distinct: int
    by_class: dict[str, int]
    by_metal: dict[str, int]
    by_metal_class: dict[tuple[str, str], int]
    in_covered_countries: int
    greater_risk: int
    restricted: int
    sanctioned: int
    duplicates: tuple[tuple[Smelter, ...], ...]

    @property
    def share_conformant(self) -> float:
        return self.by_class.get("conformant", 0) / self.facilities if self.facilities else 0.0

    def share_conformant_for(self, metal: str) -> float | None:
        total = self.by_metal.get(metal, 0)
        return self.by_metal_class.get((metal, "conformant"), 0) / total if total else None
