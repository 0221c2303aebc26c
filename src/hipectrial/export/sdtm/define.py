"""Define-XML 2.1: the metadata of the SDTM datasets, and its validation against the schema.

:func:`define_xml` describes every dataset (``ItemGroupDef`` with ``def:Structure``,
``def:Class``, ``Purpose="Tabulation"``, keys as ``KeySequence``, ``def:leaf`` to its
``.xpt``), every variable (``ItemDef``: data type, length from the values, significant
digits of decimals, ``def:Origin``, code list, a ``MethodDef`` for each derived variable, a
``def:CommentDef`` for sponsor notes), value-level metadata where a dataset gives it
(``QVAL`` by ``QNAM``), the code lists (CDISC ones with their NCI codes as
``nci:ExtCodeID`` aliases, sponsor extensions marked ``def:ExtendedValue``), and the
standards (SDTMIG 3.4 and the CDISC CT version). It is metadata only: its size does not grow
with the number of participants, so it is built as one tree.

:func:`validate_define` checks a document against the Define-XML 2.1 schema that odmlib
ships (``odmlib/schemas/define/2.1/define2-1-0.xsd``, which imports its local ODM 1.3.2,
xlink and xml schemas: no network).

References
----------
CDISC Define-XML 2.1 specification (§4 element reference: ItemGroupDef, ItemDef, CodeList,
MethodDef, CommentDef, def:Standards, def:leaf); ODM 1.3.2.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hipectrial.errors import InputError
from hipectrial.export.sdtm.model import CodeList, Dataset, Origin, Value, ValueLevel, Variable, VarType
from hipectrial.export.sdtm.terminology import CT_VERSION
from hipectrial.export.sdtm.trial_summary import SDTMIG_VERSION

if TYPE_CHECKING:
    from lxml import etree

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
DEF_NS = "http://www.cdisc.org/ns/def/v2.1"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
IG_STANDARD = f"STD.SDTMIG.{SDTMIG_VERSION}"
CT_STANDARD = f"STD.CT.SDTM.{CT_VERSION}"
_SOURCES = {Origin.COLLECTED: "Investigator", Origin.ASSIGNED: "Sponsor", Origin.PROTOCOL: "Sponsor"}


def xpt_file_name(dataset: Dataset) -> str:
    """The file a dataset is written to: its name in lower case, ``.xpt`` (``suppdm.xpt``)."""
    return f"{dataset.domain.lower()}.xpt"


def _o(tag: str) -> str:
    return f"{{{ODM_NS}}}{tag}"


def _d(tag: str) -> str:
    return f"{{{DEF_NS}}}{tag}"


def _description(parent: etree._Element, text: str) -> None:
    from lxml import etree

    description = etree.SubElement(parent, _o("Description"))
    translated = etree.SubElement(description, _o("TranslatedText"))
    translated.set(f"{{{XML_NS}}}lang", "en")
    translated.text = text


@dataclass(frozen=True, slots=True)
class _ItemDef:
    """An ItemDef to write: a dataset variable, or a value-level item (``where``: the
    position and value of the variable that selects its rows)."""

    oid: str
    dataset: Dataset
    position: int
    variable: Variable
    value_list: str | None
    where: tuple[int, str] | None = None


def _lengths(values: Sequence[Value], variable: Variable) -> tuple[str, int | None, int | None]:
    """(DataType, Length, SignificantDigits) of a variable from its non-missing values."""
    if variable.type is VarType.CHAR:
        # Length in bytes as XPT stores the text: one byte per character once non-ASCII
        # characters are replaced (a folder's values are ASCII: .limits refuses others).
        sizes = set(map(len, map(str, values)))
        if variable.iso8601 and sizes == {10}:
            return "date", None, None
        return "text", max(sizes, default=1), None
    if set(map(type, values)) <= {int}:  # the usual case (--SEQ, --DY), in C loops
        return "integer", max(map(len, map(str, map(abs, values))), default=1), None  # type: ignore[arg-type]
    if all(isinstance(v, int) or float(v).is_integer() for v in values):  # type: ignore[arg-type]
        return "integer", max((len(str(abs(int(v)))) for v in values), default=1), None  # type: ignore[arg-type]
    decimals = max(len(repr(float(v)).split(".")[1]) if "." in repr(float(v)) else 0  # type: ignore[arg-type]
                   for v in values)
    digits = max(len(repr(abs(float(v))).replace(".", "")) for v in values)  # type: ignore[arg-type]
    return "float", digits, decimals


def _values(entry: _ItemDef, columns: dict[str, list[tuple[Value, ...]]]) -> list[Value]:
    """The non-missing values an ItemDef describes: its column (computed once per dataset),
    or the rows its where clause selects for a value-level item. ``columns`` holds the
    columns of the dataset last asked for (ItemDefs come dataset by dataset)."""
    dataset, position, where = entry.dataset, entry.position, entry.where
    if where is not None:
        return [row[position] for row in dataset.rows
                if row[position] is not None and row[where[0]] == where[1]]
    if dataset.domain not in columns:
        columns.clear()
        columns[dataset.domain] = list(zip(*dataset.rows, strict=True)) or [()] * len(dataset.variables)
    return [value for value in columns[dataset.domain][position] if value is not None]


def _merged_codelists(datasets: Sequence[Dataset]) -> dict[str, CodeList]:
    """Code lists by id; one list used by several datasets lists the union of their terms."""
    found: dict[str, CodeList] = {}
    for dataset in datasets:
        for codelist in dataset.codelists:
            known = found.get(codelist.id)
            if known is None:
                found[codelist.id] = codelist
                continue
            items = dict(known.items)
            for value, decode in codelist.items:
                items.setdefault(value, decode)
            found[codelist.id] = CodeList(
                known.id, known.name, known.data_type, tuple(items.items()),
                known.extensible, known.nci_code,
                tuple((dict(known.item_codes) | dict(codelist.item_codes)).items()),
                tuple(dict.fromkeys(known.extended + codelist.extended)))
    return found


def define_xml(datasets: Sequence[Dataset], *, study_id: str, study_name: str, description: str,
               created: dt.datetime, source_version: str) -> bytes:
    """The Define-XML 2.1 document (UTF-8 bytes) describing ``datasets``.

    Raises
    ------
    InputError
        (field ``<dataset>.<variable>``) for a variable naming a code list its dataset does
        not define, or a derived variable without a derivation.
    """
    from lxml import etree

    nsmap: dict[str | None, str] = {None: ODM_NS, "def": DEF_NS, "xlink": XLINK_NS}
    odm = etree.Element(_o("ODM"), nsmap=nsmap)  # type: ignore[arg-type]  # None: the default namespace
    for name, value in (("FileType", "Snapshot"), ("FileOID", f"DEFINE.{study_id}.SDTM"),
                        ("CreationDateTime", created.isoformat(timespec="seconds")),
                        ("ODMVersion", "1.3.2"), ("Originator", "hipectrial"),
                        ("SourceSystem", "hipectrial"), ("SourceSystemVersion", source_version)):
        odm.set(name, value)
    odm.set(_d("Context"), "Submission")
    study = etree.SubElement(odm, _o("Study"), OID=f"STDY.{study_id}")
    globals_ = etree.SubElement(study, _o("GlobalVariables"))
    etree.SubElement(globals_, _o("StudyName")).text = study_id
    etree.SubElement(globals_, _o("StudyDescription")).text = study_name
    etree.SubElement(globals_, _o("ProtocolName")).text = study_id
    mdv = etree.SubElement(study, _o("MetaDataVersion"), OID=f"MDV.{study_id}.SDTMIG.{SDTMIG_VERSION}",
                           Name=f"{study_id} SDTM", Description=description)
    mdv.set(_d("DefineVersion"), "2.1.0")
    standards = etree.SubElement(mdv, _d("Standards"))
    etree.SubElement(standards, _d("Standard"), OID=IG_STANDARD, Name="SDTMIG", Type="IG",
                     Version=SDTMIG_VERSION, Status="Final")
    etree.SubElement(standards, _d("Standard"), OID=CT_STANDARD, Name="CDISC/NCI", Type="CT",
                     PublishingSet="SDTM", Version=CT_VERSION, Status="Final")
    codelists = _merged_codelists(datasets)
    methods: list[tuple[str, str, str]] = []
    comments: list[tuple[str, str]] = []
    item_defs: list[_ItemDef] = []
    # Define-XML 2.1 schema order: every def:ValueListDef, then every def:WhereClauseDef.
    for dataset in datasets:
        _value_lists(mdv, dataset, item_defs)
    for dataset in datasets:
        _where_clauses(mdv, dataset)
    for dataset in datasets:
        _item_group(mdv, dataset, codelists, methods, item_defs)
    columns: dict[str, list[tuple[Value, ...]]] = {}
    for entry in item_defs:
        _item_def(mdv, entry, codelists, comments, _lengths(_values(entry, columns), entry.variable))
    for codelist in codelists.values():
        _codelist(mdv, codelist)
    for oid, name, text in methods:
        method = etree.SubElement(mdv, _o("MethodDef"), OID=oid, Name=name, Type="Computation")
        _description(method, text)
    for oid, text in comments:
        comment = etree.SubElement(mdv, _d("CommentDef"), OID=oid)
        _description(comment, text)
    return bytes(etree.tostring(odm, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _value_lists(mdv: etree._Element, dataset: Dataset, item_defs: list[_ItemDef]) -> None:
    """def:ValueListDef of the dataset's value-level metadata (the ItemDefs they need are
    added to ``item_defs``); their where clauses come from :func:`_where_clauses`."""
    from lxml import etree

    by_variable: dict[str, list[ValueLevel]] = {}
    for level in dataset.value_levels:
        by_variable.setdefault(level.variable, []).append(level)
    for name, levels in by_variable.items():
        value_list = etree.SubElement(mdv, _d("ValueListDef"), OID=f"VL.{dataset.domain}.{name}")
        for number, level in enumerate(levels, start=1):
            oid = f"IT.{dataset.domain}.{name}.{level.where_value}"
            ref = etree.SubElement(value_list, _o("ItemRef"), ItemOID=oid, OrderNumber=str(number),
                                   Mandatory="No")
            etree.SubElement(ref, _d("WhereClauseRef"),
                             WhereClauseOID=f"WC.{dataset.domain}.{level.where_variable}.{level.where_value}")
            item_defs.append(_ItemDef(oid, dataset, dataset.index(name), level.item, None,
                                      (dataset.index(level.where_variable), level.where_value)))


def _where_clauses(mdv: etree._Element, dataset: Dataset) -> None:
    """def:WhereClauseDef of each value level of the dataset (the rows it describes)."""
    from lxml import etree

    for level in dataset.value_levels:
        clause = etree.SubElement(
            mdv, _d("WhereClauseDef"),
            OID=f"WC.{dataset.domain}.{level.where_variable}.{level.where_value}")
        check = etree.SubElement(clause, _o("RangeCheck"), SoftHard="Soft", Comparator="EQ")
        check.set(_d("ItemOID"), f"IT.{dataset.domain}.{level.where_variable}")
        etree.SubElement(check, _o("CheckValue")).text = level.where_value


def _item_group(mdv: etree._Element, dataset: Dataset, codelists: dict[str, CodeList],
                methods: list[tuple[str, str, str]], item_defs: list[_ItemDef]) -> None:
    from lxml import etree

    name = dataset.domain
    domain = name[4:] if name.startswith("SUPP") and len(name) > 4 else name
    group = etree.SubElement(
        mdv, _o("ItemGroupDef"), OID=f"IG.{name}", Domain=domain, Name=name,
        Repeating="Yes" if dataset.repeating else "No",
        IsReferenceData="Yes" if dataset.observation_class == "TRIAL DESIGN" else "No",
        SASDatasetName=name, Purpose="Tabulation")
    group.set(_d("Structure"), dataset.structure)
    group.set(_d("ArchiveLocationID"), f"LF.{name}")
    group.set(_d("StandardOID"), IG_STANDARD)
    _description(group, dataset.label)
    levels = {level.variable for level in dataset.value_levels}
    for position, variable in enumerate(dataset.variables):
        oid = f"IT.{name}.{variable.name}"
        ref = etree.SubElement(group, _o("ItemRef"), ItemOID=oid, OrderNumber=str(position + 1),
                               Mandatory="Yes" if variable.core.value == "Req" else "No")
        if variable.name in dataset.keys:
            ref.set("KeySequence", str(dataset.keys.index(variable.name) + 1))
        if variable.origin is Origin.DERIVED:
            if not variable.derivation:
                raise InputError(f"{name}.{variable.name}", None, "a derivation for a derived variable")
            method = f"MT.{name}.{variable.name}"
            methods.append((method, f"Algorithm to derive {name}.{variable.name}", variable.derivation))
            ref.set("MethodOID", method)
        ref.set("Role", variable.role)
        if variable.codelist is not None and variable.codelist not in codelists:
            raise InputError(f"{name}.{variable.name}", variable.codelist,
                             "a code list the dataset defines")
        item_defs.append(_ItemDef(oid, dataset, position, variable,
                                  f"VL.{name}.{variable.name}" if variable.name in levels else None))
    etree.SubElement(group, _d("Class"), Name=dataset.observation_class)
    leaf = etree.SubElement(group, _d("leaf"), ID=f"LF.{name}")
    leaf.set(f"{{{XLINK_NS}}}href", xpt_file_name(dataset))
    etree.SubElement(leaf, _d("title")).text = xpt_file_name(dataset)


def _item_def(mdv: etree._Element, entry: _ItemDef, codelists: dict[str, CodeList],
              comments: list[tuple[str, str]], lengths: tuple[str, int | None, int | None]) -> None:
    from lxml import etree

    oid, dataset, position, variable, value_list = (
        entry.oid, entry.dataset, entry.position, entry.variable, entry.value_list)
    data_type, length, digits = lengths
    item = etree.SubElement(mdv, _o("ItemDef"), OID=oid, Name=variable.name, DataType=data_type)
    if length is not None:
        item.set("Length", str(length))
    if digits is not None:
        item.set("SignificantDigits", str(digits))
    item.set("SASFieldName", dataset.variables[position].name)
    if variable.comment:
        comment_oid = f"COM.{oid[3:]}"
        comments.append((comment_oid, variable.comment))
        item.set(_d("CommentOID"), comment_oid)
    _description(item, variable.label)
    if variable.codelist is not None and variable.codelist in codelists:
        etree.SubElement(item, _o("CodeListRef"), CodeListOID=f"CL.{variable.codelist}")
    origin = etree.SubElement(item, _d("Origin"), Type=variable.origin.value)
    if variable.origin in _SOURCES:
        origin.set("Source", _SOURCES[variable.origin])
    if value_list is not None:
        etree.SubElement(item, _d("ValueListRef"), ValueListOID=value_list)


def _codelist(mdv: etree._Element, codelist: CodeList) -> None:
    from lxml import etree

    element = etree.SubElement(mdv, _o("CodeList"), OID=f"CL.{codelist.id}", Name=codelist.name,
                               DataType="text" if codelist.data_type is VarType.CHAR else "float")
    if codelist.nci_code is not None:
        element.set(_d("StandardOID"), CT_STANDARD)
    decoded = any(decode for _, decode in codelist.items)
    codes = dict(codelist.item_codes)
    for value, decode in codelist.items:
        if decoded:
            entry = etree.SubElement(element, _o("CodeListItem"), CodedValue=value)
            decode_element = etree.SubElement(entry, _o("Decode"))
            text = etree.SubElement(decode_element, _o("TranslatedText"))
            text.set(f"{{{XML_NS}}}lang", "en")
            text.text = decode or value
        else:
            entry = etree.SubElement(element, _o("EnumeratedItem"), CodedValue=value)
        if value in codelist.extended:
            entry.set(_d("ExtendedValue"), "Yes")
        if value in codes:
            etree.SubElement(entry, _o("Alias"), Context="nci:ExtCodeID", Name=codes[value])
    if codelist.nci_code is not None:
        etree.SubElement(element, _o("Alias"), Context="nci:ExtCodeID", Name=codelist.nci_code)


@cache
def _schema() -> etree.XMLSchema:
    from lxml import etree

    base = resources.files("odmlib") / "schemas" / "define" / "2.1" / "define2-1-0.xsd"
    return etree.XMLSchema(etree.parse(str(base)))


def validate_define(document: bytes | Path) -> list[str]:
    """Schema errors of a Define-XML 2.1 document (``[]`` when it is valid), each with its
    line number.

    The document is parsed without entities or network (it may come from a folder a user
    gives).
    """
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        if isinstance(document, Path):
            tree = etree.parse(str(document), parser)
        else:
            tree = etree.ElementTree(etree.fromstring(document, parser))
    except (etree.XMLSyntaxError, OSError) as exc:
        return [f"not well-formed XML: {exc}"]
    schema = _schema()
    if schema.validate(tree):
        return []
    errors: Iterable[Any] = schema.error_log  # type: ignore[assignment]  # the stubs leave _ErrorLog empty
    return [f"line {error.line}: {error.message}" for error in errors]
