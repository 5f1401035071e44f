"""The code's shape, as the README's map promises it: HTML only in templates, ingest apart from
the site, no path hacks, functions short enough to read."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "disclosures"
SOURCES = sorted(PACKAGE.rglob("*.py"))
TAG = re.compile(r"<(/?[a-zA-Z][a-zA-Z0-9]*)(\s[^<>]*)?/?>")
# One-element wrappers that stay in Python: the search placeholder a table is swapped for
# (publisher.Slots, matched back by a regex), and the <p>/<a> of plain filed text (render/html.py).
ALLOWED_TAGS = {("engine/text_gate.py", "super"),  # a Unicode decomposition tag, not HTML
                ("site/publisher.py", "div"), ("site/render/html.py", "p"), ("site/render/html.py", "a"),
                ("site/render/html.py", "strong"), ("site/render/html.py", "br"),  # filed bold words, filed line breaks
                ("site/render/templating.py", "br"),
                ("site/page_errors.py", "template")}  # Jinja's name for a template's code, not a tag


def string_parts(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def test_no_html_is_built_in_python_strings():
    found = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                      and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        rel = path.relative_to(PACKAGE).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                for match in TAG.finditer(node.value):
                    tag = match.group(1).lstrip("/").lower()
                    if (rel, tag) not in ALLOWED_TAGS:
                        found.append(f"{rel}:{node.lineno}: <{tag}>")
    assert not found, "HTML belongs in disclosures/site/templates/:\n" + "\n".join(found)


def test_importing_ingest_loads_no_site_module():
    probe = ("import sys, disclosures.ingest.cmrt, disclosures.ingest.filing_table; "
             "print(sorted(m for m in sys.modules if m.startswith(('disclosures.site', 'mkdocs', 'jinja2'))))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"


def test_the_exhibit_needs_no_site_module():
    """The EDGAR documents are made from the engine's model and a build's records: no generator."""
    probe = ("import sys, disclosures.exhibit.documents, disclosures.exhibit.rules; "
             "print(sorted(m for m in sys.modules if m.startswith(('disclosures.site', 'mkdocs', 'material'))))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"


def test_only_the_adapter_knows_the_generator():
    """Moving to another generator (Material's maintenance ends in May 2027) is one new adapter."""
    knows = [p.relative_to(PACKAGE).as_posix() for p in SOURCES
             if re.search(r"^\s*(from|import) (mkdocs|properdocs|material)\b", p.read_text(encoding="utf-8"), re.M)]
    assert knows == ["site/mkdocs_plugin.py"]


def test_no_import_path_edits():
    edits = [f"{p.relative_to(ROOT)}:{n}" for folder in ("disclosures", "macros", "scripts", "tests")
             for p in sorted((ROOT / folder).rglob("*.py")) if "fixtures" not in p.parts
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if re.match(r"\s*sys\.path\.(insert|append)", line)]
    assert not edits, "the package is installed (pip install -e .); import it instead:\n" + "\n".join(edits)


def test_functions_stay_short():
    long = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > 60:
                long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)")
    assert not long, "split these:\n" + "\n".join(long)


def test_the_readme_map_names_every_module():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("## How the pieces fit"):readme.index("Data flows one way")]
    missing = [p.relative_to(PACKAGE).as_posix() for p in SOURCES
               if p.name != "__init__.py" and not re.search(rf"(^|[\s,/]){re.escape(p.stem)}\.py\b", block)]
    assert not missing, "README.md's map does not name: " + ", ".join(missing)


def test_no_file_of_the_package_is_git_ignored():
    """A `site/` pattern once hid disclosures/site/ from commits: a clean clone lacked modules."""
    if not (ROOT / ".git").exists():
        return  # an exported tree: nothing to compare
    ignored = subprocess.run(["git", "ls-files", "--others", "--ignored", "--exclude-standard", "disclosures", "macros"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert [p for p in ignored if "__pycache__" not in p and not p.endswith(".pyc")] == []


# The two Material partials the theme layer copies, each with its one change (what Material's
# file becomes once the change is made). Upgrading Material: re-copy, re-apply, this test says when.
COPIED_PARTIALS = {
    "partials/header.html": ('      </div>\n    </div>\n    {% if config.theme.palette %}',
                             '      </div>\n    </div>\n    {% include "partials/year-switcher.html" %}\n'
                             '    {% if config.theme.palette %}'),
    "partials/search.html": ('<div class="md-search" data-md-component="search" role="dialog">',
                             '<div class="md-search" data-md-component="search" role="dialog" aria-label="{{ lang.t(\'search\') }}">'),
}


def test_copied_material_partials_still_match_the_installed_material():
    import material
    installed = Path(material.__file__).parent / "templates"
    ours = PACKAGE / "site" / "templates"
    for name, (theirs, change) in COPIED_PARTIALS.items():
        original = (installed / name).read_text(encoding="utf-8")
        original = re.sub(r"\A\{#-\n  This file was automatically generated - do not edit\n-#\}\n", "", original)
        assert theirs in original, f"{name}: Material's partial changed where ours differs; re-copy it and re-apply"
        copy = re.sub(r"\A\{#-.*?-#\}\n", "", (ours / name).read_text(encoding="utf-8"), flags=re.S)
        assert copy == original.replace(theirs, change, 1), f"{name} differs from the installed Material's: re-copy it"
