"""A large, malformed, entity-heavy EDGAR-style exhibit: the importer's worst realistic input.

Used by tests/test_importer.py (every row must be read) and scripts/bench_import.py (how fast).
Rows are made from a real list's rows, so every one is valid; the markup is what old Word and
EDGAR converters leave: unclosed <td>/<tr>, <font> soup, &nbsp; and numeric entities, stray
closing tags, comments, soft hyphens, and a nested one-cell table in every fifth name cell.
"""
from __future__ import annotations

import csv
import html
from pathlib import Path


def malformed_exhibit(rows_csv: Path, target_bytes: int = 2_000_000) -> tuple[str, int]:
    """(HTML of about `target_bytes`, number of smelter rows in it)."""
    with open(rows_csv, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    head = ("<html><head><title>ex101.htm</title></head><body><p>Exhibit&nbsp;1.01</p>"
            "<table border=1><tr><td><b>Metal</b><td><b>Smelter&#160;or&#160;Refiner&#160;Name</b>"
            "<td><b>Country</b><td><b>Status</b></tr>\n")
    parts, size, count = [head], len(head), 0
    while size < target_bytes:
        r = rows[count % len(rows)]
        name = html.escape(r["smelter_name"]).replace(" ", "&nbsp;", 1)
        if count % 5 == 0:
            name = f"<table><tr><td><p class=MsoNormal>{name}</table>"
        row = (f"<tr><td><font face=Arial><span>{r['metal']}</span></font><!-- r{count} -->"
               f"<td><p class=MsoNormal><font size=1>{name}</font></p></span>"
               f"<td>&#x20;{html.escape(r['country'])}&#32;<td>{r['status']}</font>\n")
        parts.append(row)
        size += len(row)
        count += 1
    parts.append("</table><p>&copy;&nbsp;Example</body></html>")
    return "".join(parts), count
