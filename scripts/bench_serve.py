#!/usr/bin/env python3
"""Benchmark: what staff wait for while previewing, seen in a real browser.

    python -m scripts.bench_serve [--scale example|10x2000] [--runs 5] [--anchor-runs 5]

For one project: our preview (`scripts/dev serve`: mkdocs serve --dirty with the plugin) against
the same pages served by plain MkDocs + Material (the anchor: every macro's output already in
the Markdown), and the floor: plain MkDocs building that one page alone, in the same run. It
measures the first serve (start to the page served; median of three) and, `runs` times each, the time from saving
a file to the browser showing the change: the year's report (a paragraph added to its Markdown)
and the year's list (a smelter row added to our CSV; to the anchor's list page). Prints medians with their spread; asserts nothing.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scripts import bench_browser
from scripts.bench_site import ENV, OURS, example_project, free_port, reference_project, run_measured
from scripts.synthetic_site import make_project

ROOT = Path(__file__).resolve().parents[1]
SCALES = {"example": None, "10x2000": (10, 2000, 2.0)}


@contextlib.contextmanager
def serving(project: Path, *options: str):
    """`mkdocs serve` of the project; yields (base address, seconds until `first` was served)."""
    port = free_port()
    start = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}", *options],
                              cwd=project, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        yield f"http://127.0.0.1:{port}", start
    finally:  # the server and what it started (a preview's download writer), as Ctrl-C stops them
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()


def wait_served(url: str, start: float, timeout: float = 600) -> float:
    import urllib.request
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return time.perf_counter() - start
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {url}")


def shown(page, token: str, timeout: float = 120) -> None:
    """Until the page in the browser (reloaded by the preview's live reload) shows `token`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if page.evaluate("t => !!document.body && document.body.innerText.includes(t)", token):
                return
        except Exception:  # the page is being reloaded
            pass
        time.sleep(0.02)
    raise SystemExit(f"the browser never showed {token!r}")


def saves(browser, url: str, edit, runs: int) -> list[float]:
    """Seconds from each save (edit(token)) to the browser showing the token, `runs` times."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(url)
    times = []
    try:
        for _ in range(runs):
            token = f"Tok{time.time_ns()}"
            start = time.perf_counter()
            edit(token)
            shown(page, token)
            times.append(time.perf_counter() - start)
            time.sleep(0.5)  # the next save is a separate one
    finally:
        context.close()
    return times


def append_paragraph(path: Path):
    def edit(token: str) -> None:
        path.write_text(path.read_text(encoding="utf-8") + f"\n\nSaved {token}.\n", encoding="utf-8")
    return edit


def add_to_csv(path: Path):
    """Add a smelter row (as staff add one the suppliers reported), like the list's first row and
    before it: a list of more than 500 rows shows its first rows until "Show more" (filed order)."""
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))

    def edit(token: str) -> None:
        rows.insert(1, [rows[1][0], f"{token} Metals", rows[1][2], rows[1][3]] + [""] * (len(rows[0]) - 4))
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
    return edit


def add_to_page(path: Path):
    """The anchor's list page: the same row added to its table (the page's last table row, copied)."""
    def edit(token: str) -> None:
        text = path.read_text(encoding="utf-8")
        end = text.rfind("</tr>")
        start = text.rfind("<tr", 0, end)
        row = text[start:end + 5]
        first_name = row.split("</a>")[0].rsplit(">", 1)[-1] if "</a>" in row else ""
        added = row.replace(first_name, f"{token} Metals", 1) if first_name else f"<tr><td>{token} Metals</td></tr>"
        path.write_text(text[:end + 5] + added + text[end + 5:], encoding="utf-8")
    return edit


def first_serves(project: Path, year: int, count: int, *options: str) -> list[float]:
    """Seconds from starting `mkdocs serve` to the year's report served, `count` starts."""
    times = []
    for _ in range(count):
        with serving(project, *options) as (base, start):
            times.append(wait_served(f"{base}/{year}/report/", start))
    return times


