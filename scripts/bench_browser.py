"""The site benchmark's browser half (scripts/bench_site.py runs it), in headless Chromium.

- Our smelter tables against DataTables on the same page and the same rows, in the same run:
  the request for smelter-table.js is answered with DataTables and scripts/bench_assets/
  datatables-anchor.js instead, so only the enhancer differs. Both are timed the same way.
- A phone (390 px, 4x CPU throttling, DevTools' Fast 3G): time until a year's list has usable
  filters, against the same site's Form SD page, served gzipped as GitHub Pages serves it.
- The site search at scale: every smelter name and ID in the index, and a sample of them found
  by Material's own search box.
"""
from __future__ import annotations

import csv
import functools
import gzip
import html
import http.server
import json
import os
import random
import shutil
import statistics
import threading
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATATABLES = ROOT / "tests" / "browser" / "node_modules" / "datatables.net"
DATATABLES_CSS = ROOT / "tests" / "browser" / "node_modules" / "datatables.net-dt" / "css" / "dataTables.dataTables.min.css"
ANCHOR = Path(__file__).resolve().parent / "bench_assets" / "datatables-anchor.js"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Chrome DevTools' "Fast 3G" preset (its SDK's NetworkManager), in bytes per second and ms.
FAST_3G = {"offline": False, "latency": 150 * 3.75, "downloadThroughput": 1.6 * 1000 * 1000 / 8 * 0.9,
           "uploadThroughput": 750 * 1000 / 8 * 0.9}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}
OURS = {"name": "ours", "input": ".cm-controls input[type=search]", "count": r"^([\d,]+) of"}
THEIRS = {"name": "DataTables", "input": "input.dt-input[type=search]", "count": r"of ([\d,]+) entr"}

# Before any page script. The page is laid out once before either enhancer runs (its first
# layout is the page's cost, not the enhancer's; it is reported apart), and when a table is marked
# enhanced, style and layout are forced again and the time noted: "enhanced" means laid out.
LAYOUT_FIRST = """
document.addEventListener("DOMContentLoaded", function () {
  var t0 = performance.now();
  document.body.offsetHeight;
  window.__cmFirstLayoutMs = performance.now() - t0;
});
"""
OBSERVE_ENHANCED = """
new MutationObserver(function (records) {
  if (window.__cmEnhancedAt || !records.some(function (r) { return r.target.hasAttribute("data-enhanced"); })) return;
  var t0 = performance.now();
  document.body.offsetHeight;
  window.__cmEnhancedAt = performance.now();
  window.__cmLayoutMs = window.__cmEnhancedAt - t0;
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-enhanced"] });
"""

# Per keystroke: [script + style + layout of the updated table, until the next frame, matches].
TYPE_AND_TIME = """async ([selector, text, countPattern]) => {
  const input = document.querySelector(selector);
  const pattern = new RegExp(countPattern);
  const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const status = () => {
    const node = document.querySelector('.cm-status, .dt-info');
    const m = node && node.textContent.trim().match(pattern);
    return m ? Number(m[1].replace(/,/g, '')) : -1;
  };
  const queries = [];
  for (let i = 1; i <= text.length; i++) queries.push(text.slice(0, i));
  for (let i = text.length - 1; i >= 0; i--) queries.push(text.slice(0, i));
  const out = [];
  for (const q of queries) {
    await frame();
    const t0 = performance.now();
    input.value = q;
    input.dispatchEvent(new Event('input', {bubbles: true}));
    document.body.offsetHeight;
    const t1 = performance.now();
    await frame();
    out.push([t1 - t0, performance.now() - t0, status()]);
  }
  return out;
}"""

# Milliseconds from navigation start until the page is usable: loaded, and its table (if any)
# enhanced and laid out.
USABLE_AT = """async () => {
  const table = document.querySelector('[data-smelter-table]');
  if (table && !window.__cmEnhancedAt) {
    await new Promise(resolve => { const poll = () => window.__cmEnhancedAt ? resolve() : setTimeout(poll, 20); poll(); });
  }
  const nav = performance.getEntriesByType('navigation')[0];
  const bytes = performance.getEntriesByType('resource').reduce((sum, r) => sum + r.transferSize, nav.transferSize);
  return [Math.max(nav.loadEventEnd, window.__cmEnhancedAt || 0), bytes];
}"""


