"""What an investor sees, measured: no word broken across lines, the risk flags beside the name
and in view, nothing wider than a phone, the header row in view down a long list, every column
in view on a laptop, and a printed report that is a compact document with its flags."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess

import openpyxl
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
TABLE_PAGES = ["/2023/smelters/", "/2023/report/", "/2023/changes/", "/smelters/", "/2013/smelters/"]
EVERY_KIND = TABLE_PAGES + ["/", "/2023/", "/about/", "/404.html", "/data/", "/smelters/CID003185/"]

# Every word of every visible cell of every table of the page's content (the smelter tables, the
# summaries, About's tables, the change counts, the Form SD's grids) that the browser laid out on
# more than one line: a word is broken when its Range has rects on two lines.
BROKEN_WORDS = """(limit) => {
  const broken = [];
  const cells = Array.from(document.querySelectorAll('.md-content table tr')).slice(0, limit)
    .flatMap(tr => Array.from(tr.cells)).filter(c => c.offsetParent !== null);
  for (const cell of cells) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /[^\\s\\-\\u2010]+/g; let m;  // a line may end after a hyphen
      while ((m = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""


def open_page(page, server, path, viewport):
    page.set_viewport_size(viewport)
    page.goto(server + path)
    if page.locator("[data-smelter-table]").count():
        expect(page.locator("[data-smelter-table][data-enhanced]").first).to_be_attached()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
@pytest.mark.parametrize("path", TABLE_PAGES + ["/", "/2023/", "/2013/", "/about/", "/2013/report/", "/data/",
                                                "/smelters/CID003185/"])
def test_no_word_in_a_table_is_broken_across_lines(page, server, path, viewport):
    open_page(page, server, path, viewport)
    broken = page.evaluate(BROKEN_WORDS, 400)
    assert broken == [], f"{path} at {viewport['width']} px breaks inside: {sorted(set(broken))[:12]}"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
@pytest.mark.parametrize("path", ["/2023/smelters/", "/2023/report/"])
def test_the_sanction_flag_is_beside_the_name_and_in_view(page, server, path, viewport):
    open_page(page, server, path, viewport)
    row = page.locator("#smelters-2023 tbody tr", has=page.locator("th", has_text="African Gold Refinery"))
    row.scroll_into_view_if_needed()
    name, flag = row.locator("th"), row.locator(".cm-badge", has_text="OFAC sanctioned")
    expect(flag).to_be_visible()
    n, f = name.bounding_box(), flag.bounding_box()
    assert n["x"] <= f["x"] and f["x"] + f["width"] <= n["x"] + n["width"] + 1, "the flag is not in the name's cell"
    # Not clipped by any box that hides overflow, nor by the window.
    clip_right = page.evaluate("""(el) => { let right = innerWidth;
        for (let n = el.parentElement; n; n = n.parentElement) {
          if (getComputedStyle(n).overflowX !== 'visible') right = Math.min(right, n.getBoundingClientRect().right); }
        return right; }""", flag.element_handle())
    assert f["x"] + f["width"] <= clip_right + 0.5, f"the flag ends at {f['x'] + f['width']}, the view at {clip_right}"


@pytest.mark.parametrize("path", EVERY_KIND)
def test_no_page_is_wider_than_a_phone(page, server, path):
    open_page(page, server, path, PHONE)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} is {width} px wide on a 390 px phone"


@pytest.mark.parametrize("path", ["/2023/smelters/", "/2023/report/", "/smelters/"])
def test_every_column_is_in_view_at_1280(page, server, path):
    open_page(page, server, path, {"width": 1280, "height": 800})
    table = page.locator("table.cm-list").first
    box = table.bounding_box()
    content = page.locator(".md-content__inner").bounding_box()
    assert box["x"] + box["width"] <= content["x"] + content["width"] + 1
    assert page.evaluate("(t) => t.scrollWidth <= t.parentElement.clientWidth + 1", table.element_handle())


def test_the_header_row_stays_in_view_down_a_long_list(page, server):
    open_page(page, server, "/2023/smelters/", DESKTOP)
    page.locator("#smelters-2023 tbody tr").nth(150).scroll_into_view_if_needed()
    header = page.locator("#smelters-2023 thead th").first.bounding_box()
    site_header = page.locator(".md-header").bounding_box()
    assert site_header["y"] + site_header["height"] - 1 <= header["y"] <= 120, header


def test_a_phone_shows_each_row_as_a_block_and_folds_the_filters(page, server):
    open_page(page, server, "/2023/smelters/", PHONE)
    expect(page.locator("#facet-metal")).to_be_hidden()
    page.get_by_role("button", name="Filters").click()
    page.locator("#facet-metal").select_option("Tin")
    page.locator("#sort").select_option("1:-1")  # name, Z-A: the header row is hidden on phones
    expect(page.get_by_role("button", name="Filters (2)")).to_be_visible()
    first = page.locator("#smelters-2023 tbody tr").first
    name, metal = first.locator("th").bounding_box(), first.locator("td").first.bounding_box()
    assert metal["y"] >= name["y"] + name["height"] - 1, "metal and country go under the name"
    ths = page.locator("#smelters-2023 tbody tr th")
    ths.first.scroll_into_view_if_needed()  # rows off screen may not be laid out yet (inner_text is then "")
    expect(ths.first).not_to_have_text("")
    names = [ths.nth(i).inner_text() for i in range(3)]
    assert all(names) and names == sorted(names, key=str.casefold, reverse=True), names


def test_no_match_says_so_and_offers_a_reset(page, server):
    open_page(page, server, "/2023/smelters/?search=zzzz&metal=Tin", DESKTOP)
    empty = page.locator(".cm-empty")
    expect(empty).to_contain_text("No smelters match search “zzzz”; Metal: Tin.")
    empty.get_by_role("button").click()
    expect(page.locator(".cm-status").first).to_have_text("352 of 352 smelters")
    expect(empty).to_be_hidden()


def test_table_search_finds_every_country_its_filter_offers(page, server):
    open_page(page, server, "/2023/smelters/", DESKTOP)
    options = page.locator("#facet-country option").all()[1:]
    offered = {re.sub(r" \(\d+\)$", "", o.inner_text()): int(re.search(r"\((\d+)\)$", o.inner_text()).group(1)) for o in options}
    assert {"Türkiye", "South Korea", "DR Congo"} <= set(offered)  # filed as TURKEY, KOREA, REPUBLIC OF, ...
    for country, count in offered.items():
        page.fill("#search", country)
        shown = int(page.locator(".cm-status").first.inner_text().split(" of ")[0])
        assert shown >= count, f"searching {country!r} finds {shown} rows; its filter offers {count}"


def test_the_year_switcher_keeps_the_filters_and_closes_on_escape_and_outside(page, server):
    open_page(page, server, "/2023/smelters/?metal=Gold&search=refin", DESKTOP)
    switcher = page.locator(".cm-years")
    switcher.locator("summary").click()
    expect(switcher.locator("ul")).to_be_visible()
    page.keyboard.press("Escape")
    expect(switcher.locator("ul")).to_be_hidden()
    switcher.locator("summary").click()
    page.locator("h1").click()
    expect(switcher.locator("ul")).to_be_hidden()
    switcher.locator("summary").click()
    switcher.locator("a", has_text="2013").click()
    expect(page).to_have_url(re.compile(r"/2013/smelters/\?metal=Gold&search=refin$"))
    expect(page.locator("#search")).to_have_value("refin")
    expect(page.locator("#facet-metal")).to_have_value("Gold")


def _view_download(page, fmt: str) -> bytes:
    with page.expect_download() as info:
        page.locator(".cm-download-view").first.get_by_role("button", name=fmt).click()
    return info.value.path().read_bytes()


def test_a_view_downloads_as_the_full_downloads_rows_and_columns(page, server, built_site):
    """"Download this view" is data: the full download's lines for the rows in view, and in
    the "As filed" view only the columns the filing printed."""
    open_page(page, server, "/2023/smelters/?metal=Tantalum", DESKTOP)
    full = list(csv.reader(io.StringIO((built_site / "downloads" / "smelters-2023.csv").read_text(encoding="utf-8-sig"))))
    header = full[0]
    rows = [r for r in full[1:] if r[header.index("metal")] == "Tantalum"]
    view = _view_download(page, "CSV")
    expected_lines = (built_site / "downloads" / "smelters-2023.csv").read_bytes().split(b"\r\n")
    wanted = [expected_lines[0]] + [line for line in expected_lines[1:] if b",Tantalum," in line[:20]]
    assert view.split(b"\r\n")[:-1] == wanted and len(wanted) == len(rows) + 1 > 30  # byte for byte, BOM included
    page.get_by_role("button", name="As filed").click()
    filed = list(csv.reader(io.StringIO(_view_download(page, "CSV").decode("utf-8-sig"))))
    schema = json.loads((built_site / "downloads" / "smelters-2023.json").read_text(encoding="utf-8"))["schema"]
    as_filed = [f["name"] for f in schema["fields"] if f["provenance"] == "as filed"]
    assert filed[0] == as_filed and "class" not in filed[0] and "country" not in filed[0]
    assert filed[1:] == [[r[header.index(c)] for c in as_filed] for r in rows]
    book = openpyxl.load_workbook(io.BytesIO(_view_download(page, "Excel")), read_only=True)
    sheet_rows = [[None if v == "" else v for v in r] for r in book.worksheets[0].iter_rows(values_only=True)]
    full_book = openpyxl.load_workbook(built_site / "downloads" / "smelters-2023.xlsx", read_only=True)
    full_rows = [[None if v == "" else v for v in r] for r in full_book.worksheets[0].iter_rows(values_only=True)]
    picked = [full_rows[0].index(c) for c in as_filed]
    assert sheet_rows == [[r[i] for i in picked] for r in full_rows if r is full_rows[0] or r[1] == "Tantalum"]
    data = json.loads(_view_download(page, "JSON"))
    full_json = json.loads((built_site / "downloads" / "smelters-2023.json").read_text(encoding="utf-8"))
    assert data["data"] == [{c: r[c] for c in as_filed} for r in full_json["data"] if r["metal"] == "Tantalum"]
    assert [f["name"] for f in data["schema"]["fields"]] == as_filed and data["row_count"] == len(rows)


def test_a_site_search_result_opens_that_smelters_page(page, server):
    open_page(page, server, "/2023/", DESKTOP)
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").press_sequentially("African Gold", delay=30)
    first = page.locator(".md-search-result__item").first
    expect(first).to_contain_text("African Gold Refinery")
    expect(first).to_contain_text("Uganda")
    first.locator("a").first.click()
    expect(page).to_have_url(re.compile(r"/smelters/CID003185/(\?h=[^#]*)?$"))  # ?h=: Material's highlight
    expect(page.locator("h1")).to_have_text("African Gold Refinery")
    expect(page.locator(".cm-smelter-page")).to_contain_text("OFAC sanctioned")
    # Its row in the 2023 list, found from the page.
    page.locator(".cm-smelter-filings a", has_text="2023").click()
    expect(page.locator(".cm-status").first).to_have_text(re.compile(r"^1 of 352 smelters"))
    expect(page.locator("#smelters-2023 tbody tr")).to_have_count(1)


def test_the_index_finds_a_smelter_by_the_rmi_id_this_site_resolved(page, server):
    # 2023 listed African Gold Refinery without an ID; data/reference/resolved_ids.yaml gives it one.
    open_page(page, server, "/smelters/?search=CID003185", DESKTOP)
    expect(page.locator(".cm-status").first).to_have_text(re.compile(r"^1 of \d+ smelters"))
    expect(page.locator("#smelter-index tbody tr").first).to_contain_text("African Gold Refinery")


def test_the_404_page_offers_search_and_the_filings(page, server):
    page.goto(server + "/404.html")  # what GitHub Pages serves for an unknown address
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page.get_by_role("link", name="2023 Conflict Minerals Report")).to_be_visible()
    page.fill("#cm-404-q", "Tantalum")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/smelters/\?search=Tantalum$"))


def test_the_printed_report_is_a_compact_document_with_its_flags(page, server, tmp_path):
    page.goto(server + "/2023/report/")
    expect(page.locator("[data-enhanced]")).to_have_count(1)
    page.emulate_media(media="print")
    flag = page.locator("#smelters-2023 tbody tr", has=page.locator("th", has_text="African Gold Refinery")) \
        .locator(".cm-badge", has_text="OFAC sanctioned")
    expect(flag).to_be_visible()
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf), format="Letter", prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))
    assert 3 <= pages <= 24, f"the 2023 report prints on {pages} Letter pages"
    assert shutil.which("pdftotext"), "scripts/dev test installs poppler-utils"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    rows = [line for line in text.splitlines()
            if re.match(r"\s*(Gold|Tin|Tantalum|Tungsten)\s+\S.*\s(Conformant|Active|Not listed)$", line)]
    assert len(rows) == 352  # every row printed, each on one line with its class
    table_pages = len(re.findall(r"\f", text[text.index(rows[0]):text.index(rows[-1])])) + 1
    assert len(rows) / table_pages >= 30, f"{len(rows)} rows on {table_pages} pages"
    agr = [line for line in rows if "African Gold Refinery" in line]
    assert agr and "OFAC sanctioned" in agr[0] and "Greater risk" in agr[0]
    assert "Qualys, Inc. — 2023 Conflict Minerals Report" in text  # the printed title names registrant and year
    header = [line for line in text.splitlines() if re.match(r"\s*Metal\s+Smelter or refiner\s+Country", line)]
    assert len(header) >= 5, "the header row repeats on every page of the table"


