"""Every page carries a Content-Security-Policy (a meta tag with the hashes of its own inline
scripts and style attributes) and nothing the site does in Chromium violates it."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || e.sample)));"""


def page_paths(site) -> list[str]:
    """Every page, except that of the smelter pages (one per smelter, one template) only two
    kinds: a smelter with flags and an RMI ID, and one keyed by metal and name."""
    paths = sorted("/" + p.relative_to(site).as_posix().removesuffix("index.html") for p in site.rglob("*.html"))
    kept = [p for p in paths if not re.fullmatch(r"/smelters/[^/]+/", p)]
    return kept + ["/smelters/CID003185/", next(p for p in paths if re.fullmatch(r"/smelters/[a-z]+-[^/]+/", p))]


def test_every_page_has_a_policy(built_site):
    for file in built_site.rglob("*.html"):
        html = file.read_text(encoding="utf-8")
        head = html[: html.index("</head>")]
        meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', head)
        assert meta and head.index(meta.group(0)) < head.find("<script"), file
        assert "default-src 'self'" in meta.group(1) and "'unsafe-inline'" not in meta.group(1), file


def test_no_page_kind_violates_its_policy(page, server, built_site):
    page.add_init_script(WATCH)
    violations = {}
    for path in page_paths(built_site):
        page.goto(server + path)
        page.wait_for_load_state("networkidle")
        if page.locator("#search").count():  # a smelter list: filter, sort, re-render its rows
            page.fill("#search", "gold")
            page.keyboard.press("Enter")
        page.keyboard.press("/")  # Material's site search and its worker
        page.keyboard.type("refinery")
        page.wait_for_timeout(150)
        page.keyboard.press("Escape")
        found = page.evaluate("window.__csp")
        if found:
            violations[path] = found
    assert violations == {}


def test_the_policy_blocks_what_injected_markup_would_do(page, server):
    """The policy is enforced, not decorative: a script added to a page is refused."""
    page.add_init_script(WATCH)
    page.goto(server + "/2023/smelters/")
    page.evaluate("""() => { const s = document.createElement('div');
        s.innerHTML = '<img src="https://evil.example/x.png"><span style="color:red">x</span>';
        document.body.append(s); }""")
    page.wait_for_timeout(200)
    blocked = " ".join(page.evaluate("window.__csp"))
    assert "img-src" in blocked and "style-src" in blocked
