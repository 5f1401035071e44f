"""JSON Schema of every file staff edit, generated from the pydantic models that validate them.

data/schemas/*.schema.json is what editors use (.vscode/settings.json maps each file to its
schema: completion, hover text, red underlines); `scripts/dev schemas` writes them and a test
fails when they are not current. The staff guide's reference of every field comes from the
same schemas (macro `yaml_reference()`).
"""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from disclosures.engine.model import FilingMeta, SupplierSurvey
from disclosures.engine.reference import (CountryAliasesFile, CoveredCountriesFile, DesignationsFile, ResolvedIdsFile,
                                          RestrictionsFile, SmelterAliasesFile)
from disclosures.engine.settings import SiteSettings

SCHEMA_DIR = Path("data") / "schemas"
# schema name -> (model, the files it describes, relative to the project)
SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "filing": (FilingMeta, "data/filings/*.yaml"),
    "site": (SiteSettings, "data/site.yaml"),
    "supplier-survey": (SupplierSurvey, "data/rcoi/*.yaml"),
    "designations": (DesignationsFile, "data/reference/designations.yaml"),
    "covered-countries": (CoveredCountriesFile, "data/reference/covered_countries.yaml"),
    "restrictions": (RestrictionsFile, "data/reference/restrictions.yaml"),
    "smelter-aliases": (SmelterAliasesFile, "data/reference/smelter_aliases.yaml"),
    "resolved-ids": (ResolvedIdsFile, "data/reference/resolved_ids.yaml"),
    "country-aliases": (CountryAliasesFile, "data/reference/country_aliases.yaml"),
}


def schema(name: str) -> dict:
    model, files = SCHEMAS[name]
    document = model.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$comment": f"{files}: generated from "
            f"{model.__module__}.{model.__name__} by `scripts/dev schemas`; do not edit", **document}


def schema_texts() -> dict[str, str]:
    """file name -> text, exactly as written (so a test can compare)."""
    return {f"{name}.schema.json": json.dumps(schema(name), indent=2, ensure_ascii=False) + "\n" for name in SCHEMAS}


def editor_settings() -> str:
    """.vscode/settings.json: each file its schema (VS Code's YAML extension, yaml-language-server)."""
    mapping = {f"./{SCHEMA_DIR.as_posix()}/{name}.schema.json": files for name, (_, files) in SCHEMAS.items()}
    return json.dumps({"yaml.schemas": mapping}, indent=2) + "\n"


def fields(name: str) -> list[tuple[str, str, bool, str]]:
    """(field path, type, required, description) of a schema, nested objects flattened, for the staff guide."""
    document = schema(name)
    definitions = document.get("$defs", {})
    rows: list[tuple[str, str, bool, str]] = []

    def walk(node: dict, prefix: str, depth: int) -> None:
        required = set(node.get("required", []))
        for key, spec in node.get("properties", {}).items():
            target = _resolve(spec, definitions)
            rows.append((prefix + key, _type(spec, definitions), key in required,
                         spec.get("description") or target.get("description", "").split("\n")[0]))
            if depth < 2 and "properties" in target:
                walk(target, f"{prefix}{key}.", depth + 1)
            elif depth < 2 and "properties" in target.get("items", {}):
                walk(target["items"], f"{prefix}{key}[].", depth + 1)
    walk(document, "", 0)
    return rows


def _resolve(spec: dict, definitions: dict) -> dict:
    options = spec.get("anyOf", [spec])
    real = next((o for o in options if o.get("type") != "null"), spec)
    if "$ref" in real:
        return definitions[real["$ref"].rsplit("/", 1)[-1]]
    if real.get("type") == "array" and "$ref" in real.get("items", {}):
        return {"items": definitions[real["items"]["$ref"].rsplit("/", 1)[-1]]}
    return real


def _type(spec: dict, definitions: dict) -> str:
    options = spec.get("anyOf", [spec])
    names = []
    for option in options:
        if "$ref" in option:
            names.append(option["$ref"].rsplit("/", 1)[-1])
        elif option.get("type") == "array":
            item = option.get("items", {})
            names.append("list of " + (item["$ref"].rsplit("/", 1)[-1] if "$ref" in item else item.get("type", "values")))
        elif "enum" in option:
            names.append(" | ".join(map(str, option["enum"])))
        elif option.get("format") == "date":
            names.append("date (YYYY-MM-DD)")
        else:
            names.append(option.get("type", "any"))
    return " or ".join(dict.fromkeys(names))


def write_all(root: Path) -> list[Path]:
    folder = Path(root) / SCHEMA_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_texts().items():
        (folder / name).write_text(text, encoding="utf-8")
        written.append(folder / name)
    vscode = Path(root) / ".vscode" / "settings.json"
    vscode.parent.mkdir(exist_ok=True)
    vscode.write_text(editor_settings(), encoding="utf-8")
    return written + [vscode]

