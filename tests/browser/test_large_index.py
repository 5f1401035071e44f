"""The cross-filing index beyond 2,000 smelters: a light page, every row as JSON in it."""
from __future__ import annotations

import csv
import json
import re
from html import unescape

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
    result = mkdocs_build(project, out, "--drafts")  # synthetic years are drafts (never locked)
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
    expect(page.locator("#smelter-index tbody tr")).to_have_count(40)
    expect(page.locator(".cm-partial-note")).to_contain_text(f"the first 40 of {total:,} smelters")
    assert (site / "smelters" / "index.html").stat().st_size < 600_000
    context.close()


def test_with_javascript_search_covers_every_row(page, large_site):
    site, url = large_site
    rows = index_rows(site)
    page.goto(f"{url}/smelters/")
    expect(page.locator(".cm-status")).to_have_text(re.compile(rf"^{len(rows):,} of {len(rows):,} smelters"))
    expect(page.locator(".cm-partial-note")).to_be_hidden()
    last = rows[-1]["smelter_name"]  # far beyond the 200 rows in the page
    page.fill("#search", last)
    expect(page.locator("#smelter-index tbody tr").first).to_contain_text(last)
    page.fill("#search", "")
    page.locator("#facet-year").select_option(str(2022))
    listed = sum(1 for r in rows if r["class_2022"])
    expect(page.locator(".cm-status")).to_have_text(re.compile(rf"^{listed:,} of {len(rows):,} smelters"))


def test_rows_rendered_by_the_script_equal_the_rows_the_build_wrote(page, large_site):
    site, url = large_site
    html = (site / "smelters" / "index.html").read_text(encoding="utf-8")
    body = re.search(r'<table id="smelter-index" class="cm-list">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    server_rows = re.findall(r"<tr\b.*?</tr>", body, re.S)
    # The script keeps the page's rows and builds the rest from the JSON, in the same order.
    data = json.loads(re.search(r'<script type="application/json" class="cm-rows">(.*?)</script>', html, re.S).group(1))
    page_names = [unescape(re.search(r"<th scope=\"row\"[^>]*>(?:<a [^>]*>)?([^<]*)", row).group(1)).strip() for row in server_rows]
    assert page_names == [r[1] for r in data["rows"][:len(server_rows)]]
    # With the page's rows taken away first, every row shown is built from the JSON.
    page.add_init_script("document.addEventListener('DOMContentLoaded', () => "
                         "document.querySelector('#smelter-index tbody').replaceChildren())")
    page.goto(f"{url}/smelters/")
    expect(page.locator("[data-enhanced]")).to_have_count(1)
    shown = page.locator("#smelter-index tbody tr").count()
    differences = page.evaluate("""(serverRows) => {
        const rendered = Array.from(document.querySelectorAll('#smelter-index tbody tr'));
        const template = document.createElement('template');
        template.innerHTML = '<table><tbody>' + serverRows.join('') + '</tbody></table>';
        const expected = Array.from(template.content.querySelectorAll('tr'));
        return expected.map((tr, i) => rendered[i] && tr.outerHTML === rendered[i].outerHTML ? null : [rendered[i] && rendered[i].outerHTML, tr.outerHTML])
                       .filter(Boolean).slice(0, 3);
    }""", server_rows)
    assert shown > len(server_rows) == 40 and differences == []
