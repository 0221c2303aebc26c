"""Read a protocol YAML file into a :class:`Protocol`, or say every problem and where it is.

Loading runs in three passes; each collects all its problems before reporting:

1. YAML syntax (with PyYAML's mark) and duplicate keys, which PyYAML would silently merge;
2. structure and values (pydantic; includes CEL syntax, units, ranges);
3. cross-checks between sections (:mod:`hipectrial.protocol.checks`).

A later pass runs only when the earlier ones found nothing, since it needs their result.
Every problem carries the file, the line and column of the offending YAML node, and its path.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from hipectrial.errors import Problem, ProtocolError
from hipectrial.protocol.checks import cross_check
from hipectrial.protocol.located_yaml import read_located_yaml
from hipectrial.protocol.model import Protocol

SEED_PROTOCOL = "hipec-pd1-sox.yaml"

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
    doc = read_located_yaml(text, filename)
    if doc.problems:
        raise ProtocolError(doc.problems)
    try:
        protocol = Protocol.model_validate(doc.mapping())
    except ValidationError as exc:
        raise ProtocolError(doc.validation_problems(exc)) from None
    findings = cross_check(protocol)
    if findings:
        raise ProtocolError([doc.locate(path, msg) for path, msg in findings])
    return protocol


def dump_protocol(protocol: Protocol) -> str:
    """The protocol as YAML text that :func:`parse_protocol` reads back to an equal protocol.

    Comments and key order of the original file are not kept; use it for exports and
    round-trip checks, not to rewrite a hand-written file.
    """
    data = protocol.model_dump(mode="json", by_alias=True, exclude_none=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
