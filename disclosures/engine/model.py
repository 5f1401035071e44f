"""The in-memory model of every filing: what the build renders and the tests assert."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

from disclosures.engine.names import column_role, fold


class Strict(BaseModel):
    # extra="forbid" turns a misspelt YAML key into an error instead of a silently ignored field.
    # use_attribute_docstrings: the string under a field is its description (JSON Schema, staff guide).
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Registrant(Strict):
    name: str
    short_name: str
    state_of_incorporation: str
    commission_file_number: str
    irs_employer_id: Optional[str] = None
    address: str


class Contact(Strict):
    name: str
    title: Optional[str] = None
    """Many covers print none"""
    phone: str


class Period(Strict):
    start: dt.date
    end: dt.date


class CoverField(Strict):
    value: str
    caption: Optional[str] = None
    """The small parenthesised words under the value, as printed"""


_BLOCK_KINDS = ("title", "line", "caption", "fields", "heading", "subheading", "paragraph", "table", "image", "page_number")


class CoverImage(Strict):
    """An image the filing prints (a logo), self-hosted: a file under docs/, never another host."""

    src: str
    """Path under docs/, e.g. assets/logo.png (PNG, JPEG, GIF or SVG)"""
    alt: str
    """What it shows, for readers who cannot see it (e.g. the registrant's logo)"""

    @model_validator(mode="after")
    def _local_image(self):
        if re.match(r"^[a-z][a-z0-9+.-]*:|^/|\\", self.src, re.I) or ".." in self.src.split("/") or \
                not re.search(r"\.(png|jpe?g|gif|svg)$", self.src, re.I):
            raise ValueError(f"image.src: a PNG, JPEG, GIF or SVG file under docs/ (assets/logo.png), not {self.src!r}")
        return self


class FormSdBlock(Strict):
    """One block of the Form SD as filed, in filed order; text, case and punctuation as printed.

    Exactly one kind: `title` (a centred cover line), `line` (a line; a newline keeps a filed
    line break), `caption` (the parenthesised words under a cover value; may go with `line`, or
    with `fields` when one caption stands under all of them), `fields` (cover values side by
    side, each with its caption if it has one), `heading`, `subheading`, `paragraph`, `table`
    (rows of cells; the first row the header as printed unless `header: false`), `image` (a
    logo: a file under docs/), `page_number`. `checkbox` (checked/unchecked) goes with `line`,
    with `box` the glyph as filed. In any text, **words** are bold as filed.
    """

    title: Optional[str] = None
    line: Optional[str] = None
    caption: Optional[str] = None
    fields: Optional[list[CoverField]] = None
    heading: Optional[str] = None
    subheading: Optional[str] = None
    paragraph: Optional[str] = None
    table: Optional[list[list[str]]] = None
    header: bool = True
    """With `table`: false when the filed grid has no header row (a signature block)"""
    checkbox: Optional[Literal["checked", "unchecked"]] = None
    box: Optional[str] = None
    """With `checkbox`: the box exactly as the filing prints it (\\x\\, ¨, [X]); default ☒ or ☐"""
    image: Optional[CoverImage] = None
    page_number: Optional[str] = None
    """A page number as printed at a page's foot"""

    @model_validator(mode="after")
    def _one_kind(self):
        kinds = [k for k in _BLOCK_KINDS if getattr(self, k) is not None]
        if kinds in (["line", "caption"], ["caption", "fields"]):  # a caption under a line, or under all the fields
            kinds = [k for k in kinds if k != "caption"]
        if len(kinds) != 1:
            raise ValueError(f"a form_sd block has exactly one of {', '.join(_BLOCK_KINDS)} "
                             f"(`caption` may go with `line`); this one has {', '.join(kinds) or 'none'}")
        if self.checkbox and kinds != ["line"]:
            raise ValueError("`checkbox` goes with `line`: the text printed next to the box")
        if self.box is not None and not self.checkbox:
            raise ValueError("`box` goes with `checkbox`: the glyph, and whether it is checked")
        return self

    @property
    def kind(self) -> str:
        """The block's kind (a caption that goes with a line or fields is part of that block)."""
        kinds = [k for k in _BLOCK_KINDS if getattr(self, k) is not None]
        return next((k for k in kinds if k != "caption"), kinds[0])


class Template(Strict):
    name: str
    short_name: str
    publisher: str


class Rcoi(Strict):
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


class Conclusion(Strict):
    """The conclusion in the filing's own words: `quote` must appear verbatim in the year's pages."""

    quote: str


class Footnote(Strict):
    marker: str
    text: str


class Amendment(Strict):
    date: dt.date
    form: str = "SD/A"
    reason: str


class Restatement(Strict):
    """A correction of this site's analysis of a filed year (a class, a flag, a resolved ID):
    the filed text is untouched; the year's pages show the date and the reason."""

    date: dt.date
    reason: str


class FilingClass(Strict):
    """How this filing's legend defines a designation, when it differs from the usual meaning."""

    counts_as: str
    """The class it is counted in (data/reference/designations.yaml)"""
    label: str
    """What the site calls those rows for this filing, e.g. "Conformant or undeterminable"."""


class FilingMeta(Strict):
    """data/filings/YYYY.yaml: everything a filing states except its smelter list."""

    registrant: Registrant
    contact: Contact
    reporting_period: Period
    filed_on: dt.date
    form_sd: list[FormSdBlock]
    """The Form SD as filed: cover, items, signature, exhibit index"""
    template: Template
    audit_program: str
    products_covered: str
    rcoi: Rcoi
    designation_column: str
    list_header: Optional[dict[Literal["metal", "smelter_name", "country", "smelter_id", "status"], str]] = None
    """The smelter table's header row as filed, keyed by the list's column, in filed order
    (e.g. {metal: Metal, smelter_name: Smelter or Refiner Facility Name, country: Location,
    status: '"Conflict Free" Designation'}); null: the filed table had no header row"""
    designation_legend: dict[str, Optional[str]]
    """Null: a designation the filing uses but never defines"""
    designation_classes: dict[str, FilingClass] = {}
    """This filing's own meaning of a designation"""
    conclusion: Conclusion
    footnotes: list[Footnote] = []
    urls: dict[str, str] = {}
    source_document: Optional[str] = None
    transcription_notes: list[str] = []
    """How the filed list was read where a cell is not character for character as printed (e.g.
    "line 239: the country printed '- Japan' is written 'Japan'"): `scripts/dev import` prints them;
    shown with the year's list"""
    edgar_accession: Optional[str] = Field(default=None, pattern=r"^\d{10}-\d{2}-\d{6}$")
    """The filing's EDGAR accession number (0001234567-24-000012): the site links to the filing
    itself; without it, to the registrant's list of Form SD filings"""
    amendments: list[Amendment] = []
    restatements: list[Restatement] = []

    @model_validator(mode="before")
    @classmethod
    def _header_by_column(cls, data):
        """A header written as a list of cells (filed order) is keyed by what each cell names."""
        header = data.get("list_header") if isinstance(data, dict) else None
        if isinstance(header, list):
            roles = [column_role(fold(str(cell))) for cell in header]
            unknown = [str(c) for c, r in zip(header, roles) if r is None]
            if unknown or len(set(roles)) != len(roles):
                raise ValueError(f"list_header: cannot tell which column {', '.join(map(repr, unknown)) or 'each cell'} "
                                 "names; write it keyed by column: {metal: ..., smelter_name: ..., country: ..., "
                                 "smelter_id: ..., status: ...}, in filed order")
            data = dict(data, list_header=dict(zip(roles, map(str, header))))
        return data

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
    supplier_count: str = ""
    """How many suppliers reported it (scripts/dev ingest); never who"""
    line: int = 0
    """Line in the CSV, for messages"""


@dataclass(frozen=True)
class Smelter:
    """A published row plus everything derived from data/reference/ at build time."""

    row: SmelterRow
    status_class: str
    country_code: str
    country_name: str
    in_covered_country: bool
    restrictions: tuple
    """Restriction entries in force at the filing date"""
    name_key: str
    class_label: str = ""
    """The class as this filing's legend lets the site call it"""
    resolved_id: str = ""
    """An RMI ID this site resolved for a row published without one (data/reference/resolved_ids.yaml)"""
    qualified: bool = False
    """The filing's own legend gives this class another meaning (2013's "Yes": conformant *or
    undeterminable*): not comparable with the plain class of another filing"""

    @property
    def smelter_id(self) -> str:
        """The published ID, else the one this site resolved (shown as such): identity across years."""
        return self.row.smelter_id or self.resolved_id

    @property
    def identity(self) -> tuple[str, ...]:
        """Who this smelter is within a filing: metal + CID, else metal + folded name + country.

        The country matters without a CID: "Johnson Matthey Inc" (US) and "Johnson Matthey Ltd"
        (Canada) fold to the same name but are two refiners.
        """
        if self.smelter_id:
            return (self.row.metal, self.smelter_id)
        return (self.row.metal, self.name_key, self.country_code)

    @property
    def greater_risk(self) -> bool:
        """In a Covered Country and neither conformant nor active (the filings' own test)."""
        return self.in_covered_country and self.status_class not in ("conformant", "active")

    @property
    def sanctioned(self) -> bool:
        return any(r.kind == "sanction" for r in self.restrictions)


class FollowUp(Strict):
    item: str
    resolved: bool = False
    note: str = ""


class MetalSurvey(Strict):
    """One metal's answers across suppliers: how many answered Yes to each CMRT question."""

    using: int = Field(ge=0)
    """Question 1: the metal is in their products"""
    covered_countries: int = Field(ge=0)
    """Question 3: Yes"""
    covered_countries_unknown: int = Field(ge=0)
    """Question 3: Unknown"""
    cahra: int = Field(ge=0)
    """Question 4: Yes"""
    all_smelters_identified: int = Field(ge=0)
    """Question 7: Yes"""


class SupplierSurvey(Strict):
    """data/rcoi/YYYY.yaml, written by `scripts/dev ingest` (no supplier names); quoted as
    {{ supplier_survey.NAME }} in the narrative."""

    workbooks_received: int = Field(ge=0)
    workbooks_accepted: int = Field(ge=0)
    suppliers: int = Field(ge=0)
    suppliers_sourcing_from_covered_countries: int = Field(ge=0)
    suppliers_sourcing_from_cahra: int = Field(default=0, ge=0)
    suppliers_all_smelters_identified: int = Field(ge=0)
    smelters: int = Field(ge=0)
    by_metal: dict[Literal["Gold", "Tantalum", "Tin", "Tungsten"], MetalSurvey] = {}
    follow_ups: list[FollowUp] = []


@dataclass(frozen=True)
class Filing:
    year: int
    meta: FilingMeta
    smelters: tuple[Smelter, ...]
    stats: "FilingStats"
    sources: dict = field(default_factory=dict)
    """"yaml"/"csv" -> Path"""
    supplier_survey: SupplierSurvey | None = None


    def class_label(self, key: str, reference) -> str:
        """What this filing's rows of class `key` are called: the filing's legend may qualify a
        class (2013's "Yes" is conflict free *or undeterminable*)."""
        own = [c.label for c in self.meta.designation_classes.values() if c.counts_as == key]
        return own[0] if own else reference.classes[key].label


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
    suspended: int
    """By an audit programme (e.g. LBMA)"""
    duplicates: tuple[tuple[Smelter, ...], ...]

    @property
    def share_conformant(self) -> float:
        return self.by_class.get("conformant", 0) / self.facilities if self.facilities else 0.0

    def share_conformant_for(self, metal: str) -> float | None:
        total = self.by_metal.get(metal, 0)
        return self.by_metal_class.get((metal, "conformant"), 0) / total if total else None
