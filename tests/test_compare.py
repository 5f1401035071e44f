"""Identity across filings and the change log: named cases, the example totals, and the laws."""
from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from disclosures.engine.classify import classify, filing_stats
from disclosures.engine.compare import STATUS_SECTIONS, Entry, diff, entries, suggest_renames, timelines
from disclosures.engine.load import load_site
from disclosures.engine.model import Filing, SmelterRow
from disclosures.engine.names import name_key
from disclosures.engine.reference import load_reference

from .conftest import EXAMPLE

REFERENCE = load_reference(EXAMPLE / "data" / "reference")


def pair_named(d, new_name):
    return next(p for p in d.pairs if p.new.first.row.smelter_name == new_name)


def test_named_cases_land_in_the_right_sections(site):
    d = site.diffs[2023]
    # Same folded name: punctuation, accents and legal forms do not make a new smelter.
    # 2013's legend: "Yes" is conflict free *or undeterminable*: not the same class as "Full Compliant".
    assert pair_named(d, "Argor-Heraeus S.A.").status_change == "incomparable"        # Yes -> Full Compliant
    assert pair_named(d, "Mineracao Taboca S.A.").old.first.row.smelter_name == "Mineração Taboca S.A."
    aida = pair_named(d, "Aida Chemical Industries Co., Ltd.")
    assert (aida.old.first.row.status, aida.status_change) == ("No", "improved")
    # Staff aliases and the RMI IDs this site resolved (data/reference/resolved_ids.yaml): renamed,
    # and never a removal plus an addition.
    renamed = {(p.old.first.row.smelter_name, p.new.first.row.smelter_name): p.matched_by for p in d.section("renamed")}
    assert len(renamed) == 27 and set(renamed.values()) <= {"alias", "smelter ID (resolved by this site)"}
    assert {("Heraeus Precious Metals GmbH & Co. KG", "Heraeus Germany GmbH Co. KG"), ("PAMP SA", "MKS PAMP SA"),
            ("Do Sung Corporation", "DSC (Do Sung Corporation)"), ("Johnson Matthey Inc", "Asahi Refining USA Inc."),
            ("Allgemeine Gold-und Silberscheideanstalt A.G.", "Agosi AG")} <= set(renamed)
    # Listed "Yes" in 2013 under its older name, "Indeterminable" in 2023: paired, not removed and added,
    # and not "worsened": that "Yes" may have meant undeterminable.
    solikamsk = pair_named(d, "Solikamsk Magnesium Works OAO")
    assert (solikamsk.old.first.row.smelter_name, solikamsk.old.first.row.status, solikamsk.new.first.row.status,
            solikamsk.matched_by, solikamsk.status_change) == \
        ("Solikamsk Metal Works", "Yes", "Indeterminable", "smelter ID (resolved by this site)", "incomparable")
    counts = d.counts()
    assert (counts["improved"], counts["worsened"], counts["incomparable"], counts["reworded"]) == (49, 0, 57, 23)
    assert {p.old.first.row.status for p in d.section("incomparable")} == {"Yes"}
    assert {p.old.first.row.status for p in d.section("improved")} == {"No"}
    # A Hong Kong refinery now listed under China.
    relocated = [(p.new.first.row.smelter_name, p.old.first.country_code, p.new.first.country_code) for p in d.section("relocated")]
    assert relocated == [("Metalor Technologies (Hong Kong) Ltd.", "HK", "CN")]
    # The 2013 duplicate is one smelter, shown with both rows.
    shandong = pair_named(d, "Shandong Zhaojin Gold & Silver Refinery Co., Ltd.")
    assert len(shandong.old.rows) == 2
    # One smelter processing two metals is two entries: Taboca's tin was listed in 2013, its tantalum is new.
    taboca = name_key("Mineracao Taboca S.A.")
    assert [p.new.metal for p in d.pairs if p.new.first.name_key == taboca] == ["Tin"]
    assert [e.metal for e in d.added if e.first.name_key == taboca] == ["Tantalum"]


