"""A page as the core sees it, whatever generator prints it: its source under docs/ and its address."""
from __future__ import annotations

import re
from dataclasses import dataclass

_YEAR_PAGE = re.compile(r"^(\d{4})/([a-z]+\.md)$")


def page_year(src_uri: str) -> tuple[int, str] | None:
    """("2023/report.md") -> (2023, "report.md"); None for pages outside a year folder."""
    match = _YEAR_PAGE.match(src_uri)
    return (int(match.group(1)), match.group(2)) if match else None


def relative_url(from_page_url: str, target: str) -> str:
    """A link that works under any site_url sub-path (GitHub project pages)."""
    depth = from_page_url.strip("/").count("/") + 1 if from_page_url.strip("/") else 0
    return "../" * depth + target


@dataclass(frozen=True)
class Page:
    src_uri: str  # e.g. "2023/report.md"
    url: str  # e.g. "2023/report/"

    @property
    def year(self) -> int | None:
        found = page_year(self.src_uri)
        return found[0] if found else None
