"""The macros, filters and variables a page can use, bound to the page being rendered.

Each macro asks the model (loaded once per build by the Publisher) and renders a template of
templates/cm/. Every macro and variable is documented on docs/staff-guide.md, which is generated
from the registries below (MACROS, VARIABLES, figures.FILTERS). Pages are rendered by the core
(publisher.Publisher.render_markdown), whatever generator prints the site.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from markupsafe import Markup

from disclosures.engine.figures import FILTERS, figure_docs, figures_of
from disclosures.engine.model import Filing
from disclosures.engine.reference import CLASS_ORDER
from disclosures.engine.schemas import SCHEMAS, fields, schema
from disclosures.site.render import changes as change_render
from disclosures.site.render import charts, data_package, smelter_index, smelter_page, tables
from disclosures.site.render.form_sd import form_sd as render_form_sd
from disclosures.site.render.key_facts import key_facts
from disclosures.site.page import relative_url
from disclosures.site.render.html import script_json
from disclosures.site.render.templating import render

DOWNLOAD_LABELS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "json": "JSON"}


class Macros:
    """The macros of one page: the build's model (through the Publisher) and the page."""

    def __init__(self, publisher, page):
        self.publisher, self.site, self.page = publisher, publisher.site, page

    # ---- helpers -------------------------------------------------------------------------
    def current(self) -> Filing:
        if self.page.year is None:
            raise ValueError(f"this macro only works on a filing-year page (docs/YYYY/), not {self.page.src_uri}")
        return self.site.filing(self.page.year)

    def link(self, target: str) -> str:
        return relative_url(self.page.url, target)

    def downloads_list(self, stem: str, what: str, formats=("csv", "xlsx", "json")) -> Markup:
        files = [(self.link(f"downloads/{stem}.{ext}"), DOWNLOAD_LABELS[ext]) for ext in formats]
        return render("cm/downloads.html", files=files, what=what)

    def smelter_href(self, s) -> str:
        """The page of a filing row's smelter across filings."""
        key = self.site.keys.of_row(s)
        return self.link(f"smelters/{key}/") if key else ""

    # ---- filing-year macros --------------------------------------------------------------
    def form_sd(self):
        filing = self.current()
        for block in filing.meta.form_sd:
            if block.image and not (self.publisher.docs / block.image.src).is_file():
                raise ValueError(f"data/filings/{filing.year}.yaml: the Form SD's image docs/{block.image.src} is missing")
        settings = self.publisher.settings
        return render_form_sd(filing, draft=filing.year in self.site.drafts, image_base=self.link(""),
                              cik=settings.cik if settings else None)

    def smelter_table(self, view: str | None = None):
        filing = self.current()
        view = view or "analysis"
        if view not in ("filed", "analysis"):
            raise ValueError(f"smelter_table(view=...) is 'filed' or 'analysis', not {view!r}")
        on_list = self.page.url.rstrip("/").endswith(f"{filing.year}/smelters")
        table = self.publisher.table(("smelter_table", filing.year, view, self.page.url), lambda: tables.smelter_table(
            filing, self.site.reference, view, analysis_url="" if on_list else self.link(f"{filing.year}/smelters/"),
            page_of=self.smelter_href, download=self.link(f"downloads/smelters-{filing.year}.json"),
            rows_memo=self.publisher.table_rows()))
        self.publisher.showed_rows(filing.year, self.page)
        return self.publisher.slots.put(table, kind="smelter_table")

    def smelter_summary(self):
        return tables.summary_table(self.current(), self.site.reference)

    def download_links(self):
        year = self.current().year
        return self.downloads_list(f"smelters-{year}", f"the {year} smelter list")

    def changes(self):
        filing = self.current()
        d = self.site.diffs.get(filing.year)
        if d is None:
            raise ValueError(f"{filing.year} is the first filing: there is nothing to compare it with")
        downloads = self.downloads_list(f"changes-{d.old_year}-{d.new_year}", "these changes", ("csv", "json"))
        return change_render.changes_page(
            d, self.site.reference, downloads,
            place=self.publisher.slots.put, page_of=self.smelter_href)

    def changes_summary(self):
        d = self.site.diffs.get(self.current().year)
        return render("cm/changes_summary.html", sentence=d and change_render.summary_sentence(d),
                      href=d and self.link(f"{d.new_year}/changes/"))

    def footnotes(self):
        return tables.footnotes_block(self.current())

    def status_legend(self):
        return render("cm/status_legend.html", legend=self.current().meta.designation_legend)

    # ---- site-wide macros ----------------------------------------------------------------
    def smelter_index(self):
        site = self.site
        table = smelter_index.index_table(list(site.timelines), site.years, site.reference,
                                          downloads_html=self.smelter_index_downloads(), keys=site.keys.keys,
                                          pages=self.link("smelters/"), download=self.link("downloads/smelter-index.json"))
        return self.publisher.slots.put(table)

    def smelter_index_downloads(self):
        return self.downloads_list("smelter-index", "every smelter across filings")

    def trend_chart(self):
        site = self.site
        if not site.years:
            return render("cm/trend_chart.html", chart=None, qualified=[])
        series = {metal: [(y, site.filing(y).stats.share_conformant_for(metal)) for y in site.years]
                  for metal in ("Gold", "Tantalum", "Tin", "Tungsten")}
        series["All metals"] = [(y, site.filing(y).stats.share_conformant) for y in site.years]
        title = "Share of listed smelters and refiners in the conformant class, by metal and filing year"
        plain = site.reference.classes["conformant"].label
        labels = [(y, site.filing(y).class_label("conformant", site.reference)) for y in site.years]
        qualified = frozenset(y for y, label in labels if label != plain)
        # Two or three filings: where each year stands, not a line implying a trend between them.
        # A share a filing's legend qualifies is not joined to the others: it is not the same measure.
        chart = charts.dot_chart(title, series, "trend", qualified=qualified) if len(site.years) <= 3 else \
            charts.line_chart(title, {m: [(y, None if y in qualified else s) for y, s in pts] for m, pts in series.items()},
                              "trend") + charts.dot_chart(title, series, "trend-figures", track=False, qualified=qualified)
        return render("cm/trend_chart.html", chart=chart, qualified=[(y, label) for y, label in labels if y in qualified])

    def filings_overview(self):
        return render("cm/filings_overview.html", cards=[self._card(year) for year in reversed(self.site.years)])

    def _card(self, year: int) -> dict:
        site = self.site
        f, prev = site.filing(year), site.previous(year)
        return {
            "filing": f, "previous": prev, "draft": year in site.drafts,
            "facts": key_facts(f, site.reference, self.link(f"{year}/smelters/"), framed=False),
            "change": prev and f.stats.facilities - prev.stats.facilities,
            "change_sentence": prev and change_render.summary_sentence(site.diffs[year]),
            "links": {"report": self.link(f"{year}/report/"), "form_sd": self.link(f"{year}/"),
                      "smelters": self.link(f"{year}/smelters/"), "changes": self.link(f"{year}/changes/")},
        }

    def class_map(self):
        ref = self.site.reference
        designations = sorted(ref.designations.items(), key=lambda kv: (CLASS_ORDER.index(kv[1]), kv[0]))
        return render("cm/class_map.html", classes=list(ref.classes.values()),
                      designations=[(word, ref.classes[c]) for word, c in designations])

    def covered_countries(self):
        return render("cm/covered_countries.html", countries=self.site.reference.covered_countries)

    def restrictions_table(self):
        return render("cm/restrictions_table.html", restrictions=self.site.reference.restrictions)

    def yaml_reference(self):
        files = [(name, pattern, schema(name).get("description", ""), fields(name)) for name, (_, pattern) in SCHEMAS.items()]
        return render("cm/yaml_reference.html", files=files)

    def staff_commands(self):
        return render("cm/staff_commands.html", commands=dev_commands(self.publisher.root / "scripts" / "dev"))

    def site_corrections(self):
        years = [(e.year, e.corrections) for e in self.publisher.year_entries() if e.corrections]
        return render("cm/corrections.html", years=years, place=self.publisher.slots.put)

    def smelter_page(self, key: str):
        """The page of one smelter across filings (generated as smelters/KEY.md)."""
        t = self.site.keys.timeline(key)
        if t is None:
            raise ValueError(f"smelter_page({key!r}): no smelter has that key")
        body = self.publisher.rendered_smelter_body(self.page.src_uri)
        if body is None:
            body = self.smelter_body(key)
        return smelter_page.heading(t) + self.publisher.slots.put(body)

    def smelter_body(self, key: str):
        """A smelter page's body (its names, IDs, each filing's words, flags), for this page's address."""
        return smelter_page.smelter_page(self.site.keys.timeline(key), key, self.site.reference, self.link,
                                         self.publisher.site_url)

    def data_dictionary(self):
        site, link = self.site, self.link
        years = site.years
        change_pairs = [(d.old_year, d.new_year) for d in site.diffs.values()]
        formats = ("csv", "xlsx", "json")
        tables = [
            {"id": "smelter-lists", "title": "Each filing's smelter list", "columns": data_package.SMELTER_LIST,
             "about": "One row per row of the filed list, in filed order, with this site's analysis beside it.",
             "files": [(link(f"downloads/smelters-{y}.{ext}"), f"smelters-{y}.{ext}") for y in years for ext in formats]},
            {"id": "change-logs", "title": "Changes between filings",
             "columns": data_package.change_log(*(change_pairs[-1] if change_pairs else (2000, 2001))),
             "about": "One row per smelter (and metal) of either filing: added, removed, or matched and compared. "
                      "The columns old_... describe the earlier filing, new_... the later one.",
             "files": [(link(f"downloads/changes-{a}-{b}.{ext}"), f"changes-{a}-{b}.{ext}")
                       for a, b in change_pairs for ext in ("csv", "json")]},
            {"id": "smelter-index", "title": "Every smelter across filings", "columns": data_package.smelter_index(years or [2000]),
             "about": "One row per smelter and metal ever listed, with a class and a designation column per filing year.",
             "files": [(link(f"downloads/smelter-index.{ext}"), f"smelter-index.{ext}") for ext in formats]},
        ]
        if not change_pairs:
            tables[1]["about"] += " (No filing has a previous one yet.)"
        example = f"downloads/smelters-{years[-1]}.json" if years else "downloads/smelter-index.json"
        base = (self.publisher.site_url or "").rstrip("/")
        package = self.publisher.data_package()
        dataset = data_package.dataset(package, self.publisher.download_plan(), base)
        return render("cm/data_dictionary.html", tables=tables,
                      licence=data_package.licence(self.publisher.settings.data_licence if self.publisher.settings else "CC-BY-4.0"),
                      example_url=f"{base}/{example}" if base else example,
                      package_url=link("datapackage.json"), feed_url=link("feed.xml"),
                      structured=script_json(json.dumps(dataset, ensure_ascii=False)))

    def staff_reference(self):
        sections = [
            ("macros", "Macros", [("{{ " + name + "() }}", doc) for name, doc in MACROS.items()]),
            ("figures", "Figures (filing-year pages)", [("{{ figures." + name + " }}", doc) for name, doc in figure_docs()]),
            ("variables", "Other variables (filing-year pages)", [("{{ " + name + " }}", doc) for name, doc in VARIABLES.items()]),
            ("filters", "Filters", [(name, doc) for name, (_, doc) in FILTERS.items()]),
        ]
        return render("cm/staff_reference.html", sections=sections)


