"""Turn a filed document into grids of cells, whatever its layout: EDGAR or Word HTML, a
tab-separated text filing, text extracted from a PDF (`pdftotext -layout`), or a spreadsheet
export (.xlsx, .csv).

Every source unit (a line of text, an HTML table row, a spreadsheet row) ends up either in a
grid or in `Source.accounted` with the reason it is not one, so the importer can prove that
nothing was dropped. Pure apart from parsing the bytes it is given.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Callable

from lxml import etree, html as lxml_html

from disclosures.engine.smelter_csv import bounded_reader
from disclosures.ingest.table_text import SUP_CLOSE, SUP_OPEN, clean_cell, header_role, parse_metal

MAX_DEPTH = 200  # elements; Word and EDGAR layouts stay far below
MAX_SPAN = 50  # a colspan or rowspan above this is malformed markup, read as 1
MAX_SHEET_ROWS, MAX_SHEET_COLUMNS = 200_000, 60  # never trust a sheet's declared dimension
BLOCK_TAGS = frozenset("p div br li tr td th table h1 h2 h3 h4 h5 h6 blockquote".split())


@dataclass
class Row:
    line: int  # where a reader finds it: the line of the source (HTML, text) or the sheet row
    cells: list[str]
    page_edge: bool = False  # PDF text: next to a page break, where running heads and page numbers sit


@dataclass
class Grid:
    label: str  # "table 3 (line 120)", "sheet 'Smelters'", "the tab-separated lines"
    rows: list[Row]
    before: str = ""  # the text just above: a heading can name the table's metal
    after: list[tuple[int, str]] = field(default_factory=list)  # the text below: footnote texts


@dataclass
class Source:
    kind: str  # html, text, pdf-text, xlsx, csv
    unit: str  # what one accounted unit is: "line", "table row", "sheet row"
    units: int
    grids: list[Grid]
    accounted: list[tuple[int, str, str]] = field(default_factory=list)  # (line, kind, detail)
    notes: list[str] = field(default_factory=list)


def read_source(data: bytes, name: str, is_header: Callable[[list[str]], bool]) -> Source:
    """Dispatch on the bytes (a zip is a workbook) and the file name. `is_header` tells a
    smelter table's header row from a data row (it needs the reference's country names)."""
    if data[:4] == b"PK\x03\x04" or name.lower().endswith((".xlsx", ".xlsm")):
        return sheet_source(data)
    text, notes = decode(data)
    if name.lower().endswith(".csv"):
        source = csv_source(text)
    elif re.search(r"<\s*(table|html|body)\b", text[:200_000], re.IGNORECASE):
        source = html_source(text, is_header)
    elif sum(line.count("\t") >= 2 for line in text.splitlines()) >= 2:
        source = tab_source(text)
    else:
        source = layout_source(text, is_header)
    source.notes[:0] = notes
    return source


def decode(data: bytes) -> tuple[str, list[str]]:
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        return data.decode("cp1252", errors="replace"), [
            f"not UTF-8 (byte {exc.start}); read as Windows-1252, the encoding of Word and older EDGAR files"]


# ---- HTML (EDGAR exhibits, Word "Save as web page") ----

def html_source(text: str, is_header) -> Source:
    root = lxml_html.document_fromstring(text.encode("utf-8"), parser=lxml_html.HTMLParser(encoding="utf-8", huge_tree=True))
    headings = _texts_before_tables(root)  # one pass; also refuses markup nested deeper than any document
    tables = list(root.iter("table"))
    own_rows = {id(t): [] for t in tables}
    for tr in root.iter("tr"):
        if (owner := _nearest_table(tr)) is not None:
            own_rows[id(owner)].append(tr)
    source = Source("html", "table row", sum(len(r) for r in own_rows.values()), [])
    headed = {id(t) for t in tables if any(is_header([_cell_text(c, nested=False) for c in _cells(tr)]) for tr in own_rows[id(t)])}
    for table in tables:
        if _nearest_table(table) is not None:
            continue  # visited from its container
        _visit(table, own_rows, headed, headings, source)
    return source


def _visit(table, own_rows, headed, headings, source: Source) -> None:
    """A table holding a headed table but no header of its own is a layout wrapper: read the
    tables inside. Any other table is a grid; a table nested in a row's only cell (a full-width
    cell holding the rows) is read row by row into it, and other nested tables are cell text."""
    inner = [t for t in table.iter("table") if t is not table]
    if id(table) not in headed and any(id(t) in headed for t in inner):
        for tr in own_rows[id(table)]:
            source.accounted.append((tr.sourceline or 0, "layout", "row of a layout table around the smelter table"))
        for child in inner:
            if _nearest_table(child) is table:
                _visit(child, own_rows, headed, headings, source)
        return
    trs = _flatten_full_width(own_rows[id(table)], own_rows, source)
    read = {id(tr) for tr in trs}
    for t in inner:
        for tr in own_rows[id(t)]:
            if id(tr) not in read:
                source.accounted.append((tr.sourceline or 0, "nested",
                                         f"row of a table inside a cell (read as part of line {table.sourceline})"))
    label = f"table {len(source.grids) + 1} (line {table.sourceline})"
    source.grids.append(Grid(label, _grid_rows(trs), before=headings.get(table, ""), after=_text_after(table)))


def _flatten_full_width(trs, own_rows, source: Source) -> list:
    """Rows whose one cell holds a table give way to that table's rows (recursively)."""
    out = []
    for tr in trs:
        cells = _cells(tr)
        nested = [t for t in cells[0].iter("table")] if len(cells) == 1 else []
        outermost = [t for t in nested if _nearest_table(t) is tr.getparent() or _nearest_table(t) in (None,)
                     or next(t.iterancestors("td", "th"), None) is cells[0]]
        if outermost:
            source.accounted.append((tr.sourceline or 0, "layout", "row whose one cell holds a table, read row by row"))
            for t in outermost:
                out += _flatten_full_width(own_rows[id(t)], own_rows, source)
        else:
            out.append(tr)
    return out


