"""The yearly cycle staff run, on a copy of the live tree, through `scripts/dev` as the README says:
scaffold a year, import its list, fill it in, check, file (lock); amend a filed year and re-lock.
Then the checks that hold for any valid content must still pass. Also: the scaffold, the check
command and the daily loop (`mkdocs serve` through errors)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from disclosures.engine.checks import typed_figure_problems, year_problems
from disclosures.engine.load import load_site
from disclosures.staff.new_year import scaffold
from .conftest import confirm_year, copy_project, dev_project, make_draft, mkdocs_build, survey_yaml

LAYOUTS = Path(__file__).parent / "fixtures" / "filings"
from .site_checks import assert_none, broken_links, download_problems, figure_problems, narrative_problems


def dev(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(project / "scripts" / "dev"), *args], cwd=project, capture_output=True, text=True,
                          timeout=300)


def build(project: Path, out: Path, drafts: bool = True) -> subprocess.CompletedProcess:
    """The strict build, drafts included (a preview of them) or left out (what the deploy publishes)."""
    return mkdocs_build(project, out, "--drafts") if drafts else mkdocs_build(project, out)


def next_year(site) -> int:
    """The year staff would scaffold next: after the latest, within what the scaffold allows."""
    allowed = range(2013, dt.date.today().year + 2)
    latest = [max(site.years) + 1] if site.years else []
    return next(y for y in [*latest, *reversed(allowed)] if y in allowed and y not in site.filings)


def amend_one_row(project: Path, year: int) -> str:
    """Change one row's status to another designation of the same list with another class."""
    site = load_site(project / "data")
    by_class = {}
    for s in site.filing(year).smelters:
        by_class.setdefault(s.status_class, s.row.status)
    path = project / "data" / "smelters" / f"{year}.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    first = site.filing(year).smelters[0]
    other = next((status for cls, status in by_class.items() if cls != first.status_class), None)
    if other is None:  # a list with one class only: correct a name instead
        lines[first.row.line - 1] = lines[first.row.line - 1].replace(first.row.smelter_name, first.row.smelter_name + " Ltd", 1)
        return "Corrected the name of one smelter."
    cells = next(csv.reader([lines[first.row.line - 1]]))
    cells[3] = other
    out = io.StringIO()
    csv.writer(out, lineterminator=lines[first.row.line - 1][len(lines[first.row.line - 1].rstrip("\r\n")):]).writerow(cells)
    lines[first.row.line - 1] = out.getvalue()
    path.write_text("".join(lines), encoding="utf-8")
    return f"Corrected the status of {first.row.smelter_name} to {other}."


def record_restatement(path: Path, reason: str) -> None:
    """Add a `restatements:` entry as staff would."""
    text = path.read_text(encoding="utf-8")
    entry = f"  - date: {dt.date.today().isoformat()}\n    reason: {json.dumps(reason)}\n"
    if re.search(r"^restatements:\s*\n", text, flags=re.M):
        text = re.sub(r"^restatements:\s*\n", lambda m: m.group(0) + entry, text, count=1, flags=re.M)
    else:
        text = text.rstrip("\n") + "\nrestatements:\n" + entry
    path.write_text(text, encoding="utf-8")


def record_amendment(path: Path, entry: str) -> None:
    """Add an entry under `amendments:` as staff would, whether the year has some already or not."""
    text = re.sub(r"^amendments: *\[\] *\n?", "", path.read_text(encoding="utf-8"), flags=re.M)
    if re.search(r"^amendments:\s*$", text, flags=re.M):
        text = re.sub(r"^amendments:\s*\n", lambda m: m.group(0) + entry, text, count=1, flags=re.M)
    else:
        text = text.rstrip("\n") + "\namendments:\n" + entry
    path.write_text(text, encoding="utf-8")


