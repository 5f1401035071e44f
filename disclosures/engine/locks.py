"""Filed years are locked: data/locks/YYYY.json keeps the year's record (engine/record.py).

What was filed (the Form SD, the report's text with its figures, the rows' filed cells, legend,
footnotes, attachments) changes only by amendment (a Form SD/A, recorded under `amendments:`).
What this site says about it (figures, classes, country codes, flags, resolved IDs, the change
log) changes only by restatement (`restatements:`), and the lock then records exactly which
items changed, old -> new. Every build compares the year's record with its lock, and checks that
the built pages and downloads still show every locked item, whatever their markup or format.
Nothing switches the comparison off: a correction recorded in the YAML but not yet locked stops
the build until `scripts/dev lock YYYY` records it.

The first lock also keeps the list as filed (data/locks/YYYY.as-filed.csv, hashed), and the
registry of filed years (engine/registry.py) keeps the year filed whatever else is removed.
"""
from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from disclosures.engine import record as rec
from disclosures.engine.errors import DataError, Problem
from disclosures.engine.model import Filing, FilingMeta, Strict
from disclosures.engine.registry import LOCK_DIR, filed_years, write_atomically
from disclosures.engine.yamlio import read_typed

LOCK_FORMAT = 4
ROW_PAGE = "{year}/smelters/"


def lock_path(root: Path, year: int) -> Path:
    return Path(root) / LOCK_DIR / f"{year}.json"


def original_csv_path(root: Path, year: int) -> Path:
    return Path(root) / LOCK_DIR / f"{year}.as-filed.csv"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- the lock file ------------------------------------------------------------------------------
class LockedOriginal(Strict):
    locked_on: dt.date
    figures: dict[str, int | float]
    csv_sha256: str | None = None


class Change(Strict):
    item: str
    old: str
    new: str


class Correction(Strict):
    """One amendment or restatement as locked: which items it changed (None: locked before
    the site recorded items, format 3)."""

    kind: str  # "amendment" or "restatement"
    date: dt.date
    reason: str
    changes: list[Change] | None = None


def corrections_in(meta: FilingMeta) -> list[dict]:
    """The year's amendments and restatements as its YAML records them, oldest first."""
    return sorted([{"kind": "amendment", "date": a.date.isoformat(), "reason": a.reason} for a in meta.amendments] +
                  [{"kind": "restatement", "date": r.date.isoformat(), "reason": r.reason} for r in meta.restatements],
                  key=lambda c: c["date"])


def unlocked_corrections(meta: FilingMeta, history: list[dict]) -> tuple[list[dict], list[dict]]:
    """(recorded in the YAML but not yet locked, locked but gone from the YAML or edited)."""
    def key(c):
        return c["kind"], c["date"], c["reason"]
    recorded, locked = {key(c): c for c in corrections_in(meta)}, {key(c): c for c in history}
    return [c for k, c in recorded.items() if k not in locked], [c for k, c in locked.items() if k not in recorded]


class Submission(Strict):
    """The EDGAR documents `scripts/dev exhibit` generated when the year was filed (or amended):
    each file's SHA-256, so the documents on EDGAR are provably the ones this data makes."""

    form: str
    locked_on: dt.date
    documents: dict[str, str]


class LockFile(Strict):
    """data/locks/YYYY.json, as `scripts/dev lock` writes it."""

    format: int
    year: int
    locked_on: dt.date
    record: dict
    row_pages: list[str] = []  # the pages that show the smelter rows (the list, and the report's annex)
    context: dict[str, str] = {}
    filed_years: list[int] = []
    history: list[Correction] = []
    original: LockedOriginal
    submissions: list[Submission] = []  # none for a year filed before this site made its documents


def read_lock(root: Path, year: int) -> dict | None:
    path = lock_path(root, year)
    if not path.is_file():
        return None
    try:
        found = json.loads(path.read_text(encoding="utf-8")).get("format")
    except (OSError, ValueError, AttributeError):
        found = LOCK_FORMAT  # the schema below names what is wrong
    if found != LOCK_FORMAT:
        raise DataError(Problem(path, f"lock format {found}, this code reads {LOCK_FORMAT}: run `scripts/dev lock {year}` "
                                      "once to migrate it (it proves the year shows the same, then rewrites it)",
                                field="format"))
    lock = read_typed(path, LockFile, json_file=True).model_dump(mode="json")
    if not lock["submissions"]:
        del lock["submissions"]  # a lock keeps the key only once it has documents to record
    return lock


def write_lock(root: Path, year: int, lock: dict) -> Path:
    path = lock_path(root, year)
    write_atomically(path, json.dumps(lock, indent=1, ensure_ascii=False) + "\n")
    return path