def _nearest_table(element):
    return next(element.iterancestors("table"), None)


def _cells(tr) -> list:
    return [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]


def _span(cell, name: str) -> int:
    value = (cell.get(name) or "1").strip()
    return int(value) if value.isdigit() and 0 < int(value) <= MAX_SPAN else 1


def _grid_rows(trs) -> list[Row]:
    """Cells laid out as printed: a colspan repeats its text across the columns it covers and
    a rowspan carries it down, so every row has its Metal even when one cell spans ten rows."""
    carried: dict[int, tuple[int, str]] = {}  # column -> (rows still to fill, text)
    rows = []
    for tr in trs:
        cells: list[str] = []

        def fill_carried():
            while len(cells) in carried:
                left, text = carried.pop(len(cells))
                cells.append(text)
                if left > 1:
                    carried[len(cells) - 1] = (left - 1, text)

        for cell in _cells(tr):
            fill_carried()
            text, rowspan = _cell_text(cell), _span(cell, "rowspan")
            for _ in range(_span(cell, "colspan")):
                if rowspan > 1:
                    carried[len(cells)] = (rowspan - 1, text)
                cells.append(text)
        while carried and max(carried) >= len(cells):
            if len(cells) not in carried:
                cells.append("")
            fill_carried()
        rows.append(Row(tr.sourceline or 0, cells))
    return rows