def floor(reference: Path, page: str, work: Path) -> float:
    """Plain MkDocs + Material building the one page alone (after a first build: warm)."""
    alone = work / "alone"
    (alone / "docs").mkdir(parents=True)
    shutil.copy(reference / "docs" / page, alone / "docs" / "index.md")
    config = json.loads((reference / "mkdocs.yml").read_text())
    config.pop("nav", None)
    config.pop("not_in_nav", None)
    config["extra_css"], config["extra_javascript"] = [], []
    (alone / "mkdocs.yml").write_text(json.dumps(config))
    probe = ("import time, logging; from mkdocs.config import load_config; from mkdocs.commands.build import build\n"
             "for i in range(3):\n"
             "    c = load_config('mkdocs.yml', site_dir='site'); t = time.perf_counter(); build(c); s = time.perf_counter() - t\n"
             "print(s)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=alone, env=ENV, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def measure(scale: str, work: Path, browser, runs: int = 5, anchor_runs: int = 5) -> dict:
    spec = SCALES[scale]
    project = example_project(work / "project") if spec is None else make_project(work / "project", *spec[:2], pool_factor=spec[2])
    year = max(int(p.stem) for p in (project / "data" / "filings").glob("*.yaml"))
    dump = work / "dump"
    run_measured(OURS + ["-d", str(work / "dumped"), "--dump-markdown-to", str(dump)], project)
    reference = reference_project(project, dump, work / "reference")
    result = {"scale": scale, "year": year}
    # First serves (a start is one sample of a noisy machine: the median of three, the anchor's of up to three).
    result["first_serves_s"] = first_serves(project, year, 3, "--dirty")
    result["anchor_first_serves_s"] = first_serves(reference, year, min(3, anchor_runs))
    result["first_serve_s"] = statistics.median(result["first_serves_s"])
    result["anchor_first_serve_s"] = statistics.median(result["anchor_first_serves_s"])
    # Ours: the report, then the year's list.
    with serving(project, "--dirty") as (base, start):
        wait_served(f"{base}/{year}/report/", start)
        result["report_s"] = saves(browser, f"{base}/{year}/report/", append_paragraph(project / "docs" / str(year) / "report.md"), runs)
        result["list_s"] = saves(browser, f"{base}/{year}/smelters/", add_to_csv(project / "data" / "smelters" / f"{year}.csv"), runs)
    with serving(reference) as (base, start):
        wait_served(f"{base}/{year}/report/", start)
        result["anchor_report_s"] = saves(browser, f"{base}/{year}/report/", append_paragraph(reference / "docs" / str(year) / "report.md"), anchor_runs)
        result["anchor_list_s"] = saves(browser, f"{base}/{year}/smelters/",
                                        add_to_page(reference / "docs" / str(year) / "smelters.md"), anchor_runs)
    result["floor_report_s"] = floor(reference, f"{year}/report.md", work / "floor-report")
    result["floor_list_s"] = floor(reference, f"{year}/smelters.md", work / "floor-list")
    return result


def rows(result: dict) -> list[dict]:
    """Goal rows: ours, the anchor, the ratio, the floor, and the issue's goals."""
    at = f"{result['scale']}, {result['year']}"
    large = result["scale"] == "10x2000"
    found = []

    def row(measure, ours, anchor, floor_s=None, goal_ratio=None, goal_s=None):
        ratio = round(ours / anchor, 2) if anchor else None
        met = [ratio <= goal_ratio] if goal_ratio is not None and ratio is not None else []
        met += [ours <= goal_s] if goal_s is not None else []
        found.append({"measure": measure, "at": at, "ours": round(ours, 2), "anchor": round(anchor, 2) if anchor else None,
                      "anchor_name": "MkDocs + Material serve", "ratio": ratio, "floor": floor_s and round(floor_s, 2),
                      "goal": " and ".join(filter(None, [goal_s and f"<= {goal_s} s", goal_ratio and f"<= {goal_ratio}x"])) or None,
                      "met": all(met) if met else None})
    for kind, label in (("report", "save report.md to the browser showing it (s, median)"),
                        ("list", "save the year's list to the browser showing it (s, median)")):
        ours, anchor = result[f"{kind}_s"], result[f"anchor_{kind}_s"]
        row(label, statistics.median(ours), statistics.median(anchor), result[f"floor_{kind}_s"],
            0.1 if large and kind == "report" else None, (1.0 if kind == "report" else 2.0) if large else None)
        found[-1]["spread"] = [round(min(ours), 2), round(max(ours), 2)]
    row("first serve (s, median of 3)", result["first_serve_s"], result["anchor_first_serve_s"], None, None, 10.0 if large else None)
    found[-1]["spread"] = [round(min(result["first_serves_s"]), 2), round(max(result["first_serves_s"]), 2)]
    return found


def print_rows(found: list[dict]) -> None:
    for r in found:
        verdict = "" if r["met"] is None else ("met" if r["met"] else "MISSED")
        spread = f" (spread {r['spread'][0]}-{r['spread'][1]})" if "spread" in r else ""
        floor_text = f", floor {r['floor']}" if r["floor"] else ""
        print(f"{r['measure']:<62} {r['at']:<16} ours {r['ours']}{spread}; anchor {r['anchor']} (x{r['ratio']}){floor_text}"
              f"{'; goal ' + r['goal'] if r['goal'] else ''} {verdict}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=list(SCALES), action="append")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--anchor-runs", type=int, default=5, help="saves timed on the anchor (at 10x2000 each takes a minute or more)")
    parser.add_argument("--json", type=Path, default=ROOT / "bench-results" / "serve.json")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory() as tmp, bench_browser.chromium() as browser:
        for number, scale in enumerate(args.scale or list(SCALES)):
            work = Path(tmp) / f"scale-{number}"
            work.mkdir()
            results.append(measure(scale, work, browser, args.runs, args.anchor_runs))
    found = [r for result in results for r in rows(result)]
    print_rows(found)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"results": results, "goals": found}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
