"""The cross-filing index: every smelter ever listed, one row per smelter and metal, a column
per filing; as an HTML table, as the compact JSON its script loads, and as download records."""
from __future__ import annotations

import json

from markupsafe import Markup

from disclosures.engine.compare import Timeline
from disclosures.engine.reference import CLASS_ORDER, Reference
from disclosures.site.render.tables import long_word, risk_badges, risk_tokens, table_labels
from disclosures.site.render.templating import render

INDEX_HTML_ROWS = 2000    # up to this many smelters, the index page holds every row as HTML
INDEX_PARTIAL_ROWS = 200  # beyond it, the page holds this many; the script loads every row as JSON


def index_table(timelines: list[Timeline], years: list[int], reference: Reference, rows_url: str = "",
                downloads_html: str = "") -> Markup:
    """Up to INDEX_HTML_ROWS smelters, every row is HTML. Beyond (a decade of large filings) a
    10,000-row page measured 20 MB and ~45 s to load in Chromium, so the page holds the first
    INDEX_PARTIAL_ROWS and the script loads every row from `rows_url` (index_rows_json).
    """
    partial = len(timelines) > INDEX_HTML_ROWS and bool(rows_url)
    return render("cm/smelter_index.html", rows=timelines[:INDEX_PARTIAL_ROWS] if partial else timelines,
                  total=len(timelines), years=years, partial=partial, rows_url=rows_url, downloads=downloads_html,
                  labels=table_labels(reference), risk_tokens=risk_tokens,
                  risk_badges=lambda s: risk_badges(s, {}), class_rank=CLASS_ORDER.index, long_word=long_word)
def index_rows_json(timelines: list[Timeline], years: list[int], reference: Reference) -> bytes:
    """Every index row, compactly: ~6x smaller than the rows' HTML (14 MB at 10,000 rows).

    {"years", "classes", "labels", "designations", "rows": [[metal, name, [other names],
    country, code, smelter ID (published or resolved: searched, not shown), cells, risk tokens, risk badges HTML]]}, a cell being -1 (not
    listed) or [class index, designation index].
    """
    designations: dict[str, int] = {}
    rows = []
    for t in timelines:
        s = t.latest.first
        cells = []
        for y in years:
            entry = t.by_year.get(y)
            if entry is None:
                cells.append(-1)
            else:
                e = entry.first
                cells.append([CLASS_ORDER.index(e.status_class), designations.setdefault(e.row.status, len(designations))])
        rows.append([s.row.metal, s.row.smelter_name, t.names[1:], s.country_name, s.country_code, s.smelter_id,
                     cells, " ".join(risk_tokens(s)), risk_badges(s, {})])
    payload = {"years": years, "classes": list(CLASS_ORDER),
               "labels": [reference.classes[c].label for c in CLASS_ORDER], "designations": list(designations), "rows": rows}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
