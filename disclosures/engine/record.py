"""A year's record: what it filed and what this site says about it, as data, not markup.

The lock (engine/locks.py) keeps a year's record; every build computes it again and compares.
- filed: the Form SD's text pieces in filed order, the report's text with its figures filled in
  (block by block, from the page as converted from Markdown, before any theme), the smelter
  rows' filed cells, the list's header, the designation legend and the footnotes;
- analysis: the figures, each row's class, country code, flags and resolved ID, the change log;
- downloads: each file's values column by column (read back from the file, not its bytes);
- attachments: any other file in the year's folder of docs/, by content hash.
Presentation (theme, markup, column widths, file formatting, a new download column) is in none
of it; `shown_in` checks that a built page still shows each item, in order, whatever its markup.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path

from lxml import html as lxml_html

from disclosures.engine.compare import Diff
from disclosures.engine.figures import figures_of
from disclosures.engine.model import Filing, FilingMeta, Smelter

FIGURES = ("facilities", "distinct", "conformant", "active", "not_listed", "non_conformant", "not_stated",
           "in_covered_countries", "greater_risk", "sanctioned", "restricted", "surveyed", "responded")
_TOKEN = re.compile(r"\w+|[^\w\s]")
# Elements this site adds to a page, by its own markers (never a theme's): banners and notes,
# analysis boxes and columns, controls. What remains of a report is the filing's text.
SITE_ADDED = [".//script", ".//style", ".//svg", ".//template", ".//*[@data-site]", ".//*[@data-cm-slot]"] + [
    f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]" for name in (
        "headerlink", "admonition", "cm-filed", "cm-analysis", "cm-an", "cm-view-note", "cm-controls", "cm-sr-only",
        "cm-more", "cm-downloads")]
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "dt", "dd", "caption", "pre", "blockquote", "figcaption"}
# Where text is separated (a block or a cell ends); inline elements (a, em, sup...) join their words.
_SEPARATE = _BLOCKS | {"div", "td", "th", "table", "thead", "tbody", "ul", "ol", "dl", "br", "hr", "section", "article",
                       "aside", "main", "header", "footer", "nav", "details", "summary", "figure", "label", "body"}


def words(text: str) -> str:
    """Text as its tokens (words and single punctuation marks), one space apart: what is compared."""
    return " ".join(_TOKEN.findall(text or ""))


# ---- filed -------------------------------------------------------------------------------------
def form_sd_items(meta: FilingMeta) -> list[str]:
    """The Form SD's text pieces in filed order (a cover value and its caption are two)."""
    items: list[str | None] = []
    for block in meta.form_sd:
        if block.fields:
            for f in block.fields:
                items += [f.value, f.caption]
            items.append(block.caption)  # one caption under all of them
        elif block.table:
            items += [" ".join(row) for row in block.table]
        elif block.image:
            continue  # an image has no words (its alt text is this site's description)
        else:
            items += [getattr(block, block.kind)] + ([block.caption] if block.kind == "line" and block.caption else [])
    return [w for w in (words((item or "").replace("**", "")) for item in items) if w]  # **bold** as printed


def filed_cells(s: Smelter) -> list[str]:
    r = s.row
    return [r.metal, r.smelter_name, r.country, r.status, r.smelter_id, r.footnote]


def report_blocks(content_html: str) -> list[str]:
    """The filing's text of a page as converted from Markdown: one entry per paragraph, heading,
    item or table row, leaving out what this site adds (by its own markers)."""
    if not content_html.strip():
        return []
    root = lxml_html.fragment_fromstring(content_html, create_parent="div")
    for path in SITE_ADDED:
        for node in root.xpath(path):
            node.drop_tree()
    blocks: list[str] = []

    def walk(node):
        for child in node:
            if not isinstance(child.tag, str):
                continue
            if child.tag in _BLOCKS:
                text = words(_text(child))
                if text:
                    blocks.append(text)
            else:
                walk(child)
    walk(root)
    return blocks


def _text(element) -> str:
    """An element's text with blocks and cells apart and inline markup joined ("Refinery<sup>*</sup>"
    reads "Refinery*"); changes the element (callers parse a fresh tree)."""
    for node in element.iter():
        if isinstance(node.tag, str) and node.tag in _SEPARATE:
            node.text = " " + (node.text or "")
            node.tail = " " + (node.tail or "")
    return element.text_content()


# ---- analysis ------------------------------------------------------------------------------
def analysis_cells(s: Smelter) -> dict:
    return {"class_key": s.status_class, "class": s.class_label, "country_code": s.country_code, "covered_country": s.in_covered_country,
            "greater_risk": s.greater_risk, "flags": sorted(r.label for r in s.restrictions),
            "resolved_id": s.resolved_id}


