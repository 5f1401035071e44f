"""Smelter tables as real HTML: readable, printable and indexable without JavaScript.

The table carries its facet values in data-* attributes; assets/js/smelter-table.js reads them
to add search, filters, sorting and shareable URLs. Every cell is escaped (see html.py).
"""
from __future__ import annotations

import json

from markupsafe import Markup

from ..model import Filing, Smelter
from ..reference import CLASS_ORDER, METALS, Reference
from .html import attr, text



def table_attrs(reference: Reference) -> str:
    """The container's data-* for the script: what each class is called."""
    labels = json.dumps({k: c.label for k, c in reference.classes.items()})
    return f'data-smelter-table data-noun="smelters" data-class-labels="{attr(labels)}"'


def class_badge(key: str, reference: Reference) -> str:
    label = reference.classes[key].label
    return f'<span class="cm-badge cm-badge--{key}">{text(label)}</span>'


def risk_tokens(s: Smelter) -> list[str]:
    tokens = []
    if s.in_covered_country:
        tokens.append("covered")
    if s.greater_risk:
        tokens.append("greater-risk")
    tokens += sorted({r.kind for r in s.restrictions})
    return tokens


def risk_badges(s: Smelter, footnote_ids: dict[str, str]) -> str:
    badges = []
    if s.in_covered_country:
        badges.append('<span class="cm-badge cm-badge--covered">Covered Country</span>')
    if s.greater_risk:
        badges.append('<span class="cm-badge cm-badge--risk">Greater risk</span>')
    for r in s.restrictions:
        tip = f"{r.authority} {r.list}, since {r.date:%B} {r.date.day}, {r.date.year}"
        badges.append(f'<span class="cm-badge cm-badge--{r.kind}" title="{attr(tip)}">{text(r.label)}</span>')
    if s.row.footnote and s.row.footnote in footnote_ids:
        badges.append(f'<a class="cm-footnote-ref" href="#{footnote_ids[s.row.footnote]}">'
                      f'see footnote {text(s.row.footnote)}</a>')
    return " ".join(badges)


def footnote_anchor(year: int, index: int) -> str:
    return f"footnote-{year}-{index + 1}"


def smelter_table(filing: Filing, reference: Reference, table_id: str | None = None) -> Markup:
    footnote_ids = {f.marker: footnote_anchor(filing.year, i) for i, f in enumerate(filing.meta.footnotes)}
    table_id = table_id or f"smelters-{filing.year}"
    caption = (f"Smelters and refiners listed in the {filing.year} Conflict Minerals Report "
               f"({filing.stats.facilities:,} rows)")
    head = (
        '<thead><tr>'
        '<th scope="col" data-sort="text">Metal</th>'
        '<th scope="col" data-sort="text">Smelter or refiner</th>'
        '<th scope="col" data-sort="text">Country</th>'
        '<th scope="col" data-sort="text">Smelter ID</th>'
        f'<th scope="col" data-sort="text">Designation as published <span class="cm-muted">({text(filing.meta.designation_column)})</span></th>'
        '<th scope="col" data-sort="class">Class</th>'
        '<th scope="col" data-sort="text">Risk</th>'
        '</tr></thead>'
    )
    body = [_row(s, reference, footnote_ids) for s in filing.smelters]
    return Markup(
        f'<div class="cm-table" {table_attrs(reference)}>\n'
        f'<table id="{attr(table_id)}">\n<caption>{text(caption)}</caption>\n{head}\n<tbody>\n'
        + "\n".join(body)
        + "\n</tbody>\n</table>\n</div>\n"
        + footnotes_block(filing)
    )


def _row(s: Smelter, reference: Reference, footnote_ids: dict[str, str]) -> str:
    r = s.row
    country = f'{text(r.country)} <span class="cm-iso">{s.country_code}</span>'
    cid = text(r.smelter_id) if r.smelter_id else '<span class="cm-muted">not given</span>'
    marker = f'<sup>{text(r.footnote)}</sup>' if r.footnote else ""
    return (
        f'<tr data-metal="{r.metal}" data-class="{s.status_class}" data-country="{attr(s.country_name)}" '
        f'data-risk="{" ".join(risk_tokens(s))}">'
        f'<td>{r.metal}</td><th scope="row">{text(r.smelter_name)}{marker}</th><td>{country}</td>'
        f'<td>{cid}</td><td>{text(r.status)}</td><td data-value="{CLASS_ORDER.index(s.status_class)}">'
        f'{class_badge(s.status_class, reference)}</td><td>{risk_badges(s, footnote_ids)}</td></tr>'
    )


def footnotes_block(filing: Filing) -> str:
    if not filing.meta.footnotes:
        return ""
    items = "\n".join(
        f'<li id="{footnote_anchor(filing.year, i)}"><span class="cm-footnote-marker">{text(f.marker)}</span> {text(f.text)}</li>'
        for i, f in enumerate(filing.meta.footnotes)
    )
    return f'<ol class="cm-footnotes" aria-label="Footnotes to the {filing.year} smelter list">\n{items}\n</ol>\n'


def summary_table(filing: Filing, reference: Reference) -> Markup:
    """Rows by metal x class, with totals, as the report's summary."""
    classes = [c for c in CLASS_ORDER if any(filing.stats.by_metal_class.get((m, c)) for m in METALS)]
    metals = [m for m in METALS if filing.stats.by_metal.get(m)]
    head = "".join(f'<th scope="col">{text(reference.classes[c].label)}</th>' for c in classes)
    rows = []
    for metal in metals:
        cells = "".join(f'<td>{filing.stats.by_metal_class.get((metal, c), 0):,}</td>' for c in classes)
        rows.append(f'<tr><th scope="row">{metal}</th>{cells}<td>{filing.stats.by_metal[metal]:,}</td></tr>')
    totals = "".join(f'<td>{filing.stats.by_class.get(c, 0):,}</td>' for c in classes)
    rows.append(f'<tr class="cm-total"><th scope="row">All metals</th>{totals}<td>{filing.stats.facilities:,}</td></tr>')
    return Markup(
        f'<div class="cm-summary"><table>\n<caption>{filing.year} smelter and refiner rows by metal and class</caption>\n'
        f'<thead><tr><th scope="col">Metal</th>{head}<th scope="col">Total</th></tr></thead>\n'
        f'<tbody>\n' + "\n".join(rows) + "\n</tbody>\n</table></div>\n"
    )
