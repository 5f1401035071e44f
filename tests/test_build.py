"""The built site: pages, the figures bound to data, fidelity to the filings, and failed builds."""
from __future__ import annotations

import csv
import html as htmllib
import io
import re
import subprocess
import sys

import pytest

from .conftest import make_draft, FILINGS, mkdocs_build

YEAR_PAGES = {2013: ["", "report/", "smelters/"], 2023: ["", "report/", "smelters/", "changes/"]}


def page(site_dir, url: str) -> str:
    return (site_dir / url / "index.html").read_text(encoding="utf-8")


def visible_text(html: str) -> str:
    """The words a reader sees: tags dropped, entities decoded, whitespace folded."""
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<(br|/?(p|li|td|th|tr|h\d|div|dd|dt|caption|table|ul|ol|section|summary))\b[^>]*>", " ", html)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", html)).split())


def squeeze(text: str) -> str:
    """Filing text without its Markdown-ish markup: **bold** and <https://autolinks>."""
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text.replace("**", ""))
    return " ".join(text.split())


def test_every_year_has_its_pages_and_downloads(built_site):
    for year, pages in YEAR_PAGES.items():
        for url in pages:
            assert (built_site / str(year) / url / "index.html").is_file(), f"{year}/{url}"
        for ext in ("csv", "xlsx", "json"):
            assert (built_site / "downloads" / f"smelters-{year}.{ext}").stat().st_size > 1000
    assert not (built_site / "2013" / "changes").exists()  # the first filing has nothing to compare with
    for url in ("smelters/", "about/", "staff-guide/"):
        assert (built_site / url / "index.html").is_file()
    assert (built_site / "downloads" / "changes-2013-2023.csv").is_file()


def test_2023_report_states_the_figures_from_the_data(built_site):
    text = visible_text(page(built_site, "2023/report"))
    for phrase in ("an aggregate of 352 facilities or smelters",
                   "we have identified 223 facilities or smelters that are deemed to be compliant",
                   "There are four other smelters or refiners that are deemed “active”",
                   "The remaining 125 facilities or smelters",
                   "There is one smelter or refiner that may be considered at greater risk",
                   "We requested from our seven contract manufacturers that they complete the CMRT, and we received a 100% response rate."):
        assert phrase in text, phrase


def test_tables_have_every_published_row(built_site):
    assert page(built_site, "2023/smelters").count("<tr data-metal") == 352
    assert page(built_site, "2013/smelters").count("<tr data-metal") == 178
    assert page(built_site, "2023/report").count("<tr data-metal") == 352


@pytest.mark.parametrize("year", [2013, 2023])
def test_every_smelter_row_of_the_filing_appears_exactly(built_site, year):
    text = visible_text(page(built_site, f"{year}/smelters"))
    source = (FILINGS / f"qualys-{year}-form-sd.txt").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in source.splitlines() if re.match(r"^(Gold|Tin|Tantalum|Tungsten)\t", line)]
    assert len(rows) == {2013: 178, 2023: 352}[year]
    for metal, name, country, status in rows:
        name, country = name.rstrip("*"), country.lstrip("- ")
        assert f"{metal} {name}" in text and f" {country} " in text and f" {status} " in text, name


@pytest.mark.parametrize("year, first, last", [
    (2013, "Qualys, Inc. Conflict Minerals Report For The Reporting Period", "smuggling of Conflict Minerals"),
    (2023, "This Conflict Minerals Report (this “Report”)", "smuggling of Conflict Minerals"),
])
def test_every_paragraph_of_the_report_appears_as_filed(built_site, year, first, last):
    source = (FILINGS / f"qualys-{year}-form-sd.txt").read_text(encoding="utf-8")
    body = source[source.index(first):]
    rendered = visible_text(page(built_site, f"{year}/report"))
    missing = []
    for line in body.splitlines():
        if "\t" in line:
            continue  # table rows: checked cell by cell in the test above
        line = squeeze(line)
        if not line or line in ("-", "ANNEX I- SMELTER LIST"):
            continue
        line = re.sub(r"^(- |\* )", "", line)  # list bullets and the footnote marker are markup here
        if line not in rendered:
            missing.append(line[:90])
    assert not missing


