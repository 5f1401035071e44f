"""Binds the engine to mkdocs-macros: thin wrappers that ask the model and render.

The engine (load, classify, compare, render) lives in the modules beside this file and is
tested without MkDocs. Every macro and variable here is documented on docs/staff-guide.md,
which is generated from the MACROS registry below.
"""
from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from .build import SERVING, SLOTS, get_site, page_year, relative_url
from .errors import DataError
from .staff_errors import DidYouMeanUndefined, error_page, install_error_format, set_candidates
from .reference import CLASS_ORDER
from .narrative import FILTERS, figure_docs, figures_of, longdate
from .render import changes as change_render
from .render import charts, tables
from .render.form_sd import form_sd as render_form_sd
from .render.html import inline_text, text


def define_env(env):
    install_error_format(env.project_dir)  # macro errors name file and line, without a traceback
    if SERVING.error:  # `mkdocs serve` with broken data: every page shows the error instead
        env.cm_site = None
        return
    try:
        site = get_site(Path(env.project_dir) / "data")
    except DataError:
        if SERVING.on:
            env.cm_site = None
            return
        raise
    env.cm_site = site  # the model of this build, for on_pre_page_macros

    def current():
        year = page_year(env.page.file.src_uri) if env.page else None
        if year is None:
            raise ValueError(f"this macro only works on a filing-year page (docs/YYYY/), not {env.page.file.src_uri}")
        return site.filing(year[0])

    def link(target: str) -> str:
        return relative_url(env.page.url, target)

    # ---- filing-year macros --------------------------------------------------------------
    def form_sd():
        filing = current()
        return render_form_sd(filing, draft=filing.year in site.drafts)

    def searchable(smelters) -> str:
        return "; ".join(f"{s.row.smelter_name} {s.row.smelter_id}".strip() for s in smelters)

    def smelter_table(view: str | None = None):
        filing = current()
        view = view or ("filed" if env.page.file.src_uri.endswith("/report.md") else "analysis")
        if view not in ("filed", "analysis"):
            raise ValueError(f"smelter_table(view=...) is 'filed' or 'analysis', not {view!r}")
        table = tables.smelter_table(filing, site.reference, view, analysis_url=link(f"{filing.year}/smelters/"))
        return SLOTS.put(table, searchable(filing.smelters))

    def smelter_summary():
        return tables.summary_table(current(), site.reference)

    def download_links():
        year = current().year
        return downloads_list(f"smelters-{year}", f"the {year} smelter list")

    def downloads_list(stem: str, what: str, formats=("csv", "xlsx", "json")):
        labels = {"csv": "CSV", "xlsx": "Excel (XLSX)", "json": "JSON"}
        items = "".join(f'<li><a class="md-button" href="{link(f"downloads/{stem}.{ext}")}" download>{labels[ext]}</a></li>'
                        for ext in formats)
        return Markup(f'<ul class="cm-downloads" aria-label="Download {text(what)}">{items}</ul>\n')

    def changes():
        filing = current()
        d = site.diffs.get(filing.year)
        if d is None:
            raise ValueError(f"{filing.year} is the first filing: there is nothing to compare it with")
        return change_render.changes_page(
            d, site.reference, downloads_list(f"changes-{d.old_year}-{d.new_year}", "these changes", ("csv", "json")),
            place=lambda html, entries: SLOTS.put(html, searchable(e.first for e in entries)))

    def changes_summary():
        d = site.diffs.get(current().year)
        if d is None:
            return Markup("This is the first filing published here.")
        return Markup(f'{text(change_render.summary_sentence(d))} '
                      f'<a href="{link(f"{d.new_year}/changes/")}">See the changes</a>.')

    def smelter_index():
        table = change_render.index_table(list(site.timelines), site.years, site.reference,
                                          rows_url=link("downloads/smelter-index.rows.json"),
                                          downloads_html=smelter_index_downloads())
        return SLOTS.put(table, searchable(t.latest.first for t in site.timelines))

    def smelter_index_downloads():
        return downloads_list("smelter-index", "every smelter across filings")

    def footnotes():
        return Markup(tables.footnotes_block(current()))

    def status_legend():
        legend = current().meta.designation_legend
        items = "".join(f"<dt>{text(k)}</dt><dd>{text(v) if v else '<em>The filing does not define this designation.</em>'}</dd>"
                        for k, v in legend.items())
        return Markup(f'<details class="cm-legend-box"><summary>What the designations in this filing mean</summary>'
                      f'<dl class="cm-legend">{items}</dl></details>')

    # ---- site-wide macros ----------------------------------------------------------------
    def trend_chart():
        series = {
            metal: [(y, site.filing(y).stats.share_conformant_for(metal)) for y in site.years]
            for metal in ("Gold", "Tantalum", "Tin", "Tungsten")
        }
        series["All metals"] = [(y, site.filing(y).stats.share_conformant) for y in site.years]
        chart = charts.line_chart("Share of listed smelters and refiners in the conformant class, by metal and filing year",
                                  series, "trend")
        plain = site.reference.classes["conformant"].label
        labels = {y: site.filing(y).class_label("conformant", site.reference) for y in site.years}
        notes = "".join(f'<p class="cm-chart-note">{y}: the filing\'s legend makes this share '
                        f'“{text(label.lower())}”, so it is not plainly conformant.</p>'
                        for y, label in labels.items() if label != plain)
        return Markup(chart + notes)

    def filings_overview():
        cards = []
        for year in reversed(site.years):
            f, prev = site.filing(year), site.previous(year)
            fig = figures_of(f)
            delta = ""
            if prev:
                change = f.stats.facilities - prev.stats.facilities
                delta = (f'<li><strong>{change:+,}</strong> rows since the {prev.year} filing ({prev.stats.facilities:,})</li>'
                         f'<li>{text(change_render.summary_sentence(site.diffs[year]))} '
                         f'<a href="{link(f"{year}/changes/")}">Changes</a></li>')
            bar = charts.share_bar([(c, f.class_label(c, site.reference), f.stats.by_class.get(c, 0))
                                    for c in CLASS_ORDER if f.stats.by_class.get(c)],
                                   f"{year} rows by class")
            filed = (f'<p class="cm-draft-label"><strong>Draft — not filed</strong></p>' if year in site.drafts else
                     f'<p class="cm-muted">Form SD filed on <time datetime="{f.meta.filed_on.isoformat()}">'
                     f'{longdate(f.meta.filed_on)}</time> by {text(f.meta.registrant.name)}</p>')
            cards.append(
                f'<article class="cm-card"><h3><a href="{link(f"{year}/report/")}">{year} filing</a></h3>{filed}'
                f'<p class="cm-conclusion"><strong>Conclusion, in the filing\'s words:</strong> '
                f'<q>{text(f.meta.conclusion.quote)}</q></p>'
                f'<ul class="cm-figures"><li><strong>{fig.facilities:,}</strong> smelters and refiners listed</li>'
                f'<li><strong>{fig.share_conformant:.0%}</strong> {text(f.class_label("conformant", site.reference).lower())} '
                f'({fig.conformant:,})</li>'
                f'<li><strong>{fig.in_covered_countries:,}</strong> in Covered Countries</li>{delta}</ul>{bar}'
                f'<p><a href="{link(f"{year}/")}">Form SD</a> · <a href="{link(f"{year}/report/")}">Report</a> · '
                f'<a href="{link(f"{year}/smelters/")}">Smelter list</a></p></article>'
            )
        return Markup('<div class="cm-cards">' + "".join(cards) + "</div>")

    def class_map():
        rows = "".join(
            f'<tr><td>{text(word)}</td><td>{tables.class_badge(cls, site.reference)}</td></tr>'
            for word, cls in sorted(site.reference.designations.items(), key=lambda kv: (CLASS_ORDER.index(kv[1]), kv[0]))
        )
        classes = "".join(f"<dt>{tables.class_badge(c.key, site.reference)}</dt><dd>{text(c.description)}</dd>"
                          for c in site.reference.classes.values())
        return Markup(f'<dl class="cm-legend">{classes}</dl>\n<table><caption>Published designations and their class '
                      f'(compared ignoring case)</caption><thead><tr><th scope="col">Designation</th>'
                      f'<th scope="col">Class</th></tr></thead><tbody>{rows}</tbody></table>')

    def covered_countries():
        items = "".join(f"<li>{text(name)} ({code})</li>" for code, name in site.reference.covered_countries.items())
        return Markup(f'<ul class="cm-columns">{items}</ul>')

    def restrictions_table():
        rows = "".join(
            f"<tr><td>{text(', '.join(sorted(r.names)))}</td><td>{r.metal}</td><td>{r.country}</td>"
            f"<td>{text(r.label)}</td><td>{text(r.list)}</td><td>{r.date.isoformat()}</td><td>{text(r.source)}</td></tr>"
            for r in site.reference.restrictions
        )
        return Markup('<table><caption>Sanctions and suspensions checked against every row</caption><thead><tr>'
                      '<th scope="col">Names matched (folded)</th><th scope="col">Metal</th><th scope="col">Country</th>'
                      '<th scope="col">Flag</th><th scope="col">List</th><th scope="col">Since</th><th scope="col">Source</th>'
                      f'</tr></thead><tbody>{rows}</tbody></table>')

    def staff_reference():
        macro_rows = "".join(f"<tr><td><code>{text('{{ ' + name + '() }}')}</code></td><td>{text(doc)}</td></tr>"
                             for name, (_, doc) in MACROS.items())
        figure_rows = "".join(f"<tr><td><code>{text('{{ figures.' + name + ' }}')}</code></td><td>{text(doc)}</td></tr>"
                              for name, doc in figure_docs())
        filter_rows = "".join(f"<tr><td><code>{text(name)}</code></td><td>{text(doc)}</td></tr>"
                              for name, (_, doc) in FILTERS.items())
        var_rows = "".join(f"<tr><td><code>{text('{{ ' + name + ' }}')}</code></td><td>{text(doc)}</td></tr>"
                           for name, doc in VARIABLES.items())
        head = '<thead><tr><th scope="col">Write</th><th scope="col">What it gives</th></tr></thead>'
        return Markup(
            f'<h2 id="macros">Macros</h2><table>{head}<tbody>{macro_rows}</tbody></table>'
            f'<h2 id="figures">Figures (filing-year pages)</h2><table>{head}<tbody>{figure_rows}</tbody></table>'
            f'<h2 id="variables">Other variables (filing-year pages)</h2><table>{head}<tbody>{var_rows}</tbody></table>'
            f'<h2 id="filters">Filters</h2><table>{head}<tbody>{filter_rows}</tbody></table>'
        )

    MACROS = {
        "form_sd": (form_sd, "The whole Form SD (cover page, items, signature, exhibit index) from data/filings/YYYY.yaml"),
        "smelter_table": (smelter_table, "The year's full smelter list as a searchable, filterable, sortable table, with its footnotes. "
                                         "On the report it opens as filed (the filed columns only), elsewhere with this site's "
                                         "analysis columns; smelter_table(view='filed') or view='analysis' chooses"),
        "smelter_summary": (smelter_summary, "Rows by metal and class, with totals"),
        "download_links": (download_links, "Links to the year's smelter list as CSV, Excel and JSON"),
        "changes": (changes, "The year's change log against the previous filing: counts by metal, a table per section, downloads"),
        "changes_summary": (changes_summary, 'One sentence: "N smelters added, M removed, K improved and J worsened since the YYYY filing."'),
        "smelter_index": (smelter_index, "Any page: every smelter ever listed, one row per smelter and metal, a column per filing"),
        "smelter_index_downloads": (smelter_index_downloads, "Any page: download links for the cross-filing index"),
        "footnotes": (footnotes, "The filing's footnotes (already included under smelter_table)"),
        "status_legend": (status_legend, "What each designation meant in the filing, in its own words"),
        "trend_chart": (trend_chart, "Any page: share conformant per metal across all filings, as an accessible SVG chart"),
        "filings_overview": (filings_overview, "Any page: one card per filing, newest first, with headline figures"),
        "class_map": (class_map, "Any page: every published designation and the class it counts as"),
        "covered_countries": (covered_countries, "Any page: the ten Covered Countries"),
        "restrictions_table": (restrictions_table, "Any page: the sanctions and suspensions rows are checked against"),
        "staff_reference": (staff_reference, "Any page: this reference"),
    }
    VARIABLES = {
        "filing.year": "The page's filing year",
        "filing.meta.registrant.name": "Any field of data/filings/YYYY.yaml, by its path (e.g. filing.meta.rcoi.responses)",
        "filing.meta.filed_on | longdate": "The filing date",
        "previous.year": "The previous filing's year (only on pages of a year that has one)",
        "previous_figures.facilities": "Any figure of the previous filing",
        "supplier_survey.workbooks_received": "From data/rcoi/YYYY.yaml (written by scripts/ingest_cmrt.py): also "
                                              "workbooks_accepted, suppliers, suppliers_sourcing_from_covered_countries, "
                                              "suppliers_all_smelters_identified, smelters. Undefined (the build stops) "
                                              "for a year without ingested CMRTs.",
    }
    for name, (function, _) in MACROS.items():
        env.macro(function, name)
    for name, (function, _) in FILTERS.items():
        env.filter(function, name)
    env.variables["site_years"] = site.years
    set_candidates(list(MACROS) + list(FILTERS) + ["filing", "figures", "previous", "previous_figures",
                                                    "supplier_survey", "site_years"])