def context_files(root: Path, year: int) -> list[Path]:
    """Files outside the year that change what the site says of it: reference data and the
    previous filing (its change log compares with it). Hashed to name the cause of a difference."""
    root = Path(root)
    earlier = [int(p.stem) for p in (root / "data" / "filings").glob("[0-9][0-9][0-9][0-9].yaml") if int(p.stem) < year]
    previous = [Path("data") / "filings" / f"{max(earlier)}.yaml", Path("data") / "smelters" / f"{max(earlier)}.csv"] \
        if earlier else []
    return sorted(p.relative_to(root) for p in (root / "data" / "reference").glob("*.yaml")) + previous


def context_hashes(root: Path, year: int) -> dict[str, str]:
    return {p.as_posix(): _sha256(Path(root) / p) for p in context_files(root, year) if (Path(root) / p).is_file()}


# ---- before a build: the registry, the locks, what the year's data says ------------------------
@dataclass(frozen=True)
class LockStatus:
    year: int
    locked_on: str
    original_figures: dict = field(default_factory=dict)
    has_original_csv: bool = False
    history: tuple = ()


def lock_statuses(root: Path, site) -> dict[int, LockStatus]:
    """Each locked year's status, without comparing (for the build `scripts/dev lock` makes and
    compares itself, whatever the locks' format)."""
    statuses = {}
    for year in sorted(y for y in filed_years(root) if y in site.filings):
        path = lock_path(root, year)
        if path.is_file():
            lock = json.loads(path.read_text(encoding="utf-8"))
            statuses[year] = LockStatus(year, lock["locked_on"], lock["original"]["figures"],
                                        original_csv_path(root, year).is_file(), tuple(lock.get("history", [])))
    return statuses


def registry_problems(root: Path) -> list[str]:
    """Before anything is loaded: every filed year is there with its lock and data, and every
    lock belongs to a filed year (else a first lock was interrupted)."""
    root = Path(root)
    problems = []
    registered = filed_years(root)
    for year in sorted(registered):
        missing = [p for p in (lock_path(root, year), root / "data" / "filings" / f"{year}.yaml",
                               root / "data" / "smelters" / f"{year}.csv") if not p.is_file()]
        if missing:
            problems.append(f"{year} is filed (registered in data/locks/filed.json on {registered[year]}), but "
                            f"{', '.join(p.relative_to(root).as_posix() for p in missing)} "
                            f"{'is' if len(missing) == 1 else 'are'} missing: nothing filed is ever removed; "
                            f"restore {'it' if len(missing) == 1 else 'them'} from git (git checkout -- PATH)")
    for path in sorted((root / LOCK_DIR).glob("[0-9][0-9][0-9][0-9].json")):
        year = int(path.stem)
        if year not in registered:
            problems.append(f"{path.relative_to(root).as_posix()} exists but {year} is not registered as filed: "
                            f"a first lock was interrupted; run `scripts/dev lock {year}` again to finish it")
    return problems


def check_locks(root: Path, site) -> tuple[list[str], dict[int, LockStatus]]:
    """(problems, status per locked year) before the pages are built: nothing a lock records was
    removed, and each year's data says what its lock does (the report's text is compared after
    the build, in record_problems)."""
    root = Path(root)
    problems, statuses = [], {}
    registered = filed_years(root)
    for year in sorted(y for y in registered if y in site.filings):
        lock = read_lock(root, year)
        if lock is None:
            continue
        recorded = {y for y in lock.get("filed_years", [])} - set(registered)
        if recorded:
            problems.append(f"data/locks/filed.json no longer lists {', '.join(map(str, sorted(recorded)))}, which "
                            f"the lock of {year} records as filed: restore it from git")
        as_filed = original_csv_path(root, year)
        if lock["original"].get("csv_sha256") and (not as_filed.is_file() or _sha256(as_filed) != lock["original"]["csv_sha256"]):
            problems.append(f"{year}: {as_filed.relative_to(root).as_posix()}, the smelter list as originally filed, "
                            f"was changed or removed; it is never edited: restore it from git")
        filing = site.filing(year)
        problems += _data_problems(root, site, year, lock, filing)
        statuses[year] = LockStatus(year, lock["locked_on"], lock["original"]["figures"], as_filed.is_file(),
                                    tuple(lock.get("history", [])))
    return problems, statuses