@pytest.mark.parametrize("year, facts", [
    (2013, ["QUALYS, INC.", "Delaware", "001-35662", "77-0534145", "1600 Bridge Parkway, Redwood City, California 94065",
            "Bruce K. Posey, Vice President, General Counsel and Corporate Secretary (650) 801-6100",
            "for the reporting period from January 1 to December 31, 2013", "June 2, 2014", "/s/ Bruce K. Posey",
            "2013 Conflict Minerals Report of Qualys, Inc."]),
    (2023, ["QUALYS, INC.", "001-35662", "919 E. Hillsdale Boulevard, 4th Floor, Foster City, California 94404",
            "Bruce K. Posey, Chief Legal Officer and Corporate Secretary (650) 801-6100",
            "for the reporting period from January 1 to December 31, 2023", "May 30, 2024",
            "The Conflict Minerals Report required by Item 1.01 is filed as Exhibit 1.01 to this Form SD."]),
])
def test_form_sd_states_the_cover_page_facts(built_site, year, facts):
    text = visible_text(page(built_site, str(year))).replace("Qualys, Inc.", "QUALYS, INC.", 1)
    for fact in facts:
        assert fact.replace("Qualys, Inc.", "QUALYS, INC.") in text or fact in text, fact


def test_form_sd_items_appear_as_filed(built_site):
    source = squeeze((FILINGS / "qualys-2013-form-sd.txt").read_text(encoding="utf-8"))
    text = visible_text(page(built_site, "2013"))
    start = source.index("With respect to the reporting period")
    paragraph = source[start:source.index("Conflict Minerals Disclosure This Form SD")]
    assert paragraph.strip() in text


def test_no_asset_from_another_host(built_site):
    for path in built_site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        # Anything the browser loads; a canonical link names the published address, loads nothing.
        external = re.findall(r'<(?:script|img|iframe|link(?![^>]*rel="(?:canonical|alternate)"))\b[^>]*'
                              r'(?:src|href)="(?:https?:)?//[^"]+"', html)
        assert not external, (path, external[:3])
    for css in built_site.rglob("*.css"):
        assert not re.search(r"@import\s+url\(\s*['\"]?https?:|url\(\s*['\"]?https?://", css.read_text(encoding="utf-8")), css


def test_header_year_switcher_goes_to_the_same_kind_of_page(built_site):
    html = page(built_site, "2023/smelters")
    switcher = html[html.index('class="cm-years"'):html.index("</details>", html.index('class="cm-years"'))]
    assert 'href="../../2013/smelters/"' in switcher and "filed June 2, 2014" in switcher
    changes = page(built_site, "2023/changes")
    assert 'href="../../2013/"' in changes[changes.index('class="cm-years"'):]  # 2013 has no changes page


def test_smelter_pages_share_their_header_and_scripts_but_keep_their_own_title(built_site):
    """The adapter renders a smelter page's header, page settings and scripts once per build and
    puts each page's title in (mkdocs_plugin._HeaderMemo): each page still shows its own title."""
    pages = sorted((built_site / "smelters").glob("*/index.html"))[:3] + \
        sorted((built_site / "smelters").glob("*/index.html"))[-2:]
    parts = []
    for path in pages:
        html = path.read_text(encoding="utf-8")
        title = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
        title = " ".join(re.sub(r"<[^>]+>", "", title).split())
        header = html[html.index("<header"):html.index("</header>")]
        topic = re.search(r'data-md-component="header-topic">\s*<span class="md-ellipsis">\s*(.*?)\s*</span>', header, re.S)
        assert htmllib.unescape(topic.group(1)) == htmllib.unescape(title), path
        config = re.search(r'<script id="__config"[^>]*>(.*?)</script>', html, re.S).group(1)
        parts.append((header.replace(topic.group(1), ""), config))
    assert len(set(parts)) == 1, "the pages' headers differ beyond their titles"


def test_staff_guide_lists_every_macro_and_is_out_of_the_navigation(built_site):
    guide = visible_text(page(built_site, "staff-guide"))
    for macro in ("form_sd()", "smelter_table()", "changes()", "changes_summary()", "figures.facilities",
                  "figures.greater_risk", "spell", "percent"):
        assert macro in guide, macro
    assert 'href="../staff-guide/"' not in page(built_site, "")  # not linked from the public navigation


# ---- builds that must fail, or follow the data ------------------------------------------------

