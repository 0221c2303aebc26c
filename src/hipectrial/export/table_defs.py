"""The tables of a protocol: their definitions and how each is made of record attributes.

:func:`layouts` gives, for a protocol, every table in its fixed order with the parts that
write and read its columns (:mod:`hipectrial.export.table_parts`); :func:`table_defs` gives
the definitions alone. Code lists come from the protocol: a CRF field's from its code list,
a typed record's coded text (end-of-treatment reason, operation, ...) from the code list
``hipectrial.data.vocab.CODED_FIELDS`` names, ids of visits, agents, phases, cohorts and
dose levels from those protocol sections, and a data-layer vocabulary (``Sex``,
``LesionStatus``, ...) from the protocol code list of the same codes where there is one
(its labels and submission values), else from the module's labels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from hipectrial.data.assessments import Complication, FollowUp, Lesion, Surgery, TumourAssessment
from hipectrial.data.records import FormRecord, Participant, Site, Visit
from hipectrial.data.treatment import AdverseEvent, DoseAdministration, LabResult
from hipectrial.data.vocab import (
    CODED_FIELDS,
    AeOutcome,
    AssessmentMethod,
    Attribution,
    CcScore,
    ClavienDindo,
    Cytology,
    LesionRole,
    LesionStatus,
    RecordKind,
    ResidualTumour,
    Sex,
    SourceKind,
    VitalStatus,
)
from hipectrial.errors import InputError
from hipectrial.export.table_crf import FormKey, FormValues, field_column
from hipectrial.export.table_labels import CODE_LABELS, TABLE_LABELS
from hipectrial.export.table_model import Code, ColumnType, TableDef
from hipectrial.export.table_parts import (
    Attributions,
    Coded,
    Part,
    PathologyPart,
    Pci,
    Plain,
    ProvenancePart,
    Seq,
)
from hipectrial.export.table_trial import TrialPart
from hipectrial.protocol import Protocol

# Short names for the column specs below: text, integer, decimal, date, boolean, code.
T, INT, D, DT, B, CODE = (ColumnType.TEXT, ColumnType.INTEGER, ColumnType.DECIMAL, ColumnType.DATE,
                        ColumnType.BOOLEAN, ColumnType.CODE)


@dataclass(frozen=True, slots=True)
class Layout:
    """A table with the parts its columns are made of, the record class its rows build
    (``None`` for ``trial``) and constructor arguments every row shares (a CRF's form id)."""

    table: TableDef
    parts: tuple[Part, ...]
    factory: Callable[..., Any] | None
    constants: Mapping[str, Any]


def table_defs(protocol: Protocol) -> tuple[TableDef, ...]:
    """Every table of ``protocol``'s trial data, in the fixed order: ``trial``, ``sites``,
    ``participants``, ``visits``, one ``form_<form id>`` per protocol form (protocol order),
    ``doses``, ``adverse_events``, ``lab_results``, ``tumour_assessments``, ``lesions``,
    ``surgeries``, ``complications``, ``follow_ups``.

    Raises
    ------
    InputError
        A form with a field whose id is one of the table's own columns (``participant_id``,
        ``visit_id``, ``visit_repeat``, ``repeat``, ``seq``, ``entered_by``, ...), or two
        agents whose attribution columns would have one name.

    Examples
    --------
    >>> from hipectrial.protocol import load_protocol
    >>> tables = table_defs(load_protocol())
    >>> [t.id for t in tables][:5]
    ['trial', 'sites', 'participants', 'visits', 'form_demographics']
    >>> [c.name for c in tables[-2].columns][:6]
    ['participant_id', 'surgery_seq', 'seq', 'description', 'grade', 'onset_date']
    """
    return tuple(layout.table for layout in layouts(protocol))


def layouts(protocol: Protocol) -> tuple[Layout, ...]:
    """:func:`table_defs` with each table's parts (see the module docstring)."""
    v = _Vocab(protocol)
    typed = _typed(protocol, v)
    crf = tuple(_form_layout(protocol, form.id, v) for form in protocol.forms)
    return (*typed[:4], *crf, *typed[4:])


def _layout(table_id: str, kind: RecordKind | None, parts: tuple[Part, ...],
            factory: Callable[..., Any] | None, parent: str | None = None) -> Layout:
    en, zh = TABLE_LABELS[table_id]
    columns = tuple(c for part in parts for c in part.columns)
    return Layout(TableDef(id=table_id, label_en=en, label_zh=zh, kind=kind, columns=columns,
                           parent=parent), parts, factory, {})


def _typed(protocol: Protocol, v: _Vocab) -> tuple[Layout, ...]:
    agents = tuple((a.id, a.name) for a in protocol.agents)
    names = [Attributions.name_of(agent_id) for agent_id, _ in agents]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise InputError("agents", [a for a, _ in agents],
                         "agent ids that give distinct attribution columns",
                         f"{', '.join(twice)} would be one column")
    return (
        _layout("trial", None, (TrialPart(v.enum(SourceKind)),), None),
        _layout("sites", RecordKind.SITE, (
            Plain("sites", (("site_id", T, True, None),), attrs={"site_id": "id"}, keys=("site_id",)),
            Plain("sites", (("name", T, True, None), ("country", T, True, None), ("city", T, False, None),
                            ("principal_investigator", T, False, None),
                            ("activation_date", DT, False, None))),
            ProvenancePart("sites"),
        ), Site),
        _layout("participants", RecordKind.PARTICIPANT, (
            Plain("participants", (
                ("participant_id", T, True, None), ("site_id", T, True, None),
                ("sex", CODE, True, v.enum(Sex)), ("birth_date", DT, True, None),
                ("consent_date", DT, True, None), ("registration_date", DT, False, None),
                ("cohort", CODE, False, v.cohorts), ("dose_level", CODE, False, v.dose_levels),
                ("off_treatment_date", DT, False, None),
                ("off_treatment_reason", *v.coded_text("off_treatment_reason")),
                ("off_study_date", DT, False, None),
                ("off_study_reason", *v.coded_text("off_study_reason")),
            ), attrs={"participant_id": "id"}, keys=("participant_id",)),
            ProvenancePart("participants"),
        ), Participant),
        _layout("visits", RecordKind.VISIT, (
            Plain("visits", (("participant_id", T, True, None), ("visit_id", CODE, True, v.visits),
                             ("repeat", INT, True, None)),
                  keys=("participant_id", "visit_id", "repeat"), bounds={"repeat": (1, None)}),
            Seq("visits", ("seq",), participant=False, key=False),
            Plain("visits", (("planned_date", DT, False, None), ("actual_date", DT, False, None))),
            ProvenancePart("visits"),
        ), Visit),
        _layout("doses", RecordKind.DOSE, (
            Seq("doses", ("seq",)),
            Plain("doses", (
                ("agent", CODE, True, v.agents), ("date", DT, True, None), ("prescribed", D, False, None),
                ("given", D, True, None), ("unit", T, True, None), ("phase", CODE, False, v.phases),
                ("cycle", INT, False, None), ("day", INT, False, None), ("change_reason", T, False, None),
            ), bounds={"prescribed": (0, None), "given": (0, None), "cycle": (1, None), "day": (1, None)}),
            ProvenancePart("doses"),
        ), DoseAdministration),
        _layout("adverse_events", RecordKind.ADVERSE_EVENT, (
            Seq("adverse_events", ("seq",)),
            Plain("adverse_events", (
                ("term", T, True, None), ("grade", INT, True, None), ("onset_date", DT, True, None),
                ("resolution_date", DT, False, None), ("serious", B, True, None),
            ), bounds={"grade": (1, 5)}),
            Attributions(agents, v.enum(Attribution)),
            Plain("adverse_events", (
                ("dlt", B, True, None), ("immune_related", B, True, None),
                ("led_to_discontinuation", B, True, None), ("outcome", CODE, False, v.enum(AeOutcome)),
            )),
            ProvenancePart("adverse_events"),
        ), AdverseEvent),
        _layout("lab_results", RecordKind.LAB, (
            Seq("lab_results", ("seq",)),
            Plain("lab_results", (
                ("test_code", T, True, None), ("value", D, True, None), ("unit", T, True, None),
                ("date", DT, True, None), ("reference_lower", D, False, None),
                ("reference_upper", D, False, None),
            )),
            ProvenancePart("lab_results"),
        ), LabResult),
        _layout("tumour_assessments", RecordKind.TUMOUR_ASSESSMENT, (
            Seq("tumour_assessments", ("seq",)),
            Plain("tumour_assessments", (("date", DT, True, None),
                                         ("method", CODE, True, v.enum(AssessmentMethod)))),
            Pci(),
            Plain("tumour_assessments", (("cytology", CODE, False, v.enum(Cytology)),)),
            ProvenancePart("tumour_assessments"),
        ), TumourAssessment),
        _layout("lesions", RecordKind.TUMOUR_ASSESSMENT, (
            Seq("lesions", ("assessment_seq", "seq")),
            Plain("lesions", (
                ("lesion_id", T, True, None), ("site", T, True, None),
                ("role", CODE, True, v.enum(LesionRole)), ("nodal", B, True, None),
                ("measurement_mm", D, False, None), ("status", CODE, False, v.enum(LesionStatus)),
            ), attrs={"lesion_id": "id"}, units={"measurement_mm": "mm"},
                bounds={"measurement_mm": (0, None)}),
        ), Lesion, parent="tumour_assessments"),
        _layout("surgeries", RecordKind.SURGERY, (
            Seq("surgeries", ("seq",)),
            Plain("surgeries", (
                ("date", DT, True, None), ("procedure", *v.coded_text("procedure", required=True)),
                ("r_status", CODE, False, v.enum(ResidualTumour)),
                ("cc_score", CODE, False, v.enum(CcScore)),
            )),
            PathologyPart("surgeries"),
            ProvenancePart("surgeries"),
        ), Surgery),
        _layout("complications", RecordKind.SURGERY, (
            Seq("complications", ("surgery_seq", "seq")),
            Plain("complications", (
                ("description", T, True, None), ("grade", CODE, True, v.enum(ClavienDindo)),
                ("onset_date", DT, True, None),
            )),
        ), Complication, parent="surgeries"),
        _layout("follow_ups", RecordKind.FOLLOW_UP, (
            Seq("follow_ups", ("seq",)),
            Plain("follow_ups", (
                ("date", DT, True, None), ("vital_status", CODE, True, v.enum(VitalStatus)),
                ("progression_date", DT, False, None), ("death_date", DT, False, None),
                ("cause_of_death", *v.coded_text("cause_of_death")),
            )),
            ProvenancePart("follow_ups"),
        ), FollowUp),
    )


def _form_layout(protocol: Protocol, form_id: str, v: _Vocab) -> Layout:
    form = protocol.form(form_id)
    table_id = f"form_{form.id}"
    key = FormKey(table_id, form, v.visits)
    seq = Seq(table_id, ("seq",), participant=False, key=False)
    provenance = ProvenancePart(table_id)
    reserved = {c.name for part in (key, seq, provenance) for c in part.columns}
    for f in form.fields:
        if f.id in reserved:
            raise InputError(f"forms.{form.id}.fields.{f.id}", f.id, "a field id other than the "
                             "table's own columns (" + ", ".join(sorted(reserved)) + ")")
    values = FormValues(form, tuple(field_column(protocol, f) for f in form.fields))
    parts: tuple[Part, ...] = (key, seq, values, provenance)
    columns = tuple(c for part in parts for c in part.columns)
    table = TableDef(id=table_id, label_en=form.label.en, label_zh=form.label.zh, kind=RecordKind.FORM,
                     columns=columns, form=form)
    return Layout(table, parts, FormRecord, {"form_id": form.id})


class _Vocab:
    """The code lists of one protocol, as the typed tables use them."""

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self.lists = {c.id: c for c in protocol.codelists}
        self.visits = Coded("protocol.visits", tuple(
            Code(x.id, x.name.en, x.name.zh) for x in protocol.visits))
        self.agents = Coded("protocol.agents", tuple(Code(a.id, a.name, a.name) for a in protocol.agents))
        self.phases = Coded("protocol.phases", tuple(
            Code(p.id, p.label.en, p.label.zh) for p in protocol.phases))
        self.cohorts = Coded("protocol.cohorts", tuple(
            Code(c.id, c.label.en, c.label.zh) for c in protocol.cohorts))
        names = {a.id: a.name for a in protocol.agents}

        def doses(level_doses: Mapping[str, Any], unit: str) -> str:
            return ", ".join(f"{names.get(agent, agent)} {amount} {unit}"
                             for agent, amount in level_doses.items())

        self.dose_levels = Coded("protocol.dose_levels", tuple(
            Code(level.id, f"Level {level.id}: {doses(level.doses, level.unit)}",
                 f"剂量水平{level.id}：{doses(level.doses, level.unit)}")
            for level in protocol.dose_finding.levels))

    def enum(self, enum: type[StrEnum]) -> Coded:
        """A vocabulary's codes, labelled by the protocol code list with the same codes (the
        list whose codes include all of the vocabulary's) or else by the module's table."""
        members = [m.value for m in enum]
        own = CODE_LABELS[enum]
        # A list with exactly the vocabulary's codes first, then one with more.
        holding = [c for c in self.protocol.codelists if set(members) <= set(c.codes)]
        holding.sort(key=lambda c: len(c.codes) != len(members))
        if holding:
            items = {item.code: item for item in holding[0].items}
            return Coded(holding[0].id, tuple(
                Code(m, items[m].label.en, items[m].label.zh, items[m].submission_value)
                for m in members), enum)
        return Coded(f"vocab.{enum.__name__}", tuple(Code(m, *own[m]) for m in members), enum)

    def coded_text(self, attr: str, *, required: bool = False) -> tuple[ColumnType, bool, Coded | None]:
        """A typed record's coded text: CODE with the protocol list ``CODED_FIELDS`` names,
        TEXT when the protocol has no such list."""
        codelist = self.lists.get(CODED_FIELDS[attr])
        if codelist is None:
            return T, required, None
        return CODE, required, Coded(codelist.id, tuple(
            Code(item.code, item.label.en, item.label.zh, item.submission_value) for item in codelist.items))
