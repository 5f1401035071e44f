"""The CMRT reader on the RMI's own templates (6.01-6.5), filled as suppliers fill them, in six
display languages, both as a program saves them (formulas, no values) and as LibreOffice
recalculates them (cached values, like Excel's files). Skipped where ../shared/rmi-templates/
is absent (a user's clone); CI has it."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from disclosures.ingest import cmrt_template as layout
from disclosures.ingest.cmrt import parse_supplier
from disclosures.ingest.cmrt_merge import merge
from disclosures.ingest.rmi_list import RmiFacility
from disclosures.ingest.smelter_lookup import parse_lookup
from disclosures.ingest.workbook import read_sheets
from tests.cmrt import fill

pytestmark = pytest.mark.skipif(not fill.available(), reason=f"the RMI templates are not in {fill.TEMPLATES}")
CHINA = {"English": "CHINA", "中文 Chinese": "中国", "日本語 Japanese": "中国", "한국어 Korean": "중국",
         "Français": "Chine", "Deutsch": "China"}
DATES = [dt.date(2025, 3, 31), 45747, dt.date(2024, 12, 31), dt.date(2025, 1, 15), 45700, dt.date(2025, 5, 2)]


def supplier_for(index: int, revision: str) -> fill.Supplier:
    """Revisions 0 and 3 declare Gold from the Covered Countries; 1 declares no Gold but lists
    some; 2 declares none from the Covered Countries but lists a refiner in Uganda; 5 has not
    identified all its tin smelters."""
    language = list(CHINA)[index]
    rows = [fill.by_id(" cid 001076 "),                                                     # A, messy ID
            fill.by_name("Gold", "Allgemeine Gold-und Silberscheideanstalt A.G."),          # B, a known name
            fill.not_listed("Tin", "Tin Works of Example", CHINA[language]),                # C, country in the language
            fill.Row(metal="Gold", lookup="Smelter not yet identified"),                    # placeholder
            fill.by_id("CID000019", "JAPAN"), fill.by_id("cid000019", "CHILE")]              # once per mine
    if index in (0, 2, 3):
        rows.append(fill.not_listed("Gold", "African Gold Refinery", "UGANDA"))             # C, but the look-up knows it
    answers = fill.answers(covered_countries={"Gold": "Yes" if index in (0, 3) else "No"},
                           uses={"Gold": "No" if index == 1 else "Yes"},
                           all_identified={"Tin": "No" if index == 5 else "Yes"})
    return fill.Supplier(company=f"Supplier {index} ({revision})", language=language, effective_date=DATES[index],
                         answers=answers, rows=rows)


@pytest.fixture(scope="session")
def filled(tmp_path_factory):
    """Name -> {"formulas": path, "recalculated": path or None}: each revision's supplier, and the
    workbooks of the look-up tests below (one LibreOffice start recalculates them all)."""
    folder = tmp_path_factory.mktemp("cmrt-templates")
    made = {r: fill.fill(r, supplier_for(i, r), folder / f"supplier-{r}.xlsx") for i, r in enumerate(fill.REVISIONS)}
    made |= {name: fill.fill(revision, supplier, folder / f"{name}.xlsx")
             for name, (revision, supplier) in LOOKUP_WORKBOOKS.items()}
    again = fill.recalculate_all(list(made.values()), folder / "recalculated") if fill.soffice() else [None] * len(made)
    return {name: {"formulas": path, "recalculated": other} for (name, path), other in zip(made.items(), again)}


@pytest.fixture(scope="session")
def workbooks(filled):
    """revision -> {"formulas": path, "recalculated": path or None}."""
    return {r: filled[r] for r in fill.REVISIONS}


def kinds():
    return ["formulas"] + (["recalculated"] if fill.soffice() else [])


@pytest.mark.parametrize("revision", fill.REVISIONS)
def test_each_template_is_laid_out_as_the_reader_expects(revision):
    sheets = read_sheets(fill.template(revision))
    tr = layout.read_translations(sheets.get("l"))
    assert layout.revision_of(sheets.grids) == revision
    assert layout.layout_problems(tr) == []
    assert [tr.labels[f"Declaration!B{row}"][:2] for row in layout.COMPANY_QUESTIONS_6.values()] == [
        f"{q}." for q in "ABCDEFGH"]
    assert tr.labels["Declaration!B22"].startswith("Effective Date") and tr.labels["Declaration!B8"].startswith("Company Name")
    assert len(tr.languages) == 10 and tr.languages[0] == "English"


@pytest.mark.parametrize("kind", kinds())
@pytest.mark.parametrize("index, revision", list(enumerate(fill.REVISIONS)))
def test_a_filled_template_reads_in_english(workbooks, index, revision, kind):
    path = workbooks[revision][kind]
    supplier = parse_supplier(path.name, read_sheets(path))
    d, expected = supplier.declaration, supplier_for(index, revision)
    assert (d.revision, d.language, d.company) == (revision, expected.language, expected.company)
    assert d.effective_date == (DATES[index] if isinstance(DATES[index], dt.date)
                                else dt.date(1899, 12, 30) + dt.timedelta(days=DATES[index]))
    assert d.says("covered_countries", "Gold") == ("Yes" if index in (0, 3) else "No")
    assert d.says("responded_share", "Tin") == "Greater than 90%" and d.company_answers["H"] == "Yes"
    assert [(x.option, x.metal, x.smelter_id, x.country) for x in supplier.lines] == [
        ("A", "Tantalum", "CID001076", "BRAZIL"), ("B", "Gold", "CID000035", "GERMANY"),
        ("C", "Tin", "", CHINA[expected.language]), ("A", "Gold", "CID000019", "JAPAN"),
        ("A", "Gold", "CID000019", "JAPAN")] + ([("C", "Gold", "CID003185", "UGANDA")] if index in (0, 2, 3) else [])
    assert supplier.rejected == [(8, "placeholder, not a smelter (Smelter not yet identified)")]


@pytest.mark.parametrize("kind", kinds())
def test_every_revision_merged_one_row_per_smelter_with_survey_and_contradictions(workbooks, kind, reference):
    suppliers = [parse_supplier(m[kind].name, read_sheets(m[kind])) for m in workbooks.values()]
    result = merge(suppliers, reference, None, len(suppliers))
    assert [(s.metal, s.smelter_name, s.smelter_id, s.country_code, len(s.suppliers)) for s in result.smelters] == [
        ("Gold", "African Gold Refinery", "CID003185", "UG", 3), ("Gold", "Agosi AG", "CID000035", "DE", 6),
        ("Gold", "Aida Chemical Industries Co., Ltd.", "CID000019", "JP", 6),
        ("Tantalum", "AMG Brasil", "CID001076", "BR", 6),  # the newest look-up's standard name (6.01 says LSM Brasil)
        ("Tin", "Tin Works of Example", "", "CN", 6)]      # 中国, 중국, Chine... one country, one row
    figures = result.rcoi
    assert (figures["suppliers"], figures["suppliers_sourcing_from_covered_countries"],
            figures["suppliers_all_smelters_identified"]) == (6, 2, 5)
    assert figures["by_metal"]["Gold"]["using"] == 5 and figures["by_metal"]["Tin"]["all_smelters_identified"] == 5
    assert sorted(f.text for f in result.follow_up if f.kind == "contradiction") == [
        "a supplier declares no Gold from the Covered Countries (question 3) but lists African Gold Refinery, "
        "located in Uganda",
        "a supplier declares no Gold in its products (question 1) but lists Gold smelters"]
    assert not result.blocking()


@pytest.fixture(scope="session")
def lookup_65():
    return parse_lookup(read_sheets(fill.template("6.5")).get("smelter look-up"), "6.5")


def twins_of(lookup, count=40, seed=7):
    """Smelters with a known name besides their standard one, from the real look-up."""
    pool = sorted((s for s in lookup.by_id.values() if len(s.names) > 1), key=lambda s: s.smelter_id)
    return random.Random(seed).sample(pool, count)


def test_rows_without_an_id_join_the_smelter_they_name(tmp_path, lookup_65, reference):
    """One supplier lists smelters by ID; another lists the same ones without: by standard
    name, by a known name, misspelt, in capitals. Each is published once, with its ID and the
    RMI list's status; a name close to two smelters is a follow-up with both candidates."""
    twins = twins_of(lookup_65)
    by_id = fill.Supplier(company="By ID", rows=[fill.by_id(s.smelter_id) for s in twins])

    def typed(i, s):
        known = sorted(n for n in s.names if n != s.standard_name)[0]
        longest = max(s.standard_name.split(), key=len)
        misspelt = s.standard_name.replace(longest, longest[:2] + longest[3:], 1)  # a letter dropped
        name = [s.standard_name, known, misspelt, s.standard_name.upper()][i % 4]
        return fill.not_listed(s.metal, name, s.country)
    by_name = fill.Supplier(company="By name", language="Deutsch", rows=[typed(i, s) for i, s in enumerate(twins)])
    paths = [fill.fill("6.5", x, tmp_path / f"{x.company}.xlsx") for x in (by_id, by_name)]
    suppliers = [parse_supplier(p.name, read_sheets(p)) for p in paths]
    rmi = {s.smelter_id: RmiFacility(s.smelter_id, s.metal, s.standard_name, s.country, "Conformant") for s in twins}
    result = merge(suppliers, reference, rmi, 2)
    published = [s.smelter_id for s in result.smelters if s.smelter_id]
    assert sorted(published) == sorted(s.smelter_id for s in twins)  # each once, none taken wrongly
    with_id = [s for s in result.smelters if s.smelter_id]
    assert all(s.status == "Conformant" for s in with_id)
    assert sum(len(s.suppliers) == 2 for s in with_id) == len(twins) - sum(1 for s in result.smelters if not s.smelter_id)
    # A misspelling close to two refiners (Met-Mex Peñoles has two in Mexico) is not guessed:
    # it stays its own row, followed up.
    unplaced = [s.smelter_name for s in result.smelters if not s.smelter_id]
    followed = [f.text for f in result.follow_up if f.kind in ("ambiguous", "no_id")]
    assert len(unplaced) <= 2 and all(any(name in text for text in followed) for name in unplaced)
    names = [(s.metal, s.smelter_name) for s in result.smelters]
    assert len(names) == len(set(names))  # a name is never published twice


