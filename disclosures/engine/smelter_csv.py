"""data/smelters/YYYY.csv: the one normalized format the importers write and the build reads."""
from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from pathlib import Path

from disclosures.engine.errors import DataError, Problem
from disclosures.engine.model import SmelterRow
from disclosures.engine.reference import METALS, Reference
from disclosures.engine.text_gate import hidden_problem

REQUIRED = ("metal", "smelter_name", "country", "status")
OPTIONAL = ("smelter_id", "footnote")
# Written by `scripts/dev ingest`: how many suppliers reported the smelter (never who: supplier
# names stay in the git-ignored private/ folder, and a column of them here is an error).
PROVENANCE = ("supplier_count",)
PRIVATE = ("suppliers", "supplier", "mine_countries", "contact_name", "contact_email")
COLUMNS = REQUIRED + OPTIONAL + PROVENANCE
MAX_CSV_BYTES = 50_000_000  # ~400,000 rows; a larger file is almost surely the wrong file
CID = re.compile(r"^CID\d{6}$")
_CID_LOOSE = re.compile(r"^\s*CID[\s\-_]*(\d{1,6})\s*$", re.IGNORECASE)


CELL_LIMIT = 131_072  # characters in one CSV cell: a longer one is a paste gone wrong, refused with its line


def bounded_reader(text: str, **options):
    """csv.reader with the cell limit set here, not inherited: a library imported in the same
    process (frictionless, via petl) raises the csv module's process-wide limit to sys.maxsize."""
    csv.field_size_limit(CELL_LIMIT)
    return csv.reader(io.StringIO(text, newline=""), **options)


def canonical_cid(text: str) -> str | None:
    """`CID 1234`, `cid-001234`, `CID001234` -> `CID001234`; None when it is not a CID."""
    match = _CID_LOOSE.match(text)
    return f"CID{int(match.group(1)):06d}" if match else None


def read_smelter_csv(path: Path, reference: Reference, footnote_markers: set[str] | None = frozenset()) -> list[SmelterRow]:
    """Read and validate one year's CSV; every problem is reported with its line and field.
    footnote_markers=None leaves footnotes unchecked (a draft whose YAML is still being filled)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(Problem(path, "file not found"))
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise DataError(Problem(path, f"file is {size:,} bytes, over the {MAX_CSV_BYTES:,}-byte limit"))
    try:
        text = path.read_bytes().decode("utf-8-sig")  # a BOM from Excel is accepted
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise DataError(Problem(path, f"not UTF-8 text (byte {exc.start}); save the file as CSV UTF-8", line=line)) from None

    reader = bounded_reader(text)
    try:
        return _read_rows(path, reader, reference, footnote_markers)
    except csv.Error as exc:  # a cell over the csv module's 131,072-character limit, an unclosed quote at the end
        raise DataError(Problem(path, f"not a readable CSV row ({exc}): is a quote left open above, or a cell "
                                      f"pasted whole into one field?", line=reader.line_num or 1)) from None


def _read_rows(path: Path, reader, reference: Reference, footnote_markers) -> list[SmelterRow]:
    header = next(reader, None)
    if header is None:
        raise DataError(Problem(path, "empty file; expected a header row", line=1))
    header = [h.strip() for h in header]
    problems = _check_header(path, header)
    if problems:
        raise DataError(problems)

    rows, problems = [], []
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(cells) != len(header):
            problems.append(Problem(path, f"expected {len(header)} cells, found {len(cells)}", line=line))
            continue
        record = dict.fromkeys(OPTIONAL + PROVENANCE, "") | {h: c.strip() for h, c in zip(header, cells)}
        row = SmelterRow(**record, line=line)
        row_problems = validate_row(row, reference, footnote_markers)
        problems += [Problem(path, msg, line=line, field=fld) for fld, msg in row_problems]
        rows.append(row)
    if problems:
        raise DataError(problems)
    return rows  # possibly none: a draft before its list is imported (a filed year needs rows; see load.py)


def _check_header(path: Path, header: list[str]) -> list[Problem]:
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        sep = "';'" if ";" in header[0] else "tabs"
        return [Problem(path, f"the columns are separated by {sep}, not commas: save the file as "
                              f"'CSV UTF-8 (comma delimited)'", line=1)]
    problems = [Problem(path, f"missing column {c!r}", line=1) for c in REQUIRED if c not in header]
    problems += [Problem(path, f"column {c!r} would publish supplier details, which stay private: remove it "
                               f"(scripts/dev ingest keeps them in the git-ignored private/ folder)", line=1)
                 for c in header if c in PRIVATE]
    problems += [
        Problem(path, f"unknown column {c!r}; expected {', '.join(COLUMNS)}", line=1)
        for c in header if c not in COLUMNS and c not in PRIVATE
    ]
    problems += [Problem(path, f"column {c!r} appears twice", line=1) for c in set(header) if header.count(c) > 1]
    return problems


def validate_row(row: SmelterRow, reference: Reference, footnote_markers=frozenset()) -> list[tuple[str, str]]:
    """(field, message) for everything wrong with one row; empty when it is valid."""
    problems = [(name, problem) for name in ("metal", "smelter_name", "country", "status", "smelter_id", "footnote",
                                             "supplier_count")
                if (problem := hidden_problem(getattr(row, name)))]
    if row.metal not in METALS:
        problems.append(("metal", f"unknown metal {row.metal!r}; expected one of {', '.join(METALS)}"))
    if not row.smelter_name:
        problems.append(("smelter_name", "blank smelter name"))
    try:
        reference.countries.resolve(row.country)
    except LookupError as exc:
        problems.append(("country", f"{exc}; add it to data/reference/country_aliases.yaml if it is a real name"))
    if reference.class_of(row.status) is None:
        problems.append(("status", f"unknown designation {row.status!r}; map it in data/reference/designations.yaml"))
    if row.smelter_id and not CID.match(row.smelter_id):
        problems.append(("smelter_id", f"malformed smelter ID {row.smelter_id!r}; expected CID followed by 6 digits"))
    if row.supplier_count and not row.supplier_count.isdigit():
        problems.append(("supplier_count", f"not a whole number: {row.supplier_count!r}"))
    if row.footnote and footnote_markers is not None and row.footnote not in footnote_markers:
        problems.append(("footnote", f"footnote {row.footnote!r} is not defined in the filing's YAML footnotes"))
    return problems


def write_smelter_csv(rows: list[SmelterRow], path: Path) -> None:
    """Write atomically: a crash never leaves half a CSV behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = REQUIRED + OPTIONAL + (PROVENANCE if any(getattr(r, c) for r in rows for c in PROVENANCE) else ())
    writer.writerow(columns)
    for r in rows:
        writer.writerow([getattr(r, c) for c in columns])
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(buffer.getvalue())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
