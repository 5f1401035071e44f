"""Hostile text from suppliers and filings is shown as inert text everywhere it appears."""
from __future__ import annotations

import csv
import io
import re

import openpyxl

import json

from .conftest import HOSTILE_MARKDOWN, HOSTILE_NAME, LOOKALIKE, mkdocs_build
from .test_build import visible_text


def all_html(site_dir):
    return {p.relative_to(site_dir).as_posix(): p.read_text(encoding="utf-8") for p in site_dir.rglob("*.html")}


def test_no_injected_markup_survives_in_any_page(hostile_site):
    for name, html in all_html(hostile_site).items():
        assert 'alert("name")</script>' not in html, name
        assert "<img src=x onerror" not in html, name
        assert "onerror=alert" not in html.replace("onerror=alert(&#34;img&#34;)", "").replace(
            "onerror=alert(&#39;footnote&#39;)", ""), name
        assert not re.search(r'href="\s*javascript:', html, re.I), name
        assert "<script>alert" not in html, name


def test_template_syntax_is_shown_not_evaluated(hostile_site):
    html = (hostile_site / "2023" / "smelters" / "index.html").read_text(encoding="utf-8")
    assert "&#123;&#123; 7*7 &#125;&#125;" in html  # the braces are printed, never run
    assert "&#123;% include" in html
    assert "&#124; pipe" in html  # a Markdown table pipe stays text
    home = (hostile_site / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;conclusion&#34;)&lt;/script&gt; &#123;&#123; 7*7 &#125;&#125;" in home


def test_the_footnote_and_item_text_are_escaped(hostile_site):
    report = (hostile_site / "2023" / "report" / "index.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(&#39;footnote&#39;)&gt; &#123;% raw %&#125;" in report
    form = (hostile_site / "2023" / "index.html").read_text(encoding="utf-8")
    assert "See javascript:alert(&#39;item&#39;) and &lt;a href=" in form


def test_a_yaml_value_quoted_in_the_narrative_is_inert_markdown(hostile_site):
    """`{{ filing.meta.rcoi.responses }}` holding a link, an attribute list, emphasis and tags."""
    report = (hostile_site / "2023" / "report" / "index.html").read_text(encoding="utf-8")
    assert not re.search(r'href="\s*javascript:', report, re.I)
    assert "onfocus" not in report.replace("onfocus&#61;", "") and " autofocus" not in report.replace(" autofocus &#125;", "")
    assert "<em>emphasis</em>" not in report and "<b>bold</b>" not in report and '<img alt="i"' not in report
    assert "Responses: " + HOSTILE_MARKDOWN in visible_text(report)  # shown, character for character


def test_a_lookalike_of_a_sanctioned_name_is_flagged(hostile_site):
    rows = json.loads((hostile_site / "downloads" / "smelters-2023.json").read_text(encoding="utf-8"))["rows"]
    row = next(r for r in rows if r["smelter_name"] == LOOKALIKE)
    assert row["restrictions"].startswith("OFAC sanctioned"), row


def test_downloads_neutralize_the_formula(hostile_site):
    text = (hostile_site / "downloads" / "smelters-2023.csv").read_text(encoding="utf-8-sig")
    row = next(r for r in csv.DictReader(io.StringIO(text)) if "HYPERLINK" in r["smelter_name"])
    assert row["smelter_name"] == "'" + HOSTILE_NAME
    sheet = openpyxl.load_workbook(hostile_site / "downloads" / "smelters-2023.xlsx").active
    cell = next(c for c in sheet["C"] if c.value and "HYPERLINK" in c.value)
    assert cell.data_type == "s" and cell.value.startswith("'=")
    index = (hostile_site / "downloads" / "smelter-index.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in index and "\n=HYPERLINK" not in index and ",=HYPERLINK" not in index


def test_symlinks_in_docs_or_data_stop_the_build(project_copy, tmp_path):
    """A link could publish any file of the machine (.git/config, /proc/self/environ) into site/."""
    (project_copy / "docs" / "leak.md").symlink_to("/proc/self/environ")
    (project_copy / "data" / "reference" / "extra").symlink_to(tmp_path)
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0 and "symbolic links are not published" in result.stderr
    assert "docs/leak.md" in result.stderr and "data/reference/extra" in result.stderr
    assert not (tmp_path / "out" / "leak").exists()