def test_a_known_name_of_two_smelters_is_decided_by_the_country_or_followed_up(tmp_path, reference):
    """In the 6.5 look-up "Johnson Matthey" is a known name of Asahi Refining Canada and of Asahi
    Refining USA: the country typed beside it decides; a country matching neither leaves the row
    without an ID, followed up."""
    rows = [fill.not_listed("Gold", "Johnson Matthey", "CANADA"), fill.not_listed("Gold", "Johnson Matthey", "MEXICO")]
    path = fill.fill("6.5", fill.Supplier(rows=rows), tmp_path / "jm.xlsx")
    result = merge([parse_supplier(path.name, read_sheets(path))], reference, None, 1)
    assert [(s.smelter_name, s.smelter_id) for s in result.smelters] == [
        ("Asahi Refining Canada Ltd.", "CID000924"), ("Johnson Matthey", "")]
    assert [f.text for f in result.follow_up if f.kind == "no_id"] == [
        "no smelter ID: Gold / Johnson Matthey (MEXICO), reported by 1 supplier"]


# ---- the Smelter Look-up, read only when a row needs it ----------------------------------------
AGOSI_KNOWN = "Allgemeine Gold-und Silberscheideanstalt A.G."
NEWER_THAN_601 = "CID004714"  # in 6.5's look-up, not in 6.01's
GAP_ROWS = {("Smelter List", "A2400"): "CID000035", ("Smelter List", "A2700"): "CID001076"}  # past the formulas (2,504)
# A 6.5 list by ID and by look-up name, a 6.01 list by ID (one its look-up lacks), and a 6.5 list
# with rows typed after a gap, one past the template's formulas.
LOOKUP_WORKBOOKS = {
    "by-id-6.5": ("6.5", fill.Supplier(company="New", rows=[fill.by_id("CID000019"), fill.by_name("Gold", AGOSI_KNOWN)])),
    "by-id-6.01": ("6.01", fill.Supplier(company="Old", rows=[fill.by_id("CID001076"), fill.by_id(NEWER_THAN_601)])),
    "gap-6.5": ("6.5", fill.Supplier(company="Gap", rows=[fill.by_id("CID000019")], cells=GAP_ROWS)),
}