def change_advanced_chemical_to_compliant(project):
    csv_path = project / "data" / "smelters" / "2023.csv"
    text = csv_path.read_text(encoding="utf-8")
    csv_path.write_text(text.replace("Gold,Advanced Chemical Company,UNITED STATES OF AMERICA,Active",
                                     "Gold,Advanced Chemical Company,UNITED STATES OF AMERICA,Full Compliant"), encoding="utf-8")


def amend(project, year, reason="Corrected the status of Advanced Chemical Company."):
    yaml_path = project / "data" / "filings" / f"{year}.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8") +
                         f"amendments:\n  - date: 2024-07-01\n    form: SD/A\n    reason: {reason}\n", encoding="utf-8")


def unlock(project, year):
    """Treat a year as an unfiled draft, which staff may edit freely."""
    make_draft(project, year)


def test_changing_a_row_changes_the_rendered_numbers(project_copy, tmp_path):
    unlock(project_copy, 2023)
    change_advanced_chemical_to_compliant(project_copy)
    result = mkdocs_build(project_copy, tmp_path / "out", "--drafts")
    assert result.returncode == 0, result.stderr[-3000:]
    text = visible_text((tmp_path / "out" / "2023" / "report" / "index.html").read_text(encoding="utf-8"))
    assert "we have identified 224 facilities or smelters" in text
    assert "There are three other smelters" in text


def test_a_filed_year_cannot_change_without_an_amendment(project_copy, tmp_path):
    change_advanced_chemical_to_compliant(project_copy)
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    assert "2023 is filed and locked (locked on 2026-12-02), but what it filed would change" in result.stderr.replace(
        str(__import__("datetime").date.today()), "2026-12-02")
    assert "Advanced Chemical Company" in result.stderr and "record the Form SD/A under `amendments:`" in result.stderr
    assert "2013 is filed" not in result.stderr


