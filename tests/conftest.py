"""Shared fixtures.

Two trees are tested. The example site frozen under tests/fixtures/example/ (the Qualys filings
as shipped) carries every assertion of exact figures and text: `site`, `built_site`,
`project_copy`. The live tree (the repository's own data/ and docs/, whatever staff have put
there) gets only checks that hold for any valid content: `live_site`, `live_built_site`.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from yaml import safe_dump, safe_load

from disclosures.engine.load import load_site
from disclosures.engine.reference import load_reference

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "tests" / "fixtures" / "example"  # the example site, frozen as shipped
FILINGS = EXAMPLE / "data" / "sources"  # the filings as filed (copies of the SEC documents)
CODE_PARTS = ("mkdocs.yml", "macros")  # what a build takes from the live tree
CONTENT_PARTS = ("data", "docs")  # what it takes from the tree under test


@pytest.fixture(scope="session")
def site():
    """The frozen example: the tests of exact figures load this, never the live data/."""
    return load_site(EXAMPLE / "data")


@pytest.fixture(scope="session")
def reference():
    return load_reference(EXAMPLE / "data" / "reference")


@pytest.fixture(scope="session")
def live_site():
    """The live data/, as staff left it: only checks that hold for any valid content."""
    return load_site(ROOT / "data")


def survey_yaml(**fields) -> str:
    """A data/rcoi/YYYY.yaml as `scripts/dev ingest` writes it, with `fields` changed."""
    survey = dict(dict(workbooks_received=7, workbooks_accepted=7, suppliers=7, suppliers_sourcing_from_covered_countries=0,
                       suppliers_all_smelters_identified=5, smelters=353), **fields)
    return "".join(f"{k}: {json.dumps(v)}\n" for k, v in survey.items())


def copy_project(dest: Path, content: Path = EXAMPLE) -> Path:
    """A throw-away project: today's code with the content (data/, docs/) of `content`."""
    dest.mkdir(parents=True)
    for part in CONTENT_PARTS + CODE_PARTS:
        src = (content if part in CONTENT_PARTS else ROOT) / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
        elif src.is_file():
            shutil.copy2(src, dest / part)
    return dest


