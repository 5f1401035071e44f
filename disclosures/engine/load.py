"""The I/O edge: read all of data/ once, validate it, and build the model."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from disclosures.engine.classify import classify, filing_stats
from disclosures.engine.compare import AliasIndex, Diff, Timeline, alias_index, diff, timelines
from disclosures.engine.errors import DataError, Problem
from disclosures.engine.model import Filing, FilingMeta, SupplierSurvey
from disclosures.engine.names import name_key
from disclosures.engine.registry import filed_years
from disclosures.engine.reference import RESOLVED_IDS, Reference, designation_key, load_reference
from disclosures.engine.smelter_csv import read_smelter_csv
from disclosures.engine.smelter_keys import KeyIndex
from disclosures.engine.yamlio import read_typed

YEAR_FILE = re.compile(r"^(\d{4})\.(yaml|csv)$")


@dataclass(frozen=True)
class Site:
    """Every filing, oldest first, and the reference data that classified them."""

    reference: Reference
    filings: dict[int, Filing]
    aliases: AliasIndex
    diffs: dict[int, Diff]  # filing year -> its changes since the previous filing
    timelines: tuple[Timeline, ...]  # every smelter across every filing
    drafts: frozenset[int] = frozenset()  # years not filed yet (no lock): shown with a banner, never deployed

    @property
    def years(self) -> list[int]:
        return sorted(self.filings)

    def filing(self, year: int) -> Filing:
        return self.filings[year]

    @cached_property
    def keys(self) -> KeyIndex:
        """Each smelter's key across filings (its page: smelters/KEY/)."""
        return KeyIndex(list(self.timelines))

    def previous(self, year: int) -> Filing | None:
        """The filing a year is compared with: the latest earlier *filed* one. A draft back-filled
        before a filed year changes nothing it published, and a draft compares as it will once
        filed (so what `scripts/dev lock` records is what the filed year shows)."""
        earlier = [y for y in self.years if y < year and y not in self.drafts]
        return self.filings[earlier[-1]] if earlier else None


def load_site(data_dir: Path, drafts: bool = True, cache: dict | None = None) -> Site:
    """Every filing in data/; with drafts=False only the filed ones (what the deploy publishes).
    `cache` (a preview's, kept between saves): the reference, each year and each comparison are
    read and computed again only when their files changed."""
    data_dir = Path(data_dir)
    cache = {} if cache is None else cache
    found = stamps(data_dir)
    reference_key = tuple(sorted((path, stamp) for path, stamp in found.items() if path.startswith("reference/")))
    if cache.get("reference", (None,))[0] != reference_key:
        cache.clear()
        cache["reference"] = (reference_key, load_reference(data_dir / "reference"))
    reference = cache["reference"][1]
    years_cache, diffs_cache = cache.setdefault("filings", {}), cache.setdefault("diffs", {})
    yaml_years = _years_in(data_dir / "filings", "yaml")
    csv_years = _years_in(data_dir / "smelters", "csv")
    filed = set(filed_years(data_dir.parent))  # registered by `scripts/dev lock`; the rest are drafts
    left_out = set() if drafts else yaml_years - filed
    if not drafts:
        yaml_years, csv_years = yaml_years & filed, csv_years & filed
    problems = [
        Problem(data_dir / "smelters" / f"{y}.csv", f"missing: data/filings/{y}.yaml has no smelter list")
        for y in sorted(yaml_years - csv_years)
    ] + [
        Problem(data_dir / "filings" / f"{y}.yaml", f"missing: data/smelters/{y}.csv has no filing YAML")
        for y in sorted(csv_years - yaml_years)
    ]
    filings = {}
    for year in sorted(yaml_years & csv_years):
        key = (year not in filed, tuple(found.get(f"{part}/{year}.{ext}") for part, ext in YEAR_FILES))
        try:
            if years_cache.get(year, (None,))[0] != key:
                years_cache[year] = (key, load_filing(data_dir, year, reference, draft=year not in filed))
            filings[year] = years_cache[year][1]
        except DataError as exc:
            problems += exc.problems
            continue
        if year in filed and not filings[year].smelters:
            problems.append(Problem(data_dir / "smelters" / f"{year}.csv", "no smelter rows, but the year is filed", line=2))
    if problems:
        raise DataError(problems)
    check_resolved_ids(reference, filings, data_dir / "reference" / RESOLVED_IDS)
    aliases = alias_index(reference.smelter_aliases, filings, str(data_dir / "reference" / "smelter_aliases.yaml"),
                          left_out)
    site = Site(reference, filings, aliases, {}, tuple(timelines(list(filings.values()), aliases, cache.setdefault("chain", []))),
                frozenset(filings) - filed)
    for year in site.years:
        previous = site.previous(year)
        if previous is not None:
            kept = diffs_cache.get(year)  # (the two filings compared, their diff); aliases come with the reference
            if kept is None or kept[0] is not previous or kept[1] is not filings[year]:
                diffs_cache[year] = kept = (previous, filings[year], diff(previous, filings[year], aliases))
            site.diffs[year] = kept[2]
    return site


