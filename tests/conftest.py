"""Shared fixtures: the real example data, and builds of the real site (or of a modified copy)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from macros.load import load_site
from macros.reference import load_reference

ROOT = Path(__file__).resolve().parents[1]
FILINGS = ROOT / "data" / "sources"  # the filings as filed (copies of the SEC documents)
PROJECT_PARTS = ("mkdocs.yml", "docs", "data", "macros")


@pytest.fixture(scope="session")
def site():
    return load_site(ROOT / "data")


@pytest.fixture(scope="session")
def reference():
    return load_reference(ROOT / "data" / "reference")


def copy_project(dest: Path) -> Path:
    """A throw-away copy of everything a build reads, to break on purpose."""
    dest.mkdir(parents=True)
    for part in PROJECT_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / part)
    return dest


def mkdocs_build(project: Path, out: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=project, capture_output=True, text=True, env=env, timeout=300,
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real site, built once per test run exactly as CI and the deploy build it."""
    out = tmp_path_factory.mktemp("built") / "site"
    result = mkdocs_build(ROOT, out)
    assert result.returncode == 0, result.stderr[-4000:]
    return out


@pytest.fixture
def project_copy(tmp_path) -> Path:
    return copy_project(tmp_path / "project")
