"""HTML as EDGAR accepts it (EDGAR Filer Manual, Volume II, 5.2.2), from the report as the site's
build converted its Markdown.

`report_body` keeps the filing's text and structure (paragraphs, headings, lists, tables, bold and
italic, line breaks) in EDGAR's HTML 3.2 elements and leaves out what the site adds (by the same
markers as the lock's record, engine/record.py), so the exhibit says what the site's report says.
Active or embedded content is refused, never silently dropped: a filing must not lose words.
`styled` gives every element its inline style (EDGAR allows no <style> element) by its class, and
`ascii_document` writes the document in EDGAR's characters, every other one a character reference.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from lxml import html as lxml_html

from disclosures.engine.record import SITE_ADDED

# Elements EDGAR refuses (5.2.2: no active content, frames, forms or external objects).
REFUSED = {"iframe", "frame", "frameset", "object", "embed", "applet", "param", "form", "input", "button", "select",
           "option", "textarea", "link", "meta", "base", "video", "audio", "source", "canvas", "math", "map", "area",
           "noscript", "portal", "dialog"}
# EDGAR's HTML 3.2 elements this exhibit writes, and what the converted Markdown's others become.
KEPT = {"p", "br", "b", "i", "u", "sup", "sub", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "tt", "hr",
        "table", "caption", "tr", "td", "th", "a", "img"}
RENAMED = {"strong": "b", "em": "i", "code": "tt", "kbd": "tt", "samp": "tt", "var": "i", "cite": "i", "ins": "u",
           "mark": "b"}
HEADINGS = {f"h{n}" for n in range(1, 7)}
DROPPED = {"summary"}  # the site's own label of a folded box (the designation legend)
ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan"},
              "th": {"colspan", "rowspan"}, "ol": {"start"}}
SEC_LINK = re.compile(r"https?://(www\.)?sec\.gov(/|$)", re.I)
FIGURE = re.compile(r"^[\s$(]*[-\u2013]?[\d.,]+[%)]*\s*$")
# A list whose every item starts with its own letter or number ("a. ...", "(ii) ..."): no bullet as well.
ENUMERATED = re.compile(r"^\s*\(?([a-z]{1,2}|[ivx]{1,5}|\d{1,3})[.)]\s", re.I)
GRAPHICS = (".gif", ".jpg", ".jpeg")

# Inline styles by element and class: a filing agent's typography (Times 10 pt, rules under table
# rows, figures right-aligned, rows never split across pages).
STYLES = {
    "body": "font-family:'Times New Roman',Times,serif;font-size:10pt;color:#000000;background-color:#ffffff;"
            "max-width:7.5in;margin:0pt auto;padding:8pt",  # a page's measure in a browser too (EDGAR's viewer)
    "p": "margin:0pt 0pt 8pt 0pt;line-height:1.25;text-align:justify;orphans:3;widows:3",
    ".keep": "page-break-inside:avoid",
    "li": "margin:0pt 0pt 6pt 0pt;line-height:1.25;text-align:justify",
    "ul": "margin:0pt 0pt 8pt 0pt;padding-left:24pt", ".enumerated": "list-style-type:none", "ol": "margin:0pt 0pt 8pt 0pt;padding-left:24pt",
    "dt": "font-weight:bold;margin:6pt 0pt 2pt 0pt", "dd": "margin:0pt 0pt 6pt 24pt",
    "blockquote": "margin:0pt 24pt 8pt 24pt",
    "table": "border-collapse:collapse;width:100%;margin:0pt 0pt 10pt 0pt",
    "tr": "page-break-inside:avoid",
    "td": "padding:2pt 4pt;vertical-align:top;text-align:left",
    "th": "padding:2pt 4pt;vertical-align:bottom;text-align:left;font-weight:bold",
    ".cell": "border-bottom:0.5pt solid #000000", ".head": "border-bottom:1pt solid #000000",
    ".short": "white-space:nowrap",
    "caption": "font-weight:bold;text-align:left;padding:0pt 0pt 4pt 0pt",
    ".h1": "margin:14pt 0pt 10pt 0pt;text-align:center;font-weight:bold;font-size:12pt;page-break-after:avoid",
    ".h2": "margin:12pt 0pt 6pt 0pt;text-align:left;font-weight:bold;page-break-after:avoid",
    ".h3": "margin:10pt 0pt 6pt 0pt;text-align:left;font-weight:bold;font-style:italic;page-break-after:avoid",
    ".h4": "margin:8pt 0pt 4pt 0pt;text-align:left;font-style:italic;page-break-after:avoid",
    ".num": "text-align:right", ".grid": "font-size:9pt",
    ".footnote": "font-size:9pt;margin:0pt 0pt 6pt 0pt",
    ".exhibit-number": "text-align:right;font-weight:bold;margin:0pt 0pt 14pt 0pt",
    ".sd-title": "text-align:center;font-weight:bold;font-size:12pt;margin:0pt 0pt 6pt 0pt",
    ".sd-line": "text-align:center;margin:8pt 0pt 0pt 0pt;page-break-inside:avoid",
    ".sd-caption": "text-align:center;font-size:8pt;margin:0pt 0pt 10pt 0pt",
    ".sd-caption-text": "font-size:8pt;font-weight:normal",
    ".sd-fields": "width:100%;margin:8pt 0pt 0pt 0pt", ".sd-field": "text-align:center;vertical-align:top",
    ".sd-box": "width:100%;margin:0pt 0pt 6pt 0pt", ".sd-box-glyph": "width:24pt;vertical-align:top",
    ".sd-heading": "font-weight:bold;margin:14pt 0pt 6pt 0pt;page-break-after:avoid",
    ".sd-subheading": "font-weight:bold;margin:10pt 0pt 6pt 0pt;page-break-after:avoid",
    ".sd-page": "text-align:center;font-size:9pt",
}
for _h in HEADINGS:
    STYLES.setdefault(f".{_h}", STYLES[".h4"])
_ROLE = ".//*[@data-cm-macro]"


@dataclass
class Body:
    """The report's body: its elements, the pictures it shows (src as written -> docs/ path) and
    what EDGAR would refuse in it."""
    root: object
    images: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def report_body(content_html: str, page_dir: str, source: str) -> Body:
    """The report page's HTML (as converted from Markdown, each macro's placeholder named by
    `data-cm-macro`) in EDGAR's elements. `page_dir`: the page's address under docs/ (2023/report/),
    from which a picture's src is found; `source`: the Markdown file, named in problems."""
    root = lxml_html.fragment_fromstring(content_html or "", create_parent="div")
    for path in SITE_ADDED:
        for node in root.xpath(path):
            node.drop_tree()
    body = Body(root)
    targets = {href[1:] for href in root.xpath(".//a/@href") if href.startswith("#")}
    for node in list(root.iter()):
        if node is root or not isinstance(node.tag, str) or node.get("data-cm-macro") is not None:
            continue
        _convert(node, body, targets, page_dir, source)
    return body


