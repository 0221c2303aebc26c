"""The variables every domain shares, and how a domain turns its records into a dataset.

The identifiers (``STUDYID``, ``DOMAIN``, ``USUBJID``, ``--SEQ``), timing variables
(``VISITNUM``, ``VISIT``, ``EPOCH``, ``--DTC``, ``--DY``) have the same label, type, role
and derivation in every domain (SDTMIG 3.4 §4.1, §4.4); :func:`build_dataset` sorts a
domain's records by its keys and numbers ``--SEQ`` 1..n per subject in that order, so every
domain states its sort order once, as its keys.

References
----------
SDTMIG 3.4 §4.1.2 (identifiers; --SEQ unique within a subject), §4.4.4 (study day), §4.4.6
(EPOCH), §4.4.8 (ISO 8601).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal

from hipectrial.errors import InputError
from hipectrial.export.sdtm.context import FOLLOW_UP, SCREENING, TREATMENT
from hipectrial.export.sdtm.model import (
    CodeList,
    Core,
    Dataset,
    Origin,
    Value,
    ValueLevel,
    Variable,
    VarType,
)
from hipectrial.export.sdtm.terminology import terminology

CHAR, NUM = VarType.CHAR, VarType.NUM
REQ, EXP, PERM = Core.REQ, Core.EXP, Core.PERM

IDENTIFIER = "Identifier"
TOPIC = "Topic"
TIMING = "Timing"
GROUPING = "Grouping Qualifier"
RESULT = "Result Qualifier"
SYNONYM = "Synonym Qualifier"
RECORD = "Record Qualifier"
VARIABLE_QUALIFIER = "Variable Qualifier"
RULE = "Rule"


def studyid() -> Variable:
    return Variable("STUDYID", "Study Identifier", CHAR, REQ, IDENTIFIER, Origin.PROTOCOL,
                    comment="The protocol's study id (study.id).")


def domain_var() -> Variable:
    return Variable("DOMAIN", "Domain Abbreviation", CHAR, REQ, IDENTIFIER, Origin.ASSIGNED)


def usubjid() -> Variable:
    return Variable("USUBJID", "Unique Subject Identifier", CHAR, REQ, IDENTIFIER, Origin.DERIVED,
                    derivation="STUDYID, a hyphen, and the site-prefixed participant id (SUBJID).")


def seq(prefix: str, order: str) -> Variable:
    """``--SEQ``: 1..n per subject in the order ``order`` (the dataset's sort order)."""
    return Variable(f"{prefix}SEQ", "Sequence Number", NUM, REQ, IDENTIFIER, Origin.DERIVED,
                    derivation=f"1..n within each USUBJID, records sorted by {order}.")


def visitnum(core: Core = PERM) -> Variable:
    return Variable("VISITNUM", "Visit Number", NUM, core, TIMING, Origin.DERIVED,
                    derivation="1000 x the visit's position in the protocol's schedule + the "
                               "occurrence number (1 for a visit that does not repeat).")


def visit(core: Core = PERM) -> Variable:
    return Variable("VISIT", "Visit Name", CHAR, core, TIMING, Origin.DERIVED,
                    derivation="The protocol visit's English name; for a repeating visit followed "
                               "by the cycle or occurrence number, for the second and later "
                               "occurrence of a visit that does not repeat by the occurrence number.")


def epoch(core: Core = PERM) -> Variable:
    return Variable("EPOCH", "Epoch", CHAR, core, TIMING, Origin.DERIVED, codelist="EPOCH",
                    derivation="SCREENING before RFSTDTC (every date of a subject never treated), "
                               "TREATMENT from RFSTDTC to RFXENDTC, FOLLOW-UP after RFXENDTC, "
                               "by the date of the record.")


def epoch_codelist() -> CodeList:
    """The Epoch code list (C99079) with the three epochs of the trial design."""
    return terminology("EPOCH").codelist(values=(SCREENING, TREATMENT, FOLLOW_UP))


def dtc(name: str, label: str, core: Core = EXP, origin: Origin = Origin.COLLECTED,
        derivation: str | None = None, comment: str | None = None) -> Variable:
    """An ISO 8601 date variable (``--DTC``, ``--STDTC``, ``--ENDTC``)."""
    return Variable(name, label, CHAR, core, TIMING, origin, derivation=derivation, iso8601=True,
                    comment=comment)


def study_day(name: str, label: str, of: str, core: Core = PERM) -> Variable:
    """``--DY`` of the date variable ``of``."""
    return Variable(name, label, NUM, core, TIMING, Origin.DERIVED,
                    derivation=f"{of} minus RFSTDTC in days, + 1 on or after RFSTDTC "
                               "(no day 0); empty without RFSTDTC.")


def iso_date(value: dt.date | None) -> str | None:
    """An ISO 8601 calendar date (``2025-03-01``), or ``None``."""
    return None if value is None else value.isoformat()


def number(value: Decimal | int | None) -> int | float | None:
    """A Decimal as an XPT number: an int when whole, else the nearest float.

    >>> number(Decimal("215")), number(Decimal("62.5")), number(None)
    (215, 62.5, None)
    """
    if value is None:
        return None
    if isinstance(value, int):
        return value
    integral = value.to_integral_value()
    return int(integral) if integral == value else float(value)


def build_dataset(*, domain: str, label: str, observation_class: str, structure: str,
                  keys: Sequence[str], variables: Sequence[Variable],
                  records: Iterable[Mapping[str, Value]], codelists: Sequence[CodeList] = (),
                  repeating: bool = True, value_levels: Sequence[ValueLevel] = (),
                  seq_by: str = "USUBJID",
                  sort_key: Callable[[Mapping[str, Value]], tuple[object, ...]] | None = None,
                  ) -> Dataset:
    """A dataset from records given as ``{variable: value}`` (a variable left out is empty).

    Records are sorted by ``sort_key`` (default: the ``keys``, empty values first), then
    ``--SEQ`` (a variable named ``<DOMAIN>SEQ``, when the dataset has one) is numbered 1..n
    within each value of ``seq_by`` (``USUBJID``; TS numbers within ``TSPARMCD``) in that
    order.

    Raises
    ------
    InputError
        (field ``<DOMAIN>.<variable>``) for a record naming a variable the dataset does not
        have.
    """
    names = [v.name for v in variables]
    known = set(names)
    key = sort_key or (lambda record: tuple(_sortable(record.get(k)) for k in keys))
    ordered = sorted(records, key=key)
    seq_name = f"{domain}SEQ" if f"{domain}SEQ" in known else None
    counters: dict[object, int] = {}
    rows: list[tuple[Value, ...]] = []
    for record in ordered:
        unknown = set(record) - known
        if unknown:
            name = sorted(unknown)[0]
            raise InputError(f"{domain}.{name}", record[name], f"a variable of {domain}",
                             "known: " + ", ".join(names))
        values = dict(record)
        if seq_name is not None:
            subject = values.get(seq_by)
            counters[subject] = counters.get(subject, 0) + 1
            values[seq_name] = counters[subject]
        rows.append(tuple(values.get(name) for name in names))
    return Dataset(domain=domain, label=label, observation_class=observation_class,
                   structure=structure, keys=tuple(keys), variables=tuple(variables),
                   rows=tuple(rows), codelists=tuple(codelists), repeating=repeating,
                   value_levels=tuple(value_levels))


def _sortable(value: Value) -> tuple[int, object]:
    """Sort key putting empty values first, numbers by value and text by code point."""
    if value is None:
        return (0, "")
    if isinstance(value, str):
        return (2, value)
    return (1, value)