def test_the_yearly_cycle_through_scripts_dev(tmp_path):
    """On whatever the live tree holds, zero filed years included: scaffold the next year, import
    its list, confirm it, file it, amend a filed year (the latest earlier one, else this one)."""
    project = dev_project(tmp_path / "project")
    live = load_site(project / "data")
    filed = [y for y in live.years if y not in live.drafts]
    year = next_year(live)

    # Scaffold: a draft that builds with its banner, is left out of what deploys, and is not ready.
    result = dev(project, "new-year", str(year))
    assert result.returncode == 0, result.stderr
    result = dev(project, "check", str(year))
    assert result.returncode == 1 and f"{year} (draft): data/filings/{year}.yaml" in result.stdout and "CHECK" in result.stdout
    out = build(project, tmp_path / "draft-site")
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Draft — not filed" in (tmp_path / "draft-site" / str(year) / "report" / "index.html").read_text(encoding="utf-8")
    out = build(project, tmp_path / "published", drafts=False)
    assert out.returncode == 0, out.stderr[-3000:]
    assert not (tmp_path / "published" / str(year)).exists()
    assert f'href="{year}/' not in (tmp_path / "published" / "index.html").read_text(encoding="utf-8")
    assert dev(project, "check", "--filed-only").returncode == 0  # what the deploy publishes is ready

    # Fill it in: the check passes, the year is filed, and the banner is gone.
    result = dev(project, "import", str(LAYOUTS / "edgar-section-rows.htm"), "--year", str(year))
    assert result.returncode == 0, result.stderr
    confirm_year(project, year)
    result = dev(project, "check", str(year))
    assert result.returncode == 0, result.stdout + result.stderr

    # Its EDGAR documents, from the same sources: every rule passes, the table reads back to the list.
    edgar = tmp_path / "edgar"
    result = dev(project, "exhibit", str(year), "--out", str(edgar), "--no-pdf")
    assert result.returncode == 0, result.stderr
    exhibit = next(edgar.glob("ex*.htm"))
    back = dev(project, "import", str(exhibit), "--year", str(year), "--out", str(tmp_path / "back.csv"))
    assert back.returncode == 0, back.stderr
    assert (tmp_path / "back.csv").read_bytes() == (project / "data" / "smelters" / f"{year}.csv").read_bytes()

    result = dev(project, "lock", str(year))
    assert result.returncode == 0 and f"filed and locked {year}" in result.stdout, result.stderr
    # The lock records the digests of the documents `exhibit` made: the filed documents are provably these.
    lock = json.loads((project / "data" / "locks" / f"{year}.json").read_text(encoding="utf-8"))
    digests = dict(reversed(line.split()) for line in (edgar / "sha256sums.txt").read_text().splitlines())
    assert lock["submissions"] == [{"form": "SD", "locked_on": dt.date.today().isoformat(), "documents": digests}]
    assert build(project, tmp_path / "filed").returncode == 0
    assert "Draft — not filed" not in (tmp_path / "filed" / str(year) / "report" / "index.html").read_text(encoding="utf-8")
    amended = max((y for y in filed if y < year), default=year)

    # Amend a filed year: without the record the build stops, naming the year; with it, it passes.
    reason = amend_one_row(project, amended)
    out = build(project, tmp_path / "unrecorded")
    assert out.returncode != 0 and f"{amended} is filed and locked" in out.stderr and "would" in out.stderr
    refused = dev(project, "lock", str(amended))
    assert refused.returncode == 1 and "no new amendment is recorded" in refused.stderr  # nothing re-locked
    yaml_path = project / "data" / "filings" / f"{amended}.yaml"
    record_amendment(yaml_path, f"  - date: {dt.date.today().isoformat()}\n    form: SD/A\n    reason: {reason}\n")
    result = dev(project, "lock", str(amended))
    assert result.returncode == 0 and f"re-locked {amended}" in result.stdout, result.stderr
    # The amendment's documents are a Form SD/A, recorded beside the original's.
    submissions = json.loads((project / "data" / "locks" / f"{amended}.json").read_text(encoding="utf-8"))["submissions"]
    number = len(load_site(project / "data").filing(amended).meta.amendments)  # the live tree may hold earlier ones
    assert submissions[-1]["form"] == "SD/A" and f"form-sda-{amended}-a{number}.htm" in submissions[-1]["documents"]
    # The next filed year's change log compares with the amended list: it changes too, so it is
    # restated (this site's analysis), never silently rewritten.
    now = load_site(project / "data")  # a year compares with the latest earlier *filed* year (drafts between skipped)
    after = next((y for y in now.years if y > amended and y not in now.drafts), None)
    if after is not None and (project / "data" / "locks" / f"{after}.json").is_file():
        out = build(project, tmp_path / "unrestated")
        assert out.returncode != 0 and f"{after} is filed and locked" in out.stderr and "changes:" in out.stderr
        assert "record a `restatements:` entry" in out.stderr, out.stderr[-3000:]
        record_restatement(project / "data" / "filings" / f"{after}.yaml",
                           f"The change log since {amended} follows the {amended} amendment.")
        result = dev(project, "lock", str(after))
        assert result.returncode == 0 and f"re-locked {after}" in result.stdout, result.stderr
    site_dir = tmp_path / "amended"
    out = build(project, site_dir)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Amended filing" in (site_dir / str(amended) / "report" / "index.html").read_text(encoding="utf-8")

    # Everything that holds for any valid content still holds.
    model = load_site(project / "data")
    assert year not in model.drafts and amended not in model.drafts
    assert_none(broken_links(site_dir), "links that lead nowhere")
    assert_none(figure_problems(site_dir, model), "figures that disagree with the data")
    assert_none(download_problems(site_dir, model), "downloads that disagree with the data")
    assert_none(narrative_problems(project, model), "scripts/dev check finds problems in filed years")


