"""The Form SD page is the filed document word for word, and this site's additions say they are ours
(the lock of a filed year: tests/test_record.py)."""
from __future__ import annotations

import html as htmllib
import re

import pytest
from lxml import html as lxml_html

from .conftest import FILINGS


# ---- the Form SD, verbatim --------------------------------------------------------------------
# The source texts are the filings as extracted from EDGAR; known extraction debris is undone here.
SOURCE_FIXES = {2013: [("REPOR\tĽΤ", "REPORT")], 2023: [("**", " ")]}
REPORT_STARTS = {2013: "Qualys, Inc. Conflict Minerals Report For The", 2023: "Qualys, Inc.\nConflict Minerals Report"}


def filed_words(year: int) -> list[str]:
    text = (FILINGS / f"qualys-{year}-form-sd.txt").read_text(encoding="utf-8")
    text = text[: text.index(REPORT_STARTS[year])]
    for old, new in SOURCE_FIXES[year]:
        text = text.replace(old, new)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    text = re.sub(r"^-( |$)", "", text, flags=re.M)  # the bullets the extraction made of checkbox lines
    return text.split()


def shown_words(html: str) -> list[str]:
    """The words of the page's filed document, without the site's labels and the box glyphs."""
    doc = lxml_html.fromstring(html).xpath("//*[@data-filed='form-sd']")[0]
    for node in doc.xpath(".//*[contains(@class, 'cm-check') or contains(@class, 'cm-sr-only')]"):
        node.drop_tree()
    for br in doc.iter("br"):
        br.tail = " " + (br.tail or "")
    for block in doc.xpath(".//p|.//h2|.//h3|.//td|.//th"):
        block.tail = " " + (block.tail or "")
    return htmllib.unescape(doc.text_content()).split()


@pytest.mark.parametrize("year", [2013, 2023])
def test_the_form_sd_page_is_the_filed_document_word_for_word(built_site, year):
    """Every word of the filed cover, items, signature and exhibit index, in filed order and case,
    and nothing else inside the document."""
    html = (built_site / str(year) / "index.html").read_text(encoding="utf-8")
    assert shown_words(html) == filed_words(year)


def test_the_form_sd_says_what_is_the_site_s_and_links_edgar(built_site):
    page = lxml_html.fromstring((built_site / "2023" / "index.html").read_text(encoding="utf-8"))
    note = page.xpath("//*[@data-site='note']")[0]
    assert "reproduced as filed on May 30, 2024" in note.text_content()
    assert note.xpath(".//a/@href")[0].startswith("https://www.sec.gov/")
    checked = [p.text_content() for p in page.xpath("//*[contains(@class, 'cm-sd-box')]")]
    assert checked[0].startswith("☒(box checked)") and checked[1].startswith("☐(box not checked)")


def test_the_report_annex_shows_the_filed_columns_and_marks_the_analysis(built_site):
    """The annex opens with the analysis (so the flags are on screen and on paper) and every
    part of it that the filing did not print is marked: the class column, the flags beside a
    name, the country codes; "As filed" (data-view="filed") hides exactly those (.cm-an)."""
    page = lxml_html.fromstring((built_site / "2023" / "report" / "index.html").read_text(encoding="utf-8"))
    table = page.xpath("//*[@data-smelter-table]")[0]
    assert table.get("data-view") == "analysis"
    headers = table.xpath(".//thead//th")
    filed = [" ".join(h.text_content().split()) for h in headers if "cm-an" not in (h.get("class") or "")]
    assert filed == ["Metal", "Smelter or refiner", "Country", "Status"]
    assert all("analysis" in h.text_content() for h in headers if "cm-an" in (h.get("class") or ""))
    # IDs this site resolved are an analysis column of the year's list page (the annex links to it), said so.
    assert not [h for h in headers if "RMI ID" in h.text_content()]
    listing = lxml_html.fromstring((built_site / "2023" / "smelters" / "index.html").read_text(encoding="utf-8"))
    resolved = [h for h in listing.xpath("//*[@data-smelter-table]//thead//th") if "RMI ID" in h.text_content()]
    assert len(resolved) == 1 and "resolved by this site" in resolved[0].text_content() and "cm-an" in resolved[0].get("class")
    agr = table.xpath(".//tbody/tr[th[starts-with(normalize-space(.), 'African Gold Refinery')]]")[0]
    flags = agr.xpath(".//*[contains(@class, 'cm-badge')]")
    assert {" ".join(f.text_content().split()) for f in flags} >= {"Greater risk", "OFAC sanctioned"}
    assert all(f.xpath("ancestor::*[contains(concat(' ', @class, ' '), ' cm-an ')]") for f in flags)
    assert "analysis" in " ".join(table.xpath(".//p[contains(@class, 'cm-view-note')]")[0].text_content().split())
    facts = page.xpath("//aside[contains(@class, 'cm-facts')]")[0]
    assert "Key facts — this site's analysis, not part of the filing" in facts.text_content()


def test_a_filing_s_own_legend_qualifies_its_class(built_site):
    """2013's "Yes" is conflict free *or undeterminable*: never called plainly conformant."""
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert "<strong>74</strong> Conformant or undeterminable &#40;42%&#41;" in home
    assert "<q>we determined that our products are DRC Conflict Undeterminable with regard to calendar year 2013</q>" in home
    report = (built_site / "2013" / "report" / "index.html").read_text(encoding="utf-8")
    assert "Conformant or undeterminable" in report and ">Conformant</th>" not in report
