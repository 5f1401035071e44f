"""The EDGAR documents (scripts/dev exhibit): EDGAR's rules, each with a document that breaks it;
the same words as the site; the filed example documents reproduced; the table read back."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import subprocess
from pathlib import Path

import pytest
from lxml import html as lxml_html

from disclosures.engine import record as rec
from disclosures.engine.load import load_site
from disclosures.exhibit import rules
from disclosures.engine.model import Amendment
from disclosures.exhibit.documents import cover_notes, exhibit_number, names
from disclosures.staff import import_filing
from disclosures.staff.exhibit import generate, write_exhibit

from .conftest import EXAMPLE, ROOT, copy_project, mkdocs_build

YEARS = (2013, 2023)


def records_of(project: Path, out: Path) -> Path:
    result = mkdocs_build(project, out / "site", "--drafts", "--record-to", str(out / "records"))
    assert result.returncode == 0, result.stderr[-3000:]
    return out / "records"


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The example project, built once with its records; each year's documents."""
    base = tmp_path_factory.mktemp("exhibit")
    project = copy_project(base / "project")
    records = records_of(project, base)
    site = load_site(project / "data")
    return project, site, records, {year: generate(project, site, year, records) for year in YEARS}


def body_text(content: bytes) -> str:
    tree = lxml_html.document_fromstring(content)
    for br in tree.iter("br"):
        br.tail = " " + (br.tail or "")
    return " ".join(tree.text_content().split())


# ---- EDGAR's rules --------------------------------------------------------------------------
@pytest.mark.parametrize("year", YEARS)
def test_the_example_documents_pass_every_edgar_rule(example, year):
    _, site, _, made = example
    documents, problems = made[year]
    assert problems == []
    assert [d.edgar_type for d in documents] == ["SD", f"EX-{exhibit_number(site.filing(year))}"]
    for document in documents:
        assert len(document.name) <= 32 and document.name == document.name.lower()
        assert max(document.content) < 128  # ASCII bytes; every other character a reference
        assert b"&#8220;" in document.content or year == 2013 or document.edgar_type == "SD"


def test_the_exhibit_is_numbered_as_the_years_exhibit_index_says(example):
    _, site, _, _ = example
    assert exhibit_number(site.filing(2013)) == "1.02" and exhibit_number(site.filing(2023)) == "1.01"
    assert names(site.filing(2013))["exhibit"] == "ex1-02-cmr-2013.htm"


VALID = (b'<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">\n'
         b'<html><head><title>Form SD</title></head><body style="font-size:10pt">\n'
         b'<p id="top">Caf&#233; &amp; co &#8212; &nbsp;see <a href="#top">above</a> and '
         b'<a href="https://www.sec.gov/cgi-bin/browse-edgar?action=getcompany">EDGAR</a>.</p>\n'
         b'<table><tr><th>Metal</th><td style="text-align:right">1</td></tr></table>\n'
         b'<p><img src="g2023-1.jpg" alt="Logo"></p>\n</body></html>\n')
BREAKS = {  # each EDGAR rule, a document that breaks it, and the words the problem names
    "a character outside ASCII (EFM 5.2.1)": (b"Caf&#233;", "Caf\u00e9".encode(), "EFM.5.02.01.01"),
    "a character EDGAR leaves out (^)": (b"co &#8212;", b"co ^", "EFM.5.02.01.01"),
    "an entity HTML 4 does not define": (b"&nbsp;see", b"&nbspx;see", "EFM.5.02.02.06"),
    "a row group (thead)": (b"<table><tr><th>Metal</th>", b"<table><thead><tr><th>Metal</th>", "<thead>"),
    "a row group (tbody)": (b"<table><tr>", b"<table><tbody><tr>", "<tbody>"),
    "a table in a table": (b"<td style=\"text-align:right\">1</td>", b"<td><table><tr><td>1</td></tr></table></td>",
                           "a table inside a table"),
    "a style sheet": (b"</title>", b"</title><style>p{color:red}</style>", "<style>"),
    "a script": (b"</body>", b"<script>alert(1)</script></body>", "<script>"),
    "an event attribute": (b'<p id="top">', b'<p id="top" onclick="alert(1)">', "onclick"),
    "a frame": (b"</body>", b'<iframe src="https://example.com"></iframe></body>', "<iframe>"),
    "a form": (b"</body>", b'<form action="x"><input name="q"></form></body>', "<form>"),
    "a link outside the document and sec.gov": (b'href="#top"', b'href="https://example.com/"', "links go within"),
    "a link to no place in the document": (b'href="#top"', b'href="#nowhere"', "links go within"),
    "a picture not GIF or JPEG": (b'src="g2023-1.jpg"', b'src="g2023-1.png"', "GIF or JPEG"),
    "a picture outside the submission": (b'src="g2023-1.jpg"', b'src="https://example.com/logo.jpg"', "GIF or JPEG"),
    "an element outside EDGAR's HTML": (b"</body>", b"<section>New</section></body>", "edbody.dtd"),
    "an attribute outside EDGAR's HTML": (b"<table>", b'<table data-x="1">', "edbody.dtd"),
}


