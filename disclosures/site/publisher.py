"""The site, whatever generator prints it: one build's model, pages, macros, downloads and checks.

Nothing here knows MkDocs. A generator adapter (today disclosures/site/mkdocs_plugin.py, the only
module that imports mkdocs) asks a `Publisher` for the navigation, the pages to add, each page's
Markdown with its macros rendered, the theme's page context, the search entries, and, once the
pages are written, the downloads and the check of every filed year against its lock. Moving to
another generator means writing another adapter over this object; the legal record (the locks)
does not depend on the markup either generator prints.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import multiprocessing
import os
import re
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, StrictUndefined, TemplateError
from markupsafe import Markup

from disclosures.engine.amendments import AmendmentEffect, amendment_effects
from disclosures.engine.errors import DataError
from disclosures.engine.figures import FILTERS, longdate
from disclosures.engine.load import Site, load_site, stamps
from disclosures.engine.settings import edgar_filing, read_settings
from disclosures.engine.smelter_keys import slug
from disclosures.engine.locks import check_locks, lock_statuses, registry_problems, record_problems, write_record, year_record
from disclosures.engine.pages import STANDARD_PAGES, STANDARD_SOURCE, YEAR_PAGES, generated_pages, year_pages
from disclosures.site import page_errors
from disclosures.site.macros import Macros, misplaced_block_macros, page_variables
from disclosures.site.page import Page, page_year, relative_url
from disclosures.site.preview import Inputs
from disclosures.site.render import data_package, downloads, search_docs, smelter_page
from disclosures.site.render.csp import with_policy
from disclosures.site.render.html import text
from disclosures.site.render.key_facts import key_facts
from disclosures.site.render.templating import reload_templates, render, use_overrides

STATIC_PAGES_AFTER = [{"All smelters across filings": "smelters.md"}, {"About the data": "about.md"},
                      {"Data and downloads": "data.md"}, {"Corrections by this site": "corrections.md"}]
SITE_PAGES = ("corrections.md", "data.md")  # site-wide pages generated from disclosures/pages/ unless docs/ has its own


# Outside the year folders, what docs/ may publish besides Markdown pages: the site's own assets
# (a logo, images a page shows) and the files GitHub Pages and crawlers look for at the root.
PUBLIC_FOLDERS = ("assets/", "images/")
PUBLIC_FILES = ("CNAME", "robots.txt", "favicon.ico")


# Files a browser would run on the site's own address (a page, a script, an SVG with a script in
# it), were one attached to a year: no Content-Security-Policy of ours would cover them.
ACTIVE_ATTACHMENTS = (".html", ".htm", ".xhtml", ".shtml", ".svg", ".svgz", ".js", ".mjs", ".xml", ".xsl")


def active_attachment(src_uri: str) -> str | None:
    """Why a file of a year folder cannot be published as an attachment, or None."""
    if re.match(r"^\d{4}/", src_uri) and src_uri.lower().endswith(ACTIVE_ATTACHMENTS):
        return (f"docs/{src_uri}: a file a browser would run as a page or a script cannot be published as an "
                "attachment of a filing: attach it as PDF (or plain text) instead")
    return None


def symlink_on_the_way(root: Path, relative: str) -> Path | None:
    """The first symbolic link between `root` (itself included) and root/relative, if any: the
    site publishes only files that live in the repository (a link can reach .git/config or /proc)."""
    path = Path(root)
    for part in ("", *Path(relative).parts):
        path = path / part if part else path
        if path.is_symlink():
            return path
    return None


def symlinks_under(folder: Path) -> list[Path]:
    """Every symbolic link under a theme folder (its templates are read as well as copied)."""
    found = [Path(folder)] if Path(folder).is_symlink() else []
    for directory, subdirs, files in os.walk(folder):
        found += [Path(directory) / name for name in subdirs + files if (Path(directory) / name).is_symlink()]
    return found


class PublishError(Exception):
    """What stops a build: the data, a page or a filed year; the message says file, line and fix."""


@dataclass(frozen=True)
class Dated:
    date: str  # as shown ("May 30, 2024")
    date_iso: str
    reason: str
    form: str = ""
    changes: tuple | None = ()  # a correction's items, old -> new, as its lock recorded them (None: not itemised)


@dataclass(frozen=True)
class YearEntry:
    """What the theme templates (main.html, partials/year-switcher.html) show for a year."""

    year: int
    registrant: str
    filed_on: str
    filed_on_iso: str
    locked: bool
    draft: bool
    amendments: tuple[Dated, ...]
    corrections: tuple[Dated, ...]  # this site's corrections of its own analysis (restatements)
    figures_changed: tuple = ()
    rows_changed: dict | None = None
    original_download: str | None = None


class Slots:
    """Large HTML (the smelter tables) kept away from Markdown and the generator's search parser.

    A macro puts the table here and leaves an empty one-element placeholder; after the page is
    rendered and indexed, the adapter asks `fill` to put it back. Python-Markdown and a search
    indexer otherwise re-parse every tag of every table, which dominated the build at scale (see
    scripts/bench_site.py); the search finds smelters through their own entries (search_entries).
    """

    _PATTERN = re.compile(r'<div data-cm-slot="([0-9a-f]{12}-\d+)">.*?</div>', re.S)

    def __init__(self):
        self._html: dict[str, str] = {}
        self.kinds: dict[str, str] = {}  # slot -> the macro that filled it, when the EDGAR exhibit renders it its own way
        self._token = uuid.uuid4().hex[:12]

    def put(self, html: str, kind: str = "") -> Markup:
        key = f"{self._token}-{len(self._html)}"
        self._html[key] = str(html)
        if kind:
            self.kinds[key] = kind
        return Markup(f'\n<div data-cm-slot="{key}"></div>\n')

    def named(self, output: str) -> str:
        """`output` with each placeholder naming its macro (`data-cm-macro`) instead of its slot,
        and emptied: how the EDGAR exhibit reads a page (disclosures/exhibit)."""
        return self._PATTERN.sub(lambda m: Markup('<div data-cm-macro="{}"></div>').format(
            self.kinds.get(m.group(1), "")), output)

    def fill(self, output: str) -> str:
        if "data-cm-slot" not in output:
            return output
        return self._PATTERN.sub(lambda m: self._html.pop(m.group(1), m.group(0)), output)

    def expand(self, source: str) -> str:
        """`source` with every placeholder replaced, keeping the slots (for the benchmark's dump)."""
        return self._PATTERN.sub(lambda m: self._html.get(m.group(1), m.group(0)), source)


class Publisher:
    """One project's site for one generator run (kept across rebuilds while previewing).

    `drafts`: whether draft years are built (never for what is deployed). `previewing`: a staff
    preview, which keeps going through errors (shown on the page) where a build stops.
    `record_to`: a folder where each year's record (what the lock holds) is written after the
    build, for `scripts/dev lock`.
    """

    def __init__(self, root: Path, *, drafts: bool, previewing: bool = False, theme_dir: Path | None = None,
                 record_to: Path | None = None, site_macros=None):
        self.root = Path(root).resolve()
        self.drafts, self.previewing, self.record_to = drafts, previewing, record_to
        self.site_macros = site_macros  # the project's own macros/ module (define_env), if any
        self.site_url = ""  # the site's address (the generator's site_url): the feed's links are absolute
        use_overrides(theme_dir)
        self._cache: tuple[tuple, Site] | None = None
        self._parts: dict = {}  # load_site's cache while previewing
        self.error: str | None = None
        self.theme_dir = theme_dir
        # While previewing: what each page was last rendered from (preview.Inputs), the pages the
        # current build renders, and the download writer of the data as last saved.
        self.inputs: Inputs | None = None
        self._rendered: dict[str, tuple] = {}
        self._preview_downloads: tuple[str, object] | None = None
        self._code: dict | None = None
        # Computed once per model, and again only when data/ changed (_per_model).
        self.site: Site | None = None
        self._data_stamps: dict = {}
        self._per_model()
        self.page_html: dict[str, str] = {}
        self.row_pages: dict[int, set[str]] = {}  # year -> the pages that show its smelter rows
        self.begin()

    # ---- a build, from the data to the pages ------------------------------------------------
    def begin(self) -> None:
        """Start a build: load the data and check the filed years (an error is kept while previewing)."""
        code = self._code_stamps()
        if not self.previewing or code != self._code:
            reload_templates()  # (a preview keeps its compiled templates until one is saved)
        self._code = code
        self.error, self.site, self.locks, self.amendments, self.settings = None, None, {}, {}, None
        self.slots, self.writing = Slots(), None
        self.smelter_pages: dict[str, str] = {}  # generated page (smelters/KEY.md) -> smelter key
        if isinstance(getattr(self, "_bodies", None), tuple):  # a build that stopped before its smelter pages
            self._bodies[1].terminate()
        self._bodies = None  # smelter pages' bodies rendered aside (render_smelter_bodies_aside)
        self.rendered_now: set[str] = set()
        self._entries: list[YearEntry] | None = None
        if not self.previewing:  # a preview keeps what pages it does not render again showed
            self.page_html, self.row_pages = {}, {}
        try:
            self._load()
        except PublishError as exc:
            if not self.previewing:
                raise
            self.error = str(exc)
        if self.site is not self._model_of:
            self._per_model()
        self.inputs = Inputs(self.site, self._data_stamps, code, self.drafts, self._smelter_digests) \
            if self.previewing and not self.error else None

    def _per_model(self) -> None:
        """What is computed once per model: a preview keeps it while data/ is unchanged."""
        self._model_of, self._plan, self._search = self.site, None, None
        self._smelter_digests: dict[str, str] = {}
        self._tables: dict[tuple, str] = {}
        self._table_rows: tuple = (None, {})  # (code and settings, a year's list rows), for its annex and its list

    def table(self, key: tuple, make):
        """A large table's HTML: a preview reuses it while what it is made from is unchanged."""
        if self.inputs is None:
            return make()
        key = key + (self.inputs.everything,)
        if key not in self._tables:
            self._tables[key] = make()
        return self._tables[key]

    def table_rows(self) -> dict:
        """Where a year's list rows are kept once rendered, while the model, code and settings stay."""
        made_with = self.inputs.everything if self.inputs is not None else None
        if self._table_rows[0] != made_with:
            self._table_rows = (made_with, {})
        return self._table_rows[1]

    # ---- a preview renders again only what a save changed -------------------------------------
    def _code_stamps(self) -> dict:
        """The code, templates, theme overrides, macros and mkdocs.yml: a change renders every page."""
        found = {f"package/{k}": v for k, v in stamps(PACKAGE).items()}
        found.update({f"macros/{k}": v for k, v in stamps(self.root / "macros").items()})
        if self.theme_dir is not None:
            found.update({f"theme/{k}": v for k, v in stamps(self.root / self.theme_dir).items()})
        config = self.root / "mkdocs.yml"
        if config.is_file():
            found["mkdocs.yml"] = (config.stat().st_mtime_ns, config.stat().st_size)
        return found

    @property
    def rendered_before(self) -> bool:
        return bool(self._rendered)

    def stale(self, src_uri: str) -> bool:
        """Whether the page must be rendered again: always, but in a preview whose inputs for it
        are those it was last rendered from (its own Markdown's saves are the generator's to see)."""
        return self.inputs is None or self._rendered.get(src_uri) != self.inputs.of(src_uri, self.smelter_pages.get(src_uri))

    def _load(self) -> None:
        links = _symlinks(self.root)
        if links:
            raise PublishError("symbolic links are not published (they could reach files outside the repository); "
                               "replace each with the file itself:\n  " + "\n  ".join(links))
        try:
            problems = registry_problems(self.root) if self.record_to is None else []
            if problems:
                raise PublishError("a filed year is incomplete:\n  " + "\n  ".join(problems))
            self.site = self._site()
            newest = self.site.filing(self.site.years[-1]).meta.registrant.name if self.site.years else None
            self.settings = read_settings(self.root, newest)
            if self.record_to is None:
                problems, self.locks = check_locks(self.root, self.site)
            else:  # the build of `scripts/dev lock`, which compares the records itself
                problems, self.locks = [], lock_statuses(self.root, self.site)
        except DataError as exc:
            raise PublishError(str(exc)) from None
        problems = self._missing_pages() + problems
        if problems:
            raise PublishError("the data and the pages disagree, or a filed year changed:\n  " + "\n  ".join(problems))
        self.amendments = amendment_effects(self.root, self.site, self.locks)

    def _site(self) -> Site:
        """data/ loaded once, and again only when a file in it changed (while previewing)."""
        data = self.root / "data"
        self._data_stamps = stamps(data)
        fingerprint = (self.drafts,) + tuple(sorted(self._data_stamps.items()))
        if self._cache is None or self._cache[0] != fingerprint:
            # A preview keeps what did not change (each year's list, each comparison); a build reads all.
            self._cache = (fingerprint, load_site(data, drafts=self.drafts, cache=self._parts if self.previewing else None))
        return self._cache[1]

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    def pages_for(self, year: int) -> list[str]:
        return year_pages(self.site.previous(year) is not None)

    def _missing_pages(self) -> list[str]:
        problems = []
        for year in self.site.years:
            for page in self.pages_for(year):
                if page not in STANDARD_PAGES and not (self.docs / str(year) / page).is_file():
                    problems.append(f"docs/{year}/{page} is missing: data/filings/{year}.yaml has no {YEAR_PAGES[page]} "
                                    f"page (restore it with: scripts/dev new-year {year} --restore)")
        for folder in sorted(p for p in self.docs.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)):
            if int(folder.name) not in self.site.filings and int(folder.name) not in self.omitted_years():
                problems.append(f"docs/{folder.name}/ has pages but there is no data/filings/{folder.name}.yaml")
        return problems

    def omitted_years(self) -> set[int]:
        """Draft years left out of this build: none of their files is published."""
        if self.drafts or self.site is None:
            return set()
        return {int(p.stem) for p in (self.root / "data" / "filings").glob("[0-9][0-9][0-9][0-9].yaml")} - set(self.site.years)

    def nav(self) -> list:
        """The navigation: home, each filing newest first with its pages, then the site-wide pages."""
        if self.error:
            return [{"Home": "index.md"}]
        nav = [{"Home": "index.md"}]
        for year in reversed(self.site.years):
            previous = self.site.previous(year)
            titles = dict(YEAR_PAGES, **({"changes.md": f"Changes since {previous.year}"} if previous else {}))
            nav.append({f"{year} filing": [{titles[p]: f"{year}/{p}"} for p in self.pages_for(year)]})
        return nav + STATIC_PAGES_AFTER

    def year_entries(self) -> list[YearEntry]:
        """Each year's entry, newest first: made once a build (every page's theme shows them)."""
        if self.error:
            return []
        if self._entries is None:
            self._entries = [self._year_entry(y) for y in reversed(self.site.years)]
        return self._entries

    def _year_entry(self, year: int) -> YearEntry:
        meta, lock = self.site.filing(year).meta, self.locks.get(year)
        effect: AmendmentEffect | None = self.amendments.get(year)
        return YearEntry(
            year=year, registrant=meta.registrant.name, filed_on=longdate(meta.filed_on),
            filed_on_iso=meta.filed_on.isoformat(), locked=lock is not None, draft=year in self.site.drafts,
            amendments=tuple(Dated(longdate(a.date), a.date.isoformat(), a.reason, a.form) for a in meta.amendments),
            corrections=self._corrections(year),
            figures_changed=effect.figures_changed if effect else (),
            rows_changed=effect.rows_changed or None if effect else None,
            original_download=f"downloads/smelters-{year}-as-filed.csv" if effect and effect.as_filed else None,
        )

    def _corrections(self, year: int) -> tuple[Dated, ...]:
        """The year's restatements (YAML: date, reason) with the items each changed (its lock)."""
        lock = self.locks.get(year)
        locked = {(h["date"], h.get("reason")): h["changes"] for h in (lock.history if lock else ())
                  if h["kind"] == "restatement"}
        return tuple(Dated(longdate(r.date), r.date.isoformat(), r.reason,
                           changes=_items(locked.get((r.date.isoformat(), r.reason), ())))
                     for r in self.site.filing(year).meta.restatements)

    def is_published(self, src_uri: str) -> bool:
        """Whether a file of docs/ belongs in this build. A year folder only when the year is in
        it (a draft's files, and a folder of no year, stay out whatever their kind); elsewhere
        Markdown pages and PUBLIC_FILES only: a supplier CSV saved under docs/ is never deployed."""
        found = re.match(r"^(\d{4})/", src_uri)
        if found:
            return not self.error and int(found.group(1)) in self.site.years and \
                int(found.group(1)) not in self.omitted_years()
        return src_uri.endswith(".md") or src_uri in PUBLIC_FILES or src_uri.startswith(PUBLIC_FOLDERS)

    def added_pages(self) -> dict[str, str]:
        """Pages the generator must add, by path under docs/: each year's standard pages it does
        not hold itself, and the site-wide pages generated from disclosures/pages/."""
        if self.error:
            return {}
        pages = {}
        for year in self.site.years:
            pages.update({f"{year}/{page}": markdown for page, markdown in
                          generated_pages(self.docs, year, self.pages_for(year)).items()})
        pages.update({name: (STANDARD_SOURCE / name).read_text(encoding="utf-8") for name in SITE_PAGES
                      if not (self.docs / name).is_file()})
        keys = self.site.keys
        self.smelter_pages = {f"smelters/{key}.md": key for key in keys.keys}
        pages.update({path: smelter_page.page_markdown(key, keys.timeline(key)) for path, key in self.smelter_pages.items()})
        return pages

    def render_smelter_bodies_aside(self, pages: list[Page]) -> None:
        """A preview's first build: the smelter pages' bodies rendered by a forked process on the
        other core while the generator renders the year pages; handed over when the first smelter
        page is rendered (rendered_smelter_body). Only before the preview's server has started its
        threads (the first build), and never for the published build, whose other core writes the downloads."""
        self._bodies = None
        if self.error or not pages or "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
            return
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_send_smelter_bodies, args=(self, pages, sender), daemon=True)
        process.start()
        sender.close()
        self._bodies = (receiver, process)

    def rendered_smelter_body(self, src_uri: str):
        """The body render_smelter_bodies_aside made for this page, or None (render it here)."""
        if isinstance(self._bodies, tuple):
            receiver, process = self._bodies
            try:
                self._bodies = receiver.recv() if receiver.poll(300) else {}
            except (EOFError, OSError):  # the process failed: every page is rendered here
                self._bodies = {}
            receiver.close()
            process.join(5)
        body = self._bodies.pop(src_uri, None) if self._bodies else None
        return None if body is None else Markup(body)

    def outside_nav(self, path: str) -> bool:
        """The smelter pages are reached from the lists and the search, not the navigation."""
        return path in self.smelter_pages

    # ---- one page ----------------------------------------------------------------------------
    def render_markdown(self, page: Page, markdown: str) -> str:
        """The page's Markdown with its macros and variables rendered (Jinja, autoescaped, every
        value inert as Markdown too). An error names file and line; while previewing it is shown
        on the page instead of stopping."""
        if self.error:
            return page_errors.error_page(self.error)
        self.rendered_now.add(page.src_uri)
        if self.inputs is not None:
            self._rendered[page.src_uri] = self.inputs.of(page.src_uri, self.smelter_pages.get(page.src_uri))
        if page.src_uri in self.smelter_pages:  # generated, one macro call: rendered without compiling it (400+ pages)
            return str(Macros(self, page).smelter_page(self.smelter_pages[page.src_uri]))
        variables = page_variables(self, page)
        try:
            if misplaced := misplaced_block_macros(markdown):
                line, macro = misplaced[0]
                raise PublishError(f"docs/{page.src_uri}:{line}: {macro}() makes sections with headings: write it on "
                                   f"a line of its own, outside any paragraph, list, quote, note or table")
            return _environment().from_string(markdown).render(**variables)
        except (TemplateError, ValueError, LookupError, TypeError, ZeroDivisionError, PublishError) as exc:
            message = str(exc) if isinstance(exc, PublishError) else page_errors.describe(exc, page.src_uri, self.docs, variables)
            if self.previewing:
                return page_errors.error_page(message)
            raise PublishError(message) from None

    def keep_content(self, page: Page, html: str) -> None:
        """The page's HTML as converted from Markdown, before the theme: a year's record reads its report."""
        if page.year is not None:
            self.page_html[page.src_uri] = html

    def page_context(self, page: Page) -> dict:
        """What the theme shows around a page: `cm_filing` (its year's entry), `cm_kind`, `cm_key_facts`."""
        found = page_year(page.src_uri)
        entries = {e.year: e for e in self.year_entries()}
        entry = entries.get(found[0]) if found else None
        facts = None
        if entry and not self.error:
            facts = key_facts(self.site.filing(entry.year), self.site.reference,
                              relative_url(page.url, f"{entry.year}/smelters/"))
        kind = "" if not found or found[1] == "index.md" else found[1][: -len(".md")]
        return {"cm_filing": entry, "cm_kind": kind, "cm_key_facts": facts}

    def finish_page(self, html: str) -> str:
        """The finished page: its slots filled, then its Content-Security-Policy computed from it (not
        in the preview, whose server adds its own inline reload script after us)."""
        html = self.slots.fill(html)
        return html if self.previewing else with_policy(html)

    def finish_template_page(self, html: str) -> str:
        """A page made from a theme template alone (404.html)."""
        return html if self.previewing else with_policy(html)

    # ---- after the pages ---------------------------------------------------------------------
    def start_downloads(self) -> None:
        """Write the downloads in a forked process while the generator renders the pages."""
        if not self.error and not self.previewing:
            self.writing = downloads.write_in_background(self.download_plan())

    def download_plan(self) -> list[downloads.Download]:
        if self._plan is None:
            self._plan = downloads.plan(self.site, self.amendments)
        return self._plan

    def data_package(self) -> dict:
        """datapackage.json: every table download described, with the filings it comes from."""
        settings = self.settings
        sources = {}
        for year in self.site.years:
            meta = self.site.filing(year).meta
            path = edgar_filing(settings.cik, meta.edgar_accession) or meta.urls.get("edgar") or settings.edgar_filings
            if path:
                sources[year] = {"title": f"{meta.registrant.name}, Form SD for {year}, filed {meta.filed_on.isoformat()} "
                                          "(SEC EDGAR)", "path": path}
        return data_package.package(self.download_plan(), name=slug(settings.registrant) + "-conflict-minerals",
                                    title=settings.title, description=settings.description,
                                    licence_id=settings.data_licence, sources=sources, homepage=self.site_url)

    def abort(self) -> None:
        """A failed build leaves nothing behind (the downloads being written are discarded)."""
        if self.writing is not None:
            writing, self.writing = self.writing, None
            downloads.finish(writing, None)

    def feed(self, site_url: str) -> str:
        """The Atom feed: an entry per filed year, amendment and correction by this site, newest first."""
        entries = []
        for e in (e for e in self.year_entries() if not e.draft):
            entries.append(dict(path=f"{e.year}/", anchor=f"filed-{e.filed_on_iso}", date=e.filed_on_iso,
                                title=f"{e.year} Form SD and Conflict Minerals Report filed",
                                summary=f"{e.registrant} filed its Form SD for calendar year {e.year} on {e.filed_on}."))
            entries += [dict(path=f"{e.year}/", anchor=f"amended-{a.date_iso}", date=a.date_iso,
                             title=f"{e.year} filing amended ({a.form or 'Form SD/A'})",
                             summary=f"Amended on {a.date}: {a.reason}") for a in e.amendments]
            entries += [dict(path="corrections/", anchor=f"y{e.year}-{n}", date=c.date_iso,
                             title=f"This site corrected its analysis of the {e.year} filing",
                             summary=f"{c.date}: {c.reason}") for n, c in enumerate(e.corrections, 1)]
        entries.sort(key=lambda x: x["date"], reverse=True)
        settings, years = self.settings, self.year_entries()
        registrant = settings.registrant if settings else years[0].registrant if years else ""
        return str(render("cm/feed.xml", base=site_url.rstrip("/") + "/", entries=entries,
                          title=settings.title if settings else "Conflict minerals disclosures", registrant=registrant,
                          updated=entries[0]["date"] if entries else dt.date.today().isoformat()))

    def search_entries(self) -> list[dict]:
        """One search entry per smelter across filings: {location, title, text} (text HTML-escaped)."""
        if self.error:
            return []
        if self._search is None:
            self._search = search_docs.smelter_docs(list(self.site.timelines), self.site.keys.keys)
        return self._search

    def finish(self, site_dir: Path) -> list[str]:
        """Write the downloads into the built site, then hold each filed year to its lock. Returns
        the problems (a build stops on them; a preview shows them in the terminal)."""
        if self.error:
            return []
        site_dir = Path(site_dir)
        if self.writing is not None:
            writing, self.writing = self.writing, None
            downloads.finish(writing, site_dir / "downloads")
        elif self.previewing:
            self._preview_downloads = downloads.write_detached(site_dir / "downloads", self.download_plan(),
                                                               self.inputs.all_data, self._preview_downloads)
        else:
            downloads.write_all(site_dir / "downloads", self.download_plan())
        (site_dir / "feed.xml").write_text(self.feed(self.site_url), encoding="utf-8")
        (site_dir / "datapackage.json").write_text(json.dumps(self.data_package(), ensure_ascii=False, indent=1) + "\n",
                                                   encoding="utf-8")
        problems = []
        for year in self.site.years:
            if self.previewing and not any(page_year(p) and page_year(p)[0] == year for p in self.rendered_now):
                continue  # a preview checks the years it rendered again (their downloads are still being written)
            if self.record_to is None and year not in self.locks:
                continue  # a draft has no lock to hold it to
            record = year_record(self.root, self.site, year, self.page_html, site_dir, downloads=not self.previewing)
            if self.record_to is not None:  # `scripts/dev lock` compares and decides itself
                write_record(self.record_to, year, {"record": record, "row_pages": sorted(self.row_pages.get(year, ()))},
                             report_html=self.slots.named(self.page_html.get(f"{year}/report.md", "")))
            elif year in self.locks:
                problems += record_problems(self.root, self.site, year, record, site_dir, downloads=not self.previewing)
        return problems

    def showed_rows(self, year: int, page: Page) -> None:
        """A page shows the year's smelter rows (the list, the report's annex): the lock checks them there."""
        self.row_pages.setdefault(year, set()).add(page.url)


