"""The published site in headless Chromium: the table features, the switcher, downloads, no-JS,
no third-party requests, and axe-core accessibility checks."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from .conftest import serve

pytestmark = pytest.mark.browser
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"


def rows(page: Page):
    return page.locator("table#smelters-2023 tbody tr")


def status(page: Page):
    return page.locator(".cm-status").first


def open_smelters(page: Page, server: str, query: str = ""):
    page.goto(f"{server}/2023/smelters/{query}")
    expect(page.locator("[data-smelter-table][data-enhanced]")).to_have_count(1)


def test_search_ignores_case_and_accents(page, server):
    open_smelters(page, server)
    expect(status(page)).to_have_text("352 of 352 smelters")
    page.fill("#search", "MINERAÇÃO TABOCA")  # the 2023 list spells it "Mineracao"
    expect(status(page)).to_have_text("2 of 352 smelters")
    expect(rows(page)).to_have_count(2)
    expect(rows(page).first).to_contain_text("Mineracao Taboca S.A.")


@pytest.mark.parametrize("facet, value, count", [
    ("metal", "Tin", 86), ("class", "active", 4), ("country", "Uganda", 1), ("risk", "greater-risk", 1),
    ("risk", "covered", 4), ("risk", "suspension", 6),
])
def test_each_facet_filters_and_shows_counts(page, server, facet, value, count):
    open_smelters(page, server)
    select = page.locator(f"#facet-{facet}")
    expect(select.locator(f'option[value="{value}"]')).to_contain_text(f"({count})")
    select.select_option(value)
    expect(status(page)).to_have_text(f"{count} of 352 smelters")
    expect(rows(page)).to_have_count(count)


def test_facet_counts_follow_the_other_filters(page, server):
    open_smelters(page, server)
    page.locator("#facet-metal").select_option("Gold")
    expect(page.locator('#facet-class option[value="active"]')).to_have_text("Active (2)")


def test_sort_by_column_with_aria_sort(page, server):
    open_smelters(page, server)
    header = page.locator("table#smelters-2023 thead th").nth(1)
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    first_names = [rows(page).nth(i).locator("th").inner_text() for i in range(3)]
    assert first_names == sorted(first_names, key=str.casefold)
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    last_names = [rows(page).nth(i).locator("th").inner_text() for i in range(3)]
    assert last_names == sorted(last_names, key=str.casefold, reverse=True) and last_names[0][0] == "Z"
    page.locator("table#smelters-2023 thead th", has_text="Class").get_by_role("button").click()  # best first
    expect(rows(page).first).to_contain_text("Conformant")


def test_filter_state_round_trips_through_the_url(page, server):
    open_smelters(page, server)
    page.fill("#search", "refinery")
    page.locator("#facet-metal").select_option("Gold")
    page.locator("table#smelters-2023 thead th").nth(2).get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"search=refinery.*metal=Gold|metal=Gold.*search=refinery"))
    expect(page).to_have_url(re.compile(r"[?&]sort=2(&|$)"))  # written once the clicks pause, like the rest
    shown = status(page).inner_text()
    url = page.url
    page.goto("about:blank")
    page.goto(url)
    expect(status(page)).to_have_text(shown)
    expect(page.locator("#search")).to_have_value("refinery")
    expect(page.locator("#facet-metal")).to_have_value("Gold")
    expect(page.locator("table#smelters-2023 thead th").nth(2)).to_have_attribute("aria-sort", "ascending")


def test_reset_clears_filters_and_url(page, server):
    open_smelters(page, server, "?search=gold&class=active")
    expect(status(page)).to_have_text("2 of 352 smelters")
    page.get_by_role("button", name="Reset").click()
    expect(status(page)).to_have_text("352 of 352 smelters")
    expect(page).to_have_url(f"{server}/2023/smelters/")  # the address is written once typing pauses


def test_year_switcher_keeps_the_kind_of_page(page, server):
    page.goto(f"{server}/2023/report/")
    page.locator(".cm-years summary").click()
    page.locator(".cm-years a", has_text="2013").click()
    expect(page).to_have_url(f"{server}/2013/report/")
    expect(page.locator(".cm-filed")).to_contain_text("June 2, 2014")


def test_download_link_returns_the_file(page, server):
    open_smelters(page, server)
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    text = Path(info.value.path()).read_bytes().decode("utf-8-sig")
    assert text.startswith("filing_year,metal,smelter_name") and text.count("\r\n") == 353
    response = page.request.get(f"{server}/downloads/smelters-2023.json")
    assert response.ok and json.loads(response.body())["row_count"] == 352


def test_without_javascript_the_full_table_is_there(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/2023/smelters/")
    expect(rows(page)).to_have_count(352)
    expect(page.locator(".cm-controls")).to_have_count(0)
    context.close()


def test_no_request_leaves_the_local_server(page, server):
    hosts = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    for url in ("/", "/2023/", "/2023/report/", "/2023/smelters/", "/2023/changes/", "/smelters/", "/about/"):
        page.goto(server + url)
        page.wait_for_load_state("networkidle")
    assert hosts == {urlparse(server).netloc}


PAGE_KINDS = ["/", "/2023/", "/2023/report/", "/2023/smelters/", "/2023/changes/", "/2013/report/", "/smelters/",
              "/about/", "/404.html"]


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("url", PAGE_KINDS)
def test_no_serious_or_moderate_accessibility_violations(browser, server, url, scheme, width):
    # bypass_csp: axe is injected as an inline script, which the site's own policy refuses (test_csp.py)
    context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 900}, bypass_csp=True)
    try:
        check_axe(context.new_page(), server + url)
    finally:
        context.close()


def check_axe(page, url):
    assert AXE.is_file(), "axe-core is installed by scripts/dev test (npm ci in tests/browser)"
    page.goto(url)
    if page.locator("[data-smelter-table]").count():
        expect(page.locator("[data-smelter-table][data-enhanced]").first).to_be_attached()
    page.add_script_tag(path=str(AXE))
    # Rows after the 40th of a long table are the same template again: left out, a third of the time.
    result = page.evaluate("async () => await axe.run({exclude: [['tbody tr:nth-child(n+41)']]}, "
                           "{resultTypes: ['violations']})")
    found = [(v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"]) for v in result["violations"]
             if v["impact"] in ("moderate", "serious", "critical")]
    assert not found, (url, found)


def test_ten_thousand_rows_keep_only_the_first_matches_in_the_dom(page, built_site, tmp_path):
    template = (built_site / "2023" / "smelters" / "index.html").read_text(encoding="utf-8")
    table = template[template.index('id="smelters-2023"'):]
    body = re.findall(r"<tr data-.*?</tr>", re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1), re.S)
    big = (body * 29)[:10_000]
    for script in ("smelter-table-model.js", "smelter-table.js"):
        shutil.copy(built_site / "assets" / "js" / script, tmp_path / script)
    (tmp_path / "big-table.html").write_text(
        '<!doctype html><html lang="en"><head><title>Big table</title></head><body>'
        '<div data-smelter-table data-labels="{&#34;noun&#34;: &#34;smelters&#34;}">'
        '<table id="big"><caption>Big</caption><thead><tr>' + "".join(f'<th scope="col">C{i}</th>' for i in range(7))
        + "</tr></thead><tbody>" + "\n".join(big) + '</tbody></table></div>'
        '<script src="smelter-table-model.js"></script><script src="smelter-table.js"></script></body></html>',
        encoding="utf-8")
    httpd, url = serve(tmp_path)
    try:
        page.goto(f"{url}/big-table.html")
        expect(status(page)).to_have_text(re.compile(r"^10,000 of 10,000 smelters \(first \d+ shown\)$"))
        limit = int(re.search(r"first (\d+) shown", status(page).inner_text()).group(1))
        assert 40 <= limit < 500  # a budget of cells: 7 columns here
        expect(page.locator("#big tbody tr")).to_have_count(limit)
        page.fill("#search", "taboca")
        expected = sum("taboca" in row.lower() for row in big)
        expect(status(page)).to_have_text(f"{expected:,} of 10,000 smelters")
        page.fill("#search", "")
        page.get_by_role("button", name=re.compile(f"Show {limit} more")).click()
        expect(page.locator("#big tbody tr")).to_have_count(2 * limit)
    finally:
        httpd.shutdown()


def test_printing_a_report_gives_the_full_table_without_navigation(page, server, tmp_path):
    page.goto(f"{server}/2023/report/")
    page.emulate_media(media="print")
    for chrome in (".md-header", ".md-sidebar--primary", ".md-footer", ".cm-controls"):
        expect(page.locator(chrome).first).to_be_hidden()
    visible_rows = page.locator("table#smelters-2023 tbody tr:visible")
    expect(visible_rows).to_have_count(352)
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 50_000


def test_the_report_annex_opens_with_the_analysis_and_switches_to_as_filed(page, server):
    """With the analysis: the class column and the flags beside each name, marked; "As filed"
    leaves only the columns the filing printed."""
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(server + "/2023/report/")
    table = page.locator("#smelters-2023")
    visible = lambda: [" ".join(h.split()) for h in table.locator("thead th:visible").all_inner_texts()]  # noqa: E731
    assert [h.split(" ")[0] for h in visible()] == ["Metal", "Smelter", "Country", "Status", "Class"]
    expect(page.get_by_role("button", name="With this site’s analysis")).to_have_attribute("aria-pressed", "true")
    agr = table.locator("tbody tr", has=page.locator("th", has_text="African Gold Refinery"))
    expect(agr.locator(".cm-badge", has_text="OFAC sanctioned")).to_be_visible()
    page.get_by_role("button", name="As filed").click()
    assert [h.split(" ")[0] for h in visible()] == ["Metal", "Smelter", "Country", "Status"]
    expect(agr.locator(".cm-badge", has_text="OFAC sanctioned")).to_be_hidden()
    assert agr.locator("th").inner_text().strip() == "African Gold Refinery*"  # inner_text: what is shown
