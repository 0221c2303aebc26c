"""Where each table of :mod:`hipectrial.export.tables` sits in an ODM document.

Every table becomes an item group; its key columns become ODM's keys where ODM has them
and its other columns become items. The writer and the reader share this one mapping.

==================  ======================================================================
table               ODM placement
==================  ======================================================================
``trial``           ``ReferenceData`` / ``IG.RECORDS.TRIAL`` (one row, every column an
                    item); the header also goes on the ``ODM`` root (``CreationDateTime``,
                    ``AsOfDateTime``, ``Description``) and ``ClinicalData`` (``StudyOID``)
``sites``           ``ReferenceData`` / ``IG.RECORDS.SITES``, ``ItemGroupRepeatKey`` =
                    ``site_id``; also an ``AdminData/Location`` per site
``participants``    ``SubjectData`` (``SubjectKey`` = ``participant_id``, ``SiteRef``) /
                    ``SE.RECORDS`` / ``F.RECORDS.PARTICIPANTS``
``visits``          ``StudyEventData`` of the visit (``StudyEventOID`` from ``visit_id``,
                    ``StudyEventRepeatKey`` = ``repeat``) / ``F.RECORDS.VISITS``, a form
                    every visit offers: ODM 1.3.2 has no visit dates of its own
``form_<id>``       ``StudyEventData`` (``visit_id``, ``visit_repeat``) / ``FormData`` of
                    the CRF / ``ItemGroupData`` (``ItemGroupRepeatKey`` = ``repeat`` for a
                    repeating form: ODM's repeating item group)
``doses`` …         ``SE.RECORDS`` / ``FormData`` ``F.RECORDS.<table>`` with
``follow_ups``      ``FormRepeatKey`` = ``seq``: one form per record
``lesions``,        the parent's ``FormData`` (``FormRepeatKey`` = ``assessment_seq`` /
``complications``   ``surgery_seq``) / ``ItemGroupData`` with ``ItemGroupRepeatKey`` = ``seq``
==================  ======================================================================

``SE.RECORDS`` (``Type="Common"``) holds the typed records, which belong to no visit.
The participant's id is the ``SubjectKey`` only: no table repeats it as an item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hipectrial.data.vocab import RecordKind
from hipectrial.errors import InputError
from hipectrial.export.odm.oids import RECORDS_EVENT, dotted
from hipectrial.export.tables import Column, TableDef, table_defs
from hipectrial.protocol import Protocol
from hipectrial.protocol.common import oid_part
from hipectrial.protocol.forms import FieldDef, FormDef

PARTICIPANT = "participant_id"


@dataclass(frozen=True, slots=True)
class Item:
    """A column written as an ODM item: its OID, and the protocol field of a CRF column."""

    column: Column
    oid: str
    field: FieldDef | None = None


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one table's rows go.

    ``event_oid`` is the fixed study event (``SE.RECORDS``) or ``None`` when the
    ``visit_id`` column names it; ``form_oid`` is ``None`` for reference data. The
    ``*_key`` fields name the column each ODM repeat key carries.
    """

    table: TableDef
    reference: bool
    event_oid: str | None
    form_oid: str | None
    form_repeating: bool
    group_oid: str
    group_repeating: bool
    items: tuple[Item, ...]
    event_column: str | None = None
    event_key: str | None = None
    form_key: str | None = None
    group_key: str | None = None
    form: FormDef | None = None

    @property
    def structural(self) -> tuple[str, ...]:
        """The columns ODM keys carry (not written as items)."""
        names = (PARTICIPANT if not self.reference else None, self.event_column, self.event_key,
                 self.form_key, self.group_key)
        return tuple(n for n in names if n is not None)


@dataclass(frozen=True, slots=True)
class OdmLayout:
    """The placement of every table, and the protocol's visits by study event OID."""

    placements: tuple[Placement, ...]
    visits_by_oid: Mapping[str, str]
    visit_oids: Mapping[str, str]

    def by_group(self) -> dict[tuple[str | None, str], Placement]:
        """Placements by (form OID, item group OID): what a reader meets."""
        return {(p.form_oid, p.group_oid): p for p in self.placements}