PACKAGE = Path(__file__).resolve().parent.parent  # disclosures/: code and templates


def _items(changes) -> tuple | None:
    return None if changes is None else tuple(changes)


def _symlinks(root: Path) -> list[str]:
    """Links inside docs/ or data/ could publish files from anywhere on the machine."""
    return [str(link.relative_to(root)) for folder in ("docs", "data") for link in symlinks_under(root / folder)]


def _inert_in_markdown(value):
    """A value written with {{ ... }}: macro HTML (Markup) and numbers as they are; any other
    text (YAML fields, names) as plain characters that neither HTML nor Markdown can act on."""
    if isinstance(value, (Markup, int, float)) or value is None:
        return value
    return text(value)


@functools.cache
def _environment() -> Environment:
    """The Jinja environment pages are rendered in: autoescaped, undefined names an error, every
    value inert as Markdown; the filters of engine.figures. Built once: it holds no build state."""
    env = Environment(autoescape=True, finalize=_inert_in_markdown, undefined=StrictUndefined,
                      keep_trailing_newline=True)
    env.filters.update({name: function for name, (function, _) in FILTERS.items()})
    return env


def _send_smelter_bodies(publisher: Publisher, pages: list[Page], sender) -> None:
    """In the forked process: each smelter page's body, by page; a page that fails is left to the build."""
    bodies = {}
    for page in pages:
        try:
            bodies[page.src_uri] = str(Macros(publisher, page).smelter_body(publisher.smelter_pages[page.src_uri]))
        except Exception:  # the build renders it again and reports what is wrong
            continue
    sender.send(bodies)
    sender.close()
