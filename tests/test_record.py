"""A filed year is a legal record, locked as content, not as the markup a generator printed.

Filed content changes only by amendment, this site's analysis only by a restatement the lock
itemises; nothing filed vanishes; a presentation change (theme, markup, workbook styling, a new
download column) keeps the record and builds; and the site builds the same under ProperDocs.
"""
from __future__ import annotations

import html as htmllib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html as lxml_html

from disclosures.engine import registry
from disclosures.engine.record import ShownText, report_blocks, words
from disclosures.site.render.templating import TEMPLATES
from disclosures.staff.lock_filing import main as lock
from disclosures.staff.new_year import scaffold
from .conftest import build_or_fail, make_draft, mkdocs_build


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


def year_inserted(p):  # a year filed later for a period between two filed ones
    scaffold(p, 2020)


def recased_headings(p):  # a site's own template override (theme.custom_dir) that re-cases the filed headings
    template = (TEMPLATES / "cm" / "form_sd.html").read_text(encoding="utf-8")
    assert "{{ b.heading | filed }}" in template
    (p / "overrides" / "cm").mkdir(parents=True)
    (p / "overrides" / "cm" / "form_sd.html").write_text(template.replace("{{ b.heading | filed }}", "{{ b.heading | title }}"),
                                                         encoding="utf-8")
    edit(p / "mkdocs.yml", "  name: material\n", "  name: material\n  custom_dir: overrides\n")


def with_hook(p, code: str):
    """A presentation change from outside the package: a MkDocs hook file (a theme's or a tool's)."""
    (p / "presentation.py").write_text(code, encoding="utf-8")
    edit(p / "mkdocs.yml", "plugins:\n", "hooks:\n  - presentation.py\nplugins:\n")


ANALYSIS_DRIFTS = {  # this site's analysis of 2023 would change: the restatement route, the cause named
    "reference mapping": (mapping, ["figure `conformant`: 223 -> 0", "data/reference/designations.yaml"]),
    "sanctions entry": (sanction, ["figure `sanctioned`: 1 -> 2", "data/reference/restrictions.yaml"]),
    "alias": (alias, ["changes:", "data/reference/smelter_aliases.yaml"]),
}


@pytest.mark.parametrize("name", ANALYSIS_DRIFTS)
def test_a_change_of_the_site_s_analysis_stops_the_build_naming_cause_and_restatement(project_copy, tmp_path, name):
    change, expected = ANALYSIS_DRIFTS[name]
    change(project_copy)
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0, f"{name}: the build passed"
    assert "2023 is filed and locked" in result.stderr and "this site's analysis of it would change" in result.stderr
    for phrase in expected:
        assert phrase in result.stderr, f"{name}: {phrase!r} not in\n{result.stderr[-3000:]}"
    assert "record a `restatements:` entry" in result.stderr and "what it filed would change" not in result.stderr


def test_a_draft_back_filled_between_filed_years_previews_and_leaves_them_as_filed(project_copy, tmp_path):
    """A past filing scaffolded after adoption: it compares with the filing before it, while the
    filed year after it keeps comparing with the filing it was locked against until 2020 is filed."""
    year_inserted(project_copy)
    built = build_or_fail(project_copy, tmp_path / "out", "--drafts")
    assert "Changes since the 2013 filing" in (built / "2020" / "changes" / "index.html").read_text(encoding="utf-8")
    assert "Changes since the 2013 filing" in (built / "2023" / "changes" / "index.html").read_text(encoding="utf-8")
    assert not (build_or_fail(project_copy, tmp_path / "published") / "2020").exists()


def test_a_template_that_alters_filed_text_stops_the_build(project_copy, tmp_path):
    recased_headings(project_copy)
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    assert "2023: the page 2023/ no longer shows a piece of the Form SD as filed: 'SECTION 1 – CONFLICT MINERALS " \
           "DISCLOSURE'" in result.stderr, result.stderr[-3000:]
    assert "2013: the page 2013/ no longer shows a piece of the Form SD as filed: 'SIGNATURES'" in result.stderr
    assert "a filed record is not restated" in result.stderr


