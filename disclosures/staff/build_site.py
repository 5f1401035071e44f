"""`scripts/dev build`: the strict build into site/, swapped in whole.

    scripts/dev build [--drafts] [--generator mkdocs|properdocs]

One build at a time per project (a second waits: the same lock `scripts/dev lock` takes). The
site is built beside site/, in the project (the same filesystem), and exchanged with it in one
atomic rename: a reader or an upload never sees half a site, a failed build leaves site/ as it was.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from disclosures.staff.cli import ROOT, project_lock

RENAME_EXCHANGE, AT_FDCWD = 2, -100  # linux/fs.h, fcntl.h


def exchange(new: Path, target: Path) -> None:
    """Put `new` at `target` atomically; what was at `target` ends up at `new`."""
    if not target.exists():
        os.rename(new, target)
        return
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None and renameat2(AT_FDCWD, os.fsencode(new), AT_FDCWD, os.fsencode(target), RENAME_EXCHANGE) == 0:
        return
    # No atomic exchange here (not Linux, or an old kernel): two renames, a moment apart.
    old = new.with_name(new.name + ".old")
    os.rename(target, old)
    os.rename(new, target)
    os.rename(old, new)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/dev build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--drafts", action="store_true", help="build the draft years too (a preview; never deployed)")
    parser.add_argument("--generator", choices=("mkdocs", "properdocs"), default="mkdocs",
                        help="properdocs: the same build by ProperDocs, MkDocs' maintained fork (filed years only)")
    args = parser.parse_args(argv)
    if args.generator == "properdocs" and args.drafts:
        parser.error("--drafts needs the adapter's own build (the default generator)")
    with project_lock(ROOT):
        scratch = Path(tempfile.mkdtemp(prefix=".site-build-", dir=ROOT))
        try:
            out = scratch / "site"
            command = [sys.executable, "-m", "properdocs", "build", "--strict", "--site-dir", str(out)] \
                if args.generator == "properdocs" else \
                [sys.executable, "-m", "disclosures.site.mkdocs_plugin", "build", "--site-dir", str(out)] + \
                (["--drafts"] if args.drafts else [])
            if subprocess.run(command, cwd=ROOT).returncode != 0:
                print("the build failed: site/ is unchanged", file=sys.stderr)
                return 1
            exchange(out, ROOT / "site")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    print("built: site/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
