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
        # schema.org data blocks hold names as JSON text (never parsed as HTML): no "<" can close them.
        for data in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
            assert "<" not in data and json.loads(data)["@type"] in ("Organization", "Dataset"), name
        html = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)
        assert 'alert("name")</script>' not in html, name
        assert "<img src=x onerror" not in html, name
        assert "onerror=alert" not in html.replace("onerror=alert(&#34;img&#34;)", "").replace(
            "onerror=alert(&#39;footnote&#39;)", ""), name
        assert not re.search(r'href="\s*javascript:', html, re.I), name
        assert "<script>alert" not in html, name


def test_template_syntax_is_shown_not_evaluated(hostile_site):
    html = (hostile_site / "2023" / "smelters" / "index.html").read_text(encoding="utf-8")
    assert "&#123;&#123; 7&#42;7 &#125;&#125;" in html  # the braces are printed, never run
    assert "&#123;% include" in html
    assert "&#124; pipe" in html  # a Markdown table pipe stays text
    home = (hostile_site / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert&#40;&#34;conclusion&#34;&#41;&lt;/script&gt; &#123;&#123; 7&#42;7 &#125;&#125;" in home


def test_the_footnote_and_item_text_are_escaped(hostile_site):
    report = (hostile_site / "2023" / "report" / "index.html").read_text(encoding="utf-8")
    assert "&lt;img src&#61;x onerror&#61;alert&#40;&#39;footnote&#39;&#41;&gt; &#123;% raw %&#125;" in report
    form = (hostile_site / "2023" / "index.html").read_text(encoding="utf-8")
    assert "See javascript:alert&#40;&#39;item&#39;&#41; and &lt;a href&#61;" in form


def test_a_yaml_value_quoted_in_the_narrative_is_inert_markdown(hostile_site):
    """`{{ filing.meta.rcoi.responses }}` holding a link, an attribute list, emphasis and tags."""
    report = (hostile_site / "2023" / "report" / "index.html").read_text(encoding="utf-8")
    assert not re.search(r'href="\s*javascript:', report, re.I)
    assert "onfocus" not in report.replace("onfocus&#61;", "") and " autofocus" not in report.replace(" autofocus &#125;", "")
    assert "<em>emphasis</em>" not in report and "<b>bold</b>" not in report and '<img alt="i"' not in report
    assert "Responses: " + HOSTILE_MARKDOWN in visible_text(report)  # shown, character for character


def test_a_lookalike_of_a_sanctioned_name_is_flagged(hostile_site):
    rows = json.loads((hostile_site / "downloads" / "smelters-2023.json").read_text(encoding="utf-8"))["data"]
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


def test_every_macro_is_inert_in_any_markdown_context(hostile_site):
    """Each macro written inside a paragraph, list, quote, admonition and table cell, with hostile
    text in the smelter list, the footnotes and the reference files it shows: no link, image,
    emphasis, attribute or tag comes out of that text; it is shown character for character."""
    from lxml import html as lxml_html

    from .conftest import INLINE_MACROS, MARKDOWN_CONTEXTS

    page = (hostile_site / "2023" / "report" / "index.html").read_text(encoding="utf-8")
    article = lxml_html.fromstring(page).find(".//article")
    assert article is not None
    hrefs = [a.get("href", "") for a in article.iter("a")]
    assert not [h for h in hrefs if re.match(r"\s*(javascript|data|vbscript):", h, re.I) or h.strip() in ("x", "")]
    assert not [img.get("src") for img in article.iter("img")]
    assert not [e.text_content() for e in article.iter("em", "strong", "b", "i") if "emphasis" in e.text_content()
                or "bold" in e.text_content()]
    assert not [e.tag for e in article.iter() if isinstance(e.tag, str) and (e.get("onfocus") or e.get("autofocus") is not None)]
    assert not [s for s in article.iter("script") if s.get("type") != "application/json"]
    shown = " ".join(article.text_content().split())
    # status_legend, covered_countries and restrictions_table show the payload in each context
    assert shown.count(HOSTILE_MARKDOWN) >= 3 * len(MARKDOWN_CONTEXTS), shown.count(HOSTILE_MARKDOWN)
    for macro in INLINE_MACROS:  # every macro rendered in every context (none silently skipped)
        assert page.count(f"<!-- {macro} in a ") == len(MARKDOWN_CONTEXTS), macro


def test_a_section_macro_written_inline_is_a_clear_error(project_copy, tmp_path):
    """Macros that make headings (BLOCK_MACROS) stand on their own line: inline, a list item holding
    a heading crashed Material's search with a traceback."""
    from disclosures.site.macros import BLOCK_MACROS, misplaced_block_macros

    from .conftest import make_draft

    for macro in BLOCK_MACROS:  # each, in each context; alone on its line (or indented) it is fine
        for written in (f"- item {{{{ {macro}() }}}}", f"> {{{{ {macro}() }}}}", f"| {{{{ {macro}() }}}} |",
                        f"Text {{{{ {macro}(view='filed') }}}} text."):
            assert misplaced_block_macros("# Page\n\n" + written + "\n") == [(3, macro)], written
        assert misplaced_block_macros(f"{{{{ {macro}() }}}}\n   {{{{- {macro}() -}}}}  \n") == []
    make_draft(project_copy, 2023)  # and the build says so, naming page and line, never a traceback
    report = project_copy / "docs" / "2023" / "report.md"
    lines = report.read_text(encoding="utf-8").splitlines()
    report.write_text("\n".join(lines + ["", "- item {{ site_corrections() }} after"]) + "\n", encoding="utf-8")
    result = mkdocs_build(project_copy, tmp_path / "site", "--drafts")
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert (f"docs/2023/report.md:{len(lines) + 2}: site_corrections() makes sections with headings: write it on a "
            "line of its own") in result.stderr, result.stderr[-2000:]