def change_entries(d: Diff | None) -> list[list[str]]:
    """The change log since the previous filing: section, metal, names and designations both sides."""
    if d is None:
        return []
    entries = []
    for entry in d.added:
        entries.append(["added", entry.metal, "", entry.first.row.smelter_name, "", entry.first.row.status])
    for entry in d.removed:
        entries.append(["removed", entry.metal, entry.first.row.smelter_name, "", entry.first.row.status, ""])
    for p in d.pairs:
        entries.append([p.status_change, p.new.metal, p.old.first.row.smelter_name, p.new.first.row.smelter_name,
                        p.old.first.row.status, p.new.first.row.status])
    return entries


# ---- downloads and attachments -----------------------------------------------------------------
def download_columns(path: Path) -> dict[str, str]:
    """A download's values, column by column: column -> sha256 of its values in row order. A file's
    formatting, its column order and a column added later change none of the existing entries."""
    records = _records(path)
    columns: dict[str, list[str]] = {}
    for record in records:
        for key, value in record.items():
            columns.setdefault(key, []).append("" if value is None else str(value))
    return {key: hashlib.sha256(json.dumps(values, ensure_ascii=False).encode()).hexdigest()
            for key, values in columns.items()}


def _records(path: Path) -> list[dict]:
    if path.suffix == ".csv":
        return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))["data"]
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook  # only here: the workbook reader costs 0.2 s to import
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            rows = list(book.worksheets[0].iter_rows(values_only=True))
        finally:
            book.close()
        header = [str(h) for h in rows[0]] if rows else []
        return [dict(zip(header, ("" if v is None else _xlsx_text(v) for v in row))) for row in rows[1:]]
    raise ValueError(f"{path.name}: not a download format")


def _xlsx_text(value) -> str:
    """A workbook value as CSV would write it (booleans True/False, whole numbers without .0)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def year_downloads(site_dir: Path, year: int) -> list[Path]:
    folder = site_dir / "downloads"
    return sorted(p for pattern in (f"smelters-{year}.*", f"smelters-{year}-as-filed.*", f"changes-*-{year}.*")
                  for p in folder.glob(pattern))


def attachments(root: Path, year: int) -> dict[str, str]:
    """Files of the year's folder in docs/ other than its Markdown pages (a PDF, an image...)."""
    folder = Path(root) / "docs" / str(year)
    if not folder.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix != ".md"}


# ---- the record --------------------------------------------------------------------------------
def figures(filing: Filing) -> dict:
    values = figures_of(filing).__dict__
    return {name: values[name] for name in FIGURES if name in values}


def filed_part(filing: Filing, report_html: str) -> dict:
    meta = filing.meta
    return {"form_sd": form_sd_items(meta),
            "checkboxes": [b.checkbox for b in meta.form_sd if b.checkbox],
            "report": report_blocks(report_html),
            "rows": [filed_cells(s) for s in filing.smelters],
            "list_header": list(meta.list_header.values()) if meta.list_header else None,  # the words, in filed order
            "legend": {word: meaning for word, meaning in meta.designation_legend.items()},
            "footnotes": [[f.marker, words(f.text)] for f in meta.footnotes]}


def analysis_part(filing: Filing, diff: Diff | None) -> dict:
    return {"figures": figures(filing),
            "rows": [analysis_cells(s) for s in filing.smelters],
            "changes": change_entries(diff)}


# ---- is it shown? ------------------------------------------------------------------------------
class ShownText:
    """A built page's text as tokens, whatever its markup: the whole page, and each table row."""

    def __init__(self, html: str):
        tree = lxml_html.fromstring(html)
        for node in tree.xpath(".//script|.//style|.//template"):
            node.drop_tree()
        self.rows = [f" {words(_text(tr))} " for tr in tree.iter("tr")]
        self.text = f" {words(_text(tree))} "

    def missing_in_order(self, items: list[str]) -> str | None:
        """The first item not found after the one before it (each as a whole run of words)."""
        at = 0
        for item in items:
            found = self.text.find(f" {item} ", at)
            if found < 0:
                return item
            at = found + len(item) + 1
        return None

    def missing_rows(self, rows: list[list[str]]) -> list[str] | None:
        """The first row whose every cell no single table row shows (rows found in order, cells in any)."""
        at = 0
        for cells in rows:
            runs = [f" {c} " for c in cells if c.strip()]
            index = self._row_with(runs, at) if runs else at
            if index is None:
                return cells
            at = index + 1 if runs else at
        return None

    def _row_with(self, runs: list[str], start: int) -> int | None:
        for index in list(range(start, len(self.rows))) + list(range(0, start)):  # in order; else anywhere
            if all(run in self.rows[index] for run in runs):
                return index
        return None
