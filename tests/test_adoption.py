"""Another company adopts the repository: init, its first year, past years back-filled, filed,
built and checked, with nothing of the example left in its data, pages or published site."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html import unescape
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
    out = ok(example_clone, "init", "--registrant", REGISTRANT, "--cik", "1234567", "--file-number", "001-99999",
             "--site-url", "https://disclosures.example-devices.test/conflict-minerals/")
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
    assert "https://disclosures.example-devices.test/conflict-minerals/" in (site / "sitemap.xml").read_text(encoding="utf-8")
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


ROOT = Path(__file__).resolve().parents[1]


def test_the_json_schemas_and_editor_settings_are_current():
    """data/schemas/ and .vscode/settings.json are what `scripts/dev schemas` writes from the models."""
    from disclosures.engine.schemas import editor_settings, schema_texts
    for name, text in schema_texts().items():
        assert (ROOT / "data" / "schemas" / name).read_text(encoding="utf-8") == text, f"run scripts/dev schemas ({name})"
    assert (ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8") == editor_settings()


def test_a_schema_says_what_each_filing_field_is_and_names_a_misplaced_key():
    from disclosures.engine.schemas import fields, schema
    filing = schema("filing")
    assert filing["additionalProperties"] is False and "registrant" in filing["required"]
    described = {name: what for name, _, _, what in fields("filing")}
    assert "list_header" in described and described["list_header"]


def test_every_command_the_docs_give_exists():
    """The README and the staff guide name only commands scripts/dev has (no stale `make test`)."""
    script = (ROOT / "scripts" / "dev").read_text(encoding="utf-8")
    known = set(re.findall(r"^  ([a-z-]+)\)", script, re.M))
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]]
    named = {(name, command) for name, text in texts for command in re.findall(r"(?:`|^)scripts/dev ([a-z][a-z-]*)", text, re.M)}
    assert not [f"{name}: scripts/dev {command}" for name, command in named if command not in known]
    stale = [name for name, text in texts if re.search(r"python scripts/|make test|scripts/\w+\.py", text)]
    assert not stale, f"commands that do not exist in {stale}"


@pytest.mark.parametrize("header, expected", [
    ("{metal: Metal, smelter_name: Name, country: Country, smelter_id: ID, status: Status}",
     "list_header.smelter_id: names the smelter_id column, which data/smelters/2013.csv does not have"),
    ("{metal: Metal, smelter_name: Name, country: Country}", "list_header: has no cell for the list's status column"),
    ("{metal: Metal, name: Name, country: Country, status: Status}", "list_header.name"),
])
def test_the_filed_header_is_keyed_by_column_and_checked_against_the_list(tmp_path, header, expected):
    from disclosures.engine.errors import DataError
    project = copy_project(tmp_path / "project")
    path = project / "data" / "filings" / "2013.yaml"
    text = path.read_text(encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("list_header:"))
    path.write_text(re.sub(r"^list_header: .*$", f"list_header: {header}", text, flags=re.M), encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_site(project / "data")
    assert f"2013.yaml:{line}: {expected}" in str(error.value)


def test_check_shows_how_the_filed_header_reads(tmp_path):
    project = copy_project(tmp_path / "project")
    result = subprocess.run([str(Path(sys.executable).parent / "cm-check"), "2013"], capture_output=True, text=True,
                            cwd=project, env=dict(os.environ, CM_PROJECT_ROOT=str(project)))
    assert "2013: the list's filed header reads 'Metal' over metal" in result.stdout


# Cover habits of other registrants' Form SD filings on EDGAR: a box printed as "\x\" or "¨",
# a signature block as a grid without a header row, one caption under two values, bold words,
# a logo, a page number at the foot of the cover.
OTHER_COVER = [
    {"image": {"src": "assets/logo.png", "alt": "Example Devices logo"}},
    {"title": "**FORM SD**"},
    {"fields": [{"value": "Delaware"}, {"value": "001-99999"}],
     "caption": "(State or other jurisdiction of incorporation)  (Commission File Number)"},
    {"checkbox": "checked", "box": "\\x\\", "line": "Rule 13p-1 under the Securities Exchange Act"},
    {"checkbox": "unchecked", "box": "¨", "line": "Rule 13q-1 under the Securities Exchange Act"},
    {"paragraph": "First line as filed\nsecond line as filed"},
    {"table": [["EXAMPLE DEVICES, INC."], ["By: /s/ Jane Doe", "May 31, 2024"]], "header": False},
    {"page_number": "2"},
]


def test_another_registrants_cover_is_kept_as_filed(site):
    from disclosures.engine.model import FormSdBlock
    from disclosures.engine.record import form_sd_items
    from disclosures.site.render.form_sd import form_sd
    blocks = [FormSdBlock.model_validate(b) for b in OTHER_COVER]
    filing = site.filing(2023)
    meta = filing.meta.model_copy(update={"form_sd": blocks})
    html = str(form_sd(type(filing)(2023, meta, filing.smelters, filing.stats), draft=False, image_base="../"))
    assert '<img src="../assets/logo.png" alt="Example Devices logo">' in html
    assert "<strong>FORM SD</strong>" in html and "**" not in html
    assert '<span class="cm-check" aria-hidden="true">&#92;x&#92;</span><span class="cm-sr-only">&#40;box checked&#41;' in html
    assert '<span class="cm-check" aria-hidden="true">¨</span><span class="cm-sr-only">&#40;box not checked&#41;' in html
    assert "First line as filed<br>second line as filed" in html
    grid = html[html.index('<table class="cm-sd-table">'):]
    assert "<th" not in grid and "<td>By: /s/ Jane Doe</td>" in grid
    assert '<p class="cm-sd-page">2</p>' in html
    shown = unescape(html)
    assert shown.index("(State or other jurisdiction") > shown.index("001-99999")  # one caption under both values
    items = form_sd_items(meta)
    assert "FORM SD" in items and "2" in items and not any("*" in i for i in items)


@pytest.mark.parametrize("src", ["https://example.com/logo.png", "../../etc/passwd.png", "/abs/logo.png", "logo.exe"])
def test_a_cover_image_is_a_file_of_the_site_only(src):
    from pydantic import ValidationError
    from disclosures.engine.model import FormSdBlock
    with pytest.raises(ValidationError, match="a PNG, JPEG, GIF or SVG file under docs/"):
        FormSdBlock.model_validate({"image": {"src": src, "alt": "logo"}})


def test_new_year_edits_last_years_file_keeping_comments_order_and_every_cover_field(tmp_path):
    from disclosures.staff.new_year import scaffold
    project = copy_project(tmp_path / "project")
    source = project / "data" / "filings" / "2023.yaml"
    text = source.read_text(encoding="utf-8").replace(
        "  commission_file_number: 001-35662\n",
        "  commission_file_number: 001-35662  # keep: as printed on the cover\n  irs_employer_id: 77-0221674\n")
    source.write_text(text, encoding="utf-8")
    scaffold(project, 2024)
    new = (project / "data" / "filings" / "2024.yaml").read_text(encoding="utf-8")
    assert "irs_employer_id: 77-0221674" in new and "# keep: as printed on the cover" in new
    assert "# The Form SD as filed, block by block in filed order" in new  # last year's explanations stay
    keys = lambda t: [line.split(":")[0] for line in t.splitlines() if re.match(r"^[a-z_]+:", line)]  # noqa: E731
    assert [k for k in keys(new)] == [k for k in keys(text) if k not in ("source_document", "restatements")]
    assert not [line for line in new.splitlines()[:4] if "CHECK" in line]  # its own heading trips nothing


def test_a_filed_header_written_as_a_list_is_keyed_by_what_each_cell_names(site):
    """The header in filed order ("Status" first) goes over the status column, never by position."""
    from disclosures.engine.model import FilingMeta
    from disclosures.site.render import tables
    meta = site.filing(2023).meta.model_dump()
    meta["list_header"] = ["Status", "Metal", "Smelter or Refiner", "Location"]
    header = FilingMeta.model_validate(meta).list_header
    assert header == {"status": "Status", "metal": "Metal", "smelter_name": "Smelter or Refiner", "country": "Location"}
    filing = site.filing(2023)
    html = str(tables.smelter_table(type(filing)(2023, FilingMeta.model_validate(meta), filing.smelters, filing.stats),
                                    site.reference))
    assert re.search(r'class="cm-c-country">.{0,80}>Location<', html)
    assert re.search(r'class="cm-c-designation">.{0,80}>Status<', html) and re.search(r'class="cm-c-metal">.{0,80}>Metal<', html)


@pytest.mark.parametrize("field, value", [("registrant", "<script>alert(1)</script> Inc."), ("footer", 'x" onmouseover="alert(1)'),
                                          ("site_description", "{{ 7*7 }}"), ("registrant", "Afri\u200bcan Devices")])
def test_the_settings_the_theme_prints_as_they_are_are_plain_text(tmp_path, field, value):
    """MkDocs themes print the site's name, description and footer unescaped: the settings refuse markup."""
    project = copy_project(tmp_path / "project")
    settings = project / "data" / "site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + f"{field}: {json.dumps(value)}\n"
                        if field != "registrant" else re.sub(r"^registrant: .*$", lambda m: f"registrant: {json.dumps(value)}",
                                                             settings.read_text(encoding="utf-8"), flags=re.M),
                        encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "out")],
                            cwd=project, capture_output=True, text=True)
    refusal = "cannot be seen" if "\u200b" in value else "plain text only"  # an invisible code point: the text gate's words
    assert result.returncode != 0 and "site.yaml" in result.stderr and refusal in result.stderr, result.stderr[-1500:]
    assert "Traceback" not in result.stderr
