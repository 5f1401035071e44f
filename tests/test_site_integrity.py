"""After the build: every internal link and anchor resolves (raw HTML included), every download
exists, the sitemap lists every page, and the workflows run only documented commands."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import yaml

from .conftest import ROOT

BASE = "http://site.invalid/"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        if tag == "link" and attrs.get("rel") in ("canonical", "alternate"):
            return  # the published address, not a resource of this build
        for key in ("href", "src"):
            if attrs.get(key):
                self.links.append(attrs[key])


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def page_url(site: Path, path: Path) -> str:
    rel = path.relative_to(site).as_posix()
    return BASE + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


def target_file(site: Path, url: str) -> Path:
    path = unquote(urlparse(url).path)[len(urlparse(BASE).path):]
    return site / path / "index.html" if path.endswith("/") or path == "" else site / path


def test_every_internal_link_and_anchor_resolves(built_site):
    pages = {p: parse(p) for p in built_site.rglob("*.html")}
    ids = {p: parsed.ids for p, parsed in pages.items()}
    broken = []
    for path, parsed in pages.items():
        here = page_url(built_site, path)
        for link in parsed.links:
            if re.match(r"^(https?:|mailto:|data:)", link):
                continue
            assert not link.lower().startswith("javascript:"), (path, link)
            url = urljoin(here, link)
            target = target_file(built_site, url)
            if not target.is_file():
                broken.append((path.relative_to(built_site).as_posix(), link))
                continue
            fragment = urlparse(url).fragment
            if fragment and target.suffix == ".html" and fragment not in ids.get(target, parse(target).ids):
                broken.append((path.relative_to(built_site).as_posix(), link))
    assert not broken, broken[:20]


def test_every_download_linked_and_every_year_has_its_files(built_site, site):
    linked = set()
    for path in built_site.rglob("*.html"):
        linked |= {urljoin(page_url(built_site, path), a) for a in parse(path).links if "downloads/" in a}
    files = {BASE + p.relative_to(built_site).as_posix() for p in (built_site / "downloads").iterdir()}
    assert linked <= files
    for year in site.years:
        assert {BASE + f"downloads/smelters-{year}.{ext}" for ext in ("csv", "xlsx", "json")} <= linked


def test_sitemap_lists_every_page(built_site):
    sitemap = (built_site / "sitemap.xml").read_text(encoding="utf-8")
    listed = {urlparse(loc).path for loc in re.findall(r"<loc>(.*?)</loc>", sitemap)}
    pages = {"/" + p.relative_to(built_site).as_posix()[: -len("index.html")]
             for p in built_site.rglob("index.html") if p.parent != built_site / "search"}
    assert listed == pages


def documented_commands() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:sh|bash)?\n(.*?)```", readme, re.S)
    return {line.split("#")[0].strip() for block in blocks for line in block.splitlines() if line.strip()}


def test_workflows_parse_and_run_only_documented_commands():
    documented = documented_commands()
    assert {"scripts/dev test", "scripts/dev serve", "scripts/dev build"} <= documented
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert {w.name for w in workflows} == {"ci.yml", "deploy.yml"}
    for workflow in workflows:
        data = yaml.safe_load(workflow.read_text(encoding="utf-8"))
        assert data.get(True) or data.get("on"), f"{workflow.name}: no trigger"  # YAML 1.1 reads `on` as True
        for name, job in data["jobs"].items():
            for step in job["steps"]:
                if "uses" in step:
                    assert re.search(r"@[0-9a-f]{40}$", step["uses"]), f"{workflow.name}: {step['uses']} is not pinned to a commit"
                for line in str(step.get("run", "")).splitlines():
                    assert line.strip() in documented, f"{workflow.name}/{name}: `{line.strip()}` is not in the README"


def test_deploy_workflow_publishes_with_the_official_pages_actions():
    data = yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8"))
    assert data["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert data["concurrency"]["group"] == "pages"
    uses = [s["uses"].split("@")[0] for job in data["jobs"].values() for s in job["steps"] if "uses" in s]
    assert "actions/upload-pages-artifact" in uses and "actions/deploy-pages" in uses
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "exec scripts/dev test" in ci  # CI runs exactly the README's test command
