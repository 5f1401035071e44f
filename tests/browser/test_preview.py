"""`scripts/dev serve` in Chromium: a save shows in the open page in place (no reload, the reader's
place kept); a change beyond the article (a heading in the table of contents) reloads the page."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import make_draft

pytestmark = pytest.mark.browser


@pytest.fixture
def preview(project_copy):
    """The example (2023 a draft again, as staff edit it) served as `scripts/dev serve` serves it."""
    make_draft(project_copy, 2023)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dirty", "-a", f"127.0.0.1:{port}"],
                              cwd=project_copy, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/2023/report/", timeout=5).read()
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield project_copy, base
    finally:
        server.terminate()
        server.wait(timeout=20)


def _open(browser, url):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)  # the live update reads the page as served once loaded
    page.evaluate("window.__notReloaded = true")
    return page, errors


def _shows(page, text, timeout=30_000):
    # (null-safe: the page may be between its unload and its reload)
    page.wait_for_function("t => !!document.querySelector('article') && document.querySelector('article').innerText.includes(t)",
                           arg=text, timeout=timeout)


def test_a_saved_paragraph_shows_in_place_and_a_new_heading_reloads(preview, browser):
    project, base = preview
    page, errors = _open(browser, f"{base}/2023/report/")
    page.mouse.wheel(0, 1500)
    page.wait_for_timeout(300)
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 500
    report = project / "docs" / "2023" / "report.md"
    report.write_text(report.read_text(encoding="utf-8") + "\n\nA paragraph saved while previewing.\n", encoding="utf-8")
    _shows(page, "A paragraph saved while previewing.")
    assert page.evaluate("window.__notReloaded === true"), "the page reloaded"
    assert abs(page.evaluate("window.scrollY") - scrolled) < 5, "the reader's place was lost"
    # Its smelter list is still the one enhanced list, with its controls, once.
    assert page.locator("[data-smelter-table][data-enhanced]").count() == page.locator("[data-smelter-table]").count() == 1
    assert page.locator(".cm-controls").count() == 1
    # A second save replaces the paragraph, not adds to it.
    report.write_text(report.read_text(encoding="utf-8").replace("saved while previewing", "saved twice"), encoding="utf-8")
    _shows(page, "A paragraph saved twice.")
    assert "A paragraph saved while previewing." not in page.locator("article").inner_text()
    assert page.evaluate("window.__notReloaded === true")
    # A heading changes the table of contents, beyond the article: the page reloads.
    report.write_text(report.read_text(encoding="utf-8") + "\n\n## A section saved while previewing\n\nIts text.\n",
                      encoding="utf-8")
    _shows(page, "A section saved while previewing")
    page.wait_for_load_state("load")
    assert page.evaluate("window.__notReloaded") is None, "the table of contents changed: the page must reload"
    assert page.locator(".md-sidebar--secondary").get_by_text("A section saved while previewing").count() == 1
    assert errors == []


def test_a_saved_list_row_shows_in_the_enhanced_list(preview, browser):
    project, base = preview
    page, errors = _open(browser, f"{base}/2023/smelters/")
    csv_path = project / "data" / "smelters" / "2023.csv"
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    lines.insert(1, "Gold,Preview Live Refinery,JAPAN,Active,,")
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _shows(page, "Preview Live Refinery")
    assert page.evaluate("window.__notReloaded === true"), "the page reloaded"
    assert page.locator(".cm-controls").count() == 1, "the new list was not enhanced once"
    search = page.locator(".cm-controls input[type=search]")
    search.fill("preview live")
    page.wait_for_function("() => document.querySelectorAll('table.cm-list tbody tr:not([hidden])').length === 1")
    assert "Preview Live Refinery" in page.locator("table.cm-list tbody").inner_text()
    assert errors == []
