"""MkDocs hooks: build the navigation from data/, check pages against data, write downloads.

Registered in mkdocs.yml under `hooks:`. Page content is the macros' job (macros/__init__.py).
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs.utils import CountHandler


from disclosures.site.state import (BUILD, SERVING, SLOTS, YEAR_PAGES, get_site, missing_pages, omitted_drafts, page_year,
                                    pages_for, relative_url, standard_pages)
from disclosures.engine.amendments import AmendmentEffect, amendment_effects
from disclosures.engine.errors import DataError
from disclosures.engine.figures import longdate
from disclosures.engine.locks import check_locks, rendered_problems
from disclosures.site.render import downloads, search_docs
from disclosures.site.render.key_facts import key_facts
from disclosures.site.render.templating import TEMPLATES, use_overrides

log = logging.getLogger("mkdocs.hooks.disclosures")
STATIC_PAGES_AFTER = [{"All smelters across filings": "smelters.md"}, {"About the data": "about.md"}]


def _site(config):
    try:
        return get_site(Path(config.config_file_path).parent / "data")
    except DataError as exc:
        raise PluginError(str(exc)) from None


def on_startup(command, dirty):
    """`mkdocs serve` keeps serving through errors: they show on every page until the next save."""
    SERVING.on = command == "serve"


@event_priority(100)  # before mkdocs-macros, so data errors are reported once, plainly
def on_config(config):
    SERVING.error = None
    # The package's templates are a theme layer between a site's custom_dir and Material.
    custom_dir = config.theme.custom_dir
    config.theme.dirs.insert(1 if custom_dir else 0, str(TEMPLATES))
    use_overrides(custom_dir)
    if SERVING.on:
        # While editing, an error is shown on its page and the server keeps going; `scripts/dev
        # build` and the tests stay strict. MkDocs counts warnings for --strict with a handler it
        # adds before this event, so strict mode is turned off by removing that handler.
        config["strict"] = False
        mkdocs_log = logging.getLogger("mkdocs")
        for handler in [h for h in mkdocs_log.handlers if isinstance(h, CountHandler)]:
            mkdocs_log.removeHandler(handler)
        config.plugins["macros"].config["on_error_fail"] = False
    try:
        try:
            return _configure(config)
        except DataError as exc:  # a reference file or lock that fails its schema
            raise PluginError(str(exc)) from None
    except PluginError as exc:
        if not SERVING.on:
            raise
        SERVING.error = str(exc)
        config.nav = [{"Home": "index.md"}]
        config.extra["filing_years"] = []
        log.error("%s\n(the pages show this too; save a fix and they rebuild)", exc)
        return config


def _symlinks(root: Path) -> list[str]:
    """Links inside docs/ or data/ could publish files from anywhere on the machine."""
    found = []
    for folder in ("docs", "data"):
        for dirpath, dirnames, filenames in os.walk(root / folder):
            found += [str((Path(dirpath) / name).relative_to(root)) for name in dirnames + filenames
                      if (Path(dirpath) / name).is_symlink()]
    return found


def _configure(config):
    links = _symlinks(Path(config.config_file_path).parent)
    if links:
        raise PluginError("symbolic links are not published (they could reach files outside the repository); "
                          "replace each with the file itself:\n  " + "\n  ".join(links))
    site = _site(config)
    problems = missing_pages(site, Path(config.docs_dir))
    if problems:
        raise PluginError("docs/ and data/ disagree:\n  " + "\n  ".join(problems))
    root = Path(config.config_file_path).parent
    problems, locks = check_locks(root, site.filings)
    if problems:
        raise PluginError("a filed year changed:\n  " + "\n  ".join(problems))
    nav = [{"Home": "index.md"}]
    for year in reversed(site.years):
        previous = site.previous(year)
        titles = dict(YEAR_PAGES, **({"changes.md": f"Changes since {previous.year}"} if previous else {}))
        nav.append({f"{year} filing": [{titles[p]: f"{year}/{p}"} for p in pages_for(site, year)]})
    config.nav = nav + STATIC_PAGES_AFTER
    BUILD.amendments = amendment_effects(root, site, locks)  # once per build
    if not SERVING.on:  # `mkdocs build`: written beside the pages, moved in by on_post_build
        BUILD.writing = downloads.write_in_background(downloads.plan(site, BUILD.amendments))
    config.extra["filing_years"] = [_year_entry(site, y, locks.get(y), BUILD.amendments.get(y)) for y in reversed(site.years)]
    return config


@dataclass(frozen=True)
class Dated:
    date: str  # as shown ("May 30, 2024")
    date_iso: str
    reason: str
    form: str = ""


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
    restatements: tuple[Dated, ...]
    figures_changed: tuple = ()
    rows_changed: dict | None = None
    original_download: str | None = None


def _year_entry(site, year, lock, effect: AmendmentEffect | None) -> YearEntry:
    meta = site.filing(year).meta
    return YearEntry(
        year=year, registrant=meta.registrant.name, filed_on=longdate(meta.filed_on), filed_on_iso=meta.filed_on.isoformat(), locked=lock is not None,
        draft=year in site.drafts,
        amendments=tuple(Dated(longdate(a.date), a.date.isoformat(), a.reason, a.form) for a in meta.amendments),
        restatements=tuple(Dated(longdate(r.date), r.date.isoformat(), r.reason) for r in meta.restatements),
        figures_changed=effect.figures_changed if effect else (),
        rows_changed=effect.rows_changed or None if effect else None,
        original_download=f"downloads/smelters-{year}-as-filed.csv" if effect and effect.as_filed else None,
    )


def on_serve(server, config, builder):
    """`mkdocs serve` rebuilds when the package's code or templates change, too."""
    server.watch(str(Path(__file__).resolve().parent.parent))
    return server