def test_every_row_of_both_filings_is_in_exactly_one_status_section(site):
    d = site.diffs[2023]
    placed: dict[tuple, list[str]] = {}
    for name in STATUS_SECTIONS:
        for item in d.section(name):
            for entry in ([item] if isinstance(item, Entry) else [item.old, item.new]):
                for smelter in entry.rows:
                    placed.setdefault((entry.year, smelter.row.line), []).append(name)
    expected = {(f.year, s.row.line) for f in (site.filing(2013), site.filing(2023)) for s in f.smelters}
    assert set(placed) == expected
    assert all(len(sections) == 1 for sections in placed.values())


def test_totals_reconcile(site):
    d = site.diffs[2023]
    old, new = site.filing(2013).stats.distinct, site.filing(2023).stats.distinct
    assert (old, new) == (177, 352)
    assert old + len(d.added) - len(d.removed) == new


def test_suggestions_list_the_likely_renames_without_applying_them(tmp_path):
    import shutil
    data = tmp_path / "data"
    shutil.copytree(EXAMPLE / "data", data)
    (data / "reference" / "smelter_aliases.yaml").write_text("aliases: []\n")
    (data / "reference" / "resolved_ids.yaml").write_text("resolved: []\n")  # neither aliases nor resolved IDs
    site = load_site(data)
    d = site.diffs[2023]
    found = {(s.old.first.row.smelter_name, s.new.first.row.smelter_name): s.score for s in suggest_renames(d)}
    for pair in [("Heraeus Precious Metals GmbH & Co. KG", "Heraeus Germany GmbH Co. KG"),
                 ("Do Sung Corporation", "DSC (Do Sung Corporation)"), ("PAMP SA", "MKS PAMP SA")]:
        assert pair in found, pair
    assert not d.section("renamed")  # nothing applied without an alias


def test_timelines_cover_every_distinct_smelter_once(site):
    lines = site.timelines
    per_year = {y: sum(1 for t in lines if y in t.by_year) for y in site.years}
    assert per_year == {y: site.filing(y).stats.distinct for y in site.years}
    assert len(lines) == 177 + len(site.diffs[2023].added)


# ---- the laws, on generated filings ---------------------------------------------------------

NAMES = ["Alpha Refining SA", "Alpha Refining S.A.", "Beta Metals Co., Ltd.", "Gamma GmbH", "Delta Smelter",
         "Épsilon Mineração", "Epsilon Mineracao", "Zeta & Sons", "Eta Tin", "Theta Gold Inc"]
COUNTRIES = ["JAPAN", "China", "Hong Kong", "UGANDA", "Brazil"]
STATUSES = ["", "Yes", "No", "Full Compliant", "Active", "Indeterminable", "Conformant", "Non-Conformant"]
rows = st.builds(
    SmelterRow,
    metal=st.sampled_from(["Gold", "Tin", "Tantalum", "Tungsten"]),
    smelter_name=st.sampled_from(NAMES),
    country=st.sampled_from(COUNTRIES),
    status=st.sampled_from(STATUSES),
    smelter_id=st.one_of(st.just(""), st.sampled_from(["CID000001", "CID000002", "CID000003"])),
)


def make_filing(year, row_list):
    smelters = tuple(classify(SmelterRow(**{**r.__dict__, "line": i + 2}), REFERENCE, dt.date(year + 1, 5, 31))
                     for i, r in enumerate(row_list))
    return Filing(year, None, smelters, filing_stats(smelters))


def identities(d_entries):
    return sorted(e.first.identity for e in d_entries)


@settings(max_examples=150, deadline=None)
@given(st.lists(rows, max_size=25))
def test_diff_of_a_filing_with_itself_is_empty(row_list):
    a, b = make_filing(2020, row_list), make_filing(2021, row_list)
    d = diff(a, b)
    assert not d.added and not d.removed
    assert all(p.status_change == "unchanged" and not p.renamed and not p.relocated for p in d.pairs)


