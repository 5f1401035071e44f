"""The Jinja environment for the HTML this site adds: templates in macros/templates/, autoescaped.

Every value is made inert twice over: HTML-escaped by autoescape, and the characters Markdown,
Markdown tables and Jinja react to turned into entities (`finalize`), because macro output is
read again by Markdown.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ..narrative import longdate
from .html import linkify, paragraphs, text

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _inert(value):
    return value if isinstance(value, Markup) else text(value)


@lru_cache(maxsize=None)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      finalize=_inert, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(paragraphs=paragraphs, linkify=linkify, lines=_lines, longdate=longdate)
    return env


def _lines(value: str) -> Markup:
    """Filed line breaks kept: each line inert, joined by <br>."""
    return Markup("<br>").join(linkify(line) for line in (value or "").split("\n"))


def render(name: str, **context) -> Markup:
    return Markup(environment().get_template(name).render(**context))