@pytest.fixture
def lazy_workbooks(filled):
    """Name -> (formulas-only path, recalculated path)."""
    if not fill.soffice():
        pytest.skip("LibreOffice is needed to recalculate the templates as Excel saves them")
    return {name: (filled[name]["formulas"], filled[name]["recalculated"]) for name in LOOKUP_WORKBOOKS}


def read(path):
    sheets = read_sheets(path)
    return parse_supplier(path.name, sheets), sheets


def test_a_list_excel_saved_is_read_from_its_cached_values_without_the_look_up(lazy_workbooks):
    """Excel's file carries what the template's formulas found in the look-up: the sheet is not
    even unzipped, and the rows read as a program's file (no cached values) reads them from it."""
    formulas, recalculated = lazy_workbooks["by-id-6.5"]
    from_cache, sheets = read(recalculated)
    from_lookup, _ = read(formulas)
    assert from_cache.lookup is None and "smelter look-up" in sheets.deferred
    assert from_lookup.lookup is not None and len(from_lookup.lookup) > 300  # 6.5 knows 349 smelters
    assert [(x.option, x.metal, x.smelter_id, x.country, x.basis) for x in from_cache.lines] == [
        ("A", "Gold", "CID000019", "JAPAN", "look-up by ID"), ("B", "Gold", "CID000035", "GERMANY", "look-up name")]
    assert [(x.option, x.metal, x.smelter_id, x.country, x.basis) for x in from_lookup.lines] == [
        (x.option, x.metal, x.smelter_id, x.country, x.basis) for x in from_cache.lines]
    assert from_cache.lines[0].name == from_lookup.lines[0].name == "Aida Chemical Industries Co., Ltd."
    assert from_cache.lines[1].name == AGOSI_KNOWN  # the name the supplier chose; the merge names it by its ID


