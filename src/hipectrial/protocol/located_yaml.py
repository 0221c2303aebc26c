"""YAML read with the position of every node, so that each problem found in it later names
the file, the line and column and the path (``file:line:col path: message``).

The protocol loader and the simulator's scenario loader share this one style of located
error. Duplicate keys, which PyYAML would silently merge, are problems too.

>>> doc = read_located_yaml("a: {b: [1, 2]}", "x.yaml")
>>> doc.mapping(), str(doc.locate(("a", "b", 1), "too big"))
({'a': {'b': [1, 2]}}, 'x.yaml:1:12 a.b[1]: too big')
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError

from hipectrial.errors import Problem

YamlPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class LocatedYaml:
    """A parsed YAML document, the (line, column) of each of its nodes by path, and the
    problems found while reading it (syntax, duplicate keys, not a mapping)."""

    filename: str
    data: Any
    marks: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def mapping(self) -> dict[str, Any]:
        """The document as a mapping (read only when ``problems`` is empty)."""
        if not isinstance(self.data, dict):
            raise TypeError("read_located_yaml reported the document is not a mapping")
        return self.data

    def locate(self, path: YamlPath, message: str) -> Problem:
        """A problem at ``path``, placed at the nearest node that exists in the file."""
        return _located(self.filename, self.marks, path, message)

    def validation_problems(self, error: ValidationError) -> list[Problem]:
        """Each error of a pydantic validation of :meth:`mapping`, located and worded for a
        person editing the file."""
        return [self.locate(tuple(err["loc"]), _pydantic_message(err))
                for err in error.errors(include_url=False)]


def read_located_yaml(text: str, filename: str) -> LocatedYaml:
    """Parse YAML ``text`` that must hold one mapping; ``filename`` is used in messages only.

    Problems are returned in ``problems`` (all of them), never raised: the caller raises its
    own error type.
    """
    data, marks, problems = _read_yaml(text, filename)
    if not problems and not isinstance(data, dict):
        problems = [Problem(filename, "", "the file must be a YAML mapping", 1, 1)]
    return LocatedYaml(filename, data, marks, problems)


def _read_yaml(text: str, filename: str) -> tuple[Any, dict[YamlPath, tuple[int, int]], list[Problem]]:
    # libyaml when PyYAML was built with it (same nodes and marks, ~10x faster).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, [Problem(filename, "", "the file is empty")]
        marks: dict[YamlPath, tuple[int, int]] = {}
        problems = list(_walk(node, (), marks, filename))
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        context = exc.context or ""
        if context and exc.context_mark is not None and exc.context_mark is not mark:
            context += f" (started at line {exc.context_mark.line + 1})"
        what = " ".join(part for part in (context, exc.problem) if part)
        return None, {}, [Problem(filename, "", f"YAML syntax error: {what}", line, col)]
    except yaml.YAMLError as exc:
        return None, {}, [Problem(filename, "", f"YAML error: {exc}")]
    finally:
        loader.dispose()
    return data, marks, problems


def _walk(node: yaml.Node, path: YamlPath, marks: dict[YamlPath, tuple[int, int]],
          filename: str) -> Iterator[Problem]:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[object, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                yield Problem(
                    filename, _format_path((*path, key)),
                    f"duplicate key {key!r} (first at line {seen[key]}); YAML would keep only "
                    "the last one",
                    key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                )
            seen[key] = key_node.start_mark.line + 1
            yield from _walk(value_node, (*path, key), marks, filename)
            # A problem about a key (unknown key) points at the key itself.
            marks[(*path, key, "<key>")] = (key_node.start_mark.line + 1,
                                            key_node.start_mark.column + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _walk(item, (*path, i), marks, filename)


def _format_path(path: YamlPath) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _located(filename: str, marks: dict[YamlPath, tuple[int, int]], path: YamlPath,
             message: str) -> Problem:
    # pydantic adds union/validator tags to locations (e.g. 'function-after[...]'); drop them.
    tags = ("function-", "json-or-python")
    clean = tuple(p for p in path if isinstance(p, int) or not str(p).startswith(tags))
    position = None
    if message.startswith("unknown key") and (*clean, "<key>") in marks:
        position = marks[(*clean, "<key>")]
    probe = clean
    while position is None:
        position = marks.get(probe)
        if position is None:
            if not probe:
                break
            probe = probe[:-1]
    line, col = position if position else (None, None)
    return Problem(filename, _format_path(clean), message, line, col)


def _pydantic_message(err: Any) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown key (not part of the file's schema; check its spelling)"
    if kind == "missing":
        return "required key is missing"
    message = str(err["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    if kind in {"literal_error", "enum"} or "input" not in err:
        return message
    shown = err["input"]
    if isinstance(shown, dict | list) or "; got " in message:
        return message
    return f"{message}; got {shown!r}"