def test_the_printed_index_has_every_row(page, server, tmp_path):
    """On screen the cross-filing index scrolls in its own box; on paper every row prints."""
    page.goto(server + "/smelters/")
    expect(page.locator("[data-enhanced]")).to_have_count(1)
    rows = page.locator("#smelter-index tbody tr").count()
    assert rows >= 400
    pdf = tmp_path / "index.pdf"
    page.pdf(path=str(pdf), format="Letter", prefer_css_page_size=True)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    printed = [line for line in text.splitlines() if re.match(r"\s*(Gold|Tin|Tantalum|Tungsten)\s+\S", line)]
    assert len(printed) >= rows, f"{len(printed)} of {rows} rows printed"


def test_a_printed_filtered_list_says_it_is_filtered(page, server, tmp_path):
    page.goto(server + "/2023/smelters/?metal=Tin&class=not_listed")
    expect(page.locator("[data-enhanced]")).to_have_count(1)
    pdf = tmp_path / "list.pdf"
    page.pdf(path=str(pdf), format="Letter")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Filtered view: Metal: Tin; Class: Not listed — 17 of 352 smelters." in " ".join(text.split())


def _rgba(css: str) -> tuple[float, float, float, float]:
    values = [float(v) for v in re.findall(r"[\d.]+", css)]
    return (*values[:3], values[3] if len(values) > 3 else 1.0)


