"""The RMI facility list (`scripts/dev ingest --rmi-list`): smelter ID -> name, country, status.

Columns are found by their header words, so the RMI's own exports (the Active and Conformant
Facilities List, the Smelter Reference List) and a list staff keep themselves all read.
"""
from __future__ import annotations

from dataclasses import dataclass

from disclosures.engine.errors import DataError, Problem
from disclosures.engine.names import fold
from disclosures.engine.reference import Reference
from disclosures.engine.smelter_csv import canonical_cid
from disclosures.ingest.table_text import clean_value, parse_metal

FORMAT = """The RMI facility list (--rmi-list) is a CSV (UTF-8) or XLSX file as exported from the RMI's
Facilities Lists (Active and Conformant Facilities, or the Smelter Reference List): a header
row within the first 20 rows, then one row per facility. Columns are found by their header
words, in any order; other columns (state, city, audit dates, programme) are ignored:

  smelter ID  "Smelter ID", "Facility ID", "CID" or "Smelter Identification Number"
  metal       "Metal" or "Mineral"
  name        "Standard Smelter Name", "Standard Facility Name", "Facility Name", "Smelter Name"
  country     "Country Location", "Country" or "Location"
  status      "Assessment Status", "Conformance Status", "RMAP Status" or "Status": a
              designation the site knows (Conformant, Active, Non-Conformant...). A list with
              no status column (the Conformant list alone) needs --rmi-status Conformant.

Rows without a smelter ID are skipped; a smelter ID listed twice keeps its first row.
Smelters of the year's list that the RMI list does not name are published as "Not Listed".
With no list, every smelter's status is "Unknown".

Example:
  Metal,Smelter ID,Standard Smelter Name,Country Location,Assessment Status
  Gold,CID000035,Agosi AG,GERMANY,Conformant
"""

COLUMNS = {  # field -> header words, most specific first
    "smelter_id": ("smelter identification", "smelter id", "facility id", "cid"),
    "metal": ("metal", "mineral"),
    "name": ("standard smelter name", "standard facility name", "facility name", "smelter name", "name"),
    "country": ("country location", "country", "location"),
    "status": ("assessment status", "conformance status", "rmap status", "status"),
}


@dataclass(frozen=True)
class RmiFacility:
    smelter_id: str
    metal: str
    name: str
    country: str
    status: str


def _header_row(rows: list[list]) -> int | None:
    for i, row in enumerate(rows[:20]):
        cells = [fold(_text(v)) for v in row]
        if any(any(w in c for w in COLUMNS["smelter_id"]) for c in cells) and any("name" in c for c in cells):
            return i
    return None


def _columns(header: list[str]) -> dict[str, int | None]:
    found, taken = {}, set()
    for key, words in COLUMNS.items():
        found[key] = next((i for w in words for i, h in enumerate(header) if w in h and i not in taken), None)
        if found[key] is not None:
            taken.add(found[key])
    return found


def parse_rmi_list(rows: list[list], source: str, reference: Reference, status: str = "") -> dict[str, RmiFacility]:
    """smelter ID -> facility; DataError naming the file, line and field of every problem."""
    header_index = _header_row(rows)
    if header_index is None:
        raise DataError(Problem(source, "no header row with a smelter ID and a name column in the first 20 rows"))
    cols = _columns([fold(_text(v)) for v in rows[header_index]])
    missing = [k for k, v in cols.items() if v is None and not (k == "status" and status)]
    if missing:
        hint = "; pass --rmi-status to say which list this is" if missing == ["status"] else ""
        raise DataError(Problem(source, f"no column for {', '.join(missing)}{hint}", line=header_index + 1))
    facilities, problems = {}, []
    for number, row in enumerate(rows[header_index + 1:], header_index + 2):
        def get(key):
            return _text(row[cols[key]]) if cols[key] is not None and cols[key] < len(row) else ""
        smelter_id = canonical_cid(get("smelter_id"))
        if not smelter_id or smelter_id in facilities:
            continue
        designation = get("status") or status
        if reference.class_of(designation) in (None, "not_stated"):
            problems.append(Problem(source, f"unknown status {designation!r}: map it in data/reference/designations.yaml",
                                    line=number, field="status"))
            continue
        facilities[smelter_id] = RmiFacility(smelter_id, parse_metal(get("metal")) or get("metal"), get("name"),
                                             get("country"), designation)
    if problems:
        raise DataError(problems)
    return facilities


def _text(value) -> str:
    return "" if value is None else clean_value(str(value))
