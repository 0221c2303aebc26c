"""The REDCap project a protocol becomes: one arm, its events, its instruments with their
variables, and which instrument is entered at which event (and whether it repeats there).

Every table of :mod:`hipectrial.export.tables` is one instrument, so that a REDCap project
carries a whole ``TrialData`` and gives it back:

* a **record** is a participant (``record_id`` = participant id); the trial's own rows
  (tables ``trial`` and ``sites``) are the one record named by the study id;
* **events**: ``participant`` (first: the participant's typed records), one per protocol
  visit (protocol order), and ``study`` (last: the trial and its sites);
* **one arm**: cohorts are assigned at registration and a screen failure has none, but
  REDCap puts a record in an arm when it is created; the cohort is a value
  (``par_cohort``), and the cohort-only visits are events every record may use;
* CRF instruments (``form_<id>`` tables) are named by their form id and entered at the
  events of the visits that list the form (``forms`` or ``optional_forms``); typed
  instruments are ``rec_<table id>`` at the ``participant`` (or ``study``) event;
* **repetition** (REDCap cannot repeat an instrument inside a repeating event): a visit the
  protocol repeats is a *repeating event* when none of its forms repeats; otherwise every
  form of that visit is a *repeating instrument* there (a non-repeating form's instance is
  the visit occurrence). A repeating form's rows carry their visit occurrence and repeat
  number as variables (``<form>_visit_repeat``, ``<form>_repeat``) and are numbered 1, 2, ...
  per record and event. Typed tables keyed by ``seq`` use it as the instance; other
  repeating typed tables (visits, sites, lesions, complications) are numbered and carry
  their keys as variables.

Variable names: a CRF field keeps its protocol id (the protocol keeps them unique, as REDCap
needs); a CRF record's other columns are ``<form id>_<column>``; a typed table's columns are
``<prefix>_<column>`` with the prefix of :data:`TYPED_PREFIX`. A name REDCap would not take,
or one name given twice, is an error naming both sources (:mod:`hipectrial.export.redcap.names`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from hipectrial.errors import InputError
from hipectrial.export.redcap.names import (
    INSTRUMENT_SUFFIXES,
    MAX_EVENT_NAME,
    check_instrument,
    check_variable,
    event_stem,
    unique_event_names,
)
from hipectrial.export.tables import Column, ColumnType, TableDef, table_defs
from hipectrial.protocol import Protocol

ARM = 1
ARM_NAME = "Participants"
PARTICIPANT_EVENT = "participant"
STUDY_EVENT = "study"
RECORD_ID = "record_id"
TYPED_INSTRUMENT_PREFIX = "rec_"
# The variable prefix of each typed table's columns: short, and unlike the protocol's field
# prefixes (ae_, dose_, lab_, ta_, lesion_, comp_, fu_), so the two never meet.
TYPED_PREFIX: Mapping[str, str] = {
    "trial": "trl", "sites": "sit", "participants": "par", "visits": "vis", "doses": "dos",
    "adverse_events": "aev", "lab_results": "lbr", "tumour_assessments": "tas", "lesions": "les",
    "surgeries": "sur", "complications": "cpl", "follow_ups": "fup",
}


class Place(StrEnum):
    """How a table column is carried in REDCap."""

    RECORD = "record"      # record_id (participant_id)
    EVENT = "event"        # redcap_event_name (a CRF record's visit_id)
    INSTANCE = "instance"  # redcap_repeat_instance
    VARIABLE = "variable"  # a variable of the instrument


@dataclass(frozen=True, slots=True)
class Variable:
    """One REDCap variable: its name and the table column it holds (``None``: record_id)."""

    name: str
    column: Column | None

    @property
    def checkbox(self) -> bool:
        return self.column is not None and self.column.type is ColumnType.CODES


@dataclass(frozen=True, slots=True)
class Instrument:
    """One instrument: the table it carries, its variables in order, and where each of the
    table's key columns goes (a column not in ``places`` is a variable)."""

    name: str
    table: TableDef
    variables: tuple[Variable, ...]
    places: Mapping[str, Place]
    # A participant-scoped table (record = participant) or the trial's (record = study id).
    participant: bool
    # A CRF of a repeating form, or a typed table with more than one row per record.
    repeating: bool
    # The instance is this key column (``seq``); None: rows are numbered (or not repeating).
    instance_column: str | None

    @property
    def label_en(self) -> str:
        return self.table.label_en

    @property
    def label_zh(self) -> str:
        return self.table.label_zh

    def variable_of(self, column: str) -> Variable | None:
        for variable in self.variables:
            if variable.column is not None and variable.column.name == column:
                return variable
        return None


