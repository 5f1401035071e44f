"""The cross-filing index: every smelter ever listed, one row per smelter and metal, a column
per filing; as an HTML table, and beyond 2,000 smelters as the compact JSON its script reads."""
from __future__ import annotations

import json

from markupsafe import Markup

from disclosures.engine.compare import Timeline
from disclosures.engine.reference import CLASS_ORDER, Reference
from disclosures.engine.smelter_keys import timeline_ids
from disclosures.site.render.html import script_json
from disclosures.site.render.tables import long_word, risk_badges, risk_tokens, table_labels
from disclosures.site.render.templating import render

INDEX_HTML_ROWS = 2000    # up to this many smelters, the index page holds every row as HTML
INDEX_PARTIAL_ROWS = 40   # beyond it, this many as HTML (as many as the script shows: none is removed)


def index_table(timelines: list[Timeline], years: list[int], reference: Reference, downloads_html: str = "",
                keys: list[str] | None = None, pages: str = "", download: str = "") -> Markup:
    """Up to INDEX_HTML_ROWS smelters, every row is HTML. Beyond (a decade of large filings) a
    10,000-row page measured 20 MB and ~45 s to load in Chromium, so the page holds the first
    INDEX_PARTIAL_ROWS as HTML and every row as compact JSON in a script data block
    (index_rows_json), which the script reads. In the page rather than fetched: the fetch
    waited 35-70 ms for the main thread after the page was ready (measured in scripts/bench_browser.py).
    """
    partial = len(timelines) > INDEX_HTML_ROWS
    keys = keys or [""] * len(timelines)
    shown = INDEX_PARTIAL_ROWS if partial else len(timelines)
    return render("cm/smelter_index.html", rows=list(zip(timelines[:shown], keys[:shown])), pages=pages, download=download,
                  total=len(timelines), years=years, partial=partial, downloads=downloads_html,
                  rows_json=script_json(index_rows_json(timelines, years, reference, keys)) if partial else "",
                  labels=table_labels(reference, facet_names={"class": ("Class in its latest filing", "All classes")}),
                  ids=[timeline_id(t) for t in timelines[:shown]], risk_tokens=risk_tokens,
                  risk_badges=lambda s: risk_badges(s, {}), class_rank=CLASS_ORDER.index, long_word=long_word)


def timeline_id(t: Timeline) -> tuple[str, bool]:
    """(the smelter's RMI ID, whether this site resolved it rather than a filing printing it)."""
    published, resolved = timeline_ids(t)
    return (published, False) if published else (resolved, bool(resolved))


def index_rows_json(timelines: list[Timeline], years: list[int], reference: Reference, keys: list[str] | None = None) -> bytes:
    """Every index row, compactly: ~10x smaller than the rows' HTML (14 MB at 10,000 rows).

    {"years", "classes", "labels", "designations", "badges", "rows": [[metal, name, [other names],
    country, code, smelter ID (published or resolved), [year index, class index, designation index,
    ...] for the filings listing it, risk tokens, badges index or -1, the smelter's page key, 1 when
    the ID is this site's resolution (no filing printed it)]]}.
    Sparse cells and shared badge markup: 1.66 MB became ~1.0 MB at 10,000 rows over 20 filings,
    which the browser parses before the table is usable.
    """
    designations: dict[str, int] = {}
    badges: dict[str, int] = {}
    # What each filing calls each class (its legend may qualify one, as the HTML rows show it).
    year_labels = [[reference.classes[c].label for c in CLASS_ORDER] for _ in years]
    year_qualified = [[False] * len(CLASS_ORDER) for _ in years]
    rows = []
    keys = keys or [""] * len(timelines)
    for t, key in zip(timelines, keys):
        s = t.latest.first
        cells = []
        for i, y in enumerate(years):
            entry = t.by_year.get(y)
            if entry is not None:
                e = entry.first
                k = CLASS_ORDER.index(e.status_class)
                year_labels[i][k], year_qualified[i][k] = e.class_label, e.qualified
                cells += [i, k, designations.setdefault(e.row.status, len(designations))]
        tokens = " ".join(risk_tokens(s))
        badge = badges.setdefault(str(risk_badges(s, {})), len(badges)) if tokens else -1
        found, resolved = timeline_id(t)
        rows.append([s.row.metal, s.row.smelter_name, t.names[1:], s.country_name, s.country_code, found,
                     cells, tokens, badge, key, 1 if resolved else 0])
    payload = {"years": years, "classes": list(CLASS_ORDER), "labels": [reference.classes[c].label for c in CLASS_ORDER],
               "year_labels": year_labels, "year_qualified": year_qualified,
               "designations": list(designations), "badges": list(badges), "rows": rows}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
