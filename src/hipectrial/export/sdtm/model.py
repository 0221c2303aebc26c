"""The shape every SDTM dataset is built in: its variables' metadata and its rows.

One :class:`Dataset` per domain (``DM``, ``AE``, ``SUPPAE``, ``TS``…) carries everything the
writers and the checks need, so that the XPT writer, the Define-XML writer and the
conformance check work on every domain alike: the variables in order with their SDTMIG 3.4
metadata (name, label, type, core, role, origin, code list, derivation) and the rows as
tuples in that order. A domain module exposes one builder (:data:`Builder`).

References
----------
CDISC SDTM Implementation Guide 3.4 (SDTMIG 3.4), §2.6 (core designations), §4.1
(general assumptions: variable names ≤ 8 characters, labels ≤ 40); SAS XPORT version 5
(FDA Study Data Technical Conformance Guide: values ≤ 200 bytes, ASCII).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from hipectrial.data import TrialData
    from hipectrial.export.sdtm.context import StudyContext
    from hipectrial.protocol import Protocol as TrialProtocol

# A cell: Char variables hold str (or None for empty), Num variables int/float (or None).
Value = str | int | float | None


class VarType(StrEnum):
    """SAS / SDTM variable type."""

    CHAR = "Char"
    NUM = "Num"


class Core(StrEnum):
    """SDTMIG core designation (§2.6): required, expected, permissible."""

    REQ = "Req"
    EXP = "Exp"
    PERM = "Perm"


class Origin(StrEnum):
    """Define-XML 2.1 origin type of a variable's values."""

    COLLECTED = "Collected"
    DERIVED = "Derived"
    ASSIGNED = "Assigned"
    PROTOCOL = "Protocol"
    PREDECESSOR = "Predecessor"
    NOT_AVAILABLE = "Not Available"  # an expected variable the trial does not collect


@dataclass(frozen=True, slots=True)
class CodeList:
    """Controlled terminology a variable's values come from.

    ``items`` are (submission value, decode) pairs; ``nci_code`` the NCI C-code of a CDISC
    code list (e.g. ``C66742`` for No Yes Response) or ``None`` for a sponsor-defined one.
    ``item_codes`` gives the NCI C-code of each CDISC term (submission value -> C-code);
    ``extended`` names the values a sponsor added to an extensible CDISC list (Define-XML
    2.1 ``def:ExtendedValue="Yes"``).
    """

    id: str
    name: str
    data_type: VarType
    items: tuple[tuple[str, str | None], ...]
    extensible: bool = False
    nci_code: str | None = None
    item_codes: tuple[tuple[str, str], ...] = ()
    extended: tuple[str, ...] = ()

    def values(self) -> frozenset[str]:
        return frozenset(value for value, _ in self.items)

    def item_code(self, value: str) -> str | None:
        """The NCI C-code of term ``value``; ``None`` for a sponsor term or list."""
        return dict(self.item_codes).get(value)


@dataclass(frozen=True, slots=True)
class Variable:
    """One SDTM variable's metadata, as Define-XML describes it.

    ``codelist`` is the id of a :class:`CodeList` of the dataset; ``derivation`` says how a
    derived value is computed (required when ``origin`` is ``Derived``); ``iso8601`` marks a
    ``--DTC`` / ``--STDTC`` / ``--ENDTC`` variable whose values are ISO 8601 date(time) text;
    ``comment`` is a sponsor note Define-XML shows beside the variable (e.g. the sponsor
    definition of ``RFSTDTC``, or why an expected variable is not collected).
    """

    name: str
    label: str
    type: VarType
    core: Core
    role: str
    origin: Origin
    codelist: str | None = None
    derivation: str | None = None
    iso8601: bool = False
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class ValueLevel:
    """Value-level metadata (Define-XML ``def:ValueListDef``): the values of ``variable`` on
    the records where ``where_variable`` equals ``where_value`` are described by ``item``
    (its label, type, origin, code list), e.g. ``QVAL`` where ``QNAM`` is ``STUDYPRT``."""

    variable: str
    where_variable: str
    where_value: str
    item: Variable


@dataclass(frozen=True, slots=True)
class Dataset:
    """One SDTM dataset: metadata and rows (each row a tuple in ``variables`` order).

    ``observation_class`` is the SDTM class (``SPECIAL PURPOSE``, ``EVENTS``,
    ``INTERVENTIONS``, ``FINDINGS``, ``TRIAL DESIGN``, ``RELATIONSHIP``); ``structure`` the
    Define-XML structure text ("One record per subject"); ``keys`` the natural key variables
    (unique together; rows are sorted by them unless the domain states another order).
    ``repeating`` is Define-XML's ``Repeating``: ``False`` only for a dataset of one record
    per subject (DM).
    """

    domain: str
    label: str
    observation_class: str
    structure: str
    keys: tuple[str, ...]
    variables: tuple[Variable, ...]
    rows: tuple[tuple[Value, ...], ...]
    codelists: tuple[CodeList, ...] = ()
    repeating: bool = True
    value_levels: tuple[ValueLevel, ...] = ()

    @property
    def name(self) -> str:
        """The dataset (and file) name: the domain code, e.g. ``SUPPDM``."""
        return self.domain

    def variable(self, name: str) -> Variable:
        """Variable ``name``'s metadata; ``KeyError`` if the dataset has none."""
        return self.variables[self.index(name)]

    def codelist(self, codelist_id: str) -> CodeList:
        """Code list ``codelist_id`` of the dataset; ``KeyError`` if it has none."""
        for codelist in self.codelists:
            if codelist.id == codelist_id:
                return codelist
        raise KeyError(codelist_id)

    def index(self, name: str) -> int:
        """Position of variable ``name``; ``KeyError`` if the dataset has none."""
        for position, variable in enumerate(self.variables):
            if variable.name == name:
                return position
        raise KeyError(name)

    def column(self, name: str) -> tuple[Value, ...]:
        """Every row's value of variable ``name``."""
        position = self.index(name)
        return tuple(row[position] for row in self.rows)

    def records(self) -> tuple[dict[str, Value], ...]:
        """The rows as dictionaries keyed by variable name (for tests and checks)."""
        names = [variable.name for variable in self.variables]
        return tuple(dict(zip(names, row, strict=True)) for row in self.rows)


class Builder(Protocol):
    """A domain's builder: the trial, its protocol and the per-subject reference dates in,
    the domain's dataset(s) out (e.g. AE and SUPPAE)."""

    def __call__(self, *, trial: TrialData, protocol: TrialProtocol,
                 study: StudyContext) -> tuple[Dataset, ...]: ...
