"""A filed year is a frozen record: every way what it publishes could drift stops the build, naming
the year and the cause; an amendment or a restatement lets it through and shows on its pages.
The Form SD page is the filed document word for word, and this site's additions say they are ours."""
from __future__ import annotations

import difflib
import html as htmllib
import re

import pytest
from lxml import html as lxml_html

from disclosures.site.render.templating import TEMPLATES
from disclosures.staff.lock_filing import main as lock
from disclosures.staff.new_year import scaffold
from .conftest import FILINGS, mkdocs_build, survey_yaml


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def mapping(p):
    edit(p / "data" / "reference" / "designations.yaml", "  Full Compliant: conformant", "  Full Compliant: active")


def sanction(p):
    edit(p / "data" / "reference" / "restrictions.yaml", "restrictions:\n", "restrictions:\n"
         "  - {kind: sanction, authority: OFAC, list: SDN, date: 2020-01-01, metal: Gold, country: US,\n"
         "     names: [Advanced Chemical Company], source: test}\n")


def alias(p):  # a rename accepted after the lock: the 2023 change log would pair two rows it lists apart
    edit(p / "data" / "reference" / "smelter_aliases.yaml", "aliases:\n",
         "aliases:\n  - metal: Gold\n    names:\n      - {year: 2013, name: Boliden AB}\n"
         "      - {year: 2023, name: 8853 S.p.A.}\n")


def survey(p):
    (p / "data" / "rcoi").mkdir()
    (p / "data" / "rcoi" / "2023.yaml").write_text(survey_yaml(), encoding="utf-8")


def year_inserted(p):  # a year filed later for a period between two filed ones
    scaffold(p, 2020)


def code(p):  # a site's own template override (theme.custom_dir) that re-cases the filed headings
    template = (TEMPLATES / "cm" / "form_sd.html").read_text(encoding="utf-8")
    (p / "overrides" / "cm").mkdir(parents=True)
    (p / "overrides" / "cm" / "form_sd.html").write_text(template.replace("{{ b.heading }}", "{{ b.heading | title }}"),
                                                         encoding="utf-8")
    edit(p / "mkdocs.yml", "  name: material\n", "  name: material\n  custom_dir: overrides\n")


DRIFTS = {
    "reference mapping": (mapping, ["figure `conformant` would read 0 (filed and locked: 223)", "data/reference/designations.yaml"]),
    "sanctions entry": (sanction, ["figure `sanctioned` would read 2 (filed and locked: 1)", "data/reference/restrictions.yaml"]),
    "alias": (alias, ["2023/changes/:", "data/reference/smelter_aliases.yaml"]),
    "survey file": (survey, ["Its files changed: data/rcoi/2023.yaml"]),
    "year inserted": (year_inserted, ["2023/changes/: '", "data/filings/2020.yaml"]),
    "template": (code, ["2023/: 'SIGNATURES' would read 'Signatures'", "the templates or the code did"]),
}


@pytest.mark.parametrize("name", DRIFTS)
def test_every_drift_of_a_filed_year_stops_the_build_naming_year_and_cause(project_copy, tmp_path, name):
    change, expected = DRIFTS[name]
    change(project_copy)
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0, f"{name}: the build passed"
    assert "2023 is filed and locked" in result.stderr, result.stderr[-3000:]
    for words in expected:
        assert words in result.stderr, f"{name}: {words!r} not in\n{result.stderr[-3000:]}"
    assert "record a `restatements:` entry" in result.stderr


