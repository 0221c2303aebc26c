"""Validation against the ODM 1.3.2 XML Schema, offline, and safe parsing of ODM files.

The schema is the one odmlib ships (``odmlib/schemas/odm/1.3.2/ODM1-3-2.xsd``, CDISC's
``ODM1-3-2.xsd`` with its foundation schema and local copies of ``xml.xsd`` and
``xmldsig-core-schema.xsd``), so nothing is fetched from the network. lxml (libxml2) checks
it, including the schema's identity constraints (OIDs unique within a metadata version).

Untrusted files are parsed with entities left unresolved, no network access and libxml2's
default size limits (EXPORT-SPEC.md): an ODM file has no business declaring entities.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, cast

from lxml import etree

from hipectrial.export.odm.errors import OdmError, OdmProblem
from hipectrial.export.odm.xml import q

_SCHEMA = ("odmlib", "schemas", "odm", "1.3.2", "ODM1-3-2.xsd")


def schema_path() -> Path:
    """The path of ``ODM1-3-2.xsd`` inside the installed odmlib package."""
    path = resources.files(_SCHEMA[0]).joinpath(*_SCHEMA[1:])
    return Path(str(path))


def odm_schema() -> etree.XMLSchema:
    """The ODM 1.3.2 schema, loaded from odmlib's copy (a few milliseconds)."""
    return etree.XMLSchema(etree.parse(str(schema_path()), parser=safe_parser()))


def safe_parser() -> etree.XMLParser:
    """An XML parser for untrusted input: no entity expansion, no network, default limits."""
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           remove_blank_text=False)


def _entries(log: Any, limit: int = 200) -> list[tuple[int, str]]:
    """(line, message) of each entry of an lxml error log (its stubs do not declare it iterable)."""
    return [(e.line, e.message) for e in list(cast(Iterable[Any], log))[:limit]]


@dataclass(frozen=True, slots=True)
class SchemaCheck:
    """The outcome of a schema check: ``problems`` is empty when the document is valid."""

    problems: tuple[OdmProblem, ...]

    @property
    def valid(self) -> bool:
        return not self.problems


def parse_odm(source: Path | bytes, *, name: str) -> etree._ElementTree:
    """Parse ``source`` safely; refuse what is not well-formed XML, or declares a DOCTYPE.

    Raises
    ------
    OdmError
        Naming the line and what the parser found.
    """
    etree.clear_error_log()
    try:
        if isinstance(source, Path):
            tree = etree.parse(str(source), parser=safe_parser())
        else:
            tree = etree.ElementTree(etree.fromstring(source, parser=safe_parser()))
    except etree.XMLSyntaxError as exc:
        problems = [OdmProblem(f"line {line}", message) for line, message in _entries(exc.error_log)] or [
            OdmProblem("document", str(exc))]
        raise OdmError(name, "a well-formed XML document", problems) from None
    except OSError as exc:
        raise OdmError(name, "a readable file", [OdmProblem("file", str(exc))]) from None
    docinfo: Any = tree.docinfo  # lxml's stubs lack DocInfo.doctype
    if docinfo.internalDTD is not None or docinfo.doctype:
        # ODM declares no DTD; a document that does could hide entities (left unexpanded).
        raise OdmError(name, "an ODM document without a DOCTYPE",
                       [OdmProblem("line 1", f"a DOCTYPE declaration ({docinfo.doctype})")])
    return tree


def check_tree(tree: etree._ElementTree) -> SchemaCheck:
    """Validate a parsed document; every error with its line (at most 200 kept)."""
    schema = odm_schema()
    try:
        if schema.validate(tree):
            return SchemaCheck(())
    except etree.XMLSchemaValidateError as exc:  # libxml2 gave up (e.g. on unexpanded entities)
        return SchemaCheck((OdmProblem("document", str(exc)),))
    entries = _entries(schema.error_log)
    return SchemaCheck(tuple(OdmProblem(f"line {line}", message) for line, message in entries))


def _opened(source: Path | bytes) -> str | io.BytesIO:
    # lxml keeps one error log per thread; what earlier parses left there is not this
    # document's (iterparse's exception carries the whole log).
    etree.clear_error_log()
    return str(source) if isinstance(source, Path) else io.BytesIO(source)


