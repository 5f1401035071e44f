"""Publishing: a failed build leaves the previous site in place; names and CSVs survive anything."""
from __future__ import annotations

import string
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosures.engine.errors import DataError
from disclosures.engine.model import SmelterRow
from disclosures.engine.names import fold, name_key
from disclosures.engine.smelter_csv import read_smelter_csv, write_smelter_csv
from disclosures.engine.text_gate import hidden_code_points

from .conftest import copy_project, dev_project


def test_a_failed_build_never_replaces_the_published_site(tmp_path):
    project = dev_project(tmp_path / "project", content=copy_project(tmp_path / "example"))
    build = [str(project / "scripts" / "dev"), "build"]
    assert subprocess.run(build, capture_output=True, text=True).returncode == 0
    published = (project / "site" / "2023" / "smelters" / "index.html").read_bytes()
    (project / "site" / "marker").write_text("the site as published")
    csv_path = project / "data" / "smelters" / "2013.csv"
    csv_path.write_text(csv_path.read_text(encoding="utf-8").replace("Japan,No", "Japan,Nope", 1), encoding="utf-8")
    failed = subprocess.run(build, capture_output=True, text=True)
    assert failed.returncode != 0 and "unknown designation 'Nope'" in failed.stderr
    assert (project / "site" / "marker").read_text() == "the site as published"
    assert (project / "site" / "2023" / "smelters" / "index.html").read_bytes() == published
    assert not list(project.glob("site.*")), "no half-built folder left beside site/"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_the_name_normalizer_accepts_any_string(name):
    key = name_key(name)
    assert key == name_key(key) or not key.strip()  # folding a key changes nothing more
    assert fold(fold(name)) == fold(name)
    if any(c.isalnum() for c in name):
        assert key


cells = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Co", "Cn", "Zl", "Zp")), min_size=1,
                max_size=40).map(str.strip).filter(lambda s: s and not hidden_code_points(s))  # what the text gate lets in
rows = st.builds(SmelterRow, metal=st.sampled_from(["Gold", "Tin", "Tantalum", "Tungsten"]), smelter_name=cells,
                 country=st.sampled_from(["JAPAN", "Viet Nam", "Korea, Republic of", "UGANDA"]),
                 status=st.sampled_from(["Yes", "No", "Full Compliant", "RMAP Conformant"]),
                 smelter_id=st.one_of(st.just(""), st.from_regex(r"CID\d{6}", fullmatch=True)),
                 footnote=st.sampled_from(["", "*"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(rows, min_size=1, max_size=20))
def test_csv_round_trip_is_the_identity(tmp_path_factory, reference, row_list):
    path = tmp_path_factory.mktemp("csv") / "2030.csv"
    write_smelter_csv(row_list, path)
    again = read_smelter_csv(path, reference, {"*"})
    strip_line = lambda r: (r.metal, r.smelter_name, r.country, r.status, r.smelter_id, r.footnote)  # noqa: E731
    assert [strip_line(r) for r in again] == [strip_line(r) for r in row_list]
    write_smelter_csv(again, path.with_name("again.csv"))
    assert path.read_bytes() == path.with_name("again.csv").read_bytes()


def test_names_with_commas_quotes_and_formulas_round_trip(tmp_path, reference):
    tricky = [SmelterRow("Gold", n, "JAPAN", "Yes") for n in ('Co., "Ltd"', "=1+1", "a;b", string.punctuation)]
    write_smelter_csv(tricky, tmp_path / "2030.csv")
    assert [r.smelter_name for r in read_smelter_csv(tmp_path / "2030.csv", reference)] == [r.smelter_name for r in tricky]
    write_smelter_csv([SmelterRow("Gold", "a\tb", "JAPAN", "Yes")], tmp_path / "2031.csv")
    with pytest.raises(DataError, match=r"2031.csv:2: smelter_name: contains U\+0009 CONTROL"):
        read_smelter_csv(tmp_path / "2031.csv", reference)  # a tab is no part of a name: the text gate refuses it