def test_scaffold_copies_structure_never_facts(project_copy):
    created = scaffold(project_copy, 2024, today=dt.date(2024, 6, 1))
    assert {p.relative_to(project_copy).as_posix() for p in created} == {
        "data/filings/2024.yaml", "data/smelters/2024.csv", "docs/2024/report.md"}
    text = (project_copy / "data" / "filings" / "2024.yaml").read_text(encoding="utf-8")
    meta = yaml.safe_load(text)
    assert meta["designation_legend"] == {} and meta["footnotes"] == [] and meta["list_header"] is None
    assert meta["rcoi"]["contract_manufacturers_surveyed"] == 0 and meta["conclusion"]["quote"].startswith("CHECK")
    source = yaml.safe_load((project_copy / "data" / "filings" / "2023.yaml").read_text(encoding="utf-8"))
    assert len(meta["form_sd"]) == len(source["form_sd"])  # the Form SD's structure, to check line by line
    assert "# CHECK: every block of the Form SD" in text
    assert any("December 31, 2024." in str(b.get("line")) for b in meta["form_sd"])  # its years moved on
    assert "2023" not in text.split("\n", 3)[3]  # nothing of last year's but the note that says where it came from
    report = (project_copy / "docs" / "2024" / "report.md").read_text(encoding="utf-8")
    assert "CHECK" in report.splitlines()[0]
    site = load_site(project_copy / "data")
    assert not year_problems(site.filing(2023), "report.md", report)  # last year's years became macros


def test_scaffold_refuses_other_years_and_never_overwrites(project_copy):
    with pytest.raises(SystemExit, match="2031 is not a reporting year"):
        scaffold(project_copy, 2031, today=dt.date(2029, 1, 1))
    with pytest.raises(SystemExit, match="2012 is not a reporting year"):
        scaffold(project_copy, 2012)
    with pytest.raises(SystemExit, match="2023 is filed: its pages and files are the filed record"):
        scaffold(project_copy, 2023)
    make_draft(project_copy, 2023)
    with pytest.raises(SystemExit, match="2023 already has every file; nothing was changed"):
        scaffold(project_copy, 2023)


