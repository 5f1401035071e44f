"""Ingesting supplier CMRT workbooks: fixtures built here with openpyxl (RMI's template is
copyrighted and real supplier files carry personal data)."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
import yaml
from openpyxl import Workbook

from disclosures.ingest.cmrt import NotACmrt, excel_date, merge, parse_supplier, read_grids
from disclosures.engine.smelter_csv import read_smelter_csv
from scripts.synthetic_cmrt import CmrtSpec, SmelterSpec, write_cmrt

from .conftest import EXAMPLE

AGR = SmelterSpec("Gold", "African Gold Refinery", "UGANDA", "CID003185", "UGANDA")


def english(tmp_path, **changes):
    spec = CmrtSpec(
        company="Acme Contract Manufacturing Ltd.  ",
        smelters=[
            SmelterSpec("Gold", "Aida Chemical Industries Co., Ltd. ", "JAPAN", "CID000019", "JAPAN"),
            SmelterSpec("Gold", "Aida Chemical Industries Co., Ltd.", "JAPAN", "CID 000019", "CHILE"),  # once per mine
            SmelterSpec("Tin", "Mineracao Taboca S.A.", "BRAZIL", "cid-1173", "BRAZIL"),
            SmelterSpec("Tin", "Local Tin Works", "Viet Nam", "", "Viet Nam"),
        ],
        extra_rows=[["", "Gold", "Smelter not yet identified", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
                    ["", "", "", "Someone Refining", "CHINA", "", "", "", "", "", "", "", "", "", "", "", ""]],
        effective_date=45414,  # 2024-05-02 as an Excel serial number
    )
    for key, value in changes.items():
        setattr(spec, key, value)
    return write_cmrt(spec, tmp_path / f"{spec.company.strip()[:10]}-{spec.language}.xlsx")


def chinese(tmp_path):
    spec = CmrtSpec(company="深圳示例电子有限公司", language="zh", version="6.22", effective_date="02-May-2024",
                    smelters=[SmelterSpec("Gold", "Aida Chemical Industries Co., Ltd.", "JAPAN", "CID000019", "JAPAN"),
                              SmelterSpec("Tungsten", "Xiamen Tungsten Co., Ltd.", "CHINA", "CID002082", "CHINA"), AGR],
                    from_covered={"Tantalum": False, "Tin": False, "Gold": False, "Tungsten": False})
    return write_cmrt(spec, tmp_path / "supplier-zh.xlsx")


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_english_workbook_with_the_usual_mess(tmp_path, engine, reference):
    supplier = parse_supplier("en.xlsx", read_grids(english(tmp_path), engine))
    d = supplier.declaration
    assert (d.company, d.version, d.effective_date) == ("Acme Contract Manufacturing Ltd.", "6.5", dt.date(2024, 5, 2))
    assert d.says("necessary", "Gold") == "yes" and d.says("covered_countries", "Tin") == "no"
    assert [(line.metal, line.name, line.smelter_id) for line in supplier.lines] == [
        ("Gold", "Aida Chemical Industries Co., Ltd.", "CID000019"),
        ("Gold", "Aida Chemical Industries Co., Ltd.", "CID000019"),
        ("Tin", "Mineracao Taboca S.A.", "CID001173"),
        ("Tin", "Local Tin Works", "")]
    assert [reason.split(" (")[0] for _, reason in supplier.rejected] == ["placeholder, not a smelter", "no metal"]
    result = merge([supplier], reference, None, 1)
    aida = next(s for s in result.smelters if s.smelter_id == "CID000019")
    assert aida.mine_countries == {"JAPAN", "CHILE"} and aida.suppliers == {"Acme Contract Manufacturing Ltd."}
    assert len(result.smelters) == 3
    assert any("no smelter ID: Tin / Local Tin Works" in item for item in result.follow_up)


def test_chinese_headers_and_answers_read_by_position(tmp_path, reference):
    supplier = parse_supplier("zh.xlsx", read_grids(chinese(tmp_path)))
    assert supplier.declaration.company == "深圳示例电子有限公司"
    assert supplier.declaration.effective_date == dt.date(2024, 5, 2)
    assert supplier.declaration.says("covered_countries", "Gold") == "no"
    assert [line.metal for line in supplier.lines] == ["Gold", "Tungsten", "Gold"]
    result = merge([supplier], reference, None, 1)
    assert any("says no Gold from the Covered Countries, but lists African Gold Refinery in UGANDA" in item
               for item in result.follow_up)


def test_declaration_contradicting_the_smelter_list_is_followed_up(tmp_path, reference):
    path = english(tmp_path, necessary={"Tantalum": False, "Tin": True, "Gold": False, "Tungsten": False})
    supplier = parse_supplier("x.xlsx", read_grids(path))
    assert "the Declaration says Gold is not necessary, but Gold smelters are listed" in supplier.notes


@pytest.mark.parametrize("value, expected", [
    (45414, dt.date(2024, 5, 2)), ("45414", dt.date(2024, 5, 2)), ("02-May-2024", dt.date(2024, 5, 2)),
    ("2024-05-02", dt.date(2024, 5, 2)), (dt.datetime(2024, 5, 2, 0, 0), dt.date(2024, 5, 2)), ("soon", None)])
def test_effective_dates(value, expected):
    assert excel_date(value) == expected


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
    reasons = {}
    for path in (corrupt, text, protected, tmp_path / "budget.xlsx", empty):
        with pytest.raises(NotACmrt) as info:
            parse_supplier(path.name, read_grids(path))
        reasons[path.name] = str(info.value)
    assert reasons["corrupt.xlsx"].startswith("unreadable workbook")
    assert reasons["notes.xlsx"].startswith("not an Excel .xlsx file")
    assert reasons["protected.xlsx"].startswith("password-protected")
    assert reasons["budget.xlsx"] == "not a CMRT: no 'Smelter List' sheet (sheets: Budget)"
    assert reasons["empty.xlsx"].startswith("the Smelter List has no smelter rows")


def test_no_3tg_and_no_rows_is_a_valid_answer(tmp_path):
    path = write_cmrt(CmrtSpec(company="Software Co", necessary={m: False for m in ("Tantalum", "Tin", "Gold", "Tungsten")}),
                      tmp_path / "none.xlsx")
    assert parse_supplier("none.xlsx", read_grids(path)).lines == []


def test_thousands_of_rows_are_all_accounted_for(tmp_path, reference):
    smelters = [SmelterSpec("Gold", f"Refinery {i}", "JAPAN", f"CID{i % 1500:06d}", "PERU") for i in range(3000)]
    supplier = parse_supplier("big.xlsx", read_grids(write_cmrt(CmrtSpec(company="Big", smelters=smelters), tmp_path / "big.xlsx")))
    assert len(supplier.lines) == 3000 and not supplier.rejected
    assert len(merge([supplier], reference, None, 1).smelters) == 1500  # deduped on metal + CID


def test_the_command_ingests_a_folder_and_reports_what_it_refused(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    english(inbox)
    chinese(inbox)
    write_cmrt(CmrtSpec(company="Second Supplier Inc.", version="3.02", smelters=[AGR],
                        from_covered={"Tantalum": False, "Tin": False, "Gold": True, "Tungsten": False}),
               inbox / "eicc.xlsx")
    (inbox / "broken.xlsx").write_bytes(b"not excel")
    (inbox / "~$locked.xlsx").write_bytes(b"excel lock file")
    rmi = tmp_path / "rmi.csv"
    rmi.write_text("Smelter ID,Metal,Standard Smelter Name,Country,Status\n"
                   "CID000019,Gold,Aida Chemical Industries Co.; Ltd.,JAPAN,Conformant\n"
                   "CID001173,Tin,Mineracao Taboca S.A.,BRAZIL,Active\n", encoding="utf-8")
    out, reports, private = tmp_path / "2024.csv", tmp_path / "rcoi", tmp_path / "private"
    result = subprocess.run([sys.executable, "-m", "disclosures.staff.ingest_cmrt", "--year", "2024", "--rmi-list", str(rmi),
                             "--out", str(out), "--report-dir", str(reports), "--private-dir", str(private),
                             "--jobs", "2", str(inbox)],
                            capture_output=True, text=True)
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
    survey = yaml.safe_load((reports / "2024.yaml").read_text(encoding="utf-8"))
    follow_ups = survey.pop("follow_ups")
    assert survey == {"workbooks_received": 4, "workbooks_accepted": 3, "suppliers": 3,
                      "suppliers_sourcing_from_covered_countries": 1, "suppliers_all_smelters_identified": 3,
                      "smelters": len(rows)}
    assert {"item": "not on the RMI list: Gold / African Gold Refinery (CID003185)", "resolved": False} in follow_ups
    assert all(f["resolved"] is False for f in follow_ups)
    # Supplier names stay in the private folder: not in the committed list nor in the survey file.
    committed = out.read_text(encoding="utf-8") + (reports / "2024.yaml").read_text(encoding="utf-8")
    for supplier in ("Acme Contract Manufacturing", "Second Supplier", "eicc.xlsx"):
        assert supplier not in committed
    assert out.read_text(encoding="utf-8").splitlines()[0] == "metal,smelter_name,country,status,smelter_id,footnote,supplier_count"
    provenance = (private / "smelters-with-suppliers.csv").read_text(encoding="utf-8-sig")
    assert "Acme Contract Manufacturing Ltd." in provenance and "mine_countries" in provenance
    report = (private / "ingest-report.md").read_text(encoding="utf-8")
    assert "`broken.xlsx`: not an Excel .xlsx file" in report
    assert "not on the RMI list: Gold / African Gold Refinery (CID003185)" in report
    assert "row " in report and "placeholder, not a smelter" in report
    assert "| `eicc.xlsx` | Second Supplier Inc. | 3.02 | 2024-05-02 | 1 | 0 |" in report