def test_the_valid_fixture_passes():
    assert rules.problems("form-sd-2023.htm", VALID, {"form-sd-2023.htm", "g2023-1.jpg"}) == []


@pytest.mark.parametrize("rule", sorted(BREAKS))
def test_each_edgar_rule_fails_on_a_document_that_breaks_it(rule):
    old, new, named = BREAKS[rule]
    assert old in VALID
    found = rules.problems("form-sd-2023.htm", VALID.replace(old, new, 1), {"form-sd-2023.htm", "g2023-1.jpg"})
    assert any(named in problem for problem in found), found


@pytest.mark.parametrize("name", ["Form-SD-2023.htm", "form sd 2023.htm", "-form-sd.htm", "form-sd-2023.html",
                                  "form-sd-for-the-calendar-year-2023.htm"])
def test_file_names_follow_edgars_rule(name):
    assert any("EFM 5.1.1" in p for p in rules.problems(name, VALID, {name, "g2023-1.jpg"}))


# ---- the same words as the site, and as the filed documents -----------------------------------
@pytest.mark.parametrize("year", YEARS)
def test_the_exhibit_says_what_the_sites_report_says_paragraph_by_paragraph(example, year):
    """The report's blocks as the lock records them from the site's page, and the exhibit's, with
    only the exhibit number and the smelter list (rows checked by re-import) apart."""
    _, _, records, made = example
    exhibit = made[year][0][1]
    tree = lxml_html.document_fromstring(exhibit.content)
    for node in tree.xpath('//*[@id="exhibit-number" or @id="smelter-list"]'):
        node.drop_tree()
    site_blocks = __import__("json").loads((records / f"{year}.json").read_text(encoding="utf-8"))["record"]["filed"]["report"]
    assert rec.report_blocks(lxml_html.tostring(tree.find("body"), encoding="unicode")) == site_blocks


@pytest.mark.parametrize("year", YEARS)
def test_the_form_sd_shows_every_filed_piece_in_order(example, year):
    _, site, _, made = example
    form = made[year][0][0]
    shown = rec.ShownText(form.content.decode("ascii"))
    assert shown.missing_in_order(rec.form_sd_items(site.filing(year).meta)) is None


def filed_sentences(text: str) -> list[str]:
    """The sentences of a filed document as text (tab-separated table rows aside: the re-import
    checks those). Its conversion's marks are not the filing's words: **bold** (a break between
    runs), `- ` list bullets, <u>, <url>."""
    found = []
    for line in text.splitlines():
        if "\t" in line or not line.strip():
            continue
        line = re.sub(r"^\s*-\s*", "", line).replace("<u>", "").replace("</u>", "")
        line = re.sub(r"<(https?://[^>]+)>", r"\1", line)
        for run in line.split("**"):
            found += [s for s in (" ".join(p.split()) for p in re.split(r"(?<=[.!?:;])\s+(?=[A-Z(\u201c\"])", run)) if s]
    return found


@pytest.mark.parametrize("year", YEARS)
def test_the_documents_reproduce_every_filed_sentence(example, year):
    """The Qualys filings as filed (data/sources): at least 99% of their sentences appear exactly,
    in the generated documents (today: all of them)."""
    _, _, _, made = example
    documents = made[year][0]
    generated = " ".join(body_text(d.content) for d in documents)
    source = next((EXAMPLE / "data" / "sources").glob(f"*{year}*.txt")).read_text(encoding="utf-8")
    sentences = filed_sentences(source)
    missing = [s for s in sentences if s not in generated]
    assert len(sentences) > 100 and len(missing) <= len(sentences) // 100, missing[:10]


@pytest.mark.parametrize("year", YEARS)
def test_the_exhibits_table_imports_back_to_the_years_list(example, tmp_path, year):
    project, _, _, made = example
    exhibit = made[year][0][1]
    path = tmp_path / exhibit.name
    path.write_bytes(exhibit.content)
    out = tmp_path / "list.csv"
    assert import_filing.main([str(path), "--year", str(year), "--out", str(out)]) == 0
    assert out.read_bytes() == (project / "data" / "smelters" / f"{year}.csv").read_bytes()