MACROS = {
    "form_sd": "The whole Form SD (cover page, items, signature, exhibit index) from data/filings/YYYY.yaml",
    "smelter_table": "The year's full smelter list as a searchable, filterable, sortable table, with its footnotes. "
                     "It opens with this site's analysis (a class column and the risk flags beside each name, labelled) "
                     "and a switch to the filed columns only; smelter_table(view='filed') opens it as filed",
    "smelter_summary": "Rows by metal and class, with totals",
    "download_links": "Links to the year's smelter list as CSV, Excel and JSON",
    "changes": "The year's change log against the previous filing: counts by metal, a table per section, downloads",
    "changes_summary": 'One sentence: "N smelters added, M removed, K improved and J worsened since the YYYY filing."',
    "smelter_index": "Any page: every smelter ever listed, one row per smelter and metal, a column per filing",
    "smelter_index_downloads": "Any page: download links for the cross-filing index",
    "footnotes": "The filing's footnotes (already included under smelter_table)",
    "status_legend": "What each designation meant in the filing, in its own words",
    "trend_chart": "Any page: share conformant per metal across all filings, as an accessible SVG chart",
    "filings_overview": "Any page: one card per filing, newest first, with headline figures",
    "class_map": "Any page: every published designation and the class it counts as",
    "covered_countries": "Any page: the ten Covered Countries",
    "restrictions_table": "Any page: the sanctions and suspensions rows are checked against",
    "yaml_reference": "Any page: every field of every YAML file staff edit, from the JSON Schemas (data/schemas/)",
    "staff_commands": "Any page: every `scripts/dev` command with what it does, read from scripts/dev itself",
    "site_corrections": "Any page: every correction of this site's analysis of a filed year, with the items it changed",
    "staff_reference": "Any page: this reference",
    "smelter_page": "The page of one smelter across filings, by its key (generated for every smelter as smelters/KEY/)",
    "data_dictionary": "Any page: every download's columns, each marked as filed or this site's analysis (as datapackage.json)",
}
# Macros that make sections (headings, the list's search form): each on a line of its own. Inside a
# list, quote, note or table cell their headings would nest where generators and readers break.
BLOCK_MACROS = ("form_sd", "smelter_table", "changes", "smelter_index", "site_corrections", "yaml_reference",
                "staff_reference", "data_dictionary", "smelter_page")
