"""A synthetic but realistic project (data, pages) at any scale, for the site benchmark.

Smelters persist across years (so the cross-filing index and change logs do real work), some
are renamed, change status or drop out; names, countries, statuses, smelter IDs and footnotes
look like real filings'.
"""
from __future__ import annotations

import random
import re
import shutil
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "tests" / "fixtures" / "example"  # the shipped example, frozen: never the live data/ of a site
COUNTRIES = ["CHINA", "JAPAN", "INDONESIA", "UNITED STATES OF AMERICA", "BRAZIL", "GERMANY", "KOREA, REPUBLIC OF",
             "SWITZERLAND", "INDIA", "RUSSIAN FEDERATION", "VIET NAM", "THAILAND", "MALAYSIA", "BOLIVIA",
             "TAIWAN, PROVINCE OF CHINA", "MEXICO", "PERU", "RWANDA", "UGANDA", "BELGIUM", "ITALY", "TURKEY"]
STATUSES = ["Full Compliant"] * 6 + ["Active"] + ["Indeterminable"] * 3 + ["Conformant", "Non-Conformant"]
WORDS = ["Golden", "Metal", "Refining", "Smelting", "Mining", "Precious", "Nonferrous", "Industrial", "Pacific",
         "Northern", "Eastern", "Alloy", "Resources", "Materials", "Technology", "Group", "Mineração", "Métaux",
         "Hütten", "Tin", "Tungsten", "Tantalum", "Gold", "Silver", "River", "Mountain"]
SUFFIXES = ["Co., Ltd.", "S.A.", "GmbH", "Inc.", "Ltd.", "Corporation", "PT", "LLC", "AG", "JSC", "Pvt. Ltd."]
CODE = ("mkdocs.yml", "macros")  # from this project
CONTENT = ("docs/index.md", "docs/about.md", "docs/smelters.md", "docs/staff-guide.md", "data/reference", "data/site.yaml")  # from the example


def make_project(dest: Path, filings: int, rows: int, seed: int = 7, pool_factor: float = 1.6) -> Path:
    """A buildable copy of this project with `filings` years of `rows` smelter rows each,
    drawn from `rows * pool_factor` smelters (so the cross-filing index has about that many)."""
    dest = Path(dest)
    for part in CODE + CONTENT:
        src = (ROOT if part in CODE else EXAMPLE) / part
        target = dest / part
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, target)
    (dest / "data" / "reference" / "smelter_aliases.yaml").write_text("aliases: []\n")
    (dest / "data" / "reference" / "resolved_ids.yaml").write_text("resolved: []\n")
    rng = random.Random(seed)
    pool = [_smelter(rng, i) for i in range(int(rows * pool_factor))]
    meta = (EXAMPLE / "data" / "filings" / "2023.yaml").read_text(encoding="utf-8")
    report = (EXAMPLE / "docs" / "2023" / "report.md").read_text(encoding="utf-8")
    first = 2024 - filings
    for year in range(first, first + filings):
        listed = rng.sample(pool, rows)
        for s in rng.sample(listed, max(1, rows // 20)):  # some change status every year
            s["status"] = rng.choice(STATUSES)
        lines = ["metal,smelter_name,country,status,smelter_id,footnote"]
        for s in sorted(listed, key=lambda s: (s["metal"], s["name"])):
            lines.append(",".join(_csv(v) for v in (s["metal"], s["name"], s["country"], s["status"], s["cid"], s["footnote"])))
        (dest / "data" / "smelters").mkdir(parents=True, exist_ok=True)
        (dest / "data" / "smelters" / f"{year}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (dest / "data" / "filings").mkdir(parents=True, exist_ok=True)
        text = meta.replace("start: 2023-01-01", f"start: {year}-01-01").replace("end: 2023-12-31", f"end: {year}-12-31")
        text = re.sub(r"(filed_on|  date): 2024-05-30", rf"\1: {year + 1}-05-30", text)
        (dest / "data" / "filings" / f"{year}.yaml").write_text(text, encoding="utf-8")
        pages = dest / "docs" / str(year)
        pages.mkdir(parents=True, exist_ok=True)
        (pages / "report.md").write_text(report, encoding="utf-8")  # the other pages are the standard ones
    return dest


def _smelter(rng: random.Random, index: int) -> dict:
    metal = rng.choice(["Gold", "Gold", "Tin", "Tantalum", "Tungsten"])
    name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(WORDS)} {index} {rng.choice(SUFFIXES)}"
    return {"metal": metal, "name": name, "country": rng.choice(COUNTRIES), "status": rng.choice(STATUSES),
            "cid": f"CID{index:06d}" if rng.random() < 0.7 else "", "footnote": "*" if rng.random() < 0.002 else ""}


def _csv(value: str) -> str:
    return f'"{value}"' if "," in value or '"' in value else value
