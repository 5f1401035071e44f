#!/usr/bin/env python3
"""Benchmark: reading supplier CMRT workbooks, ours against a naive pandas read, in one run.

    python -m scripts.bench_cmrt [--files 40] [--rows 300] [--templates 50] [--json bench-results/cmrt.json]

Generates realistic synthetic workbooks (every CMRT sheet, ~300 smelter rows, English and
Chinese), then reports files per second for: pandas.read_excel(sheet_name=None,
engine="openpyxl") on each file (the naive way), and our reader (bounded streamed reads, parse
included) on 1 and 2 worker processes. Then, on real RMI templates (6.01-6.5, from
../shared/rmi-templates) filled by a supplier's hand, half recalculated by LibreOffice as Excel
saves them: the time per workbook of the floor (unzip the parts the reader needs and stream their
XML with lxml iterparse, nothing interpreted; the Smelter Look-up only for a file whose rows need
it, as ours), of our reader (read_sheets + parse_supplier), of ours reading the look-up always (the
reader before), of openpyxl read-only and of naive pandas + openpyxl, in the same run; goal: ours
within 3x the floor. Prints numbers; asserts nothing.
(python-calamine, ~2x faster, is not offered: it allocates a sheet's whole used range, and one
cell at XFD1048576 made it abort the process asking for 512 GiB.)
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from disclosures.staff.ingest_cmrt import read_all
from scripts.synthetic_cmrt import random_spec, write_cmrt

ROOT = Path(__file__).resolve().parents[1]


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--templates", type=int, default=50, help="real RMI templates to fill and read (0: none)")
    parser.add_argument("--json", type=Path, default=ROOT / "bench-results" / "cmrt.json")
    args = parser.parse_args(argv)
    import pandas as pd

    with tempfile.TemporaryDirectory() as folder:
        rng = random.Random(2024)
        paths = [write_cmrt(random_spec(rng, i, args.rows), Path(folder) / f"supplier-{i:04d}.xlsx") for i in range(args.files)]
        size = sum(p.stat().st_size for p in paths) / len(paths)
        naive = timed(lambda: [pd.read_excel(p, sheet_name=None, engine="openpyxl") for p in paths])
        results = {"naive pandas.read_excel (all sheets), 1 process": naive}
        for jobs in (1, 2):
            results[f"ours, {jobs} process{'es' if jobs > 1 else ''}"] = timed(lambda: read_all(paths, jobs))
    rows = [{"reader": name, "seconds": round(t, 3), "files_per_second": round(args.files / t, 1),
             "vs_naive": round(naive / t, 1)} for name, t in results.items()]
    width = max(len(r["reader"]) for r in rows)
    print(f"{args.files} workbooks x {args.rows} smelter rows, {size / 1024:.0f} KiB each; "
          f"{os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'reader':<{width}}  files/s  x naive")
    for r in rows:
        print(f"{r['reader']:<{width}}  {r['files_per_second']:>7}  {r['vs_naive']:>7}")
    templates = real_templates(args.templates) if args.templates else []
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"files": args.files, "rows": args.rows, "cores": os.cpu_count(), "results": rows,
                                     "real_templates": templates}, indent=1))
    return 0


# ---- real templates: ours against the parse floor --------------------------------------------
def real_templates(count: int) -> list[dict]:
    from tests.cmrt import fill
    if not fill.available():
        print(f"(real templates: none in {fill.TEMPLATES}; skipped)")
        return []
    import pandas as pd

    from disclosures.ingest.cmrt import parse_supplier
    from disclosures.ingest.smelter_lookup import parse_lookup
    from disclosures.ingest.workbook import read_sheets
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        ids = [e.smelter_id for e in parse_lookup(read_sheets(fill.template("6.5")).get("smelter look-up"), "6.5").by_id.values()]
        rng = random.Random(7)
        formulas = []
        for i in range(count):
            revision = fill.REVISIONS[i % len(fill.REVISIONS)]
            rows = [fill.by_id(cid) for cid in rng.sample(ids, rng.randint(80, 300))]
            supplier = fill.Supplier(company=f"Supplier {i}", rows=rows)
            formulas.append(fill.fill(revision, supplier, folder / f"s{i:03d}-{revision}.xlsx"))
        half = formulas[count // 2:]
        recalculated = fill.recalculate_all(half, folder / "recalculated") if fill.soffice() else []
        paths = formulas[: count // 2] + recalculated if recalculated else formulas
        # The floor reads the parts our reader reads for that file: the look-up only where a row needs it.
        needs_lookup = {path: parse_supplier(path.name, read_sheets(path)).lookup is not None for path in paths}
        readers = {"floor: unzip + lxml iterparse of the parts ours reads": lambda p: _floor(p, needs_lookup[p]),
                   "ours: read_sheets + parse_supplier (look-up on demand)": lambda p: parse_supplier(p.name, read_sheets(p)),
                   "ours, look-up always read (the reader before)": lambda p: parse_supplier(p.name, read_sheets(p, ())),
                   "openpyxl read-only, bounded (the reader before that)": _openpyxl_bounded,
                   "naive: pandas.read_excel(sheet_name=None)": lambda p: pd.read_excel(p, sheet_name=None, engine="openpyxl")}
        times = {name: [] for name in readers}
        for path in paths:  # interleaved, file by file: the same disk and caches for each
            for name, reader in readers.items():
                times[name].append(timed(lambda: reader(path)))
    floor = sum(times[next(iter(readers))])
    results = [{"reader": name, "ms_per_workbook": round(1000 * sum(t) / len(t), 1),
                "median_ms": round(1000 * statistics.median(t), 1), "x_floor": round(sum(t) / floor, 2)}
               for name, t in times.items()]
    ours = results[1]["x_floor"]
    print(f"\n{len(paths)} real RMI templates (6.01-6.5; {len(recalculated)} recalculated by LibreOffice, "
          f"{len(paths) - len(recalculated)} formulas only), 80-300 smelter rows each; the look-up read for "
          f"{sum(needs_lookup.values())} of them")
    width = max(len(r["reader"]) for r in results)
    print(f"{'reader':<{width}}  ms/workbook  median  x floor")
    for r in results:
        print(f"{r['reader']:<{width}}  {r['ms_per_workbook']:>11}  {r['median_ms']:>6}  {r['x_floor']:>7}")
    print(f"goal: ours <= 3x the floor: {'met' if ours <= 3 else 'MISSED'} ({ours}x)")
    return results


def _floor(path: Path, with_lookup: bool) -> None:
    """The least any reader does: the workbook's, shared strings' and needed sheets' XML, every
    element visited and cleared, nothing interpreted."""
    from lxml import etree

    from disclosures.ingest.workbook import BOUNDS, _sheet_parts
    with zipfile.ZipFile(path) as book:
        parts = _sheet_parts(book)
        wanted = [part for name, part in parts.items() if name.strip().casefold() in BOUNDS
                  and (with_lookup or name.strip().casefold() != "smelter look-up")]
        for member in ["xl/sharedStrings.xml"] + wanted:
            if member in book.namelist():
                for _, element in etree.iterparse(book.open(member), events=("end",)):
                    element.clear()


def _openpyxl_bounded(path: Path) -> None:
    from openpyxl import load_workbook

    from disclosures.ingest.workbook import BOUNDS
    book = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        by_fold = {name.strip().casefold(): name for name in book.sheetnames}
        for key, (rows, cols) in BOUNDS.items():
            if key in by_fold:
                list(book[by_fold[key]].iter_rows(min_row=1, max_row=rows + 1, max_col=cols, values_only=True))
    finally:
        book.close()


if __name__ == "__main__":
    sys.exit(main())
