"""The table script's model (assets/js/smelter-table-model.js), unit-tested with Node's own test
runner: tests/js/*.test.js. `scripts/dev test` installs Node with the browser."""
from __future__ import annotations

import shutil
import subprocess

from .conftest import ROOT


def test_the_table_model_passes_its_node_tests():
    node = shutil.which("node") or shutil.which("nodejs")
    assert node, "Node.js is needed for tests/js/ (scripts/dev test installs it)"
    tests = sorted(str(p) for p in (ROOT / "tests" / "js").glob("*.test.js"))
    assert tests
    result = subprocess.run([node, "--test", *tests], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout
