"""The AE, LB, VS, TU/TR/RS and PR datasets of the simulated trial of 200 participants, as the
registry builds them: counts against the TrialData, the conformance check clean, --SEQ in
row order and --DY worked out from the dates (SDTMIG 3.4 §4.4.4: day 1 is RFSTDTC, no day 0)."""

from __future__ import annotations

import datetime as dt

import pytest

from hipectrial.export.sdtm.check import check_sdtm

OURS = ("AE", "SUPPAE", "PR", "SUPPPR", "LB", "VS", "TU", "TR", "RS", "RELREC")


@pytest.fixture(scope="module")
def datasets(simulated_datasets):
    return {d.domain: d for d in simulated_datasets}


def test_the_registry_builds_the_domains_after_ex_and_ec(simulated_datasets):
    names = [d.domain for d in simulated_datasets]
    assert names[names.index("EC") + 1:] == list(OURS)


def test_counts_follow_the_trial(datasets, simulated_trial):
    complications = sum(len(s.complications) for s in simulated_trial.surgeries)
    assert len(datasets["AE"].rows) == len(simulated_trial.adverse_events) + complications
    assert len(datasets["SUPPAE"].rows) == (
        sum(len(a.attribution) + 2 for a in simulated_trial.adverse_events) + 2 * complications)
    assert len(datasets["LB"].rows) == len(simulated_trial.lab_results)
    assert len(datasets["PR"].rows) == len(simulated_trial.surgeries)


def test_the_conformance_check_finds_nothing(simulated_datasets):
    assert [str(f) for f in check_sdtm(simulated_datasets)] == []


def test_seq_runs_one_to_n_per_subject_in_row_order(datasets):
    for name in ("AE", "LB", "VS", "TU", "TR", "RS", "PR"):
        d = datasets[name]
        seen: dict[str, int] = {}
        for subject, seq in zip(d.column("USUBJID"), d.column(f"{name}SEQ"), strict=True):
            assert seq == seen.get(subject, 0) + 1, (name, subject)
            seen[subject] = seq


def test_study_days_count_from_rfstdtc_without_day_zero(datasets, simulated_study):
    starts = {s.usubjid: s.first_treatment for s in simulated_study.subjects.values()}
    pairs = {"AE": [("AESTDTC", "AESTDY"), ("AEENDTC", "AEENDY")], "LB": [("LBDTC", "LBDY")],
             "VS": [("VSDTC", "VSDY")], "TU": [("TUDTC", "TUDY")], "TR": [("TRDTC", "TRDY")],
             "RS": [("RSDTC", "RSDY")], "PR": [("PRSTDTC", "PRSTDY")]}
    checked = 0
    for name, columns in pairs.items():
        for record in datasets[name].records():
            start = starts[record["USUBJID"]]
            for dtc, dy in columns:
                if record[dtc] is None or start is None:
                    assert record[dy] is None
                    continue
                days = (dt.date.fromisoformat(record[dtc]) - start).days
                assert record[dy] == (days + 1 if days >= 0 else days)
                checked += 1
    assert checked > 10_000
