"""Rendering without MkDocs: escaping, downloads, charts and the narrative filters."""
from __future__ import annotations

import re

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest

from disclosures.engine.figures import figure_docs, figures_of, longdate, percent, spell
from disclosures.site.render import charts, data_package, downloads, tables
from disclosures.site.render.html import linkify, text, script_json

HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> {{ 7*7 }} {% include "x" %} | `x`'


def test_text_is_inert_html_and_inert_jinja_and_markdown():
    out = str(text(HOSTILE))
    for dangerous in ("<script", "<img", "{{", "{%", "|", "`"):
        assert dangerous not in out
    assert "&lt;script&gt;" in out


def test_only_http_links_are_linked():
    out = str(linkify("see javascript:alert(1) and https://example.com/a?b=1&c=<x>."))
    assert 'href="javascript' not in out
    assert '<a href="https://example.com/a?b=1&amp;c=" rel="noopener">' in out


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_cells_are_neutralized(value):
    assert downloads.neutralize(value) == "'" + value


def test_ordinary_values_are_untouched():
    assert [downloads.neutralize(v) for v in ("Aida", "8853 S.p.A.", 3, True)] == ["Aida", "8853 S.p.A.", 3, True]


def test_csv_and_xlsx_downloads_neutralize_and_keep_everything_else(site, reference):
    records = downloads.smelter_records(site.filing(2023), reference)
    records[0]["smelter_name"] = "=HYPERLINK(\"http://evil\")"
    records[1]["smelter_name"] = "@cmd\u0001"
    rows = list(csv.DictReader(io.StringIO(downloads.to_csv(records).decode("utf-8-sig"))))
    assert len(rows) == 352
    assert rows[0]["smelter_name"] == "'=HYPERLINK(\"http://evil\")"
    book = openpyxl.load_workbook(io.BytesIO(downloads.to_xlsx(records, "Smelters 2023")))
    sheet = book.active
    assert sheet["C2"].value == "'=HYPERLINK(\"http://evil\")" and sheet["C2"].data_type == "s"
    assert sheet["C3"].value.startswith("'@cmd")
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:P{len(records) + 1}"
    assert sheet["A1"].font.bold and sheet.column_dimensions["C"].width > 20
    assert sheet.max_row == 353


def test_the_same_rows_give_the_same_xlsx_bytes_on_any_day(site, reference, monkeypatch):
    """A rebuild publishes identical spreadsheets: no build time in the zip or the document's
    properties, which a reader can check against an earlier download."""
    import time
    import zipfile
    records = downloads.smelter_records(site.filing(2023), reference)
    first = downloads.to_xlsx(records, "Smelters 2023")
    later = time.time() + 400 * 86400
    monkeypatch.setattr(time, "time", lambda: later)
    assert downloads.to_xlsx(records, "Smelters 2023") == first
    with zipfile.ZipFile(io.BytesIO(first)) as book:
        assert {i.date_time for i in book.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert b">1980-01-01T00:00:00Z<" in book.read("docProps/core.xml")
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in book.infolist())
    assert openpyxl.load_workbook(io.BytesIO(first)).active.max_row == len(records) + 1


def test_json_download_keeps_the_published_text_and_classification(site, reference):
    payload = json.loads(downloads.to_json(downloads.smelter_records(site.filing(2023), reference), {"filing_year": 2023},
                                           data_package.SMELTER_LIST))
    agr = next(r for r in payload["data"] if r["smelter_name"] == "African Gold Refinery")
    assert agr["designation_as_published"] == "Indeterminable" and agr["class"] == "not_listed"
    assert agr["greater_risk"] is True and agr["footnote"] == "*" and "OFAC" in agr["footnote_text"]
    assert "OFAC sanctioned" in agr["restrictions"]


