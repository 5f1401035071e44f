"""The Form SD as filed, from the `form_sd` blocks of data/filings/YYYY.yaml."""
from __future__ import annotations

from markupsafe import Markup

from disclosures.engine.model import Filing
from disclosures.site.render.templating import render


def form_sd(filing: Filing, draft: bool, image_base: str = "") -> Markup:
    """`image_base`: the way from the page to docs/ (an image's src is a path under docs/)."""
    meta = filing.meta
    return render("cm/form_sd.html", blocks=meta.form_sd, filed_on=meta.filed_on, draft=draft,
                  edgar=meta.urls.get("edgar"), image_base=image_base)
