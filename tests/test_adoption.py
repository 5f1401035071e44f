"""Another company adopts the repository: init, its first year, past years back-filled, filed,
built and checked, with nothing of the example left in its data, pages or published site."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from disclosures.engine.load import load_site
from .conftest import FILINGS, confirm_year, copy_project, dev_project
from .site_checks import assert_none, broken_links, download_problems, figure_problems, narrative_problems

LAYOUTS = Path(__file__).parent / "fixtures" / "filings"
REGISTRANT = "Example Devices, Inc."


def dev(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(project / "scripts" / "dev"), *args], cwd=project, capture_output=True, text=True,
                          timeout=300)


def ok(project: Path, *args: str) -> str:
    result = dev(project, *args)
    assert result.returncode == 0, f"scripts/dev {' '.join(args)}:\n{result.stdout}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture
def example_clone(tmp_path) -> Path:
    """A fresh clone as it ships: the example in the live tree, marked as the example."""
    return dev_project(tmp_path / "clone", content=copy_project(tmp_path / "example"))


def test_init_turns_the_example_into_an_empty_site_of_another_company(example_clone, tmp_path):
    out = ok(example_clone, "init", "--registrant", REGISTRANT, "--cik", "1234567", "--file-number", "001-99999")
    assert "scripts/dev new-year YEAR" in out
    leftovers = [p for p in (example_clone / "data").rglob("*") if p.is_file() and "Qualys" in p.read_text(errors="ignore")]
    leftovers += [p for p in (example_clone / "docs").rglob("*") if p.is_file() and "Qualys" in p.read_text(errors="ignore")]
    assert not leftovers, f"the example is left in {leftovers}"
    assert not list((example_clone / "data" / "locks").iterdir()) and not list((example_clone / "docs").glob("20*"))
    ok(example_clone, "build")  # zero filings: the site builds (and so deploys)
    site = example_clone / "site"
    published = [p.relative_to(site) for p in site.rglob("*") if p.is_file() and b"Qualys" in p.read_bytes()]
    assert not published, f"the example company is published in {published}"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f"<title>{REGISTRANT} — Conflict Minerals Disclosures</title>".replace(",", ",") in home.replace("&amp;", "&")
    assert f"Every year {REGISTRANT} files" in home
    assert ok(example_clone, "check").strip().startswith("ready")  # nothing to check, nothing wrong


def test_init_refuses_a_site_with_filed_years_of_its_own(example_clone):
    ok(example_clone, "init", "--registrant", REGISTRANT)
    ok(example_clone, "new-year", "2023")
    ok(example_clone, "import", str(LAYOUTS / "edgar-section-rows.htm"), "--year", "2023")
    confirm_year(example_clone, 2023)
    ok(example_clone, "lock", "2023")
    refused = dev(example_clone, "init", "--registrant", "Someone Else Corp.")
    assert refused.returncode == 1 and "this site has filed years (2023)" in refused.stderr
    assert (example_clone / "data" / "locks" / "2023.json").is_file()


def test_a_company_files_its_first_year_then_back_fills_its_history(example_clone, tmp_path):
    """First year from the settings alone; 2021 before it (structure from 2023), 2022 between
    them; each imported from another company's exhibit layout, confirmed, checked and filed."""
    ok(example_clone, "init", "--registrant", REGISTRANT, "--cik", "1234567", "--state", "Delaware",
       "--file-number", "001-99999", "--irs-number", "12-3456789")
    for year, layout in ((2023, "edgar-section-rows.htm"), (2021, "pdf-layout.txt"), (2022, "tool-export.csv")):
        ok(example_clone, "new-year", str(year))
        ok(example_clone, "import", str(LAYOUTS / layout), "--year", str(year))
        confirm_year(example_clone, year)
        assert ok(example_clone, "check", str(year)).startswith("ready")
        if year == 2023:
            yaml_text = (example_clone / "data" / "filings" / "2023.yaml").read_text(encoding="utf-8")
            assert "12-3456789" in yaml_text and "EXAMPLE DEVICES, INC." in yaml_text  # from the settings
            ok(example_clone, "lock", "2023")
            ok(example_clone, "build", "--drafts")
        elif year == 2021:
            ok(example_clone, "build", "--drafts")  # a draft before a filed year previews
    model = load_site(example_clone / "data")
    assert model.years == [2021, 2022, 2023] and model.drafts == {2021, 2022}
    ok(example_clone, "lock", "2021")
    ok(example_clone, "lock", "2022")
    # 2023's change log now compares with 2022: this site's analysis of it changed, and says so.
    unrestated = dev(example_clone, "build")
    assert unrestated.returncode != 0 and "this site's analysis of it would change" in unrestated.stderr
    path = example_clone / "data" / "filings" / "2023.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "restatements:\n  - date: 2026-12-02\n"
                    "    reason: The change log now compares with the 2022 filing, filed since.\n", encoding="utf-8")
    ok(example_clone, "lock", "2023")
    ok(example_clone, "build")
    site, model = example_clone / "site", load_site(example_clone / "data")
    assert_none(broken_links(site), "links that lead nowhere")
    assert_none(figure_problems(site, model), "figures that disagree with the data")
    assert_none(download_problems(site, model), "downloads that disagree with the data")
    assert_none(narrative_problems(example_clone, model), "scripts/dev check finds problems in filed years")
    assert not [p for p in site.rglob("*.html") if b"Qualys" in p.read_bytes()]


def test_the_demo_is_the_frozen_example():
    """`scripts/dev demo` serves tests/fixtures/example, whatever the live tree holds."""
    script = (Path(__file__).resolve().parents[1] / "scripts" / "dev").read_text(encoding="utf-8")
    assert "cp -r tests/fixtures/example/data tests/fixtures/example/docs .demo/" in script
    assert (FILINGS / "qualys-2023-form-sd.txt").is_file()
