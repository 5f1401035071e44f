"""The Form SD as filed, from the `form_sd` blocks of data/filings/YYYY.yaml."""
from __future__ import annotations

from markupsafe import Markup

from disclosures.engine.model import Filing
from disclosures.engine.settings import edgar_filing
from disclosures.site.render.templating import render


def form_sd(filing: Filing, draft: bool, image_base: str = "", cik: str | None = None) -> Markup:
    """`image_base`: the way from the page to docs/ (an image's src is a path under docs/).
    The EDGAR link goes to the filing itself when its accession number is known (and the CIK),
    else to the address the YAML gives (`urls.edgar`, often the registrant's list of filings)."""
    meta = filing.meta
    own = edgar_filing(cik, meta.edgar_accession)
    return render("cm/form_sd.html", blocks=meta.form_sd, filed_on=meta.filed_on, draft=draft,
                  edgar=own or meta.urls.get("edgar"), edgar_is_filing=bool(own), image_base=image_base)
