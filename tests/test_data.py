"""Loading and validating data/: the acceptance figures, and every kind of bad input."""
from __future__ import annotations

import shutil

import pytest

from disclosures.engine.countries import CountryResolver
from disclosures.engine.locks import read_lock
from disclosures.engine.reference import load_reference
from disclosures.engine.errors import DataError
from disclosures.engine.load import load_site
from disclosures.engine.yamlio import read_yaml

from .conftest import EXAMPLE


# ---- acceptance: the filings' own words, computed from the CSVs ------------------------------

def test_2023_figures_match_the_filing_text(site):
    stats = site.filing(2023).stats
    assert stats.facilities == 352            # "an aggregate of 352 facilities or smelters"
    assert stats.by_class == {"conformant": 223, "active": 4, "not_listed": 125}
    assert stats.greater_risk == 1            # "one smelter or refiner ... at greater risk"
    risky = [s.row.smelter_name for s in site.filing(2023).smelters if s.greater_risk]
    assert risky == ["African Gold Refinery"]
    assert stats.in_covered_countries == 4    # AGR (UG), two in Rwanda, one in DR Congo: conformant


def test_2013_figures(site):
    stats = site.filing(2013).stats
    assert (stats.facilities, stats.distinct) == (178, 177)
    assert stats.by_class == {"conformant": 74, "not_listed": 104}
    assert [[s.row.line for s in group] for group in stats.duplicates] == [[74, 75]]


def test_sanctions_apply_from_their_date(site):
    agr_2023 = next(s for s in site.filing(2023).smelters if s.row.smelter_name == "African Gold Refinery")
    assert agr_2023.sanctioned and [r.authority for r in agr_2023.restrictions] == ["OFAC"]
    suspended = {s.row.smelter_name for s in site.filing(2023).smelters if any(r.kind == "suspension" for r in s.restrictions)}
    assert len(suspended) == 6  # LBMA, March 2022
    # The same Russian refiners were listed in 2013, before any suspension: no flag then.
    assert not any(s.restrictions for s in site.filing(2013).smelters)


@pytest.mark.parametrize("names", [
    ["Korea, Republic of", "KOREA, REPUBLIC OF"],
    ["United States", "UNITED STATES OF AMERICA"],
    ["Bolivia", "BOLIVIA (PLURINATIONAL STATE OF)"],
    ["Viet Nam", "VIET NAM"],
    ["Taiwan", "TAIWAN, PROVINCE OF CHINA"],
    ["Turkey", "TURKEY"],
    ["CONGO, DEMOCRATIC REPUBLIC OF THE", "Democratic Republic of Congo"],
])
def test_country_spellings_resolve_to_one_iso_code(reference, names):
    assert len({reference.countries.resolve(n).code for n in names}) == 1


def test_every_published_country_resolves(site):
    assert all(len(s.country_code) == 2 for f in site.filings.values() for s in f.smelters)


def test_an_unknown_country_is_a_lookup_error():
    with pytest.raises(LookupError, match="Atlantis"):
        CountryResolver({}).resolve("Atlantis")


# ---- bad input: each a clear message naming file, line and field -----------------------------

@pytest.fixture
def data(tmp_path):
    dest = tmp_path / "data"
    shutil.copytree(EXAMPLE / "data", dest)
    return dest


