"""What the MkDocs hooks and the macros share: the one loaded model, and page <-> year rules."""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from markupsafe import Markup

from disclosures.engine.load import Site, load_site
from disclosures.engine.pages import STANDARD_PAGES, YEAR_PAGES, generated_pages, year_pages



def standard_pages(site: Site, docs_dir: Path, year: int) -> dict[str, str]:
    """The year's standard pages it does not hold itself: page -> its Markdown (generated into the build)."""
    return generated_pages(docs_dir, year, pages_for(site, year))


class _Serving:
    """Set by the hooks: whether this is `mkdocs serve`, and the data error to show on every page."""

    on: bool = False
    error: str | None = None


SERVING = _Serving()


class _Build:
    """What on_config computes once for the rest of the build (on_post_build writes downloads from it)."""

    amendments: dict = {}  # year -> engine.amendments.AmendmentEffect
    writing = None  # render.downloads.Writing: the downloads being written beside the page build


BUILD = _Build()
_YEAR_PAGE = re.compile(r"^(\d{4})/([a-z]+\.md)$")
_cache: dict[Path, tuple[tuple, Site]] = {}


def drafts_included() -> bool:
    """CM_DRAFTS=omit (set by `scripts/dev build` and the deploy workflow) leaves drafts out."""
    value = os.environ.get("CM_DRAFTS", "include")
    if value not in ("include", "omit"):
        raise ValueError(f"CM_DRAFTS must be 'include' or 'omit', not {value!r}")
    return value == "include"


def get_site(data_dir: Path) -> Site:
    """Load data/ once per build: reused until a file in it changes (so `mkdocs serve` reloads)."""
    data_dir = Path(data_dir).resolve()
    drafts = drafts_included()
    fingerprint = (drafts,) + tuple(sorted(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in data_dir.rglob("*") if p.is_file()
    ))
    cached = _cache.get(data_dir)
    if cached and cached[0] == fingerprint:
        return cached[1]
    site = load_site(data_dir, drafts=drafts)
    _cache[data_dir] = (fingerprint, site)
    return site


def page_year(src_uri: str) -> tuple[int, str] | None:
    """("2023/report.md") -> (2023, "report.md"); None for pages outside a year folder."""
    match = _YEAR_PAGE.match(src_uri)
    return (int(match.group(1)), match.group(2)) if match else None


def pages_for(site: Site, year: int) -> list[str]:
    return year_pages(site.previous(year) is not None)


def missing_pages(site: Site, docs_dir: Path) -> list[str]:
    """Problems between data/ and docs/: years with data but no pages, or pages but no data."""
    problems = []
    for year in site.years:
        for page in pages_for(site, year):
            if page not in STANDARD_PAGES and not (docs_dir / str(year) / page).is_file():
                problems.append(f"docs/{year}/{page} is missing: data/filings/{year}.yaml has no {YEAR_PAGES[page]} page "
                                f"(restore it with: scripts/dev new-year {year} --restore)")
    for folder in sorted(p for p in docs_dir.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)):
        if int(folder.name) not in site.filings and int(folder.name) not in omitted_drafts(site, docs_dir):
            problems.append(f"docs/{folder.name}/ has pages but there is no data/filings/{folder.name}.yaml")
    return problems


def omitted_drafts(site: Site, docs_dir: Path) -> set[int]:
    """Draft years left out of this build (CM_DRAFTS=omit): their pages are dropped, not errors."""
    if drafts_included():
        return set()
    data = Path(docs_dir).parent / "data"
    return {int(p.stem) for p in (data / "filings").glob("[0-9][0-9][0-9][0-9].yaml")} - set(site.years)


def relative_url(from_page_url: str, target: str) -> str:
    """A link that works under any site_url sub-path (GitHub project pages)."""
    depth = from_page_url.strip("/").count("/") + 1 if from_page_url.strip("/") else 0
    return "../" * depth + target


class Slots:
    """Large HTML (the smelter tables) kept away from Markdown and the search plugin's parser.

    A macro puts the table here and leaves an empty one-element placeholder; after the page is
    rendered and indexed, the hooks put the table in its place. Python-Markdown and Material's
    search otherwise re-parse every tag of every table, which dominated the build at scale (see
    scripts/bench_site.py), and a table's names would become one run-together search excerpt:
    the search finds smelters through their own entries instead (render/search_docs.py).
    """

    def __init__(self):
        self._html: dict[str, str] = {}
        self._token = uuid.uuid4().hex[:12]

    def put(self, html: str):
        key = f"{self._token}-{len(self._html)}"
        self._html[key] = str(html)
        return Markup(f'\n<div data-cm-slot="{key}"></div>\n')

    def fill(self, output: str) -> str:
        if "data-cm-slot" not in output:
            return output
        return _SLOT.sub(lambda m: self._html.pop(m.group(1), m.group(0)), output)

    def expand(self, source: str) -> str:
        """`source` with every placeholder replaced, keeping the slots (for the benchmark's dump)."""
        return _SLOT.sub(lambda m: self._html.get(m.group(1), m.group(0)), source)

    def reset(self) -> None:
        self._html.clear()
        self._token = uuid.uuid4().hex[:12]


_SLOT = re.compile(r'<div data-cm-slot="([0-9a-f]{12}-\d+)">.*?</div>', re.S)
SLOTS = Slots()