def _cell_text(cell, nested: bool = True) -> str:
    """The words of a cell with block boundaries as spaces; a superscript keeps its brackets so
    a footnote mark can be told from the name. Comments, scripts and styles are not text.
    Iterative (lxml's iterwalk): nesting depth never meets Python's recursion limit."""
    parts: list[str] = []
    walker = etree.iterwalk(cell, events=("start", "end"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else None
        skipped = tag is None or tag in ("script", "style") or (not nested and tag == "table" and el is not cell)
        if event == "start":
            if skipped:
                walker.skip_subtree()  # its end event still comes: the tail is read there
                continue
            parts.append(" " if tag in BLOCK_TAGS else "")
            parts.append(SUP_OPEN if tag == "sup" else "")
            parts.append(el.text or "")
        else:
            if not skipped:
                parts.append(SUP_CLOSE if tag == "sup" else "")
                parts.append(" " if tag in BLOCK_TAGS else "")
            if el is not cell:
                parts.append(el.tail or "")
    return clean_cell("".join(parts)).replace(SUP_OPEN + " ", SUP_OPEN).replace(" " + SUP_CLOSE, SUP_CLOSE)


def _block_text(el) -> str:
    """Text of a block outside the tables (a heading, a footnote), read like a cell."""
    return _cell_text(el) if isinstance(el.tag, str) else ""


def _texts_before_tables(root) -> dict:
    """Each table's nearest non-empty block of text above it (its heading, if it has one), in one
    pass over the document (looking back from every table was quadratic in empty tables)."""
    before: dict = {}
    last, block, depth = "", [], 0

    def flush():
        nonlocal last, block
        if text := clean_cell("".join(block)):
            last = text[-300:]
        block = []

    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else None
        if event == "start":
            depth += 1
            if depth > MAX_DEPTH:
                raise ValueError(f"line {el.sourceline}: markup nested more than {MAX_DEPTH} elements deep, "
                                 "deeper than any filing's layout: not read")
            if tag is None or tag in ("script", "style"):
                walker.skip_subtree()
                continue
            if tag in BLOCK_TAGS:
                flush()
            if tag == "table":
                before[el] = last  # keyed by the element: it stays the same proxy while held
            block.append(el.text or "")
        else:
            depth -= 1
            if tag in BLOCK_TAGS:
                flush()
            block.append(el.tail or "")
    return before


def _text_after(table) -> list[tuple[int, str]]:
    """Up to 40 blocks of text after the table, where its footnotes are written."""
    found: list[tuple[int, str]] = []
    node = table
    while node is not None and len(found) < 40:
        if clean_cell(node.tail or ""):
            found.append((node.sourceline or 0, clean_cell(node.tail)))
        for sibling in node.itersiblings():
            if isinstance(sibling.tag, str) and sibling.tag == "table":
                return found
            found += [(b.sourceline or 0, t) for b in _leaf_blocks(sibling) if (t := _block_text(b))]
            if clean_cell(sibling.tail or ""):
                found.append((sibling.sourceline or 0, clean_cell(sibling.tail)))
            if len(found) >= 40:
                return found
        node = node.getparent()
    return found


def _leaf_blocks(element) -> list:
    """The innermost paragraphs of an element (one footnote each), or the element itself."""
    if not isinstance(element.tag, str):
        return []
    blocks = [b for b in element.iter("p", "div", "li") if next(b.iterdescendants("p", "div", "li"), None) is None]
    return blocks or [element]


# ---- plain text: tab-separated tables, or columns aligned with spaces (pdftotext -layout) ----

def tab_source(text: str) -> Source:
    """A text filing whose table rows are tab-separated. One grid from the first to the last
    tab line; the lines between are kept (blank lines, headings, page debris) for the importer
    to account; the rest is prose."""
    lines = text.splitlines()
    tabbed = [n for n, line in enumerate(lines) if "\t" in line]
    source = Source("text", "line", len(lines), [])
    first, last = tabbed[0], tabbed[-1]
    rows = [Row(n + 1, line.split("\t") if "\t" in line else [line]) for n, line in enumerate(lines[first:last + 1], first)]
    source.accounted += [(n + 1, "prose", "") for n in [*range(first), *range(last + 1, len(lines))]]
    before = next((clean_cell(line) for line in reversed(lines[:first]) if clean_cell(line)), "")
    after = [(n + 1, line) for n, line in enumerate(lines[last + 1:], last + 1) if clean_cell(line)]
    source.grids.append(Grid("the tab-separated lines", rows, before=before, after=after))
    return source


_CHUNK = re.compile(r"\S+(?: \S+)*")  # words separated by single spaces; columns by two or more


def _chunks(line: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in _CHUNK.finditer(line.replace("\f", " "))]


def layout_source(text: str, is_header) -> Source:
    """Text from `pdftotext -layout`: columns are runs of two or more spaces, so each chunk goes
    to the header column it starts nearest to. A line that continues a wrapped cell (only some
    columns, straight after a row) joins that row; lines around a page break (form feed) that are
    not rows are running heads and page numbers."""
    lines = text.split("\n")
    source = Source("pdf-text", "line", len(lines) - (text.endswith("\n")), [])
    headers = [n for n, line in enumerate(lines) if is_header([c for _, c in _chunks(line)])]
    header_lines = set(headers)
    if not headers:
        source.accounted += [(n + 1, "prose", "") for n in range(source.units)]
        return source
    starts: list[int] = []
    roles: list[str | None] = []
    rows: list[Row] = []
    last_data = None
    for n, line in enumerate(lines[headers[0]:source.units], headers[0]):
        chunks = _chunks(line)
        if n in header_lines:  # a header's wrapped words ("Conformance / Status") join it like a row's
            starts, roles = [s for s, _ in chunks], [header_role(c) for _, c in chunks]
            rows.append(Row(n + 1, [c for _, c in chunks]))
            last_data = len(rows) - 1
            continue
        cells = _columns(chunks, starts, roles)
        filled = [i for i, c in enumerate(cells) if c]
        if last_data is not None and filled and 0 not in filled and "\f" not in line and len(filled) < len(starts) - 1:
            target = rows[last_data]
            target.cells = [f"{a} {b}".strip() for a, b in zip(target.cells, cells)]
            source.accounted.append((n + 1, "continuation", f"a wrapped cell, joined to line {target.line}"))
            continue
        rows.append(Row(n + 1, cells if chunks else [], page_edge="\f" in line))
        last_data = len(rows) - 1 if len(filled) >= 2 and not rows[-1].page_edge else None
    _mark_page_edges(rows)
    source.accounted += [(n + 1, "prose", "") for n in range(headers[0])]
    before = next((clean_cell(line) for line in reversed(lines[:headers[0]]) if clean_cell(line)), "")
    source.grids.append(Grid("the text columns", rows, before=before))
    return source


def _columns(chunks: list[tuple[int, str]], starts: list[int], roles: list[str | None]) -> list[str]:
    """Each chunk to the column it starts nearest to. pdftotext leaves a single space where two
    cells nearly touch ("Tantalum JiuJiang Metals  China"): in a row-like line (two chunks or
    more), a chunk that runs across the next, empty column's start is split: after the metal in
    a Metal column, else at the word boundary nearest that start."""
    placed: dict[int, list[tuple[int, str]]] = {}
    for start, chunk in chunks:
        column = min(range(len(starts)), key=lambda i: abs(starts[i] - start))
        placed.setdefault(column, []).append((start, chunk))
    for column in range(len(starts) - 1):
        if len(chunks) < 2 or column + 1 in placed or column not in placed:
            continue
        start, chunk = placed[column][-1]
        if start + len(chunk) <= starts[column + 1] + 2:
            continue
        edges = [start + m.start() for m in re.finditer(r"(?<= )\S", chunk)]
        if roles[column] == "metal":
            edges = [e for e in edges if parse_metal(chunk[: e - start])][:1]
        else:
            edges = sorted((e for e in edges if abs(e - starts[column + 1]) <= 6), key=lambda e: abs(e - starts[column + 1]))
        if edges:
            placed[column][-1] = (start, chunk[: edges[0] - start].rstrip())
            placed[column + 1] = [(edges[0], chunk[edges[0] - start:])]
    return [" ".join(c for _, c in placed.get(i, [])) for i in range(len(starts))]


def _mark_page_edges(rows: list[Row]) -> None:
    """Rows from a page's last data row to the next page's first row are its page furniture
    when they have at most one cell (a running head, a page number): each run of such thin rows
    that holds or touches a page break, in one pass."""
    thin = [sum(bool(c) for c in row.cells) <= 1 for row in rows]
    edge = [row.page_edge for row in rows]
    i = 0
    while i < len(rows):
        if not thin[i]:
            i += 1
            continue
        j = i
        while j < len(rows) and thin[j]:
            j += 1
        if any(edge[i:j]) or (i > 0 and edge[i - 1]) or (j < len(rows) and edge[j]):
            for k in range(i, j):
                rows[k].page_edge = True
        i = j


# ---- spreadsheet exports ----

def csv_source(text: str) -> Source:
    sample = text[:20_000]
    delimiter = max(",;\t", key=sample.count)
    rows = [Row(n, cells) for n, cells in enumerate(bounded_reader(text, delimiter=delimiter), 1)]
    return Source("csv", "line", len(rows), [Grid("the CSV", rows)])


def sheet_source(data: bytes) -> Source:
    """Every sheet of a workbook, each a grid (a title block above the header, other sheets
    before the list and totals below it are the importer's to account for)."""
    from openpyxl import load_workbook  # only spreadsheet imports pay for it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValueError(f"not a readable .xlsx workbook ({exc})") from None
    source = Source("xlsx", "sheet row", 0, [])
    for sheet in book.worksheets:
        rows = []
        for n, values in enumerate(sheet.iter_rows(max_row=MAX_SHEET_ROWS, max_col=MAX_SHEET_COLUMNS, values_only=True), 1):
            rows.append(Row(n, ["" if v is None else _sheet_value(v) for v in values]))
        while rows and not any(c.strip() for c in rows[-1].cells):
            rows.pop()  # trailing empty rows a sheet's dimension may declare
        source.units += len(rows)
        source.grids.append(Grid(f"sheet {sheet.title!r}", rows))
    book.close()
    return source


def _sheet_value(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