def _data_problems(root: Path, site, year: int, lock: dict, filing: Filing) -> list[str]:
    """What the year's data says against its lock (all but the report's text)."""
    now = {"filed": rec.filed_part(filing, ""), "analysis": rec.analysis_part(filing, site.diffs.get(year))}
    now["filed"]["report"] = lock["record"]["filed"]["report"]  # compared once the pages are built
    now["attachments"] = rec.attachments(root, year)
    return verdict(root, year, lock, now, filing)


def verdict(root: Path, year: int, lock: dict, now: dict, filing: Filing) -> list[str]:
    """The problem (at most one, with every difference) when `now` differs from the lock, naming
    the route: an amendment for filed content, a restatement for this site's analysis."""
    filed = differences(lock["record"]["filed"], now["filed"]) + \
        attachment_differences(lock["record"].get("attachments", {}), now.get("attachments", {}))
    analysis = differences(lock["record"]["analysis"], now["analysis"])
    new, removed = unlocked_corrections(filing.meta, lock.get("history", []))
    if not (filed or analysis or removed or new):
        return []
    head = f"{year} is filed and locked (locked on {lock['locked_on']})"
    text: list[str] = []
    if removed:
        text.append(f"{head}, but " + ", ".join(f"the {c['kind']} of {c['date']}" for c in removed) +
                    f" it recorded is gone from data/filings/{year}.yaml (or was edited): recorded corrections are "
                    "never removed; restore the entry as it was")
    if filed:
        text.append(f"{head}, but what it filed would change:")
        text += ["  " + line for line in filed]
        text.append(f"  Filed content changes only by amendment: undo the change, or record the Form SD/A under "
                    f"`amendments:` (date, form, reason) in data/filings/{year}.yaml and run `scripts/dev lock {year}`.")
    if analysis and not filed:  # (what filed content changes, the analysis follows)
        text.append(f"{head}, but this site's analysis of it would change:")
        text += ["  " + line for line in analysis]
        causes = changed_context(root, year, lock)
        text.append(f"  Changed since the lock, outside the year: {', '.join(causes)}." if causes else
                    "  Nothing in data/ that shapes it changed: another year, the templates or the code did.")
        text.append(f"  Undo the change; or, if this site's analysis was corrected, record a `restatements:` entry "
                    f"(date, reason) in data/filings/{year}.yaml and run `scripts/dev lock {year}`: the lock records "
                    f"each change, old -> new, and the year's pages list it under Corrections by this site.")
    if not (filed or analysis or removed):
        text.append(f"{head}; data/filings/{year}.yaml records " + ", ".join(f"the {c['kind']} of {c['date']}" for c in new) +
                    f", which the lock has not seen: run `scripts/dev lock {year}` to record it")
    return ["\n    ".join(text)]


def changed_context(root: Path, year: int, lock: dict) -> list[str]:
    context, was = context_hashes(root, year), lock.get("context", {})
    return sorted(f for f in context.keys() | was.keys() if context.get(f) != was.get(f))


# ---- differences, readable ------------------------------------------------------------------
def differences(was: dict, now: dict, limit: int = 5) -> list[str]:
    """Each item that differs: "figure `sanctioned`: 1 -> 2", "row 12 (Gold, X): class 'Active' -> ..."."""
    lines: list[str] = []
    for key in was.keys() | now.keys():
        a, b = was.get(key), now.get(key)
        if key == "report":
            a, b = " ".join(a or []), " ".join(b or [])  # the words, whatever the blocks
        if a == b:
            continue
        if key == "figures":
            lines += [f"figure `{k}`: {a.get(k)} -> {b.get(k)}" for k in sorted(a.keys() | b.keys()) if a.get(k) != b.get(k)]
        elif key == "rows" and isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            changed = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
            lines.append(f"{len(changed)} of {len(a)} rows: " + "; ".join(_row_change(i, x, y) for i, x, y in
                                                                        ((i, a[i], b[i]) for i in changed[:limit])))
        elif key == "report":
            lines.append("the report: " + _text_change(a, b))
        elif isinstance(a, list) and isinstance(b, list):
            lines.append(f"{key}: " + _list_change([json.dumps(x, ensure_ascii=False) for x in a],
                                                   [json.dumps(x, ensure_ascii=False) for x in b], limit))
        else:
            lines.append(f"{key}: {_clip(json.dumps(a, ensure_ascii=False))} -> {_clip(json.dumps(b, ensure_ascii=False))}")
    return sorted(lines)


