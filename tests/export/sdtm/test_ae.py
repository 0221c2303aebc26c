"""AE and SUPPAE from a hand-built trial whose rows are written out by hand.

RFSTDTC is the first dose given (HIPEC, 10 January 2025), RFXENDTC the last (1 April 2025).
Study days by SDTMIG 3.4 §4.4.4 (day 1 = RFSTDTC, no day 0): 9 Jan -> -1, 13 Jan -> 4,
1 Feb -> 23, 25 Mar -> 75, 10 Apr -> 91 (31 + 28 + 31 days after 10 January, plus 1).
"""

from __future__ import annotations

import datetime as dt

import pytest

from hipectrial.data import AdverseEvent, AeOutcome, Attribution, ClavienDindo, Complication, Surgery
from hipectrial.errors import InputError
from hipectrial.export.sdtm import ae

from .small import amended, by_id, context, dose, person, trial

D = dt.date
A = Attribution
U1, U2 = "HIPEC-PD1-SOX-SH01-001", "HIPEC-PD1-SOX-SH01-002"

EVENTS = (
    # 0: grade 3 neutropenia three days after RFSTDTC, probably related to oxaliplatin only
    AdverseEvent(participant_id="SH01-001", term="Neutrophil count decreased", grade=3,
                 onset_date=D(2025, 1, 13), resolution_date=D(2025, 1, 20),
                 attribution={"oxaliplatin": A.PROBABLE, "tislelizumab": A.UNRELATED},
                 outcome=AeOutcome.RECOVERED),
    # 1: fatal immune pneumonitis after the last dose; led to discontinuation
    AdverseEvent(participant_id="SH01-001", term="Pneumonitis", grade=5, onset_date=D(2025, 4, 10),
                 serious=True, attribution={"tislelizumab": A.DEFINITE}, immune_related=True,
                 led_to_discontinuation=True, outcome=AeOutcome.FATAL),
    # 2: before the first dose, nothing but term and grade recorded
    AdverseEvent(participant_id="SH01-001", term="Nausea", grade=1, onset_date=D(2025, 1, 9)),
    # 3: serious, recovering: did not result in death
    AdverseEvent(participant_id="SH01-001", term="Diarrhea", grade=3, onset_date=D(2025, 2, 1), serious=True,
                 attribution={"s-1": A.POSSIBLE, "oxaliplatin": A.UNLIKELY}, dlt=True,
                 outcome=AeOutcome.RECOVERING),
    # 4: a participant never treated
    AdverseEvent(participant_id="SH01-002", term="Fatigue", grade=2, onset_date=D(2025, 2, 3)),
)
SURGERY = Surgery(participant_id="SH01-001", date=D(2025, 3, 20), procedure="conversion_surgery_hipec",
                  complications=(Complication("Anastomotic leak", ClavienDindo.IVA, D(2025, 3, 25)),))

AE_COLUMNS = ["USUBJID", "AESEQ", "AETERM", "AEDECOD", "AECAT", "AEBODSYS", "AESER", "AEACN", "AEREL",
              "AEOUT", "AESDTH", "AESLIFE", "AETOXGR", "EPOCH", "AESTDTC", "AEENDTC", "AESTDY", "AEENDY"]