class _GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, text gzipped when the browser asks (as GitHub Pages does)."""

    TEXT = (".html", ".css", ".js", ".json", ".svg", ".xml", ".csv", ".txt")
    cache: dict[str, bytes] = {}

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not (path.suffix in self.TEXT and path.is_file() and "gzip" in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        body = self.cache.get(str(path)) or self.cache.setdefault(str(path), gzip.compress(path.read_bytes(), 6))
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Bytes(body)

    def log_message(self, *args):
        pass


class _Bytes:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, *_):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


@contextmanager
def served(site: Path):
    handler = functools.partial(_GzipHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        _GzipHandler.cache.clear()


def chromium_executable() -> str | None:
    """$CHROMIUM, else Debian's chromium (or Google Chrome on GitHub's runners). The tests use it too."""
    return os.environ.get("CHROMIUM") or next(
        filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    executable = chromium_executable()
    if not executable:
        raise SystemExit("a Chromium is needed: scripts/dev bench installs Debian's chromium package")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def _swap_in_datatables(page) -> None:
    """Answer the table script and our stylesheet with DataTables' (plus the anchor's init)."""
    script = (DATATABLES / "js" / "dataTables.min.js").read_text(encoding="utf-8") + "\n" + ANCHOR.read_text(encoding="utf-8")
    page.route("**/assets/js/smelter-table.js", lambda route: route.fulfill(body=script, content_type="text/javascript"))

    def css(route):
        ours = route.fetch().text()
        route.fulfill(body=ours + "\n" + DATATABLES_CSS.read_text(encoding="utf-8"), content_type="text/css")
    page.route("**/assets/css/disclosure.css", css)


def table_run(browser, url: str, enhancer: dict, keystrokes: str) -> dict:
    """One cold load: enhance time (script and layout), rows in view, per-keystroke times."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.add_init_script(LAYOUT_FIRST + OBSERVE_ENHANCED)
    if enhancer is THEIRS:
        _swap_in_datatables(page)
    page.goto(url)
    page.wait_for_function("window.__cmEnhancedAt", timeout=120_000)
    container = "document.querySelector('[data-smelter-table]')"
    enhance = page.evaluate(f"Number({container}.dataset.enhanceMs) + window.__cmLayoutMs")
    rows = page.evaluate(f"Number({container}.dataset.rows)")
    in_view = page.evaluate(f"{container}.querySelector('tbody').rows.length")
    first_layout = page.evaluate("window.__cmFirstLayoutMs")
    times = page.evaluate(TYPE_AND_TIME, [enhancer["input"], keystrokes, enhancer["count"]])
    context.close()
    return {"enhance_ms": enhance, "first_layout_ms": first_layout, "rows": rows, "in_view": in_view, "keystrokes": [t[0] for t in times],
            "to_frame": [t[1] for t in times], "matches": [t[2] for t in times]}


def anchored(browser, base: str, path: str, runs: int = 5, keystrokes: str = "refining gold") -> dict:
    """Ours and DataTables on the same page, alternating cold loads; medians."""
    found = {"ours": [], "DataTables": []}
    for _ in range(runs):
        found["ours"].append(table_run(browser, f"{base}/{path}", OURS, keystrokes))
        in_view = found["ours"][-1]["in_view"]
        found["DataTables"].append(table_run(browser, f"{base}/{path}?rows={in_view}", THEIRS, keystrokes))
    result = {"page": "/" + path, "rows": found["ours"][0]["rows"], "in_view": found["ours"][0]["in_view"],
              "page_first_layout_ms": round(statistics.median(r["first_layout_ms"] for r in found["ours"]), 1)}
    for name, key in (("ours", "ours"), ("DataTables", "datatables")):
        result[f"{key}_enhance_ms"] = round(statistics.median(r["enhance_ms"] for r in found[name]), 1)
        result[f"{key}_keystroke_ms"] = round(statistics.median(t for r in found[name] for t in r["keystrokes"]), 2)
        result[f"{key}_keystroke_max_ms"] = round(max(t for r in found[name] for t in r["keystrokes"]), 1)
        result[f"{key}_to_frame_ms"] = round(statistics.median(t for r in found[name] for t in r["to_frame"]), 1)
    result["enhance_ratio"] = round(result["ours_enhance_ms"] / result["datatables_enhance_ms"], 2)
    result["keystroke_ratio"] = round(result["ours_keystroke_ms"] / result["datatables_keystroke_ms"], 2)
    # Both must find the same rows for each query, or the comparison is not like for like.
    result["same_matches"] = found["ours"][0]["matches"] == found["DataTables"][0]["matches"]
    result["matches"] = {"ours": found["ours"][0]["matches"], "DataTables": found["DataTables"][0]["matches"]}
    return result


