"""Schema version 3 adds ``source``; a version-2 document still reads, with no source."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from hipectrial.data import (
    DataSource,
    DocumentError,
    Participant,
    Sex,
    Site,
    SourceKind,
    TrialData,
)
from hipectrial.data.jsonio import READABLE_VERSIONS, load_trial_carefully, load_trial_quickly
from hipectrial.errors import InputError

# A version-2 document as hipectrial wrote it before ``source`` (written by hand: one site,
# one participant in screening, keys sorted).
VERSION_2 = """\
{
  "adverse_events": [],
  "doses": [],
  "follow_ups": [],
  "form_records": [],
  "generated_at": "2025-03-01T08:00:00+08:00",
  "lab_results": [],
  "participants": [
    {
      "birth_date": "1962-05-04",
      "cohort": null,
      "consent_date": "2025-02-03",
      "dose_level": null,
      "id": "SH01-001",
      "off_study_date": null,
      "off_study_reason": null,
      "off_treatment_date": null,
      "off_treatment_reason": null,
      "provenance": null,
      "registration_date": null,
      "sex": "female",
      "site_id": "SH01"
    }
  ],
  "protocol_id": "HIPEC-PD1-SOX",
  "protocol_version": "1.0",
  "schema_version": 2,
  "sites": [
    {
      "activation_date": null,
      "city": "Shanghai",
      "country": "CN",
      "id": "SH01",
      "name": "Shanghai General Hospital",
      "principal_investigator": null,
      "provenance": null
    }
  ],
  "surgeries": [],
  "tumour_assessments": [],
  "visits": []
}
"""

EXPECTED = TrialData(
    protocol_id="HIPEC-PD1-SOX", protocol_version="1.0",
    generated_at=dt.datetime(2025, 3, 1, 8, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    sites=(Site(id="SH01", name="Shanghai General Hospital", country="CN", city="Shanghai"),),
    participants=(Participant(id="SH01-001", site_id="SH01", sex=Sex.FEMALE,
                              birth_date=dt.date(1962, 5, 4), consent_date=dt.date(2025, 2, 3)),),
)

SIMULATED = DataSource(kind=SourceKind.SIMULATION, description="hipectrial simulate: scenario default, seed 1")


def test_reads_versions_2_and_3() -> None:
    assert READABLE_VERSIONS == (2, 3)


def test_a_version_2_document_reads_with_no_source() -> None:
    trial = TrialData.from_json(VERSION_2)
    assert trial == EXPECTED
    assert trial.source is None
    assert not trial.simulated


def test_a_version_2_document_reads_quickly_and_carefully_alike() -> None:
    assert load_trial_quickly(VERSION_2) == load_trial_carefully(VERSION_2) == EXPECTED


def test_a_version_2_document_is_written_again_as_version_3_with_a_null_source() -> None:
    document = json.loads(TrialData.from_json(VERSION_2).to_json())
    assert document.pop("schema_version") == 3
    assert document.pop("source") is None
    old = json.loads(VERSION_2)
    del old["schema_version"]
    assert document == old


def test_source_is_written_as_an_object_with_kind_and_description() -> None:
    trial = TrialData(protocol_id="P", protocol_version="1",
                      generated_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC), source=SIMULATED)
    text = trial.to_json()
    assert ('  "source": {\n    "description": "hipectrial simulate: scenario default, seed 1",\n'
            '    "kind": "simulation"\n  },\n') in text
    back = TrialData.from_json(text)
    assert back.source == SIMULATED
    assert back.simulated


@pytest.mark.parametrize(("kind", "simulated"), [(SourceKind.SIMULATION, True), (SourceKind.EDC, False),
                                                 (SourceKind.IMPORT, False)])
def test_only_simulation_data_are_simulated(kind: SourceKind, simulated: bool) -> None:
    trial = TrialData(protocol_id="P", protocol_version="1",
                      generated_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                      source=DataSource(kind=kind, description="x"))
    assert trial.simulated is simulated


def test_source_codes_are_simulation_edc_import() -> None:
    assert [kind.value for kind in SourceKind] == ["simulation", "edc", "import"]


@pytest.mark.parametrize("description", ["", "   ", None])
def test_source_needs_a_description(description: object) -> None:
    with pytest.raises(InputError) as caught:
        DataSource(kind=SourceKind.EDC, description=description)  # type: ignore[arg-type]
    assert caught.value.field == "description"


def test_source_kind_must_be_a_source_kind() -> None:
    with pytest.raises(InputError) as caught:
        DataSource(kind="simulation", description="x")  # type: ignore[arg-type]
    assert caught.value.field == "kind"
    assert "simulation, edc, import" in str(caught.value)


def test_trial_source_must_be_a_data_source() -> None:
    with pytest.raises(InputError) as caught:
        TrialData(protocol_id="P", protocol_version="1", generated_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                  source="simulation")  # type: ignore[arg-type]
    assert caught.value.field == "source"


def test_version_1_is_refused() -> None:
    with pytest.raises(DocumentError) as caught:
        TrialData.from_json(VERSION_2.replace('"schema_version": 2', '"schema_version": 1'))
    assert caught.value.path == "schema_version"
    assert str(caught.value) == ("schema_version: unsupported version 1; this version of hipectrial "
                                 "reads versions 2 and 3")