def test_an_id_the_templates_look_up_lacks_is_told_by_its_cached_error(lazy_workbooks):
    """The template's formulas give #N/A for an ID its look-up lacks: the row is not used, with
    the reason, and the look-up is not read to learn what the cached values already say."""
    formulas, recalculated = lazy_workbooks["by-id-6.01"]
    from_cache, _ = read(recalculated)
    from_lookup, _ = read(formulas)
    assert from_cache.lookup is None and from_lookup.lookup is not None
    for supplier in (from_cache, from_lookup):
        assert [x.smelter_id for x in supplier.lines] == ["CID001076"]
        assert supplier.rejected == [(6, f"{NEWER_THAN_601} is not in this workbook's Smelter Look-up and the row "
                                         "names no metal and smelter")]


def test_rows_typed_after_a_gap_are_read_and_one_past_the_formulas_asks_the_look_up(lazy_workbooks):
    _, recalculated = lazy_workbooks["gap-6.5"]
    supplier, _ = read(recalculated)
    assert [(x.row, x.smelter_id, x.metal, x.country) for x in supplier.lines] == [
        (5, "CID000019", "Gold", "JAPAN"), (2400, "CID000035", "Gold", "GERMANY"),
        (2700, "CID001076", "Tantalum", "BRAZIL")]
    assert supplier.lookup is not None  # row 2700 has no formulas, so no cached values


def test_the_command_names_smelters_by_the_newest_look_up_even_when_no_row_needed_one(lazy_workbooks, tmp_path):
    """A 6.01 workbook lists CID001076 (LSM Brasil in 6.01's look-up, AMG Brasil in 6.5's); a 6.5
    workbook lists other smelters. Neither needs its look-up, yet the list says AMG Brasil: the
    command reads one look-up per revision for the merge, as when every look-up was read."""
    import csv
    import subprocess
    import sys
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("by-id-6.5", "by-id-6.01"):
        (inbox / f"{name}.xlsx").write_bytes(lazy_workbooks[name][1].read_bytes())
    out = tmp_path / "2024.csv"
    result = subprocess.run([sys.executable, "-m", "disclosures.staff.ingest_cmrt", "--year", "2024", "--out", str(out),
                             "--report-dir", str(tmp_path / "rcoi"), "--private-dir", str(tmp_path / "private"),
                             str(inbox)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {r["smelter_id"]: (r["smelter_name"], r["country"]) for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert rows == {"CID001076": ("AMG Brasil", "BRAZIL"), "CID000019": ("Aida Chemical Industries Co., Ltd.", "JAPAN"),
                    "CID000035": ("Agosi AG", "GERMANY")}
