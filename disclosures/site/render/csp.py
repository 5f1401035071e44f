"""A Content-Security-Policy for each built page, as a <meta> tag (GitHub Pages sets no headers).

Scripts and styles run only from the site itself, plus the page's own inline scripts and style
attributes, each allowed by the SHA-256 of its exact text, computed from the finished page. Had
any untrusted text become markup, its script, handler, style or request to another host would be
refused by the browser as well.
"""
from __future__ import annotations

import base64
import hashlib
import html
import re

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
_STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_DATA_TYPE = re.compile(r"""\btype\s*=\s*["']?(application/(?:ld\+)?json)""", re.IGNORECASE)
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def policy(page: str) -> str:
    scripts = sorted({_hash(body) for attrs, body in _SCRIPT.findall(page)
                      if "src=" not in attrs.lower() and not _DATA_TYPE.search(attrs)})
    styles = sorted({_hash(body) for body in _STYLE_ELEMENT.findall(page)})
    attributes = sorted({_hash(html.unescape(a or b)) for a, b in _STYLE_ATTRIBUTE.findall(page)})
    style_src = " ".join(["'self'", *styles] + (["'unsafe-hashes'", *attributes] if attributes else []))
    return "; ".join([
        "default-src 'self'",
        "script-src " + " ".join(["'self'", *scripts]),
        "style-src " + style_src,
        "img-src 'self' data:",       # the theme's icons are data: URIs in its stylesheet
        "font-src 'self'",
        "connect-src 'self'",         # the search index
        "worker-src 'self'",          # the search worker
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ])


def with_policy(page: str) -> str:
    """The page with its policy as the first element of <head> (before any script it governs)."""
    head = _HEAD.search(page)
    if head is None:
        return page
    tag = f'<meta http-equiv="Content-Security-Policy" content="{policy(page)}">'  # no quote or & in it
    return page[: head.end()] + tag + page[head.end():]
