"""Read ODM 1.3.2 clinical data back into a ``TrialData``: the inverse of the writer.

The file is parsed safely and validated against the ODM 1.3.2 schema first; then every
``ItemGroupData`` is mapped back to a row of its table (the placement of
:mod:`~hipectrial.export.odm.layout`), each value read strictly by its column type, and
the rows become a trial through :func:`hipectrial.export.tables.trial_from_tables`.

The file must be the protocol's: ``ClinicalData`` of the protocol's study (``StudyOID``) and
metadata version (``MetaDataVersionOID``, the protocol version), that version's metadata,
when the file carries it, structurally the protocol's
(:mod:`~hipectrial.export.odm.metadata_check`), every study event, form,
item group and item one the protocol defines, every value of its item's type and code
list. Whatever the trial could not keep is refused rather than dropped: an annotation, a
signature, an audit record that contradicts the provenance items, a ``Remove`` transaction.
``AdminData`` (users, locations) is written for ODM readers and not read: sites come from
``ReferenceData``. Everything found is reported together, each problem with its line and
its path of keys (subject, event, form, item group, item); nothing is returned then.
The item groups themselves are read by :mod:`~hipectrial.export.odm.reader_groups`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, cast

from lxml import etree

from hipectrial.data import TrialData
from hipectrial.export.odm.errors import OdmError, OdmProblem
from hipectrial.export.odm.layout import odm_layout
from hipectrial.export.odm.metadata import study_element
from hipectrial.export.odm.metadata_check import metadata_differences
from hipectrial.export.odm.reader_groups import GroupReader, Row
from hipectrial.export.odm.schema import check_tree, parse_odm, refuse_doctype, validating_events
from hipectrial.export.odm.xml import q
from hipectrial.export.tables import TablesError, trial_from_tables
from hipectrial.protocol import Protocol

# Qualified tag names, made once (a document has millions of elements).
_ADMIN_DATA = q("AdminData")
_CLINICAL_DATA = q("ClinicalData")
_META_DATA_VERSION = q("MetaDataVersion")
_ODM = q("ODM")
_REFERENCE_DATA = q("ReferenceData")
_STUDY = q("Study")
_SUBJECT_DATA = q("SubjectData")

_TAGS = tuple(q(t) for t in ("ODM", "Study", "AdminData", "ReferenceData", "ClinicalData", "SubjectData"))
# Below this size a document refused by the schema is parsed again whole, for line numbers
# (libxml2 gives none while it validates a stream).
_LINES_UP_TO = 64_000_000


def read_odm(source: Path | bytes, protocol: Protocol, *, name: str | None = None,
             progress: Callable[[int, int | None], None] | None = None) -> TrialData:
    """The trial an ODM 1.3.2 document holds, read with ``protocol``'s metadata.

    The document is read as a stream (one participant's elements in memory at a time) and
    validated against the ODM 1.3.2 schema while it is read; nothing is returned unless the
    whole document is valid and matches the protocol.

    Parameters
    ----------
    source
        A path, or the document's bytes.
    protocol
        The protocol the data were collected under: the document's study and metadata
        version must be its ``study.id`` and ``study.version``.
    name
        How messages name the document (default: the path, or ``document``).
    progress
        Called as ``progress(done, None)`` after each participant (``SubjectData``) is read.

    Raises
    ------
    OdmError
        (an ``InputError``) naming every problem: not well-formed, a DOCTYPE, not valid
        against the ODM 1.3.2 schema, another study or protocol version, an unknown study
        event, form, item group or item, a value not of its item's type or code list, a
        repeat key that is not a positive integer, an element whose content would be lost.
    TablesError
        (a ``DataError``) rows that do not make a trial (a duplicate key, a missing
        required value, a child without its parent), naming table, key and column.
    """
    label = name or (str(source) if isinstance(source, Path) else "document")
    reader = _Reader(protocol, odm_layout(protocol), progress)
    study = protocol.study
    trial: TrialData | None = None
    refused: TablesError | None = None
    refuse_doctype(source, name=label)
    try:
        rows = reader.rows(validating_events(source, _TAGS, ("start", "end")))
        try:
            trial = trial_from_tables(protocol, rows)
        except TablesError as exc:
            refused = exc
            for _ in rows:  # read (and validate) the rest: the document's problems come first
                pass
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(label, source, exc) from None
    except OSError as exc:
        raise OdmError(label, "a readable file", [OdmProblem("file", str(exc))]) from None
    if reader.problems:
        raise OdmError(label, f"ODM clinical data of protocol {study.id} version {study.version}",
                       reader.problems)
    if refused is not None:
        raise refused
    if trial is None:  # pragma: no cover - trial_from_tables returned or raised
        raise OdmError(label, "ODM clinical data", [OdmProblem("document", "no data read")])
    return trial


def _syntax_error(label: str, source: Path | bytes, exc: etree.XMLSyntaxError) -> OdmError:
    """The refusal of a document libxml2 could not read or found invalid. A document up to
    :data:`_LINES_UP_TO` bytes is parsed again whole, for libxml2's messages with lines."""
    entries = [(e.line, e.message, e.domain_name) for e in cast(Iterable[Any], exc.error_log)]
    schema_only = bool(entries) and all(domain == "SCHEMASV" for _, _, domain in entries)
    size = source.stat().st_size if isinstance(source, Path) else len(source)
    if size <= _LINES_UP_TO:
        try:
            check = check_tree(parse_odm(source, name=label))
        except OdmError as refusal:  # not well-formed: parse_odm names the line
            return refusal
        if not check.valid:
            return OdmError(label, "a document valid against the ODM 1.3.2 schema", check.problems)
    if schema_only:
        return OdmError(label, "a document valid against the ODM 1.3.2 schema",
                        [OdmProblem("document", message) for _, message, _ in entries[:200]])
    problems = [OdmProblem(f"line {line}", message) for line, message, _ in entries[:200]]
    fallback = OdmProblem(f"line {exc.lineno}" if exc.lineno else "document", str(exc.msg))
    return OdmError(label, "a well-formed XML document", problems or [fallback])


class _Reader(GroupReader):
    """Drives a :class:`GroupReader` over the events of one document."""

    def rows(self, events: Iterable[tuple[str, etree._Element]]) -> Iterator[tuple[str, Row]]:
        """The rows of the document, read from ``iterparse`` events; each participant's
        subtree is dropped once read."""
        clinical = False
        ended = False
        last: etree._Element | None = None
        done = 0
        for event, node in events:
            tag = node.tag
            last = node
            if event == "start":
                if tag == _ODM:
                    self._root(node)
                elif tag == _CLINICAL_DATA:
                    clinical = self._same_study(node, "ClinicalData")
                continue
            if tag == _SUBJECT_DATA:
                if clinical:
                    yield from self.subject(node)
                    done += 1
                    if self.progress is not None:
                        self.progress(done, None)
                node.clear()
            elif tag == _REFERENCE_DATA:
                if self._same_study(node, "ReferenceData"):
                    yield from self.reference(node)
                node.clear()
            elif tag == _CLINICAL_DATA:
                for child in node:
                    if child.tag != _SUBJECT_DATA:
                        self.not_kept(child, "ClinicalData")
                node.clear()
            elif tag == _STUDY:
                self._study(node)
                node.clear()
            elif tag == _ADMIN_DATA:
                node.clear()
            elif tag == _ODM:
                ended = True
                for child in node:
                    if child.tag not in _TAGS:
                        self.not_kept(child, "ODM")
                if self.trial_rows != 1:
                    self.problem(node, "ReferenceData", "exactly one trial header (ItemGroupData "
                                 "IG.RECORDS.TRIAL: protocol, version, cut-off, source); "
                                 f"found {self.trial_rows}")
        if not ended and last is not None:  # the parser should have said so; never read half a file
            self.problem(last, "ODM", "the document to end with </ODM>; it stops before")

    def _root(self, root: etree._Element) -> None:
        if root.get("FileType") != "Snapshot":
            self.problem(root, "ODM", f"FileType {root.get('FileType')!r}: hipectrial reads "
                         "Snapshot files (the state of every record), not transactions")

    def _study(self, node: etree._Element) -> None:
        if node.get("OID") != self.study:
            self.problem(node, "Study", f"study {node.get('OID')!r}; the protocol's study is {self.study!r}")
            return
        given = node.find(f"{q('MetaDataVersion')}[@OID='{self.mdv}']")
        if given is None:
            return  # the clinical data name the metadata version; that check is theirs
        expected = study_element(self.protocol, self.layout).find(_META_DATA_VERSION)
        if expected is None:  # pragma: no cover - study_element always writes one
            return
        version = f"protocol {self.study} version {self.protocol.study.version}"
        for where, path, message in metadata_differences(given, expected):
            self.problem(where, f"Study / {path}", f"{message} ({version})")

    def _same_study(self, node: etree._Element, what: str) -> bool:
        study, mdv = node.get("StudyOID"), node.get("MetaDataVersionOID")
        if study != self.study:
            self.problem(node, what, f"StudyOID {study!r}; the protocol's study is {self.study!r}")
            return False
        if mdv != self.mdv:
            self.problem(node, what, f"MetaDataVersionOID {mdv!r}; protocol version "
                         f"{self.protocol.study.version} is {self.mdv!r}")
            return False
        return True
