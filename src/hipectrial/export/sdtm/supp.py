"""Supplemental qualifiers (``SUPP--``): values a domain has no standard variable for.

One :class:`Qualifier` per ``QNAM`` says its label, origin and code list; one
:class:`SuppValue` per value says whose it is (``USUBJID``, and the parent record by
``IDVAR``/``IDVARVAL`` when the qualifier belongs to a record rather than to the subject).
:func:`supp_dataset` builds the ``SUPP<domain>`` dataset with a value-level description of
``QVAL`` for each ``QNAM``, so Define-XML can say what each qualifier is.

References
----------
SDTMIG 3.4 §8.4 (Relating non-standard variable values to a parent domain), §8.4.1 (SUPPQUAL
structure: STUDYID, RDOMAIN, USUBJID, IDVAR, IDVARVAL, QNAM, QLABEL, QVAL, QORIG, QEVAL).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hipectrial.errors import InputError
from hipectrial.export.sdtm.model import CodeList, Dataset, Origin, Value, ValueLevel, Variable, VarType
from hipectrial.export.sdtm.variables import (
    EXP,
    IDENTIFIER,
    PERM,
    REQ,
    TOPIC,
    build_dataset,
    studyid,
    usubjid,
)

CHAR = VarType.CHAR


@dataclass(frozen=True, slots=True)
class Qualifier:
    """One supplemental qualifier: ``QNAM`` (<= 8 characters), ``QLABEL`` (<= 40), its
    origin, and the code list of its values (an id among the codelists given to
    :func:`supp_dataset`) or ``None``; ``derivation`` for a derived one."""

    qnam: str
    qlabel: str
    origin: Origin
    codelist: str | None = None
    derivation: str | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class SuppValue:
    """One value of a qualifier: for subject ``usubjid`` (and the parent record named by
    ``idvar`` = ``idvarval``, e.g. ``AESEQ`` = ``"3"``, or neither for a subject-level
    qualifier)."""

    usubjid: str
    qnam: str
    qval: str
    idvar: str | None = None
    idvarval: str | None = None
    qeval: str | None = None


def supp_dataset(*, studyid_value: str, parent: str, parent_label: str,
                 qualifiers: Sequence[Qualifier], values: Iterable[SuppValue],
                 codelists: Sequence[CodeList] = ()) -> Dataset:
    """``SUPP<parent>``: one record per value, sorted by USUBJID, IDVAR, IDVARVAL and the
    qualifiers' order.

    Raises
    ------
    InputError
        (field ``SUPP<parent>.QNAM``) for a value of a qualifier not declared.
    """
    name = f"SUPP{parent}"
    order = {q.qnam: i for i, q in enumerate(qualifiers)}
    records: list[dict[str, Value]] = []
    for value in values:
        if value.qnam not in order:
            raise InputError(f"{name}.QNAM", value.qnam, "a declared qualifier",
                             "declared: " + ", ".join(order))
        qualifier = qualifiers[order[value.qnam]]
        records.append({
            "STUDYID": studyid_value, "RDOMAIN": parent, "USUBJID": value.usubjid,
            "IDVAR": value.idvar, "IDVARVAL": value.idvarval, "QNAM": value.qnam,
            "QLABEL": qualifier.qlabel, "QVAL": value.qval, "QORIG": qualifier.origin.value,
            "QEVAL": value.qeval,
        })
    variables = (
        studyid(),
        Variable("RDOMAIN", "Related Domain Abbreviation", CHAR, REQ, IDENTIFIER, Origin.ASSIGNED),
        usubjid(),
        Variable("IDVAR", "Identifying Variable", CHAR, EXP, IDENTIFIER, Origin.ASSIGNED),
        Variable("IDVARVAL", "Identifying Variable Value", CHAR, EXP, IDENTIFIER, Origin.DERIVED,
                 derivation="The value of IDVAR on the parent record."),
        Variable("QNAM", "Qualifier Variable Name", CHAR, REQ, TOPIC, Origin.ASSIGNED),
        Variable("QLABEL", "Qualifier Variable Label", CHAR, REQ, "Synonym Qualifier", Origin.ASSIGNED),
        Variable("QVAL", "Data Value", CHAR, REQ, "Result Qualifier", Origin.COLLECTED),
        Variable("QORIG", "Origin", CHAR, REQ, "Record Qualifier", Origin.ASSIGNED),
        Variable("QEVAL", "Evaluator", CHAR, EXP, "Record Qualifier", Origin.ASSIGNED),
    )
    levels = tuple(
        ValueLevel("QVAL", "QNAM", q.qnam,
                   Variable(q.qnam, q.qlabel, CHAR, PERM, "Result Qualifier", q.origin,
                            codelist=q.codelist, derivation=q.derivation, comment=q.comment))
        for q in qualifiers)
    return build_dataset(
        domain=name, label=f"Supplemental Qualifiers for {parent}", observation_class="RELATIONSHIP",
        structure=f"One record per supplemental qualifier per related {parent_label} record",
        keys=("STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM"), variables=variables,
        records=records, codelists=codelists, value_levels=levels,
        sort_key=lambda r: (r["USUBJID"], r["IDVAR"] or "", _numeric(r["IDVARVAL"]),
                            order[str(r["QNAM"])]),
    )


def _numeric(value: Value) -> tuple[int, float, str]:
    """IDVARVAL sorts as a number when it is one (``--SEQ`` values: "2" before "10")."""
    text = "" if value is None else str(value)
    try:
        return (0, float(text), "")
    except ValueError:
        return (1, 0.0, text)
