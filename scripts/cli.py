"""What every staff command shares: the validated model, or a clear error and exit code 1."""
from __future__ import annotations

import sys
from pathlib import Path

from macros.errors import DataError
from macros.load import Site, load_site


def load_site_or_exit(data_dir: Path, consequence: str = "") -> Site:
    try:
        return load_site(data_dir)
    except DataError as exc:
        print(f"error: {consequence}\n{exc}" if consequence else str(exc), file=sys.stderr)
        raise SystemExit(1) from None
