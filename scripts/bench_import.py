#!/usr/bin/env python3
"""Benchmark: importing a filed smelter table, against a bare lxml parse of the same file.

    python -m scripts.bench_import [--mb 2]

Times `import_table` (parse, grid, classify every row, validate) on a malformed, entity-heavy
EDGAR-style exhibit of about --mb megabytes, and the bare `lxml.html.document_fromstring` of the
same bytes in the same run, the floor any HTML importer pays. Prints numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

from lxml import html as lxml_html

from disclosures.engine.reference import load_reference
from disclosures.ingest.filing_table import import_table
from scripts.synthetic_exhibit import malformed_exhibit

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "tests" / "fixtures" / "example" / "data"


def best_of(times: int, function) -> float:
    result = float("inf")
    for _ in range(times):
        start = time.perf_counter()
        function()
        result = min(result, time.perf_counter() - start)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=2.0)
    args = parser.parse_args(argv)
    source, count = malformed_exhibit(EXAMPLE / "smelters" / "2023.csv", int(args.mb * 1_000_000))
    data = source.encode("utf-8")
    reference = load_reference(EXAMPLE / "reference")
    anchor = best_of(3, lambda: lxml_html.document_fromstring(data))
    ours = best_of(3, lambda: import_table(data, "exhibit.htm", reference))
    rows, _ = import_table(data, "exhibit.htm", reference)
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"exhibit: {len(data) / 1e6:.1f} MB, {count:,} smelter rows ({len(rows):,} imported)")
    print(f"  bare lxml parse (anchor)   {anchor * 1000:8.0f} ms")
    print(f"  import_table               {ours * 1000:8.0f} ms   {ours / anchor:5.1f}x the anchor")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