def test_smelter_table_has_one_row_per_published_row_and_escapes_names(site, reference):
    html = str(tables.smelter_table(site.filing(2013), reference))
    assert html.count("<tr data-metal") == 178
    assert "<caption>" in html and 'scope="col"' in html and 'scope="row"' in html
    assert "Cendres &amp; Métaux SA" in html


def test_sanctioned_row_has_badges_and_links_its_footnote(site, reference):
    html = str(tables.smelter_table(site.filing(2023), reference))
    row = next(r for r in re.findall(r"<tr .*?</tr>", html, re.S) if "African Gold Refinery" in r)
    risk = row.split('<td class="cm-an">')[-1]  # the last cell: this site's analysis, marked .cm-an
    for label in ("Covered Country", "Greater risk", "OFAC sanctioned", 'href="#footnote-2023-1"'):
        assert label in risk
    assert 'id="footnote-2023-1"' in html


def test_chart_is_accessible_and_states_its_data():
    svg = str(charts.line_chart("Share conformant", {"Gold": [(2013, 0.4), (2023, 0.5)], "Tin": [(2013, None), (2023, 0.75)]}, "t"))
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "Gold: 2013 40%, 2023 50%." in svg and "Tin: 2023 75%." in svg


def test_narrative_filters():
    assert [spell(n) for n in (0, 4, 7, 9, 21, 40, 125)] == ["zero", "four", "seven", "nine", "twenty-one", "forty", "125"]
    assert percent(1.0) == "100%" and percent(223 / 352, 1) == "63.4%"
    assert longdate(dt.date(2024, 5, 30)) == "May 30, 2024"


def test_every_figure_is_documented_and_computed(site):
    figures = figures_of(site.filing(2023))
    assert (figures.facilities, figures.conformant, figures.active, figures.not_listed, figures.greater_risk) == (352, 223, 4, 125, 1)
    assert (figures.surveyed, figures.responded, figures.response_rate) == (7, 7, 1.0)
    assert all(doc for _, doc in figure_docs())


def test_json_in_a_script_block_cannot_close_it_and_reads_back_the_same():
    hostile = {"name": "</script><script>alert(1)</script> <!-- & \u2028"}
    block = script_json(json.dumps(hostile, ensure_ascii=False))
    assert "<" not in block and ">" not in block and "&" not in block
    assert json.loads(str(block)) == hostile


def test_downloads_written_beside_the_build_arrive_whole_or_not_at_all(tmp_path):
    records = [{"metal": "Gold", "smelter_name": "=cmd|' /C calc'!A0"}]
    good = [downloads.Download("a.csv", "csv", records, ()), downloads.Download("a.xlsx", "xlsx", records, (), "A")]
    writing = downloads.write_in_background(good)
    downloads.finish(writing, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.csv", "a.xlsx"]
    assert "'=cmd" in (tmp_path / "out" / "a.csv").read_text(encoding="utf-8-sig")
    assert not writing.folder.exists()
    # A writer that fails (a value no sheet can hold) stops the build and publishes nothing.
    bad = good[:1] + [downloads.Download("b.xlsx", "xlsx", [{"x": object()}], (), "B")]
    writing = downloads.write_in_background(bad)
    with pytest.raises(RuntimeError, match="writing the downloads failed"):
        downloads.finish(writing, tmp_path / "bad")
    assert not (tmp_path / "bad").exists() and not writing.folder.exists()


def test_filed_bold_is_linear_in_its_markers():
    """Many `**` markers (a hostile or garbled YAML value) cost about what escaping the same text
    costs, not seconds: measured against that baseline in the same test, never an absolute time."""
    import time
    from disclosures.site.render.html import filed_text
    text = "**a " * 64_000
    start = time.perf_counter()
    linkify(text)
    baseline = time.perf_counter() - start
    start = time.perf_counter()
    out = str(filed_text(text))
    assert time.perf_counter() - start < 50 * baseline + 0.5
    assert out.count("<strong>") == 0 and str(filed_text("**FORM SD**")) == "<strong>FORM SD</strong>"
