"""The live tree in Chromium: every kind of page, in both colour schemes, passes axe and loads
nothing from another host, whatever filings staff have added."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest

from .test_site import check_axe

pytestmark = pytest.mark.browser


def page_kinds(site) -> list[str]:
    """One page of each kind: the newest year's (it has every kind), plus the first year's Form SD."""
    newest, first = max(site.years), min(site.years)
    kinds = ["/", f"/{newest}/", f"/{newest}/report/", f"/{newest}/smelters/", "/smelters/", "/about/", f"/{first}/",
             "/data/", f"/smelters/{site.keys.keys[0]}/"]
    if site.previous(newest):
        kinds.append(f"/{newest}/changes/")
    return kinds


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_kind_passes_axe(browser, live_server, live_site, scheme):
    context = browser.new_context(color_scheme=scheme, bypass_csp=True)  # axe is an injected inline script
    page = context.new_page()
    hosts = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    for url in page_kinds(live_site):
        check_axe(page, live_server + url)
    context.close()
    assert hosts == {urlparse(live_server).netloc}, hosts
