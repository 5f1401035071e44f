"""data/site.yaml: what a site states once about the company it publishes for.

The site's name, description and footer, and every page's words about the registrant, come
from here (`{{ settings.registrant }}` in a page); `scripts/dev init` writes it. Nothing about
any one company is in the code or the shared reference data.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from pydantic import model_validator

from disclosures.engine.errors import DataError, Problem
from disclosures.engine.model import Strict
from disclosures.engine.yamlio import read_typed

SETTINGS = Path("data") / "site.yaml"
_NOT_PLAIN = re.compile(r"[<>\"`{}\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


class SiteSettings(Strict):
    """data/site.yaml (written by `scripts/dev init`; edit it by hand afterwards)."""

    registrant: str
    """The name as on the cover of its Form SD"""
    short_name: Optional[str] = None
    """How the site calls it in running text (default: the name)"""
    cik: Optional[str] = None
    """SEC Central Index Key: links to the registrant's filings on EDGAR"""
    commission_file_number: Optional[str] = None
    state_of_incorporation: Optional[str] = None
    irs_employer_id: Optional[str] = None
    address: Optional[str] = None
    site_url: Optional[str] = None
    """Where the site is published (https://...), for the sitemap and canonical links; default:
    the address the deploy gives (GitHub Pages), else mkdocs.yml's"""
    site_name: Optional[str] = None
    """Default: the registrant's name, then "— Conflict Minerals Disclosures"."""
    site_description: Optional[str] = None
    footer: Optional[str] = None
    data_licence: str = "CC-BY-4.0"
    """The licence of the downloads and datapackage.json, as an SPDX identifier (CC-BY-4.0,
    CC0-1.0, ODC-By-1.0, PDDL-1.0...); the filings themselves are public records filed with the SEC"""
    example: bool = False
    """The shipped example: `scripts/dev init` replaces it without asking"""

    @model_validator(mode="after")
    def _plain_text(self):
        """The theme prints the site's name, description and footer as they are (MkDocs themes do
        not escape them): none may carry markup, template syntax or invisible characters."""
        for name, value in self:
            if isinstance(value, str) and _NOT_PLAIN.search(value):
                raise ValueError(f"{name}: plain text only (no < > \" ` {{ }} or control and invisible characters): "
                                 f"{value[:60]!r}")
        return self

    @model_validator(mode="after")
    def _web_address(self):
        if self.site_url is not None and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", self.site_url):
            raise ValueError(f"site_url: an http(s) address, not {self.site_url[:60]!r}")
        return self

    @model_validator(mode="after")
    def _licence_id(self):
        if not re.fullmatch(r"[A-Za-z0-9.+-]{2,40}", self.data_licence):
            raise ValueError(f"data_licence: an SPDX licence identifier such as CC-BY-4.0, not {self.data_licence[:60]!r}")
        return self

    @model_validator(mode="after")
    def _cik_digits(self):
        if self.cik is not None and not re.fullmatch(r"\d{1,10}", self.cik):
            raise ValueError(f"cik: the SEC's Central Index Key is up to 10 digits, not {self.cik!r}")
        return self

    @property
    def name_in_text(self) -> str:
        return self.short_name or self.registrant

    @property
    def title(self) -> str:
        return self.site_name or f"{self.registrant} — Conflict Minerals Disclosures"

    @property
    def description(self) -> str:
        return self.site_description or (f"Form SD filings and Conflict Minerals Reports of {self.registrant}, with the "
                                         "smelters and refiners in its supply chain.")

    @property
    def footer_text(self) -> str:
        return self.footer or ("Published from the registrant's Form SD filings with the SEC. The smelter lists and "
                               "figures published here are in data/ of this repository; supplier responses are not "
                               "published.")

    @property
    def edgar_filings(self) -> str | None:
        """The registrant's Form SD filings on SEC EDGAR, when its CIK is known."""
        return (f"https://www.sec.gov/cgi-bin/browse-edgar?action=getcompany&CIK={int(self.cik):010d}&type=SD"
                if self.cik else None)


def edgar_filing(cik: str | None, accession: str | None) -> str | None:
    """The address of one filing on EDGAR (its index page), from the CIK and accession number."""
    if not cik or not accession:
        return None
    return f"https://www.sec.gov/Archives/edgar/data/{int(cik)}/{accession.replace('-', '')}/{accession}-index.htm"


def read_settings(root: Path, registrant: str | None = None) -> SiteSettings:
    """data/site.yaml; without one (a tree from before it existed), the newest filing's registrant."""
    path = Path(root) / SETTINGS
    if not path.is_file() and registrant is not None:
        try:
            return SiteSettings(registrant=registrant)
        except ValueError as exc:
            raise DataError(Problem(path, f"missing, and the newest filing's registrant cannot name the site ({exc}); "
                                          "write this file (scripts/dev init)")) from None
    return read_typed(path, SiteSettings)
