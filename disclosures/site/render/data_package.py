"""What each download holds, column by column: the one description behind datapackage.json
(Frictionless Data Package v2, https://datapackage.org), the Table Schema inside each JSON
download (pandas' `read_json(..., orient="table")` reads it) and the data dictionary page.

Every column says whether it is **as filed** (the filing's own words, character for character)
or **this site's analysis** (classes, normalised countries, flags, resolved IDs, comparisons).
"""
from __future__ import annotations

from dataclasses import dataclass

AS_FILED = "as filed"
ANALYSIS = "analysis"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Table Schema type: string, integer, boolean
    provenance: str  # AS_FILED or ANALYSIS
    description: str
    nullable_integer: bool = False  # an integer column with empty cells (pandas needs Int64 for it)

    def field(self) -> dict:
        label = "As filed" if self.provenance == AS_FILED else "This site's analysis"
        return {"name": self.name, "type": self.type, "description": f"{label}: {self.description}",
                "provenance": self.provenance}


SMELTER_LIST = (
    Column("filing_year", "integer", AS_FILED, "the calendar year the Form SD reports on."),
    Column("metal", "string", AS_FILED, "the metal the row lists (gold, tantalum, tin or tungsten), as printed."),
    Column("smelter_name", "string", AS_FILED, "the smelter or refiner's name exactly as printed, footnote marks apart."),
    Column("country_as_published", "string", AS_FILED, "the location exactly as printed."),
    Column("country_code", "string", ANALYSIS, "ISO 3166-1 alpha-2 code of the location; empty when it names no country."),
    Column("country", "string", ANALYSIS, "the location's standard (ISO 3166) country name."),
    Column("smelter_id", "string", AS_FILED, "the smelter identification number (RMI CID) as printed; empty when "
                                             "the filing gave none."),
    Column("smelter_id_resolved_by_site", "string", ANALYSIS, "the RMI smelter ID this site matched to a row "
           "published without one (RMI Smelter Look-up); empty when none was matched."),
    Column("designation_as_published", "string", AS_FILED, "the row's designation (conformant, active...) as printed."),
    Column("class", "string", ANALYSIS, "the class the designation counts as (key: conformant, active, "
                                        "not_listed, not_stated...), read with the filing's own legend."),
    Column("class_label", "string", ANALYSIS, "the class as the site names it for this filing (the filing's legend "
                                              "may qualify it, e.g. \"Conformant or undeterminable\")."),
    Column("in_covered_country", "boolean", ANALYSIS, "located in the Democratic Republic of the Congo or an "
                                                      "adjoining country (the Covered Countries)."),
    Column("greater_risk", "boolean", ANALYSIS, "in a Covered Country and not conformant or active."),
    Column("restrictions", "string", ANALYSIS, "sanctions and suspension lists naming the smelter, each with its list "
                                               "and the date the list was checked; empty when none."),
    Column("footnote", "string", AS_FILED, "the footnote mark printed beside the name; empty when none."),
    Column("footnote_text", "string", AS_FILED, "that footnote's text as filed."),
)

CHANGE_LOG_SIDES = (
    ("name", "string", AS_FILED, "the smelter's name as that filing printed it."),
    ("country", "string", AS_FILED, "its location as that filing printed it."),
    ("designation", "string", AS_FILED, "its designation as that filing printed it."),
    ("class", "string", ANALYSIS, "the class that designation counts as, by that filing's legend."),
    ("rows", "integer", ANALYSIS, "how many rows of that filing list the smelter (for this metal); empty when "
                                  "that filing does not list it."),
)


def change_log(old_year: int, new_year: int) -> tuple[Column, ...]:
    columns = [
        Column("change", "string", ANALYSIS, "added, removed, or how the class moved: improved, worsened, incomparable "
                                             "(one filing's own legend gives its designation another meaning), unstated "
                                             "(one filing gave none), reworded (same class, new words), unchanged."),
        Column("metal", "string", AS_FILED, "the metal, as printed."),
        Column("matched_by", "string", ANALYSIS, "how the two filings' rows were matched: smelter ID, name, alias "
                                                 "or similar name; empty for added and removed smelters."),
        Column("renamed", "boolean", ANALYSIS, "matched under a different name."),
        Column("relocated", "boolean", ANALYSIS, "matched with a different location."),
    ]
    for prefix, year in (("old", old_year), ("new", new_year)):
        for suffix, kind, provenance, text in CHANGE_LOG_SIDES:
            columns.append(Column(f"{prefix}_{suffix}", kind, provenance, f"{year} filing: {text}",
                                  nullable_integer=kind == "integer"))
    columns += [Column("old_year", "integer", ANALYSIS, "the earlier filing's year."),
                Column("new_year", "integer", ANALYSIS, "the later filing's year.")]
    return tuple(columns)


