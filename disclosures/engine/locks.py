"""Filed years are locked: data/locks/YYYY.json freezes what the year publishes.

A lock holds (1) a content hash of the year's own files (YAML, CSV, pages), (2) what the year
shows, computed from them: every figure and every row as shown (class, ISO country, flags,
identity), and (3) hashes of everything else that can change what it shows (reference data,
aliases, the supplier survey), to name the cause of a difference. The first lock also keeps the
figures and the list as filed (data/locks/YYYY.as-filed.csv, hashed too), never replaced.

Every build recomputes (1) and (2). Any difference, whatever caused it, stops the build,
unless the year's YAML records an amendment (Form SD/A) or a restatement (a correction of
this site's analysis, the filed text untouched) that the lock has not seen; `scripts/dev lock
YYYY` then re-locks it. The pages say what changed.
"""
from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import html as lxml_html
from pydantic import Field

from disclosures.engine.figures import figures_of
from disclosures.engine.model import Filing, Smelter, Strict
from disclosures.engine.pages import page_sources, year_pages
from disclosures.engine.yamlio import read_typed

LOCK_DIR = Path("data") / "locks"
LOCK_FORMAT = 3
FIGURES_SHOWN = ("facilities", "distinct", "conformant", "active", "not_listed", "non_conformant",
                 "in_covered_countries", "greater_risk", "sanctioned", "restricted", "surveyed", "responded")


def year_files(root: Path, year: int) -> dict[str, Path]:
    """The year's own files and the pages it publishes (a standard page from its one source),
    by their path in the project: its YAML, list, supplier survey, pages."""
    docs = root / "docs" / str(year)
    pages = sorted({p.name for p in docs.glob("*.md")} | set(year_pages(_has_previous(root, year))))
    own = [Path("data") / "filings" / f"{year}.yaml", Path("data") / "smelters" / f"{year}.csv",
           Path("data") / "rcoi" / f"{year}.yaml"]
    files = {p.as_posix(): root / p for p in own}
    files.update({f"docs/{year}/{page}": source for page, source in page_sources(root / "docs", year, pages).items()})
    return files


def _has_previous(root: Path, year: int) -> bool:
    return any(int(p.stem) < year for p in (root / "data" / "filings").glob("[0-9][0-9][0-9][0-9].yaml"))


def context_files(root: Path, year: int) -> list[Path]:
    """Files outside the year that change what it shows: reference data and the previous filing
    (its change log compares with it)."""
    earlier = [int(p.stem) for p in (root / "data" / "filings").glob("[0-9][0-9][0-9][0-9].yaml") if int(p.stem) < year]
    previous = [Path("data") / "filings" / f"{max(earlier)}.yaml", Path("data") / "smelters" / f"{max(earlier)}.csv"] \
        if earlier else []
    return sorted(p.relative_to(root) for p in (root / "data" / "reference").glob("*.yaml")) + previous


def context_hashes(root: Path, year: int) -> dict[str, str]:
    return _hashes(root, context_files(root, year))


def _hashes(root: Path, paths: list[Path]) -> dict[str, str]:
    return {p.as_posix(): _sha256(root / p) for p in paths if (root / p).is_file()}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def digests(root: Path, year: int) -> dict[str, str]:
    return {name: _sha256(path) for name, path in year_files(root, year).items() if path.is_file()}


def lock_path(root: Path, year: int) -> Path:
    return root / LOCK_DIR / f"{year}.json"


def original_csv_path(root: Path, year: int) -> Path:
    return root / LOCK_DIR / f"{year}.as-filed.csv"


def row_as_shown(s: Smelter) -> str:
    """One row as the site shows it: published cells, then what the site derives from them."""
    flags = ",".join(sorted(r.label for r in s.restrictions))
    return " | ".join((s.row.metal, s.row.smelter_name, s.row.country, s.row.status, s.row.smelter_id,
                       s.row.footnote, s.status_class, s.class_label, s.country_code, "covered" if s.in_covered_country else "",
                       "greater risk" if s.greater_risk else "", flags))