EXPECTED_AE = [
    (U1, 1, "Nausea", "Nausea", None, None, "N", None, None, None, None, None, "1", "SCREENING",
     "2025-01-09", None, -1, None),
    (U1, 2, "Neutrophil count decreased", "Neutrophil count decreased", None, None, "N", None, "Y",
     "RECOVERED/RESOLVED", None, None, "3", "TREATMENT", "2025-01-13", "2025-01-20", 4, 11),
    (U1, 3, "Diarrhea", "Diarrhea", None, None, "Y", None, "Y", "RECOVERING/RESOLVING", "N", None, "3",
     "TREATMENT", "2025-02-01", None, 23, None),
    (U1, 4, "Anastomotic leak", "Anastomotic leak", "POSTOPERATIVE COMPLICATION", None, "Y", None, None, None,
     None, "Y", None, "TREATMENT", "2025-03-25", None, 75, None),
    (U1, 5, "Pneumonitis", "Pneumonitis", None, None, "Y", "DRUG WITHDRAWN", "Y", "FATAL", "Y", None, "5",
     "FOLLOW-UP", "2025-04-10", None, 91, None),
    (U2, 1, "Fatigue", "Fatigue", None, None, "N", None, None, None, None, None, "2", "SCREENING",
     "2025-02-03", None, None, None),
]
# QNAM from the agent ids: "REL" + the first five letters/digits (oxaliplatin -> RELOXALI).
EXPECTED_SUPPAE = [
    (U1, "1", "AEDLT", "Dose-Limiting Toxicity", "N"),
    (U1, "1", "AEIRAE", "Immune-Related Adverse Event", "N"),
    (U1, "2", "RELOXALI", "Relationship to Oxaliplatin", "PROBABLY RELATED"),
    (U1, "2", "RELTISLE", "Relationship to Tislelizumab", "NOT RELATED"),
    (U1, "2", "AEDLT", "Dose-Limiting Toxicity", "N"),
    (U1, "2", "AEIRAE", "Immune-Related Adverse Event", "N"),
    (U1, "3", "RELOXALI", "Relationship to Oxaliplatin", "UNLIKELY RELATED"),
    (U1, "3", "RELS1", "Relationship to S-1", "POSSIBLY RELATED"),
    (U1, "3", "AEDLT", "Dose-Limiting Toxicity", "Y"),
    (U1, "3", "AEIRAE", "Immune-Related Adverse Event", "N"),
    (U1, "4", "AECDGR", "Clavien-Dindo Grade", "IVa"),
    (U1, "4", "AEOPER", "Operation the Complication Follows", "Conversion surgery + HIPEC"),
    (U1, "5", "RELTISLE", "Relationship to Tislelizumab", "DEFINITELY RELATED"),
    (U1, "5", "AEDLT", "Dose-Limiting Toxicity", "N"),
    (U1, "5", "AEIRAE", "Immune-Related Adverse Event", "Y"),
    (U2, "1", "AEDLT", "Dose-Limiting Toxicity", "N"),
    (U2, "1", "AEIRAE", "Immune-Related Adverse Event", "N"),
]


def _trial(events=EVENTS, surgeries=(SURGERY,)):
    return trial(participants=(person("SH01-001"), person("SH01-002", registered=None)),
                 doses=(dose("SH01-001", "hipec-paclitaxel", D(2025, 1, 10)),
                        dose("SH01-001", "oxaliplatin", D(2025, 4, 1))),
                 adverse_events=events, surgeries=surgeries)


def _build(protocol, data):
    return ae.build(trial=data, protocol=protocol, study=context(data, protocol))


@pytest.fixture(scope="module")
def built(protocol):
    return _build(protocol, _trial())


def test_ae_rows_are_those_worked_out_by_hand(built):
    dataset, _ = built
    assert [tuple(r[c] for c in AE_COLUMNS) for r in dataset.records()] == EXPECTED_AE
    assert set(dataset.column("STUDYID")) == {"HIPEC-PD1-SOX"}
    assert set(dataset.column("DOMAIN")) == {"AE"}


def test_suppae_carries_the_attribution_per_agent_and_the_flags(built):
    _, supp = built
    got = [(r["USUBJID"], r["IDVARVAL"], r["QNAM"], r["QLABEL"], r["QVAL"]) for r in supp.records()]
    assert got == EXPECTED_SUPPAE
    assert {(r["RDOMAIN"], r["IDVAR"], r["QORIG"]) for r in supp.records()} == {("AE", "AESEQ", "Collected")}
    assert supp.domain == "SUPPAE"


def test_aerel_is_yes_when_any_attribution_is_at_least_possible(protocol):
    unlikely_only = AdverseEvent(participant_id="SH01-001", term="Fatigue", grade=1, onset_date=D(2025, 2, 1),
                                 attribution={"oxaliplatin": A.UNLIKELY, "s-1": A.UNRELATED})
    possible = AdverseEvent(participant_id="SH01-001", term="Rash", grade=1, onset_date=D(2025, 2, 2),
                            attribution={"oxaliplatin": A.UNRELATED, "s-1": A.POSSIBLE})
    dataset, _ = _build(protocol, _trial(events=(unlikely_only, possible), surgeries=()))
    assert dataset.column("AEREL") == ("N", "Y")


def test_outcome_follows_a_submission_value_the_protocol_gives(protocol):
    def edit(data):
        by_id(data["codelists"], "ae-outcome")["items"][0]["submission_value"] = "RESOLVED"

    protocol = amended(edit)
    dataset, _ = _build(protocol, _trial())
    assert dataset.column("AEOUT")[1] == "RESOLVED"
    assert ("RESOLVED", None) in next(c for c in dataset.codelists if c.id == "OUT").items


