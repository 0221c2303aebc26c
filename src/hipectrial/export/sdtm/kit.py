"""What the AE, LB, VS, TU/TR/RS and PR builders share beyond :mod:`.variables`: value checks,
--SEQ numbering that the SUPP-- records can refer to, and the SUPP-- dataset of a domain.

Every character value a builder takes from the data passes :func:`text` (ASCII, at most 200
bytes; nothing is truncated: a value that does not fit is refused, naming the record), so a
dataset is either whole and valid for SAS XPORT v5 or not built at all.

Rows are sorted by USUBJID, then by each domain's own order (stated in its --SEQ
derivation), and --SEQ numbers them 1..n per subject; a domain's keys are STUDYID, USUBJID,
its date variable and --SEQ, which is that order.

References
----------
SDTMIG 3.4 §4.1.2 (identifiers), §4.1.5 (--SEQ), §8.4 (supplemental qualifiers); FDA Study
Data Technical Conformance Guide §3.3.1 (XPT v5: character values <= 200 bytes, ASCII).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from hipectrial.errors import InputError
from hipectrial.export.sdtm.context import StudyContext
from hipectrial.export.sdtm.model import CodeList, Core, Dataset, Origin, Value, Variable, VarType
from hipectrial.export.sdtm.supp import Qualifier, SuppValue, supp_dataset
from hipectrial.export.sdtm.terminology import DECODES, terminology
from hipectrial.export.sdtm.variables import domain_var, seq, studyid, usubjid

MAX_VALUE_BYTES = 200  # XPT v5 character variable width

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


def decimal_text(value: Decimal | int) -> str:
    """A number as it was recorded, without exponent (``Decimal('5.10')`` -> ``'5.10'``)."""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def yes_no(value: bool | None) -> str | None:
    return None if value is None else ("Y" if value else "N")


def ny_codelist() -> CodeList:
    """No Yes Response (C66742), the two answers these domains write."""
    return terminology("NY").codelist(values=("N", "Y"), decodes=DECODES["NY"])


def identifiers(domain: str, *, seq_order: str) -> tuple[Variable, ...]:
    """STUDYID, DOMAIN, USUBJID and --SEQ, ``seq_order`` stating each subject's record order."""
    return studyid(), domain_var(), usubjid(), seq(domain, f"USUBJID, then {seq_order}")


def flag(name: str, label: str, core: Core, derivation: str) -> Variable:
    """A derived Y/N (NY) variable."""
    return Variable(name, label, C, core, "Record Qualifier", Origin.DERIVED, codelist="NY",
                    derivation=derivation)


# -- rows -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Draft:
    """One record before numbering: its subject, its sort key within the subject (the order
    --SEQ follows), its values by variable name (absent = null) and its supplemental
    qualifiers as (QNAM, QVAL) pairs."""

    participant_id: str
    key: tuple[object, ...]
    values: Mapping[str, Value]
    supp: tuple[tuple[str, str], ...] = ()


def numbered(drafts: Iterable[Draft], study: StudyContext) -> list[tuple[int, Draft]]:
    """The drafts with their --SEQ: by USUBJID, then each subject's records by their key,
    numbered 1..n per subject."""
    ordered = sorted(drafts, key=lambda d: (study.usubjid(d.participant_id), d.key))
    result: list[tuple[int, Draft]] = []
    count, previous = 0, None
    for draft in ordered:
        count = count + 1 if draft.participant_id == previous else 1
        previous = draft.participant_id
        result.append((count, draft))
    return result


def rows(records: Sequence[tuple[int, Draft]], *, domain: str, variables: Sequence[Variable],
         study: StudyContext) -> tuple[tuple[Value, ...], ...]:
    """Numbered drafts as rows in ``variables`` order, with STUDYID, DOMAIN, USUBJID and --SEQ.

    Equal texts share one string object (dates, units, results repeat on thousands of rows):
    a 1,000-participant trial's datasets are held in memory at once."""
    position = {v.name: i for i, v in enumerate(variables)}
    fixed = [(position[name], value) for name, value in (("STUDYID", study.studyid), ("DOMAIN", domain))
             if name in position]
    subject, seq_at = position["USUBJID"], position[f"{domain}SEQ"]
    shared: dict[str, str] = {}
    result: list[tuple[Value, ...]] = []
    for number, draft in records:
        row: list[Value] = [None] * len(position)
        for at, constant in fixed:
            row[at] = constant
        row[subject], row[seq_at] = study.usubjid(draft.participant_id), number
        for name, value in draft.values.items():
            if name not in position:  # a builder's own mistake, not the data's
                raise ValueError(f"{domain}: a value for {name}, which the dataset does not have")
            row[position[name]] = shared.setdefault(value, value) if isinstance(value, str) else value
        result.append(tuple(row))
    return tuple(result)


def supplemental(domain: str, label: str, records: Sequence[tuple[int, Draft]], *, study: StudyContext,
                 qualifiers: Sequence[Qualifier], codelists: Sequence[CodeList] = ()) -> Dataset:
    """SUPP<domain> of the drafts' qualifiers, each attached to its record by --SEQ."""
    values = [SuppValue(study.usubjid(draft.participant_id), qnam, text(qval, variable="QVAL", where=(
                  f"{qnam} of {domain}SEQ {number} of {draft.participant_id}")),
                        f"{domain}SEQ", str(number))
              for number, draft in records for qnam, qval in draft.supp]
    return supp_dataset(studyid_value=study.studyid, parent=domain, parent_label=label,
                        qualifiers=qualifiers, values=values, codelists=codelists)
