"""MkDocs hooks: build the navigation from data/, check pages against data, write downloads.

Registered in mkdocs.yml under `hooks:`. Page content is the macros' job (macros/__init__.py).
"""
from __future__ import annotations

import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import logging

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.utils import CountHandler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from macros.build import (SERVING, SLOTS, YEAR_PAGES, get_site, missing_pages, omitted_drafts, page_year,  # noqa: E402
                          pages_for)
from macros.compare import diff  # noqa: E402
from macros.errors import DataError  # noqa: E402
from macros.locks import check_locks, original_csv_path, rendered_problems  # noqa: E402
from macros.load import load_filing_rows  # noqa: E402
from macros.narrative import figures_of, longdate  # noqa: E402
from macros.render import downloads  # noqa: E402
from macros.render.changes import INDEX_HTML_ROWS, index_records, index_rows_json  # noqa: E402

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
        return _configure(config)
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
    config.extra["filing_years"] = [_year_entry(root, site, y, locks.get(y)) for y in reversed(site.years)]
    return config


def _year_entry(root, site, year, lock):
    """What the theme templates show for a year: dates, and for an amended year what changed."""
    filing = site.filing(year)
    entry = {"year": year, "filed_on": longdate(filing.meta.filed_on), "filed_on_iso": filing.meta.filed_on.isoformat(),
             "locked": lock is not None, "draft": year in site.drafts, "amendments": []}
    for a in filing.meta.amendments:
        entry["amendments"].append({"date": longdate(a.date), "date_iso": a.date.isoformat(), "form": a.form, "reason": a.reason})
    entry["restatements"] = [{"date": longdate(r.date), "date_iso": r.date.isoformat(), "reason": r.reason}
                             for r in filing.meta.restatements]
    if filing.meta.amendments and lock and lock.original_figures:
        now = figures_of(filing).__dict__
        entry["figures_changed"] = [
            {"name": name.replace("_", " "), "original": lock.original_figures.get(name), "now": now[name]}
            for name in ("facilities", "conformant", "active", "not_listed", "non_conformant", "in_covered_countries",
                         "greater_risk", "surveyed", "responded")
            if lock.original_figures.get(name) != now[name]
        ]
        if lock.has_original_csv:
            original = load_filing_rows(site, year, original_csv_path(root, year))
            counts = diff(original, filing, site.aliases).counts()
            entry["rows_changed"] = {k: counts[k] for k in ("added", "removed", "improved", "worsened", "reworded")}
            entry["original_download"] = f"downloads/smelters-{year}-as-filed.csv"
    return entry


def on_page_context(context, page, config, nav):
    """`cm_filing` (the year's entry of extra.filing_years, or None) and `cm_kind` for the theme."""
    found = page_year(page.file.src_uri)
    entries = {e["year"]: e for e in config.extra["filing_years"]}
    context["cm_filing"] = entries.get(found[0]) if found else None
    context["cm_kind"] = "" if not found or found[1] == "index.md" else found[1][: -len(".md")]
    return context


def on_pre_build(config):
    SLOTS.reset()


def on_files(files, config):
    """Leave out the pages of drafts when the build omits them (CM_DRAFTS=omit), and every page
    but the error notice while `mkdocs serve` has a data error to show."""
    if SERVING.error:
        return files
    drafts = omitted_drafts(_site(config), Path(config.docs_dir))
    for file in list(files):
        found = page_year(file.src_uri)
        if found and found[0] in drafts:
            files.remove(file)
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


def on_post_page(output, page, config):
    """Put the tables the macros set aside back in place (after Markdown and search indexing)."""
    return SLOTS.fill(output)


def on_post_build(config):
    """Write every download next to the pages; all are generated from the same model."""
    if SERVING.error:
        return
    site = _site(config)
    root = Path(config.config_file_path).parent
    out = Path(config.site_dir) / "downloads"
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, tuple] = {}  # file name -> (format, records, meta or sheet title)
    for year, filing in site.filings.items():
        records = downloads.smelter_records(filing, site.reference)
        meta = {"registrant": filing.meta.registrant.name, "filing_year": year,
                "filed_on": filing.meta.filed_on.isoformat(), "row_count": len(records)}
        files.update({f"smelters-{year}.csv": ("csv", records, None), f"smelters-{year}.json": ("json", records, meta),
                      f"smelters-{year}.xlsx": ("xlsx", records, f"Smelters {year}")})
        if filing.meta.amendments and original_csv_path(root, year).is_file():
            original = load_filing_rows(site, year, original_csv_path(root, year))
            files[f"smelters-{year}-as-filed.csv"] = ("csv", downloads.smelter_records(original, site.reference), None)
    for d in site.diffs.values():
        records = downloads.change_records(d)
        stem = f"changes-{d.old_year}-{d.new_year}"
        files.update({f"{stem}.csv": ("csv", records, None),
                      f"{stem}.json": ("json", records, {"old_year": d.old_year, "new_year": d.new_year})})
    records = index_records(list(site.timelines), site.years)
    files.update({"smelter-index.csv": ("csv", records, None), "smelter-index.xlsx": ("xlsx", records, "All smelters"),
                  "smelter-index.json": ("json", records, {"filing_years": site.years})})
    # XLSX writing dominates at scale: spread it over the cores when there is enough of it.
    rows = sum(len(records) for fmt, records, _ in files.values() if fmt == "xlsx")
    if rows > 20_000 and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor(max_workers=min(4, os.cpu_count())) as pool:
            rendered = dict(zip(files, pool.map(downloads.render_file, files.values())))
    else:
        rendered = {name: downloads.render_file(task) for name, task in files.items()}
    for name, data in rendered.items():
        (out / name).write_bytes(data)
    if len(site.timelines) > INDEX_HTML_ROWS:  # the rows the index page leaves to its script
        (out / "smelter-index.rows.json").write_bytes(index_rows_json(list(site.timelines), site.years, site.reference))
    # Last: what each filed year's pages and downloads now say, against its lock.
    filed = {y: f for y, f in site.filings.items() if y not in site.drafts}
    problems = rendered_problems(root, Path(config.site_dir), filed)
    if problems and SERVING.on:
        log.error("a filed year would read differently:\n  " + "\n  ".join(problems))
    elif problems:
        raise PluginError("a filed year would read differently:\n  " + "\n  ".join(problems))

