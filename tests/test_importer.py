"""The filing importer (`scripts/dev import`, disclosures/ingest/filing_table.py) on the real filings and on awkward inputs."""
from __future__ import annotations

import subprocess
import sys

import pytest

from disclosures.engine.errors import DataError
from disclosures.ingest.filing_table import header_role, import_table, parse_metal
from disclosures.engine.smelter_csv import canonical_cid

from .conftest import FILINGS, EXAMPLE

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
    assert len(acc.headers) == 5  # the header repeated at each page break
    assert [reason for _, reason in acc.rejected] == ["page-break debris '-'"]
    assert [what for _, _, what in acc.duplicates] == ["Gold / Shandong Zhaojin Gold & Silver Refinery Co. Ltd"]
    assert acc.balanced()
    yokohama = next(r for r in rows if r.smelter_name == "Yokohama Metal Co Ltd")
    assert yokohama.country == "Japan"  # "- Japan" in the filing: a stray bullet, not a word


def test_2023_footnote_marker_moves_to_its_own_column(reference):
    source = (FILINGS / "qualys-2023-form-sd.txt").read_text(encoding="utf-8")
    rows, acc = import_table(source, "2023.txt", reference)
    agr = [r for r in rows if r.footnote]
    assert [(r.smelter_name, r.footnote, r.country) for r in agr] == [("African Gold Refinery", "*", "UGANDA")]
    assert acc.notes and "no header row" in acc.notes[0]


def test_html_exhibit_with_columns_in_another_order_and_smelter_ids(reference):
    html = """<html><body><p>Cover text</p><table>
    <tr><th>Smelter ID</th><th>Country</th><th>Metal</th><th>Status</th><th colspan="1">Smelter Name</th></tr>
    <tr><td>CID 1234</td><td>JAPAN</td><td>Gold (Au)</td><td>Conformant</td><td>Alpha &amp; Co.</td></tr>
    <tr><td>cid-002763</td><td>Bolivia (Plurinational State of)</td><td>Sn</td><td>Active</td><td>Beta<br>Smelter*</td></tr>
    <tr><td></td><td>Viet Nam</td><td>TUNGSTEN</td><td>Non-Conformant</td><td>Gamma</td></tr>
    </table></body></html>"""
    rows, acc = import_table(html, "exhibit.htm", reference)
    assert [(r.metal, r.smelter_name, r.country, r.status, r.smelter_id, r.footnote) for r in rows] == [
        ("Gold", "Alpha & Co.", "JAPAN", "Conformant", "CID001234", ""),
        ("Tin", "Beta Smelter", "Bolivia (Plurinational State of)", "Active", "CID002763", "*"),
        ("Tungsten", "Gamma", "Viet Nam", "Non-Conformant", "", ""),
    ]
    assert acc.balanced() and len(acc.headers) == 1


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
