"""A year's EDGAR submission documents, from the model and the report as the site's build converted it.

The Form SD (or SD/A when the year records an amendment) from the `form_sd:` blocks; the
Conflict Minerals Report exhibit, numbered as the year's own exhibit index says, from the
report's Markdown with the smelter list (filed columns, filed header if any, footnotes) where the
report places `{{ smelter_table() }}`; pictures as EDGAR graphic documents.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import html as lxml_html
from markupsafe import Markup

from disclosures.engine.model import Filing
from disclosures.exhibit.edgar_html import GRAPHICS, ascii_document, report_body, styled
from disclosures.exhibit.templating import render

_EXHIBIT = re.compile(r"\bExhibit\s+(\d{1,2}\.\d{2})\b", re.I)
# The filed list's columns in the order filings print them, when no filed header says otherwise.
COLUMNS = ("metal", "smelter_name", "country", "smelter_id", "status")


@dataclass(frozen=True)
class Document:
    name: str         # the file's name (Filer Manual 5.1.1)
    edgar_type: str   # the document type EDGAR asks for: SD, SD/A, EX-1.01, GRAPHIC
    description: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def form_of(filing: Filing) -> tuple[str, int]:
    """The form this year's documents are (SD, or the latest amendment's form) and the amendment's number."""
    amendments = filing.meta.amendments
    return (amendments[-1].form, len(amendments)) if amendments else ("SD", 0)


def exhibit_number(filing: Filing) -> str | None:
    """The report's exhibit number as the Form SD's own exhibit index gives it (1.01; 1.02 in 2013-2014)."""
    found: dict[str, bool] = {}
    for block in filing.meta.form_sd:
        texts = [block.paragraph, block.line] + [" ".join(row) for row in block.table or []]
        for text in filter(None, texts):
            for match in _EXHIBIT.finditer(text):
                found[match.group(1)] = found.get(match.group(1), False) or "Conflict Minerals Report" in text
    named = [n for n, about_report in found.items() if about_report]
    return (named or list(found) or [None])[0]


def cover_notes(filing: Filing) -> list[str]:
    """What a person should look at before filing (not a rule EDGAR applies): an amendment whose
    cover never names its form."""
    form, _ = form_of(filing)
    words = " ".join(filter(None, (b.title or b.line or b.paragraph or b.heading for b in filing.meta.form_sd)))
    if form != "SD" and form.upper() not in words.upper():
        return [f"data/filings/{filing.year}.yaml records an amendment ({form}), but its Form SD blocks never say "
                f"{form!r}: make the cover read as the amendment is filed (e.g. title: FORM {form}, Amendment No. 1)"]
    return []


def names(filing: Filing) -> dict[str, str]:
    """The files' names: lower case, at most 32 characters (form-sd-2023.htm, ex1-01-cmr-2023.htm;
    an amendment's with -a1...)."""
    form, number = form_of(filing)
    suffix = f"-a{number}" if number else ""
    exhibit = (exhibit_number(filing) or "1.01").replace(".", "-")
    slug = re.sub(r"[^a-z0-9]", "", form.lower())
    return {"form": f"form-{slug}-{filing.year}{suffix}.htm", "exhibit": f"ex{exhibit}-cmr-{filing.year}{suffix}.htm",
            "graphic": f"g{filing.year}{suffix}-{{n}}{{ext}}"}


def submission(filing: Filing, report_html: str, docs: Path) -> tuple[list[Document], list[str]]:
    """(the documents, what stops them going to EDGAR). `report_html`: the report page as the
    site's build converted it (scripts/dev lock's and exhibit's build write it); `docs`: docs/."""
    year, meta = filing.year, filing.meta
    form, _ = form_of(filing)
    number = exhibit_number(filing)
    file_names = names(filing)
    problems = [] if number else [
        f"data/filings/{year}.yaml: the Form SD's exhibit index names no exhibit (\"Exhibit 1.01 - {year} Conflict "
        f"Minerals Report ...\"): write it as filed, so the report is numbered as the index says"]
    graphics: dict[str, str] = {}  # docs/ path -> graphic document name

    def graphic(path: str) -> str:
        if path not in graphics:
            graphics[path] = file_names["graphic"].format(n=len(graphics) + 1, ext=Path(path).suffix.lower().replace(".jpeg", ".jpg"))
        return graphics[path]

    images = {}
    for block in meta.form_sd:
        if block.image:
            if not block.image.src.lower().endswith(GRAPHICS):
                problems.append(f"data/filings/{year}.yaml: the Form SD's picture docs/{block.image.src} is not GIF or "
                                f"JPEG, which EDGAR requires (Filer Manual 5.2.2); save it as .gif or .jpg")
            images[block.image.src] = graphic(block.image.src)
    form_body = render("edgar/form_sd.htm", groups=_kept_together(meta.form_sd), images=images)

    body = report_body(report_html, f"{year}/report/", f"docs/{year}/report.md")
    problems += body.problems
    if not report_html.strip():
        problems.append(f"docs/{year}/report.md: the build gave no report for {year}")
    for node in body.root.xpath(".//img"):
        if node.get("src") in body.images:
            node.set("src", graphic(body.images.pop(node.get("src"))))
    _place_macros(body.root, filing)
    report = Markup("".join(lxml_html.tostring(child, encoding="unicode") for child in body.root))
    exhibit_body = render("edgar/exhibit.htm", number=number or "", report=report)

    documents = [
        Document(file_names["form"], form, f"Form {form}", _document(f"Form {form}", form_body)),
        Document(file_names["exhibit"], f"EX-{number or '1.01'}", f"Conflict Minerals Report ({year})",
                 _document(f"Exhibit {number or '1.01'}", exhibit_body))]
    for path, name in graphics.items():
        source = docs / path
        if source.is_file() and not source.is_symlink() and source.resolve().is_relative_to(docs.resolve()):
            documents.append(Document(name, "GRAPHIC", f"docs/{path}", source.read_bytes()))
        else:
            problems.append(f"docs/{path}: the picture is missing (or a symbolic link)")
    return documents, problems


def _kept_together(blocks) -> list[list]:
    """The blocks in runs printed on one page: consecutive plain lines (a signature, an address)."""
    groups: list[list] = []
    for block in blocks:
        plain = block.kind == "line" and not block.checkbox
        if plain and groups and groups[-1][-1].kind == "line" and not groups[-1][-1].checkbox:
            groups[-1].append(block)
        else:
            groups.append([block])
    return groups


def _document(title: str, body: str) -> bytes:
    return ascii_document(styled(render("edgar/document.htm", title=title, body=Markup(body))))


def _place_macros(root, filing: Filing) -> None:
    """Each macro's placeholder: the smelter list as filed for smelter_table(); nothing for the
    site's analysis (summaries, charts)."""
    for node in root.xpath(".//*[@data-cm-macro]"):
        if node.get("data-cm-macro") == "smelter_table":
            table = lxml_html.fragment_fromstring(smelter_list(filing), create_parent="div")
            node.addprevious(table)
            table.drop_tag()
        node.drop_tree()


def smelter_list(filing: Filing) -> str:
    meta = filing.meta
    rows = [s.row for s in filing.smelters]
    header = meta.list_header
    if header:
        columns = [c for c in header.keys() if c in COLUMNS]
    else:
        columns = [c for c in COLUMNS if c in ("metal", "smelter_name", "country") or any(getattr(r, c) for r in rows)]
    return render("edgar/smelter_table.htm", rows=rows, columns=columns, header=[header[c] for c in columns] if header else None, footnotes=meta.footnotes)
