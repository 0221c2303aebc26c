"""Write a trial as one CDISC ODM 1.3.2 document: metadata from the protocol, then the data.

The document (ODM 1.3.2 §2): the ``ODM`` root carries the trial's header (``FileOID``,
``CreationDateTime`` and ``AsOfDateTime`` = ``generated_at``, the data cut-off;
``SourceSystem`` and a ``Description`` naming the protocol, version and source); then
``Study`` (:mod:`~hipectrial.export.odm.metadata`), ``AdminData`` (a ``User`` per person
named in provenance, a ``Location`` per site), ``ReferenceData`` (the trial and site rows)
and ``ClinicalData`` with one ``SubjectData`` per participant
(:mod:`~hipectrial.export.odm.layout` says where each table goes).

Provenance: ODM's ``AuditRecord`` holds one user, one location and one time. The item
group of a record carries one stating the record's latest action (its last change, else its
entry), at the participant's site; all five provenance values are also items of the
group (``…ENTERED_BY``, ``…ENTERED_AT``, ``…PROTOCOL_VERSION``, ``…CHANGED_BY``,
``…CHANGED_AT``), defined in the metadata like any item, so nothing is lost and the file
stays valid against the standard schema (ODM 1.3.2 has no extension point that a
schema-valid file can use without redefining the schema).

The writing streams (``lxml.etree.xmlfile``): one participant's subtree is built, written
and dropped at a time. The bytes depend only on the trial and the protocol.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from hipectrial.data import TrialData
from hipectrial.errors import InputError
from hipectrial.export.odm.layout import PARTICIPANT, OdmLayout, Placement, odm_layout
from hipectrial.export.odm.metadata import PROVENANCE, study_element
from hipectrial.export.odm.oids import escaped, location_oid, mdv_oid, user_oid
from hipectrial.export.odm.values import ValueProblem, odm_text
from hipectrial.export.odm.xml import NSMAP, element, q, sub
from hipectrial.export.tables import Column, ColumnType, table_rows
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import Anchor

Row = tuple[object, ...]
Progress = Callable[[int, int], None]

_IG, _ITEM = q("ItemGroupData"), q("ItemData")


@dataclass(frozen=True, slots=True)
class OdmSummary:
    """What a written document holds."""

    participants: int
    sites: int
    users: int
    item_groups: int
    items: int


@dataclass(frozen=True, slots=True)
class _Placed:
    """A placement with its column positions (computed once per table)."""

    p: Placement
    index: dict[str, int]
    items: tuple[tuple[int, str, Column], ...]  # (row position, item OID, column)
    provenance: tuple[int, ...] | None


@dataclass(slots=True)
class _Gathered:
    reference: list[tuple[_Placed, Row]]
    subjects: dict[str, list[tuple[_Placed, Row]]]
    site_of: dict[str, str]
    users: set[str]


def write_odm(*, trial: TrialData, protocol: Protocol, out: Path | BinaryIO,
              progress: Progress | None = None) -> OdmSummary:
    """Write ``trial`` as an ODM 1.3.2 document to ``out`` (a path or a binary stream).

    ``progress(done, total)`` is called after each participant. The document is valid
    against the ODM 1.3.2 schema (:func:`~hipectrial.export.odm.schema.validate_odm`
    checks it) and :func:`~hipectrial.export.odm.reader.read_odm` reads it back.

    Raises
    ------
    InputError
        A trial of another protocol than ``protocol`` (its ``protocol_id``); a value ODM
        cannot hold (a character XML 1.0 forbids, a time zone offset with seconds), naming
        the table, record and column; or definitions that would share an OID.
    TablesError
        (a ``DataError``) a record the tables cannot hold (:func:`~hipectrial.export.tables.table_rows`).
    """
    if trial.protocol_id != protocol.study.id:
        raise InputError("protocol_id", trial.protocol_id, f"the protocol's id {protocol.study.id!r}",
                         "the ODM metadata and the clinical data must be of one study")
    layout = odm_layout(protocol)
    gathered = _gather(trial, protocol, layout)
    if isinstance(out, Path):
        with out.open("wb") as stream:
            return _write(stream, trial, protocol, layout, gathered, progress)
    return _write(out, trial, protocol, layout, gathered, progress)


def _placed(p: Placement) -> _Placed:
    index = {name: i for i, name in enumerate(p.table.names)}
    items = tuple((index[i.column.name], i.oid, i.column) for i in p.items)
    provenance = tuple(index[n] for n in PROVENANCE) if all(n in index for n in PROVENANCE) else None
    return _Placed(p, index, items, provenance)


def _gather(trial: TrialData, protocol: Protocol, layout: OdmLayout) -> _Gathered:
    placed = {p.table.id: _placed(p) for p in layout.placements}
    g = _Gathered([], {p.id: [] for p in trial.participants}, {}, set())
    for table, row in table_rows(trial, protocol):
        pl = placed[table.id]
        if pl.provenance is not None:
            for i in (pl.provenance[0], pl.provenance[3]):
                user = row[i]
                if isinstance(user, str):
                    g.users.add(user)
        if pl.p.reference:
            g.reference.append((pl, row))
            continue
        pid = str(row[pl.index[PARTICIPANT]])
        if table.id == "participants":
            g.site_of[pid] = str(row[pl.index["site_id"]])
        g.subjects.setdefault(pid, []).append((pl, row))
    return g


def _where(pl: _Placed, row: Row) -> str:
    keys = "/".join(str(row[pl.index[c.name]]) for c in pl.p.table.key)
    return f"{pl.p.table.id} ({keys})" if keys else pl.p.table.id


def _key(value: object) -> str:
    return str(value)


def _group(pl: _Placed, row: Row, location: str) -> etree._Element:
    p = pl.p
    attrib = {"ItemGroupOID": p.group_oid}
    if p.group_key is not None:
        attrib["ItemGroupRepeatKey"] = _key(row[pl.index[p.group_key]])
    ig = etree.Element(_IG, attrib)
    if pl.provenance is not None and row[pl.provenance[0]] is not None:
        entered_by, entered_at, _, changed_by, changed_at = (row[i] for i in pl.provenance)
        user, when = (changed_by, changed_at) if changed_by is not None else (entered_by, entered_at)
        audit = sub(ig, "AuditRecord")
        sub(audit, "UserRef", {"UserOID": user_oid(str(user))})
        sub(audit, "LocationRef", {"LocationOID": location})
        sub(audit, "DateTimeStamp", text=_datetime(when, pl, row))
    for position, oid, column in pl.items:
        value = row[position]
        if value is None:
            continue
        try:
            text = odm_text(column, value)
            etree.SubElement(ig, _ITEM, {"ItemOID": oid, "Value": text})
        except ValueProblem as problem:
            raise InputError(f"{_where(pl, row)}.{column.name}", value, problem.expected) from None
        except ValueError as exc:  # lxml: a character XML 1.0 cannot hold
            raise InputError(f"{_where(pl, row)}.{column.name}", value,
                             "text without control characters (XML 1.0 cannot hold them)", str(exc)) from None
    return ig


_STAMP = Column("changed_at", "", "", ColumnType.DATETIME)


def _datetime(value: object, pl: _Placed, row: Row) -> str:
    try:
        return odm_text(_STAMP, value)
    except ValueProblem as problem:
        raise InputError(f"{_where(pl, row)}.changed_at", value, problem.expected) from None


def _event_key(repeating: bool, value: object) -> str | None:
    """ODM 1.3.2 §3.2.2: a repeating event needs its repeat key; a visit that does not repeat
    gets one only when its occurrence is not the first (so nothing is lost)."""
    return _key(value) if repeating or value != 1 else None


def _subject(pid: str, rows: Sequence[tuple[_Placed, Row]], site: str, layout: OdmLayout,
             repeating: dict[str, bool]) -> etree._Element:
    subject = element("SubjectData", {"SubjectKey": pid}, root=True)
    sub(subject, "SiteRef", {"LocationOID": location_oid(site)})
    location = location_oid(site)
    events: dict[tuple[str, str | None], etree._Element] = {}
    forms: dict[tuple[str, str | None, str, str | None], etree._Element] = {}
    for pl, row in rows:
        p = pl.p
        if p.event_oid is not None:
            event_oid, event_key = p.event_oid, None
        else:
            event_oid = layout.visit_oids[str(row[pl.index[p.event_column or ""]])]
            event_key = _event_key(repeating[event_oid], row[pl.index[p.event_key or ""]])
        event = events.get((event_oid, event_key))
        if event is None:
            attrib = {"StudyEventOID": event_oid}
            if event_key is not None:
                attrib["StudyEventRepeatKey"] = event_key
            event = events[(event_oid, event_key)] = sub(subject, "StudyEventData", attrib)
        form_key = _key(row[pl.index[p.form_key]]) if p.form_key is not None else None
        form_id = (event_oid, event_key, p.form_oid or "", form_key)
        form = forms.get(form_id)
        if form is None:
            attrib = {"FormOID": p.form_oid or ""}
            if form_key is not None:
                attrib["FormRepeatKey"] = form_key
            form = forms[form_id] = sub(event, "FormData", attrib)
        form.append(_group(pl, row, location))
    return subject


def _root_attributes(trial: TrialData, protocol: Protocol) -> dict[str, str]:
    study = protocol.study
    stamp = trial.generated_at.isoformat()
    source = f"; source: {trial.source.kind.value}, {trial.source.description}" if trial.source else ""
    return {
        "Description": f"Trial data of {study.id} (protocol version {trial.protocol_version}), "
                       f"data cut-off {stamp}{source}",
        "FileType": "Snapshot",
        "Granularity": "All",
        "FileOID": f"ODM.{escaped(study.id)}.{stamp}",
        "CreationDateTime": stamp,
        "AsOfDateTime": stamp,
        "ODMVersion": "1.3.2",
        "SourceSystem": "hipectrial",
    }


def _admin(protocol: Protocol, gathered: _Gathered) -> etree._Element | None:
    sites = [(pl, row) for pl, row in gathered.reference if pl.p.table.id == "sites"]
    if not sites and not gathered.users:
        return None
    admin = element("AdminData", {"StudyOID": protocol.study.id}, root=True)
    for user in sorted(gathered.users):
        u = sub(admin, "User", {"OID": user_oid(user)})
        sub(u, "LoginName", text=user)
    for pl, row in sites:
        site_id = str(row[pl.index["site_id"]])
        location = sub(admin, "Location", {"OID": location_oid(site_id), "Name": str(row[pl.index["name"]]),
                                           "LocationType": "Site"})
        # ODM requires the date the site began using this metadata version: the site's
        # activation date, or the protocol version's own date when none is recorded.
        activated = row[pl.index["activation_date"]]
        effective = activated if isinstance(activated, dt.date) else protocol.study.date
        sub(location, "MetaDataVersionRef", {"StudyOID": protocol.study.id,
                                            "MetaDataVersionOID": mdv_oid(protocol.study.version),
                                            "EffectiveDate": effective.isoformat()})
    return admin


def _write(stream: BinaryIO, trial: TrialData, protocol: Protocol, layout: OdmLayout,
           gathered: _Gathered, progress: Progress | None) -> OdmSummary:
    study = protocol.study
    data_attrib = {"StudyOID": study.id, "MetaDataVersionOID": mdv_oid(study.version)}
    repeating = {v.resolved_oid: v.repeat is not None or v.timing.anchor is Anchor.EVENT
                 for v in protocol.visits}
    groups = items = 0
    with etree.xmlfile(stream, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(q("ODM"), _root_attributes(trial, protocol), nsmap=NSMAP):
            xf.write("\n")
            xf.write(study_element(protocol, layout), pretty_print=True)
            admin = _admin(protocol, gathered)
            if admin is not None:
                xf.write(admin, pretty_print=True)
            if gathered.reference:
                reference = element("ReferenceData", data_attrib, root=True)
                for pl, row in gathered.reference:
                    site = row[pl.index["site_id"]] if "site_id" in pl.index else None
                    reference.append(_group(pl, row, location_oid(str(site))))
                groups += len(reference)
                items += sum(1 for _ in reference.iter(_ITEM))
                xf.write(reference, pretty_print=True)
            with xf.element(q("ClinicalData"), data_attrib):
                xf.write("\n")
                total = len(trial.participants)
                for done, participant in enumerate(trial.participants, 1):
                    subject = _subject(participant.id, gathered.subjects.get(participant.id, ()),
                                       gathered.site_of[participant.id], layout, repeating)
                    groups += sum(1 for _ in subject.iter(_IG))
                    items += sum(1 for _ in subject.iter(_ITEM))
                    xf.write(subject, pretty_print=True)
                    if progress is not None:
                        progress(done, total)
            xf.write("\n")
    return OdmSummary(participants=len(trial.participants),
                      sites=sum(1 for pl, _ in gathered.reference if pl.p.table.id == "sites"),
                      users=len(gathered.users), item_groups=groups, items=items)
