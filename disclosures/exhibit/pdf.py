"""Each EDGAR document printed to PDF for counsel: Chromium, headless, US Letter, 1-inch margins."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from lxml import html as lxml_html

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# The page's size and margins: for the printed copy only (an EDGAR document has no <style>).
PAGE = "@page { size: 8.5in 11in; margin: 1in; }"


def browser() -> str | None:
    return next((path for path in map(shutil.which, BROWSERS) if path), None)


def print_pdf(document: Path, pdf: Path) -> None:
    """Print `document` (its pictures beside it) to `pdf`; raises RuntimeError with Chromium's words."""
    chromium = browser()
    if chromium is None:
        raise RuntimeError("no Chromium to print with: install Debian's `chromium` (scripts/dev does), or use --no-pdf")
    with tempfile.TemporaryDirectory(prefix="cm-print-", dir=document.parent) as tmp:
        tree = lxml_html.document_fromstring(document.read_bytes())
        style = lxml_html.Element("style")
        style.text = PAGE
        tree.find("head").append(style)
        copy = Path(tmp) / document.name
        copy.write_bytes(lxml_html.tostring(tree, encoding="ascii", doctype=tree.getroottree().docinfo.doctype))
        for picture in document.parent.glob("*"):
            if picture.suffix in (".gif", ".jpg"):
                shutil.copy(picture, Path(tmp) / picture.name)
        result = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                                 "--disable-extensions", "--user-data-dir=" + str(Path(tmp) / "profile"),
                                 f"--print-to-pdf={pdf}", copy.as_uri()], capture_output=True, text=True, timeout=120)
        if result.returncode != 0 or not pdf.is_file():
            raise RuntimeError(f"Chromium could not print {document.name}: {result.stderr.strip()[-500:]}")
