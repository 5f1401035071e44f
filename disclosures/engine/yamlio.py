"""Safe YAML reading (size and alias limits) and typed inputs: a schema error names file, line and field."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from disclosures.engine.errors import DataError, Problem
from disclosures.engine.text_gate import hidden_problem

T = TypeVar("T", bound=BaseModel)
MAX_YAML_BYTES = 2_000_000
MAX_ALIASES = 100  # far above any real filing; stops "billion laughs" anchor bombs


# libyaml's parser (C): the pure-Python one took 0.7 s of a 2 s build on resolved_ids.yaml.
_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CheckedLoader(_Parser):
    def construct_mapping(self, node, deep=False):
        # A key written twice is a mistake (PyYAML would keep the last one silently).
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"the key {key!r} is written twice",
                                                        key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _check_aliases(root) -> None:
    """An alias is a node met again: more than MAX_ALIASES is refused before anything expands them."""
    seen, stack, aliases = set(), [root], 0
    while stack:
        node = stack.pop()
        if id(node) in seen:
            aliases += 1
            if aliases > MAX_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_ALIASES} YAML aliases (line {node.start_mark.line + 1})")
            continue
        seen.add(id(node))
        stack.extend(_children(node))


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return node.value if isinstance(node, yaml.SequenceNode) else []


def gate_problems(path: Path, root, size: int) -> list[Problem]:
    """Every text value through the text gate (no hidden code points; line breaks and tabs are
    prose), and the document as its aliases expand it no larger than a few times the file: a few
    dozen aliases of aliases turned 15 KB into an 80 MB page."""
    limit, expanded, problems, checked, stack = 4 * size + 100_000, 0, [], set(), [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            expanded += len(node.value)
            if expanded > limit:
                return [Problem(path, f"its aliases (*name) expand it to more than {limit:,} characters, far more "
                                      "than the file: write the repeated values out", line=node.start_mark.line + 1)]
            if id(node) not in checked and (problem := hidden_problem(node.value, prose=True)):
                problems.append(Problem(path, problem, line=node.start_mark.line + 1))
            checked.add(id(node))
        stack.extend(_children(node))
    return problems


def _bad_value(path: Path, root, exc: ValueError) -> Problem:
    """The line of the date YAML could not make (it does not say which one)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":timestamp"):
            try:
                dt.date.fromisoformat(node.value[:10])
            except ValueError:
                return Problem(path, f"{node.value!r} is not a date ({exc}): write it as YYYY-MM-DD", line=node.start_mark.line + 1)
        stack.extend(_children(node))
    return Problem(path, f"a value YAML cannot read: {exc}")


def read_yaml_with_node(path: Path):
    """Return (data, root node); the node maps a field path back to its line."""
    path = Path(path)
    if not path.is_file():
        raise DataError(Problem(path, "file not found"))
    if path.stat().st_size > MAX_YAML_BYTES:
        raise DataError(Problem(path, f"larger than {MAX_YAML_BYTES:,} bytes; is this the right file?"))
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(Problem(path, f"not UTF-8 text (byte {exc.start})")) from None
    try:
        loader = _CheckedLoader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                _check_aliases(node)
            if node is not None and (problems := gate_problems(path, node, len(text))):
                raise DataError(problems)
            try:
                data = loader.construct_document(node) if node is not None else None
            except ValueError as exc:  # a date that does not exist (2025-02-30), from PyYAML's own constructor
                raise DataError(_bad_value(path, node, exc)) from None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataError(Problem(path, f"not valid YAML: {exc}".splitlines()[0] if not mark else
                                f"not valid YAML: {exc.problem}", line=mark.line + 1 if mark else None)) from None
    return data, node


def read_yaml(path: Path):
    return read_yaml_with_node(path)[0]


def line_of(node, loc: tuple) -> int | None:
    """Line of the deepest node reached by following `loc` (keys and list indexes)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
            if match is None:
                break
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line


def read_typed(path: Path, schema: type[T], json_file: bool = False) -> T:
    """A YAML (or JSON) input validated by its pydantic schema; every error names file, line and field."""
    path = Path(path)
    if json_file:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DataError(Problem(path, f"not readable JSON: {exc}", line=getattr(exc, "lineno", None))) from None
        node = None
    else:
        data, node = read_yaml_with_node(path)
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        if json_file:
            node = _node_or_none(path)  # only now: a lock can be large, and YAML reads JSON slowly
        raise DataError([Problem(path, _message(err), line=line_of(node, err["loc"]) if node is not None else None,
                                 field=".".join(map(str, err["loc"])) or None)
                         for err in exc.errors()]) from None


def _node_or_none(path: Path):
    try:
        return read_yaml_with_node(path)[1]
    except DataError:
        return None


def _message(err: dict) -> str:
    if err["type"] == "missing":
        return "required field is missing"
    if err["type"] == "extra_forbidden":
        return "unknown field (misspelt?)"
    if err["type"].startswith(("date_", "datetime_")):
        return f"{err['input']!r} is not a date: write it as YYYY-MM-DD (e.g. 2025-05-30)"
    if err["type"].startswith("int_"):
        return f"{err['input']!r} is not a whole number"
    if err["type"] == "model_type" or err["type"] == "dict_type":
        return "expected a mapping of fields here"
    return err["msg"]
