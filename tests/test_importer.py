"""The filing importer (`scripts/dev import`, disclosures/ingest/) on the real filings, on the layouts
other companies' filings use (tests/fixtures/filings/, see its README) and on awkward inputs."""
from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import subprocess
import sys
from collections import Counter
from html import unescape
from pathlib import Path

import pytest

from disclosures.engine.errors import DataError
from disclosures.ingest.filing_table import import_table
from disclosures.ingest.table_text import header_role, heading_metal, parse_metal, split_mark
from disclosures.engine.smelter_csv import canonical_cid

from disclosures.staff.new_year import scaffold
from scripts.synthetic_exhibit import malformed_exhibit

from .conftest import EXAMPLE, FILINGS, build_or_fail, copy_project

SCRIPT = ("-m", "disclosures.staff.import_filing")


def run_import(*args):
    return subprocess.run([sys.executable, *SCRIPT, *map(str, args)], capture_output=True, text=True)


@pytest.mark.parametrize("year", [2013, 2023])
def test_reimporting_a_shared_filing_reproduces_the_committed_csv_byte_for_byte(tmp_path, year):
    out = tmp_path / f"{year}.csv"
    result = run_import(FILINGS / f"qualys-{year}-form-sd.txt", "--year", year, "--out", out)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == (EXAMPLE / "data" / "smelters" / f"{year}.csv").read_bytes()


def test_2013_accounting_names_headers_debris_and_the_duplicate(reference):
    source = (FILINGS / "qualys-2013-form-sd.txt").read_text(encoding="utf-8")
    rows, acc = import_table(source, "2013.txt", reference)
    assert acc.written == len(rows) == 178
    assert len(acc.lines("header")) == 5  # the header repeated at each page break
    assert [e.detail for e in acc.entries if e.kind == "debris"] == ["'-'"]
    assert [what for _, _, what in acc.duplicates] == ["Gold / Shandong Zhaojin Gold & Silver Refinery Co. Ltd"]
    assert_every_line_accounted_once(acc, source)
    yokohama = next(r for r in rows if r.smelter_name == "Yokohama Metal Co Ltd")
    assert yokohama.country == "Japan"  # "- Japan" in the filing: a stray bullet, not a word, and said so:
    assert "line 239: the country printed '- Japan' is written 'Japan' (a leading dash or bullet dropped)" in \
        " ".join(acc.notes)


def test_2023_footnote_marker_moves_to_its_own_column_and_its_text_is_found(reference):
    source = (FILINGS / "qualys-2023-form-sd.txt").read_text(encoding="utf-8")
    rows, acc = import_table(source, "2023.txt", reference)
    agr = [r for r in rows if r.footnote]
    assert [(r.smelter_name, r.footnote, r.country) for r in agr] == [("African Gold Refinery", "*", "UGANDA")]
    assert any("no header row" in n for n in acc.notes)
    assert acc.footnotes["*"].startswith("The United States Department of Treasury, Office of Foreign Assets Control")
    assert_every_line_accounted_once(acc, source)


def assert_every_line_accounted_once(acc, source: str) -> None:
    """A text source: every line number from 1 to the last appears in exactly one entry."""
    assert acc.balanced()
    lines = sorted(e.line for e in acc.entries)
    assert lines == list(range(1, len(source.splitlines()) + 1)), "a line is missing or counted twice"


def test_html_exhibit_with_columns_in_another_order_and_smelter_ids(reference):
    html = """<html><body><p>Cover text</p><table>
    <tr><th>Smelter ID</th><th>Country</th><th>Metal</th><th>Status</th><th colspan="1">Smelter Name</th></tr>
    <tr><td>CID 1234</td><td>JAPAN</td><td>Gold (Au)</td><td>Conformant</td><td>Alpha &amp; Co.</td></tr>
    <tr><td>cid-002763</td><td>Bolivia (Plurinational State of)</td><td>Sn</td><td>Active</td><td>Beta<br>Smelter*</td></tr>
    <tr><td> cid 001076 </td><td>Viet Nam</td><td>TUNGSTEN</td><td>Non-Conformant</td><td>Gamma</td></tr>
    <tr><td>n/a</td><td>Viet Nam</td><td>W</td><td>Non-Conformant</td><td>Delta</td></tr>
    </table></body></html>"""
    rows, acc = import_table(html, "exhibit.htm", reference)
    assert [(r.metal, r.smelter_name, r.country, r.status, r.smelter_id, r.footnote) for r in rows] == [
        ("Gold", "Alpha & Co.", "JAPAN", "Conformant", "CID001234", ""),
        ("Tin", "Beta Smelter", "Bolivia (Plurinational State of)", "Active", "CID002763", "*"),
        ("Tungsten", "Gamma", "Viet Nam", "Non-Conformant", "CID001076", ""),
        ("Tungsten", "Delta", "Viet Nam", "Non-Conformant", "", ""),
    ]
    assert acc.balanced() and len(acc.lines("header")) == 1 and acc.units == 5