YEAR_FILES = (("filings", "yaml"), ("smelters", "csv"), ("rcoi", "yaml"))


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file under `folder`: (modification time, size), by its path relative to `folder`: how a
    preview tells what a save changed."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def load_filing(data_dir: Path, year: int, reference: Reference, draft: bool = False) -> Filing:
    """One year; a draft's footnote markers are left to `scripts/dev check` while its YAML is filled."""
    yaml_path = data_dir / "filings" / f"{year}.yaml"
    csv_path = data_dir / "smelters" / f"{year}.csv"
    meta = load_filing_meta(yaml_path)
    if meta.reporting_period.start.year != year:
        raise DataError(Problem(yaml_path, f"reporting period starts in {meta.reporting_period.start.year}, "
                                           f"but the file is named for {year}", field="reporting_period"))
    survey_path = data_dir / "rcoi" / f"{year}.yaml"
    survey = read_typed(survey_path, SupplierSurvey) if survey_path.is_file() else None
    return _filing(year, meta, yaml_path, csv_path, reference, survey, draft)


def _filing(year, meta: FilingMeta, yaml_path: Path, csv_path: Path, reference: Reference, survey=None,
            draft: bool = False) -> Filing:
    rows = read_smelter_csv(csv_path, reference, None if draft else {f.marker for f in meta.footnotes})
    bad = [Problem(yaml_path, f"designation_classes.{word}: unknown class {c.counts_as!r}; expected one of "
                              f"{', '.join(reference.classes)}", field=f"designation_classes.{word}")
           for word, c in meta.designation_classes.items() if c.counts_as not in reference.classes]
    bad += header_problems(meta, rows, yaml_path) if rows else []
    if bad:
        raise DataError(bad)
    own = {designation_key(w): c for w, c in meta.designation_classes.items()}
    smelters = tuple(classify(r, reference, meta.filed_on, own, reference.resolved_id(
        year, r.metal, name_key(r.smelter_name), reference.countries.resolve(r.country).code)) for r in rows)
    return Filing(year, meta, smelters, filing_stats(smelters), {"yaml": yaml_path, "csv": csv_path}, survey)


def header_problems(meta: FilingMeta, rows, yaml_path: Path) -> list[Problem]:
    """The filed header names exactly the columns the list has (a cell for each, none for one it lacks)."""
    if not meta.list_header:
        return []
    has = {"metal", "smelter_name", "country"} | {c for c in ("smelter_id", "status") if any(getattr(r, c) for r in rows)}
    named = set(meta.list_header)
    line = header_line(yaml_path)
    problems = [Problem(yaml_path, f"names the {c} column, which data/smelters/{yaml_path.stem}.csv does not have; "
                                   "remove it", line=line, field=f"list_header.{c}") for c in sorted(named - has)]
    problems += [Problem(yaml_path, f"has no cell for the list's {c} column; add `{c}:` with the header as filed",
                         line=line, field="list_header") for c in sorted(has - named)]
    return problems


def header_line(yaml_path: Path) -> int | None:
    lines = yaml_path.read_text(encoding="utf-8").splitlines()
    return next((n for n, text in enumerate(lines, 1) if text.startswith("list_header:")), None)


def check_resolved_ids(reference: Reference, filings: dict[int, Filing], source: Path) -> None:
    """Every resolved ID names a row its year lists without an ID of its own; else stop."""
    rows = {(f.year, s.row.metal, s.name_key, s.country_code): s for f in filings.values() for s in f.smelters}
    problems = []
    for (year, metal, key, code), cid in reference.resolved_ids.items():
        smelter = rows.get((year, metal, key, code))
        if year in filings and smelter is None:
            problems.append(Problem(source, f"{cid}: the {year} filing lists no {metal} smelter of that name; "
                                            "correct the name or delete the entry", field="resolved"))
        elif smelter is not None and smelter.row.smelter_id and smelter.row.smelter_id != cid:
            problems.append(Problem(source, f"{cid}: the {year} filing published {smelter.row.smelter_id} for "
                                            f"{smelter.row.smelter_name}; the filed ID stands, delete the entry",
                                    field="resolved"))
    if problems:
        raise DataError(problems)


def load_filing_meta(path: Path) -> FilingMeta:
    return read_typed(path, FilingMeta)


def _years_in(folder: Path, suffix: str) -> set[int]:
    found = set()
    for path in folder.glob(f"*.{suffix}"):
        match = YEAR_FILE.match(path.name)
        if not match:
            raise DataError(Problem(path, f"unexpected file name; expected YYYY.{suffix}"))
        found.add(int(match.group(1)))
    return found


def load_filing_rows(site: Site, year: int, csv_path: Path) -> Filing:
    """The filing of `year` with another smelter list (e.g. as originally filed, before an amendment)."""
    current = site.filing(year)
    return _filing(year, current.meta, current.sources["yaml"], csv_path, site.reference)