def itemised(was: dict, now: dict) -> list[dict]:
    """The changes a correction makes, one per item, old -> new (what a restatement records)."""
    items = []
    for k in sorted(was.get("figures", {}).keys() | now.get("figures", {}).keys()):
        a, b = was.get("figures", {}).get(k), now.get("figures", {}).get(k)
        if a != b:
            items.append({"item": f"figure {k}", "old": str(a), "new": str(b)})
    rows_was, rows_now = was.get("rows", []), now.get("rows", [])
    names = now.get("_names") or []
    for i, (a, b) in enumerate(zip(rows_was, rows_now)):
        for key in sorted(a.keys() | b.keys()):
            if a.get(key) != b.get(key):
                who = names[i] if i < len(names) else f"row {i + 1}"
                items.append({"item": f"{who}: {key.replace('_', ' ')}", "old": _plain(a.get(key)), "new": _plain(b.get(key))})
    if len(rows_was) != len(rows_now):
        items.append({"item": "rows", "old": str(len(rows_was)), "new": str(len(rows_now))})
    changes_was = {json.dumps(e, ensure_ascii=False) for e in was.get("changes", [])}
    changes_now = {json.dumps(e, ensure_ascii=False) for e in now.get("changes", [])}
    for gone in sorted(changes_was - changes_now):
        items.append({"item": "change log entry", "old": _change_text(json.loads(gone)), "new": ""})
    for new in sorted(changes_now - changes_was):
        items.append({"item": "change log entry", "old": "", "new": _change_text(json.loads(new))})
    return items


def _change_text(entry: list[str]) -> str:
    section, metal, old, new, old_status, new_status = entry
    return f"{section}: {metal}, {old or new}{f' -> {new}' if old and new and old != new else ''} " \
           f"({old_status or '—'} -> {new_status or '—'})"


def _plain(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


def _row_change(i: int, a, b) -> str:
    if isinstance(a, dict):
        keys = [k for k in sorted(a.keys() | b.keys()) if a.get(k) != b.get(k)]
        return f"row {i + 1}: " + ", ".join(f"{k} {_plain(a.get(k))!r} -> {_plain(b.get(k))!r}" for k in keys)
    return f"row {i + 1}: {' | '.join(a)!r} -> {' | '.join(b)!r}"


def _list_change(a: list[str], b: list[str], limit: int) -> str:
    parts = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal" and len(parts) < limit:
            old, new = " / ".join(a[a1:a2]), " / ".join(b[b1:b2])
            parts.append(f"{_clip(old)!s} -> {_clip(new)!s}" if old and new else
                         f"{'removed' if old else 'added'} {_clip(old or new)}")
    return "; ".join(parts) + f" ({len(a)} locked, {len(b)} now)"


def _text_change(a: str, b: str) -> str:
    x, y = a.split(" "), b.split(" ")
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, x, y, autojunk=False).get_opcodes():
        if op != "equal":
            before = " ".join(x[max(0, a1 - 6):a1])
            return f"'…{before} {' '.join(x[a1:a2])}…' would read '…{before} {' '.join(y[b1:b2])}…'"
    return "the blocks differ"


def attachment_differences(was: dict, now: dict) -> list[str]:
    return [f"{path}: {'added' if path not in was else 'removed' if path not in now else 'changed'} "
            f"(a filed year's attachments change only by amendment)"
            for path in sorted(was.keys() | now.keys()) if was.get(path) != now.get(path)]


def _clip(text: str, width: int = 160) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# ---- after a build: the report, the pages and downloads ----------------------------------------
def year_record(root: Path, site, year: int, page_html: dict[str, str], site_dir: Path, downloads: bool = True) -> dict:
    """What `year` files and what this site says of it, from the model and this build (a preview,
    whose downloads are written in the background, leaves them out)."""
    filing = site.filing(year)
    return {"filed": rec.filed_part(filing, page_html.get(f"{year}/report.md", "")),
            "analysis": rec.analysis_part(filing, site.diffs.get(year)),
            "downloads": {p.name: rec.download_columns(p) for p in rec.year_downloads(Path(site_dir), year)} if downloads else {},
            "attachments": rec.attachments(root, year)}


def record_problems(root: Path, site, year: int, record: dict, site_dir: Path, downloads: bool = True) -> list[str]:
    """After a build: the year's record against its lock (the report's text included), every
    locked download with its locked columns' values, and every item shown on its pages."""
    lock = read_lock(root, year)
    filing = site.filing(year)
    problems = verdict(root, year, lock, record, filing)
    if problems:
        return problems
    return shown_problems(year, lock, Path(site_dir)) + (download_problems(year, lock, record) if downloads else [])