def test_editing_the_as_filed_list_or_removing_a_lock_stops_the_build(project_copy, tmp_path):
    locks = project_copy / "data" / "locks"
    as_filed = locks / "2023.as-filed.csv"
    lines = as_filed.read_text(encoding="utf-8").splitlines(keepends=True)
    as_filed.write_text("".join(lines[:5] + lines[6:]), encoding="utf-8")  # one row deleted
    result = mkdocs_build(project_copy, tmp_path / "a")
    assert result.returncode != 0 and "2023: data/locks/2023.as-filed.csv, the smelter list as originally filed, was changed" in result.stderr
    as_filed.write_text("".join(lines), encoding="utf-8")
    (locks / "2023.json").unlink()
    result = mkdocs_build(project_copy, tmp_path / "b")
    assert result.returncode != 0 and "2023 was filed" in result.stderr and "git checkout -- data/locks/2023.json" in result.stderr
    as_filed.unlink()  # both gone: the other year's lock still records 2023 as filed
    result = mkdocs_build(project_copy, tmp_path / "c")
    assert result.returncode != 0 and "2023 is recorded as filed (in the lock of 2013)" in result.stderr, result.stderr[-2000:]
    assert lock(["2023", "--root", str(project_copy)]) == 1  # and re-locking cannot overwrite the record


def test_a_restatement_lets_a_corrected_analysis_through_and_says_so(project_copy, tmp_path):
    sanction(project_copy)
    assert lock(["2023", "--root", str(project_copy)]) == 1  # nothing recorded: nothing re-locked
    reason = "Advanced Chemical Company was added to this site's sanctions list."
    edit(project_copy / "data" / "filings" / "2023.yaml", "restatements:\n",
         f"restatements:\n  - date: 2026-12-01\n    reason: {reason}\n")
    assert lock(["2023", "--root", str(project_copy)]) == 0
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode == 0, result.stderr[-3000:]
    for page in ("", "report/", "smelters/"):
        text = htmllib.unescape((tmp_path / "out" / "2023" / page / "index.html").read_text(encoding="utf-8"))
        assert "Restated by this site — the filing is unchanged" in text and reason in text


# ---- the Form SD, verbatim --------------------------------------------------------------------
# The source texts are the filings as extracted from EDGAR; known extraction debris is undone here.
SOURCE_FIXES = {2013: [("REPOR\tĽΤ", "REPORT")], 2023: [("**", " ")]}
REPORT_STARTS = {2013: "Qualys, Inc. Conflict Minerals Report For The", 2023: "Qualys, Inc.\nConflict Minerals Report"}


def filed_words(year: int) -> list[str]:
    text = (FILINGS / f"qualys-{year}-form-sd.txt").read_text(encoding="utf-8")
    text = text[: text.index(REPORT_STARTS[year])]
    for old, new in SOURCE_FIXES[year]:
        text = text.replace(old, new)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    text = re.sub(r"^-( |$)", "", text, flags=re.M)  # the bullets the extraction made of checkbox lines
    return text.split()


def shown_words(html: str) -> list[str]:
    """The words of the page's filed document, without the site's labels and the box glyphs."""
    doc = lxml_html.fromstring(html).xpath("//*[@data-filed='form-sd']")[0]
    for node in doc.xpath(".//*[contains(@class, 'cm-check') or contains(@class, 'cm-sr-only')]"):
        node.drop_tree()
    for br in doc.iter("br"):
        br.tail = " " + (br.tail or "")
    for block in doc.xpath(".//p|.//h2|.//h3|.//td|.//th"):
        block.tail = " " + (block.tail or "")
    return htmllib.unescape(doc.text_content()).split()


@pytest.mark.parametrize("year", [2013, 2023])
def test_the_form_sd_page_is_the_filed_document_word_for_word(built_site, year):
    """Every word of the filed cover, items, signature and exhibit index, in filed order and case,
    and nothing else inside the document."""
    html = (built_site / str(year) / "index.html").read_text(encoding="utf-8")
    assert shown_words(html) == filed_words(year)


def test_the_form_sd_says_what_is_the_site_s_and_links_edgar(built_site):
    page = lxml_html.fromstring((built_site / "2023" / "index.html").read_text(encoding="utf-8"))
    note = page.xpath("//*[@data-site='note']")[0]
    assert "reproduced as filed on May 30, 2024" in note.text_content()
    assert note.xpath(".//a/@href")[0].startswith("https://www.sec.gov/")
    checked = [p.text_content() for p in page.xpath("//*[contains(@class, 'cm-sd-box')]")]
    assert checked[0].startswith("☒(box checked)") and checked[1].startswith("☐(box not checked)")


