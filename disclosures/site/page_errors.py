"""Errors in the narrative, told to staff: file, line, what is wrong and what to write instead.

Jinja reports a failed page with a traceback; staff need the place and the fix
("docs/2024/report.md:12: `figures.facilties` is not defined; did you mean `figures.facilities`?").
The names come from Jinja's error message and the page's own variables, not from Jinja internals.
"""
from __future__ import annotations

import difflib
import re
import textwrap
from pathlib import Path

from jinja2.exceptions import TemplateSyntaxError, UndefinedError

_NO_ATTRIBUTE = re.compile(r"^'([\w.]+) object' has no attribute '([^']*)'$")  # (owner type, name)
_UNDEFINED = re.compile(r"^'([^']*)' is undefined$")
# How staff write a variable of these types in a page.
_PREFIX = {"Figures": "figures.", "Filing": "filing.", "FilingMeta": "filing.meta."}


def undefined_message(error: UndefinedError, variables: dict) -> str:
    """"`figures.facilties` is not defined; did you mean `figures.facilities`?" from Jinja's message."""
    message = str(error)
    attribute = _NO_ATTRIBUTE.match(message)
    if attribute:
        owner, name = attribute.group(1).rsplit(".", 1)[-1], attribute.group(2)
        prefix = _PREFIX.get(owner, "")
        objects = [v for v in _reachable(variables) if type(v).__name__ == owner]
        known = sorted({a for v in objects for a in dir(v) if not a.startswith("_")})
        what = f"`{prefix}{name}`" if prefix else f"`{name}` (of {owner})"
        hint = [prefix + k for k in difflib.get_close_matches(name, known, n=3, cutoff=0.6)]
        return _sentence(what, hint, f"the staff guide lists every {prefix.rstrip('.') or 'name'}")
    undefined = _UNDEFINED.match(message)
    if undefined:
        name = undefined.group(1)
        hint = difflib.get_close_matches(name, sorted(variables), n=3, cutoff=0.6)
        return _sentence(f"`{name}`", hint, "the staff guide lists every macro and variable")
    return message


def _reachable(variables: dict) -> list:
    """The page's variables and the objects one attribute away (filing.meta)."""
    found = list(variables.values())
    for value in list(found):
        meta = getattr(value, "meta", None)
        if meta is not None and not callable(meta):
            found.append(meta)
    return found


def _sentence(what: str, hint: list[str], fallback: str) -> str:
    suggestion = ("did you mean " + " or ".join(f"`{h}`" for h in hint) + "?") if hint else f"{fallback}."
    return f"{what} is not defined; {suggestion}"


def _line_in_template(error: BaseException) -> int | None:
    if isinstance(error, TemplateSyntaxError):
        return error.lineno
    tb, line = error.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _front_matter_lines(source: Path) -> int:
    """A generator strips a page's YAML front matter before the macros see it: add it back to lines."""
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0
    if not lines or lines[0].strip() != "---":
        return 0
    end = next((i for i, text in enumerate(lines[1:], 1) if text.strip() in ("---", "...")), None)
    return end + 1 if end is not None else 0


def describe(error: BaseException, page_path: str, docs_dir: Path, variables: dict) -> str:
    """One line: "docs/2024/report.md:12: what is wrong; what to do"."""
    line = _line_in_template(error)
    if line is not None:
        line += _front_matter_lines(docs_dir / page_path)
    where = f"docs/{page_path}" + (f":{line}" if line else "")
    if isinstance(error, TemplateSyntaxError):
        what = f"macro syntax: {error.message} (a macro is written {{{{ name }}}} or {{{{ name() }}}})"
    elif isinstance(error, UndefinedError):
        what = undefined_message(error, variables)
    else:
        what = str(error)
    return f"{where}: {what}"


def error_page(message: str) -> str:
    """Markdown that shows an error on the page, inert: a code block."""
    body = textwrap.indent(message.replace("~~~", "~ ~ ~"), "    ")
    return "!!! failure \"This page cannot be built yet: fix the source and save\"\n    ~~~text\n" + body + "\n    ~~~\n"