def test_a_restatement_never_lets_filed_content_through(project_copy, tmp_path, capsys):
    edit(project_copy / "data" / "filings" / "2023.yaml", "restatements:\n",
         "restatements:\n  - date: 2026-12-01\n    reason: A correction.\n")
    edit(project_copy / "data" / "smelters" / "2023.csv", "Advanced Chemical Company,", "Advanced Chemical Co,")
    edit(project_copy / "docs" / "2023" / "report.md", "We have determined that", "We have concluded that")
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0 and "what it filed would change" in result.stderr
    assert "'Gold | Advanced Chemical Company | UNITED STATES OF AMERICA | Active |  | ' -> " \
           "'Gold | Advanced Chemical Co |" in result.stderr, result.stderr[-3000:]
    assert "record the Form SD/A under `amendments:`" in result.stderr
    edit(project_copy / "data" / "smelters" / "2023.csv", "Advanced Chemical Co,", "Advanced Chemical Company,")
    assert lock(["2023", "--root", str(project_copy)]) == 1  # the report's words: the lock refuses them too
    refusal = capsys.readouterr().err
    assert "the report: '…" in refusal and "We have concluded" in refusal
    assert "A restatement corrects only this site's analysis, never what was filed" in refusal


def test_a_restatement_records_each_corrected_item_and_says_so_quietly(project_copy, tmp_path, capsys):
    sanction(project_copy)
    assert lock(["2023", "--root", str(project_copy)]) == 1  # nothing recorded: nothing re-locked
    assert "no new restatement is recorded" in capsys.readouterr().err
    reason = "Advanced Chemical Company was added to this site's sanctions list."
    edit(project_copy / "data" / "filings" / "2023.yaml", "restatements:\n",
         f"restatements:\n  - date: 2026-12-01\n    reason: {reason}\n")
    result = mkdocs_build(project_copy, tmp_path / "before")  # recorded, not yet locked: still compared
    assert result.returncode != 0 and "this site's analysis of it would change" in result.stderr
    assert lock(["2023", "--root", str(project_copy)]) == 0
    history = json.loads((project_copy / "data" / "locks" / "2023.json").read_text(encoding="utf-8"))["history"]
    assert history[-1]["kind"] == "restatement" and history[-1]["date"] == "2026-12-01"
    assert {"item": "figure sanctioned", "old": "1", "new": "2"} in history[-1]["changes"]
    assert {"item": "Advanced Chemical Company (Gold): flags", "old": "", "new": "OFAC sanctioned"} in history[-1]["changes"]
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode == 0, result.stderr[-3000:]
    report = htmllib.unescape((tmp_path / "out" / "2023" / "report" / "index.html").read_text(encoding="utf-8"))
    assert "Restated" not in report and "site corrections:" in report and "corrections/#y2023" in report
    text = ShownText((tmp_path / "out" / "corrections" / "index.html").read_text(encoding="utf-8")).text
    assert words(reason) in text and " figure sanctioned 1 2 " in text
    assert " Advanced Chemical Company ( Gold ) : flags OFAC sanctioned " in text


def test_the_amendment_route_files_new_content_end_to_end(project_copy, tmp_path):
    edit(project_copy / "docs" / "2023" / "report.md", "We have determined that", "We have concluded that")
    assert lock(["2023", "--root", str(project_copy)]) == 1
    edit(project_copy / "data" / "filings" / "2023.yaml", "restatements:\n",
         "amendments:\n  - date: 2024-07-01\n    reason: Reworded the RCOI.\nrestatements:\n")
    assert lock(["2023", "--root", str(project_copy)]) == 0
    history = json.loads((project_copy / "data" / "locks" / "2023.json").read_text(encoding="utf-8"))["history"]
    assert history[-1]["kind"] == "amendment" and "We have concluded" in json.dumps(history[-1]["changes"])
    built = build_or_fail(project_copy, tmp_path / "out")
    text = " ".join(lxml_html.fromstring((built / "2023" / "report" / "index.html").read_bytes()).text_content().split())
    assert "We have concluded that" in text and "Amended on July 1, 2024 (Form SD/A): Reworded the RCOI." in text