def test_the_report_annex_shows_the_filed_columns_and_marks_the_analysis(built_site):
    """The annex opens with the analysis (so the flags are on screen and on paper) and every
    part of it that the filing did not print is marked: the class column, the flags beside a
    name, the country codes; "As filed" (data-view="filed") hides exactly those (.cm-an)."""
    page = lxml_html.fromstring((built_site / "2023" / "report" / "index.html").read_text(encoding="utf-8"))
    table = page.xpath("//*[@data-smelter-table]")[0]
    assert table.get("data-view") == "analysis"
    headers = table.xpath(".//thead//th")
    filed = [" ".join(h.text_content().split()) for h in headers if "cm-an" not in (h.get("class") or "")]
    assert filed == ["Metal", "Smelter or refiner", "Country", "Status"]
    assert all("analysis" in h.text_content() for h in headers if "cm-an" in (h.get("class") or ""))
    # IDs this site resolved are an analysis column of the year's list page (the annex links to it), said so.
    assert not [h for h in headers if "RMI ID" in h.text_content()]
    listing = lxml_html.fromstring((built_site / "2023" / "smelters" / "index.html").read_text(encoding="utf-8"))
    resolved = [h for h in listing.xpath("//*[@data-smelter-table]//thead//th") if "RMI ID" in h.text_content()]
    assert len(resolved) == 1 and "resolved by this site" in resolved[0].text_content() and "cm-an" in resolved[0].get("class")
    agr = table.xpath(".//tbody/tr[th[starts-with(normalize-space(.), 'African Gold Refinery')]]")[0]
    flags = agr.xpath(".//*[contains(@class, 'cm-badge')]")
    assert {" ".join(f.text_content().split()) for f in flags} >= {"Greater risk", "OFAC sanctioned"}
    assert all(f.xpath("ancestor::*[contains(concat(' ', @class, ' '), ' cm-an ')]") for f in flags)
    assert "analysis" in " ".join(table.xpath(".//p[contains(@class, 'cm-view-note')]")[0].text_content().split())
    facts = page.xpath("//aside[contains(@class, 'cm-facts')]")[0]
    assert "Key facts — this site's analysis, not part of the filing" in facts.text_content()


def test_a_filing_s_own_legend_qualifies_its_class(built_site):
    """2013's "Yes" is conflict free *or undeterminable*: never called plainly conformant."""
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert "<strong>74</strong> Conformant or undeterminable (42%)" in home
    assert "<q>we determined that our products are DRC Conflict Undeterminable with regard to calendar year 2013</q>" in home
    report = (built_site / "2013" / "report" / "index.html").read_text(encoding="utf-8")
    assert "Conformant or undeterminable" in report and ">Conformant</th>" not in report


def test_relocking_after_reference_edits_that_change_nothing_shown_records_the_new_causes(project_copy, tmp_path):
    """A designation added for a new year's list leaves the filed years as they were: `lock`
    records the new reference hashes (so a later drift names its cause) and nothing else."""
    designations = project_copy / "data" / "reference" / "designations.yaml"
    edit(designations, "  Suspended: non_conformant\n", "  Suspended: non_conformant\n  Pending Audit: active\n")
    before = (project_copy / "data" / "locks" / "2023.json").read_text(encoding="utf-8")
    assert lock(["2023", "--root", str(project_copy)]) == 0
    after = (project_copy / "data" / "locks" / "2023.json").read_text(encoding="utf-8")
    changed = [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:2] in ("- ", "+ ")]
    assert len(changed) == 2 and all("data/reference/designations.yaml" in line for line in changed)
    code(project_copy)  # now a template drift is named as such, not blamed on the reference edit
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0 and "the templates or the code did" in result.stderr, result.stderr[-2000:]
