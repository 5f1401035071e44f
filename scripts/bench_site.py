#!/usr/bin/env python3
"""Benchmark: how the build and the pages scale, against plain MkDocs + Material, in one run.

    scripts/dev bench  (or: python -m scripts.bench_site) [--quick] [--json bench-results/site.json]

For each scale (the example data; 2 x 2,000, 10 x 500 and 20 x 2,000 synthetic rows) it
measures the full build (wall time, peak memory) and a reference build of the same site:
every page's macro output already written into its Markdown, built by plain MkDocs + Material
without the macros plugin or our hooks. Then page weights, and in headless Chromium the time
to enhance the 10,000-row cross-filing index and per keystroke in its search box; and, at the
example scale, `mkdocs serve`'s time from saving a narrative page to serving the new page.
Prints one table and writes it as JSON. Asserts nothing: goals are read off the table.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from scripts.synthetic_site import make_project

ROOT = Path(__file__).resolve().parents[1]


ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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
    """The real example data, unlocked (the serve benchmark edits a narrative page)."""
    dest.mkdir(parents=True)
    for part in ("mkdocs.yml", "docs", "data", "macros"):
        (shutil.copytree if (ROOT / part).is_dir() else shutil.copy2)(ROOT / part, dest / part)
    shutil.rmtree(dest / "data" / "locks")
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


def build_pair(project: Path, work: Path) -> dict:
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q"]
    ours, ours_mem = run_measured(mkdocs + ["-d", str(work / "ours")], project)
    dump = work / "dump"
    run_measured(mkdocs + ["-d", str(work / "dumped")], project, dict(ENV, CM_DUMP_MARKDOWN=str(dump)))
    reference = reference_project(project, dump, work / "reference")
    ref, ref_mem = run_measured(mkdocs + ["-d", str(work / "ref-site")], reference)
    site = work / "ours"
    pages = [p for p in site.rglob("index.html") if "smelters" in p.parent.name]
    largest = max(pages, key=lambda p: p.stat().st_size)
    index = site / "search" / "search_index.json"
    ref_index = work / "ref-site" / "search" / "search_index.json"
    rows = sum(max(0, len(p.read_text(encoding="utf-8").splitlines()) - 1) for p in (project / "data" / "smelters").glob("*.csv"))
    return {
        "rows": rows, "build_s": round(ours, 2), "reference_s": round(ref, 2), "ratio": round(ours / ref, 2),
        "peak_mib": round(ours_mem), "reference_peak_mib": round(ref_mem),
        "largest_smelter_page": largest.relative_to(site).parent.as_posix() + "/",
        "largest_page_kib": round(largest.stat().st_size / 1024), "largest_page_gzip_kib": round(_gz(largest) / 1024),
        "search_index_kib": round(index.stat().st_size / 1024), "search_index_gzip_kib": round(_gz(index) / 1024),
        "reference_search_index_kib": round(ref_index.stat().st_size / 1024),
    }


def _gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), 6))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser_timings(site: Path, keystrokes: str = "refining gold") -> dict:
    """Enhance time and keystroke -> updated table on the cross-filing index, in Chromium."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "-b", "127.0.0.1", "-d", str(site)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        executable = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/smelters/")
            page.wait_for_selector("[data-enhanced]")
            enhance = page.evaluate("Number(document.querySelector('[data-smelter-table]').dataset.enhanceMs)")
            rows = page.evaluate("document.querySelector('[data-smelter-table]').dataset.rows")
            # Per keystroke: [script + style + layout of the updated table, and until the next frame].
            times = page.evaluate("""async (text) => {
                const input = document.querySelector('.cm-controls input[type=search]');
                const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
                const queries = [];
                for (let i = 1; i <= text.length; i++) queries.push(text.slice(0, i));
                for (let i = text.length - 1; i >= 0; i--) queries.push(text.slice(0, i));
                const out = [];
                for (const q of queries) {
                  await frame();
                  const t0 = performance.now();
                  input.value = q;
                  input.dispatchEvent(new Event('input', {bubbles: true}));
                  document.body.offsetHeight;  // force style and layout of the updated table
                  const t1 = performance.now();
                  await frame();
                  out.push([t1 - t0, performance.now() - t0]);
                }
                return out;
            }""", keystrokes)
            browser.close()
    finally:
        server.terminate()
    updated = [t[0] for t in times]
    framed = [t[1] for t in times]
    return {"index_rows": int(rows), "enhance_ms": round(enhance), "keystroke_median_ms": round(statistics.median(updated), 1),
            "keystroke_max_ms": round(max(updated), 1), "keystroke_to_frame_median_ms": round(statistics.median(framed), 1),
            "keystrokes": len(times)}


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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="only the example and 2 x 2,000 scales")
    parser.add_argument("--json", type=Path, default=ROOT / "bench-results" / "site.json")
    args = parser.parse_args(argv)
    scales = [("example (2 x 265)", None), ("2 x 2,000", (2, 2000, 2.0)), ("10 x 500", (10, 500, 2.0)),
              ("20 x 2,000", (20, 2000, 5.0))]
    if args.quick:
        scales = scales[:2]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for number, (label, scale) in enumerate(scales):
            work = Path(tmp) / f"scale-{number}"
            work.mkdir(parents=True, exist_ok=True)
            project = example_project(work / "project") if scale is None else make_project(
                work / "project", scale[0], scale[1], pool_factor=scale[2])
            result = {"scale": label, **build_pair(project, work)}
            print(f"built {label}: {result['build_s']} s (reference {result['reference_s']} s)", file=sys.stderr)
            if scale == scales[-1][1]:
                result.update(browser_timings(work / "ours"))
            results.append(result)
        serve = serve_reload(example_project(Path(tmp) / "serve"))

    keys = ["scale", "rows", "build_s", "reference_s", "ratio", "peak_mib", "reference_peak_mib", "largest_page_kib",
            "largest_page_gzip_kib", "search_index_kib", "search_index_gzip_kib"]
    widths = {k: max(len(k), *(len(str(r.get(k, ""))) for r in results)) for k in keys}
    print(f"Machine: {os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python {platform.python_version()}")
    print("  ".join(k.ljust(widths[k]) for k in keys))
    for r in results:
        print("  ".join(str(r.get(k, "")).ljust(widths[k]) for k in keys))
    small = next((r for r in results if r["scale"].startswith("2 x 2,000")), None)
    large = next((r for r in results if r["scale"].startswith("20 x")), None)
    if small and large:
        print(f"Growth: {large['rows']:,} rows cost {large['build_s'] / small['build_s']:.1f}x the build of {small['rows']:,} rows")
    if large and "enhance_ms" in large:
        print(f"Cross-filing index ({large['index_rows']:,} rows) in Chromium: enhance {large['enhance_ms']} ms; "
              f"keystroke to updated table (script, style, layout) median {large['keystroke_median_ms']} ms, "
              f"max {large['keystroke_max_ms']} ms; to the next frame median {large['keystroke_to_frame_median_ms']} ms; "
              f"{large['keystrokes']} keystrokes")
    print(f"mkdocs serve, example scale: saved narrative page served after {serve:.2f} s")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"machine": {"cores": os.cpu_count(), "python": platform.python_version()},
                                     "scales": results, "serve_reload_s": round(serve, 2)}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
