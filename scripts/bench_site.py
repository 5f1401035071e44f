#!/usr/bin/env python3
"""Benchmark: the site against the tools people would pick instead, in one run, as ratios.

    scripts/dev bench [--quick]  (or: python -m scripts.bench_site) [--json bench-results/site.json]

Builds, at each scale (the example data; 2 x 2,000, 10 x 500 and 20 x 2,000 synthetic rows), our
site and a reference: every page's macro output written into its Markdown, built by plain MkDocs
+ Material (time, peak memory). In headless Chromium (scripts/bench_browser.py): our smelter
tables against DataTables on the same page and rows (352, 2,000 and ~10,000), a phone on Fast 3G
with 4x CPU throttling against the same site's Form SD page, and the site search at 40,000 rows.
Then the preview (scripts/bench_serve.py: save to the browser showing it, first serve, against
plain MkDocs + Material serving the same pages; the example and 10 x 2,000) and supplier workbooks
(scripts/bench_cmrt.py: 50 real RMI templates against the parse floor and naive pandas).
Prints one table of measures, anchors, ratios and goals, and writes it as JSON. Asserts nothing.
--quick: the example scale and the 10,000-row index (our build alone at 40,000 rows), the
example's preview, no workbooks.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from scripts import bench_browser
from scripts.synthetic_site import EXAMPLE, make_project

ROOT = Path(__file__).resolve().parents[1]


ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1")

def run_measured(command: list[str], cwd: Path, env=None) -> tuple[float, float]:
    """(seconds, peak resident MiB) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env or ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed in {cwd}: {' '.join(command)}\n{process.stderr.read().decode()[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024


def example_project(dest: Path) -> Path:
    """The shipped example (tests/fixtures/example), unlocked: the serve benchmark edits a page."""
    dest.mkdir(parents=True)
    for part in ("mkdocs.yml", "docs", "data", "macros"):
        source = (EXAMPLE if part in ("docs", "data") else ROOT) / part
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, dest / part)
    shutil.rmtree(dest / "data" / "locks")  # the years become drafts, built by `--drafts`
    # A draft compares only with an earlier *filed* year: with none filed, 2023 has no change log,
    # and the example's own page for it would name a `previous` there is not.
    (dest / "docs" / "2023" / "changes.md").unlink(missing_ok=True)
    return dest


def reference_project(project: Path, dump: Path, dest: Path) -> Path:
    """The same pages as plain Markdown (macro output inlined), for MkDocs + Material alone."""
    shutil.copytree(dump, dest / "docs", ignore=shutil.ignore_patterns("nav.json"))
    shutil.copytree(ROOT / "disclosures" / "site" / "templates" / "assets", dest / "docs" / "assets")  # the theme layer's
    nav = json.loads((dump / "nav.json").read_text())
    config = {
        "site_name": "Reference", "site_url": "http://127.0.0.1:8000/", "nav": nav,
        "theme": {"name": "material", "font": False, "features": ["navigation.sections", "navigation.top"]},
        "extra_css": ["assets/css/disclosure.css"], "extra_javascript": ["assets/js/smelter-table-model.js", "assets/js/smelter-table.js"],
        "plugins": ["search"], "markdown_extensions": ["attr_list", "tables", {"toc": {"permalink": True}}, "admonition"],
        "not_in_nav": "/staff-guide.md",
    }
    (dest / "mkdocs.yml").write_text(json.dumps(config, indent=1))  # JSON is YAML
    return dest


# The synthetic filings are drafts (never locked): built as `scripts/dev build --drafts` builds them.
OURS = [sys.executable, "-m", "disclosures.site.mkdocs_plugin", "build", "--drafts", "-q"]


def build_ours(project: Path, work: Path) -> dict:
    """Our build: time, peak memory, the largest smelter page and the site search's index."""
    ours, ours_mem = run_measured(OURS + ["-d", str(work / "ours")], project)
    site = work / "ours"
    pages = [p for p in site.rglob("index.html") if "smelters" in p.parent.name]
    largest = max(pages, key=lambda p: p.stat().st_size)
    index = site / "search" / "search_index.json"
    rows = sum(max(0, len(p.read_text(encoding="utf-8").splitlines()) - 1) for p in (project / "data" / "smelters").glob("*.csv"))
    return {
        "rows": rows, "build_s": round(ours, 2), "peak_mib": round(ours_mem),
        "largest_smelter_page": largest.relative_to(site).parent.as_posix() + "/",
        "largest_page_kib": round(largest.stat().st_size / 1024), "largest_page_gzip_kib": round(_gz(largest) / 1024),
        "search_index_kib": round(index.stat().st_size / 1024), "search_index_gzip_kib": round(_gz(index) / 1024),
    }


def build_reference(project: Path, work: Path) -> dict:
    """The same pages built by plain MkDocs + Material (macro output written into the Markdown)."""
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q"]
    dump = work / "dump"
    run_measured(OURS + ["-d", str(work / "dumped"), "--dump-markdown-to", str(dump)], project)
    reference = reference_project(project, dump, work / "reference")
    ref, ref_mem = run_measured(mkdocs + ["-d", str(work / "ref-site")], reference)
    ref_index = work / "ref-site" / "search" / "search_index.json"
    return {"reference_s": round(ref, 2), "reference_peak_mib": round(ref_mem),
            "reference_search_index_kib": round(ref_index.stat().st_size / 1024)}


def _gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), 6))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_reload(project: Path) -> float:
    """Seconds from saving docs/2023/report.md to `mkdocs serve` serving the new text."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"], cwd=project, env=ENV,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/2023/report/"
    try:
        _wait_for(url, "Conflict Minerals Report", 120)
        report = project / "docs" / "2023" / "report.md"
        token = f"benchmark-{time.time_ns()}"
        start = time.perf_counter()
        report.write_text(report.read_text(encoding="utf-8") + f"\n{token}\n", encoding="utf-8")
        _wait_for(url, token, 120)
        return time.perf_counter() - start
    finally:
        server.terminate()
        server.wait()


def _wait_for(url: str, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if text in urllib.request.urlopen(url, timeout=5).read().decode("utf-8"):
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {text!r} at {url}")


SCALES = {  # label: (filings, rows per filing, smelter pool factor); None: the example data
    "example": None, "2 x 2,000": (2, 2000, 2.0), "10 x 500": (10, 500, 2.0), "20 x 2,000": (20, 2000, 5.0)}
# Where each scale is looked at in the browser: our table against DataTables on that page.
ANCHOR_PAGES = {"example": "2023/smelters/", "2 x 2,000": "2023/smelters/", "20 x 2,000": "smelters/"}


def measure_scale(label: str, work: Path, quick: bool, browser) -> dict:
    spec = SCALES[label]
    project = example_project(work / "project") if spec is None else make_project(
        work / "project", spec[0], spec[1], pool_factor=spec[2])
    result = {"scale": label, **build_ours(project, work)}
    if not (quick and label != "example"):  # --quick: our build only at 40,000 rows
        result.update(build_reference(project, work))
        result["ratio"] = round(result["build_s"] / result["reference_s"], 2)
    reference = f"reference {result['reference_s']} s" if "reference_s" in result else "no reference (--quick)"
    print(f"built {label}: {result['build_s']} s, {reference}", file=sys.stderr)
    site = work / "ours"
    with bench_browser.served(site) as base:
        if label in ANCHOR_PAGES:
            result["anchor"] = bench_browser.anchored(browser, base, ANCHOR_PAGES[label])
        if label == "example":
            result["phone"] = bench_browser.phone(browser, base, "2023/smelters/", "2023/")
        if label == "20 x 2,000":
            result["search"] = {**bench_browser.index_coverage(site, project),
                                **bench_browser.search_sample(browser, base, project, size=8 if quick else 15)}
    return result


def goal_rows(results: list[dict], serve_s: float) -> list[dict]:
    """One row per measure: ours, the anchor in the same run, the ratio and its goal."""
    rows = []

    def row(measure, at, ours, anchor, anchor_name, goal=None):
        ratio = round(ours / anchor, 2) if anchor else None
        rows.append({"measure": measure, "at": at, "ours": ours, "anchor": anchor, "anchor_name": anchor_name,
                     "ratio": ratio, "goal": goal, "met": None if goal is None or ratio is None else ratio <= goal})

    for r in results:
        at = f"{r['scale']} ({r['rows']:,} rows)"
        if "reference_s" in r:
            row("build (s)", at, r["build_s"], r["reference_s"], "MkDocs + Material", 1.3 if r["scale"] == "example" else 1.0)
        if r["scale"] == "20 x 2,000":
            if "reference_peak_mib" in r:
                row("peak build memory (MiB)", at, r["peak_mib"], r["reference_peak_mib"], "MkDocs + Material", 1.2)
            row("search index, gzip (KiB)", at, r["search_index_gzip_kib"], 1024, "budget: 1 MB", 1.0)
            found = r["search"]
            row("names and IDs not in the search index", at, found["names_missing"] + found["ids_missing"], None,
                f"of {found['names'] + found['ids']:,}")
            row("sampled names and IDs Material's search missed", at, len(found["missed"]), None, f"of {found['queries']}")
        if "anchor" in r:
            a = r["anchor"]
            where = f"{a['page']} ({a['rows']:,} rows, {a['in_view']} in view)"
            row("table enhanced and laid out (ms)", where, a["ours_enhance_ms"], a["datatables_enhance_ms"], "DataTables", 0.2)
            row("keystroke to updated table, median (ms)", where, a["ours_keystroke_ms"], a["datatables_keystroke_ms"],
                "DataTables", 0.5)
        if "phone" in r:
            p = r["phone"]
            row("phone, Fast 3G, 4x CPU: filters usable (ms)", f"{p['page']} ({p['kib']} KiB)", p["usable_ms"],
                p["plain_usable_ms"], f"{p['plain_page']} Form SD ({p['plain_kib']} KiB)", 1.5)
    small = next((r for r in results if r["scale"] == "2 x 2,000"), None)
    large = next((r for r in results if r["scale"] == "20 x 2,000"), None)
    if small and large:
        row("build growth, 40,000 vs 4,000 rows (s)", "20 x 2,000 vs 2 x 2,000", large["build_s"], small["build_s"],
            "the 4,000-row build", 10.0)
    row("mkdocs serve: saved page served again (s)", "example", round(serve_s, 2), None, "")
    return rows


def print_table(rows: list[dict]) -> None:
    cells = [["Measure", "At", "Ours", "Anchor (same run)", "Ratio", "Goal", ""]]
    for r in rows:
        anchor = f"{r['anchor']:,} {r['anchor_name']}" if r["anchor"] is not None else r["anchor_name"]
        verdict = "" if r["met"] is None else ("met" if r["met"] else "MISSED")
        cells.append([r["measure"], r["at"], f"{r['ours']:,}", anchor, "" if r["ratio"] is None else f"{r['ratio']:.2f}",
                      "" if r["goal"] is None else f"<= {r['goal']}", verdict])
    widths = [max(len(c[i]) for c in cells) for i in range(len(cells[0]))]
    for c in cells:
        print("  ".join(v.ljust(w) for v, w in zip(c, widths)).rstrip())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="the example scale and the 10,000-row index only (our build alone at 40,000 rows)")
    parser.add_argument("--json", type=Path, default=ROOT / "bench-results" / "site.json")
    args = parser.parse_args(argv)
    labels = ["example", "20 x 2,000"] if args.quick else list(SCALES)
    results = []
    with tempfile.TemporaryDirectory() as tmp, bench_browser.chromium() as browser:
        for number, label in enumerate(labels):
            work = Path(tmp) / f"scale-{number}"
            work.mkdir(parents=True)
            results.append(measure_scale(label, work, args.quick, browser))
            shutil.rmtree(work)
        serve = serve_reload(example_project(Path(tmp) / "serve"))
        # What staff wait for: save to the browser showing it, our preview against plain MkDocs + Material.
        from scripts import bench_serve
        serving = []
        for number, scale in enumerate(["example"] if args.quick else list(bench_serve.SCALES)):
            work = Path(tmp) / f"serve-{number}"
            work.mkdir()
            serving.append(bench_serve.measure(scale, work, browser, runs=5, anchor_runs=1 if scale != "example" else 5))
            shutil.rmtree(work)
        chromium = browser.version
    machine = {"cores": os.cpu_count(), "system": f"{platform.system()} {platform.machine()}",
               "python": platform.python_version(), "chromium": chromium}
    print(f"Machine: {machine['cores']} cores, {machine['system']}, Python {machine['python']}, Chromium {chromium} headless")
    rows = goal_rows(results, serve)
    print_table(rows)
    from scripts import bench_cmrt, bench_serve
    serve_rows = [r for result in serving for r in bench_serve.rows(result)]
    print("\nThe preview (scripts/dev serve), in Chromium; anchor: plain MkDocs + Material serving the same pages")
    bench_serve.print_rows(serve_rows)
    cmrt = [] if args.quick else bench_cmrt.real_templates(50)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"machine": machine, "quick": args.quick, "goals": rows, "scales": results,
                                     "serve_reload_s": round(serve, 2), "preview": serve_rows, "cmrt_real_templates": cmrt},
                                    indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