@pytest.mark.parametrize("written, metal", [("Gold", "Gold"), ("GOLD", "Gold"), ("Gold (Au)", "Gold"), ("Au", "Gold"),
                                            ("tin", "Tin"), ("Tantalum (Ta)", "Tantalum"), ("W", "Tungsten"),
                                            ("Silver", None), ("", None)])
def test_metal_spellings(written, metal):
    assert parse_metal(written) == metal


@pytest.mark.parametrize("written, cid", [("CID001234", "CID001234"), ("CID 001234", "CID001234"),
                                          ("CID-001234", "CID001234"), ("cid 1234", "CID001234"),
                                          ("001234", None), ("CIDX", None)])
def test_cid_spellings(written, cid):
    assert canonical_cid(written) == cid


def test_header_words_as_the_filings_write_them():
    assert [header_role(h) for h in ['<u>Metal</u>', "Smelter or Refiner Facility Name", "Location",
                                     '"Conflict Free" Designation', "Smelter Identification Number"]] == [
        "metal", "smelter_name", "country", "status", "smelter_id"]


@pytest.mark.parametrize("row, field, message", [
    ("Silver\tAcme\tJapan\tYes", "metal", "unknown metal 'Silver'"),
    ("Gold\tAcme\tJapan\tMaybe", "status", "unknown designation 'Maybe'"),
    ("Gold\tAcme\tAtlantis\tYes", "country", "unknown country 'Atlantis'"),
])
def test_a_bad_row_is_an_error_with_file_line_and_field(tmp_path, row, field, message):
    source = tmp_path / "filing.txt"
    source.write_text("Cover page\nMetal\tSmelter Name\tCountry\tStatus\nGold\tFine\tJapan\tYes\n" + row + "\n")
    out = tmp_path / "out.csv"
    result = run_import(source, "--year", 2024, "--out", out)
    assert result.returncode == 1
    assert f"filing.txt:4: {field}: {message}" in result.stderr
    assert not out.exists(), "nothing may be written when any row is bad"


def test_an_input_without_a_table_is_refused(tmp_path, reference):
    with pytest.raises(DataError, match="no smelter table found"):
        import_table("Just prose.\nNo table here.\n", "empty.txt", reference)
    with pytest.raises(DataError, match="skipped, not a smelter list.*Countries of origin"):
        import_table("<table><tr><th>Metal</th><th>Countries of origin</th></tr><tr><td>Tin</td><td>Peru</td></tr></table>",
                     "origins.htm", reference)


# ---- the layouts of other companies' filings (tests/fixtures/filings/README.md says how each was made) ----

LAYOUTS = EXAMPLE.parent / "filings"
EXAMPLE_2023 = EXAMPLE / "data" / "smelters" / "2023.csv"


def published_2023() -> set[tuple[str, str]]:
    """(metal, name) of every row of the real 2023 list, which the layout fixtures were made from."""
    with open(EXAMPLE_2023, encoding="utf-8", newline="") as handle:
        return {(r["metal"], r["smelter_name"]) for r in csv.DictReader(handle)}


