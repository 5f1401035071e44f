"""Change logs between filings: the counts, a table per section, the page around them."""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from disclosures.engine.compare import SECTION_TITLES, Diff, Entry, Pair
from disclosures.engine.reference import METALS, Reference
from disclosures.site.render.tables import long_word, risk_tokens, table_labels
from disclosures.site.render.templating import render

SECTION_HELP = {
    "added": "Listed now, not in the earlier filing.",
    "removed": "Listed in the earlier filing, not now.",
    "improved": "Now in a better class (e.g. No -> Full Compliant, Active -> Conformant).",
    "worsened": "Now in a worse class.",
    "incomparable": "One filing's own legend gives its designation a meaning the other filing's does not (e.g. a "
                    "\"Yes\" that means conformant or undeterminable), so the class cannot be compared: neither "
                    "improved, worsened nor the same.",
    "unstated": "One of the two filings published no designation for this smelter, so its class "
                "cannot be compared: neither improved nor worsened.",
    "reworded": "Same class under the audit programme's newer wording (e.g. Yes -> Full Compliant): "
                "not a change of status.",
    "unchanged": "Same class and the same designation.",
    "renamed": "The same smelter (by smelter ID or a staff-confirmed alias) under a different name. "
               "Also counted in one of the sections above.",
    "relocated": "The same smelter now listed in a different country. Also counted in one of the sections above.",
}


@dataclass(frozen=True)
class ChangeRow:
    """One smelter of a section: its entry in each filing (None where it is not listed)."""

    old: Entry | None
    new: Entry | None
    matched_by: str = ""


def change_rows(d: Diff, name: str) -> list[ChangeRow]:
    items = d.section(name)
    if name == "added":
        return [ChangeRow(None, e) for e in items]
    if name == "removed":
        return [ChangeRow(e, None) for e in items]
    return [ChangeRow(p.old, p.new, p.matched_by) for p in items if isinstance(p, Pair)]


def summary_sentence(d: Diff) -> str:
    c = d.counts()
    apart = (f"; {c['incomparable']:,} cannot be compared (a filing's own legend)" if c["incomparable"] else "")
    return (f"{c['added']:,} smelters added, {c['removed']:,} removed, {c['improved']:,} improved and "
            f"{c['worsened']:,} worsened since the {d.old_year} filing{apart}.")


def _rows_for(count_rows: int, smelters: int) -> str:
    repeats = count_rows - smelters
    return f"{count_rows:,} rows for {smelters:,} smelters" + (f" ({repeats:,} listed more than once)" if repeats else "")


def reconciliation(d: Diff) -> str:
    """How the counts add up: a change log counts smelters, a list counts rows."""
    old = len(d.removed) + len(d.pairs)
    new = len(d.added) + len(d.pairs)
    old_rows = sum(len(e.rows) for e in d.removed) + sum(len(p.old.rows) for p in d.pairs)
    new_rows = sum(len(e.rows) for e in d.added) + sum(len(p.new.rows) for p in d.pairs)
    return (f"How the counts add up: the {d.old_year} list has {_rows_for(old_rows, old)} and the {d.new_year} list "
            f"{_rows_for(new_rows, new)}; {old:,} − {len(d.removed):,} removed + {len(d.added):,} added = {new:,} smelters.")


def shown_sections(d: Diff) -> dict[str, str]:
    """Every section, but "unstated" only when a filing without designations makes it occur."""
    return {k: v for k, v in SECTION_TITLES.items() if k != "unstated" or d.section(k)}


def counts_table(d: Diff) -> Markup:
    by_metal, sections = d.counts_by_metal(), shown_sections(d)
    metals = [m for m in METALS if any(by_metal[s].get(m) for s in sections)]
    return render("cm/change_counts.html", d=d, metals=metals, by_metal=by_metal, sections=sections)


def section_table(d: Diff, name: str, reference: Reference, page_of=lambda s: "") -> Markup:
    """`page_of(s)`: the address of a smelter's page ("" for none)."""
    return render("cm/change_section.html", d=d, name=name, title=SECTION_TITLES[name], rows=change_rows(d, name),
                  labels=table_labels(reference), risk_tokens=risk_tokens, long_word=long_word, footnote_ids={},
                  page_of=page_of)


def changes_page(d: Diff, reference: Reference, downloads_html: str, place=None, page_of=lambda s: "") -> Markup:
    """Markdown (headings, so the table of contents lists the sections) around HTML tables.

    `place(html)` may swap each table for a placeholder (see state.Slots).
    """
    place = place or (lambda html: html)
    sections = shown_sections(d)
    tables = {name: place(section_table(d, name, reference, page_of)) for name in sections}
    return render("cm/changes.md", d=d, sentence=summary_sentence(d), reconciliation=reconciliation(d), counts=counts_table(d),
                  downloads=downloads_html, sections=sections, help=SECTION_HELP, tables=tables)
