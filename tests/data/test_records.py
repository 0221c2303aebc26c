"""Records refuse values that cannot be right whatever the protocol says."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hipectrial.data import (
    AdverseEvent,
    AssessmentMethod,
    Attribution,
    DoseAdministration,
    FormRecord,
    FrozenMap,
    LabResult,
    Lesion,
    LesionRole,
    Provenance,
    TrialData,
    TumourAssessment,
    Visit,
)
from hipectrial.errors import InputError

UTC = dt.UTC


def _dose(**changes: object) -> DoseAdministration:
    values: dict[str, object] = {
        "participant_id": "SH01-001", "agent": "oxaliplatin", "date": dt.date(2025, 2, 1),
        "prescribed": Decimal("215"), "given": Decimal("215"), "unit": "mg",
    }
    values.update(changes)
    return DoseAdministration(**values)  # type: ignore[arg-type]


def test_rejects_naive_entered_at() -> None:
    with pytest.raises(InputError) as caught:
        Provenance(entered_by="nurse.li", entered_at=dt.datetime(2025, 3, 1, 9), protocol_version="1.0")
    assert caught.value.field == "entered_at"
    assert "UTC offset" in str(caught.value)


def test_changed_by_needs_changed_at() -> None:
    with pytest.raises(InputError) as caught:
        Provenance(entered_by="nurse.li", entered_at=dt.datetime(2025, 3, 1, tzinfo=UTC),
                   protocol_version="1.0", changed_by="dm.wang")
    assert caught.value.field == "changed_at"


def test_rejects_float_dose() -> None:
    with pytest.raises(InputError) as caught:
        _dose(given=215.5)
    assert caught.value.field == "given"
    assert "finite Decimal" in str(caught.value)


def test_rejects_negative_prescribed_dose() -> None:
    with pytest.raises(InputError, match="prescribed must be a Decimal >= 0"):
        _dose(prescribed=Decimal("-1"))


def test_rejects_nan_lab_value() -> None:
    with pytest.raises(InputError) as caught:
        LabResult(participant_id="SH01-001", test_code="NEUT", value=Decimal("NaN"), unit="10^9/L",
                  date=dt.date(2025, 1, 5))
    assert caught.value.field == "value"


def test_rejects_cycle_zero() -> None:
    with pytest.raises(InputError) as caught:
        _dose(cycle=0)
    assert caught.value.field == "cycle"


@pytest.mark.parametrize("grade", [0, 6, True])
def test_rejects_grade_outside_ctcae(grade: int) -> None:
    with pytest.raises(InputError) as caught:
        AdverseEvent(participant_id="SH01-001", term="Diarrhea", grade=grade, onset_date=dt.date(2025, 2, 3))
    assert caught.value.field == "grade"


def test_rejects_attribution_given_as_plain_text() -> None:
    with pytest.raises(InputError) as caught:
        AdverseEvent(participant_id="SH01-001", term="Diarrhea", grade=2, onset_date=dt.date(2025, 2, 3),
                     attribution={"s-1": "possible"})  # type: ignore[dict-item]
    assert caught.value.field == "attribution.s-1"


@pytest.mark.parametrize(
    "pci",
    [(1, 2, 3), (0,) * 14, (4,) + (0,) * 12, (-1,) + (0,) * 12, (True,) + (0,) * 12],
    ids=["3 regions", "14 regions", "score 4", "score -1", "score True"],
)
def test_rejects_pci_that_is_not_13_scores_of_0_to_3(pci: tuple[int, ...]) -> None:
    with pytest.raises(InputError) as caught:
        TumourAssessment(participant_id="SH01-001", date=dt.date(2025, 1, 10),
                         method=AssessmentMethod.LAPAROSCOPY, pci=pci)
    assert caught.value.field == "pci"


def test_accepts_pci_with_regions_not_scored() -> None:
    pci = (0, 1, None, 3, 0, 0, 2, None, 0, 0, 0, 0, 1)
    assessment = TumourAssessment(participant_id="SH01-001", date=dt.date(2025, 1, 10),
                                  method=AssessmentMethod.LAPAROSCOPY, pci=pci)
    assert assessment.pci == pci


def test_rejects_negative_lesion_measurement() -> None:
    with pytest.raises(InputError) as caught:
        Lesion(id="T1", site="liver", role=LesionRole.TARGET, measurement_mm=Decimal("-3"))
    assert caught.value.field == "measurement_mm"


def test_rejects_float_crf_value_naming_the_field() -> None:
    with pytest.raises(InputError) as caught:
        FormRecord(participant_id="SH01-001", form_id="baseline", visit_id="screening",
                   values={"weight_kg": 61.5})
    assert caught.value.field == "values.weight_kg"


def test_rejects_naive_datetime_crf_value() -> None:
    with pytest.raises(InputError) as caught:
        FormRecord(participant_id="SH01-001", form_id="ae", visit_id="adverse-event",
                   values={"ae_start": dt.datetime(2025, 2, 3, 10)})
    assert caught.value.field == "values.ae_start"


def test_rejects_visit_repeat_zero() -> None:
    with pytest.raises(InputError):
        Visit(participant_id="SH01-001", visit_id="cycle", repeat=0)


def test_mappings_become_immutable_and_records_hashable() -> None:
    values = {"ecog": 1}
    record = FormRecord(participant_id="SH01-001", form_id="baseline", visit_id="screening", values=values)
    values["ecog"] = 3
    assert record.values == {"ecog": 1}
    assert isinstance(record.values, FrozenMap)
    ae = AdverseEvent(participant_id="SH01-001", term="Diarrhea", grade=2, onset_date=dt.date(2025, 2, 3),
                      attribution={"s-1": Attribution.POSSIBLE, "oxaliplatin": Attribution.UNLIKELY})
    assert len({record, record}) == 1
    assert hash(ae) == hash(AdverseEvent(participant_id="SH01-001", term="Diarrhea", grade=2,
                                         onset_date=dt.date(2025, 2, 3),
                                         attribution={"oxaliplatin": Attribution.UNLIKELY,
                                                      "s-1": Attribution.POSSIBLE}))
    assert ae.related_agents == ("s-1",)


def test_frozen_map_cannot_be_changed() -> None:
    m = FrozenMap({"a": 1})
    with pytest.raises(TypeError):
        m["a"] = 2  # type: ignore[index]


def test_trial_needs_aware_generated_at() -> None:
    with pytest.raises(InputError) as caught:
        TrialData(protocol_id="P", protocol_version="1", generated_at=dt.datetime(2025, 1, 1))
    assert caught.value.field == "generated_at"


def test_trial_keeps_record_lists_as_tuples() -> None:
    visit = Visit(participant_id="SH01-001", visit_id="screening")
    trial = TrialData(protocol_id="P", protocol_version="1",
                      generated_at=dt.datetime(2025, 1, 1, tzinfo=UTC),
                      visits=[visit])  # type: ignore[arg-type]
    assert trial.visits == (visit,)