def test_an_amendment_passes_the_check_a_first_filing_passes(project_copy, capsys):
    """An amended list naming a designation the filing never defines is refused, as a first
    filing would be, and the lock stays as it was."""
    csv_path, lock_path = project_copy / "data" / "smelters" / "2023.csv", project_copy / "data" / "locks" / "2023.json"
    lines = csv_path.read_text(encoding="utf-8").splitlines(keepends=True)
    csv_path.write_text("".join(lines[:1] + [lines[1].replace(lines[1].split(",")[3], "Conformant", 1)] + lines[2:]),
                        encoding="utf-8")
    edit(project_copy / "data" / "filings" / "2023.yaml", "restatements:\n",
         "amendments:\n  - date: 2024-07-01\n    reason: Corrected one status.\nrestatements:\n")
    before = lock_path.read_bytes()
    assert lock(["2023", "--root", str(project_copy)]) == 1
    err = capsys.readouterr().err
    assert "does not pass `scripts/dev check 2023`, so the amendment was not recorded" in err
    assert "designation 'Conformant' is used in data/smelters/2023.csv but has no entry in designation_legend" in err
    assert lock_path.read_bytes() == before


def test_editing_the_as_filed_list_or_removing_a_lock_stops_the_build(project_copy, tmp_path):
    locks = project_copy / "data" / "locks"
    as_filed = locks / "2023.as-filed.csv"
    lines = as_filed.read_text(encoding="utf-8").splitlines(keepends=True)
    as_filed.write_text("".join(lines[:5] + lines[6:]), encoding="utf-8")  # one row deleted
    result = mkdocs_build(project_copy, tmp_path / "a")
    assert result.returncode != 0
    assert "2023: data/locks/2023.as-filed.csv, the smelter list as originally filed, was changed" in result.stderr
    as_filed.write_text("".join(lines), encoding="utf-8")
    (locks / "2023.json").unlink()
    result = mkdocs_build(project_copy, tmp_path / "b")
    assert result.returncode != 0 and "2023 is filed (registered in data/locks/filed.json" in result.stderr
    assert "data/locks/2023.json is missing" in result.stderr
    assert lock(["2023", "--root", str(project_copy)]) == 1  # and re-locking cannot overwrite the record


@pytest.mark.parametrize("removed", [("data/locks/2023.json", "data/locks/2023.as-filed.csv"),
                                     ("data/filings/2023.yaml", "data/smelters/2023.csv", "docs/2023/report.md"),
                                     ("data/locks/filed.json",)])
def test_nothing_filed_vanishes_from_the_deploy(project_copy, tmp_path, removed):
    """The newest filed year's files removed: the build (what the deploy runs) stops, never drops the year."""
    for path in removed:
        (project_copy / path).unlink()
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0, "the build passed without a filed year"
    assert "restore" in result.stderr and ("2023" in result.stderr or "filed.json" in result.stderr), result.stderr[-2000:]


def test_an_attachment_added_to_a_filed_year_stops_the_build(project_copy, tmp_path):
    (project_copy / "docs" / "2023" / "supplier-letter.pdf").write_bytes(b"%PDF-1.4 not filed")
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    assert "docs/2023/supplier-letter.pdf: added (a filed year's attachments change only by amendment)" in result.stderr


PRESENTATION = '''
import io
from disclosures.site.render import downloads

_records, _xlsx = downloads.smelter_records, downloads.to_xlsx


def _with_new_column(filing, reference):
    return [dict(r, new_column="x") for r in _records(filing, reference)]


def _restyled(records, title, columns=()):
    from openpyxl import load_workbook
    from openpyxl.styles import Font
    book = load_workbook(io.BytesIO(_xlsx(records, title, columns)))
    sheet = book.worksheets[0]
    for cell in sheet[1]:
        cell.font = Font(italic=True)
    sheet.column_dimensions["C"].width = 70
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


downloads.smelter_records, downloads.to_xlsx = _with_new_column, _restyled


def on_post_page(output, page, config):
    return output.replace("md-content__inner", "x-theme-2030").replace("<p>", '<div class="x-wrap"><p>').replace(
        "</p>", "</p></div>")
'''