def _contrast(fg: str, bg: str) -> float:
    (r, g, b, a), (br, bgr, bb, _) = _rgba(fg), _rgba(bg)
    mixed = [a * c + (1 - a) * d for c, d in ((r, br), (g, bgr), (b, bb))]

    def luminance(rgb):
        lin = [(c / 255) / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    high, low = sorted((luminance(mixed), luminance((br, bgr, bb))), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focus_the_chosen_view_and_absent_years_are_visible(browser, server, scheme):
    context = browser.new_context(color_scheme=scheme, viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto(server + "/2023/smelters/")
        expect(page.locator("[data-smelter-table][data-enhanced]")).to_be_attached()
        page_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
        page.keyboard.press("Tab")
        page.locator("#search").focus()
        ring = page.evaluate("(() => { const s = getComputedStyle(document.querySelector('#search')); "
                             "return [s.outlineStyle, s.outlineWidth, s.outlineColor]; })()")
        assert ring[0] == "solid" and ring[1] == "2px" and _contrast(ring[2], page_bg) >= 3, ring
        buttons = page.locator(".cm-view .md-button")
        styles = buttons.evaluate_all("bs => bs.map(b => [b.getAttribute('aria-pressed'), getComputedStyle(b).backgroundColor])")
        pressed = next(bg for state, bg in styles if state == "true")
        assert _contrast(pressed, page_bg) >= 3, (scheme, styles)  # the chosen view stands out from the page
        page.goto(server + "/smelters/")
        absent = page.locator("td.cm-none").first
        color = absent.evaluate("e => getComputedStyle(e).color")
        assert _contrast(color, page_bg) >= 4.5, (scheme, color)
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_a_key_fact_opens_the_filtered_list_in_view(page, server, viewport):
    """"1 sanctioned" on the Form SD page: the list filtered to it, its status said and focused,
    the matching row on screen (it was 1,349 px down the page)."""
    page.set_viewport_size(viewport)
    page.goto(server + "/2023/")
    page.locator(".cm-facts a", has_text="sanctioned").first.click()
    expect(page.locator("[data-smelter-table][data-enhanced]")).to_be_attached()
    assert page.url.endswith("?risk=sanction#smelters-2023")
    status = page.locator(".cm-status")
    expect(status).to_have_text(re.compile(r"^1 of 352 smelters"))
    expect(status).to_be_focused()
    row = page.locator("#smelters-2023 tbody tr", has=page.locator("th", has_text="African Gold Refinery"))
    box, height = row.bounding_box(), page.viewport_size["height"]
    assert box and 0 <= box["y"] and box["y"] + min(box["height"], 60) <= height, (box, height)


def test_a_filter_the_list_cannot_apply_is_said_not_dropped_silently(page, server):
    """The year switcher keeps a list's filters; 2013 listed no "Active" smelter."""
    open_page(page, server, "/2013/smelters/?class=active&metal=Gold", DESKTOP)
    expect(page.locator(".cm-dropped")).to_have_text("Not in this list, so not applied: Class: Active.")
    expect(page.locator("#facet-metal")).to_have_value("Gold")
    page.get_by_role("button", name="Reset").click()
    expect(page.locator(".cm-dropped")).to_be_hidden()
