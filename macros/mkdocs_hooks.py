"""MkDocs hooks: build the navigation from data/, check pages against data, write downloads.

Registered in mkdocs.yml under `hooks:`. Page content is the macros' job (macros/__init__.py).
"""
from __future__ import annotations

import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from macros.build import YEAR_PAGES, get_site, missing_pages, pages_for  # noqa: E402
from macros.compare import diff  # noqa: E402
from macros.errors import DataError  # noqa: E402
from macros.locks import check_locks, original_csv_path  # noqa: E402
from macros.load import load_filing_rows  # noqa: E402
from macros.narrative import figures_of, longdate  # noqa: E402
from macros.render import downloads  # noqa: E402
from macros.render.changes import index_records  # noqa: E402

STATIC_PAGES_AFTER = [{"All smelters across filings": "smelters.md"}, {"About the data": "about.md"}]


def _site(config):
    try:
        return get_site(Path(config.config_file_path).parent / "data")
    except DataError as exc:
        raise PluginError(str(exc)) from None


@event_priority(100)  # before mkdocs-macros, so data errors are reported once, plainly
def on_config(config):
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
             "locked": lock is not None, "amendments": []}
    for a in filing.meta.amendments:
        entry["amendments"].append({"date": longdate(a.date), "date_iso": a.date.isoformat(), "form": a.form, "reason": a.reason})
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


def on_post_build(config):
    """Write every download next to the pages; all are generated from the same model."""
    site = _site(config)
    out = Path(config.site_dir) / "downloads"
    out.mkdir(parents=True, exist_ok=True)
    for year, filing in site.filings.items():
        records = downloads.smelter_records(filing, site.reference)
        meta = {"registrant": filing.meta.registrant.name, "filing_year": year,
                "filed_on": filing.meta.filed_on.isoformat(), "row_count": len(records)}
        (out / f"smelters-{year}.csv").write_bytes(downloads.to_csv(records))
        (out / f"smelters-{year}.json").write_bytes(downloads.to_json(records, meta))
        (out / f"smelters-{year}.xlsx").write_bytes(downloads.to_xlsx(records, f"Smelters {year}"))
    for year, d in site.diffs.items():
        records = downloads.change_records(d)
        stem = out / f"changes-{d.old_year}-{d.new_year}"
        stem.with_suffix(".csv").write_bytes(downloads.to_csv(records))
        stem.with_suffix(".json").write_bytes(downloads.to_json(records, {"old_year": d.old_year, "new_year": d.new_year}))
    root = Path(config.config_file_path).parent
    for year in site.years:
        if site.filing(year).meta.amendments and original_csv_path(root, year).is_file():
            original = load_filing_rows(site, year, original_csv_path(root, year))
            records = downloads.smelter_records(original, site.reference)
            (out / f"smelters-{year}-as-filed.csv").write_bytes(downloads.to_csv(records))
    records = index_records(list(site.timelines), site.years)
    (out / "smelter-index.csv").write_bytes(downloads.to_csv(records))
    (out / "smelter-index.json").write_bytes(downloads.to_json(records, {"filing_years": site.years}))
    (out / "smelter-index.xlsx").write_bytes(downloads.to_xlsx(records, "All smelters"))
