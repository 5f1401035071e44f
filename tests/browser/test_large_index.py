"""The cross-filing index beyond 2,000 smelters: a light page, every row loaded as JSON."""
from __future__ import annotations

import csv
import re

import pytest
from playwright.sync_api import expect

from scripts.synthetic_site import make_project

from ..conftest import mkdocs_build
from .conftest import serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def large_site(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("large") / "project", filings=2, rows=1500, pool_factor=2.0)
    out = project.parent / "site"
    result = mkdocs_build(project, out)
    assert result.returncode == 0, result.stderr[-3000:]
    httpd, url = serve(out)
    yield out, url
    httpd.shutdown()


def index_rows(site):
    return list(csv.DictReader(open(site / "downloads" / "smelter-index.csv", encoding="utf-8-sig")))


def test_without_javascript_the_page_lists_the_first_rows_and_links_every_row(browser, large_site):
    site, url = large_site
    total = len(index_rows(site))
    assert total > 2000
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{url}/smelters/")
    expect(page.locator("#smelter-index tbody tr")).to_have_count(200)
    expect(page.locator(".cm-partial-note")).to_contain_text(f"the first 200 of {total:,} smelters")
    assert (site / "smelters" / "index.html").stat().st_size < 600_000
    context.close()


def test_with_javascript_search_covers_every_row(page, large_site):
    site, url = large_site
    rows = index_rows(site)
    page.goto(f"{url}/smelters/")
    expect(page.locator(".cm-status")).to_have_text(re.compile(rf"^{len(rows)} of {len(rows)} smelters"))
    expect(page.locator(".cm-partial-note")).to_be_hidden()
    last = rows[-1]["smelter_name"]  # far beyond the 200 rows in the page
    page.fill("#search", last)
    expect(page.locator("#smelter-index tbody tr").first).to_contain_text(last)
    page.fill("#search", "")
    page.locator("#facet-year").select_option(str(2022))
    listed = sum(1 for r in rows if r["class_2022"])
    expect(page.locator(".cm-status")).to_have_text(re.compile(rf"^{listed} of {len(rows)} smelters"))


def test_rows_rendered_by_the_script_equal_the_rows_the_build_wrote(page, large_site):
    site, url = large_site
    html = (site / "smelters" / "index.html").read_text(encoding="utf-8")
    server_rows = re.search(r'<table id="smelter-index" class="cm-list">.*?<tbody>\n(.*?)\n</tbody>', html, re.S).group(1).splitlines()
    page.goto(f"{url}/smelters/")
    expect(page.locator("[data-enhanced]")).to_have_count(1)
    shown = page.locator("#smelter-index tbody tr").count()
    differences = page.evaluate("""(serverRows) => {
        const rendered = Array.from(document.querySelectorAll('#smelter-index tbody tr'));
        const template = document.createElement('template');
        template.innerHTML = '<table><tbody>' + serverRows.join('') + '</tbody></table>';
        const expected = Array.from(template.content.querySelectorAll('tr'));
        return rendered.map((tr, i) => tr.outerHTML === expected[i].outerHTML ? null : [tr.outerHTML, expected[i].outerHTML])
                       .filter(Boolean).slice(0, 3);
    }""", server_rows[:shown])
    assert shown >= 40 and differences == []
