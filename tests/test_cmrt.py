"""Ingesting supplier CMRT workbooks: the pure parts, and the command on synthetic workbooks
laid out as the real 6.x template (tests/test_cmrt_templates.py runs the RMI's own templates)."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
import yaml
from openpyxl import Workbook

from disclosures.engine.inert import markdown_text, neutralize
from disclosures.engine.errors import DataError
from disclosures.engine.smelter_csv import read_smelter_csv
from disclosures.ingest import cmrt_template as layout
from disclosures.ingest.cmrt import excel_date, parse_supplier
from disclosures.ingest.cmrt_merge import merge
from disclosures.ingest.country_names import country_code
from disclosures.ingest.rmi_list import parse_rmi_list
from disclosures.ingest.smelter_lookup import SmelterLookup, confident
from disclosures.ingest.workbook import NotACmrt, read_sheets
from scripts.synthetic_cmrt import CmrtSpec, SmelterSpec, write_cmrt

from .conftest import EXAMPLE

AGR = SmelterSpec("Gold", "African Gold Refinery", "UGANDA", "CID003185", "UGANDA")
AIDA = SmelterSpec("Gold", "Aida Chemical Industries Co., Ltd.", "JAPAN", "CID000019", "JAPAN")


def supplier_of(path):
    return parse_supplier(path.name, read_sheets(path))


@pytest.mark.parametrize("value, expected", [
    (45414, dt.date(2024, 5, 2)), ("45414", dt.date(2024, 5, 2)), ("02-May-2024", dt.date(2024, 5, 2)),
    ("2024-05-02", dt.date(2024, 5, 2)), (dt.datetime(2024, 5, 2, 0, 0), dt.date(2024, 5, 2)), ("soon", None),
    (12345, None), ("12345", None), (10**12, None), (-3, None), (45414.75, dt.date(2024, 5, 2))])
def test_effective_dates_in_range_or_none(value, expected):
    assert excel_date(value) == expected


@pytest.mark.parametrize("cells, expected", [
    ({"declaration": [[], [], [None] * 9 + ["Revision 6.5\nApril 25, 2025"]]}, "6.5"),
    ({"smelter list": [[], [], [None] * 16 + ["Revision 6.31\nMay 26, 2023"]]}, "6.31"),
    ({"revision": [[None, "REVISION"], [None, "6.01"], [None, "6.1"]]}, "6.1"),  # 6.1 is 6.10, after 6.01
    ({"revision": [[None, "6.31"], [None, "6.5"], [None, "6.4"]]}, "6.5"),      # 6.5 after 6.31
    ({"declaration": [["Company"]]}, ""),
])
def test_the_revision_is_read_as_the_workbook_prints_it(cells, expected):
    assert layout.revision_of(cells) == expected


def test_answers_typed_in_a_display_language_are_stored_in_english():
    rows = [[None, "Sheets", "Cells", "English", "中文 Chinese", "Français"],
            [None, "Declaration", "B96", "Yes", "是", "Oui"],
            [None, "Declaration", "B98", "Unknown", "未知", "Inconnu"],
            [None, "Declaration", "B28", "Gold  ", "金", "Or"],
            [None, "Declaration", "B25", "1) Is any 3TG intentionally added", "1) 是否", "1) Est-ce"]]
    tr = layout.read_translations(rows)
    assert [tr.english(w) for w in ("是", "Oui", "inconnu", "Yes", "maybe")] == ["Yes", "Yes", "Unknown", "Yes", "maybe"]
    assert [tr.metal(w) for w in ("金", "Or", "GOLD", "Au", "铜")] == ["Gold", "Gold", "Gold", "Gold", None]
    assert "1) 是否" not in tr.words  # long labels are not vocabulary


def lookup_of(*rows) -> SmelterLookup:
    lookup = SmelterLookup("test")
    for row in rows:
        lookup.add(*row)
    return lookup


def test_a_name_without_an_id_takes_one_only_when_one_smelter_stands_out(reference):
    lookup = lookup_of(("Gold", "Allgemeine Gold-und Silberscheideanstalt A.G.", "Agosi AG", "GERMANY", "CID000035"),
                       ("Gold", "Agosi AG", "Agosi AG", "GERMANY", "CID000035"),
                       ("Gold", "Asahi Refining USA Inc.", "Asahi Refining USA Inc.", "UNITED STATES OF AMERICA", "CID000920"),
                       ("Gold", "Asahi Refining Canada Ltd.", "Asahi Refining Canada Ltd.", "CANADA", "CID000924"))
    code = lambda text: country_code(text, reference.countries)  # noqa: E731
    known = lookup.candidates("Gold", "ALLGEMEINE GOLD UND SILBERSCHEIDEANSTALT AG", "DE", code)
    assert confident(known).smelter.smelter_id == "CID000035" and known[0].basis == "known name"
    assert confident(lookup.candidates("Gold", "Agosi AG.", "DE", code)).basis == "standard name"
    misspelt = lookup.candidates("Gold", "Allgemeine Gold und Silberscheideanstallt", "DE", code)
    assert confident(misspelt).smelter.smelter_id == "CID000035" and misspelt[0].basis == "similar name"
    assert lookup.candidates("Gold", "Agosi AG", "JP", code) == []  # same name, another country: not it
    vague = lookup.candidates("Gold", "Asahi Refining", None, code)
    assert vague[0].smelter.smelter_id == "CID000920" and confident(vague) is None  # 78: shown, not taken
    assert [c.smelter.smelter_id for c in lookup.candidates("Gold", "Asahi Refining Ltd", "CA", code)] == ["CID000924"]
    assert lookup.candidates("Tin", "Agosi AG") == []  # another metal


@pytest.mark.parametrize("typed, code", [("中国", "CN"), ("Chine", "CN"), ("中華人民共和国", "CN"), ("CHINA", "CN"),
                                         ("Demokratische Republik Kongo", "CD"), ("콩고 민주 공화국", "CD"),
                                         ("Ruanda", "RW"), ("Türkiye", "TR"), ("Viêt Nam", "VN"), ("Estados Unidos", "US")])
def test_countries_resolve_in_the_template_languages(typed, code, reference):
    assert country_code(typed, reference.countries) == code


def test_a_country_no_one_knows_stays_unknown(reference):
    assert country_code("Chyna", reference.countries) is None
    assert country_code("Atlantis", reference.countries, {"atlantis": "ZZ"}) is None  # not an ISO code


def test_the_rmi_export_columns_are_read_in_any_order(reference):
    rows = [["RMI Active and Conformant Facilities", None], [],
            ["Metal", "Smelter ID", "Standard Smelter Name", "State / Province / Region", "Country Location",
             "Assessment Status", "Last Audit Date"],
            ["Gold", "CID000035", "Agosi AG", "Baden-Württemberg", "GERMANY", "Conformant", "2024-05-01"],
            ["Gold", "cid 35", "duplicate", "", "GERMANY", "Active", ""], ["", "", "", "", "", "", ""]]
    facilities = parse_rmi_list(rows, "rmi.csv", reference)
    assert list(facilities) == ["CID000035"] and facilities["CID000035"].status == "Conformant"
    assert facilities["CID000035"].country == "GERMANY"
    no_status = [["Smelter ID", "Metal", "Standard Smelter Name", "Country"], ["CID000035", "Gold", "Agosi AG", "GERMANY"]]
    with pytest.raises(DataError, match="no column for status; pass --rmi-status"):
        parse_rmi_list(no_status, "conformant.csv", reference)
    assert parse_rmi_list(no_status, "conformant.csv", reference, "Conformant")["CID000035"].status == "Conformant"
    with pytest.raises(DataError, match="rmi.csv:2: status: unknown status 'Sparkling'"):
        parse_rmi_list([no_status[0] + ["Status"], no_status[1] + ["Sparkling"]], "rmi.csv", reference)


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2", "@SUM(A1)", "\tx"])
def test_staff_files_get_no_live_formula(text):
    assert neutralize(text) == "'" + text
    assert not markdown_text(text).startswith(("+", "-"))


def test_markdown_in_supplier_text_is_shown_as_written():
    import markdown
    html = markdown.markdown(markdown_text("[click](javascript:alert(1)) **bold** <b>x</b> # h\n- item"))
    assert html == "<p>[click](javascript:alert(1)) **bold** &lt;b&gt;x&lt;/b&gt; # h - item</p>"
    table = markdown.markdown(f"| a | b |\n| --- | --- |\n| {markdown_text('x | y')} | z |", extensions=["tables"])
    assert "<td>x | y</td>" in table and table.count("<td>") == 2  # a | in a cell stays in its cell


def test_options_a_b_c_and_placeholders_on_the_6x_layout(tmp_path, reference):
    spec = CmrtSpec(company="Acme Contract Manufacturing Ltd.  ", effective_date=45414, smelters=[
        SmelterSpec("Gold", "Aida Chemical Industries Co., Ltd.", "JAPAN", "CID000019", "JAPAN", option="A"),
        SmelterSpec("Gold", "Aida Chemical Industries Co., Ltd.", "JAPAN", "CID000019", "CHILE", option="B"),  # per mine
        SmelterSpec("Tin", "Local Tin Works", "Viet Nam", "", "Viet Nam", option="C"),
        SmelterSpec("Gold", "Aida Chemical Industries", "JAPAN", "", "", option="C")],  # its twin without an ID
        extra_rows=[["", "Gold", "Smelter not yet identified"], ["", "", "", "Someone Refining", "CHINA"],
                    [" cid 000019 "], ["CID999999"]])
    supplier = supplier_of(write_cmrt(spec, tmp_path / "en.xlsx"))
    d = supplier.declaration
    assert (d.company, d.revision, d.effective_date, d.language) == ("Acme Contract Manufacturing Ltd.", "6.5",
                                                                      dt.date(2024, 5, 2), "English")
    assert [(x.row, x.option, x.smelter_id) for x in supplier.lines] == [
        (5, "A", "CID000019"), (6, "B", "CID000019"), (7, "C", ""), (8, "C", "CID000019"), (11, "A", "CID000019")]
    assert [reason.split(" (")[0] for _, reason in supplier.rejected] == [
        "placeholder, not a smelter", "no metal", "CID999999 is not in this workbook's Smelter Look-up and the row "
        "names no metal and smelter"]
    result = merge([supplier], reference, None, 1)
    assert [(s.metal, s.smelter_name, s.smelter_id) for s in result.smelters] == [
        ("Gold", "Aida Chemical Industries Co., Ltd.", "CID000019"), ("Tin", "Local Tin Works", "")]
    aida = result.smelters[0]
    assert aida.mine_countries == {"JAPAN", "CHILE"} and sum(aida.names.values()) == 4
    assert [f.text for f in result.follow_up if f.kind == "no_id"] == [
        "no smelter ID: Tin / Local Tin Works (Viet Nam), reported by 1 supplier"]


def test_the_declaration_is_checked_against_the_smelter_list(tmp_path, reference):
    spec = CmrtSpec(company="深圳示例电子有限公司", language="zh", version="6.22", smelters=[AIDA, AGR],
                    necessary={"Tantalum": True, "Tin": True, "Gold": False, "Tungsten": True})
    result = merge([supplier_of(write_cmrt(spec, tmp_path / "zh.xlsx"))], reference, None, 1)
    texts = [f.text for f in result.follow_up if f.kind == "contradiction"]
    assert texts == ["a supplier declares no Gold in its products (question 1) but lists Gold smelters",
                     "a supplier declares no Gold from the Covered Countries (question 3) but lists African Gold "
                     "Refinery, located in Uganda"]


def test_survey_figures_per_metal_and_overall(tmp_path, reference):
    metals = ("Tantalum", "Tin", "Gold", "Tungsten")
    specs = [CmrtSpec(company="One", smelters=[AIDA], from_covered={m: m == "Gold" for m in metals}),
             CmrtSpec(company="Two", smelters=[AGR], from_covered={m: m in ("Gold", "Tin") for m in metals},
                      all_identified={m: m != "Tin" for m in metals}),
             CmrtSpec(company="Three", smelters=[AIDA], necessary={m: m == "Gold" for m in metals},
                      all_identified={m: m == "Gold" for m in metals}),
             CmrtSpec(company="one", smelters=[AIDA])]  # the same supplier's second workbook
    suppliers = [supplier_of(write_cmrt(s, tmp_path / f"{i}.xlsx")) for i, s in enumerate(specs)]
    figures = merge(suppliers, reference, None, 4).rcoi
    assert (figures["suppliers"], figures["suppliers_sourcing_from_covered_countries"],
            figures["suppliers_all_smelters_identified"], figures["suppliers_sourcing_from_cahra"]) == (3, 2, 2, 0)
    assert figures["by_metal"]["Gold"] == {"using": 3, "covered_countries": 2, "covered_countries_unknown": 0,
                                           "cahra": 0, "all_smelters_identified": 3}
    assert figures["by_metal"]["Tin"]["covered_countries"] == 1 and figures["by_metal"]["Tin"]["using"] == 2
    assert figures["by_metal"]["Tin"]["all_smelters_identified"] == 1


def test_bad_workbooks_are_refused_with_a_reason(tmp_path):
    corrupt = tmp_path / "corrupt.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 this is not really a zip file")
    text = tmp_path / "notes.xlsx"
    text.write_text("just text")
    protected = tmp_path / "protected.xlsx"
    protected.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 512)
    other = Workbook()
    other.active.title = "Budget"
    other.save(tmp_path / "budget.xlsx")
    empty = write_cmrt(CmrtSpec(company="Empty Co"), tmp_path / "empty.xlsx")
    old = write_cmrt(CmrtSpec(company="Old Co", version="3.02", smelters=[AGR]), tmp_path / "eicc.xlsx")
    reasons = {}
    for path in (corrupt, text, protected, tmp_path / "budget.xlsx", empty, old):
        with pytest.raises(NotACmrt) as info:
            supplier_of(path)
        reasons[path.name] = str(info.value)
    assert reasons["corrupt.xlsx"].startswith("not a readable .xlsx")
    assert reasons["notes.xlsx"].startswith("not an Excel .xlsx file")
    assert reasons["protected.xlsx"].startswith("password-protected")
    assert reasons["budget.xlsx"] == "not a CMRT: no 'Declaration' sheet (sheets: Budget)"
    assert reasons["empty.xlsx"].startswith("the Smelter List has no smelter rows")
    assert reasons["eicc.xlsx"].startswith("CMRT revision 3.02 predates 6.01")


def test_no_3tg_and_no_rows_is_a_valid_answer(tmp_path):
    path = write_cmrt(CmrtSpec(company="Software Co", necessary={m: False for m in ("Tantalum", "Tin", "Gold", "Tungsten")}),
                      tmp_path / "none.xlsx")
    assert supplier_of(path).lines == []


def test_thousands_of_rows_are_all_accounted_for(tmp_path, reference):
    smelters = [SmelterSpec("Gold", f"Refinery {i % 1500}", "JAPAN", f"CID{i % 1500:06d}", "PERU") for i in range(3000)]
    supplier = supplier_of(write_cmrt(CmrtSpec(company="Big", smelters=smelters), tmp_path / "big.xlsx"))
    assert len(supplier.lines) == 3000 and not supplier.rejected
    assert len(merge([supplier], reference, None, 1).smelters) == 1500  # one row per metal + ID


def run_ingest(tmp_path, inbox, *extra):
    out, reports, private = tmp_path / "2024.csv", tmp_path / "rcoi", tmp_path / "private"
    result = subprocess.run([sys.executable, "-m", "disclosures.staff.ingest_cmrt", "--year", "2024", "--out", str(out),
                             "--report-dir", str(reports), "--private-dir", str(private), "--jobs", "2", *extra,
                             str(inbox)], capture_output=True, text=True, timeout=300)
    return result, out, reports / "2024.yaml", private


def test_the_command_ingests_a_folder_and_reports_what_it_refused(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_cmrt(CmrtSpec(company="Acme Contract Manufacturing Ltd.", smelters=[
        AIDA, SmelterSpec("Tin", "Mineracao Taboca S.A.", "BRAZIL", "CID001173", "BRAZIL")]), inbox / "acme.xlsx")
    write_cmrt(CmrtSpec(company="Second Supplier Inc.", version="6.22", language="zh", smelters=[AGR, AIDA],
                        from_covered={"Tantalum": False, "Tin": False, "Gold": True, "Tungsten": False}),
               inbox / "second.xlsx")
    write_cmrt(CmrtSpec(company="Third Co", smelters=[AGR]), inbox / "third.xlsx")
    (inbox / "broken.xlsx").write_bytes(b"not excel")
    (inbox / "~$locked.xlsx").write_bytes(b"excel lock file")
    rmi = tmp_path / "rmi.csv"
    rmi.write_text("Metal,Smelter ID,Standard Smelter Name,Country Location,Assessment Status\n"
                   "Gold,CID000019,Aida Chemical Industries Co.; Ltd.,JAPAN,Conformant\n"
                   "Tin,CID001173,Mineracao Taboca S.A.,BRAZIL,Active\n", encoding="utf-8")
    result, out, survey_file, private = run_ingest(tmp_path, inbox, "--rmi-list", str(rmi))
    assert result.returncode == 1, result.stderr  # one workbook was refused
    assert "4 workbooks: 3 accepted, 1 rejected" in result.stdout
    assert "rejected broken.xlsx: not an Excel .xlsx file" in result.stdout
    from disclosures.engine.reference import load_reference
    rows = read_smelter_csv(out, load_reference(EXAMPLE / "data" / "reference"))  # valid for the build as written
    by_id = {r.smelter_id: r for r in rows}
    assert by_id["CID000019"].status == "Conformant" and by_id["CID000019"].supplier_count == "2"
    assert by_id["CID000019"].smelter_name == "Aida Chemical Industries Co.; Ltd."  # RMI's standard name
    assert by_id["CID001173"].status == "Active"
    assert by_id["CID003185"].status == "Not Listed" and by_id["CID003185"].supplier_count == "2"
    survey = yaml.safe_load(survey_file.read_text(encoding="utf-8"))
    follow_ups = survey.pop("follow_ups")
    assert {k: survey[k] for k in ("workbooks_received", "workbooks_accepted", "suppliers",
                                   "suppliers_sourcing_from_covered_countries", "smelters")} == {
        "workbooks_received": 4, "workbooks_accepted": 3, "suppliers": 3,
        "suppliers_sourcing_from_covered_countries": 1, "smelters": len(rows)}
    assert {"item": "not on the RMI list: Gold / African Gold Refinery (UGANDA) (CID003185)", "resolved": False} in follow_ups
    committed = out.read_text(encoding="utf-8") + survey_file.read_text(encoding="utf-8")
    for supplier in ("Acme Contract Manufacturing", "Second Supplier", "second.xlsx"):
        assert supplier not in committed
    assert out.read_text(encoding="utf-8").splitlines()[0] == "metal,smelter_name,country,status,smelter_id,footnote,supplier_count"
    provenance = (private / "smelters-with-suppliers.csv").read_text(encoding="utf-8")
    assert "Acme Contract Manufacturing Ltd." in provenance and "mine_countries" in provenance
    report = (private / "ingest-report.md").read_text(encoding="utf-8")
    assert "broken\\.xlsx: not an Excel \\.xlsx file" in report
    assert "| second\\.xlsx | Second Supplier Inc\\. | 6.22 | 中文 Chinese | 2024-05-02 | 2 | 0 |" in report


def test_an_unknown_country_is_followed_up_and_fails_the_run(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_cmrt(CmrtSpec(company="Acme", smelters=[AIDA, SmelterSpec("Tin", "Some Tin Works", "中国"),
                                                  SmelterSpec("Tin", "Other Tin Works", "Chyna")]), inbox / "a.xlsx")
    result, out, survey_file, _ = run_ingest(tmp_path, inbox)
    assert result.returncode == 1
    assert "not placed: Tin / Other Tin Works: smelter country 'Chyna' is not a country the site knows" in result.stdout
    names = [line.split(",")[1] for line in out.read_text(encoding="utf-8").splitlines()[1:]]
    assert "Some Tin Works" in names and "Other Tin Works" not in names
    follow_ups = yaml.safe_load(survey_file.read_text(encoding="utf-8"))["follow_ups"]
    assert any("Other Tin Works" in f["item"] and "country_aliases.yaml" in f["item"] for f in follow_ups)