@settings(max_examples=150, deadline=None)
@given(st.lists(rows, max_size=25), st.lists(rows, max_size=25))
def test_added_one_way_is_removed_the_other(old_rows, new_rows):
    a, b = make_filing(2020, old_rows), make_filing(2021, new_rows)
    forward, backward = diff(a, b), diff(b, a)
    assert identities(forward.added) == identities(backward.removed)
    assert identities(forward.removed) == identities(backward.added)


@settings(max_examples=150, deadline=None)
@given(st.lists(rows, max_size=25), st.lists(rows, max_size=25))
def test_applying_the_diff_to_the_old_identities_gives_the_new(old_rows, new_rows):
    a, b = make_filing(2020, old_rows), make_filing(2021, new_rows)
    d = diff(a, b)
    old_ids = {id(e) for e in d.removed} | {id(p.old) for p in d.pairs}
    assert len(old_ids) == a.stats.distinct  # every old smelter is removed or paired, once
    after = {e.first.identity for e in d.added} | {p.new.first.identity for p in d.pairs}
    assert after == {e.first.identity for e in entries(b)}


@settings(max_examples=150, deadline=None)
@given(st.lists(rows, max_size=25), st.lists(rows, max_size=25))
def test_counts_add_up_to_the_row_totals(old_rows, new_rows):
    a, b = make_filing(2020, old_rows), make_filing(2021, new_rows)
    d = diff(a, b)
    counts = d.counts()
    paired = ("improved", "worsened", "incomparable", "unstated", "reworded", "unchanged")
    assert counts["removed"] + sum(counts[s] for s in paired) == a.stats.distinct
    assert counts["added"] + sum(counts[s] for s in paired) == b.stats.distinct
    assert sum(len(e.rows) for e in d.removed) + sum(len(p.old.rows) for p in d.pairs) == a.stats.facilities
    for name, per_metal in d.counts_by_metal().items():
        assert sum(per_metal.values()) == counts[name]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(rows, max_size=12), min_size=1, max_size=4))
def test_timelines_place_every_entry_once(filings_rows):
    filings = [make_filing(2020 + i, r) for i, r in enumerate(filings_rows)]
    lines = timelines(filings)
    for f in filings:
        assert sum(1 for t in lines if f.year in t.by_year) == f.stats.distinct


def test_suggest_command_lists_then_writes_only_the_accepted_aliases(tmp_path):
    import shutil
    import subprocess
    import sys
    data = tmp_path / "data"
    shutil.copytree(EXAMPLE / "data", data)
    aliases = data / "reference" / "smelter_aliases.yaml"
    aliases.write_text("aliases: []\n")
    (data / "reference" / "resolved_ids.yaml").write_text("resolved: []\n")
    script = [sys.executable, "-m", "disclosures.staff.suggest_aliases", "--data", str(data)]
    listing = subprocess.run(script, capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in listing.splitlines() if "PAMP SA (CH)  ->  MKS PAMP SA" in ln)
    number = int(line.split(".")[0])
    assert aliases.read_text() == "aliases: []\n"  # listing changes nothing
    subprocess.run(script + ["--accept", str(number)], capture_output=True, text=True, check=True)
    d = load_site(data).diffs[2023]
    assert [(p.old.first.row.smelter_name, p.new.first.row.smelter_name, p.matched_by) for p in d.section("renamed")] == [
        ("PAMP SA", "MKS PAMP SA", "alias")]


def test_a_designation_missing_from_one_filing_is_never_improved_or_worsened():
    """A list imported without a designation column: its rows are "not stated", and a move to or
    from them is its own section, not a change of class."""
    old = make_filing(2015, [SmelterRow("Gold", "Alpha Refinery", "Japan", ""), SmelterRow("Tin", "Beta", "Peru", "")])
    new = make_filing(2016, [SmelterRow("Gold", "Alpha Refinery", "Japan", "Conformant"), SmelterRow("Tin", "Beta", "Peru", "")])
    assert [s.status_class for s in old.smelters] == ["not_stated", "not_stated"]
    d = diff(old, new)
    assert {p.new.first.row.smelter_name: p.status_change for p in d.pairs} == {"Alpha Refinery": "unstated", "Beta": "unchanged"}
    assert d.counts()["improved"] == d.counts()["worsened"] == 0
