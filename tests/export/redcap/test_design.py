"""The REDCap project of a protocol: events, instruments, variables, designations, and the
names REDCap would refuse or see twice (refused, naming both)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from hipectrial.errors import InputError
from hipectrial.export.redcap.design import Project, project_design
from hipectrial.protocol import Protocol

from ..protocols import edited_protocol, form_of


def test_events_are_the_participant_event_the_visits_and_the_study_event(seed_protocol: Protocol,
                                                                         seed_project: Project) -> None:
    events = seed_project.events
    assert events[0].unique_name == "participant_arm_1"
    assert events[-1].unique_name == "study_arm_1"
    assert [e.visit_id for e in events[1:-1]] == [v.id for v in seed_protocol.visits]
    assert [e.day_offset for e in events] == list(range(1, len(events) + 1))
    by_visit = {e.visit_id: e for e in events}
    assert by_visit["screening"].unique_name == "screening_arm_1"
    # day0(4) laparoscopy(11) hipec(5) and two "_" = 22: laparoscopy loses 4 letters.
    assert by_visit["day0-laparoscopy-hipec"].unique_name == "day0_laparos_hipec_arm_1"
    assert by_visit["induction-cycle"].label_en == "Induction cycle day 1"


def test_only_a_repeating_visit_without_repeating_forms_is_a_repeating_event(seed_project: Project) -> None:
    # lvef-monitoring repeats every 84 days and enters echocardiography only; every other
    # repeating visit of the seed enters a repeating form (dosing, recist_lesions, ...).
    assert [e.unique_name for e in seed_project.events if e.repeats] == ["lvef_monitoring_arm_1"]


def test_forms_of_a_repeating_visit_with_a_repeating_form_are_repeating_instruments(seed_project: Project) -> None:
    dosing = seed_project.designation("induction_cycle_arm_1", "dosing")
    vitals = seed_project.designation("induction_cycle_arm_1", "vital_signs")
    assert dosing is not None
    assert vitals is not None
    assert (dosing.repeating, dosing.numbered) == (True, True)
    assert (vitals.repeating, vitals.numbered, vitals.instance_is_visit_repeat) == (True, False, True)
    demographics = seed_project.designation("screening_arm_1", "demographics")
    assert demographics is not None
    assert not demographics.repeating
    echo = seed_project.designation("lvef_monitoring_arm_1", "echocardiography")
    assert echo is not None
    assert (echo.repeating, echo.instance_is_visit_repeat) == (False, True)
    assert seed_project.designation("screening_arm_1", "dosing") is None


def test_instruments_and_their_variables(seed_project: Project) -> None:
    names = [i.name for i in seed_project.instruments]
    assert names[0] == "rec_participants"
    assert names[-2:] == ["rec_trial", "rec_sites"]
    first = seed_project.instruments[0]
    assert [v.name for v in first.variables[:3]] == ["record_id", "par_site_id", "par_sex"]
    adverse = seed_project.instrument("adverse_events")
    # keys first, then the protocol's fields by their ids, then seq and provenance.
    assert [v.name for v in adverse.variables[:4]] == [
        "adverse_events_visit_repeat", "adverse_events_repeat", "ae_term", "ae_grade"]
    assert [v.name for v in adverse.variables[-6:]] == [
        "adverse_events_seq", "adverse_events_entered_by", "adverse_events_entered_at",
        "adverse_events_protocol_version", "adverse_events_changed_by", "adverse_events_changed_at"]
    doses = seed_project.instrument("rec_doses")
    assert doses.instance_column == "seq"
    assert doses.variable_of("seq") is None
    lesions = seed_project.instrument("rec_lesions")
    assert [v.name for v in lesions.variables[:3]] == ["les_assessment_seq", "les_seq", "les_lesion_id"]


def test_every_table_column_has_one_place(seed_project: Project) -> None:
    for instrument in seed_project.instruments:
        carried = [v.column.name for v in instrument.variables if v.column is not None]
        assert sorted([*carried, *instrument.places]) == sorted(instrument.table.names)


def _add_field(form_id: str, field: dict[str, Any]):  # type: ignore[no-untyped-def]
    def edit(document: dict[str, Any]) -> None:
        form_of(document, form_id)["fields"].append(field)
    return edit


def test_a_field_named_like_a_typed_variable_is_refused_naming_both() -> None:
    protocol = edited_protocol(_add_field("demographics", {
        "id": "par_sex", "label": {"en": "x", "zh": "x"}, "type": "text"}))
    with pytest.raises(InputError, match="par_sex") as caught:
        project_design(protocol)
    assert "participants.sex" in str(caught.value)
    assert "form_demographics.par_sex" in str(caught.value)


def test_a_field_named_like_an_instruments_form_status_is_refused() -> None:
    protocol = edited_protocol(_add_field("demographics", {
        "id": "labs_complete", "label": {"en": "x", "zh": "x"}, "type": "boolean"}))
    with pytest.raises(InputError, match="<instrument>_complete"):
        project_design(protocol)


def test_a_form_id_redcap_cannot_name_an_instrument_is_refused() -> None:
    def edit(document: dict[str, Any]) -> None:
        extra = copy.deepcopy(form_of(document, "death"))
        extra["id"] = "Death-Form"
        for field in extra["fields"]:
            field["id"] = "x_" + field["id"]
        document["forms"].append(extra)

    with pytest.raises(InputError, match="REDCap instrument name") as caught:
        project_design(edited_protocol(edit))
    assert caught.value.field == "form Death-Form"


def test_visits_whose_event_names_would_be_one_are_refused_naming_both() -> None:
    def edit(document: dict[str, Any]) -> None:
        pathology = next(v for v in document["visits"] if v["id"] == "pathology")
        for visit_id in ("pathologyreviewnumber-x", "pathologyreviewnumbers-x"):
            twin = copy.deepcopy(pathology)
            twin["id"] = visit_id
            document["visits"].append(twin)

    # 18 characters less "_x" leave the first word its first 16 letters.
    with pytest.raises(InputError, match="pathologyreviewn_x") as caught:
        project_design(edited_protocol(edit))
    assert "visit pathologyreviewnumber-x and visit pathologyreviewnumbers-x" in str(caught.value)


def test_a_new_visit_is_a_new_event_with_its_forms() -> None:
    def edit(document: dict[str, Any]) -> None:
        pathology = next(v for v in document["visits"] if v["id"] == "pathology")
        review = copy.deepcopy(pathology)
        review["id"] = "pathology-review"
        review["name"] = {"en": "Central pathology review", "zh": "中心病理复核"}
        document["visits"].append(review)

    project = project_design(edited_protocol(edit))
    event = project.event("pathology_review_arm_1")
    assert (event.visit_id, event.label_en, event.label_zh) == (
        "pathology-review", "Central pathology review", "中心病理复核")
    assert project.designation("pathology_review_arm_1", "pathology") is not None
