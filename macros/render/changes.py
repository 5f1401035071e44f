"""Change logs between filings and the smelter index across all filings, as HTML tables."""
from __future__ import annotations

import json

from markupsafe import Markup

from ..compare import SECTION_TITLES, Diff, Entry, Pair, Timeline
from ..reference import METALS, Reference
from .html import attr, text
from ..reference import CLASS_ORDER
from .tables import class_badge, risk_badges, risk_tokens, table_attrs

SECTION_HELP = {
    "added": "Listed now, not in the earlier filing.",
    "removed": "Listed in the earlier filing, not now.",
    "improved": "Now in a better class (e.g. No -> Full Compliant, Active -> Conformant).",
    "worsened": "Now in a worse class.",
    "reworded": "Same class under the audit programme's newer wording (e.g. Yes -> Full Compliant): "
                "not a change of status.",
    "unchanged": "Same class and the same designation.",
    "renamed": "The same smelter (by smelter ID or a staff-confirmed alias) under a different name. "
               "Also counted in one of the sections above.",
    "relocated": "The same smelter now listed in a different country. Also counted in one of the sections above.",
}


def summary_sentence(d: Diff) -> str:
    c = d.counts()
    return (f"{c['added']:,} smelters added, {c['removed']:,} removed, {c['improved']:,} improved and "
            f"{c['worsened']:,} worsened since the {d.old_year} filing.")


def counts_table(d: Diff) -> Markup:
    by_metal = d.counts_by_metal()
    metals = [m for m in METALS if any(by_metal[s].get(m) for s in SECTION_TITLES)]
    head = "".join(f'<th scope="col">{m}</th>' for m in metals)
    rows = "".join(
        f'<tr><th scope="row"><a href="#{name}">{SECTION_TITLES[name]}</a></th>'
        + "".join(f"<td>{by_metal[name].get(m, 0):,}</td>" for m in metals)
        + f"<td>{len(d.section(name)):,}</td></tr>"
        for name in SECTION_TITLES
    )
    return Markup(
        f'<div class="cm-summary"><table><caption>Changes from {d.old_year} to {d.new_year} by metal</caption>'
        f'<thead><tr><th scope="col">Section</th>{head}<th scope="col">Total</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></div>\n"
    )


def _side(entry: Entry | None, year: int, reference: Reference) -> str:
    if entry is None:
        return f'<span class="cm-muted">not listed in {year}</span>'
    s = entry.first
    repeat = f' <span class="cm-muted">(listed {len(entry.rows)}×)</span>' if len(entry.rows) > 1 else ""
    return f"{text(s.row.status)} {class_badge(s.status_class, reference, s.class_label)}{repeat}"


def section_table(d: Diff, name: str, reference: Reference) -> Markup:
    items = d.section(name)
    if not items:
        return Markup('<p class="cm-muted">None.</p>\n')
    rows = []
    for item in items:
        old, new = (None, item) if name == "added" else (item, None) if name == "removed" else (item.old, item.new)
        current = new or old
        s = current.first
        name_cell = text(s.row.smelter_name)
        if old and new and old.first.row.smelter_name != new.first.row.smelter_name:
            name_cell += Markup(f'<br><span class="cm-muted">{d.old_year}: {text(old.first.row.smelter_name)}</span>')
        country = text(s.row.country)
        if old and new and old.first.country_code != new.first.country_code:
            country = Markup(f"{text(old.first.row.country)} → {text(new.first.row.country)}")
        how = text(item.matched_by) if isinstance(item, Pair) else ""
        rows.append(
            f'<tr data-metal="{s.row.metal}" data-class="{s.status_class}" data-country="{attr(s.country_name)}" '
            f'data-risk="{" ".join(risk_tokens(s))}"><td>{s.row.metal}</td><th scope="row">{name_cell}</th>'
            f"<td>{country}</td><td>{_side(old, d.old_year, reference)}</td><td>{_side(new, d.new_year, reference)}</td>"
            f"<td>{how}</td></tr>"
        )
    return Markup(
        f'<div class="cm-table" {table_attrs(reference)}>\n<table id="{name}-{d.new_year}">'
        f"<caption>{SECTION_TITLES[name]}: {len(items):,} smelters, {d.old_year} to {d.new_year}</caption>\n"
        f'<thead><tr><th scope="col">Metal</th><th scope="col">Smelter or refiner</th><th scope="col">Country</th>'
        f'<th scope="col">{d.old_year}</th><th scope="col">{d.new_year}</th><th scope="col">Matched by</th></tr></thead>\n'
        f"<tbody>\n" + "\n".join(rows) + "\n</tbody></table>\n</div>\n"
    )


def changes_page(d: Diff, reference: Reference, downloads_html: str, place=None) -> Markup:
    """Markdown (headings, so the table of contents lists the sections) around HTML tables.

    `place(html, entries)` may swap each table for a placeholder (see build.Slots).
    """
    place = place or (lambda html, entries: html)
    parts = [
        f"<p class=\"cm-lead\">{text(summary_sentence(d))}</p>\n",
        counts_table(d),
        downloads_html,
    ]
    for name in SECTION_TITLES:
        parts.append(f"\n## {SECTION_TITLES[name]} ({len(d.section(name)):,}) {{ #{name} }}\n\n"
                     f"{SECTION_HELP[name]}\n\n")
        entries = [item if isinstance(item, Entry) else item.new for item in d.section(name)]
        parts.append(place(section_table(d, name, reference), entries))
    return Markup("".join(parts))


