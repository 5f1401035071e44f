"""The pages of a filing year and where each comes from.

A year's report is its own (docs/YYYY/report.md). Its Form SD, smelter list and change log
pages come from one standard source (disclosures/pages/), unless the year's folder holds its
own copy (a year whose page says something of its own). The build generates the standard
pages; the lock hashes each page as published, whichever its source.
"""
from __future__ import annotations

from pathlib import Path

STANDARD_SOURCE = Path(__file__).resolve().parent.parent / "pages"
STANDARD_PAGES = ("index.md", "smelters.md", "changes.md")
# The pages every filing year has, by file in docs/YYYY/, with their navigation titles.
YEAR_PAGES = {
    "index.md": "Form SD",
    "report.md": "Conflict Minerals Report",
    "smelters.md": "Smelter list",
    "changes.md": "Changes",
}


def year_pages(has_previous: bool) -> list[str]:
    """The first filing has nothing to compare with, so it has no changes page."""
    return [p for p in YEAR_PAGES if p != "changes.md" or has_previous]


def page_sources(docs_dir: Path, year: int, pages: list[str]) -> dict[str, Path]:
    """page name -> the file it is built from: the year's own copy, else the standard source."""
    own = Path(docs_dir) / str(year)
    return {page: own / page if (own / page).is_file() or page not in STANDARD_PAGES else STANDARD_SOURCE / page
            for page in pages}


def generated_pages(docs_dir: Path, year: int, pages: list[str]) -> dict[str, str]:
    """The standard pages the year does not hold itself, with their Markdown."""
    return {page: path.read_text(encoding="utf-8") for page, path in page_sources(docs_dir, year, pages).items()
            if path.parent == STANDARD_SOURCE}
