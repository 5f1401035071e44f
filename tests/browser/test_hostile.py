"""A site built from hostile data runs no script and opens no dialog in a real browser."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("url", ["/", "/2023/", "/2023/report/", "/2023/smelters/", "/2023/changes/", "/smelters/"])
def test_hostile_text_runs_nothing(page, hostile_server, url):
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(hostile_server + url)
    page.wait_for_load_state("networkidle")
    if url == "/2023/smelters/":
        page.fill("#search", "script")  # search and re-render the hostile rows
        expect(page.locator(".cm-status")).to_have_text("1 of 352 smelters")
        expect(page.locator("table#smelters-2023 tbody tr").first).to_contain_text('<script>alert("name")</script>')
    assert dialogs == [] and errors == []
    assert page.evaluate("document.querySelectorAll('img[src=x]').length") == 0


def test_a_lookalike_name_is_found_by_the_name_it_imitates(page, hostile_server):
    """A Cyrillic А in "Аfrican Gold Refinery": searching the Latin name finds it, flagged."""
    page.goto(hostile_server + "/2023/smelters/")
    page.fill("#search", "african gold refinery")
    expect(page.locator(".cm-status")).to_have_text("1 of 352 smelters")
    expect(page.locator("table#smelters-2023 tbody tr").first).to_contain_text("OFAC sanctioned")