INDEX_HTML_ROWS = 2000    # up to this many smelters, the index page holds every row as HTML
INDEX_PARTIAL_ROWS = 200  # beyond it, the page holds this many; the script loads every row as JSON


def _index_row(t: Timeline, years: list[int], reference: Reference) -> str:
    """One smelter's row. assets/js/smelter-table.js (indexRowHtml) renders the same from
    index_rows_json's record; a browser test checks the two agree."""
    s = t.latest.first
    names = t.names
    also = f'<br><span class="cm-muted">also listed as {text("; ".join(names[1:]))}</span>' if len(names) > 1 else ""
    cells = []
    for y in years:
        entry = t.by_year.get(y)
        if entry is None:
            cells.append('<td data-value="-1">–</td>')
            continue
        e = entry.first
        cells.append(f'<td class="cm-k cm-k--{e.status_class}" data-value="{CLASS_ORDER.index(e.status_class)}" '
                     f'title="Published designation: {attr(e.row.status)}">{text(e.class_label)}</td>')
    return (f'<tr data-metal="{s.row.metal}" data-class="{s.status_class}" data-country="{attr(s.country_name)}" '
            f'data-risk="{" ".join(risk_tokens(s))}" data-year="{" ".join(map(str, t.years))}"><td>{s.row.metal}</td>'
            f'<th scope="row">{text(s.row.smelter_name)}{also}</th>'
            f'<td>{text(s.country_name)} <span class="cm-iso">{s.country_code}</span></td>{"".join(cells)}'
            f"<td>{t.years[0]}</td><td>{t.years[-1]}</td><td>{risk_badges(s, {})}</td></tr>")


def index_table(timelines: list[Timeline], years: list[int], reference: Reference, rows_url: str = "",
                downloads_html: str = "") -> Markup:
    """Every smelter ever listed, one row per smelter and metal, a column per filing.

    Up to INDEX_HTML_ROWS smelters, every row is HTML. Beyond (a decade of large filings) a
    10,000-row page measured 20 MB and ~45 s to load in Chromium, so the page holds the first
    INDEX_PARTIAL_ROWS and the script loads every row from `rows_url` (index_rows_json).
    """
    head = "".join(f'<th scope="col" data-sort="class">{y}</th>' for y in years)
    partial = len(timelines) > INDEX_HTML_ROWS and bool(rows_url)
    shown = timelines[:INDEX_PARTIAL_ROWS] if partial else timelines
    rows = [_index_row(t, years, reference) for t in shown]
    source = f' data-rows-url="{attr(rows_url)}" data-total="{len(timelines)}"' if partial else ""
    note = (f'<p class="cm-partial-note">This page lists the first {len(shown):,} of {len(timelines):,} smelters; '
            f"with JavaScript on, search and filters cover all of them. Every row is in the downloads:</p>\n"
            f"{downloads_html}" if partial else "")
    return Markup(
        f'<div class="cm-table" {table_attrs(reference)}{source}>\n{note}<table id="smelter-index">'
        f"<caption>Every smelter and refiner listed in any filing ({len(timelines):,}), one row per smelter and metal"
        f"</caption>\n<thead><tr><th scope=\"col\">Metal</th><th scope=\"col\">Smelter or refiner (latest name)</th>"
        f'<th scope="col">Country (latest)</th>{head}<th scope="col">First listed</th><th scope="col">Last listed</th>'
        f'<th scope="col">Risk (latest)</th></tr></thead>\n<tbody>\n' + "\n".join(rows) + "\n</tbody></table>\n</div>\n"
    )


def index_rows_json(timelines: list[Timeline], years: list[int], reference: Reference) -> bytes:
    """Every index row, compactly: ~6x smaller than the rows' HTML (14 MB at 10,000 rows).

    {"years", "classes", "labels", "designations", "rows": [[metal, name, [other names],
    country, code, smelter ID, cells, risk tokens, risk badges HTML]]}, a cell being -1 (not
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
        rows.append([s.row.metal, s.row.smelter_name, t.names[1:], s.country_name, s.country_code, s.row.smelter_id,
                     cells, " ".join(risk_tokens(s)), risk_badges(s, {})])
    payload = {"years": years, "classes": list(CLASS_ORDER),
               "labels": [reference.classes[c].label for c in CLASS_ORDER], "designations": list(designations), "rows": rows}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def index_records(timelines: list[Timeline], years: list[int]) -> list[dict]:
    records = []
    for t in timelines:
        s = t.latest.first
        rec = {"metal": s.row.metal, "smelter_name": s.row.smelter_name, "other_names": "; ".join(t.names[1:]),
               "country": s.country_name, "country_code": s.country_code, "smelter_id": s.row.smelter_id,
               "first_listed": t.years[0], "last_listed": t.years[-1]}
        for y in years:
            e = t.by_year.get(y)
            rec[f"class_{y}"] = e.first.status_class if e else ""
            rec[f"designation_{y}"] = e.first.row.status if e else ""
        rec["in_covered_country"] = s.in_covered_country
        rec["restrictions"] = "; ".join(r.label for r in s.restrictions)
        records.append(rec)
    return records
