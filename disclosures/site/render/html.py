"""Escaping for text that came from outside (filings, suppliers) before it enters a page.

Macro output is parsed again as Markdown and lives next to Jinja syntax, so on top of HTML
escaping we neutralise every character Markdown and Jinja react to.
"""
from __future__ import annotations

import re

from markupsafe import Markup

# Beyond HTML: every character Markdown (links, images, emphasis, code, attribute lists, tables,
# headings) or Jinja reacts to, as an entity. Macro output may be written inline, in a paragraph,
# list, quote, admonition or table cell, where Markdown reads the text between its tags again.
# One table, one pass: escaping first would let `#` break the entities escaping writes.
_INERT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;",
                        **{c: f"&#{ord(c)};" for c in "|{}`\\*_[]()!#~^="}})
_URL = re.compile(r"<?(https?://[^\s<>\"]+[^\s<>\".,;:)])>?")


def text(value) -> Markup:
    """Any untrusted value as text that HTML, Markdown (in any context) and Jinja all leave alone."""
    return Markup(("" if value is None else str(value)).translate(_INERT))


_SCRIPT_DATA = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def script_json(encoded: bytes | str) -> Markup:
    """JSON for a <script type="application/json"> block: its text is not HTML-decoded, so it is
    not HTML-escaped; with < > & written as JSON escapes no "</script>" can close it early."""
    text = encoded.decode("utf-8") if isinstance(encoded, bytes) else encoded
    return Markup(text.translate(_SCRIPT_DATA))


_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;", "|": "&#124;",
                            "`": "&#96;"})


def attr(value) -> Markup:
    """An attribute value: Markdown keeps a tag whole, but a table row splits at `|` and a code
    span (backticks) is read before tags, so those two go as entities with the HTML ones."""
    return Markup(("" if value is None else str(value)).translate(_ATTRIBUTE))


def paragraphs(value: str) -> Markup:
    """Plain text with blank-line paragraphs -> <p> elements; http(s) URLs become links."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", value or "") if b.strip()]
    return Markup("\n".join(f"<p>{linkify(' '.join(b.split()))}</p>" for b in blocks))


def filed_text(value: str) -> Markup:
    """Filed text: inert, http(s) links, line breaks kept, and **words** bold as the filing prints them."""
    return Markup("<br>").join(_bold(str(linkify(line))) for line in (value or "").split("\n"))


_MARK = "&#42;&#42;"  # `**` as text() writes it


def _bold(escaped: str) -> Markup:
    """`**words**` -> <strong>: the text between pairs of markers, in one pass (a regex backtracked
    quadratically on many markers); an unpaired or spaced marker stays as printed."""
    parts = escaped.split(_MARK)
    out = [parts[0]]
    for i in range(1, len(parts) - 1, 2):
        inner = parts[i]
        out.append(f"<strong>{inner}</strong>{parts[i + 1]}" if inner.strip() == inner and inner
                   else f"{_MARK}{inner}{_MARK}{parts[i + 1]}")
    if len(parts) % 2 == 0:
        out.append(_MARK + parts[-1])
    return Markup("".join(out))


def filed_paragraphs(value: str) -> Markup:
    """Filed paragraphs (blank-line separated), each line break within one kept."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", value or "") if b.strip()]
    return Markup("\n".join(f"<p>{filed_text(b)}</p>" for b in blocks))


def linkify(value: str) -> Markup:
    """Escape, then link http(s) URLs only: a `javascript:` URL stays text."""
    out, last = [], 0
    for match in _URL.finditer(value):
        out.append(text(value[last:match.start()]))
        url = match.group(1)
        out.append(Markup(f'<a href="{attr(url)}" rel="noopener">{text(url)}</a>'))
        last = match.end()
    out.append(text(value[last:]))
    return Markup("".join(out))

