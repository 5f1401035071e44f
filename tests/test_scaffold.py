"""scripts/new_year.py: a new year is its data, its pages, and no other edit."""
from __future__ import annotations

import shutil

import pytest

from scripts.new_year import scaffold
from .conftest import mkdocs_build
from .test_build import visible_text


def test_new_year_builds_once_its_smelter_list_is_imported(project_copy, tmp_path):
    created = scaffold(project_copy, 2024)
    assert {p.relative_to(project_copy).as_posix() for p in created} == {
        "data/filings/2024.yaml", "data/smelters/2024.csv", "docs/2024/index.md", "docs/2024/report.md",
        "docs/2024/smelters.md", "docs/2024/changes.md"}
    # Before the list is imported the build stops and says why.
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0 and "2024.csv:2: no smelter rows" in result.stderr
    # Import a list (here, 2023's) and the year appears everywhere, navigation included.
    shutil.copy(project_copy / "data" / "smelters" / "2023.csv", project_copy / "data" / "smelters" / "2024.csv")
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode == 0, result.stderr[-3000:]
    home = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "2024 filing" in home and 'href="2024/report/"' in home
    changes = visible_text((tmp_path / "out" / "2024" / "changes" / "index.html").read_text(encoding="utf-8"))
    assert "0 smelters added, 0 removed, 0 improved and 0 worsened since the 2023 filing." in changes


def test_scaffold_never_overwrites(project_copy):
    with pytest.raises(SystemExit, match="not overwriting: data/filings/2023.yaml"):
        scaffold(project_copy, 2023)