def odm_layout(protocol: Protocol) -> OdmLayout:
    """The ODM placement of every table of ``protocol``'s trial data (see module docstring).

    Raises
    ------
    InputError
        (field ``oid``) when two definitions would share an OID, e.g. a protocol ``oid``
        equal to one derived for another form; or a table this module does not know.
    """
    placements = tuple(_place(t) for t in table_defs(protocol))
    visit_oids = {v.id: v.resolved_oid for v in protocol.visits}
    _require_unique([("study event", v, oid) for v, oid in visit_oids.items()]
                    + [("study event", "typed records", RECORDS_EVENT)])
    owners: list[tuple[str, str, str]] = []
    for p in placements:
        if p.form_oid is not None and (p.table.parent is None):
            owners.append(("form", p.table.id, p.form_oid))
        owners.append(("item group", p.table.id, p.group_oid))
        owners.extend(("item", f"{p.table.id}.{i.column.name}", i.oid) for i in p.items)
    _require_unique(owners)
    return OdmLayout(placements, {oid: v for v, oid in visit_oids.items()}, visit_oids)


def _require_unique(owners: list[tuple[str, str, str]]) -> None:
    seen: dict[str, tuple[str, str]] = {}
    for what, name, oid in owners:
        other = seen.setdefault(oid, (what, name))
        if other != (what, name):
            raise InputError("oid", oid, "an OID used by one definition only",
                             f"{other[0]} {other[1]!r} and {what} {name!r} both get it")


def _records_part(table_id: str) -> str:
    return "RECORDS." + dotted(table_id)


def _items(table: TableDef, part: str, structural: tuple[str, ...], form: FormDef | None) -> tuple[Item, ...]:
    items = []
    for column in table.columns:
        if column.name in structural:
            continue
        if form is not None and column.field is not None:
            items.append(Item(column, form.field_oid(column.field), column.field))
        else:
            items.append(Item(column, f"IT.{part}.{oid_part(column.name)}"))
    return tuple(items)


def _key_names(table: TableDef) -> tuple[str, ...]:
    return tuple(c.name for c in table.key)


def _place(table: TableDef) -> Placement:
    keys = _key_names(table)
    if table.kind is RecordKind.FORM and table.form is not None:
        form = table.form
        part = oid_part(form.id)
        group_key = "repeat" if form.repeating else None
        structural = (PARTICIPANT, "visit_id", "visit_repeat", *(("repeat",) if group_key else ()))
        return Placement(table, False, None, form.resolved_oid, False, f"IG.{part}", form.repeating,
                         _items(table, part, structural, form), event_column="visit_id",
                         event_key="visit_repeat", group_key=group_key, form=form)
    part = _records_part(table.id)
    if table.kind is None or table.kind is RecordKind.SITE:
        group_key = keys[0] if table.kind is RecordKind.SITE else None
        structural = (group_key,) if group_key else ()
        return Placement(table, True, None, None, False, f"IG.{part}", group_key is not None,
                         _items(table, part, structural, None), group_key=group_key)
    if not keys or keys[0] != PARTICIPANT:
        raise InputError("table", table.id, "a table keyed by participant_id (or trial, sites)")
    if table.kind is RecordKind.VISIT:
        structural = (PARTICIPANT, "visit_id", "repeat")
        return Placement(table, False, None, f"F.{part}", False, f"IG.{part}", False,
                         _items(table, part, structural, None), event_column="visit_id",
                         event_key="repeat")
    if table.kind is RecordKind.PARTICIPANT:
        return Placement(table, False, RECORDS_EVENT, f"F.{part}", False, f"IG.{part}", False,
                         _items(table, part, (PARTICIPANT,), None))
    if table.parent is not None:
        # A child row: in its parent's form (its FormRepeatKey is the parent's seq), one
        # repeating item group keyed by the child's own seq.
        if len(keys) != 3:
            raise InputError("table", table.id, "a child table keyed by participant, parent seq, seq")
        return Placement(table, False, RECORDS_EVENT, "F." + _records_part(table.parent), True,
                         f"IG.{part}", True, _items(table, part, keys, None),
                         form_key=keys[1], group_key=keys[2])
    if len(keys) != 2:
        raise InputError("table", table.id, "a record table keyed by participant_id and seq")
    return Placement(table, False, RECORDS_EVENT, f"F.{part}", True, f"IG.{part}", False,
                     _items(table, part, keys, None), form_key=keys[1])