def on_page_context(context, page, config, nav):
    """`cm_filing` (the year's entry of extra.filing_years, or None) and `cm_kind` for the theme."""
    found = page_year(page.file.src_uri)
    entries = {e.year: e for e in config.extra["filing_years"]}
    context["cm_filing"] = entries.get(found[0]) if found else None
    context["cm_kind"] = "" if not found or found[1] == "index.md" else found[1][: -len(".md")]
    context["cm_key_facts"] = None
    if found and context["cm_filing"] and not SERVING.error:
        site = _site(config)
        context["cm_key_facts"] = key_facts(site.filing(found[0]), site.reference,
                                            relative_url(page.url, f"{found[0]}/smelters/"))
    return context


def on_pre_build(config):
    SLOTS.reset()


def on_files(files, config):
    """Leave out the pages of drafts when the build omits them (CM_DRAFTS=omit), and every page
    but the error notice while `mkdocs serve` has a data error to show."""
    if SERVING.error:
        return files
    site = _site(config)
    drafts = omitted_drafts(site, Path(config.docs_dir))
    for file in list(files):
        found = page_year(file.src_uri)
        if found and found[0] in drafts:
            files.remove(file)
    for year in site.years:  # the standard pages, from their one source
        for page, markdown in standard_pages(site, Path(config.docs_dir), year).items():
            files.append(File.generated(config, f"{year}/{page}", content=markdown))
    return files


@event_priority(-100)  # after mkdocs-macros has rendered the page
def on_page_markdown(markdown, page, config, files):
    """Only for scripts/bench_site.py: keep each page's final Markdown for the reference build."""
    dump = os.environ.get("CM_DUMP_MARKDOWN")
    if dump:
        target = Path(dump) / page.file.src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(SLOTS.expand(markdown), encoding="utf-8")
        (Path(dump) / "nav.json").write_text(json.dumps(config.nav), encoding="utf-8")
    return markdown


def on_build_error(error):
    """A failed build discards the downloads written beside it."""
    if BUILD.writing is not None:
        writing, BUILD.writing = BUILD.writing, None
        downloads.finish(writing, None)


def on_post_page(output, page, config):
    """Put the tables the macros set aside back in place (after Markdown and search indexing)."""
    return SLOTS.fill(output)


def on_post_build(config):
    """Write every download next to the pages, then hold each filed year's pages to its lock."""
    if SERVING.error:
        return
    site = _site(config)
    if BUILD.writing is not None:
        writing, BUILD.writing = BUILD.writing, None
        try:
            downloads.finish(writing, Path(config.site_dir) / "downloads")
        except RuntimeError as exc:
            raise PluginError(str(exc)) from None
    else:
        downloads.write_all(Path(config.site_dir) / "downloads", downloads.plan(site, BUILD.amendments))
    search_index = Path(config.site_dir) / "search" / "search_index.json"
    if search_index.is_file():
        index = search_docs.with_smelters(json.loads(search_index.read_text(encoding="utf-8")),
                                          search_docs.smelter_docs(list(site.timelines)))
        search_index.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    # Last: what each filed year's pages and downloads now say, against its lock.
    filed = {y: f for y, f in site.filings.items() if y not in site.drafts}
    problems = rendered_problems(Path(config.config_file_path).parent, Path(config.site_dir), filed)
    if problems and SERVING.on:
        log.error("a filed year would read differently:\n  " + "\n  ".join(problems))
    elif problems:
        raise PluginError("a filed year would read differently:\n  " + "\n  ".join(problems))