def refuse_doctype(source: Path | bytes, *, name: str) -> None:
    """Refuse a document that declares a DOCTYPE (ODM declares none; a DTD could define
    entities), reading no further than its root element's start tag.

    Raises
    ------
    OdmError
        For a DOCTYPE, or a prolog that is not well-formed.
    """
    try:
        for _, root in etree.iterparse(_opened(source), events=("start",), resolve_entities=False,
                                       no_network=True, load_dtd=False, huge_tree=False):
            docinfo: Any = root.getroottree().docinfo  # lxml's stubs lack DocInfo.doctype
            if docinfo.internalDTD is not None or docinfo.doctype:
                raise OdmError(name, "an ODM document without a DOCTYPE",
                               [OdmProblem("line 1", f"a DOCTYPE declaration ({docinfo.doctype})")])
            return
    except etree.XMLSyntaxError as exc:
        problems = [OdmProblem(f"line {line}", message) for line, message in _entries(exc.error_log)]
        raise OdmError(name, "a well-formed XML document",
                       problems or [OdmProblem("document", str(exc))]) from None
    except OSError as exc:
        raise OdmError(name, "a readable file", [OdmProblem("file", str(exc))]) from None


def validating_events(source: Path | bytes, tags: tuple[str, ...],
                      events: tuple[str, ...] = ("end",)) -> Iterator[tuple[str, Any]]:
    """``iterparse`` events for ``tags`` while libxml2 validates the whole document against
    the schema; call :func:`refuse_doctype` first.

    Entities are not switched off here: with a schema, libxml2 (lxml 6.2) then accepts a
    truncated document without a word (tested). Without a DOCTYPE a document can name only
    XML's five predefined entities, so nothing is expanded that should not be.
    """
    parsed: Iterator[tuple[str, Any]] = etree.iterparse(
        _opened(source), events=events, tag=tags, schema=odm_schema(), no_network=True, load_dtd=False,
        huge_tree=False)
    return parsed


def check_file(path: Path, *, name: str | None = None) -> SchemaCheck:
    """Validate the document at ``path`` while reading it, without building its tree, so a
    large export is checked in little memory (libxml2 then reports no line numbers; the
    messages name the element and attribute).

    Raises
    ------
    OdmError
        For a DOCTYPE or a prolog that is not well-formed (:func:`refuse_doctype`).
    """
    refuse_doctype(path, name=name or str(path))
    try:
        # libxml2 validates every element as it reads; Python sees only each participant's
        # end, to drop the subtree (memory stays that of one participant).
        for _, node in validating_events(path, (q("SubjectData"),)):
            node.clear()
    except etree.XMLSyntaxError as exc:
        return SchemaCheck(tuple(OdmProblem("document", message) for _, message in _entries(exc.error_log))
                           or (OdmProblem("document", str(exc)),))
    except OSError as exc:
        return SchemaCheck((OdmProblem("file", str(exc)),))
    return SchemaCheck(())


def validate_odm(source: Path | bytes, *, name: str | None = None) -> None:
    """Refuse a document that is not valid against the ODM 1.3.2 schema.

    A file is checked while it is read (little memory); bytes are parsed, so problems carry
    line numbers.

    Raises
    ------
    OdmError
        Listing the schema's complaints (the first :data:`~hipectrial.export.odm.errors.SHOWN_PROBLEMS`).

    Examples
    --------
    >>> validate_odm(b'<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3"/>', name="empty.xml")
    Traceback (most recent call last):
    ...
    hipectrial.export.odm.errors.OdmError: odm must be a document valid against the ODM 1.3.2 schema;
    got 'empty.xml' (3 problems: line 1: Element '{...}ODM': The attribute 'FileType' is required
    but missing. ...)
    """
    label = name or (str(source) if isinstance(source, Path) else "document")
    if isinstance(source, Path):
        check = check_file(source, name=label)
    else:
        check = check_tree(parse_odm(source, name=label))
    if not check.valid:
        raise OdmError(label, "a document valid against the ODM 1.3.2 schema", check.problems)