def dev_project(dest: Path, content: Path = ROOT) -> Path:
    """A copy of the project that `scripts/dev` can run in, sharing the environment it set up (the
    same lock and pyproject.toml, so scripts/dev never reinstalls the package from the copy)."""
    project = copy_project(dest, content)
    shutil.copytree(ROOT / "scripts", project / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("requirements.lock", "pyproject.toml"):
        shutil.copy(ROOT / name, project / name)
    (project / ".venv").symlink_to(ROOT / ".venv")
    return project


def make_draft(project: Path, year: int) -> None:
    """Make a filed year of a test copy a draft again: as if it had never been filed (its lock and
    as-filed list gone, not registered, and no other lock recording it as filed)."""
    locks = project / "data" / "locks"
    for name in (f"{year}.json", f"{year}.as-filed.csv"):
        (locks / name).unlink()
    for path in locks.glob("[0-9][0-9][0-9][0-9].json"):
        lock = json.loads(path.read_text(encoding="utf-8"))
        lock["filed_years"] = [y for y in lock.get("filed_years", []) if y != year]
        path.write_text(json.dumps(lock, indent=1) + "\n", encoding="utf-8")
    registry = json.loads((locks / "filed.json").read_text(encoding="utf-8"))
    registry["filed"].pop(str(year))
    (locks / "filed.json").write_text(json.dumps(registry, indent=2) + "\n", encoding="utf-8")


def confirm_year(project: Path, year: int) -> None:
    """What staff do by hand after `new-year` and `import`: confirm every value marked CHECK."""
    path = project / "data" / "filings" / f"{year}.yaml"
    text = re.sub(r"\s+# CHECK.*$", "", path.read_text(encoding="utf-8"), flags=re.M)
    text = re.sub(r"^# .*\n", "", text, flags=re.M)
    text = re.sub(r"'CHECK: ((?:[^']|'')*)'", lambda m: json.dumps(f"Confirmed: {m.group(1)}."), text)
    text = re.sub(r"\bCHECK\b", "Confirmed", text)
    rows = list(csv.DictReader(io.StringIO((project / "data" / "smelters" / f"{year}.csv").read_text(encoding="utf-8-sig"))))
    legend = {s: f"The filing's words for {s}." for s in sorted({r["status"] for r in rows}) if s}
    text = text.replace("designation_legend: {}", "designation_legend: " + json.dumps(legend))
    text = re.sub(r"quote: .*", "quote: we could not determine the origin of the minerals", text)
    markers = sorted({r["footnote"] for r in rows if r["footnote"]})
    text = text.replace("footnotes: []", "footnotes: " + json.dumps([{"marker": m, "text": "As filed."} for m in markers]))
    path.write_text(text, encoding="utf-8")
    report = project / "docs" / str(year) / "report.md"
    text = re.sub(r"^<!-- CHECK:.*?-->\n", "", report.read_text(encoding="utf-8"), flags=re.S)
    sentence = "After a reasonable inquiry, we could not determine the origin of the minerals."
    text = re.sub(r"^CHECK: .*$", sentence, text, flags=re.M)
    report.write_text(text if sentence in text else text.rstrip("\n") + f"\n\n{sentence}\n", encoding="utf-8")


def mkdocs_build(project: Path, out: Path, *options: str, generator: str = "mkdocs") -> subprocess.CompletedProcess:
    """`mkdocs build --strict` (or `properdocs build --strict`); with options (--drafts), the
    adapter's own build command, which takes the plugin's settings on the command line."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-m", "disclosures.site.mkdocs_plugin", "build", *options] if options else \
        [sys.executable, "-m", generator, "build", "--strict"]
    return subprocess.run(command + ["--site-dir", str(out)], cwd=project, capture_output=True, text=True, env=env,
                          timeout=300)


def build_or_fail(project: Path, out: Path, *options: str, generator: str = "mkdocs") -> Path:
    result = mkdocs_build(project, out, *options, generator=generator)
    if result.returncode != 0:
        pytest.fail(f"the site did not build:\n{result.stderr[-4000:]}", pytrace=False)
    return out


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The frozen example site, built once per test run as CI and the deploy build it."""
    project = copy_project(tmp_path_factory.mktemp("example") / "project")
    return build_or_fail(project, project.parent / "site")


@pytest.fixture(scope="session")
def live_built_site(tmp_path_factory) -> Path:
    """The live tree, built in place (drafts included) exactly as `scripts/dev build --drafts` does."""
    return build_or_fail(ROOT, tmp_path_factory.mktemp("live") / "site", "--drafts")


@pytest.fixture
def project_copy(tmp_path) -> Path:
    return copy_project(tmp_path / "project")


# Text a supplier or a filing might carry, meant to run in a reader's browser or spreadsheet.
HOSTILE_NAME = '=HYPERLINK("http://evil.example") <script>alert("name")</script> {{ 7*7 }} | pipe'
HOSTILE_IMG = '<img src=x onerror=alert("img")> {% include "mkdocs.yml" %}'
HOSTILE_RTL = "ابجد " + "Very long name " * 40  # right-to-left text in a left-to-right table
HOSTILE_MARKDOWN = ("[click](javascript:alert('md')) *emphasis* <b>bold</b> ![i](x) "
                    "{: onfocus=\"alert('attr')\" autofocus }")
LOOKALIKE = "\u0410frican Gold Refinery"  # a Cyrillic А: reads as the sanctioned African Gold Refinery


# Where a staff member may write a macro: Markdown reads the text between its output's tags again.
MARKDOWN_CONTEXTS = {
    "paragraph": "Before {m} after.\n",
    "list": "- item {m} after\n- next\n",
    "quote": "> quoted {m} after\n",
    "admonition": '!!! note "Note"\n    In a note {m} after.\n',
    "table cell": "| Column | Other |\n| --- | --- |\n| {m} | x |\n",
}
INLINE_MACROS = ("smelter_summary", "download_links", "changes_summary", "smelter_index_downloads", "footnotes",
                 "status_legend", "trend_chart", "filings_overview", "class_map", "covered_countries",
                 "restrictions_table", "staff_commands")  # the rest (macros.BLOCK_MACROS) stand on their own line


def macros_in_every_context() -> str:
    return "".join(f"\n<!-- {macro} in a {context} -->\n\n" + template.format(m="{{ " + macro + "() }}") + "\n"
                   for macro in INLINE_MACROS for context, template in MARKDOWN_CONTEXTS.items())


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory) -> Path:
    """The real site with hostile text in the 2023 smelter list and filing YAML."""
    project = copy_project(tmp_path_factory.mktemp("hostile") / "project")
    make_draft(project, 2023)  # editable
    csv_path = project / "data" / "smelters" / "2023.csv"
    text = csv_path.read_text(encoding="utf-8")
    for old, new in (("8853 S.p.A.", HOSTILE_NAME), ("ABC Refinery Pty Ltd.", HOSTILE_IMG),
                     ("Abington Reldan Metals, LLC", HOSTILE_RTL), ("African Gold Refinery", LOOKALIKE)):
        quoted = '"' + new.replace('"', '""') + '"'
        text = text.replace(f"Gold,{old},", f"Gold,{quoted},", 1).replace(f'Gold,"{old}",', f"Gold,{quoted},", 1)
    csv_path.write_text(text, encoding="utf-8")
    # The renamed rows are no longer the rows IDs were resolved for (an entry naming a missing row stops the build).
    resolved = project / "data" / "reference" / "resolved_ids.yaml"
    kept = [e for e in safe_load(resolved.read_text(encoding="utf-8"))["resolved"] if e["year"] != 2023]
    resolved.write_text(safe_dump({"resolved": kept}, allow_unicode=True), encoding="utf-8")
    yaml_path = project / "data" / "filings" / "2023.yaml"
    yaml = yaml_path.read_text(encoding="utf-8")
    yaml = re.sub(r"  quote: .*", lambda m: "  quote: '<script>alert(\"conclusion\")</script> {{ 7*7 }}'", yaml)
    yaml = yaml.replace("  - paragraph: The Conflict Minerals Report required by Item 1.01",
                        "  - paragraph: See javascript:alert('item') and <a href=\"javascript:alert(1)\">x</a>. The Conflict Minerals Report required by Item 1.01")
    yaml = re.sub(r"  responses: >-\n(    .*\n)+", lambda m: f"  responses: {json.dumps(HOSTILE_MARKDOWN)}\n", yaml)
    yaml = yaml.replace("  - marker: \"*\"\n    text: >-\n", "  - marker: \"*\"\n    text: >-\n      <img src=x onerror=alert('footnote')> {% raw %}\n")
    yaml += "amendments: []\n"
    yaml_path.write_text(yaml, encoding="utf-8")
    reference = project / "data" / "reference"  # hostile text in every reference file a macro shows
    for name, old, new in (("restrictions.yaml", "source: OFAC press release of 17 March 2022", "source: " + json.dumps(HOSTILE_MARKDOWN)),
                           ("designations.yaml", "description: The filing published no designation for the smelter (its list has no designation column).",
                            "description: " + json.dumps(HOSTILE_MARKDOWN)),
                           ("covered_countries.yaml", "SS: South Sudan", "SS: " + json.dumps("South Sudan " + HOSTILE_MARKDOWN))):
        path = reference / name
        assert old in path.read_text(encoding="utf-8"), (name, old)
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    report = project / "docs" / "2023" / "report.md"  # a YAML field quoted in the narrative; every macro inline
    report.write_text(report.read_text(encoding="utf-8") + "\nResponses: {{ filing.meta.rcoi.responses }}\n"
                      + macros_in_every_context(), encoding="utf-8")
    out = project.parent / "site"
    result = mkdocs_build(project, out, "--drafts")
    assert result.returncode == 0, result.stderr[-4000:]
    return out
