"""Hypothesis strategies for every record type and for whole ``TrialData`` values."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from hipectrial.data import (
    PCI_REGIONS,
    AdverseEvent,
    AeOutcome,
    AssessmentMethod,
    Attribution,
    CcScore,
    ClavienDindo,
    Complication,
    Cytology,
    DataSource,
    DoseAdministration,
    FollowUp,
    FormRecord,
    LabResult,
    Lesion,
    LesionRole,
    LesionStatus,
    Participant,
    Pathology,
    Provenance,
    ResidualTumour,
    Sex,
    Site,
    SourceKind,
    Surgery,
    TrialData,
    TumourAssessment,
    Visit,
    VitalStatus,
)

# Identifiers as protocols and the EDC spell them.
ids = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1,
              max_size=12)
# Free text: any Unicode except lone surrogates, which no UTF-8 file can hold.
texts = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=16)
dates = st.dates()
# Fixed UTC offsets (as ISO 8601 writes them); named zones compare unequal across a DST
# fold after the round trip turns them into fixed offsets (PEP 495).
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)
aware_datetimes = st.datetimes(
    min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1), timezones=offsets
)
decimals = st.decimals(allow_nan=False, allow_infinity=False)
amounts = st.decimals(min_value=0, allow_nan=False, allow_infinity=False)
counts = st.integers(min_value=1, max_value=60)


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


field_values = st.one_of(
    st.integers(), decimals, texts, dates, aware_datetimes, st.booleans(),
    st.lists(ids, max_size=4).map(tuple),
)


@st.composite
def provenances(draw: st.DrawFn) -> Provenance:
    changed = draw(st.booleans())
    return Provenance(
        entered_by=draw(ids), entered_at=draw(aware_datetimes), protocol_version=draw(texts),
        changed_by=draw(ids) if changed else None,
        changed_at=draw(aware_datetimes) if changed else None,
    )


maybe_provenance = optional(provenances())

sites = st.builds(
    Site, id=ids, name=texts, country=ids, city=optional(texts),
    principal_investigator=optional(texts), activation_date=optional(dates),
    provenance=maybe_provenance,
)

participants = st.builds(
    Participant, id=ids, site_id=ids, sex=st.sampled_from(Sex), birth_date=dates,
    consent_date=dates, registration_date=optional(dates), cohort=optional(ids),
    dose_level=optional(ids), off_treatment_date=optional(dates),
    off_treatment_reason=optional(texts), off_study_date=optional(dates),
    off_study_reason=optional(texts), provenance=maybe_provenance,
)

visits = st.builds(
    Visit, participant_id=ids, visit_id=ids, repeat=counts, planned_date=optional(dates),
    actual_date=optional(dates), provenance=maybe_provenance,
)

form_records = st.builds(
    FormRecord, participant_id=ids, form_id=ids, visit_id=ids, visit_repeat=counts,
    repeat=optional(counts), values=st.dictionaries(ids, field_values, max_size=5),
    provenance=maybe_provenance,
)

doses = st.builds(
    DoseAdministration, participant_id=ids, agent=ids, date=dates, prescribed=optional(amounts),
    given=amounts, unit=ids, phase=optional(ids), cycle=optional(counts),
    day=optional(counts), change_reason=optional(texts), provenance=maybe_provenance,
)

adverse_events = st.builds(
    AdverseEvent, participant_id=ids, term=texts, grade=st.integers(min_value=1, max_value=5),
    onset_date=dates, resolution_date=optional(dates), serious=st.booleans(),
    attribution=st.dictionaries(ids, st.sampled_from(Attribution), max_size=3),
    dlt=st.booleans(), immune_related=st.booleans(), led_to_discontinuation=st.booleans(),
    outcome=optional(st.sampled_from(AeOutcome)),
    provenance=maybe_provenance,
)

lab_results = st.builds(
    LabResult, participant_id=ids, test_code=ids, value=decimals, unit=ids, date=dates,
    reference_lower=optional(decimals), reference_upper=optional(decimals),
    provenance=maybe_provenance,
)

lesions = st.one_of(
    st.builds(Lesion, id=ids, site=texts, role=st.sampled_from(LesionRole), nodal=st.booleans(),
              measurement_mm=optional(amounts)),
    st.builds(Lesion, id=ids, site=texts, role=st.sampled_from(LesionRole), nodal=st.booleans(),
              measurement_mm=amounts,
              status=st.sampled_from([LesionStatus.MEASURED, LesionStatus.SPLIT, LesionStatus.COALESCED])),
    st.builds(Lesion, id=ids, site=texts, role=st.sampled_from(LesionRole), nodal=st.booleans(),
              status=st.sampled_from([LesionStatus.PRESENT, LesionStatus.TOO_SMALL, LesionStatus.DISAPPEARED,
                                      LesionStatus.UNEQUIVOCAL_PROGRESSION, LesionStatus.NOT_EVALUATED])),
)

pci_scores = st.lists(
    optional(st.integers(min_value=0, max_value=3)), min_size=PCI_REGIONS, max_size=PCI_REGIONS
).map(tuple)

tumour_assessments = st.builds(
    TumourAssessment, participant_id=ids, date=dates, method=st.sampled_from(AssessmentMethod),
    lesions=st.lists(lesions, max_size=3).map(tuple), pci=pci_scores,
    cytology=optional(st.sampled_from(Cytology)), provenance=maybe_provenance,
)

complications = st.builds(
    Complication, description=texts, grade=st.sampled_from(ClavienDindo), onset_date=dates
)

pathologies = st.builds(
    Pathology, ypt=optional(texts), ypn=optional(texts), regression_grade=optional(texts),
    pcr=optional(st.booleans()),
)

surgeries = st.builds(
    Surgery, participant_id=ids, date=dates, procedure=texts,
    r_status=optional(st.sampled_from(ResidualTumour)), cc_score=optional(st.sampled_from(CcScore)),
    complications=st.lists(complications, max_size=2).map(tuple), pathology=optional(pathologies),
    provenance=maybe_provenance,
)

follow_ups = st.builds(
    FollowUp, participant_id=ids, date=dates, vital_status=st.sampled_from(VitalStatus),
    progression_date=optional(dates), death_date=optional(dates), cause_of_death=optional(texts),
    provenance=maybe_provenance,
)


sources = st.builds(DataSource, kind=st.sampled_from(SourceKind),
                    description=texts.filter(lambda text: bool(text.strip())))


def _few(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.lists(strategy, max_size=3).map(tuple)


trials = st.builds(
    TrialData, protocol_id=ids, protocol_version=texts, generated_at=aware_datetimes,
    sites=_few(sites), participants=_few(participants), visits=_few(visits),
    form_records=_few(form_records), doses=_few(doses), adverse_events=_few(adverse_events),
    lab_results=_few(lab_results), tumour_assessments=_few(tumour_assessments),
    surgeries=_few(surgeries), follow_ups=_few(follow_ups), source=optional(sources),
)

# Each record kind with its strategy, for per-kind properties.
RECORDS: dict[str, st.SearchStrategy[Any]] = {
    "sites": sites, "participants": participants, "visits": visits,
    "form_records": form_records, "doses": doses, "adverse_events": adverse_events,
    "lab_results": lab_results, "tumour_assessments": tumour_assessments,
    "surgeries": surgeries, "follow_ups": follow_ups,
}
