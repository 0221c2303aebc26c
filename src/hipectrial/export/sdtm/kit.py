"""What the AE, LB, VS, TU/TR/RS and PR builders share: value checks, standard variables,
--SEQ numbering and supplemental-qualifier datasets.

Every value a builder writes passes :func:`text` (character values: ASCII, at most 200
bytes; nothing is truncated, a value that does not fit is refused naming the record) so
that a dataset is either whole and valid for SAS XPORT v5 or not built at all.

References
----------
SDTMIG 3.4 §4.1.2 (order of identifier variables), §4.1.5 (--SEQ), §4.4.4 (--DY), §8.4
(supplemental qualifiers: QNAM <= 8 characters, QLABEL <= 40); FDA Study Data Technical
Conformance Guide §3.3.1 (XPT v5: character values <= 200 bytes, ASCII).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from hipectrial.errors import InputError
from hipectrial.export.sdtm.context import StudyContext
from hipectrial.export.sdtm.model import CodeList, Core, Dataset, Origin, Value, Variable, VarType

MAX_VALUE_BYTES = 200  # XPT v5 character variable width
MAX_LABEL = 40  # SDTMIG §4.1: variable and QLABEL labels
_QNAM = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")  # SDTMIG §8.4.1: QNAM as a variable name

C, N = VarType.CHAR, VarType.NUM
REQ, EXP, PERM = Core.REQ, Core.EXP, Core.PERM


def text(value: str, *, variable: str, where: str) -> str:
    """``value`` if it can be written as it is to XPT v5 (ASCII, <= 200 bytes); refused
    otherwise, naming the variable, the value and the record (``where``).

    >>> text("Nausea", variable="AETERM", where="adverse event 1 of SH01-001")
    'Nausea'
    >>> text("恶心", variable="AETERM", where="adverse event 1 of SH01-001")
    Traceback (most recent call last):
    ...
    hipectrial.errors.InputError: AETERM must be ASCII text (SAS XPORT v5 holds no other ...
    """
    if not value.isascii():
        raise InputError(variable, value, "ASCII text (SAS XPORT v5 holds no other characters)", where)
    if len(value) > MAX_VALUE_BYTES:
        raise InputError(variable, value, f"at most {MAX_VALUE_BYTES} bytes (SAS XPORT v5); it has "
                                          f"{len(value)}", where)
    return value


def optional_text(value: str | None, *, variable: str, where: str) -> str | None:
    """:func:`text` for a value that may be missing (``None`` and ``""`` are both empty)."""
    if value is None or value == "":
        return None
    return text(value, variable=variable, where=where)


def iso_date(date: dt.date | None) -> str | None:
    """An ISO 8601 date (``2025-01-10``); ``None`` for a missing date."""
    return None if date is None else date.isoformat()


def decimal_text(value: Decimal | int) -> str:
    """A number as it was recorded, without exponent (``Decimal('5.10')`` -> ``'5.10'``)."""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def number(value: Decimal | int | None) -> float | int | None:
    """A numeric value for a Num variable (XPT stores 8-byte floats)."""
    if value is None:
        return None
    return value if isinstance(value, int) else float(value)


# -- standard variables -------------------------------------------------------------------

def identifiers(domain: str, *, seq_order: str) -> tuple[Variable, ...]:
    """STUDYID, DOMAIN, USUBJID and --SEQ (SDTMIG §4.1.2), ``seq_order`` stating the order
    --SEQ numbers a subject's records in."""
    return (
        Variable("STUDYID", "Study Identifier", C, REQ, "Identifier", Origin.PROTOCOL),
        Variable("DOMAIN", "Domain Abbreviation", C, REQ, "Identifier", Origin.ASSIGNED),
        usubjid(),
        Variable(f"{domain}SEQ", "Sequence Number", N, REQ, "Identifier", Origin.DERIVED,
                 derivation=f"1, 2, ... for each subject's records, in order of {seq_order}"),
    )


def usubjid() -> Variable:
    return Variable("USUBJID", "Unique Subject Identifier", C, REQ, "Identifier", Origin.DERIVED,
                    derivation="STUDYID, a hyphen and the site-prefixed participant id")


def study_day(name: str, label: str, of: str) -> Variable:
    """A --DY variable: the study day of the ``of`` date variable (SDTMIG §4.4.4)."""
    return Variable(name, label, N, PERM, "Timing", Origin.DERIVED, derivation=(
        f"Days from RFSTDTC to {of}, plus 1 on or after RFSTDTC (day 1 is RFSTDTC; there is no "
        f"day 0); null when {of} or RFSTDTC is missing"))


def epoch(of: str) -> Variable:
    """EPOCH of the ``of`` date variable, by :meth:`StudyContext.epoch`."""
    return Variable("EPOCH", "Epoch", C, PERM, "Timing", Origin.DERIVED, codelist="EPOCH", derivation=(
        f"From {of}: SCREENING before RFSTDTC (every date, for a subject never treated), TREATMENT "
        "from RFSTDTC to RFXENDTC (the last study treatment given), FOLLOW-UP after it"))


def dtc(name: str, label: str, core: Core = EXP) -> Variable:
    """A collected ISO 8601 date variable."""
    return Variable(name, label, C, core, "Timing", Origin.COLLECTED, iso8601=True)


def flag(name: str, label: str, core: Core, derivation: str, origin: Origin = Origin.DERIVED) -> Variable:
    """A Y/N (NY) variable."""
    return Variable(name, label, C, core, "Record Qualifier", origin, codelist="NY",
                    derivation=derivation if origin is Origin.DERIVED else None)


def yes_no(value: bool | None) -> str | None:
    return None if value is None else ("Y" if value else "N")


# -- rows -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Draft:
    """One record before numbering: its subject, its sort key within the subject (the order
    --SEQ follows), its values by variable name (absent = null) and the supplemental
    qualifiers of the record."""

    participant_id: str
    key: tuple[object, ...]
    values: Mapping[str, Value]
    supp: tuple[Qualifier, ...] = ()


def numbered(drafts: Iterable[Draft], participant_order: Mapping[str, int]) -> list[tuple[int, Draft]]:
    """The drafts with their --SEQ: subjects in ``participant_order`` (the trial's order),
    each subject's records by their key, numbered 1..n per subject."""
    ordered = sorted(drafts, key=lambda d: (participant_order[d.participant_id], d.key))
    result: list[tuple[int, Draft]] = []
    seq, previous = 0, None
    for draft in ordered:
        seq = seq + 1 if draft.participant_id == previous else 1
        previous = draft.participant_id
        result.append((seq, draft))
    return result


def rows(records: Sequence[tuple[int, Draft]], *, domain: str, variables: Sequence[Variable],
         study: StudyContext) -> tuple[tuple[Value, ...], ...]:
    """Numbered drafts as rows in ``variables`` order, with STUDYID, DOMAIN, USUBJID and --SEQ."""
    names = [v.name for v in variables]
    known = set(names)
    seq_name = f"{domain}SEQ"
    result: list[tuple[Value, ...]] = []
    for seq, draft in records:
        unknown = set(draft.values) - known
        if unknown:  # a builder's own mistake, not the data's
            raise ValueError(f"{domain}: values for variables not in the dataset: {sorted(unknown)}")
        values: dict[str, Value] = {"STUDYID": study.studyid, "DOMAIN": domain,
                                    "USUBJID": study.usubjid(draft.participant_id), seq_name: seq}
        values.update(draft.values)
        result.append(tuple(values.get(name) for name in names))
    return tuple(result)


def supp_records(records: Sequence[tuple[int, Draft]], domain: str) -> list[SuppRecord]:
    """The drafts' supplemental qualifiers, attached by --SEQ."""
    return [SuppRecord(draft.participant_id, f"{domain}SEQ", seq, q)
            for seq, draft in records for q in draft.supp]


def participant_positions(participant_ids: Iterable[str]) -> dict[str, int]:
    return {pid: i for i, pid in enumerate(participant_ids)}


# -- supplemental qualifiers ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Qualifier:
    """One supplemental qualifier of a parent record (SDTMIG §8.4)."""

    qnam: str
    qlabel: str
    qval: str
    qorig: str  # "CRF" (collected) or "DERIVED"
    qeval: str | None = None

    def __post_init__(self) -> None:
        if not _QNAM.match(self.qnam):
            raise InputError("QNAM", self.qnam, "1-8 upper-case letters and digits, starting with a letter")
        if not self.qlabel.isascii() or len(self.qlabel) > MAX_LABEL:
            raise InputError("QLABEL", self.qlabel, f"ASCII text of at most {MAX_LABEL} characters",
                             f"the label of QNAM {self.qnam}")


@dataclass(frozen=True, slots=True)
class SuppRecord:
    """A qualifier attached to the parent record ``idvar`` = ``idvarval`` of a subject."""

    participant_id: str
    idvar: str
    idvarval: int
    qualifier: Qualifier


def supp_dataset(rdomain: str, records: Sequence[SuppRecord], *, study: StudyContext,
                 participant_order: Mapping[str, int], qnam_order: Sequence[str]) -> Dataset:
    """The SUPP-- dataset of ``rdomain``: one row per qualifier, subjects in trial order,
    then parent --SEQ, then ``qnam_order``. Its QNAM code list lists every QNAM with its
    QLABEL."""
    rank = {q: i for i, q in enumerate(qnam_order)}
    ordered = sorted(records, key=lambda r: (participant_order[r.participant_id], r.idvarval,
                                             rank[r.qualifier.qnam]))
    rows = tuple(
        (study.studyid, rdomain, study.usubjid(r.participant_id), r.idvar, str(r.idvarval),
         r.qualifier.qnam, r.qualifier.qlabel,
         text(r.qualifier.qval, variable="QVAL", where=f"{r.qualifier.qnam} of {rdomain} {r.idvar} "
                                                       f"{r.idvarval} of {r.participant_id}"),
         r.qualifier.qorig, r.qualifier.qeval)
        for r in ordered)
    labels: dict[str, str] = {}
    for r in records:
        known = labels.setdefault(r.qualifier.qnam, r.qualifier.qlabel)
        if known != r.qualifier.qlabel:
            raise ValueError(f"SUPP{rdomain}: QNAM {r.qualifier.qnam} has two labels")
    qnam_list = CodeList(f"QNAM.{rdomain}", f"Supplemental qualifier names of {rdomain}", C,
                         tuple((q, labels[q]) for q in qnam_order if q in labels), extensible=False)
    variables = (
        Variable("STUDYID", "Study Identifier", C, REQ, "Identifier", Origin.PROTOCOL),
        Variable("RDOMAIN", "Related Domain Abbreviation", C, REQ, "Identifier", Origin.ASSIGNED),
        usubjid(),
        Variable("IDVAR", "Identifying Variable", C, EXP, "Identifier", Origin.ASSIGNED),
        Variable("IDVARVAL", "Identifying Variable Value", C, EXP, "Identifier", Origin.DERIVED,
                 derivation=f"The parent record's {rdomain}SEQ"),
        Variable("QNAM", "Qualifier Variable Name", C, REQ, "Topic", Origin.ASSIGNED,
                 codelist=qnam_list.id),
        Variable("QLABEL", "Qualifier Variable Label", C, REQ, "Synonym Qualifier", Origin.ASSIGNED),
        Variable("QVAL", "Data Value", C, REQ, "Result Qualifier", Origin.COLLECTED),
        Variable("QORIG", "Origin", C, REQ, "Record Qualifier", Origin.ASSIGNED),
        Variable("QEVAL", "Evaluator", C, EXP, "Record Qualifier", Origin.ASSIGNED),
    )
    return Dataset(
        domain=f"SUPP{rdomain}", label=f"Supplemental Qualifiers for {rdomain}",
        observation_class="RELATIONSHIP",
        structure="One record per supplemental qualifier per related parent domain record",
        keys=("STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM"),
        variables=variables, rows=rows, codelists=(qnam_list,))