def tool_workbook(path: Path) -> Path:
    """A compliance tool's .xlsx export, made as such tools make them: a summary sheet first,
    then the list under a title block, then a blank row and a total row."""
    from openpyxl import Workbook

    with open(LAYOUTS / "tool-export.csv", encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    for row in [["Metal", "Smelters", "Conformant"], ["Gold", 7, 3], ["Tin", 5, 4], ["Total", 20, 11]]:
        summary.append(row)
    sheet = book.create_sheet("Smelter List")
    for row in lines:
        sheet.append([int(c) if c.isdigit() else (c or None) for c in row])
    book.save(path)
    return path


# fixture -> (rows, rows per metal, tables read as smelter lists, tables skipped)
LAYOUT_EXPECTATIONS = {
    "edgar-metal-headings.htm": (20, {"Gold": 7, "Tin": 5, "Tantalum": 4, "Tungsten": 4}, 4, 0),
    "edgar-section-rows.htm": (20, {"Gold": 7, "Tin": 5, "Tantalum": 4, "Tungsten": 4}, 1, 0),
    "edgar-rowspan-footnotes.htm": (20, {"Gold": 7, "Tin": 5, "Tantalum": 4, "Tungsten": 4}, 1, 0),
    "edgar-no-designation.htm": (20, {"Gold": 7, "Tin": 5, "Tantalum": 4, "Tungsten": 4}, 1, 3),
    "word-export.htm": (21, {"Gold": 8, "Tin": 5, "Tantalum": 4, "Tungsten": 4}, 1, 0),
    "pdf-layout.txt": (86, {"Gold": 40, "Tin": 20, "Tantalum": 12, "Tungsten": 14}, 1, 0),
    "tool-export.csv": (20, {"Gold": 7, "Tin": 5, "Tantalum": 4, "Tungsten": 4}, 1, 0),
    "tool-export.xlsx": (20, {"Gold": 7, "Tin": 5, "Tantalum": 4, "Tungsten": 4}, 1, 1),
}


def layout_source(name: str, tmp_path: Path) -> Path:
    return tool_workbook(tmp_path / name) if name.endswith(".xlsx") else LAYOUTS / name


def units_in(path: Path) -> int:
    """What the source holds, counted without the importer: <tr> tags, lines or sheet rows."""
    data = path.read_bytes()
    if path.suffix == ".htm":
        return len(re.findall(rb"<tr[\s>]", data, re.IGNORECASE))
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook
        return sum(len([r for r in ws.iter_rows(values_only=True)]) for ws in load_workbook(path).worksheets)
    text = data.decode("utf-8-sig")
    return len(text.split("\n")) - text.endswith("\n")


@pytest.mark.parametrize("name", LAYOUT_EXPECTATIONS)
def test_each_layout_imports_every_smelter_and_accounts_for_every_line(name, tmp_path, reference):
    path = layout_source(name, tmp_path)
    rows, acc = import_table(path.read_bytes(), str(path), reference)
    count, per_metal, read, skipped = LAYOUT_EXPECTATIONS[name]
    assert len(rows) == acc.written == count
    assert dict(Counter(r.metal for r in rows)) == per_metal
    assert [outcome.startswith("smelter list") for _, outcome in acc.tables].count(True) == read
    assert [outcome.startswith("skipped") for _, outcome in acc.tables].count(True) == skipped
    assert acc.balanced() and acc.units == units_in(path), "every line, table row or sheet row is accounted for once"
    real = published_2023()
    assert [(r.metal, r.smelter_name) for r in rows if (r.metal, r.smelter_name) not in real] == (
        [("Gold", "Cendres + Métaux S.A.")] if name == "word-export.htm" else []), \
        "every name exactly as the list it was made from: nothing split, run together or left with a mark"
    assert all("\u00ad" not in r.smelter_name and "\xa0" not in r.smelter_name for r in rows)


def test_one_table_per_metal_takes_the_metal_from_the_heading_above_it(reference):
    rows, acc = import_table((LAYOUTS / "edgar-metal-headings.htm").read_bytes(), "x.htm", reference)
    assert [label.split(" (")[0] + ": " + outcome for label, outcome in acc.tables] == [
        "table 1: smelter list: 7 rows (Gold)", "table 2: smelter list: 5 rows (Tin)",
        "table 3: smelter list: 4 rows (Tantalum)", "table 4: smelter list: 4 rows (Tungsten)"]
    assert heading_metal("Tantalum Smelters and Refiners") == "Tantalum" and heading_metal("TUNGSTEN SMELTERS") == "Tungsten"
    assert all(r.smelter_id.startswith("CID") and len(r.smelter_id) == 9 for r in rows)
    assert rows[2].smelter_id == "CID001076"  # typed "cid 1076" in the exhibit


def test_section_rows_set_the_metal_and_names_with_metal_words_stay_names(reference):
    rows, acc = import_table((LAYOUTS / "edgar-section-rows.htm").read_bytes(), "x.htm", reference)
    assert len(acc.lines("section")) == 4 and len(acc.lines("header")) == 4
    changsha = [r for r in rows if r.smelter_name.startswith("Changsha South Tantalum Niobium")]
    assert changsha and {r.metal for r in changsha} == {"Tantalum"}
    assert heading_metal("Changsha South Tantalum Niobium Co") is None


def test_rowspan_metal_and_footnote_marks_with_their_texts(reference):
    rows, acc = import_table((LAYOUTS / "edgar-rowspan-footnotes.htm").read_bytes(), "x.htm", reference)
    marked = [(r.metal, r.footnote) for r in rows if r.footnote]
    assert marked == [("Gold", "*"), ("Gold", "**"), ("Tin", "†"), ("Tin", "(1)"), ("Tantalum", "1"), ("Tantalum", "1")]
    assert all(not r.smelter_name.endswith(("*", "†", ")", "1", "¹")) for r in rows)
    assert acc.footnotes == {"*": "OFAC designated this refiner as a Specially Designated National.",
                             "**": "Listed by two suppliers under different names.",
                             "†": "Suspended from the RMAP during the reporting year.",
                             "(1)": "Recycled or scrap sources only.", "1": "Conformance reassessment in progress."}
    assert len(acc.lines("header")) == 2  # repeated at the page break
    assert {r.smelter_id for r in rows} >= {"CID001210"}  # "CID 001210": spacing normalized


@pytest.mark.parametrize("text, mark", [("Refinery*", "*"), ("Refinery **", "**"), ("Refinery†", "†"),
                                        ("Refinery (1)", "(1)"), ("Refinery¹", "1"), ("Metalor (Singapore)", ""),
                                        ("Refinery\ue000TM\ue001", "")])
def test_footnote_marks(text, mark):
    assert split_mark(text)[1] == mark


def test_a_list_without_designations_imports_empty_never_invented(reference):
    rows, acc = import_table((LAYOUTS / "edgar-no-designation.htm").read_bytes(), "x.htm", reference)
    assert {r.status for r in rows} == {""}
    assert any("no designation column" in n and "not stated" in n for n in acc.notes)
    reasons = [outcome for _, outcome in acc.tables if outcome.startswith("skipped")]
    assert len(reasons) == 3 and all("not a smelter list" in r for r in reasons)
    assert acc.counts()["skipped"] == 9
    assert reference.class_of("") == "not_stated"


def test_word_html_keeps_every_row_of_nested_cell_tables(reference):
    rows, acc = import_table((LAYOUTS / "word-export.htm").read_bytes(), "x.htm", reference)
    assert acc.counts()["nested"] == 11 and acc.counts()["layout"] == 1
    assert any("Windows-1252" in n for n in acc.notes)
    assert rows[-1].smelter_name == "Cendres + Métaux S.A."


def test_pdf_text_joins_wrapped_cells_and_drops_page_furniture(reference):
    path = LAYOUTS / "pdf-layout.txt"
    rows, acc = import_table(path.read_bytes(), str(path), reference)
    names = {r.smelter_name for r in rows}
    assert {"Almalyk Mining and Metallurgical Complex (AMMC)", "Albasteel Industria e Comercio de Ligas Para Fundicao Ltd.",
            "JiuJiang JinXin Nonferrous Metals Co., Ltd."} <= names
    assert next(r for r in rows if r.smelter_name == "Artek LLC").country == "Russian Federation"
    debris = [e.detail for e in acc.entries if e.kind == "debris"]
    assert debris.count("'1'") == 1 and sum("Example Corp. Conflict Minerals Report" in d for d in debris) == 3
    assert acc.footnotes["*"].endswith("on March 17, 2022.")  # wrapped onto a second line


@pytest.mark.parametrize("name", ["tool-export.csv", "tool-export.xlsx"])
def test_spreadsheet_exports_skip_title_block_totals_and_other_sheets(name, tmp_path, reference):
    path = layout_source(name, tmp_path)
    rows, acc = import_table(path.read_bytes(), str(path), reference)
    assert acc.counts()["total"] == 1 and acc.counts()["outside"] == 2
    assert {r.metal for r in rows} == {"Gold", "Tin", "Tantalum", "Tungsten"}  # published as GOLD, TIN...
    assert all(r.smelter_id.startswith("CID") for r in rows)
    assert any("columns not imported" in n and "Number of Suppliers" in n for n in acc.notes)


def test_an_unknown_designation_in_a_layout_is_an_error_and_nothing_is_written(tmp_path):
    source = tmp_path / "exhibit.htm"
    source.write_text((LAYOUTS / "edgar-section-rows.htm").read_text(encoding="utf-8").replace("Not Enrolled", "Pending", 1))
    out = tmp_path / "out.csv"
    result = run_import(source, "--year", 2024, "--out", out)
    assert result.returncode == 1 and "unknown designation 'Pending'" in result.stderr and not out.exists()
    assert re.search(r"exhibit\.htm:\d+: status:", result.stderr)


def test_a_table_without_metal_column_or_heading_names_the_problem(reference):
    html = "<table><tr><th>Smelter Name</th><th>Country</th></tr><tr><td>Alpha</td><td>Japan</td></tr></table>"
    with pytest.raises(DataError, match=r"no metal: table 1 \(line 1\) has no Metal column"):
        import_table(html, "x.htm", reference)


def test_a_large_malformed_exhibit_is_read_whole(reference):
    """2 MB of unclosed tags, entities and nested tables (the old parser took minutes); its
    speed is measured in scripts/bench_import.py, not here."""
    source, count = malformed_exhibit(EXAMPLE_2023, 2_000_000)
    rows, acc = import_table(source, "big.htm", reference)
    assert len(rows) == count > 9000 and acc.balanced()
    assert rows[0].smelter_name == "8853 S.p.A." and rows[5].smelter_name == "Agosi AG"


def test_the_import_prints_its_accounting_and_help_names_the_layouts(tmp_path):
    out = tmp_path / "2030.csv"
    result = run_import(LAYOUTS / "pdf-layout.txt", "--year", 2024, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "wrapped-cell lines joined to their row" in result.stdout and "footnotes found below the table" in result.stdout
    assert "pdftotext -layout" in run_import("--help").stdout


def test_a_draft_year_builds_from_each_layouts_csv(tmp_path):
    """What staff do next: the imported CSV becomes a draft year and the site builds with it."""
    project = copy_project(tmp_path / "project")
    years = {}
    for year, name in enumerate(LAYOUT_EXPECTATIONS, 2014):  # drafts between the filed 2013 and 2023
        scaffold(project, year, today=dt.date(2040, 1, 1))
        result = run_import(layout_source(name, tmp_path), "--year", year, "--out", project / "data" / "smelters" / f"{year}.csv")
        assert result.returncode == 0, result.stderr
        years[year] = name
    site = build_or_fail(project, tmp_path / "site", "--drafts")
    for year, name in years.items():
        page = (site / str(year) / "smelters" / "index.html").read_text(encoding="utf-8")
        assert page.count("<tr data-metal=") == LAYOUT_EXPECTATIONS[name][0], name
    no_designation = next(y for y, n in years.items() if n == "edgar-no-designation.htm")
    page = (site / str(no_designation) / "smelters" / "index.html").read_text(encoding="utf-8")
    assert "The filing published no designations" in page and 'class="cm-c-designation"' not in page
    assert unescape(page).count('<span class="cm-badge cm-badge--not_stated">Not stated</span>') == 20


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils, installed by scripts/dev) is absent")
def test_a_pdf_exhibit_is_read_through_pdftotext(tmp_path):
    from_pdf, from_text = tmp_path / "pdf.csv", tmp_path / "txt.csv"
    result = run_import(LAYOUTS / "pdf-exhibit.pdf", "--year", 2024, "--out", from_pdf)
    assert result.returncode == 0 and "read through `pdftotext -layout`" in result.stdout, result.stderr
    assert run_import(LAYOUTS / "pdf-layout.txt", "--year", 2024, "--out", from_text).returncode == 0
    assert from_pdf.read_bytes() == from_text.read_bytes()


def test_hostile_cell_text_is_inert(reference):
    """Terminal escapes and control characters never reach the staff's terminal or the CSV;
    markup inside a cell is text (the site escapes it when it renders the list)."""
    html = ("<table><tr><th>Metal</th><th>Smelter Name</th><th>Country</th><th>Status</th></tr>"
            "<tr><td>Gold</td><td>Evil\x1b[2J Refinery &lt;script&gt;alert(1)&lt;/script&gt;</td><td>Japan</td><td>Conformant</td></tr>"
            "</table><p>* \x1b]0;owned\x07 footnote text that is long enough</p>")
    rows, acc = import_table(html, "x.htm", reference)
    assert rows[0].smelter_name == "Evil[2J Refinery <script>alert(1)</script>"
    assert not any(ord(c) < 32 for r in rows for c in r.smelter_name)