def published(filing: Filing) -> dict:
    figures = figures_of(filing)
    return {"figures": {name: getattr(figures, name) for name in FIGURES_SHOWN},
            "rows": [row_as_shown(s) for s in filing.smelters]}


# ---- what the built pages and downloads of a year say -----------------------------------------
# The site's own additions are left out: banners and notes (.admonition, .cm-filed, [data-site]),
# analysis boxes and columns (.cm-analysis, .cm-an), controls. What remains is the filed text as
# the reader gets it, the filed columns of the list, and the change log.
def _has_class(name: str) -> str:
    return f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"


_NOT_LOCKED = [".//script", ".//style", ".//svg", ".//*[@data-site]"] + [_has_class(c) for c in (
    "headerlink", "admonition", "cm-filed", "cm-analysis", "cm-an", "cm-view-note", "cm-view", "cm-controls",
    "cm-sr-only", "cm-more")]
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "dt", "dd", "caption", "pre", "blockquote", "figcaption"}


def page_blocks(html: str) -> list[str]:
    """The text of a built page's content, one entry per paragraph, heading, item or table row."""
    tree = lxml_html.fromstring(html)
    root = (tree.xpath(_has_class("md-content__inner")) or [tree])[0]
    for path in _NOT_LOCKED:
        for node in root.xpath(path):
            node.drop_tree()
    for br in root.iter("br"):  # a line break separates words
        br.tail = "\n" + (br.tail or "")
    blocks: list[str] = []

    def walk(node):
        for child in node:
            if not isinstance(child.tag, str):
                continue
            if child.tag in _BLOCKS:
                cells = child.xpath("./td|./th") if child.tag == "tr" else None
                words = " | ".join(" ".join(c.text_content().split()) for c in cells) if cells else \
                    " ".join(child.text_content().split())
                if words:
                    blocks.append(words)
            else:
                walk(child)
    walk(root)
    return blocks


def _download_digest(path: Path) -> str:
    """sha256 of a download; of a workbook's sheets and strings only (its zip carries a timestamp)."""
    if path.suffix != ".xlsx":
        return _sha256(path)
    digest = hashlib.sha256()
    with zipfile.ZipFile(path) as book:
        for name in sorted(n for n in book.namelist() if n.startswith(("xl/worksheets/", "xl/sharedStrings"))):
            digest.update(name.encode() + b"\0" + book.read(name))
    return digest.hexdigest()


def rendered(site_dir: Path, year: int) -> dict:
    """What a built site shows of `year`: the text of its pages and a digest of its downloads."""
    pages = {p.parent.relative_to(site_dir).as_posix() + "/": page_blocks(p.read_text(encoding="utf-8"))
             for p in sorted((site_dir / str(year)).rglob("index.html"))}
    downloads = site_dir / "downloads"
    files = sorted(downloads.glob(f"smelters-{year}.*")) + sorted(downloads.glob(f"smelters-{year}-as-filed.*")) + \
        sorted(downloads.glob(f"changes-*-{year}.*"))
    return {"pages": pages, "downloads": {p.name: _download_digest(p) for p in files}}


def rendered_differences(was: dict, now: dict, limit: int = 4) -> list[str]:
    """Readable differences in what a year's pages say: "2023/report/: '...' would read '...'"."""
    lines = []
    for page in sorted(was.get("pages", {}).keys() | now["pages"].keys()):
        before, after = was.get("pages", {}).get(page), now["pages"].get(page)
        if before == after:
            continue
        if before is None or after is None:
            lines.append(f"page {page} {'would be new' if before is None else 'would be gone'}")
            continue
        shown = 0
        for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
            if op == "equal" or shown >= limit:
                continue
            shown += 1
            old, new = " / ".join(before[a1:a2]), " / ".join(after[b1:b2])
            lines.append(f"{page}: '{_clip(old)}' would read '{_clip(new)}'" if old and new else
                         f"{page}: '{_clip(old or new)}' would be {'removed' if old else 'added'}")
    for name in sorted(was.get("downloads", {}).keys() | now["downloads"].keys()):
        if was.get("downloads", {}).get(name) != now["downloads"].get(name):
            lines.append(f"download {name} would {'differ' if name in now['downloads'] and name in was.get('downloads', {}) else 'be added or gone'}")
    return lines


