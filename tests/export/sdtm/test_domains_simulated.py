"""The AE, LB, VS, TU/TR/RS and PR datasets of a simulated trial of 200 participants: counts
against the TrialData, and the rules every dataset keeps (SDTMIG 3.4 §4.1: names <= 8
characters, labels <= 40; XPT v5: ASCII values <= 200 bytes; --SEQ 1..n per subject; --DY
with no day 0; ISO 8601 dates; required values present; natural keys unique)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from hipectrial.export.sdtm import ae, lb, oncology, pr, vs
from hipectrial.export.sdtm.model import Core, VarType

BUILDERS = (ae.build, lb.build, vs.build, oncology.build, pr.build)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def datasets(simulated, simulated_study, seed_protocol):
    built = [d for b in BUILDERS for d in b(trial=simulated, protocol=seed_protocol, study=simulated_study)]
    return {d.domain: d for d in built}


def test_builds_the_domains_of_the_task(datasets):
    assert sorted(datasets) == ["AE", "LB", "PR", "RELREC", "RS", "SUPPAE", "SUPPPR", "TR", "TU", "VS"]


def test_one_ae_record_per_adverse_event_and_complication(datasets, simulated):
    complications = sum(len(s.complications) for s in simulated.surgeries)
    assert len(datasets["AE"].rows) == len(simulated.adverse_events) + complications
    expected_supp = sum(len(a.attribution) + 2 for a in simulated.adverse_events) + 2 * complications
    assert len(datasets["SUPPAE"].rows) == expected_supp
    assert len(datasets["LB"].rows) == len(simulated.lab_results)


def test_names_labels_and_values_fit_xpt_v5(datasets):
    for d in datasets.values():
        assert len(d.domain) <= 8
        assert len(d.label) <= 40
        for v in d.variables:
            assert re.match(r"^[A-Z][A-Z0-9]{0,7}$", v.name)
            assert len(v.label) <= 40
            assert v.label.isascii()
        for row in d.rows:
            for v, value in zip(d.variables, row, strict=True):
                if value is None:
                    assert v.core is not Core.REQ, (d.domain, v.name)
                elif v.type is VarType.CHAR:
                    assert isinstance(value, str), (d.domain, v.name)
                    assert value.isascii(), (d.domain, v.name)
                    assert len(value) <= 200, (d.domain, v.name)
                else:
                    assert isinstance(value, int | float), (d.domain, v.name)
                    assert not isinstance(value, bool), (d.domain, v.name)


def test_keys_are_unique(datasets):
    for d in datasets.values():
        keys = [tuple(r[d.index(k)] for k in d.keys) for r in d.rows]
        assert len(keys) == len(set(keys)), d.domain


def test_seq_runs_one_to_n_per_subject(datasets):
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
                assert ISO_DATE.match(record[dtc])
                days = (dt.date.fromisoformat(record[dtc]) - start).days
                assert record[dy] == (days + 1 if days >= 0 else days) != 0
                checked += 1
    assert checked > 10_000


def test_coded_values_come_from_their_code_lists(datasets):
    for d in datasets.values():
        lists = {c.id: c for c in d.codelists}
        for v in d.variables:
            if v.codelist is None:
                continue
            allowed = lists[v.codelist].values()
            used = {x for x in d.column(v.name) if x is not None}
            assert used <= allowed, (d.domain, v.name, used - allowed)