def smelter_index(years: list[int]) -> tuple[Column, ...]:
    columns = [
        Column("smelter_key", "string", ANALYSIS, "this site's key for the smelter: its RMI ID, or a key made from its "
                                                  "metal and first name; its page is smelters/KEY/."),
        Column("metal", "string", AS_FILED, "the metal, as printed."),
        Column("smelter_name", "string", AS_FILED, "the name the newest filing listing it printed."),
        Column("other_names", "string", AS_FILED, "other names earlier filings printed for it, separated by \"; \"."),
        Column("country", "string", ANALYSIS, "the standard (ISO 3166) name of its newest printed location."),
        Column("country_code", "string", ANALYSIS, "ISO 3166-1 alpha-2 code of that location."),
        Column("smelter_id", "string", ANALYSIS, "its RMI smelter ID: as a filing printed it, or as this site "
                                                 "resolved it (smelter_id_source says which)."),
        Column("smelter_id_source", "string", ANALYSIS, "\"as filed\" or \"resolved by this site\"; empty when "
                                                        "no ID is known."),
        Column("first_listed", "integer", ANALYSIS, "the first filing year listing it."),
        Column("last_listed", "integer", ANALYSIS, "the last filing year listing it."),
    ]
    for y in years:
        columns += [Column(f"class_{y}", "string", ANALYSIS, f"its class in the {y} filing, by that filing's "
                           "legend; empty when that filing does not list it."),
                    Column(f"designation_{y}", "string", AS_FILED, f"its designation as the {y} filing printed it; "
                           "empty when that filing does not list it.")]
    columns += [Column("in_covered_country", "boolean", ANALYSIS, "its newest location is a Covered Country."),
                Column("restrictions", "string", ANALYSIS, "sanctions and suspension lists naming it, separated by \"; \".")]
    return tuple(columns)


def table_schema(columns: tuple[Column, ...], *, for_pandas: bool = False) -> dict:
    """A Table Schema (missing values: the empty cell). For pandas, integer columns with empty
    cells say so (`extDtype: Int64`, which pandas reads) so that they load as integers."""
    fields = []
    for column in columns:
        field = column.field()
        if for_pandas and column.nullable_integer:
            field["extDtype"] = "Int64"
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


# SPDX identifiers a site is likely to choose, with their deeds.
LICENCES = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC0-1.0": ("Creative Commons Zero 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODC-By-1.0": ("Open Data Commons Attribution License 1.0", "https://opendatacommons.org/licenses/by/1-0/"),
    "PDDL-1.0": ("Open Data Commons Public Domain Dedication and License 1.0",
                 "https://opendatacommons.org/licenses/pddl/1-0/"),
}


def licence(spdx: str) -> dict:
    title, path = LICENCES.get(spdx, (spdx, f"https://spdx.org/licenses/{spdx}.html"))
    return {"name": spdx, "title": title, "path": path}


def package(files, *, name: str, title: str, description: str, licence_id: str, sources: dict[int, dict],
            homepage: str = "") -> dict:
    """datapackage.json: one resource per table download (its CSV; the JSON and XLSX beside it
    hold the same rows), each with its Table Schema and the filings it comes from.
    `sources`: filing year -> {"title", "path"} (the filing on EDGAR)."""
    resources = []
    for f in files:
        if f.format != "csv":
            continue
        years = [int(y) for y in f.name[: -len(".csv")].split("-") if y.isdigit()] or sorted(sources)
        resource = {"name": f.name[: -len(".csv")], "type": "table", "path": f"downloads/{f.name}",
                    "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "title": f.title,
                    "description": f"{f.title}. Cells a spreadsheet would run as a formula (starting with =, +, -, @) "
                                   "begin with an apostrophe. "
                                   + ("The same rows: " + ", ".join(f"downloads/{f.name[:-4]}.{ext}" for ext in
                                      _siblings(files, f.name)) + "." if _siblings(files, f.name) else ""),
                    "schema": table_schema(f.columns)}
        found = [sources[y] for y in years if y in sources]
        if found:
            resource["sources"] = found
        resources.append(resource)
    result = {"$schema": "https://datapackage.org/profiles/2.0/datapackage.json", "name": name, "title": title,
              "description": description, "licenses": [licence(licence_id)],
              "sources": [sources[y] for y in sorted(sources)], "resources": resources}
    if homepage:
        result["homepage"] = homepage
    return result


def _siblings(files, csv_name: str) -> list[str]:
    stem = csv_name[: -len(".csv")]
    return [f.format for f in files if f.name == f"{stem}.{f.format}" and f.format != "csv"]


def dataset(package: dict, files, base_url: str = "") -> dict:
    """schema.org Dataset markup for the data dictionary page, from datapackage.json: search
    engines and dataset catalogues find the downloads, their licence and their sources."""
    prefix = base_url.rstrip("/") + "/" if base_url else ""
    formats = {"csv": "text/csv", "json": "application/json",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    distribution = []
    for resource in package["resources"]:
        stem = resource["path"][: -len(".csv")]
        for ext in ["csv"] + _siblings(files, resource["path"].rsplit("/", 1)[1]):
            distribution.append({"@type": "DataDownload", "name": f"{resource['title']} ({ext.upper()})",
                                 "encodingFormat": formats[ext], "contentUrl": f"{prefix}{stem}.{ext}"})
    return {"@context": "https://schema.org", "@type": "Dataset", "name": package["title"],
            "description": package["description"], "license": package["licenses"][0]["path"],
            "isBasedOn": [s["path"] for s in package.get("sources", [])], "distribution": distribution}