# ---- the command ----------------------------------------------------------------------------
def test_exhibit_writes_documents_and_pdfs_for_counsel(tmp_path):
    project = copy_project(tmp_path / "project")
    out = tmp_path / "out" / "2023"
    (out.mkdir(parents=True), (out / "stale.htm").write_text("old"))
    assert write_exhibit(project, 2023, out, pdf=True) == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == ["ex1-01-cmr-2023.htm", "ex1-01-cmr-2023.pdf", "form-sd-2023.htm", "form-sd-2023.pdf",
                     "sha256sums.txt"]  # replaced whole
    for line in (out / "sha256sums.txt").read_text().splitlines():
        digest, name = line.split()
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    for pdf in ("form-sd-2023.pdf", "ex1-01-cmr-2023.pdf"):
        info = subprocess.run(["pdfinfo", str(out / pdf)], capture_output=True, text=True, check=True).stdout
        assert "612 x 792 pts (letter)" in info
    text = subprocess.run(["pdftotext", "-layout", str(out / "ex1-01-cmr-2023.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Exhibit 1.01" in text and "African Gold Refinery*" in text and "Tungsten" in text


def test_an_amendments_documents_are_the_form_sd_a(example):
    _, site, _, _ = example
    filing = site.filing(2023)
    amended = filing.meta.model_copy(update={"amendments": [Amendment(date=dt.date(2024, 6, 1), reason="A row.")]})
    changed = dataclasses.replace(filing, meta=amended)
    assert names(changed)["form"] == "form-sda-2023-a1.htm" and names(changed)["exhibit"] == "ex1-01-cmr-2023-a1.htm"
    assert cover_notes(changed) and "FORM SD/A" in cover_notes(changed)[0] and cover_notes(filing) == []
    sd_a = [b.model_copy(update={"title": "FORM SD/A"}) if b.title == "FORM SD" else b for b in amended.form_sd]
    assert cover_notes(dataclasses.replace(filing, meta=amended.model_copy(update={"form_sd": sd_a}))) == []


def test_exhibit_refuses_a_year_that_check_does_not_pass(tmp_path, capsys):
    project = copy_project(tmp_path / "project")
    report = project / "docs" / "2023" / "report.md"
    report.write_text(report.read_text(encoding="utf-8") + "\nCHECK: the new paragraph.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert write_exhibit(project, 2023, out, pdf=False) == 1
    err = capsys.readouterr().err
    assert "does not pass `scripts/dev check 2023`" in err and "CHECK" in err and not out.exists()


def test_what_edgar_refuses_in_the_report_is_named_never_dropped(tmp_path):
    """Raw HTML a staff member may write in the Markdown: refused with the file; a link outside
    sec.gov keeps its words; characters become references."""
    project = copy_project(tmp_path / "project")
    report = project / "docs" / "2023" / "report.md"
    (project / "docs" / "2023" / "chart.png").write_bytes(b"\x89PNG\r\n")
    report.write_text(report.read_text(encoding="utf-8") +
                      '\nSee [our policy](https://example.com/policy) \u2014 caf\u00e9 ^.\n\n'
                      '<iframe src="https://example.com"></iframe>\n\n![Chart](chart.png)\n', encoding="utf-8")
    records = records_of(project, tmp_path)
    documents, problems = generate(project, load_site(project / "data"), 2023, records)
    assert any("docs/2023/report.md: <iframe>" in p for p in problems), problems
    assert any("report.md: the picture docs/2023/chart.png" in p and "GIF or JPEG" in p for p in problems), problems
    exhibit = documents[1].content
    assert b"See our policy &#8212; caf&#233; &#94;." in exhibit and b"example.com/policy" not in exhibit


def test_a_jpeg_in_the_report_becomes_a_graphic_document(tmp_path):
    project = copy_project(tmp_path / "project")
    (project / "docs" / "2023" / "Logo File.jpeg").write_bytes(b"\xff\xd8\xff\xe0fake jpeg")
    report = project / "docs" / "2023" / "report.md"
    report.write_text(report.read_text(encoding="utf-8") + "\n![Company logo](Logo%20File.jpeg)\n", encoding="utf-8")
    documents, problems = generate(project, load_site(project / "data"), 2023, records_of(project, tmp_path))
    assert problems == [] and documents[2].name == "g2023-1.jpg" and documents[2].edgar_type == "GRAPHIC"
    assert b'src="g2023-1.jpg"' in documents[1].content


def test_the_live_tree_years_that_pass_check_make_documents_edgar_accepts(tmp_path):
    """Whatever company the live tree holds (none filed included)."""
    from disclosures.engine.checks import check_year
    site = load_site(ROOT / "data")
    ready = [y for y in site.years if not check_year(ROOT, site, y)]
    if not ready:
        return
    records = records_of(ROOT, tmp_path)
    for year in ready:
        documents, problems = generate(ROOT, site, year, records)
        assert problems == [], (year, problems)


def test_pictures_outside_docs_are_refused_and_links_outside_sec_gov_keep_only_their_words():
    from disclosures.exhibit.edgar_html import report_body
    body = report_body('<p><img src="/etc/passwd.jpg"><img src="../../../x.jpg"><img src="https://e.com/a.jpg">'
                       '<a href="javascript:alert(1)">one</a> <a href="https://sec.gov.evil.example/">two</a> '
                       '<a href="https://www.sec.gov/Archives/x.htm" onclick="alert(1)">three</a></p>'
                       '<ul><li>a. First</li><li>b. Second</li></ul>', "2023/report/", "docs/2023/report.md")
    assert len(body.problems) == 3 and body.images == {}
    html = lxml_html.tostring(body.root, encoding="unicode")
    assert "javascript" not in html and "evil" not in html and "onclick" not in html
    assert '<a href="https://www.sec.gov/Archives/x.htm">three</a>' in html and "one two" in html
    assert '<ul class="enumerated">' in html  # "a." items: no bullet before the letter