_BLOCK_CALL = re.compile(r"\{\{-?\s*(%s)\s*\(" % "|".join(BLOCK_MACROS))
_ALONE = re.compile(r"^ {0,3}\{\{-?\s*(%s)\s*\([^\n]*?\)\s*-?\}\}\s*$" % "|".join(BLOCK_MACROS))


def misplaced_block_macros(markdown: str) -> list[tuple[int, str]]:
    """(line, macro) for each section-making macro not written on a line of its own."""
    return [(number, found.group(1)) for number, line in enumerate(markdown.splitlines(), 1)
            if (found := _BLOCK_CALL.search(line)) and not _ALONE.match(line)]


VARIABLES = {
    "settings.registrant": "Any page: the registrant's name (data/site.yaml; also settings.name_in_text, "
                           "settings.cik, settings.edgar_filings)",
    "filing.year": "The page's filing year",
    "filing.meta.registrant.name": "Any field of data/filings/YYYY.yaml, by its path (e.g. filing.meta.rcoi.responses)",
    "filing.meta.filed_on | longdate": "The filing date",
    "latest_year, latest_figures.facilities": "Any page: the newest filing's year and figures (none before the first)",
    "previous.year": "The previous filing's year (only on pages of a year that has one)",
    "previous_figures.facilities": "Any figure of the previous filing",
    "supplier_survey.workbooks_received": "From data/rcoi/YYYY.yaml (written by scripts/dev ingest): also "
                                          "workbooks_accepted, suppliers, suppliers_sourcing_from_covered_countries, "
                                          "suppliers_all_smelters_identified, smelters. Undefined (the build stops) "
                                          "for a year without ingested CMRTs.",
}
PAGE_VARIABLES = ("filing", "figures", "previous", "previous_figures", "supplier_survey")


