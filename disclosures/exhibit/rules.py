"""EDGAR's rules for the documents of a submission, each with the Filer Manual (Volume II)
section it comes from. Arelle (`arelle-release`, the SEC-used open-source validator) checks the
characters and entity references (its ValidateFilingText: EFM 5.2.1, 5.2.2) and the body's
elements and attributes against its EDGAR DTD (edbody.dtd, EFM 5.2.2); the rest is here.
"""
from __future__ import annotations

import json
import re
import tempfile
from functools import cache
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

# EFM 5.1.1 (file naming), as the submission's documents are named here: lower case, at most 32.
FILE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*\.(htm|pdf|gif|jpg)$")
# EFM 5.2.2: elements EDGAR's HTML 3.2 subset leaves out (row groups, style sheets, active content).
NOT_ALLOWED = {"thead", "tbody", "tfoot", "style", "script", "link", "form", "iframe", "frame", "object", "embed",
               "applet", "input", "button", "select", "textarea", "base", "meta", "noscript"}
SEC_LINK = re.compile(r"^https?://(www\.)?sec\.gov(/|$)", re.I)


def problems(name: str, content: bytes, submission: set[str] = frozenset()) -> list[str]:
    """Why EDGAR would refuse the document `name` (an empty list: none). `submission`: the names
    of the submission's other documents, which a picture may show."""
    found = []
    if len(name) > 32 or not FILE_NAME.match(name):
        found.append(f"{name}: a document's name is at most 32 characters, lower-case letters, digits, - and _, "
                     "ending .htm, .pdf, .gif or .jpg (EFM 5.1.1)")
    if not name.endswith(".htm"):
        return found
    found += [f"{name}: {message}" for message in arelle_text_problems(content)]
    try:
        text = content.decode("ascii")
    except UnicodeDecodeError:
        return found  # Arelle named each character
    tree = lxml_html.document_fromstring(text)
    found += [f"{name}: {message}" for message in _element_problems(tree, submission) + _dtd_problems(tree)]
    return found


def _element_problems(tree, submission: set[str]) -> list[str]:
    found, ids = [], set(tree.xpath("//@id | //a/@name"))
    for node in tree.iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag in NOT_ALLOWED:
            found.append(f"<{node.tag}> is not in EDGAR's HTML (EFM 5.2.2: no row groups, style sheets, scripts, "
                         "forms or embedded objects; styles go in style attributes)")
        if node.tag == "table" and node.xpath("ancestor::table"):
            found.append("a table inside a table (EFM 5.2.2)")
        events = [a for a in node.attrib if a.lower().startswith("on")]
        if events:
            found.append(f"<{node.tag} {events[0]}=...>: no event attributes (EFM 5.2.2: no active content)")
        href = node.get("href")
        if node.tag == "a" and href is not None and not (href.startswith("#") and href[1:] in ids or SEC_LINK.match(href)):
            found.append(f"a link to {href!r}: links go within the document or to sec.gov only (EFM 5.2.2)")
        if node.tag == "img":
            src = node.get("src", "")
            if src not in submission or not src.endswith((".gif", ".jpg")):
                found.append(f"the picture {src!r}: a GIF or JPEG graphic document of this submission only (EFM 5.2.2)")
    return found


def _dtd_problems(tree) -> list[str]:
    """The body against Arelle's EDGAR DTD: every element and attribute one EDGAR accepts."""
    body = tree.find("body")
    if body is None:
        return ["no body element"]
    dtd = _edgar_dtd()
    if dtd.validate(body):
        return []
    # Line breaks between rows or items are whitespace to HTML; only XML's "standalone" reading objects.
    errors = [e for e in dtd.error_log if e.type_name != "DTD_STANDALONE_WHITE_SPACE"]
    return [f"EDGAR's HTML (EFM 5.2.2, Arelle's edbody.dtd): line {e.line}: {e.message}" for e in errors[:20]]


@cache
def _edgar_dtd() -> etree.DTD:
    from arelle import ValidateFilingText  # only here: Arelle is needed by this check alone
    return etree.DTD(str(Path(ValidateFilingText.__file__).parent / "config" / "edbody.dtd"))


def arelle_text_problems(content: bytes) -> list[str]:
    """Arelle's EDGAR check of a document's characters and entity references (EFM 5.2.1, 5.2.2)."""
    cntlr = _arelle()
    from arelle import ModelXbrl, ValidateFilingText
    from arelle.FileSource import openFileSource
    with tempfile.TemporaryDirectory(prefix="cm-edgar-") as tmp:
        path = Path(tmp) / "document.htm"
        path.write_bytes(content)
        cntlr.logHandler.getJson(clearLogBuffer=True)  # anything an earlier check left
        model = ModelXbrl.create(cntlr.modelManager)
        try:
            model.fileSource, model.closeFileSource = openFileSource(str(path), cntlr), True
            ValidateFilingText.checkfile(model, str(path))
        finally:
            model.close()
        entries = json.loads(cntlr.logHandler.getJson(clearLogBuffer=True))
    return [_arelle_message(e) for e in entries.get("log", []) if e.get("level") in ("error", "warning")]


def _arelle_message(entry: dict) -> str:
    args = entry.get("message", {}).get("args", {})
    text = entry.get("message", {}).get("text", "")
    text = re.sub(r"^\S+ \S+ \[[^\]]+\] ", "", text).split(" - ")[0].strip()
    return f"{text} [{entry.get('code')}]" + (f" (line {args['line']})" if "line" in args and "line" not in text else "")


@cache
def _arelle():
    """One Arelle controller per process, logging to a buffer, with EDGAR's character check on."""
    from arelle import Cntlr
    cntlr = Cntlr.Cntlr(logFileName="logToBuffer", uiLang="en")
    cntlr.modelManager.disclosureSystem.validateEntryText = True  # what EDGAR's disclosure system sets
    return cntlr