@dataclass(frozen=True, slots=True)
class Event:
    """One event: ``name`` is REDCap's event name (which REDCap keeps whole as the unique
    name's stem), ``label_*`` the visit's name (REDCap's custom event label)."""

    name: str
    unique_name: str
    label_en: str
    label_zh: str
    day_offset: int
    visit_id: str | None
    repeats: bool  # REDCap "repeat entire event"


@dataclass(frozen=True, slots=True)
class Designation:
    """An instrument entered at an event; ``repeating``: a REDCap repeating instrument there."""

    event: Event
    instrument: Instrument
    repeating: bool

    @property
    def numbered(self) -> bool:
        """Rows numbered 1, 2, ... per record (not by a column): a repeating instrument whose
        instance is neither ``seq`` nor the visit occurrence."""
        if not self.repeating:
            return False
        if self.instrument.instance_column is not None:
            return False
        return self.instrument.repeating

    @property
    def instance_is_visit_repeat(self) -> bool:
        """A non-repeating CRF whose instance is the visit occurrence (repeating event, or a
        repeating instrument of a repeating visit)."""
        return self.instrument.table.form is not None and not self.instrument.repeating and (
            self.event.repeats or self.repeating)


@dataclass(frozen=True, slots=True)
class Project:
    """The REDCap project of a protocol (module docstring)."""

    study_record: str
    events: tuple[Event, ...]
    instruments: tuple[Instrument, ...]
    designations: tuple[Designation, ...]

    def instrument(self, name: str) -> Instrument:
        for instrument in self.instruments:
            if instrument.name == name:
                return instrument
        raise KeyError(name)

    def event(self, unique_name: str) -> Event:
        for event in self.events:
            if event.unique_name == unique_name:
                return event
        raise KeyError(unique_name)

    def designation(self, event: str, instrument: str) -> Designation | None:
        """The designation of ``instrument`` at the event whose unique name is ``event``."""
        for d in self.designations:
            if d.event.unique_name == event and d.instrument.name == instrument:
                return d
        return None

    def events_of(self, instrument: str) -> tuple[Designation, ...]:
        return tuple(d for d in self.designations if d.instrument.name == instrument)

    def variables(self) -> tuple[tuple[Instrument, Variable], ...]:
        """Every variable with its instrument, in dictionary order."""
        return tuple((i, v) for i in self.instruments for v in i.variables)


def project_design(protocol: Protocol) -> Project:
    """The REDCap project of ``protocol`` (module docstring).

    Raises
    ------
    InputError
        A form, field, visit or column whose REDCap name breaks REDCap's rules or is
        given twice (naming both), or a typed table this module has no prefix for.
    """
    tables = table_defs(protocol)
    instruments = _instruments(protocol, tables)
    _check_unique_names(instruments)
    events = _events(protocol, instruments)
    designations = _designations(protocol, events, instruments)
    return Project(study_record=protocol.study.id, events=events, instruments=instruments,
                   designations=designations)


def _instruments(protocol: Protocol, tables: tuple[TableDef, ...]) -> tuple[Instrument, ...]:
    made = [_instrument(table) for table in tables]
    # REDCap's record ID is the first variable of the first instrument: the participants'.
    first = next(i for i in made if i.table.id == "participants")
    ordered = [first] + [i for i in made if i is not first and i.participant] + [
        i for i in made if not i.participant]
    head = ordered[0]
    ordered[0] = Instrument(head.name, head.table, (Variable(RECORD_ID, None), *head.variables),
                            head.places, head.participant, head.repeating, head.instance_column)
    return tuple(ordered)


def _instrument(table: TableDef) -> Instrument:
    names = [c.name for c in table.columns if c.key]
    participant = bool(names) and names[0] == "participant_id"
    places: dict[str, Place] = {}
    if participant:
        places["participant_id"] = Place.RECORD
    form = table.form
    instance_column: str | None = None
    if form is not None:
        name = check_instrument(form.id, source=f"form {form.id}")
        places["visit_id"] = Place.EVENT
        if not form.repeating:
            places["visit_repeat"] = Place.INSTANCE
        repeating = form.repeating
    else:
        name = check_instrument(TYPED_INSTRUMENT_PREFIX + table.id, source=f"table {table.id}")
        rest = names[1:] if participant else names
        repeating = table.kind is not None and (bool(rest) or not participant)
        if participant and rest == ["seq"] and table.column("seq").type is ColumnType.INTEGER:
            places["seq"] = Place.INSTANCE
            instance_column = "seq"
    carried = [c for c in table.columns if c.name not in places]
    if form is not None:  # keys the site fills first, the form's fields, then seq and provenance
        carried.sort(key=lambda c: 0 if c.key else 1 if c.field is not None else 2)
    variables = tuple(Variable(_variable_name(table, column), column) for column in carried)
    return Instrument(name=name, table=table, variables=variables, places=places,
                      participant=participant, repeating=repeating, instance_column=instance_column)