def _clip(text: str, width: int = 160) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass(frozen=True)
class LockStatus:
    year: int
    locked_on: str
    changed: tuple[str, ...]  # files that differ from the lock (allowed only under a new amendment)
    original_figures: dict = field(default_factory=dict)
    has_original_csv: bool = False


class LockedOriginal(Strict):
    locked_on: dt.date
    figures: dict[str, int | float]
    csv_sha256: str | None = None


class LockedPublished(Strict):
    figures: dict[str, int | float]
    rows: list[str]


class LockedRendered(Strict):
    pages: dict[str, list[str]] = {}
    downloads: dict[str, str] = {}


class LockFile(Strict):
    """data/locks/YYYY.json, as `scripts/dev lock` writes it (older formats lack the later fields)."""

    format: int = 1
    year: int
    locked_on: dt.date
    amendments: int = Field(ge=0)
    corrections: int | None = Field(default=None, ge=0)
    files: dict[str, str]
    context: dict[str, str] = {}
    published: LockedPublished
    rendered: LockedRendered | None = None
    filed_years: list[int] = []
    original: LockedOriginal


def read_lock(root: Path, year: int) -> dict | None:
    """The lock, validated by its schema; as the plain data it was written as (fields it lacks stay absent)."""
    path = lock_path(root, year)
    if not path.is_file():
        return None
    return read_typed(path, LockFile, json_file=True).model_dump(mode="json", exclude_unset=True)


def _corrections(filing: Filing) -> int:
    return len(filing.meta.amendments) + len(filing.meta.restatements)


def shown_differences(lock: dict, now: dict, limit: int = 5) -> list[str]:
    """Readable differences between what a year showed when locked and what it would show now."""
    was = lock.get("published", {})
    lines = [f"figure `{name}` would read {now['figures'][name]} (filed and locked: {value})"
             for name, value in was.get("figures", {}).items() if now["figures"].get(name) != value]
    before, after = was.get("rows", []), now["rows"]
    if before != after:
        gone = [r for r in before if r not in set(after)]
        new = [r for r in after if r not in set(before)]
        lines.append(f"{len(gone)} rows would be shown differently ({len(before)} rows locked, {len(after)} now)")
        lines += [f"  was: {a}\n      now: {b}" for a, b in zip(gone[:limit], new[:limit])]
        lines += [f"  was: {a}" for a in gone[len(new):limit]] + [f"  new: {b}" for b in new[len(gone):limit]]
    return lines


