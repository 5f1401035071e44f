#!/usr/bin/env python3
"""Benchmark: reading supplier CMRT workbooks, ours against a naive pandas read, in one run.

    python -m scripts.bench_cmrt [--files 40] [--rows 300] [--json bench-results/cmrt.json]

Generates realistic synthetic workbooks (every CMRT sheet, ~300 smelter rows, English and
Chinese), then reports files per second for: pandas.read_excel(sheet_name=None,
engine="openpyxl") on each file (the naive way), and our reader (bounded openpyxl read-only
reads, parse included) on 1 and 2 worker processes. Prints numbers; asserts nothing.
(python-calamine, ~2x faster, is not offered: it allocates a sheet's whole used range, and one
cell at XFD1048576 made it abort the process asking for 512 GiB.)
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
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
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"files": args.files, "rows": args.rows, "cores": os.cpu_count(), "results": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
