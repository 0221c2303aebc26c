"""TrialData's selectors: one participant's or one site's records, look-ups by id."""

from __future__ import annotations

import pytest

from hipectrial.data import RecordKind, TrialData


def test_finds_participant_and_site_by_id(trial: TrialData) -> None:
    assert trial.participant("SH01-002").cohort == "HER2-positive"
    assert trial.site("BJ02").name == "Peking University Cancer Hospital"


def test_unknown_participant_is_a_key_error(trial: TrialData) -> None:
    with pytest.raises(KeyError):
        trial.participant("SH01-404")
    with pytest.raises(KeyError):
        trial.for_participant("SH01-404")
    with pytest.raises(KeyError):
        trial.for_site("XX99")


def test_for_participant_keeps_only_their_records_and_their_site(trial: TrialData) -> None:
    own = trial.for_participant("SH01-002")
    assert [s.id for s in own.sites] == ["SH01"]
    assert [p.id for p in own.participants] == ["SH01-002"]
    for kind, _, record in own.all_records():
        if kind not in (RecordKind.SITE, RecordKind.PARTICIPANT):
            assert getattr(record, "participant_id") == "SH01-002"  # noqa: B009
    assert len(own.follow_ups) == 2
    assert (own.protocol_id, own.generated_at) == (trial.protocol_id, trial.generated_at)


def test_participant_subsets_partition_the_records(trial: TrialData) -> None:
    for kind in (RecordKind.VISIT, RecordKind.FORM, RecordKind.DOSE, RecordKind.ADVERSE_EVENT,
                 RecordKind.LAB, RecordKind.TUMOUR_ASSESSMENT, RecordKind.SURGERY, RecordKind.FOLLOW_UP):
        parts = [trial.for_participant(p.id).records(kind) for p in trial.participants]
        assert sum(len(part) for part in parts) == len(trial.records(kind))


def test_for_site_keeps_its_participants(trial: TrialData) -> None:
    assert [p.id for p in trial.for_site("SH01").participants] == ["SH01-001", "SH01-002"]
    empty = trial.for_site("BJ02")
    assert empty.participants == ()
    assert empty.doses == ()
    assert [s.id for s in empty.sites] == ["BJ02"]


def test_per_participant_selectors(trial: TrialData) -> None:
    assert [d.cycle for d in trial.doses_of("SH01-001", "oxaliplatin")] == [1, 2]
    assert len(trial.doses_of("SH01-001")) == 3
    assert [r.test_code for r in trial.lab_results_of("SH01-001", "HGB")] == ["HGB"]
    assert [a.term for a in trial.adverse_events_of("SH01-002")] == ["Sepsis"]
    assert [v.key for v in trial.visits_of("SH01-002")] == ["SH01-002/screening#1"]
    assert [r.participant_id for r in trial.form_records_of("baseline")] == ["SH01-001", "SH01-002"]
    assert len(trial.form_records_of("baseline", "SH01-002")) == 1
    assert len(trial.tumour_assessments_of("SH01-001")) == 2
    assert len(trial.surgeries_of("SH01-002")) == 0
    assert len(trial.follow_ups_of("SH01-002")) == 2
    assert [p.id for p in trial.participants_at("SH01")] == ["SH01-001", "SH01-002"]


def test_all_records_lists_every_record_once_in_document_order(trial: TrialData) -> None:
    listed = list(trial.all_records())
    assert len(listed) == sum(len(trial.records(k)) for k in RecordKind if k is not RecordKind.TRIAL)
    kinds = [kind for kind, _, _ in listed]
    assert kinds == sorted(kinds, key=list(RecordKind).index)
    assert listed[0] == (RecordKind.SITE, 0, trial.sites[0])


def test_records_of_the_trial_kind_is_refused(trial: TrialData) -> None:
    with pytest.raises(ValueError, match="not a record list"):
        trial.records(RecordKind.TRIAL)
