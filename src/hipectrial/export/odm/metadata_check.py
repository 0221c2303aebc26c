"""Does a document's own metadata describe the protocol's data? A structural comparison.

A document that carries a ``Study`` with the protocol's metadata version must define the
same study events, forms, item groups, items and code lists as the protocol: the same
repetition, the same members, the same data types, code lists and units, the same codes.
Labels, descriptions and order may differ (a typo fixed in a label changes no value's
meaning); a different structure under the same version means the data were made with
another protocol file, and they are refused rather than read with the wrong one.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from hipectrial.export.odm.xml import q

Signature = tuple[tuple[str, object], ...]

_KINDS = ("StudyEventDef", "FormDef", "ItemGroupDef", "ItemDef", "CodeList")


def _refs(node: etree._Element, tag: str, attribute: str) -> frozenset[str]:
    return frozenset(r.get(attribute) or "" for r in node.iterchildren(q(tag)))


def _signature(kind: str, node: etree._Element) -> Signature:
    if kind == "StudyEventDef":
        return (("Repeating", node.get("Repeating")), ("forms", _refs(node, "FormRef", "FormOID")))
    if kind == "FormDef":
        return (("Repeating", node.get("Repeating")),
                ("item groups", _refs(node, "ItemGroupRef", "ItemGroupOID")))
    if kind == "ItemGroupDef":
        return (("Repeating", node.get("Repeating")), ("items", _refs(node, "ItemRef", "ItemOID")))
    if kind == "ItemDef":
        return (("DataType", node.get("DataType")),
                ("code list", _refs(node, "CodeListRef", "CodeListOID")),
                ("unit", _refs(node, "MeasurementUnitRef", "MeasurementUnitOID")))
    return (("codes", _refs(node, "CodeListItem", "CodedValue")),)


def _definitions(mdv: etree._Element) -> dict[tuple[str, str], tuple[etree._Element, Signature]]:
    found: dict[tuple[str, str], tuple[etree._Element, Signature]] = {}
    for kind in _KINDS:
        for node in mdv.iterchildren(q(kind)):
            found[(kind, node.get("OID") or "")] = (node, _signature(kind, node))
    return found


def _shown(value: object) -> str:
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(value)) + "}" if value else "none"
    return repr(value)


def metadata_differences(given: etree._Element, expected: etree._Element
                         ) -> Iterator[tuple[etree._Element, str, str]]:
    """(node, path, message) for each definition of ``given`` (a ``MetaDataVersion``) that
    differs from ``expected``'s, and one for the definitions ``given`` lacks."""
    ours = _definitions(expected)
    theirs = _definitions(given)
    for (kind, oid), (node, signature) in theirs.items():
        path = f"MetaDataVersion / {kind} {oid}"
        if (kind, oid) not in ours:
            yield node, path, "a definition the protocol does not have"
            continue
        wanted_signature: Signature = ours[(kind, oid)][1]
        for (name, value), (_, wanted) in zip(signature, wanted_signature, strict=True):
            if value != wanted:
                yield node, path, f"{name} {_shown(value)}; the protocol's is {_shown(wanted)}"
    missing = [f"{kind} {oid}" for kind, oid in ours if (kind, oid) not in theirs]
    if missing:
        shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
        yield given, "MetaDataVersion", f"it lacks the protocol's definitions {shown}"
