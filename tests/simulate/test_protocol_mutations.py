"""Edit the protocol, simulate, and the records follow the edit: the simulator keeps no copy
of the protocol's timeline, windows, doses or precision.

Each test changes the seed protocol's YAML (as a trial team would amend it), loads it with
the ordinary loader (so the amended protocol passes every check), simulates one participant
and reads the records. The expected values are the amendment's words, not simulator output.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
import yaml
from tests.simulate.course.helpers import IMMORTAL, QUIET, errors, params, run

from hipectrial.data import Cytology
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol, parse_protocol, seed_protocol_path
from hipectrial.simulate.course.run import Course
from hipectrial.simulate.course.timeline import follow_up_days

SD = {"cr": 0.0, "pr": 0.0, "sd": 1.0, "pd": 0.0}
# Operated: PR, conversion criteria met, always operated (as test_course's forced surgery).
OPERATED = {"response": {"cr": 0, "pr": 1, "sd": 0, "pd": 0},
            "second_look_pci_change": [{"delta": -4, "probability": 1.0}],
            "cytology_reversion_probability": 0.0, "ecog_worsening_probability": 0.0,
            "surgery_probability_if_eligible": 1.0, "r0_probability": 1.0,
            "measurable_disease_probability": 1.0}
SEEDS = range(1, 9)


def _seed_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(seed_protocol_path().read_text(encoding="utf-8"))
    return data


def amended(edit: Callable[[dict[str, Any]], None]) -> Protocol:
    """The seed protocol with ``edit`` applied to its YAML data, loaded and checked."""
    data = _seed_data()
    edit(data)
    return parse_protocol(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "amended.yaml")


def _by_id(items: list[dict[str, Any]], item_id: str) -> dict[str, Any]:
    return next(i for i in items if i["id"] == item_id)


def _starts(course: Course, phase: str) -> list[dt.date]:
    """Cycle day 1 of each cycle of ``phase``, from the dose records."""
    days = {d.cycle: d.date for d in course.doses if d.phase == phase and d.day in (1, None)}
    return [days[c] for c in sorted(c for c in days if c is not None)]


def _visit_dates(course: Course, visit_id: str) -> list[tuple[dt.date, dt.date]]:
    return [(v.planned_date, v.actual_date) for v in course.visits
            if v.visit_id == visit_id and v.planned_date and v.actual_date]


def test_fourteen_day_induction_cycles_start_fourteen_days_apart() -> None:
    def edit(d: dict[str, Any]) -> None:
        _by_id(d["phases"], "induction")["cycle_length_days"] = 14
    protocol = amended(edit)
    for seed in SEEDS:
        course = run(protocol, params(**QUIET, **IMMORTAL, response=SD), seed=seed)
        starts = _starts(course, "induction")
        assert len(starts) == 3
        # Without toxicity no cycle is delayed: the next cycle is due 14 days after the last
        # start; sites give it within a day of the due date.
        gaps = [(b - a).days for a, b in itertools.pairwise(starts)]
        assert all(13 <= g <= 15 for g in gaps), gaps
        assert errors(protocol, course) == []


def test_unamended_protocol_spaces_induction_cycles_by_21_days(protocol: Protocol) -> None:
    # The same check on the seed protocol fails the 14-day bound: the test can fail.
    course = run(protocol, params(**QUIET, **IMMORTAL, response=SD), seed=1)
    starts = _starts(course, "induction")
    assert all(20 <= (b - a).days <= 22 for a, b in itertools.pairwise(starts))


def _four_induction_cycles(d: dict[str, Any]) -> None:
    # Four induction cycles; re-evaluation, surgery and continuation move to cycle 4, and
    # continuation keeps "6 cycles in total" (4 + 2).
    _by_id(d["phases"], "induction")["cycles"] = 4
    continuation = _by_id(d["phases"], "continuation")
    continuation["cycles"] = 2
    continuation["start"]["cycle"] = 4
    _by_id(d["phases"], "maintenance-not-operated")["start"]["cycle"] = 2
    for visit_id in ("reevaluation", "conversion-surgery"):
        _by_id(d["visits"], visit_id)["timing"]["cycle"] = 4


def test_four_induction_cycles_are_given_before_reevaluation() -> None:
    protocol = amended(_four_induction_cycles)
    for seed in SEEDS:
        not_operated = params(**QUIET, **IMMORTAL, response=SD, surgery_probability_if_eligible=0.0)
        course = run(protocol, not_operated, seed=seed)
        starts = _starts(course, "induction")
        assert len(starts) == 4
        induction_visits = [v for v in course.visits if v.visit_id == "induction-cycle"]
        assert len(induction_visits) == 4
        reevaluation = _visit_dates(course, "reevaluation")
        assert len(reevaluation) == 1
        # Re-evaluation on cycle 4 day 18 (17 days after C4D1), within -3/+3.
        planned, actual = reevaluation[0]
        assert planned == starts[3] + dt.timedelta(days=17)
        assert abs((actual - planned).days) <= 3
        # Not operated: 2 continuation cycles from cycle 4 day 22, then maintenance.
        assert len(_starts(course, "continuation")) == 2
        assert abs((_starts(course, "continuation")[0] - starts[3]).days - 21) <= 1
        assert _starts(course, "maintenance-not-operated")
        assert errors(protocol, course) == []


@pytest.mark.parametrize(("before", "after"), [(0, 0), (1, 10)])
def test_reevaluation_falls_in_the_amended_window(before: int, after: int) -> None:
    def edit(d: dict[str, Any]) -> None:
        timing = _by_id(d["visits"], "reevaluation")["timing"]
        timing["window_before"], timing["window_after"] = before, after
    protocol = amended(edit)
    offsets = []
    for seed in range(1, 31):
        course = run(protocol, params(**QUIET, **IMMORTAL, response=SD), seed=seed)
        for planned, actual in _visit_dates(course, "reevaluation"):
            offsets.append((actual - planned).days)
    assert len(offsets) == 30
    assert all(-before <= o <= after for o in offsets), offsets
    if after > 3:   # the seed window is -3/+3: some dates now fall beyond it
        assert max(offsets) > 3


def test_surgery_falls_in_the_amended_window() -> None:
    def edit(d: dict[str, Any]) -> None:
        timing = _by_id(d["visits"], "conversion-surgery")["timing"]
        timing["day"], timing["window_before"], timing["window_after"] = 50, 2, 2
    protocol = amended(edit)
    for seed in SEEDS:
        course = run(protocol, params(**QUIET, **IMMORTAL, **OPERATED), seed=seed,
                     cytology=Cytology.CY0)
        c3 = _starts(course, "induction")[2]
        surgery = next(s.date for s in course.surgeries if s.procedure == "conversion_surgery_hipec")
        # cycle 3 day 50 = 49 days after C3D1, -2/+2
        assert abs((surgery - (c3 + dt.timedelta(days=49))).days) <= 2


@pytest.mark.parametrize("end_day", [8, 14, 28])
def test_dlt_evaluability_is_decided_at_the_amended_window_end(end_day: int) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["dose_finding"]["dlt"]["window"]["end"]["day"] = end_day
    protocol = amended(edit)
    course = run(protocol, params(**QUIET, **IMMORTAL, response=SD), seed=1)
    c1 = _starts(course, "induction")[0]
    # cycle 1 day N is N - 1 days after C1D1
    assert course.dlt_known_on == c1 + dt.timedelta(days=end_day - 1)
    assert course.dlt_evaluable


def test_drawn_dlts_fall_inside_the_amended_window() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["dose_finding"]["dlt"]["window"]["end"]["day"] = 5
    protocol = amended(edit)
    hipec_day = _by_id(_seed_data()["phases"], "induction")["start"]["day"]
    for seed in SEEDS:
        course = run(protocol, params(**QUIET, **IMMORTAL, response=SD), seed=seed,
                     dlt_probability=1.0, part="part_a")
        hipec = next(d.date for d in course.doses if d.agent == "hipec-paclitaxel")
        dlts = [e for e in course.adverse_events if e.dlt]
        assert course.dlt
        assert dlts
        # C1D1 planned on day 21 after HIPEC; cycle 1 day 5 is day 25.
        assert all(e.onset_date <= hipec + dt.timedelta(days=hipec_day + 4) for e in dlts)


def test_hipec_dose_follows_the_amended_dose_level() -> None:
    def edit(d: dict[str, Any]) -> None:
        _by_id(d["dose_finding"]["levels"], "2")["doses"]["hipec-paclitaxel"] = 100
    protocol = amended(edit)
    course = run(protocol, params(**QUIET, **IMMORTAL, response=SD), level="2")
    # 170 cm, 65 kg: BSA 1.75 m2 (test_course); 100 mg/m2 x 1.75 = 175 mg, to 5 mg: 175 mg
    bsa = Decimal(math.sqrt(170 * 65 / 3600)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    hipec = [d for d in course.doses if d.agent == "hipec-paclitaxel"]
    assert bsa == Decimal("1.75")
    assert hipec[0].prescribed == hipec[0].given == Decimal(175)


def test_maintenance_stops_at_the_amended_limit() -> None:
    def edit(d: dict[str, Any]) -> None:
        _by_id(d["phases"], "maintenance-operated")["until"]["max_days"] = 240
    protocol = amended(edit)
    seen = 0
    for seed in SEEDS:
        course = run(protocol, params(**QUIET, **IMMORTAL, **OPERATED), seed=seed,
                     cytology=Cytology.CY0)
        c1 = _starts(course, "induction")[0]
        maintenance = _starts(course, "maintenance-operated")
        assert _starts(course, "adjuvant")
        seen += len(maintenance)
        assert all(s < c1 + dt.timedelta(days=240) for s in maintenance)
        assert course.participant.off_treatment_reason == "completed"
    assert seen > 0


def test_lab_values_have_the_amended_precision() -> None:
    def edit(d: dict[str, Any]) -> None:
        labs = _by_id(d["forms"], "labs")
        _by_id(labs["fields"], "anc")["decimals"] = 1
        _by_id(labs["fields"], "bilirubin")["decimals"] = 0
    protocol = amended(edit)
    course = run(protocol, params(**IMMORTAL, response=SD), seed=3)
    by_code = {code: [r.value for r in course.lab_results if r.test_code == code]
               for code in ("NEUT", "BILI")}
    assert by_code["NEUT"]
    assert by_code["BILI"]
    for code, values in by_code.items():
        assert all(v == v.quantize(Decimal("0.1") if code == "NEUT" else Decimal(1))
                   for v in values), (code, values)
    assert any(v != v.quantize(Decimal(1)) for v in by_code["NEUT"])


@pytest.mark.parametrize(("max_delay", "checks"), [(21, 4), (14, 3), (20, 3)])
def test_day1_rechecks_stop_at_the_protocols_maximum_delay(max_delay: int, checks: int) -> None:
    """PD §Day-1 retreatment criteria: delay one week and re-check; a delay beyond
    ``max_delay_days`` (seed: 3 weeks) stops. With a criterion nobody meets, cycle 1 is
    checked on delay days 0, 7, ... up to the maximum and never later (the old simulator
    re-checked 8 times: 49 days of delay)."""
    def never_met(data: dict[str, Any]) -> None:
        retreatment = data["dose_modifications"]["retreatment"]
        _by_id(retreatment["criteria"], "anc")["expression"] = "anc >= 1000"
        retreatment["max_delay_days"] = max_delay

    protocol = amended(never_met)
    for seed in (1, 2, 3):
        course = run(protocol, params(**QUIET, **IMMORTAL), seed=seed)
        check_dates = sorted({lab.date for lab in course.lab_results})
        assert len(check_dates) == checks
        gaps = {(b - a).days for a, b in itertools.pairwise(check_dates)}
        assert gaps == {7}
        assert (check_dates[-1] - check_dates[0]).days <= max_delay
        assert not [d for d in course.doses if d.phase is not None]
        assert course.participant.off_treatment_reason == "toxicity"


def test_follow_up_length_is_the_schedules_last_day(protocol: Protocol) -> None:
    """PD §Treatment flow 7: follow-up to 5 years; the protocol states it as the last day of
    its repeating visits (seed: day 1826). Shorten the schedule and the simulated
    participant completes follow-up on the amended last day."""
    assert follow_up_days(protocol) == 1826

    def four_years(data: dict[str, Any]) -> None:
        for visit_id in ("follow-up-6-monthly", "tumour-assessment-postop"):
            _by_id(data["visits"], visit_id)["repeat"]["until_day"] = 1461

    amended_protocol = amended(four_years)
    assert follow_up_days(amended_protocol) == 1461
    course = run(amended_protocol, params(**QUIET, **IMMORTAL, response=SD))
    participant = course.participant
    assert participant.off_study_reason == "completed_follow_up"
    assert participant.off_study_date == participant.registration_date + dt.timedelta(days=1461)


def test_a_protocol_without_a_last_day_has_no_follow_up_length(protocol: Protocol) -> None:
    def no_until_day(data: dict[str, Any]) -> None:
        for visit in data["visits"]:
            repeat = visit.get("repeat") or {}
            if "until_day" in repeat:
                del repeat["until_day"]
                repeat["until"] = "end_of_treatment"

    with pytest.raises(InputError, match="until_day"):
        follow_up_days(amended(no_until_day))


def _lvef_visits(course: Course) -> list[tuple[int, dt.date | None]]:
    return [(v.repeat, v.planned_date) for v in course.visits if v.visit_id == "lvef-monitoring"]


def test_lvef_monitoring_follows_its_visits_anchor() -> None:
    """The lvef-monitoring visit counts from its own timing: amended to day 100 after HIPEC
    (seed: induction cycle 1 day 85), the echo records follow."""
    def from_hipec(data: dict[str, Any]) -> None:
        _by_id(data["visits"], "lvef-monitoring")["timing"] = {
            "anchor": "hipec", "day": 100, "window_before": 7, "window_after": 7}

    protocol = amended(from_hipec)
    course = run(protocol, params(**QUIET, **IMMORTAL, response=SD), her2=True)
    hipec = next(s.date for s in course.surgeries if s.procedure == "diagnostic_laparoscopy_hipec")
    planned = _lvef_visits(course)
    assert planned[:2] == [(1, hipec + dt.timedelta(days=100)), (2, hipec + dt.timedelta(days=184))]
    echoes = [r for r in course.form_records
              if r.form_id == "echocardiography" and r.visit_id == "lvef-monitoring"]
    assert len(echoes) == len(planned)
    for v in course.visits:   # no late visits (QUIET): done within 3 days of the amended target
        if v.visit_id == "lvef-monitoring":
            assert v.planned_date is not None
            assert v.actual_date is not None
            assert abs((v.actual_date - v.planned_date).days) <= 3


def test_lvef_monitoring_only_for_the_protocols_cohorts() -> None:
    """Amended to monitor only HER2-negative participants, a HER2-positive participant (on
    trastuzumab) has no lvef-monitoring echo."""
    def negative_only(data: dict[str, Any]) -> None:
        _by_id(data["visits"], "lvef-monitoring")["cohorts"] = ["HER2-negative"]

    course = run(amended(negative_only), params(**QUIET, **IMMORTAL, response=SD), her2=True)
    assert not _lvef_visits(course)
    assert not [r for r in course.form_records if r.visit_id == "lvef-monitoring"]
    seed = run(parse_protocol(seed_protocol_path().read_text(encoding="utf-8"), "seed.yaml"),
               params(**QUIET, **IMMORTAL, response=SD), her2=True)
    assert _lvef_visits(seed)