def _variable_name(table: TableDef, column: Column) -> str:
    if table.form is not None:
        if column.field is not None:
            return check_variable(column.name, source=f"forms.{table.form.id}.fields.{column.name}")
        return check_variable(
            f"{table.form.id}_{column.name}", source=f"form {table.form.id} column {column.name}"
        )
    prefix = TYPED_PREFIX.get(table.id)
    if prefix is None:
        raise InputError("table", table.id, "a table with a REDCap variable prefix ("
                         + ", ".join(sorted(TYPED_PREFIX)) + ")")
    return check_variable(f"{prefix}_{column.name}", source=f"table {table.id} column {column.name}")


def _check_unique_names(instruments: tuple[Instrument, ...]) -> None:
    owners: dict[str, str] = {}

    def claim(name: str, owner: str) -> None:
        if name in owners:
            raise InputError("redcap", name, "a REDCap name used once",
                             f"{owners[name]} and {owner} would both be called {name!r}")
        owners[name] = owner

    for instrument in instruments:
        claim(f"instrument:{instrument.name}", f"instrument {instrument.name}")
    names = {i.name for i in instruments}
    for instrument in instruments:
        for variable in instrument.variables:
            where = f"{instrument.table.id}.{variable.column.name}" if variable.column else RECORD_ID
            claim(variable.name, where)
            for suffix in INSTRUMENT_SUFFIXES:
                if variable.name.endswith(suffix) and variable.name[: -len(suffix)] in names:
                    raise InputError(where, variable.name, "a variable name other than REDCap's own "
                                     f"<instrument>{suffix}")


def _events(protocol: Protocol, instruments: tuple[Instrument, ...]) -> tuple[Event, ...]:
    repeating_forms = {i.table.form.id for i in instruments if i.table.form is not None and i.repeating}
    rows: list[tuple[str, str, str, str | None, bool]] = [
        (PARTICIPANT_EVENT, "Participant: typed records", "受试者：结构化记录", None, False)]
    for visit in protocol.visits:
        forms = {*visit.forms, *visit.optional_forms}
        repeats = visit.repeat is not None and not (forms & repeating_forms)
        rows.append((event_stem(visit.id), visit.name.en, visit.name.zh, visit.id, repeats))
    rows.append((STUDY_EVENT, "Study: trial and sites", "研究：试验与中心", None, False))
    seen: dict[str, str] = {}
    for name, _, _, visit_id, _ in rows:
        source = f"visit {visit_id}" if visit_id else f"the {name} event"
        if len(name) > MAX_EVENT_NAME:  # cannot happen with stems; REDCap's limit kept explicit
            raise InputError(source, name, f"an event name of at most {MAX_EVENT_NAME} characters")
        if name in seen:
            raise InputError("visits", name, "distinct REDCap event names",
                             f"{seen[name]} and {source} both become {name!r}; shorten one visit id")
        seen[name] = source
    uniques = unique_event_names([(name, ARM) for name, *_ in rows])
    return tuple(
        Event(
            name=name,
            unique_name=unique,
            label_en=en,
            label_zh=zh,
            day_offset=offset,
            visit_id=visit_id,
            repeats=repeats,
        )
        for offset, ((name, en, zh, visit_id, repeats), unique) in enumerate(
            zip(rows, uniques, strict=True), 1
        )
    )


def _designations(protocol: Protocol, events: tuple[Event, ...],
                  instruments: tuple[Instrument, ...]) -> tuple[Designation, ...]:
    by_form = {i.table.form.id: i for i in instruments if i.table.form is not None}
    typed = [i for i in instruments if i.table.form is None]
    out: list[Designation] = []
    for event in events:
        if event.visit_id is None:
            participant = event.name == PARTICIPANT_EVENT
            out += [Designation(event, i, i.repeating) for i in typed if i.participant == participant]
            continue
        visit = protocol.visit(event.visit_id)
        form_ids = list(dict.fromkeys((*visit.forms, *visit.optional_forms)))
        chosen = [by_form[f] for f in form_ids if f in by_form]
        any_repeating = any(i.repeating for i in chosen)
        visit_repeats = visit.repeat is not None
        # Order: the protocol's form order (as REDCap lists an event's instruments).
        chosen.sort(key=lambda i: instruments.index(i))
        for instrument in chosen:
            repeating = instrument.repeating or (any_repeating and visit_repeats)
            out.append(Designation(event, instrument, repeating))
    return tuple(out)