def test_presentation_changes_keep_the_record_and_need_no_restatement(project_copy, tmp_path):
    """A theme that renames the content's class and wraps every paragraph, a download writer that
    restyles the workbook and adds a column: nothing filed changed, so the build passes."""
    with_hook(project_copy, PRESENTATION)
    built = build_or_fail(project_copy, tmp_path / "out")
    page = (built / "2023" / "report" / "index.html").read_text(encoding="utf-8")
    assert "md-content__inner" not in page and "x-theme-2030" in page and '<div class="x-wrap"><p>' in page
    csv_head = (built / "downloads" / "smelters-2023.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert csv_head.endswith(",new_column")
    from openpyxl import load_workbook
    sheet = load_workbook(built / "downloads" / "smelters-2023.xlsx").worksheets[0]
    assert sheet.column_dimensions["C"].width == 70 and sheet["A1"].font.italic


def test_a_theme_that_drops_one_filed_word_stops_the_build(project_copy, tmp_path):
    with_hook(project_copy, PRESENTATION + '''

def on_page_content(html, page, config, files):
    return html.replace("reasonable country of origin inquiry", "country of origin inquiry", 1)
''')
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0 and "2023/report/ no longer shows a passage of the report as filed" in result.stderr


def test_a_download_that_alters_a_filed_value_stops_the_build(project_copy, tmp_path):
    with_hook(project_copy, '''
from disclosures.site.render import downloads

_csv = downloads.to_csv


def to_csv(records, columns=()):
    return _csv([dict(r, smelter_name=r["smelter_name"].upper()) if "smelter_name" in r else r for r in records], columns)


downloads.to_csv = to_csv
''')
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    assert "the download smelters-2023.csv would hold other values in smelter_name" in result.stderr, result.stderr[-2000:]


def test_a_lock_is_written_whole_and_an_interrupted_first_lock_finishes_on_rerun(project_copy, monkeypatch):
    """A first lock registers the year last: interrupted before that, the year is still a draft and
    the same command files it; each file is replaced whole (no half-written JSON left)."""
    make_draft(project_copy, 2023)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # the machine stops between writing the lock and registering the year

    monkeypatch.setattr("disclosures.staff.lock_filing.register", crash)
    with pytest.raises(KeyboardInterrupt):
        lock(["2023", "--root", str(project_copy)])
    written = json.loads((project_copy / "data" / "locks" / "2023.json").read_text(encoding="utf-8"))
    assert written["year"] == 2023 and 2023 not in registry.filed_years(project_copy)
    result = mkdocs_build(project_copy, project_copy.parent / "out")
    assert result.returncode != 0 and "run `scripts/dev lock 2023` again to finish it" in result.stderr
    monkeypatch.undo()
    assert lock(["2023", "--root", str(project_copy)]) == 0
    assert 2023 in registry.filed_years(project_copy)
    assert not list((project_copy / "data" / "locks").glob("*.part"))


def test_relocking_after_reference_edits_that_change_nothing_shown_records_the_new_causes(project_copy, tmp_path):
    """A designation added for a new year's list leaves the filed years as they were: `lock`
    records the new reference hashes (so a later drift names its cause) and nothing else."""
    edit(project_copy / "data" / "reference" / "designations.yaml", "  Suspended: non_conformant\n",
         "  Suspended: non_conformant\n  Pending Audit: active\n")
    before = json.loads((project_copy / "data" / "locks" / "2023.json").read_text(encoding="utf-8"))
    assert lock(["2023", "--root", str(project_copy)]) == 0
    after = json.loads((project_copy / "data" / "locks" / "2023.json").read_text(encoding="utf-8"))
    assert {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)} == {"context"}
    assert [f for f in after["context"] if after["context"][f] != before["context"][f]] == \
        ["data/reference/designations.yaml"]
    mapping(project_copy)  # a later drift is blamed on its real cause only
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    assert "Changed since the lock, outside the year: data/reference/designations.yaml." in result.stderr


