"""Read a protocol YAML file into a :class:`Protocol`, or say every problem and where it is.

Loading runs in three passes; each collects all its problems before reporting:

1. YAML syntax (with PyYAML's mark) and duplicate keys, which PyYAML would silently merge;
2. structure and values (pydantic; includes CEL syntax, units, ranges);
3. cross-checks between sections (:mod:`hipectrial.protocol.checks`).

A later pass runs only when the earlier ones found nothing, since it needs their result.
Every problem carries the file, the line and column of the offending YAML node, and its path.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from hipectrial.errors import Problem, ProtocolError
from hipectrial.protocol.checks import cross_check
from hipectrial.protocol.model import Protocol

SEED_PROTOCOL = "hipec-pd1-sox.yaml"

YamlPath = tuple[str | int, ...]


def seed_protocol_path() -> Path:
    """Where the seed protocol shipped with the package lives."""
    return Path(str(resources.files("hipectrial.protocol") / "protocols" / SEED_PROTOCOL))


def load_protocol(path: str | Path | None = None) -> Protocol:
    """Load and check a protocol file; the seed protocol when ``path`` is None.

    Raises
    ------
    ProtocolError
        Listing every problem found, each as ``file:line:column yaml.path: message``.

    Examples
    --------
    >>> protocol = load_protocol()
    >>> protocol.study.id, [c.id for c in protocol.cohorts]
    ('HIPEC-PD1-SOX', ['HER2-negative', 'HER2-positive'])
    """
    file = Path(path) if path is not None else seed_protocol_path()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProtocolError([Problem(str(file), "", f"cannot read file: {exc.strerror}")]) from None
    except UnicodeDecodeError as exc:
        raise ProtocolError([Problem(str(file), "", f"not UTF-8 text: {exc.reason}")]) from None
    return parse_protocol(text, file.name)


def parse_protocol(text: str, filename: str = "<protocol>") -> Protocol:
    """Parse protocol YAML text; ``filename`` is used in messages only."""
    data, marks, problems = _read_yaml(text, filename)
    if problems:
        raise ProtocolError(problems)
    if not isinstance(data, dict):
        raise ProtocolError([Problem(filename, "", "the file must be a YAML mapping", 1, 1)])
    try:
        protocol = Protocol.model_validate(data)
    except ValidationError as exc:
        raise ProtocolError(
            [_located(filename, marks, tuple(err["loc"]), _pydantic_message(err))
             for err in exc.errors(include_url=False)]
        ) from None
    findings = cross_check(protocol)
    if findings:
        raise ProtocolError([_located(filename, marks, path, msg) for path, msg in findings])
    return protocol


def dump_protocol(protocol: Protocol) -> str:
    """The protocol as YAML text that :func:`parse_protocol` reads back to an equal protocol.

    Comments and key order of the original file are not kept; use it for exports and
    round-trip checks, not to rewrite a hand-written file.
    """
    data = protocol.model_dump(mode="json", by_alias=True, exclude_none=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


# -- YAML with positions --------------------------------------------------------------------


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
        return "unknown key (not part of the protocol schema; check its spelling)"
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
