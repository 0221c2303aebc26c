"""Eligibility from the screening forms: one gatherer of the values and as_of
(``screening_inputs``), the full engine result (``evaluate_screening``) and its summary
(``recompute_eligibility``) agree."""

from __future__ import annotations

import datetime as dt

from hipectrial.analysis.facts import collect_facts
from hipectrial.analysis.screening import evaluate_screening, recompute_eligibility, screening_inputs
from hipectrial.clinical.records.derived import CriterionStatus
from hipectrial.data import FormRecord, Participant, Sex, TrialData, Visit
from hipectrial.protocol import load_protocol

SEED = load_protocol()
PID = "SH01-001"


def facts_of(visits: tuple[Visit, ...], forms: tuple[FormRecord, ...], registered: dt.date | None = None):
    trial = TrialData(
        protocol_id=SEED.study.id, protocol_version=SEED.study.version,
        generated_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
        participants=(Participant(PID, "SH01", Sex.MALE, dt.date(1970, 5, 10), dt.date(2026, 3, 2),
                                  registration_date=registered),),
        visits=visits, form_records=forms)
    return collect_facts(trial=trial, protocol=SEED)[PID]


SCREENING = Visit(PID, "screening", 1, None, dt.date(2026, 3, 3))
ECOG_3 = FormRecord(PID, "ecog_assessment", "screening", values={"ecog": "3", "ecog_date": dt.date(2026, 3, 3)})


def lap(on: dt.date) -> FormRecord:
    return FormRecord(PID, "laparoscopy", "unscheduled",
                      values={"lap_date": on, "lap_context": "diagnostic", "p_status": "P1"})


def test_as_of_is_the_latest_screening_date_and_a_staging_laparoscopy_counts_at_its_own_date():
    inputs = screening_inputs(facts_of((SCREENING,), (ECOG_3, lap(dt.date(2026, 3, 5)))))
    assert inputs.as_of == dt.date(2026, 3, 5)
    assert inputs.values["ecog"] == "3"
    assert inputs.values["p_status"] == "P1"


def test_a_laparoscopy_after_registration_is_not_a_screening_value():
    inputs = screening_inputs(facts_of((SCREENING,), (ECOG_3, lap(dt.date(2026, 3, 20))),
                                       registered=dt.date(2026, 3, 10)))
    assert "p_status" not in inputs.values
    assert inputs.as_of == dt.date(2026, 3, 3)


def test_the_full_result_names_the_criterion_its_summary_fails():
    facts = facts_of((SCREENING,), (ECOG_3,))
    evaluation = evaluate_screening(protocol=SEED, facts=facts)
    assert evaluation.result is not None
    # Protocol I03: ECOG performance status 0-1; ECOG 3 does not meet it.
    ecog = next(c for c in evaluation.result.criteria if "ecog" in c.values)
    assert ecog.status is CriterionStatus.NOT_MET
    assert ecog.values == {"ecog": "3"}
    summary = recompute_eligibility(protocol=SEED, facts=facts)
    assert summary.status == "ineligible"
    assert summary.failed == evaluation.result.failed
    assert ecog.id in summary.failed
    assert summary.as_of == evaluation.result.as_of == dt.date(2026, 3, 3)


def test_forms_without_a_visit_date_cannot_be_evaluated_and_say_why():
    evaluation = evaluate_screening(protocol=SEED, facts=facts_of((), (ECOG_3,)))
    assert evaluation.result is None
    assert "without a visit date" in (evaluation.note or "")
    assert recompute_eligibility(protocol=SEED, facts=facts_of((), (ECOG_3,))).status == "not_evaluable"


def test_why_eligibility_cannot_be_evaluated_is_a_code_and_parameters_said_in_english():
    from hipectrial.analysis.screening import ENGLISH, ScreeningNote
    from hipectrial.phrases import english

    no_records = evaluate_screening(protocol=SEED, facts=facts_of((SCREENING,), ()))
    no_date = evaluate_screening(protocol=SEED, facts=facts_of((), (ECOG_3,)))
    # an ECOG assessment dated after the screening visit's date: the engine refuses it
    late = FormRecord(PID, "ecog_assessment", "screening", values={"ecog": "1", "ecog_date": dt.date(2026, 3, 9)})
    refused = evaluate_screening(protocol=SEED, facts=facts_of((SCREENING,), (late,)))
    assert [e.note_code for e in (no_records, no_date, refused)] == list(ScreeningNote)
    assert no_records.note == "no screening form records"
    assert no_date.note == "screening forms without a visit date: as_of unknown"
    error = dict(refused.note_params)["error"]
    assert "ecog_date" in error
    assert refused.note == f"eligibility not recomputed: {error}"
    for e in (no_records, no_date, refused):
        assert e.note_phrase is not None
        assert e.note == english(e.note_phrase, ENGLISH)