def _inert_in_markdown(value):
    """A value written with {{ ... }}: macro HTML (Markup) and numbers as they are; any other
    text (YAML fields, names) as plain characters that neither HTML nor Markdown can act on."""
    if isinstance(value, (Markup, int, float)) or value is None:
        return value
    return inline_text(value)


def on_pre_page_macros(env):
    """Bind `filing`, `figures`, `previous` to the page's year; escape every variable."""
    # Autoescape: any string from data (YAML text, names) becomes inert text; macros return
    # Markup for the HTML they build themselves.
    env.env.autoescape = True
    env.env.finalize = _inert_in_markdown  # ... and inert as Markdown, which reads the page next
    env.env.undefined = DidYouMeanUndefined  # a misspelt name says "did you mean ..."
    site = env.cm_site
    if site is None:
        env.markdown = error_page(SERVING.error or "the data could not be loaded; see the terminal", through_jinja=True)
        return
    for name in ("filing", "figures", "previous", "previous_figures", "supplier_survey"):
        env.variables.pop(name, None)
    year = page_year(env.page.file.src_uri)
    if year is None:
        return
    filing = site.filing(year[0])
    env.variables["filing"] = filing
    env.variables["figures"] = figures_of(filing)
    if filing.supplier_survey:
        env.variables["supplier_survey"] = filing.supplier_survey
    previous = site.previous(filing.year)
    if previous:
        env.variables["previous"] = previous
        env.variables["previous_figures"] = figures_of(previous)