def test_the_builds_advice_for_a_missing_page_works(project_copy, tmp_path):
    make_draft(project_copy, 2023)  # a draft's report, lost before it was filed
    (project_copy / "docs" / "2023" / "report.md").unlink()
    result = mkdocs_build(project_copy, tmp_path / "out", "--drafts")
    advice = re.search(r"restore it with: scripts/dev (new-year \d+)", result.stderr)
    assert result.returncode != 0 and advice, result.stderr[-2000:]
    created = scaffold(project_copy, int(advice.group(1).split()[1]))
    assert [p.relative_to(project_copy).as_posix() for p in created] == ["docs/2023/report.md"]
    assert mkdocs_build(project_copy, tmp_path / "out", "--drafts").returncode == 0


def test_standard_pages_come_from_one_source_unless_a_year_has_its_own(project_copy, tmp_path):
    assert not (project_copy / "docs" / "2023" / "smelters.md").exists()
    own = "# Smelters and refiners\n\nThis year's own words.\n\n{{ smelter_table() }}\n"
    make_draft(project_copy, 2023)
    (project_copy / "docs" / "2023" / "smelters.md").write_text(own, encoding="utf-8")
    assert mkdocs_build(project_copy, tmp_path / "out", "--drafts").returncode == 0
    assert "This year's own words." in (tmp_path / "out" / "2023" / "smelters" / "index.html").read_text(encoding="utf-8")
    assert "This year's own words." not in (tmp_path / "out" / "2013" / "smelters" / "index.html").read_text(encoding="utf-8")
    assert "id=\"smelters-2013\"" in (tmp_path / "out" / "2013" / "smelters" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("typed, found", [
    ("Of these 380 facilities, most are audited.", "'380 facilities' is typed by hand"),
    ("There are three smelters in the Covered Countries.", "'three smelters' is typed by hand"),
    ("We surveyed seven contract manufacturers.", "'seven contract manufacturers' is typed by hand"),
    ("The list names 352 rows in all.", "'352 rows' is typed by hand"),
])
def test_check_finds_numbers_typed_by_hand(site, typed, found):
    problems = [str(p) for p in typed_figure_problems(site.filing(2023), "docs/2023/report.md", f"Intro.\n\n{typed}\n")]
    assert any(found in p and "report.md:3" in p for p in problems), problems


def test_check_leaves_macros_numbering_and_the_law_alone(site):
    text = ("We list {{ figures.facilities }} facilities under Rule 13p-1 of the Securities Exchange Act of 1934.\n"
            "### 1. Establishment of Strong Company Management Systems\n"
            "> In 2019 we filed 352 facilities (quoted as filed).\n")
    assert typed_figure_problems(site.filing(2023), "r.md", text) == []
    assert year_problems(site.filing(2023), "r.md", text) == []
    assert [p.line for p in year_problems(site.filing(2023), "r.md", "x\nIn 2022, we publicly filed.\n")] == [2]


def test_check_command_lists_each_problem_with_file_and_line(tmp_path):
    project = dev_project(tmp_path / "project", content=copy_project(tmp_path / "example"))
    make_draft(project, 2023)
    report = project / "docs" / "2023" / "report.md"
    report.write_text(report.read_text(encoding="utf-8").replace("an aggregate of {{ figures.facilities }} facilities",
                                                                  "an aggregate of 380 facilities"), encoding="utf-8")
    (project / "data" / "rcoi").mkdir()
    (project / "data" / "rcoi" / "2023.yaml").write_text(
        survey_yaml(suppliers=6, follow_ups=[{"item": "no smelter ID: Gold / X Refinery", "resolved": False}]),
        encoding="utf-8")
    smelters = project / "data" / "smelters" / "2023.csv"  # a Cyrillic А in a Latin name
    smelters.write_text(smelters.read_text(encoding="utf-8").replace("Gold,Agosi AG,", "Gold,\u0410gosi AG,"), encoding="utf-8")
    filing = project / "data" / "filings" / "2023.yaml"  # a conclusion the filing does not say
    filing.write_text(re.sub(r"  quote: .*", "  quote: our products are conflict free", filing.read_text(encoding="utf-8")),
                      encoding="utf-8")
    result = dev(project, "check")
    line = next(n for n, t in enumerate(report.read_text(encoding="utf-8").splitlines(), 1) if "380 facilities" in t)
    assert result.returncode == 1
    assert f"2023 (draft): docs/2023/report.md:{line}: '380 facilities' is typed by hand" in result.stdout
    assert ("2023 (draft): data/filings/2023.yaml: rcoi.contract_manufacturers_responded: "
            "rcoi.contract_manufacturers_responded is 7, but the ingested survey") in result.stdout
    assert "open follow-up: no smelter ID: Gold / X Refinery" in result.stdout
    assert "2023 (draft): data/smelters/2023.csv:7: '\u0410gosi AG' mixes Latin letters with look-alikes" in result.stdout
    assert "2023 (draft): data/filings/2023.yaml: conclusion.quote: conclusion.quote is not found word for word" in result.stdout
    assert "2013 (filed)" not in result.stdout  # the filed year is clean


def test_plural_follows_the_figure():
    from disclosures.engine.figures import plural
    assert [plural(n, "smelter is", "smelters are") for n in (0, 1, 3)] == ["smelters are", "smelter is", "smelters are"]


@pytest.mark.parametrize("edit, expected", [
    (("docs/2023/report.md", "{{ figures.conformant }}", "{{ figures.conformnt }}"),
     "`figures.conformnt` is not defined; did you mean `figures.conformant`"),
    (("docs/2023/report.md", "{{ smelter_table() }}", "{{ smelter_tabel() }}"),
     "`smelter_tabel` is not defined; did you mean `smelter_table`"),
    (("data/filings/2023.yaml", "filed_on: 2024-05-30", "filed_on: 30/05/2024"),
     "filed_on: '30/05/2024' is not a date: write it as YYYY-MM-DD"),
    (("data/smelters/2023.csv", "metal,smelter_name,country,status", "metal;smelter_name;country;status"),
     "separated by ';', not commas"),
])
def test_errors_tell_staff_what_to_write(project_copy, tmp_path, edit, expected):
    make_draft(project_copy, 2023)
    path, old, new = edit
    target = project_copy / path
    text = target.read_text(encoding="utf-8")
    assert old in text
    if path.endswith(".csv"):  # every separator of every line, as a spreadsheet would save it
        text = re.sub(r",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", ";", text)
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = mkdocs_build(project_copy, tmp_path / "out", "--drafts")
    assert result.returncode != 0 and expected in result.stderr, result.stderr[-2000:]
    assert "Traceback" not in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _page_when(url: str, predicate, timeout: float = 40) -> str:
    deadline, body = time.monotonic() + timeout, ""
    while time.monotonic() < deadline:
        try:
            body = urllib.request.urlopen(url, timeout=5).read().decode("utf-8")
            if predicate(body):
                return body
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} never reached the expected state; last page:\n{body[-1500:]}")


