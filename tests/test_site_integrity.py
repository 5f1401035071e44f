"""After the build: every internal link and anchor resolves (raw HTML included), every download
exists, the sitemap lists every page, and the workflows run only documented commands."""
from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlparse

import pytest
import yaml

from .conftest import ROOT
from .site_checks import BASE, assert_none, broken_links, external_requests, page_url, parse


@pytest.fixture(params=["built_site", "live_built_site"])
def any_tree(request):
    """The frozen example and the live tree: these checks hold for any valid content."""
    return request.getfixturevalue(request.param)


def test_every_internal_link_and_anchor_resolves(any_tree):
    assert_none(broken_links(any_tree), "links that lead nowhere")


def test_no_page_loads_anything_from_another_host(any_tree):
    assert_none(external_requests(any_tree), "requests to other hosts")


def test_every_download_linked_and_every_year_has_its_files(built_site, site):
    linked = set()
    for path in built_site.rglob("*.html"):
        linked |= {urljoin(page_url(built_site, path), a) for a in parse(path).links if "downloads/" in a}
    files = {BASE + p.relative_to(built_site).as_posix() for p in (built_site / "downloads").iterdir()}
    assert linked <= files
    for year in site.years:
        assert {BASE + f"downloads/smelters-{year}.{ext}" for ext in ("csv", "xlsx", "json")} <= linked


def test_sitemap_lists_every_public_page_and_not_the_staff_guide(built_site):
    sitemap = (built_site / "sitemap.xml").read_text(encoding="utf-8")
    listed = {urlparse(loc).path for loc in re.findall(r"<loc>(.*?)</loc>", sitemap)}
    pages = {"/" + p.relative_to(built_site).as_posix()[: -len("index.html")]: p.read_text(encoding="utf-8")
             for p in built_site.rglob("index.html") if p.parent != built_site / "search"}
    public = {url for url, html in pages.items() if '<meta name="robots" content="noindex">' not in html}
    assert "/staff-guide/" in pages and "/staff-guide/" not in public
    assert listed == public


def test_the_site_search_finds_smelters_one_entry_each_and_never_the_staff_guide(built_site, site):
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = [d["location"] for d in index["docs"]]
    assert not [loc for loc in locations if loc.startswith("staff-guide/")]
    smelters = [d for d in index["docs"] if d["location"].startswith("smelters/") and d["location"] != "smelters/"]
    assert len(smelters) == len(site.timelines)  # one each: the smelter pages themselves are kept out of the search
    agr = [d for d in smelters if d["title"] == "African Gold Refinery"]
    assert len(agr) == 1 and "Uganda" in agr[0]["text"] and agr[0]["location"] == "smelters/CID003185/"
    # Filed without an ID: found by the one this site resolved, labelled as such.
    assert "RMI ID resolved by this site: CID003185" in agr[0]["text"]
    # No section carries a whole table's names run together (the old excerpt of 224 names).
    assert max(len(d["text"]) for d in index["docs"]) < 8000
    assert not [d["location"] for d in index["docs"] if d["text"].count("Refinery") > 20]


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
    assert data["permissions"] == {"contents": "read"}  # the build job (pip, npm, tests) cannot publish
    assert data["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    checkouts = [s for job in data["jobs"].values() for s in job["steps"] if s.get("uses", "").startswith("actions/checkout")]
    assert checkouts and all(s["with"]["persist-credentials"] is False for s in checkouts)
    assert data["concurrency"]["group"] == "pages"
    uses = [s["uses"].split("@")[0] for job in data["jobs"].values() for s in job["steps"] if "uses" in s]
    assert "actions/upload-pages-artifact" in uses and "actions/deploy-pages" in uses
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "exec scripts/dev test" in ci  # CI runs exactly the README's test command


def test_every_year_page_title_names_the_year_and_registrant(built_site, site):
    for year in site.years:
        for page, title in {"": "Form SD", "report/": "Conflict Minerals Report", "smelters/": "Smelter list"}.items():
            html = (built_site / str(year) / page / "index.html").read_text(encoding="utf-8")
            assert f"<title>{year} {title} — Qualys, Inc. conflict minerals</title>" in html, (year, page)


def test_the_landing_page_links_the_cross_filing_index_and_the_404_page_the_filings(built_site, site):
    home = parse(built_site / "index.html")
    assert "smelters/" in home.links
    missing = (built_site / "404.html").read_text(encoding="utf-8")
    assert all(f"/{year}/smelters/" in missing for year in site.years) and 'name="search"' in missing