def check_locks(root: Path, filings: dict[int, Filing]) -> tuple[list[str], dict[int, LockStatus]]:
    """(problems, status per locked year). A problem: a locked year would change without an
    amendment or restatement recorded since its lock, or its lock or as-filed list was tampered with."""
    problems, statuses = [], {}
    locks = {int(p.name[:4]): read_lock(root, int(p.name[:4])) for p in sorted((root / LOCK_DIR).glob("[0-9][0-9][0-9][0-9].json"))}
    recorded = {y for lock in locks.values() for y in lock.get("filed_years", [])}
    problems += [f"{y} is recorded as filed (in the lock of {max(y2 for y2, l in locks.items() if y in l.get('filed_years', []))}) "
                 f"but data/locks/{y}.json is missing: a filed year never becomes a draft again; restore it from git "
                 f"(git checkout -- data/locks/{y}.json)" for y in sorted(recorded - locks.keys())
                 if not original_csv_path(root, y).is_file()]
    for as_filed in sorted((root / LOCK_DIR).glob("*.as-filed.csv")):
        lock = as_filed.with_name(as_filed.name.replace(".as-filed.csv", ".json"))
        if not lock.is_file():
            problems.append(f"{as_filed.name[:4]} was filed ({as_filed.relative_to(root)} exists) but its lock "
                            f"{lock.relative_to(root)} is missing: a filed year never becomes a draft again; "
                            f"restore the lock from git (git checkout -- {lock.relative_to(root)})")
    for lock in locks.values():
        year = int(lock["year"])
        if year not in filings:
            continue  # left out of this build (or missing data, which load_site reports)
        filing = filings[year]
        fix = _fix(year)
        as_filed = original_csv_path(root, year)
        if lock["original"].get("csv_sha256") and (not as_filed.is_file() or _sha256(as_filed) != lock["original"]["csv_sha256"]):
            problems.append(f"{year}: {as_filed.relative_to(root)}, the smelter list as originally filed, was changed or "
                            f"removed; it is never edited: restore it from git (git checkout -- {as_filed.relative_to(root)})")
        current = digests(root, year)
        changed = tuple(sorted(f for f in current.keys() | lock["files"].keys() if current.get(f) != lock["files"].get(f)))
        differences = shown_differences(lock, published(filing)) if "published" in lock else []
        if (changed or differences) and _corrections(filing) <= lock.get("corrections", lock.get("amendments", 0)):
            context = _hashes(root, context_files(root, year))
            causes = sorted(f for f in context.keys() | lock.get("context", {}).keys()
                            if context.get(f) != lock.get("context", {}).get(f))
            text = [f"{year} is filed and locked (locked on {lock['locked_on']}), but what it publishes would change."]
            if changed:
                text.append(f"Its files changed: {', '.join(changed)}.")
            text += differences
            if differences and causes:
                text.append(f"Changed since the lock, outside the year: {', '.join(causes)}.")
            elif differences and not changed:
                text.append("Nothing in data/ changed: the code that classifies or shows the rows did.")
            problems.append("\n    ".join(text + [fix]))
        statuses[year] = LockStatus(year, lock["locked_on"], changed, lock["original"]["figures"], as_filed.is_file())
    return problems, statuses


def rendered_problems(root: Path, site_dir: Path, filings: dict[int, Filing]) -> list[str]:
    """After a build: a filed year whose pages or downloads would say something else than when
    it was locked, with no amendment or restatement recorded since."""
    problems = []
    for year, filing in sorted(filings.items()):
        lock = read_lock(root, year)
        if not lock or "rendered" not in lock or _corrections(filing) > lock.get("corrections", 0):
            continue
        differences = rendered_differences(lock["rendered"], rendered(site_dir, year))
        if differences:
            context = _hashes(root, context_files(root, year))
            causes = sorted(f for f in context.keys() | lock.get("context", {}).keys()
                            if context.get(f) != lock.get("context", {}).get(f))
            cause = (f"Changed since the lock: {', '.join(causes)}." if causes else
                     "Nothing in data/ that shapes it changed: another year, the templates or the code did.")
            problems.append("\n    ".join([f"{year} is filed and locked (locked on {lock['locked_on']}), but its pages "
                                           f"would read differently:"] + differences + [cause, _fix(year)]))
    return problems


def _fix(year: int) -> str:
    return (f"Undo the change; or, if the filing was amended, record it under `amendments:` (date, form SD/A, "
            f"reason) in data/filings/{year}.yaml; or, if this site's analysis was corrected, record a "
            f"`restatements:` entry (date, reason); then run `scripts/dev lock {year}`.")


def make_lock(root: Path, filing: Filing, previous: dict | None, today: dt.date,
              shown: dict | None = None, filed_years: list[int] | None = None) -> dict:
    """A new lock for `filing`; what the first lock kept as filed is kept forever."""
    as_filed = original_csv_path(root, filing.year)
    original = previous["original"] if previous else {
        "locked_on": today.isoformat(),
        "figures": {k: v for k, v in figures_of(filing).__dict__.items()},
    }
    if "csv_sha256" not in original and as_filed.is_file():
        original = dict(original, csv_sha256=_sha256(as_filed))
    return {
        "format": LOCK_FORMAT,
        "year": filing.year,
        "locked_on": today.isoformat(),
        "amendments": len(filing.meta.amendments),
        "corrections": _corrections(filing),
        "files": digests(root, filing.year),
        "context": _hashes(root, context_files(root, filing.year)),
        "published": published(filing),
        "rendered": shown or {},
        "filed_years": filed_years or [filing.year],
        "original": original,
    }
