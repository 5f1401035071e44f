"""Checks that hold for any valid content, run on the example, the live tree and a staff cycle.

Each returns a list of problems in words staff can act on (empty when all is well), so a
failing test reads "2024: figure `facilities` is 383 in the data but the page says 380 (...)".
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pandas as pd
import pytest

from disclosures.engine.checks import check_year
from disclosures.engine.load import Site
from disclosures.engine.figures import figures_of

BASE = "http://site.invalid/"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids, self.resources = [], set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        if tag == "link" and attrs.get("rel") in ("canonical", "alternate"):
            return  # the published address, not a resource of this build
        for key in ("href", "src"):
            if attrs.get(key):
                self.links.append(attrs[key])
                if key == "src" or tag == "link":
                    self.resources.append(attrs[key])


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def page_url(site: Path, path: Path) -> str:
    rel = path.relative_to(site).as_posix()
    return BASE + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


def target_file(site: Path, url: str) -> Path:
    path = unquote(urlparse(url).path)[len(urlparse(BASE).path):]
    return site / path / "index.html" if path.endswith("/") or path == "" else site / path


def broken_links(site: Path) -> list[str]:
    """Every internal link and anchor of every page, raw HTML included, must resolve."""
    pages = {p: parse(p) for p in site.rglob("*.html")}
    problems = []
    for path, parsed in pages.items():
        here = page_url(site, path)
        for link in parsed.links:
            if link.lower().startswith("javascript:"):
                problems.append(f"{path.relative_to(site)}: a javascript: link ({link})")
            if re.match(r"^(https?:|mailto:|data:|javascript:)", link, re.I):
                continue
            url = urljoin(here, link)
            target = target_file(site, url)
            fragment = urlparse(url).fragment
            if not target.is_file():
                problems.append(f"{path.relative_to(site)}: link to {link} finds no file")
            elif fragment and target.suffix == ".html" and fragment not in (
                    pages[target].ids if target in pages else parse(target).ids):
                problems.append(f"{path.relative_to(site)}: link to {link} finds no #{fragment} on that page")
    return problems


def external_requests(site: Path) -> list[str]:
    """A page loads nothing from another host (scripts, styles, images, fonts)."""
    problems = []
    for path in site.rglob("*.html"):
        for resource in parse(path).resources:
            if re.match(r"^(https?:)?//", resource):
                problems.append(f"{path.relative_to(site)} loads {resource} from another host")
    for path in site.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^'\")]+)", path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(site)} loads {url} from another host")
    return problems


def _csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def download_problems(site: Path, model: Site) -> list[str]:
    """Each year's downloads hold every published row, in order, as the year's CSV has them."""
    problems = []
    for year, filing in model.filings.items():
        names = [s.row.smelter_name for s in filing.smelters]
        for ext in ("csv", "xlsx", "json"):
            if not (site / "downloads" / f"smelters-{year}.{ext}").is_file():
                problems.append(f"{year}: downloads/smelters-{year}.{ext} is missing")
        path = site / "downloads" / f"smelters-{year}.csv"
        if path.is_file():
            rows = _csv_rows(path.read_bytes())
            shown = [r["smelter_name"].removeprefix("'") for r in rows]
            if shown != names:
                problems.append(f"{year}: downloads/smelters-{year}.csv has {len(rows)} rows, data/smelters/{year}.csv "
                                f"{len(names)}; first difference: "
                                f"{next((a, b) for a, b in zip(shown + [''] * len(names), names + [''] * len(shown)) if a != b)}")
        path = site / "downloads" / f"smelters-{year}.json"
        if path.is_file():
            count = len(pd.read_json(path, orient="table"))  # as the data dictionary tells analysts to read it
            if count != len(names):
                problems.append(f"{year}: downloads/smelters-{year}.json has {count} rows, the data has {len(names)}")
    return problems


def _heading(page: Path) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", page.read_text(encoding="utf-8"), re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else ""


def data_package_problems(site: Path, model: Site) -> list[str]:
    """datapackage.json passes Frictionless validation against the files it describes, every
    column says what it holds and whether it is as filed, each JSON twin loads with pandas with
    the CSV's rows and columns, and every smelter of the index has its page."""
    from frictionless import validate  # a test-only dependency, and slow to import

    problems = []
    report = validate(str(site / "datapackage.json"))
    if not report.valid:
        problems += [f"datapackage.json: {e}" for e in report.flatten(["resourceName", "rowNumber", "fieldName", "message"])[:10]]
    package = json.loads((site / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        for field in resource["schema"]["fields"]:
            if field.get("provenance") not in ("as filed", "analysis") or len(field.get("description", "")) < 20:
                problems.append(f"datapackage.json: {resource['name']}.{field['name']} does not say what it holds")
        twin = site / resource["path"].replace(".csv", ".json")
        if twin.is_file():
            frame = pd.read_json(twin, orient="table")
            rows = _csv_rows((site / resource["path"]).read_bytes())
            if len(frame) != len(rows) or list(frame.columns) != list(rows[0] if rows else frame.columns):
                problems.append(f"{twin.name}: {len(frame)} rows and columns {list(frame.columns)[:4]}..., its CSV "
                                f"{len(rows)} rows")
    index = _csv_rows((site / "downloads" / "smelter-index.csv").read_bytes())
    if len(index) != len(model.timelines):
        problems.append(f"smelter-index.csv has {len(index)} rows for {len(model.timelines)} smelters")
    for row in index:
        page = site / "smelters" / row["smelter_key"] / "index.html"
        if not page.is_file():
            problems.append(f"smelters/{row['smelter_key']}/ is missing ({row['smelter_name']})")
        elif _heading(page) != row["smelter_name"].removeprefix("'"):
            problems.append(f"smelters/{row['smelter_key']}/ is headed {_heading(page)!r}, not {row['smelter_name']!r}")
    return problems


def figure_problems(site: Path, model: Site) -> list[str]:
    """The figures a reader sees equal the engine's: table rows, summary totals, landing cards."""
    problems = []
    home = (site / "index.html").read_text(encoding="utf-8")
    for year, filing in model.filings.items():
        facilities = figures_of(filing).facilities
        smelters = site / str(year) / "smelters" / "index.html"
        if not smelters.is_file():
            problems.append(f"{year}: the smelter list page {year}/smelters/ was not built")
            continue
        html = smelters.read_text(encoding="utf-8")
        rows = html.count("<tr data-metal")
        if rows != facilities:
            problems.append(f"{year}: figure `facilities` is {facilities} in the data but the smelter list page "
                            f"shows {rows} rows (docs/{year}/smelters.md)")
        total = re.search(r'<tr class="cm-total"><th scope="row">All metals</th>.*?<td>([\d,]+)</td></tr>', html, re.S)
        if total and int(total.group(1).replace(",", "")) != facilities:
            problems.append(f"{year}: figure `facilities` is {facilities} in the data but the summary says "
                            f"{total.group(1)} (docs/{year}/smelters.md)")
        facts = re.search(r'<aside class="cm-analysis cm-facts".*?<strong>([\d,]+)</strong> rows</a>', html, re.S)
        if not facts or int(facts.group(1).replace(",", "")) != facilities:
            problems.append(f"{year}: figure `facilities` is {facilities} in the data but the key facts on "
                            f"{year}/smelters/ say {facts and facts.group(1)}")
        card = re.search(rf'{year} filing</a></h3>.*?<strong>([\d,]+)</strong> rows</a>', home, re.S)
        if not card:
            problems.append(f"{year}: the landing page has no card for the {year} filing (docs/index.md)")
        elif int(card.group(1).replace(",", "")) != facilities:
            problems.append(f"{year}: figure `facilities` is {facilities} in the data but the landing page says "
                            f"{card.group(1)} (docs/index.md)")
    return problems


def narrative_problems(root: Path, model: Site) -> list[str]:
    """`scripts/dev check` on the filed years: what is published has nothing left to fix."""
    return [f"{year}: {p}" for year in model.years if year not in model.drafts for p in check_year(root, model, year)]


def assert_none(problems: list[str], what: str) -> None:
    if problems:
        shown = "\n  ".join(problems[:25]) + (f"\n  ... and {len(problems) - 25} more" if len(problems) > 25 else "")
        pytest.fail(f"{what}:\n  {shown}", pytrace=False)