def page_variables(publisher, page) -> dict:
    """Everything a page's Markdown can name: the macros (bound to the page), the site's years,
    and on a filing-year page `filing`, `figures`, `previous`, `previous_figures`, `supplier_survey`."""
    macros = Macros(publisher, page)
    site = publisher.site
    variables = {name: getattr(macros, name) for name in MACROS}
    variables["site_years"] = site.years
    variables["settings"] = publisher.settings
    if site.years:  # for the staff guide's examples: the newest filing's figures
        variables.update(latest_year=site.years[-1], latest_figures=figures_of(site.filing(site.years[-1])))
    else:
        variables.update(latest_year=None, latest_figures=None)
    if publisher.site_macros is not None:  # the project's own macros/ (define_env, as mkdocs-macros has it)
        variables.update(publisher.site_macros)
    if page.year is None:
        return variables
    filing = site.filing(page.year)
    variables.update(filing=filing, figures=figures_of(filing))
    if filing.supplier_survey:
        variables["supplier_survey"] = filing.supplier_survey
    previous = site.previous(filing.year)
    if previous:
        variables.update(previous=previous, previous_figures=figures_of(previous))
    return variables


def dev_commands(script: Path) -> list[tuple[str, str]]:
    """(usage, what it does) of each command, from the help block at the top of scripts/dev."""
    if not script.is_file():
        return []
    commands = []
    for line in script.read_text(encoding="utf-8").splitlines()[1:]:
        if not line.startswith("#"):
            break
        match = re.match(r"#\s+(scripts/dev \S.*?)\s{2,}(\S.*)$", line)
        if match:
            commands.append((match.group(1), match.group(2)))
        elif commands and re.match(r"#\s{20,}\S", line):  # a continued description
            commands[-1] = (commands[-1][0], commands[-1][1] + " " + line.lstrip("# ").strip())
    return commands


def candidates() -> list[str]:
    """Every name a page can use, for "did you mean"."""
    return sorted(list(MACROS) + list(FILTERS) + list(PAGE_VARIABLES) + ["site_years", "settings"])
