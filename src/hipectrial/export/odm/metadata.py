"""The ``Study`` element: the protocol as ODM 1.3.2 metadata (``MetaDataVersion``).

* **Study events**: one ``StudyEventDef`` per protocol visit (``Repeating="Yes"`` for a
  visit that repeats and for an event-driven visit, which can happen any number of times;
  ``Type`` ``Scheduled`` or ``Unscheduled``), its name and timing in both languages in its
  ``Description``, and ``SE.RECORDS`` (``Type="Common"``) for the typed records.
* **Forms and item groups**: one ``FormDef`` per CRF (``Repeating="No"``) with one item
  group; a repeating CRF has a repeating item group (ODM 1.3.2 §3.1.4.3). The typed
  record tables are forms too (``F.RECORDS.*``, see :mod:`~hipectrial.export.odm.layout`).
* **Items**: ``DataType`` from the column type (:mod:`~hipectrial.export.odm.values`),
  ``SignificantDigits`` = the field's ``decimals`` (ODM: digits after the decimal point),
  ``Question`` in both languages, the unit as ``MeasurementUnitRef``, ``min``/``max`` as
  ``RangeCheck`` ``GE``/``LE`` ``SoftHard="Hard"`` with an ``ErrorMessage`` in both
  languages, the code list as ``CodeListRef``, and ``Alias Context="CEL"`` naming the
  variable the protocol's expressions use.
* **Conditions**: a field's ``show_if`` is the ``CollectionExceptionConditionOID`` of its
  ``ItemRef``. ODM collects an item unless that condition is *true*, so its CEL
  ``FormalExpression`` is ``!(show_if)``, parenthesised so that ``!(a || b)`` is not read
  as ``!a || b``; the description says how a blank input is treated (not collected). An edit
  check is a ``ConditionDef`` (``RC.``) true when the check fails, with its message in
  both languages in the ``Description``: ODM 1.3.2 has no element for cross-field checks.
* **Code lists**: every protocol code list (``Decode`` in ``en`` and ``zh-Hans``, the
  CDISC submission value as ``Alias Context="SDTM"``), and the lists of protocol ids and
  vocabularies the typed tables use.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from lxml import etree

from hipectrial.errors import InputError
from hipectrial.export.odm import texts
from hipectrial.export.odm.layout import Item, OdmLayout, Placement
from hipectrial.export.odm.oids import RECORDS_EVENT, dotted, mdv_oid, unit_oid
from hipectrial.export.odm.values import DATA_TYPES
from hipectrial.export.odm.xml import element, sub, translated
from hipectrial.export.tables import Code, Column, ColumnType
from hipectrial.protocol import Protocol
from hipectrial.protocol.common import oid_part
from hipectrial.protocol.regimen import Anchor

PROVENANCE = ("entered_by", "entered_at", "protocol_version", "changed_by", "changed_at")

_RECORDS_TEXTS = (
    "Participant records: the typed records that belong to no visit (participant, doses, "
    "adverse events, laboratory results, tumour assessments, operations, follow-up).",
    "受试者记录：不属于任何访视的结构化记录（受试者、给药、不良事件、实验室检查、肿瘤评估、手术、随访）。",
)
_PROVENANCE_TEXTS = (
    "Provenance of the record (who entered it and when, under which protocol version, who "
    "changed it last and when). The item group's AuditRecord states the latest of entry and "
    "change, as ODM's AuditRecord holds one user and one time; these items carry all of it.",
    "记录的来源信息（录入人及时间、录入时的方案版本、最后修改人及时间）。项目组的AuditRecord"
    "记录录入与修改中最近的一次（ODM的AuditRecord只含一个用户和一个时间）；这些项目完整保存全部信息。",
)


def study_element(protocol: Protocol, layout: OdmLayout) -> etree._Element:
    """The ``Study`` element of ``protocol`` (ODM 1.3.2 §3.1), namespace declared on it."""
    study = protocol.study
    root = element("Study", {"OID": study.id}, root=True)
    glob = sub(root, "GlobalVariables")
    sub(glob, "StudyName", text=study.short_title)
    sub(glob, "StudyDescription", text=study.full_title)
    sub(glob, "ProtocolName", text=study.id)
    units = _units(layout)
    if units:
        basic = sub(root, "BasicDefinitions")
        for unit, oid in units.items():
            mu = sub(basic, "MeasurementUnit", {"OID": oid, "Name": unit})
            symbol = sub(mu, "Symbol")
            sub(symbol, "TranslatedText", text=unit)  # a symbol is the same in every language
    mdv = sub(root, "MetaDataVersion", {
        "OID": mdv_oid(study.version), "Name": f"{study.id} protocol version {study.version}",
        "Description": f"{study.short_title} (protocol version {study.version} of {study.date.isoformat()})",
    })
    proto = sub(mdv, "Protocol")
    translated(proto, "Description", study.design_summary)
    event_oids = [*layout.visit_oids.values(), RECORDS_EVENT]
    for number, oid in enumerate(event_oids, 1):
        sub(proto, "StudyEventRef", {"StudyEventOID": oid, "OrderNumber": str(number), "Mandatory": "No"})
    _study_events(mdv, protocol, layout)
    _forms(mdv, protocol, layout)
    _item_groups(mdv, layout)
    lists = _code_lists(protocol, layout)
    _item_defs(mdv, layout, units, lists)
    _write_code_lists(mdv, protocol, lists)
    _conditions(mdv, protocol, layout)
    return root


def _visits_form(layout: OdmLayout) -> Placement:
    return next(p for p in layout.placements if p.event_column is not None and p.form is None)


def _study_events(mdv: etree._Element, protocol: Protocol, layout: OdmLayout) -> None:
    visits_form = _visits_form(layout).form_oid or ""
    for visit in protocol.visits:
        event = visit.timing.anchor is Anchor.EVENT
        sed = sub(mdv, "StudyEventDef", {
            "OID": visit.resolved_oid, "Name": visit.name.en,
            "Repeating": "Yes" if visit.repeat is not None or event else "No",
            "Type": "Unscheduled" if event else "Scheduled",
        })
        timing_en, timing_zh = texts.visit_timing(protocol, visit)
        translated(sed, "Description", f"{visit.name.en}. {timing_en}", f"{visit.name.zh}。{timing_zh}")
        refs = [(visits_form, False)]
        for form_id in visit.forms:
            refs.append((protocol.form(form_id).resolved_oid, True))
        for form_id in visit.optional_forms:
            refs.append((protocol.form(form_id).resolved_oid, False))
        _form_refs(sed, refs)
        sub(sed, "Alias", {"Context": "hipectrial", "Name": visit.id})
    sed = sub(mdv, "StudyEventDef", {"OID": RECORDS_EVENT, "Name": "Participant records",
                                     "Repeating": "No", "Type": "Common"})
    translated(sed, "Description", *_RECORDS_TEXTS)
    _form_refs(sed, [(p.form_oid, p.table.id == "participants")
                     for p in layout.placements
                     if p.event_oid == RECORDS_EVENT and p.table.parent is None and p.form_oid])


def _form_refs(parent: etree._Element, refs: Sequence[tuple[str | None, bool]]) -> None:
    seen: set[str] = set()
    for oid, mandatory in refs:
        if oid is None or oid in seen:
            continue
        seen.add(oid)
        sub(parent, "FormRef", {"FormOID": oid, "OrderNumber": str(len(seen)),
                                "Mandatory": "Yes" if mandatory else "No"})


def _forms(mdv: etree._Element, protocol: Protocol, layout: OdmLayout) -> None:
    children: dict[str, list[Placement]] = {}
    for p in layout.placements:
        if p.table.parent is not None and p.form_oid is not None:
            children.setdefault(p.form_oid, []).append(p)
    for p in layout.placements:
        if p.form_oid is None or p.table.parent is not None:
            continue
        fd = sub(mdv, "FormDef", {"OID": p.form_oid, "Name": p.table.label_en,
                                  "Repeating": "Yes" if p.form_repeating else "No"})
        en, zh = p.table.label_en, p.table.label_zh
        if p.form is not None and p.form.checks:
            checks = ", ".join(_check_oid(p.form.id, c.id) for c in p.form.checks)
            en, zh = f"{en}. Edit checks: {checks}.", f"{zh}。核查：{checks}。"
        translated(fd, "Description", en, zh)
        groups = [p, *children.get(p.form_oid, [])]
        for number, g in enumerate(groups, 1):
            sub(fd, "ItemGroupRef", {"ItemGroupOID": g.group_oid, "OrderNumber": str(number),
                                     "Mandatory": "Yes" if g is p else "No"})
        sub(fd, "Alias", {"Context": "hipectrial", "Name": p.form.id if p.form else p.table.id})


def _item_groups(mdv: etree._Element, layout: OdmLayout) -> None:
    for p in layout.placements:
        attrib = {"OID": p.group_oid, "Name": p.table.label_en,
                  "Repeating": "Yes" if p.group_repeating else "No"}
        if p.reference:
            attrib["IsReferenceData"] = "Yes"
        ig = sub(mdv, "ItemGroupDef", attrib)
        translated(ig, "Description", p.table.label_en, p.table.label_zh)
        key_number = 0
        for number, item in enumerate(p.items, 1):
            ref = {"ItemOID": item.oid, "OrderNumber": str(number),
                   "Mandatory": "Yes" if _mandatory(item) else "No"}
            if item.column.key:
                key_number += 1
                ref["KeySequence"] = str(key_number)
            if item.field is not None and item.field.show_if is not None:
                ref["CollectionExceptionConditionOID"] = _exception_oid(item.oid)
            sub(ig, "ItemRef", ref)
        sub(ig, "Alias", {"Context": "hipectrial", "Name": p.table.id})


def _mandatory(item: Item) -> bool:
    return item.field.required if item.field is not None else item.column.required


def _units(layout: OdmLayout) -> dict[str, str]:
    units: dict[str, str] = {}
    owners: dict[str, str] = {}
    for p in layout.placements:
        for item in p.items:
            unit = item.column.unit
            if unit is None or unit in units:
                continue
            oid = unit_oid(unit)
            if oid in owners:
                raise InputError("unit", unit, "a unit with an OID of its own",
                                 f"{owners[oid]!r} has the OID {oid} already")
            units[unit], owners[oid] = oid, unit
    return units


def _code_list_name(p: Placement, column: Column) -> str:
    return column.codelist or f"{p.table.id}.{column.name}"


def _code_lists(protocol: Protocol, layout: OdmLayout) -> dict[str, tuple[str, tuple[Code, ...]]]:
    """Code lists by name -> (OID, codes): every protocol list, then the others items use."""
    lists: dict[str, tuple[str, tuple[Code, ...]]] = {c.id: (c.resolved_oid, ()) for c in protocol.codelists}
    for p in layout.placements:
        for item in p.items:
            column = item.column
            if column.type in (ColumnType.CODE, ColumnType.CODES) and column.codes:
                name = _code_list_name(p, column)
                if name not in lists:
                    lists[name] = ("CL." + dotted(name), column.codes)
    owners: dict[str, str] = {}
    for name, (oid, _) in lists.items():
        other = owners.setdefault(oid, name)
        if other != name:
            raise InputError("oid", oid, "an OID used by one code list only",
                             f"code lists {other!r} and {name!r} both get it")
    return lists


def _number(value: float, kind: ColumnType, comparator: str) -> str:
    """A limit as the item's type writes it: an integer item's bound is rounded inward."""
    if kind is ColumnType.INTEGER:
        return str(math.ceil(value) if comparator == "GE" else math.floor(value))
    return format(Decimal(repr(value)), "f")


def _item_defs(mdv: etree._Element, layout: OdmLayout, units: dict[str, str],
               lists: dict[str, tuple[str, tuple[Code, ...]]]) -> None:
    for p in layout.placements:
        provenance = all(name in p.table.names for name in PROVENANCE)
        for item in p.items:
            column = item.column
            attrib = {"OID": item.oid, "Name": column.name, "DataType": DATA_TYPES[column.type]}
            if column.type is ColumnType.DECIMAL and column.decimals is not None:
                attrib["SignificantDigits"] = str(column.decimals)
            item_def = sub(mdv, "ItemDef", attrib)
            descriptions = []
            if item.field is not None and item.field.help is not None:
                descriptions.append((item.field.help.en, item.field.help.zh))
            list_oid = lists[_code_list_name(p, column)][0] if column.codes else None
            if column.type is ColumnType.CODES and list_oid is not None:
                descriptions.append((
                    f"Codes of code list {list_oid}, separated by single spaces, in the order recorded.",
                    f"代码表{list_oid}中的代码，以单个空格分隔，按录入顺序排列。"))
            if provenance and column.name in PROVENANCE:
                descriptions.append(_PROVENANCE_TEXTS)
            if descriptions:
                translated(item_def, "Description", " ".join(d[0] for d in descriptions),
                           "".join(d[1] for d in descriptions))
            translated(item_def, "Question", column.label_en, column.label_zh)
            if column.unit is not None:
                sub(item_def, "MeasurementUnitRef", {"MeasurementUnitOID": units[column.unit]})
            for comparator, limit in (("GE", column.min), ("LE", column.max)):
                if limit is None:
                    continue
                text = _number(limit, column.type, comparator)
                rc = sub(item_def, "RangeCheck", {"Comparator": comparator, "SoftHard": "Hard"})
                sub(rc, "CheckValue", text=text)
                translated(rc, "ErrorMessage", *texts.bound_message(
                    (column.label_en, column.label_zh), comparator, text, column.unit))
            if column.type is ColumnType.CODE and list_oid is not None:
                sub(item_def, "CodeListRef", {"CodeListOID": list_oid})
            if item.field is not None:
                sub(item_def, "Alias", {"Context": "CEL", "Name": item.field.id})


def _write_code_lists(mdv: etree._Element, protocol: Protocol,
                      lists: dict[str, tuple[str, tuple[Code, ...]]]) -> None:
    for name, (oid, codes) in lists.items():
        protocol_list = next((c for c in protocol.codelists if c.id == name), None)
        if protocol_list is not None:
            title = protocol_list.label.en if protocol_list.label else name
            items: list[Code] = [Code(i.code, i.label.en, i.label.zh, i.submission_value)
                                 for i in protocol_list.items]
        else:
            title, items = name, list(codes)
        cl = sub(mdv, "CodeList", {"OID": oid, "Name": title, "DataType": "text"})
        for number, code in enumerate(items, 1):
            cli = sub(cl, "CodeListItem", {"CodedValue": code.code, "OrderNumber": str(number)})
            translated(cli, "Decode", code.label_en, code.label_zh)
            if code.submission_value is not None:
                sub(cli, "Alias", {"Context": "SDTM", "Name": code.submission_value})
        sub(cl, "Alias", {"Context": "hipectrial", "Name": name})


def _exception_oid(item_oid: str) -> str:
    return "CE." + item_oid.removeprefix("IT.")


def _check_oid(form_id: str, check_id: str) -> str:
    return f"RC.{oid_part(form_id)}.{oid_part(check_id)}"


def _conditions(mdv: etree._Element, protocol: Protocol, layout: OdmLayout) -> None:
    for p in layout.placements:
        for item in p.items:
            if item.field is None or item.field.show_if is None:
                continue
            source = item.field.show_if.source
            cd = sub(mdv, "ConditionDef", {"OID": _exception_oid(item.oid),
                                           "Name": f"{item.field.id} not collected"})
            translated(cd, "Description", *texts.exception_description(item.field, source))
            sub(cd, "FormalExpression", {"Context": "CEL"}, f"!({source})")
    for form in protocol.forms:
        for check in form.checks:
            cd = sub(mdv, "ConditionDef", {"OID": _check_oid(form.id, check.id), "Name": check.id})
            translated(cd, "Description", *texts.check_description(form.id, check))
            sub(cd, "FormalExpression", {"Context": "CEL"}, f"!({check.expression.source})")