def phone_load(browser, url: str) -> tuple[float, int]:
    """(ms until usable, bytes transferred) of one cold load on the phone profile."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.add_init_script(OBSERVE_ENHANCED)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", FAST_3G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    page.goto(url, wait_until="load", timeout=180_000)
    usable, transferred = page.evaluate(USABLE_AT)
    context.close()
    return usable, transferred


def phone(browser, base: str, table_path: str, plain_path: str, runs: int = 5) -> dict:
    """The year's list against the Form SD page of the same site, alternating cold loads."""
    table, plain = [], []
    for _ in range(runs):
        table.append(phone_load(browser, f"{base}/{table_path}"))
        plain.append(phone_load(browser, f"{base}/{plain_path}"))
    table_ms = statistics.median(t[0] for t in table)
    plain_ms = statistics.median(t[0] for t in plain)
    return {"page": "/" + table_path, "usable_ms": round(table_ms), "kib": round(table[0][1] / 1024),
            "plain_page": "/" + plain_path, "plain_usable_ms": round(plain_ms), "plain_kib": round(plain[0][1] / 1024),
            "ratio": round(table_ms / plain_ms, 2)}


def smelters_of(project: Path) -> list[dict]:
    rows = []
    for path in sorted((project / "data" / "smelters").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows += list(csv.DictReader(handle))
    return rows


def index_coverage(site: Path, project: Path) -> dict:
    """Every smelter name and ID of every list, as an entry of the site search's index."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    names, facts = set(), set()
    for doc in index["docs"]:
        names.add(html.unescape(doc["title"]))
        for fact in html.unescape(doc.get("text", "")).split(" · "):
            facts.add(fact)
            if fact.startswith("also listed as "):
                names.update(fact[len("also listed as "):].split("; "))
    rows = smelters_of(project)
    missing_names = {r["smelter_name"] for r in rows} - names
    missing_ids = {r["smelter_id"] for r in rows if r["smelter_id"]} - facts
    return {"names": len({r["smelter_name"] for r in rows}), "ids": len({r["smelter_id"] for r in rows if r["smelter_id"]}),
            "names_missing": len(missing_names), "ids_missing": len(missing_ids)}


def search_sample(browser, base: str, project: Path, size: int = 15, seed: int = 3) -> dict:
    """Names and IDs drawn at random, typed into Material's search box: each must be a result."""
    rows = smelters_of(project)
    picked = random.Random(seed).sample(rows, size)
    queries = [(r["smelter_name"], r["smelter_name"]) for r in picked]
    queries += [(r["smelter_id"], r["smelter_name"]) for r in picked if r["smelter_id"]]
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/")
    missed = []
    for query, expected in queries:
        page.fill("input.md-search__input", query)
        page.press("input.md-search__input", "End")  # Material searches on key events, not on fill()
        try:
            page.wait_for_function("""([expected]) => Array.from(document.querySelectorAll('.md-search-result__item h1, .md-search-result__item h2'))
                                      .some(h => h.textContent.trim() === expected)""", arg=[expected], timeout=30_000)
        except Exception:  # noqa: BLE001 - a miss is a result, not a failure of the benchmark
            missed.append(query)
    context.close()
    return {"queries": len(queries), "missed": missed}