def test_an_amended_year_shows_what_changed_and_keeps_the_original(project_copy, tmp_path):
    change_advanced_chemical_to_compliant(project_copy)
    amend(project_copy, 2023)
    result = mkdocs_build(project_copy, tmp_path / "out")  # recorded, not yet locked: the build still compares
    assert result.returncode != 0 and "run `scripts/dev lock 2023`" in result.stderr, result.stderr[-3000:]
    lock = subprocess.run([sys.executable, "-m", "disclosures.staff.lock_filing", "2023", "--root", str(project_copy)],
                          capture_output=True, text=True)
    assert lock.returncode == 0 and "re-locked 2023" in lock.stdout, lock.stderr
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode == 0, result.stderr[-3000:]
    text = visible_text((tmp_path / "out" / "2023" / "report" / "index.html").read_text(encoding="utf-8"))
    assert "amended on July 1, 2024" in text
    assert "Amended on July 1, 2024 (Form SD/A): Corrected the status of Advanced Chemical Company." in text
    assert "0 added, 0 removed, 1 improved, 0 worsened" in text
    assert "conformant 223 224" in text and "active 4 3" in text  # as filed, now
    assert "we have identified 224 facilities" in text
    original = (tmp_path / "out" / "downloads" / "smelters-2023-as-filed.csv").read_text(encoding="utf-8-sig")
    assert "Advanced Chemical Company,UNITED STATES OF AMERICA,US,United States,,CID000015,Active" in original
    # The lock recorded the amendment; a further change needs a further amendment.
    report = project_copy / "docs" / "2023" / "report.md"
    report.write_text(report.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    result = mkdocs_build(project_copy, tmp_path / "out2")
    assert result.returncode != 0 and "One more sentence" in result.stderr and "amendments:" in result.stderr


def test_a_misspelt_figure_fails_the_build_naming_page_and_name(project_copy, tmp_path):
    unlock(project_copy, 2023)
    report = project_copy / "docs" / "2023" / "report.md"
    report.write_text(report.read_text(encoding="utf-8").replace("{{ figures.facilities }}", "{{ figures.facilitys }}", 1))
    result = mkdocs_build(project_copy, tmp_path / "out", "--drafts")
    assert result.returncode != 0
    assert "2023/report.md" in result.stderr and "facilitys" in result.stderr


def test_a_year_with_data_but_no_pages_fails_the_build(project_copy, tmp_path):
    (project_copy / "docs" / "2023" / "report.md").unlink()  # the standard pages come from disclosures/pages/
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    assert "docs/2023/report.md is missing" in result.stderr


def test_pages_for_a_year_without_data_fail_the_build(project_copy, tmp_path):
    (project_copy / "docs" / "2019").mkdir()
    (project_copy / "docs" / "2019" / "report.md").write_text("# Report\n")
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    assert "docs/2019/ has pages but there is no data/filings/2019.yaml" in result.stderr


def test_bad_data_fails_the_build_with_the_file_and_line(project_copy, tmp_path):
    csv_path = project_copy / "data" / "smelters" / "2013.csv"
    csv_path.write_text(csv_path.read_text(encoding="utf-8").replace("Japan,No", "Japan,Nope", 1), encoding="utf-8")
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    assert "2013.csv:2: status: unknown designation 'Nope'" in result.stderr


def test_a_count_of_one_takes_the_singular(built_site):
    """"Relocated: 1 smelter", never "1 smelters" (nor "1 rows"), on any page."""
    wrong = {}
    for page in built_site.rglob("*.html"):
        found = re.findall(r"(?<![\d,.])1 (?:smelters|refiners|rows)\b", visible_text(page.read_text(encoding="utf-8")))
        if found:
            wrong[page.relative_to(built_site).as_posix()] = found
    assert wrong == {}
    changes = visible_text((built_site / "2023" / "changes" / "index.html").read_text(encoding="utf-8"))
    assert "Relocated: 1 smelter, 2013 to 2023" in changes


def test_the_cross_filing_index_carries_each_smelters_id_and_its_source(built_site):
    """Published IDs, else the ID this site resolved, each labelled: the same as the year's list gives."""
    index = list(csv.DictReader(io.StringIO((built_site / "downloads" / "smelter-index.csv").read_text(encoding="utf-8-sig"))))
    year = list(csv.DictReader(io.StringIO((built_site / "downloads" / "smelters-2023.csv").read_text(encoding="utf-8-sig"))))
    ids = {(r["metal"], r["smelter_name"]): (r["smelter_id"], r["smelter_id_resolved_by_site"]) for r in year}
    checked = 0
    for row in index:
        assert row["smelter_id_source"] == ("" if not row["smelter_id"] else row["smelter_id_source"])
        assert row["smelter_id_source"] in ("", "as filed", "resolved by this site")
        if row["last_listed"] == "2023" and (row["metal"], row["smelter_name"]) in ids:
            published, resolved = ids[(row["metal"], row["smelter_name"])]
            assert row["smelter_id"] == (published or resolved), row
            checked += 1
    assert checked > 300 and sum(bool(r["smelter_id"]) for r in index) > 300


def test_the_atom_feed_has_an_entry_per_filing_amendment_and_correction(built_site, site):
    from urllib.parse import urljoin

    from lxml import etree

    atom = "{http://www.w3.org/2005/Atom}"
    feed = etree.parse(str(built_site / "feed.xml")).getroot()  # well-formed XML, or this raises
    assert feed.tag == f"{atom}feed"
    for required in ("id", "title", "updated", "author/" + atom + "name"):
        assert (feed.findtext(atom + required) or "").strip(), required
    assert feed.find(f"{atom}link[@rel='self']").get("href").endswith("/feed.xml")
    entries = feed.findall(f"{atom}entry")
    ids = [e.findtext(f"{atom}id") for e in entries]
    assert len(set(ids)) == len(ids) and all(re.match(r"https?://", i) for i in ids)
    dates = [e.findtext(f"{atom}updated") for e in entries]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", d) for d in dates) and dates == sorted(dates, reverse=True)
    titles = [e.findtext(f"{atom}title") for e in entries]
    filings = [site.filing(y) for y in site.years if y not in site.drafts]
    assert sum(t.endswith("Conflict Minerals Report filed") for t in titles) == len(filings)
    assert sum(" amended " in t for t in titles) == sum(len(f.meta.amendments) for f in filings)
    assert sum(t.startswith("This site corrected") for t in titles) == sum(len(f.meta.restatements) for f in filings) > 0
    assert feed.findtext(f"{atom}updated") == dates[0]
    for page in built_site.rglob("*.html"):  # every page points feed readers at it
        link = re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]* href="([^"]+)"', page.read_text(encoding="utf-8"))
        assert link, page
        rel = page.relative_to(built_site).as_posix()
        target = urljoin("http://x/" + rel, link.group(1))
        assert target == "http://x/feed.xml", (rel, link.group(1))
