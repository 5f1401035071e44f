"""What every staff command shares: the project root, and the validated model or a clear error."""
from __future__ import annotations

import sys
from pathlib import Path

from macros.errors import DataError
from macros.load import Site, load_site

ROOT = Path(__file__).resolve().parents[1]


def load_site_or_exit(data_dir: Path, consequence: str = "", drafts: bool = True) -> Site:
    try:
        return load_site(data_dir, drafts=drafts)
    except DataError as exc:
        print(f"error: {consequence}\n{exc}" if consequence else str(exc), file=sys.stderr)
        raise SystemExit(1) from None
