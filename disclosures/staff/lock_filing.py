#!/usr/bin/env python3
"""File (lock) a year, or re-lock it after recording an amendment or a restatement.

    scripts/dev lock 2023

Builds the site, then writes data/locks/YYYY.json: the year's record (what it filed and what
this site says of it, as data: engine/record.py). The first lock also keeps the smelter list as
filed (data/locks/YYYY.as-filed.csv) and registers the year in data/locks/filed.json; from then
on the year is filed. Its filed content changes only under a new `amendments:` entry (Form SD/A),
this site's analysis of it only under a new `restatements:` entry, which the lock itemises
(old -> new). Each file is written whole or not at all: an interrupted lock is finished by
running the same command again.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

from disclosures.engine import locks
from disclosures.engine.checks import check_year
from disclosures.engine.errors import DataError
from disclosures.engine.registry import filed_years, register, write_atomically
from disclosures.staff.cli import ROOT, build_records, load_site_or_exit, project_lock, reporting_year
from disclosures.staff.exhibit import generate


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/dev lock", description=__doc__.split("\n\n")[0])
    parser.add_argument("year", type=reporting_year)
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    with project_lock(args.root):
        return lock_year(args.root, args.year)


def lock_year(root: Path, year: int) -> int:
    site = load_site_or_exit(root / "data", "the data does not validate, so nothing was locked.")
    if year not in site.filings:
        return _error(f"no {year} filing in data/filings/")
    filing = site.filing(year)
    try:
        registered = filed_years(root)
    except DataError as exc:
        return _error(str(exc))
    raw = _raw_lock(root, year)
    if year in registered and raw is None:
        return _error(f"{year} is filed (data/locks/filed.json) but its lock data/locks/{year}.json is missing: "
                      f"restore it from git (git checkout -- data/locks/{year}.json); nothing was locked")
    previous = raw if year in registered else None  # a lock without registration: an interrupted first lock
    if previous is None and not filing.smelters:
        return _error(f"data/smelters/{year}.csv has no rows: import the list before filing; nothing was locked")
    amending = previous is not None and any(c["kind"] == "amendment" for c in locks.unlocked_corrections(
        filing.meta, previous.get("history", []))[0])
    if previous is None or amending:  # what is filed, first or by amendment, passes the same check
        problems = check_year(root, site, year)
        if problems:
            what = "so it was not filed" if previous is None else "so the amendment was not recorded"
            return _error(f"{year} does not pass `scripts/dev check {year}`, {what}:\n  " + "\n  ".join(map(str, problems)))
    with tempfile.TemporaryDirectory(prefix="cm-lock-") as tmp:
        built = _build(root, Path(tmp))
        if built is None:
            return 1
        record, row_pages = built[year]["record"], built[year]["row_pages"]
        if previous is not None and previous.get("format") == 3:
            return _migrate(root, year, filing, previous, record, row_pages, registered)
        refusal = _refusal(root, year, filing, previous, record, row_pages, Path(tmp) / "site")
        if refusal:
            return _error(refusal)
        if previous is not None and previous["record"] == record and not any(
                locks.unlocked_corrections(filing.meta, previous.get("history", []))):
            return _refresh_causes(root, year, previous)
        as_filed = locks.original_csv_path(root, year)
        if previous is None:
            write_atomically(as_filed, (root / "data" / "smelters" / f"{year}.csv").read_bytes())
        today = dt.date.today()
        filed = sorted(set(registered) | {year})
        # The EDGAR documents are recorded when the year is filed and with each amendment (Form SD/A).
        new = locks.unlocked_corrections(filing.meta, previous.get("history", []))[0] if previous else []
        files = previous is None or any(c["kind"] == "amendment" for c in new)
        lock = locks.make_lock(root, filing, record, previous, today, filed, row_pages,
                               submission=_submission(root, site, year, Path(tmp) / "records") if files else None)
        path = locks.write_lock(root, year, lock)
        register(root, year, today, known=registered)  # last: until then the year is a draft; re-running finishes it
    print(f"{'re-locked' if previous else 'filed and locked'} {year}: {path.relative_to(root)}")
    return 0


def _refusal(root: Path, year: int, filing, previous: dict | None, record: dict, row_pages: list[str],
             site_dir: Path) -> str | None:
    """Why the new record cannot be locked, or None. Filed content changes only under a new
    amendment; this site's analysis under a new amendment or restatement; and the built pages
    must show the record being locked."""
    shown = locks.shown_problems(year, {"record": record, "row_pages": row_pages}, site_dir)
    if shown:
        return "the built pages do not show what would be locked, so nothing was locked:\n  " + "\n  ".join(shown)
    if previous is None:
        return None
    new, removed = locks.unlocked_corrections(filing.meta, previous.get("history", []))
    new_amendments = sum(c["kind"] == "amendment" for c in new)
    new_restatements = sum(c["kind"] == "restatement" for c in new)
    if removed:
        return (", ".join(f"the {c['kind']} of {c['date']}" for c in removed) + f" that the lock of {year} recorded is "
                f"gone from data/filings/{year}.yaml (or was edited): recorded corrections are never removed; restore "
                "the entry as it was; nothing was re-locked")
    filed = locks.differences(previous["record"]["filed"], record["filed"]) + \
        locks.attachment_differences(previous["record"].get("attachments", {}), record.get("attachments", {}))
    analysis = locks.differences(previous["record"]["analysis"], record["analysis"])
    downloads = locks.download_problems(year, previous, record)
    if filed and not new_amendments:
        route = (" A restatement corrects only this site's analysis, never what was filed." if new_restatements else "")
        return (f"what {year} filed would change, and no new amendment is recorded:\n  " + "\n  ".join(filed) +
                f"\n  Record the Form SD/A under `amendments:` (date, form, reason) in data/filings/{year}.yaml, then "
                f"run `scripts/dev lock {year}` again.{route} Nothing was re-locked.")
    if analysis and not (new_amendments or new_restatements):
        return (f"this site's analysis of {year} would change, and no new restatement is recorded:\n  " +
                "\n  ".join(analysis) + f"\n  Record it under `restatements:` (date, reason) in "
                f"data/filings/{year}.yaml, then run `scripts/dev lock {year}` again. Nothing was re-locked.")
    if downloads and not (filed or analysis):
        return "\n  ".join(downloads + ["Nothing was re-locked."])
    if (new_amendments or new_restatements) and not (filed or analysis or new_amendments):
        return (f"a new restatement is recorded for {year}, but nothing in this site's analysis of it changed: "
                "a restatement records what it corrected; remove the entry (or make the correction first). "
                "Nothing was re-locked.")
    return None


def _refresh_causes(root: Path, year: int, lock: dict) -> int:
    """A year that says exactly what it said, while reference data it depends on was edited for
    another year: record the new hashes, so that a later difference names its real cause."""
    context = locks.context_hashes(root, year)
    if context == lock.get("context"):
        print(f"{year} is already locked and unchanged")
        return 0
    edited = locks.changed_context(root, year, lock)
    locks.write_lock(root, year, lock | {"context": context})
    print(f"{year} is locked and says exactly what it said; recorded the new hashes of {', '.join(edited)} "
          "so that a later difference names its cause")
    return 0


def _migrate(root: Path, year: int, filing, old: dict, record: dict, row_pages: list[str], registered) -> int:
    """A lock of format 3 (pages as the generator printed them) becomes a record of content, once
    its rows and figures are proved the same as the record's; its corrections are kept, unitemised."""
    shown = [" | ".join(filed + [a["class_key"], a["class"], a["country_code"], "covered" if a["covered_country"] else "",
                                 "greater risk" if a["greater_risk"] else "", ",".join(a["flags"])])
             for filed, a in zip(record["filed"]["rows"], record["analysis"]["rows"])]
    was = old.get("published", {})
    figures = {k: v for k, v in record["analysis"]["figures"].items() if k in was.get("figures", {})}
    if was.get("rows") != shown or figures != was.get("figures"):
        return _error(f"{year}: the lock of format 3 and what the year shows now differ; nothing was migrated")
    history = [dict(c, changes=None) for c in locks.corrections_in(filing.meta)]
    lock = {"format": locks.LOCK_FORMAT, "year": year, "locked_on": dt.date.today().isoformat(),
            "record": record, "row_pages": row_pages,
            "context": locks.context_hashes(root, year), "filed_years": sorted(set(old.get("filed_years", [])) | {year}),
            "history": history, "original": old["original"]}
    register(root, year, dt.date.fromisoformat(old["original"]["locked_on"]), known=registered)
    locks.write_lock(root, year, lock)
    print(f"migrated the lock of {year} to format {locks.LOCK_FORMAT} (rows and figures unchanged)")
    return 0


def _raw_lock(root: Path, year: int) -> dict | None:
    path = locks.lock_path(root, year)
    if not path.is_file():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    return raw if raw.get("format") == 3 else locks.read_lock(root, year)


def _build(root: Path, tmp: Path) -> dict | None:
    """Build the site; each year's record."""
    records = build_records(root, tmp, "nothing was locked")
    if records is None:
        return None
    return {int(p.stem): json.loads(p.read_text(encoding="utf-8")) for p in records.glob("*.json")}


def _submission(root: Path, site, year: int, records: Path) -> dict | None:
    """The digests of the EDGAR documents `scripts/dev exhibit` makes of the year now, or None
    (said) when they cannot be made."""
    documents, problems = generate(root, site, year, records)
    if problems:
        print(f"note: the lock records no EDGAR documents for {year} (`scripts/dev exhibit {year}` says why):\n  " +
              "\n  ".join(problems[:5]), file=sys.stderr)
        return None
    return {"form": documents[0].edgar_type, "documents": {d.name: d.sha256 for d in documents}}


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
