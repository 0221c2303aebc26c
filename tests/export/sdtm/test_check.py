"""The conformance check: clean on a simulated trial of 200 participants, in memory and
written; each defect, made on purpose, is found by its check."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace

import pytest

from hipectrial.export.sdtm.check import check_sdtm
from hipectrial.export.sdtm.files import write_sdtm


@pytest.fixture(scope="module")
def written(simulated_datasets, simulated_trial, protocol, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sdtm")
    write_sdtm(simulated_datasets, folder, protocol=protocol, created=simulated_trial.generated_at)
    return folder


@pytest.fixture
def folder(written, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(written, copy)
    return copy


def test_a_simulated_trial_of_200_is_clean_in_memory(simulated_datasets):
    assert check_sdtm(simulated_datasets) == ()


def test_a_simulated_trial_of_200_is_clean_once_written(written, simulated_trial):
    assert sum(p.registered for p in simulated_trial.participants) == 200
    assert check_sdtm(written) == ()


def test_the_hand_built_trial_is_clean(hand_datasets):
    assert check_sdtm(list(hand_datasets.values())) == ()


# -- one defect per test ----------------------------------------------------------------------

def _set(dataset, name, row, value):
    position = dataset.index(name)
    rows = list(dataset.rows)
    changed = list(rows[row])
    changed[position] = value
    rows[row] = tuple(changed)
    return replace(dataset, rows=tuple(rows))


def _drop(dataset, name):
    position = dataset.index(name)
    return replace(dataset, variables=tuple(v for v in dataset.variables if v.name != name),
                   rows=tuple(r[:position] + r[position + 1:] for r in dataset.rows))


def _checks(hand_datasets, domain, changed):
    datasets = [changed if d.domain == domain else d for d in hand_datasets.values()]
    return check_sdtm(datasets)


def _only(findings, check):
    assert findings, "the defect was not found"
    assert {f.check for f in findings} == {check}, [str(f) for f in findings]
    return findings[0]


def test_finds_a_missing_required_variable(hand_datasets):
    finding = _only(_checks(hand_datasets, "DM", _drop(hand_datasets["DM"], "SEX")), "required-missing")
    assert (finding.dataset, finding.variable) == ("DM", "SEX")


def test_finds_a_missing_expected_variable(hand_datasets):
    finding = _only(_checks(hand_datasets, "DM", _drop(hand_datasets["DM"], "RACE")), "expected-missing")
    assert (finding.dataset, finding.variable) == ("DM", "RACE")


def test_finds_an_empty_required_value(hand_datasets):
    finding = _only(_checks(hand_datasets, "DS", _set(hand_datasets["DS"], "DSTERM", 2, None)),
                    "required-empty")
    assert (finding.variable, finding.row) == ("DSTERM", 3)


def test_finds_a_duplicate_key(hand_datasets):
    sv = hand_datasets["SV"]
    twice = replace(sv, rows=(*sv.rows, sv.rows[0]))
    finding = _only(_checks(hand_datasets, "SV", twice), "duplicate-key")
    assert finding.row == len(twice.rows)


def test_finds_a_code_outside_its_code_list(hand_datasets):
    finding = _only(_checks(hand_datasets, "DM", _set(hand_datasets["DM"], "SEX", 0, "X")),
                    "not-in-codelist")
    assert (finding.variable, finding.value) == ("SEX", "X")


def test_finds_a_value_level_code_outside_its_code_list(hand_datasets):
    supp = hand_datasets["SUPPDM"]
    finding = _only(_checks(hand_datasets, "SUPPDM", _set(supp, "QVAL", 1, "Part C")), "not-in-codelist")
    assert (finding.variable, finding.row) == ("QVAL", 2)


@pytest.mark.parametrize("bad", ["2025-13-01", "01/02/2025", "2025-02-30", "2025-1-5"])
def test_finds_a_date_that_is_not_iso_8601(hand_datasets, bad):
    finding = _only(_checks(hand_datasets, "DM", _set(hand_datasets["DM"], "BRTHDTC", 0, bad)),
                    "not-iso8601")
    assert finding.value == bad


def test_accepts_partial_dates_and_date_times():
    from hipectrial.export.sdtm.check import _iso8601

    assert all(_iso8601(v) for v in ("2025", "2025-03", "2025-03-01", "2025-03-01T09:30",
                                     "2025-03-01T09:30:15+08:00"))


@pytest.mark.parametrize(("day", "why"), [(44, "one day off"), (0, "there is no day 0")])
def test_finds_a_study_day_that_disagrees_with_rfstdtc(hand_datasets, day, why):
    # row 3 of DS: 2025-02-24 is study day 43
    finding = _only(_checks(hand_datasets, "DS", _set(hand_datasets["DS"], "DSSTDY", 2, day)), "study-day")
    assert (finding.variable, finding.value) == ("DSSTDY", day), why


def test_finds_a_study_day_for_a_subject_never_treated(hand_datasets):
    finding = _only(_checks(hand_datasets, "DS", _set(hand_datasets["DS"], "DSSTDY", 4, 1)), "study-day")
    assert finding.row == 5


def test_finds_a_sequence_number_repeated_within_a_subject(hand_datasets):
    finding = _only(_checks(hand_datasets, "EX", _set(hand_datasets["EX"], "EXSEQ", 1, 1)), "duplicate-seq")
    assert (finding.variable, finding.row) == ("EXSEQ", 2)


def test_finds_a_subject_missing_from_dm(hand_datasets):
    stranger = "HIPEC-PD1-SOX-SH01-999"
    finding = _only(_checks(hand_datasets, "SV", _set(hand_datasets["SV"], "USUBJID", 0, stranger)),
                    "usubjid-not-in-dm")
    assert finding.value == stranger


# SDTMIG 3.4 §8.3 (Relating Datasets): a dataset-level relationship, one row per dataset,
# USUBJID and IDVARVAL null, RELTYPE ONE or MANY.
DATASET_LEVEL = (("HIPEC-PD1-SOX", "TU", None, "TULNKID", None, "ONE", "TUTR"),
                 ("HIPEC-PD1-SOX", "TR", None, "TRLNKID", None, "MANY", "TUTR"))


def test_accepts_dataset_level_relrec_rows_without_usubjid(hand_datasets):
    relrec = replace(hand_datasets["RELREC"], rows=DATASET_LEVEL)
    assert _checks(hand_datasets, "RELREC", relrec) == ()


def test_finds_a_record_level_relrec_row_without_usubjid(hand_datasets):
    record_level = ("HIPEC-PD1-SOX", "TR", None, "TRSEQ", "3", None, "R1")
    relrec = replace(hand_datasets["RELREC"], rows=(*DATASET_LEVEL, record_level))
    finding = _only(_checks(hand_datasets, "RELREC", relrec), "usubjid-not-in-dm")
    assert finding.row == 3


def test_finds_an_empty_usubjid_in_ae(simulated_datasets):
    datasets = {d.domain: d for d in simulated_datasets}
    emptied = _set(datasets["AE"], "USUBJID", 0, None)
    findings = check_sdtm([emptied if d.domain == "AE" else d for d in simulated_datasets])
    assert ("usubjid-not-in-dm", "AE", 1) in {(f.check, f.dataset, f.row) for f in findings}


def test_finds_a_visitnum_with_two_visit_names(hand_datasets):
    # SV row 1 is VISITNUM 1001, which TV names "Screening".
    finding = _only(_checks(hand_datasets, "SV", _set(hand_datasets["SV"], "VISIT", 0, "Screening 2")),
                    "visit-not-one-to-one")
    assert (finding.dataset, finding.variable, finding.row, finding.value) == ("SV", "VISIT", 1, "Screening 2")


def test_finds_a_visit_name_with_two_visitnums(hand_datasets):
    # TV row 2 (VISITNUM 2001) given the name of row 1 (VISITNUM 1001).
    findings = _checks(hand_datasets, "TV", _set(hand_datasets["TV"], "VISIT", 1, "Screening"))
    finding = _only(findings, "visit-not-one-to-one")
    assert (finding.dataset, finding.variable, finding.row, finding.value) == ("TV", "VISITNUM", 2, 2001)


def test_names_each_occurrence_of_an_event_visit_apart(protocol):
    from hipectrial.export.sdtm.visits import visit_name, visit_number

    names = {visit_number(protocol, "unscheduled", n): visit_name(protocol, "unscheduled", n) for n in (1, 2, 3)}
    assert names == {28001: "Unscheduled visit", 28002: "Unscheduled visit 2", 28003: "Unscheduled visit 3"}


def test_finds_an_epoch_outside_the_epoch_code_list(hand_datasets):
    findings = _checks(hand_datasets, "SV", _set(hand_datasets["SV"], "EPOCH", 0, "RUN-IN"))
    assert "epoch" in {f.check for f in findings}


def test_finds_what_an_xpt_file_cannot_hold(hand_datasets):
    finding = _only(_checks(hand_datasets, "DS", _set(hand_datasets["DS"], "DSTERM", 0, "知情同意")),
                    "xpt-limit")
    assert (finding.variable, finding.row) == ("DSTERM", 1)


def test_finds_a_label_longer_than_40_characters(hand_datasets):
    dm = hand_datasets["DM"]
    variables = tuple(replace(v, label="A label that goes on well past forty characters")
                      if v.name == "AGE" else v for v in dm.variables)
    finding = _only(_checks(hand_datasets, "DM", replace(dm, variables=variables)), "xpt-limit")
    assert finding.variable == "AGE"


# -- a written folder --------------------------------------------------------------------------

def test_finds_a_define_that_does_not_validate(folder):
    define = folder / "define.xml"
    define.write_bytes(define.read_bytes().replace(b'Purpose="Tabulation"', b'Purpose="Tabulation" Bogus="1"', 1))
    assert "define-invalid" in {f.check for f in check_sdtm(folder)}


def test_finds_a_dataset_file_define_names_but_the_folder_lacks(folder):
    (folder / "sv.xpt").unlink()
    finding = _only(check_sdtm(folder), "define-mismatch")
    assert (finding.dataset, finding.value) == ("SV", "sv.xpt")


def test_finds_an_xpt_file_define_does_not_describe(folder):
    shutil.copy(folder / "te.xpt", folder / "xx.xpt")
    finding = _only(check_sdtm(folder), "define-mismatch")
    assert finding.dataset == "xx.xpt"


def test_finds_a_value_changed_in_a_written_file(folder, simulated_datasets):
    from hipectrial.export.sdtm.xpt import write_xpt

    dm = next(d for d in simulated_datasets if d.domain == "DM")
    write_xpt(_set(dm, "SEX", 0, "X"), folder / "dm.xpt", created=dt.datetime(2031, 1, 1))
    finding = _only(check_sdtm(folder), "not-in-codelist")
    assert (finding.dataset, finding.variable, finding.row) == ("DM", "SEX", 1)


def test_an_unreadable_xpt_file_is_a_finding(folder):
    (folder / "ta.xpt").write_bytes(b"not a transport file")
    assert "unreadable" in {f.check for f in check_sdtm(folder)}