def test_a_new_agent_gets_its_own_supplemental_qualifier(protocol):
    def edit(data):
        agent = dict(by_id(data["agents"], "tislelizumab"), id="nivolumab", name="Nivolumab")
        data["agents"].append(agent)
        data["codelists"][[c["id"] for c in data["codelists"]].index("systemic-agent")]["items"].append(
            {"code": "nivolumab", "label": {"en": "Nivolumab", "zh": "纳武利尤单抗"}})

    protocol = amended(edit)
    event = AdverseEvent(participant_id="SH01-001", term="Colitis", grade=2, onset_date=D(2025, 2, 1),
                         attribution={"nivolumab": A.PROBABLE})
    _, supp = _build(protocol, _trial(events=(event,), surgeries=()))
    assert next((r["QNAM"], r["QLABEL"], r["QVAL"]) for r in supp.records()) == (
        "RELNIVOL", "Relationship to Nivolumab", "PROBABLY RELATED")


def test_refuses_two_agents_whose_qualifier_names_collide(protocol):
    def edit(data):
        agent = dict(by_id(data["agents"], "oxaliplatin"), id="oxali-2", name="Oxaliplatin 2")
        data["agents"].append(agent)

    protocol = amended(edit)
    with pytest.raises(InputError) as caught:
        _build(protocol, _trial())
    assert caught.value.field == "agents"
    assert "RELOXALI" in str(caught.value)


def test_refuses_a_term_that_is_not_ascii(protocol):
    event = AdverseEvent(participant_id="SH01-001", term="恶心", grade=1, onset_date=D(2025, 2, 1))
    with pytest.raises(InputError) as caught:
        _build(protocol, _trial(events=(event,), surgeries=()))
    assert caught.value.field == "AETERM"
    assert "SH01-001/恶心/2025-02-01" in str(caught.value)


def test_refuses_a_value_longer_than_200_bytes(protocol):
    long_description = "x" * 201
    surgery = Surgery(participant_id="SH01-001", date=D(2025, 3, 20), procedure="conversion_surgery_hipec",
                      complications=(Complication(long_description, ClavienDindo.I, D(2025, 3, 22)),))
    with pytest.raises(InputError) as caught:
        _build(protocol, _trial(events=(), surgeries=(surgery,)))
    assert caught.value.field == "AETERM"
    assert "200 bytes" in str(caught.value)
    assert "complication 1 of surgery SH01-001/surgery/2025-03-20" in str(caught.value)


def test_a_fatal_complication_is_serious_and_results_in_death(protocol):
    surgery = Surgery(participant_id="SH01-001", date=D(2025, 3, 20), procedure="conversion_surgery_hipec",
                      complications=(Complication("Sepsis", ClavienDindo.V, D(2025, 3, 24)),
                                     Complication("Wound infection", ClavienDindo.IIIB, D(2025, 3, 23))))
    dataset, _ = _build(protocol, _trial(events=(), surgeries=(surgery,)))
    got = [(r["AETERM"], r["AESER"], r["AESDTH"], r["AESLIFE"], r["AEOUT"]) for r in dataset.records()]
    assert got == [("Wound infection", None, None, None, None), ("Sepsis", "Y", "Y", None, "FATAL")]


def test_every_variable_has_its_metadata(built):
    for dataset in built:
        for variable in dataset.variables:
            assert len(variable.name) <= 8
            assert len(variable.label) <= 40
            assert variable.label.isascii()
            assert variable.role
            assert variable.origin
            assert variable.origin != "Derived" or variable.derivation
            assert variable.codelist is None or variable.codelist in {c.id for c in dataset.codelists}


def test_same_data_give_the_same_datasets(protocol, built):
    assert _build(protocol, _trial()) == built


def test_a_long_agent_name_gives_way_to_its_id_in_the_qualifier_label(protocol):
    def edit(data):
        by_id(data["agents"], "oxaliplatin")["name"] = "Oxaliplatin (Eloxatin, Sanofi, 5 mg/mL solution)"

    _, supp = _build(amended(edit), _trial())
    assert ("RELOXALI", "Relationship to oxaliplatin") in {(r["QNAM"], r["QLABEL"]) for r in supp.records()}
