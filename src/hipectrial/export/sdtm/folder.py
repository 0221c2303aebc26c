"""Reading an SDTM folder back (``define.xml`` + one ``.xpt`` per dataset) for the check.

The metadata (variables' labels, types, origins, code lists, keys, value-level metadata)
come from define.xml, the values from the .xpt files; what the two disagree on, or what
cannot be read, is a finding (``define-mismatch``, ``define-invalid``, ``unreadable``), so a
folder that was edited by hand after the export is judged as it is now.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hipectrial.errors import InputError
from hipectrial.export.sdtm.check import Finding
from hipectrial.export.sdtm.define import DEF_NS, ODM_NS, XLINK_NS, validate_define
from hipectrial.export.sdtm.model import CodeList, Core, Dataset, Origin, ValueLevel, Variable, VarType
from hipectrial.export.sdtm.xpt import read_xpt

if TYPE_CHECKING:
    from lxml import etree

DEFINE = "define.xml"
_NS = {"odm": ODM_NS, "def": DEF_NS, "xlink": XLINK_NS}


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    found = element.find("odm:Description/odm:TranslatedText", _NS)
    return found.text or "" if found is not None else ""


def _variable(item: etree._Element, mandatory: bool, role: str) -> Variable:
    data_type = item.get("DataType", "text")
    origin = item.find("def:Origin", _NS)
    try:
        origin_type = Origin(origin.get("Type", "")) if origin is not None else Origin.ASSIGNED
    except ValueError:
        origin_type = Origin.ASSIGNED
    ref = item.find("odm:CodeListRef", _NS)
    codelist = ref.get("CodeListOID", "").removeprefix("CL.") if ref is not None else None
    name = item.get("Name", "")
    return Variable(
        name, _text(item), VarType.NUM if data_type in ("integer", "float") else VarType.CHAR,
        Core.REQ if mandatory else Core.PERM, role, origin_type, codelist=codelist or None,
        derivation="(derived)" if origin_type is Origin.DERIVED else None,
        iso8601=data_type in ("date", "datetime") or name.endswith("DTC"))


def _codelists(mdv: etree._Element) -> dict[str, CodeList]:
    found: dict[str, CodeList] = {}
    for element in mdv.findall("odm:CodeList", _NS):
        items: list[tuple[str, str | None]] = []
        codes: list[tuple[str, str]] = []
        extended: list[str] = []
        for entry in element:
            if entry.tag not in (f"{{{ODM_NS}}}CodeListItem", f"{{{ODM_NS}}}EnumeratedItem"):
                continue
            value = entry.get("CodedValue", "")
            decode = entry.find("odm:Decode/odm:TranslatedText", _NS)
            items.append((value, decode.text if decode is not None else None))
            alias = entry.find("odm:Alias", _NS)
            if alias is not None:
                codes.append((value, alias.get("Name", "")))
            if entry.get(f"{{{DEF_NS}}}ExtendedValue") == "Yes":
                extended.append(value)
        alias = element.find("odm:Alias", _NS)
        list_id = element.get("OID", "").removeprefix("CL.")
        found[list_id] = CodeList(list_id, element.get("Name", ""), VarType.CHAR, tuple(items),
                                  nci_code=alias.get("Name") if alias is not None else None,
                                  item_codes=tuple(codes), extended=tuple(extended))
    return found


def read_folder(folder: Path) -> tuple[tuple[Dataset, ...], list[Finding]]:
    """The datasets of an export folder and the findings of reading it.

    Raises
    ------
    InputError
        (field ``folder``) when ``folder`` is not a folder or has no define.xml.
    """
    from lxml import etree

    if not folder.is_dir():
        raise InputError("folder", str(folder), "a folder written by `hipectrial export sdtm`")
    define = folder / DEFINE
    if not define.is_file():
        raise InputError("folder", str(folder), f"a folder with {DEFINE}", "the export writes one")
    findings = [Finding("define-invalid", DEFINE, None, None, None, error)
                for error in validate_define(define)]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.parse(str(define), parser).getroot()
    except etree.XMLSyntaxError as exc:
        return (), [*findings, Finding("unreadable", DEFINE, None, None, None, str(exc))]
    mdv = root.find("odm:Study/odm:MetaDataVersion", _NS)
    if mdv is None:
        return (), [*findings, Finding("unreadable", DEFINE, None, None, None, "no MetaDataVersion")]
    items = {item.get("OID", ""): item for item in mdv.findall("odm:ItemDef", _NS)}
    codelists = _codelists(mdv)
    described: set[str] = set()
    datasets: list[Dataset] = []
    for group in mdv.findall("odm:ItemGroupDef", _NS):
        dataset, problems = _dataset(folder, mdv, group, items, codelists)
        findings.extend(problems)
        leaf = group.find("def:leaf", _NS)
        if leaf is not None:
            described.add(leaf.get(f"{{{XLINK_NS}}}href", ""))
        if dataset is not None:
            datasets.append(dataset)
    for path in sorted(folder.glob("*.xpt")):
        if path.name not in described:
            findings.append(Finding("define-mismatch", path.name, None, None, None,
                                    "an .xpt file define.xml does not describe"))
    return tuple(datasets), findings


def _dataset(folder: Path, mdv: etree._Element, group: etree._Element,
             items: dict[str, etree._Element], codelists: dict[str, CodeList]
             ) -> tuple[Dataset | None, list[Finding]]:
    name = group.get("Name", "")
    leaf = group.find("def:leaf", _NS)
    href = leaf.get(f"{{{XLINK_NS}}}href", "") if leaf is not None else ""
    path = folder / href
    if not href or not path.is_file():
        return None, [Finding("define-mismatch", name, None, None, href,
                              "define.xml names a dataset file that is not in the folder")]
    try:
        member, label, columns, rows = read_xpt(path)
    except InputError as exc:
        return None, [Finding("unreadable", name, None, None, href, str(exc))]
    variables: list[Variable] = []
    keys: dict[int, str] = {}
    levels: list[ValueLevel] = []
    for ref in group.findall("odm:ItemRef", _NS):
        item = items.get(ref.get("ItemOID", ""))
        if item is None:
            continue
        variable = _variable(item, ref.get("Mandatory") == "Yes", ref.get("Role", ""))
        variables.append(variable)
        if ref.get("KeySequence"):
            keys[int(ref.get("KeySequence", "0"))] = variable.name
        value_list = item.find("def:ValueListRef", _NS)
        if value_list is not None:
            levels.extend(_levels(mdv, value_list.get("ValueListOID", ""), variable.name, items))
    findings: list[Finding] = []
    if [c[0] for c in columns] != [v.name for v in variables]:
        findings.append(Finding("define-mismatch", name, None, None, ", ".join(c[0] for c in columns),
                                "the .xpt variables differ from define.xml's: "
                                + ", ".join(v.name for v in variables)))
        return None, findings
    for (column, column_label, kind), variable in zip(columns, variables, strict=True):
        if kind is not variable.type or column_label != variable.label:
            findings.append(Finding("define-mismatch", name, column, None, column_label,
                                    f"define.xml gives {variable.type.value} '{variable.label}'"))
    if member != name or label != _text(group):
        findings.append(Finding("define-mismatch", name, None, None, f"{member}: {label}",
                                f"define.xml gives {name}: {_text(group)}"))
    used = {v.codelist for v in variables} | {lv.item.codelist for lv in levels}
    class_element = group.find("def:Class", _NS)
    return Dataset(
        domain=name, label=label, observation_class=class_element.get("Name", "") if class_element is not None
        else "", structure=group.get(f"{{{DEF_NS}}}Structure", ""),
        keys=tuple(keys[k] for k in sorted(keys)), variables=tuple(variables), rows=rows,
        codelists=tuple(c for i, c in codelists.items() if i in used),
        repeating=group.get("Repeating") != "No", value_levels=tuple(levels)), findings


def _levels(mdv: etree._Element, oid: str, variable: str,
            items: dict[str, etree._Element]) -> list[ValueLevel]:
    found: list[ValueLevel] = []
    value_list = next((v for v in mdv.findall("def:ValueListDef", _NS) if v.get("OID") == oid), None)
    if value_list is None:
        return found
    clauses = {c.get("OID"): c for c in mdv.findall("def:WhereClauseDef", _NS)}
    for ref in value_list.findall("odm:ItemRef", _NS):
        item = items.get(ref.get("ItemOID", ""))
        where = ref.find("def:WhereClauseRef", _NS)
        clause = clauses.get(where.get("WhereClauseOID")) if where is not None else None
        check = clause.find("odm:RangeCheck", _NS) if clause is not None else None
        value = check.find("odm:CheckValue", _NS) if check is not None else None
        target = items.get(check.get(f"{{{DEF_NS}}}ItemOID", "")) if check is not None else None
        if item is None or value is None or target is None:
            continue
        found.append(ValueLevel(variable, target.get("Name", ""), value.text or "",
                                _variable(item, False, "")))
    return found
