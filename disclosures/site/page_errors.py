"""Errors in the narrative, told to staff: file, line, what is wrong and what to write instead.

mkdocs-macros reports a failed page with a Python traceback; staff need the place and the fix
("docs/2024/report.md:12: `figures.facilties` is not defined; did you mean `figures.facilities`?").
"""
from __future__ import annotations

import difflib
import textwrap
from pathlib import Path

from jinja2 import StrictUndefined
from jinja2.exceptions import TemplateSyntaxError
from mkdocs_macros import errors as macros_errors


class DidYouMeanUndefined(StrictUndefined):
    """A misspelt variable, figure or macro fails with the closest names that do exist."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        name = self._undefined_name
        owner = self._undefined_obj
        if owner is not None and owner.__class__.__name__ != "_MissingType":
            known = [a for a in dir(owner) if not a.startswith("_")]
            prefix = {"Figures": "figures.", "Filing": "filing.", "FilingMeta": "filing.meta."}.get(
                type(owner).__name__, "")
            what = f"`{prefix}{name}`" if prefix else f"`{name}` (of {type(owner).__name__})"
            hint = [prefix + k for k in difflib.get_close_matches(str(name), known, n=3, cutoff=0.6)]
            return _sentence(what, hint, f"the staff guide lists every {prefix.rstrip('.') or 'name'}")
        return _sentence(f"`{name}`", [], "the staff guide lists every macro and variable")


def _sentence(what: str, hint: list[str], fallback: str) -> str:
    suggestion = ("did you mean " + " or ".join(f"`{h}`" for h in hint) + "?") if hint else f"{fallback}."
    return f"{what} is not defined; {suggestion}"


def with_candidates(message: str, candidates: list[str]) -> str:
    """Add "did you mean" for a bare unknown name, from the names the page can use."""
    if "did you mean" in message or "`" not in message:
        return message
    name = message.split("`")[1]
    hint = difflib.get_close_matches(name, candidates, n=3, cutoff=0.6)
    if not hint:
        return message
    return message.split(";")[0] + "; did you mean " + " or ".join(f"`{h}`" for h in hint) + "?"


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
    """MkDocs strips a page's YAML front matter before the macros see it: add it back to lines."""
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0
    if not lines or lines[0].strip() != "---":
        return 0
    end = next((i for i, text in enumerate(lines[1:], 1) if text.strip() in ("---", "...")), None)
    return end + 1 if end is not None else 0


def describe(error: BaseException, page_path: str, docs_dir: Path, candidates: list[str]) -> str:
    """One line: "docs/2024/report.md:12: what is wrong; what to do"."""
    line = _line_in_template(error)
    if line is not None:
        line += _front_matter_lines(docs_dir / page_path)
    where = f"docs/{page_path}" + (f":{line}" if line else "")
    if isinstance(error, TemplateSyntaxError):
        what = f"macro syntax: {error.message} (a macro is written {{{{ name }}}} or {{{{ name() }}}})"
    else:
        what = with_candidates(str(error), candidates)
    return f"{where}: {what}"


_installed: dict = {}


def install_error_format(project_dir: str) -> None:
    """Make mkdocs-macros report a page's error in one staff-readable line, no traceback."""
    _installed["docs"] = Path(project_dir) / "docs"
    if _installed.get("done"):
        return
    _installed["done"] = True

    def staff_format(error: Exception, markdown: str, page) -> str:
        candidates = _installed.get("candidates", [])
        return error_page(describe(error, page.file.src_path, _installed["docs"], candidates))

    macros_errors.format_error.register(Exception)(staff_format)
    macros_errors.format_error.register(TemplateSyntaxError)(staff_format)


def set_candidates(names: list[str]) -> None:
    _installed["candidates"] = sorted(names)


def error_page(message: str, through_jinja: bool = False) -> str:
    """Markdown that shows an error on the page, inert: a code block (kept raw for Jinja)."""
    body = textwrap.indent(message.replace("~~~", "~ ~ ~"), "    ")
    block = "    ~~~text\n" + body + "\n    ~~~\n"
    if through_jinja:
        block = "    {% raw %}\n" + block + "    {% endraw %}\n"
    return "!!! failure \"This page cannot be built yet: fix the source and save\"\n" + block