def _convert(node, body: Body, targets: set[str], page_dir: str, source: str) -> None:
    tag = node.tag.lower()
    if tag in REFUSED or tag in ("script", "style", "svg", "template"):
        body.problems.append(f"{source}: <{tag}> cannot go into an EDGAR document (Filer Manual 5.2.2: no active "
                             f"or embedded content); remove it")
        node.drop_tree()
        return
    if tag in DROPPED:
        node.drop_tree()
        return
    if tag == "table" and node.xpath("ancestor::table"):
        body.problems.append(f"{source}: a table inside a table cannot go into an EDGAR document (Filer Manual "
                             f"5.2.2); write it as one table")
    keep_id = node.get("id") if node.get("id") in targets else None
    css = "h" + tag[1] if tag in HEADINGS else "head" if tag == "th" else None
    if tag == "td":
        css = "cell num" if FIGURE.match(node.text_content() or "") else "cell"
    tag = "p" if tag in HEADINGS else RENAMED.get(tag, tag)
    if tag not in KEPT:
        node.drop_tag()  # a container (div, span, details, thead, tbody...): its content stays
        return
    allowed = ATTRIBUTES.get(tag, set())
    for name in list(node.attrib):
        if name not in allowed:
            del node.attrib[name]
    node.tag = tag
    if keep_id:
        node.set("id", keep_id)
    if css:
        node.set("class", css)
    if tag == "ul" and all(ENUMERATED.match(li.text_content()) for li in node.findall("li")) and len(node):
        node.set("class", "enumerated")
    if tag == "a":
        href = node.get("href", "")
        if not (href.startswith("#") and href[1:] in targets or SEC_LINK.match(href)):
            node.drop_tag()  # a link outside the filing and sec.gov (5.2.2): its words stay, as printed
    elif tag == "img":
        _picture(node, body, page_dir, source)


def _picture(node, body: Body, page_dir: str, source: str) -> None:
    src = node.get("src", "")
    parts = urlsplit(src)
    path = posixpath.normpath(posixpath.join(page_dir, unquote(parts.path)))
    outside = parts.scheme or parts.netloc or path.startswith(("/", "../")) or path == ".."
    if outside or not path.lower().endswith(GRAPHICS):
        shown = repr(src) if outside else f"docs/{path}"
        body.problems.append(f"{source}: the picture {shown} cannot go into an EDGAR document: only GIF or JPEG "
                             f"files kept under docs/ (Filer Manual 5.2.2); save it as .gif or .jpg there")
        return
    body.images[src] = path


def styled(document: str) -> str:
    """The document with each element's style inline, from its tag and its class (then dropped)."""
    tree = lxml_html.document_fromstring(document)
    for node in tree.iter():
        if not isinstance(node.tag, str):
            continue
        rules = [STYLES.get(node.tag, "")] + [STYLES.get(f".{c}", "") for c in (node.get("class") or "").split()]
        style = ";".join(r for r in rules if r)
        node.attrib.pop("class", None)
        if style:
            node.set("style", style)
    doctype = tree.getroottree().docinfo.doctype
    return lxml_html.tostring(tree, doctype=doctype, encoding="unicode")


def ascii_document(document: str) -> bytes:
    """ASCII bytes (Filer Manual 5.2.1), every other character as a numeric character reference;
    `^`, outside EDGAR's character set, too."""
    return document.encode("ascii", "xmlcharrefreplace").replace(b"^", b"&#94;")