def download_problems(year: int, lock: dict, record: dict) -> list[str]:
    problems = []
    for name, columns in lock["record"].get("downloads", {}).items():
        now = record["downloads"].get(name)
        if now is None:
            problems.append(f"{year}: the download {name} is gone; a filed year's downloads are never removed "
                            "(the templates or the code changed: undo it)")
            continue
        differing = [c for c in columns if now.get(c) != columns[c]]
        if differing:
            problems.append(f"{year}: the download {name} would hold other values in {', '.join(differing)} than "
                            f"when locked; the code that writes it changed: undo that change")
    return problems


def shown_problems(year: int, lock: dict, site_dir: Path) -> list[str]:
    """Each locked item still on its page, whatever the markup: the Form SD's pieces and the
    report's blocks in order, each smelter row (filed cells and analysis) in one table row, each
    change log entry likewise."""
    record, problems = lock["record"], []

    def page(url: str):
        path = site_dir / url / "index.html"
        return rec.ShownText(path.read_text(encoding="utf-8")) if path.is_file() else None

    def missing(url: str, what: str, item) -> None:
        shown = " | ".join(c for c in item if c) if isinstance(item, list) else item
        problems.append(f"{year}: the page {url} no longer shows {what}: '{_clip(shown)}'. The templates, the theme or "
                        f"the code changed what a filed year shows: undo that change (a filed record is not restated)")

    checks = [(f"{year}/", "a piece of the Form SD as filed", record["filed"]["form_sd"], "text"),
              (f"{year}/report/", "a passage of the report as filed", record["filed"]["report"], "text")]
    filed_rows = [[rec.words(c) for c in filed] for filed in record["filed"]["rows"]]
    # The year's list shows the analysis beside each row too (another page, such as the report's
    # annex, may show the filed cells only).
    shown_rows = [cells + [rec.words(a["class"]), a["country_code"], a["resolved_id"]] + [rec.words(f) for f in a["flags"]]
                  for cells, a in zip(filed_rows, record["analysis"]["rows"])]
    checks += [(url, "a smelter row", shown_rows if url == ROW_PAGE.format(year=year) else filed_rows, "rows")
               for url in lock.get("row_pages", [])]
    entries = [[rec.words(c) for c in e[2:]] for e in record["analysis"]["changes"]]
    checks.append((f"{year}/changes/", "an entry of the change log", entries, "rows"))
    for url, what, items, kind in checks:
        if not items:
            continue
        shown = page(url)
        if shown is None:
            problems.append(f"{year}: the page {url} was not built; a filed year's pages are never removed")
            continue
        gone = shown.missing_in_order(items) if kind == "text" else shown.missing_rows(items)
        if gone is not None:
            missing(url, what, gone)
    return problems


def write_record(folder: Path, year: int, record: dict, report_html: str = "") -> None:
    """The year's record for `scripts/dev lock`, and its report as converted from Markdown (each
    macro's placeholder named) for `scripts/dev exhibit`."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    (Path(folder) / f"{year}.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    (Path(folder) / f"{year}.report.html").write_text(report_html, encoding="utf-8")


def make_lock(root: Path, filing: Filing, record: dict, previous: dict | None, today: dt.date,
              filed: list[int], row_pages: list[str], submission: dict | None = None) -> dict:
    """A new lock for `filing`, the previous one's history kept and this correction itemised.
    What the first lock kept as filed (figures, the list's hash) is kept forever. `submission`:
    the EDGAR documents' digests ({form, documents}), kept when the year is first filed or amended."""
    as_filed = original_csv_path(root, filing.year)
    original = previous["original"] if previous else {
        "locked_on": today.isoformat(), "figures": rec.figures(filing)}
    if not original.get("csv_sha256") and as_filed.is_file():
        original = dict(original, csv_sha256=_sha256(as_filed))
    history = list(previous.get("history", [])) if previous else []
    if previous:
        new, _ = unlocked_corrections(filing.meta, history)
        now = dict(record["analysis"], _names=[f"{r[1]} ({r[0]})" for r in record["filed"]["rows"]])
        changes = itemised(previous["record"]["analysis"], now) + [
            {"item": "filed", "old": line, "new": ""} for line in differences(previous["record"]["filed"], record["filed"])]
        for correction in new:
            history.append(dict(correction, changes=changes))
            changes = []  # several recorded at once: the first carries the items
    submissions = list(previous.get("submissions", [])) if previous else []
    if submission:
        submissions.append(dict(submission, locked_on=today.isoformat()))
    return {"format": LOCK_FORMAT, "year": filing.year, "locked_on": today.isoformat(),
            "record": record, "row_pages": row_pages,
            "context": context_hashes(root, filing.year), "filed_years": filed, "history": history,
            "original": original} | ({"submissions": submissions} if submissions else {})