@pytest.mark.parametrize("options", [(), ("--dirty",)], ids=["serve", "serve --dirty (scripts/dev serve)"])
def test_serve_shows_errors_on_the_page_and_recovers(project_copy, options):
    make_draft(project_copy, 2023)
    report = project_copy / "docs" / "2023" / "report.md"
    good = report.read_text(encoding="utf-8")
    report.write_text(good.replace("{{ figures.conformant }}", "{{ figures.conformnt }}", 1), encoding="utf-8")
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}", *options],
                              cwd=project_copy, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    base = f"http://127.0.0.1:{port}"
    try:
        page = _page_when(f"{base}/2023/report/", lambda b: "did you mean" in b)
        assert "docs/2023/report.md:" in page and "figures.conformant" in page
        report.write_text(good, encoding="utf-8")
        _page_when(f"{base}/2023/report/", lambda b: "did you mean" not in b and "Findings and Conclusions" in b)
        yaml_path = project_copy / "data" / "filings" / "2023.yaml"
        yaml_good = yaml_path.read_text(encoding="utf-8")
        yaml_path.write_text(yaml_good.replace("filed_on: 2024-05-30", "filed_on: May 30"), encoding="utf-8")
        _page_when(f"{base}/", lambda b: "YYYY-MM-DD" in b)
        yaml_path.write_text(yaml_good, encoding="utf-8")
        _page_when(f"{base}/", lambda b: "YYYY-MM-DD" not in b and "cm-card" in b)
        assert server.poll() is None, "mkdocs serve stopped"
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_incremental_preview_shows_every_page_a_saved_list_changes(project_copy):
    """scripts/dev serve renders again only what a save changes: a row added to a year's list
    shows on its list, its report's annex, its key facts, the cross-filing index and a new smelter
    page; a saved report shows at once; the other year's pages stay served."""
    make_draft(project_copy, 2023)
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dirty", "-a", f"127.0.0.1:{port}"],
                              cwd=project_copy, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    base = f"http://127.0.0.1:{port}"
    try:
        before = _page_when(f"{base}/2023/", lambda b: "cm-key-facts" in b or "Key facts" in b)
        facilities = len(load_site(project_copy / "data").filing(2023).smelters)
        csv_path = project_copy / "data" / "smelters" / "2023.csv"
        with csv_path.open("a", encoding="utf-8") as handle:
            handle.write("Gold,Preview Test Refinery,JAPAN,Active,,\n")
        _page_when(f"{base}/2023/smelters/", lambda b: "Preview Test Refinery" in b)
        _page_when(f"{base}/2023/report/", lambda b: "Preview Test Refinery" in b)
        _page_when(f"{base}/smelters/", lambda b: "Preview Test Refinery" in b)
        _page_when(f"{base}/smelters/gold-preview-test-refinery/", lambda b: "Preview Test Refinery" in b)
        after = _page_when(f"{base}/2023/", lambda b: f"{facilities + 1:,}" in b)
        assert after != before
        report = project_copy / "docs" / "2023" / "report.md"
        report.write_text(report.read_text(encoding="utf-8") + "\nA paragraph saved while previewing.\n", encoding="utf-8")
        _page_when(f"{base}/2023/report/", lambda b: "A paragraph saved while previewing." in b)
        assert "Form SD" in _page_when(f"{base}/2013/", lambda b: "SPECIALIZED DISCLOSURE REPORT" in b)
        assert server.poll() is None, "mkdocs serve stopped"
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_preview_hooks_into_the_servers_of_the_locked_mkdocs_and_watchdog(tmp_path):
    """`scripts/dev serve` replaces MkDocs' reload script and shortens its file watcher's polling
    (mkdocs_plugin.on_serve); both are left alone if a new MkDocs or watchdog names them otherwise,
    so this says when an upgrade has turned them off."""
    from mkdocs.livereload import LiveReloadServer

    from disclosures.site.mkdocs_plugin import POLL_SECONDS, DisclosuresPlugin
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    server.watch(str(tmp_path))
    plugin = DisclosuresPlugin()
    plugin.on_startup(command="serve", dirty=True)
    plugin.on_serve(server, config=None, builder=None)
    server.watch(str(tmp_path / "later"))
    assert server.observer.emitters and all(e.timeout == POLL_SECONDS for e in server.observer.emitters)
    page = server._inject_js_into_html(b"<html><body><p>x</p></body></html>", 12345)
    assert b'window.cmLiveUpdate = {"epoch": 12345' in page and page.endswith(b"</body></html>")
    assert b"location.reload" in page and b"livereload" in page
