"""Mapping ODM item groups back to table rows: one participant, or the reference data.

:class:`GroupReader` holds what a reading needs (the protocol's placements and items) and
the problems found; :mod:`~hipectrial.export.odm.reader` drives it over the document.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator

from lxml import etree

from hipectrial.export.odm.errors import OdmProblem
from hipectrial.export.odm.layout import PARTICIPANT, Item, OdmLayout, Placement
from hipectrial.export.odm.metadata import PROVENANCE
from hipectrial.export.odm.oids import RECORDS_EVENT, location_oid, mdv_oid, unit_oid, user_oid
from hipectrial.export.odm.values import ValueProblem, odm_value
from hipectrial.export.odm.xml import q
from hipectrial.protocol import Protocol

# Qualified tag names, made once (a document has millions of elements).
_AUDIT_RECORD = q("AuditRecord")
_DATE_TIME_STAMP = q("DateTimeStamp")
_FORM_DATA = q("FormData")
_ITEM_DATA = q("ItemData")
_ITEM_GROUP_DATA = q("ItemGroupData")
_LOCATION_REF = q("LocationRef")
_MEASUREMENT_UNIT_REF = q("MeasurementUnitRef")
_SITE_REF = q("SiteRef")
_STUDY_EVENT_DATA = q("StudyEventData")
_USER_REF = q("UserRef")

Row = dict[str, object]

_KEY = re.compile(r"[1-9][0-9]*")


class GroupReader:
    """Reads item groups into rows, collecting every problem (never stopping at the first)."""

    def __init__(self, protocol: Protocol, layout: OdmLayout,
                 progress: Callable[[int, int | None], None] | None = None) -> None:
        self.progress = progress
        self.protocol = protocol
        self.layout = layout
        self.study = protocol.study.id
        self.mdv = mdv_oid(protocol.study.version)
        self.groups = layout.by_group()
        self.items: dict[str, dict[str, Item]] = {
            p.group_oid: {i.oid: i for i in p.items} for p in layout.placements}
        self.forms = {p.form_oid for p in layout.placements if p.form_oid is not None}
        self.problems: list[OdmProblem] = []
        self.trial_rows = 0

    def problem(self, node: etree._Element, path: str, message: str) -> None:
        self.problems.append(OdmProblem(f"line {node.sourceline}: {path}" if path else
                                        f"line {node.sourceline}", message))

    def not_kept(self, node: etree._Element, path: str) -> None:
        if not isinstance(node.tag, str):
            return  # comments and processing instructions carry no data
        name = etree.QName(node).localname
        self.problem(node, path, f"{name} is not kept by hipectrial's trial data; remove it "
                     "or keep the file elsewhere (nothing is dropped silently)")

    def reference(self, node: etree._Element) -> Iterator[tuple[str, Row]]:
        for child in node:
            if child.tag != _ITEM_GROUP_DATA:
                self.not_kept(child, "ReferenceData")
                continue
            placement = self.groups.get((None, child.get("ItemGroupOID") or ""))
            path = f"ReferenceData / ItemGroupData {child.get('ItemGroupOID')}"
            if placement is None:
                known = ", ".join(p.group_oid for p in self.layout.placements if p.reference)
                self.problem(child, path, f"an item group that is not reference data of this "
                             f"protocol; expected one of {known}")
                continue
            row: Row = {}
            if placement.group_key is not None:
                key = child.get("ItemGroupRepeatKey")
                if key is None:
                    self.problem(child, path, "an ItemGroupRepeatKey (the site id)")
                    continue
                row[placement.group_key] = key
            self._items(child, placement, row, path)
            site = row.get("site_id")
            self._audit(child, placement, row, path, location_oid(str(site)) if site else None)
            if placement.table.id == "trial":
                self.trial_rows += 1
                if row.get("protocol_id") != self.study:
                    self.problem(child, path, f"protocol_id {row.get('protocol_id')!r}; the protocol's "
                                 f"study is {self.study!r}")
            yield placement.table.id, row

    # -- one participant ----------------------------------------------------------------

    def subject(self, node: etree._Element) -> Iterator[tuple[str, Row]]:
        pid = node.get("SubjectKey") or ""
        path = f"SubjectData {pid}"
        self._transaction(node, path)
        site_ref: str | None = None
        audits: list[tuple[etree._Element, str, str]] = []
        site: str | None = None
        for child in node:
            if child.tag == _SITE_REF:
                site_ref = child.get("LocationOID")
            elif child.tag == _STUDY_EVENT_DATA:
                for table_id, row, audit in self._event(child, pid, path):
                    if table_id == "participants":
                        site = str(row.get("site_id"))
                    if audit is not None:
                        audits.append(audit)
                    yield table_id, row
            else:
                self.not_kept(child, path)
        expected = location_oid(site) if site is not None else site_ref
        if site_ref is not None and site is not None and site_ref != expected:
            self.problem(node, f"{path} / SiteRef", f"LocationOID {site_ref!r}; the participant's "
                         f"site {site!r} is {expected!r}")
        for where, audit_path, location in audits:
            if expected is not None and location != expected:
                self.problem(where, audit_path, f"LocationRef {location!r}; the participant's site is "
                             f"{expected!r}")

    def _event(self, node: etree._Element, pid: str,
               subject_path: str) -> Iterator[tuple[str, Row, tuple[etree._Element, str, str] | None]]:
        oid = node.get("StudyEventOID") or ""
        key_text = node.get("StudyEventRepeatKey")
        path = f"{subject_path} / StudyEventData {oid}" + (f"[{key_text}]" if key_text else "")
        self._transaction(node, path)
        visit = self.layout.visits_by_oid.get(oid)
        repeat: int | None = None
        if visit is None and oid != RECORDS_EVENT:
            known = ", ".join([*self.layout.visit_oids.values(), RECORDS_EVENT][:12])
            self.problem(node, path, f"a study event of the protocol ({known}, …); got {oid!r}")
            return
        if oid == RECORDS_EVENT:
            if key_text is not None:
                self.problem(node, path, f"{RECORDS_EVENT} does not repeat: no StudyEventRepeatKey")
        else:
            repeat = self._count(node, path, "StudyEventRepeatKey", key_text, default=1)
            if repeat is None:
                return
        for child in node:
            if child.tag != _FORM_DATA:
                self.not_kept(child, path)
                continue
            yield from self._form(child, pid, oid, visit, repeat, path)

    def _form(self, node: etree._Element, pid: str, event_oid: str, visit: str | None,
              repeat: int | None, event_path: str
              ) -> Iterator[tuple[str, Row, tuple[etree._Element, str, str] | None]]:
        oid = node.get("FormOID") or ""
        key_text = node.get("FormRepeatKey")
        path = f"{event_path} / FormData {oid}" + (f"[{key_text}]" if key_text else "")
        self._transaction(node, path)
        if oid not in self.forms:
            self.problem(node, path, f"a form of the protocol; got {oid!r}")
            return
        for child in node:
            if child.tag != _ITEM_GROUP_DATA:
                self.not_kept(child, path)
                continue
            group = child.get("ItemGroupOID") or ""
            group_path = f"{path} / ItemGroupData {group}"
            placement = self.groups.get((oid, group))
            if placement is None:
                expected = ", ".join(p.group_oid for p in self.layout.placements if p.form_oid == oid)
                self.problem(child, group_path, f"an item group of form {oid} ({expected})")
                continue
            if (placement.event_oid or "") != (event_oid if placement.event_oid else ""):
                self.problem(child, group_path, f"form {oid} belongs to study event {placement.event_oid}")
                continue
            if placement.event_oid is None and visit is None:
                self.problem(child, group_path, f"form {oid} belongs to a visit, not {event_oid}")
                continue
            row: Row = {PARTICIPANT: pid}
            if placement.event_column is not None and placement.event_key is not None:
                row[placement.event_column], row[placement.event_key] = visit, repeat
            if placement.form_key is not None:
                form_repeat = self._count(node, path, "FormRepeatKey", key_text, default=None)
                if form_repeat is None:
                    continue
                row[placement.form_key] = form_repeat
            elif key_text is not None:
                self.problem(node, path, f"form {oid} does not repeat: no FormRepeatKey")
                continue
            if placement.group_key is not None:
                group_repeat = self._count(child, group_path, "ItemGroupRepeatKey",
                                           child.get("ItemGroupRepeatKey"), default=None)
                if group_repeat is None:
                    continue
                row[placement.group_key] = group_repeat
            elif child.get("ItemGroupRepeatKey") is not None:
                self.problem(child, group_path, f"item group {group} does not repeat: no ItemGroupRepeatKey")
                continue
            self._transaction(child, group_path)
            self._items(child, placement, row, group_path)
            audit = self._audit(child, placement, row, group_path, None)
            yield placement.table.id, row, audit

    # -- values ---------------------------------------------------------------------------

    def _count(self, node: etree._Element, path: str, attribute: str, text: str | None,
               default: int | None) -> int | None:
        if text is None:
            if default is None:
                self.problem(node, path, f"a {attribute} (a positive integer)")
            return default
        if not _KEY.fullmatch(text):
            self.problem(node, path, f"{attribute} {text!r}: expected a positive integer (1, 2, …)")
            return None
        return int(text)

    def _transaction(self, node: etree._Element, path: str) -> None:
        if node.get("TransactionType") == "Remove":
            self.problem(node, path, "TransactionType 'Remove': a snapshot states records, it "
                         "does not remove them")

    def _items(self, node: etree._Element, placement: Placement, row: Row, path: str) -> None:
        items = self.items[placement.group_oid]
        seen: set[str] = set()
        for child in node:
            if child.tag == _AUDIT_RECORD:
                continue
            if child.tag != _ITEM_DATA:
                name = etree.QName(child).localname if isinstance(child.tag, str) else ""
                if name.startswith("ItemData"):
                    self.problem(child, path, f"{name}: hipectrial reads ItemData with a Value attribute")
                else:
                    self.not_kept(child, path)
                continue
            attributes = child.attrib
            oid = attributes.get("ItemOID") or ""
            item = items.get(oid)
            rare = oid in seen or len(child) > 0 or "TransactionType" in attributes
            if (item is None or rare) and not self._item_problems(
                    child, item, oid, placement, seen, f"{path} / ItemData {oid}"):
                continue
            if item is None:  # pragma: no cover - reported above
                continue
            seen.add(oid)
            text = attributes.get("Value")
            if text is None:
                if attributes.get("IsNull") != "Yes":
                    self.problem(child, f"{path} / ItemData {oid}",
                                 "a Value attribute (or IsNull=\"Yes\" for no value)")
                continue
            try:
                row[item.column.name] = odm_value(item.column, text)
            except ValueProblem as problem:
                self.problem(child, f"{path} / ItemData {oid}", f"value {text!r} is not {problem.expected}")

    def _item_problems(self, child: etree._Element, item: Item | None, oid: str, placement: Placement,
                       seen: set[str], item_path: str) -> bool:
        """The rarer checks of one ItemData; whether its value can still be read."""
        if item is None:
            items = self.items[placement.group_oid]
            shown = ", ".join(list(items)[:8]) + (", …" if len(items) > 8 else "")
            self.problem(child, item_path, f"an item of item group {placement.group_oid} ({shown})")
            return False
        if oid in seen:
            self.problem(child, item_path, "one value per item; this item is given twice")
            return False
        self._transaction(child, item_path)
        self._item_children(child, item, item_path)
        return True

    def _item_children(self, node: etree._Element, item: Item, path: str) -> None:
        for child in node:
            if child.tag == _MEASUREMENT_UNIT_REF:
                unit = item.column.unit
                expected = unit_oid(unit) if unit is not None else None
                if child.get("MeasurementUnitOID") != expected:
                    self.problem(child, path, f"MeasurementUnitOID {child.get('MeasurementUnitOID')!r}; "
                                 f"the item is recorded in {unit or 'no unit'}"
                                 + (f" ({expected})" if expected else ""))
            else:
                self.not_kept(child, path)

    def _audit(self, node: etree._Element, placement: Placement, row: Row, path: str,
               location: str | None) -> tuple[etree._Element, str, str] | None:
        """Check the item group's AuditRecord against the provenance items; returns its
        LocationRef for the subject's check (``location`` is checked here when given)."""
        audit = node.find(_AUDIT_RECORD)
        if audit is None:
            return None
        audit_path = f"{path} / AuditRecord"
        names = placement.table.names
        if not all(n in names for n in PROVENANCE):
            self.problem(audit, audit_path,
                         f"no AuditRecord: {placement.table.id} records carry no provenance")
            return None
        entered_by, changed_by = row.get("entered_by"), row.get("changed_by")
        if entered_by is None:
            self.problem(audit, audit_path, "the record's provenance items (entered_by, entered_at, "
                         "protocol_version) with the AuditRecord: it holds one user and one time only")
            return None
        user, when = ((changed_by, row.get("changed_at")) if changed_by is not None
                      else (entered_by, row.get("entered_at")))
        user_ref = audit.find(_USER_REF)
        stamp = audit.find(_DATE_TIME_STAMP)
        location_ref = audit.find(_LOCATION_REF)
        if user_ref is not None and user_ref.get("UserOID") != user_oid(str(user)):
            self.problem(audit, audit_path, f"UserOID {user_ref.get('UserOID')!r}; the record was last "
                         f"entered or changed by {user!r} ({user_oid(str(user))})")
        if stamp is not None and not _same_time(stamp.text, when):
            self.problem(audit, audit_path, f"DateTimeStamp {stamp.text!r}; the record was last entered or "
                         f"changed at {when.isoformat() if isinstance(when, dt.datetime) else when}")
        for extra in ("ReasonForChange", "SourceID"):
            found = audit.find(q(extra))
            if found is not None:
                self.problem(found, audit_path, f"{extra} is not kept by hipectrial's provenance")
        where = location_ref.get("LocationOID") if location_ref is not None else ""
        if location is not None and where != location:
            self.problem(audit, audit_path, f"LocationRef {where!r}; the site is {location!r}")
            return None
        return audit, audit_path, where or ""


def _same_time(text: str | None, when: object) -> bool:
    if text is None or not isinstance(when, dt.datetime):
        return False
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return stamp.utcoffset() is not None and stamp == when