def replace_in(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def problems(data_dir) -> list[str]:
    with pytest.raises(DataError) as info:
        load_site(data_dir)
    return [str(p) for p in info.value.problems]


def test_missing_column(data):
    replace_in(data / "smelters" / "2013.csv", "metal,smelter_name,country,status", "metal,smelter_name,status")
    found = problems(data)
    assert any("2013.csv:1: missing column 'country'" in p for p in found), found


def test_wrong_column_name(data):
    replace_in(data / "smelters" / "2013.csv", "smelter_name", "name")
    found = problems(data)
    assert any("2013.csv:1: unknown column 'name'" in p for p in found), found


@pytest.mark.parametrize("old, new, expected", [
    ("Gold,Aida Chemical", "Silver,Aida Chemical", "2013.csv:2: metal: unknown metal 'Silver'"),
    ("Aida Chemical Industries Co. Ltd.,Japan,No", "Aida Chemical Industries Co. Ltd.,Japan,Perhaps",
     "2013.csv:2: status: unknown designation 'Perhaps'"),
    ("Aida Chemical Industries Co. Ltd.,Japan,No", "Aida Chemical Industries Co. Ltd.,Narnia,No",
     "2013.csv:2: country: unknown country 'Narnia'"),
    ("Gold,Aida Chemical Industries Co. Ltd.,", "Gold,  ,", "2013.csv:2: smelter_name: blank smelter name"),
    ("Aida Chemical Industries Co. Ltd.,Japan,No,,", "Aida Chemical Industries Co. Ltd.,Japan,No,CID12,",
     "2013.csv:2: smelter_id: malformed smelter ID 'CID12'"),
    ("Aida Chemical Industries Co. Ltd.,Japan,No,,", "Aida Chemical Industries Co. Ltd.,Japan,No,,+",
     "2013.csv:2: footnote: footnote '+' is not defined"),
    ("Gold,Aida Chemical", "Gold,Aida\u202e Chemical",  # a direction override: a name that reads as another
     "2013.csv:2: smelter_name: contains U+202E RIGHT-TO-LEFT OVERRIDE"),
])
def test_bad_rows(data, old, new, expected):
    replace_in(data / "smelters" / "2013.csv", old, new)
    found = problems(data)
    assert any(expected in p for p in found), found


def test_every_bad_row_is_reported_at_once(data):
    path = data / "smelters" / "2023.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("Gold", "Zinc", 1)
    lines[300] = lines[300].replace("Full Compliant", "Fully Compliant").replace("Indeterminable", "Unknowable")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = problems(data)
    assert any("2023.csv:2: metal" in p for p in found) and any("2023.csv:301: status" in p for p in found), found


def test_bom_and_crlf_are_accepted(data, site):
    path = data / "smelters" / "2023.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    reloaded = load_site(data).filing(2023)
    assert reloaded.stats == site.filing(2023).stats
    assert reloaded.smelters[0].row.smelter_name == "8853 S.p.A."


def test_bad_encoding(data):
    path = data / "smelters" / "2013.csv"
    path.write_bytes(path.read_bytes().replace("Córrego".encode(), "Córrego".encode("latin-1")))
    found = problems(data)
    assert any("2013.csv:5: not UTF-8" in p for p in found), found


def test_yaml_missing_required_field_names_the_field(data):
    replace_in(data / "filings" / "2023.yaml", "  commission_file_number: 001-35662\n", "")
    found = problems(data)
    assert any("2023.yaml:" in p and "registrant.commission_file_number: required field is missing" in p for p in found), found


def test_yaml_date_that_is_not_a_date_names_its_line(data):
    replace_in(data / "filings" / "2023.yaml", "filed_on: 2024-05-30", "filed_on: sometime in May")
    found = problems(data)
    line = next(n for n, text in enumerate((data / "filings" / "2023.yaml").read_text().splitlines(), 1)
                if text.startswith("filed_on:"))
    assert any(f"2023.yaml:{line}: filed_on:" in p for p in found), found


def test_yaml_misspelt_field_is_an_error_not_ignored(data):
    replace_in(data / "filings" / "2013.yaml", "products_covered:", "products_coverd:")
    found = problems(data)
    assert any("products_coverd: unknown field" in p for p in found), found


def test_yaml_anchor_bomb_is_refused(data):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(12))
    path = data / "filings" / "2013.yaml"
    path.write_text(bomb)
    with pytest.raises(DataError, match="more than 100 YAML aliases"):
        read_yaml(path)


def test_a_year_with_a_filing_but_no_smelter_list(data):
    (data / "smelters" / "2013.csv").unlink()
    found = problems(data)
    assert any("2013.csv: missing" in p for p in found), found


def test_oversized_csv_fails_fast_without_reading_it(data, monkeypatch):
    path = data / "smelters" / "2013.csv"
    with path.open("ab") as handle:  # a sparse 100 MB file: cheap to make, would be costly to parse
        handle.truncate(100_000_000)
    found = problems(data)
    assert any("over the 50,000,000-byte limit" in p for p in found), found


def test_alias_naming_a_smelter_absent_from_its_year_stops_the_build(data):
    replace_in(data / "reference" / "smelter_aliases.yaml", "{year: 2013, name: PAMP SA}", "{year: 2013, name: PAMP Ghost SA}")
    found = problems(data)
    assert any("no Gold smelter named 'PAMP Ghost SA' in the 2013 filing" in p for p in found), found


def test_a_key_written_twice_is_an_error_with_its_line(data):
    path = data / "filings" / "2013.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "filed_on: 2014-06-02\n", encoding="utf-8")
    line = len(path.read_text(encoding="utf-8").splitlines())
    found = problems(data)
    assert any(f"2013.yaml:{line}: not valid YAML: the key 'filed_on' is written twice" in p for p in found), found


def test_only_web_addresses_are_accepted_as_urls(data):
    replace_in(data / "filings" / "2023.yaml", "filings: https://investor.qualys.com", "filings: javascript:alert(1)//")
    found = problems(data)
    assert any("urls.filings: only http(s) addresses are published" in p for p in found), found



@pytest.mark.parametrize("name, key, misspelt", [
    ("restrictions.yaml", "    authority: OFAC", "    authorty: OFAC"),
    ("designations.yaml", "    label: Conformant", "    lable: Conformant"),
    ("covered_countries.yaml", "covered_countries:", "coverd_countries:"),
    ("smelter_aliases.yaml", "    note: Accepted", "    notes: Accepted"),
])
def test_a_misspelt_key_in_a_reference_file_names_file_line_and_field(tmp_path, name, key, misspelt):
    folder = tmp_path / "reference"
    shutil.copytree(EXAMPLE / "data" / "reference", folder)
    replace_in(folder / name, key, misspelt)
    line = next(n for n, t in enumerate((folder / name).read_text(encoding="utf-8").splitlines(), 1) if t.startswith(misspelt))
    with pytest.raises(DataError) as error:
        load_reference(folder)
    assert f"{name}:{line}: " in str(error.value) and "unknown field (misspelt?)" in str(error.value)


def test_a_damaged_lock_names_file_line_and_field(project_copy):
    replace_in(project_copy / "data" / "locks" / "2023.json", '"locked_on": "', '"locked_onn": "')
    with pytest.raises(DataError) as error:
        read_lock(project_copy, 2023)
    assert "2023.json:" in str(error.value) and "locked_onn: unknown field" in str(error.value)