def test_the_site_builds_the_same_under_properdocs_and_the_locks_hold(project_copy, tmp_path, built_site):
    """ProperDocs, MkDocs' maintained 1.x fork, runs the same plugin: every filed year checked
    against its lock, and the same pages and downloads as MkDocs builds."""
    assert importlib.util.find_spec("properdocs"), "properdocs is a test dependency (pyproject.toml)"
    out = build_or_fail(project_copy, tmp_path / "out", generator="properdocs")
    for page in ("2023/index.html", "2023/report/index.html", "2023/smelters/index.html", "2013/index.html"):
        mine, theirs = ShownText((built_site / page).read_text(encoding="utf-8")), \
            ShownText((out / page).read_text(encoding="utf-8"))
        assert theirs.text == mine.text, page
    assert sorted(p.name for p in (out / "downloads").iterdir()) == sorted(p.name for p in (built_site / "downloads").iterdir())


def test_a_report_is_read_by_its_words_whatever_its_blocks():
    """The same words re-blocked (a footnote template that splits marker and text) compare equal."""
    one = report_blocks("<p>In 2023, we <em>surveyed</em> seven.</p><ol><li><span>*</span> A note.</li></ol>")
    other = report_blocks("<div><p>In 2023, we surveyed seven.</p></div><dl><dt>*</dt><dd>A note.</dd></dl>")
    assert " ".join(one) == " ".join(other) and one != other
    assert report_blocks('<p>Filed.</p><div class="admonition"><p>Ours.</p></div><p data-site>Ours too.</p>') == ["Filed ."]


@pytest.mark.parametrize("command", [["import", "{sources}/qualys-2023-form-sd.txt", "--year", "2023"],
                                     ["ingest", "--year", "2023", "{sources}"],
                                     ["new-year", "2023"]])
def test_staff_commands_refuse_to_overwrite_a_filed_year(project_copy, command):
    """`import`, `ingest` and `new-year` on a filed year: refused with the amendment route, nothing written."""
    before = {p: p.read_bytes() for p in (project_copy / "data").rglob("*") if p.is_file()}
    args = [a.format(sources=project_copy / "data" / "sources") for a in command]
    result = subprocess.run([str(Path(sys.executable).parent / f"cm-{args[0]}"), *args[1:]], cwd=project_copy,
                            capture_output=True, text=True, env=dict(os.environ, CM_PROJECT_ROOT=str(project_copy)))
    assert result.returncode != 0 and "2023 is filed" in result.stderr, result.stderr
    assert "amendment" in result.stderr and "Traceback" not in result.stderr
    assert {p: p.read_bytes() for p in (project_copy / "data").rglob("*") if p.is_file()} == before
    assert not (project_copy / "private").exists()


def test_import_of_a_filed_year_goes_through_under_a_recorded_amendment(project_copy):
    edit(project_copy / "data" / "filings" / "2023.yaml", "restatements:\n",
         "amendments:\n  - date: 2024-07-01\n    reason: Re-imported.\nrestatements:\n")
    result = subprocess.run([str(Path(sys.executable).parent / "cm-import"),
                             str(project_copy / "data" / "sources" / "qualys-2023-form-sd.txt"), "--year", "2023"],
                            cwd=project_copy, capture_output=True, text=True,
                            env=dict(os.environ, CM_PROJECT_ROOT=str(project_copy)))
    assert result.returncode == 0, result.stderr


def test_a_failed_build_leaves_no_downloads_behind(project_copy, tmp_path):
    """The plugin's on_build_error is registered (a method of the plugin): the downloads being
    written beside a build that fails are discarded, not left in the temporary folder."""
    make_draft(project_copy, 2023)
    edit(project_copy / "docs" / "2023" / "report.md", "{{ figures.facilities }}", "{{ figures.facilitys }}")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    result = subprocess.run([sys.executable, "-m", "disclosures.site.mkdocs_plugin", "build", "--drafts", "-d",
                             str(tmp_path / "out")], cwd=project_copy, capture_output=True, text=True,
                            env=dict(os.environ, TMPDIR=str(temporary)))
    assert result.returncode != 0 and "figures.facilitys" in result.stderr
    assert not list(temporary.glob("cm-downloads-*"))
