#!/usr/bin/env python3
"""Write data/schemas/*.schema.json and .vscode/settings.json from the models (after changing one).

    scripts/dev schemas
"""
from __future__ import annotations

import sys

from disclosures.engine.schemas import write_all
from disclosures.staff.cli import ROOT


def main(argv=None) -> int:
    for path in write_all(ROOT):
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
