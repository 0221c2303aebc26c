"""``hipectrial protocol show``: the regimen, HIPEC and schedule, as text and as JSON.

Expected values are the seed protocol's, from shared/reference/protocol-decisions.md
("Treatment flow and timing", "Dose levels"); tests taking ``protocol_args`` run on the
seed-shaped test protocol and on the seed itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hipectrial.protocol import load_protocol


def regimen(document, cohort):
    (found,) = [c for c in document["cohorts"] if c["id"] == cohort]
    return {a["id"]: a for a in found["regimen"]}


# -- JSON: values of the seed regimen ----------------------------------------------------------


def test_oxaliplatin_130_mg_m2_reduced_to_100_then_85(show_json, protocol_args):
    oxaliplatin = regimen(show_json(*protocol_args), "HER2-negative")["oxaliplatin"]
    assert oxaliplatin["route"] == "IV"
    assert oxaliplatin["dose"]["basis"] == "per_bsa"
    assert oxaliplatin["dose"]["amount"] == 130
    assert oxaliplatin["dose_text"] == "130 mg/m2"
    assert oxaliplatin["reduction"]["ladder"] == [130, 100, 85]
    assert oxaliplatin["schedule"]["days"] == [1]


def test_s1_by_bsa_band_twice_daily_days_1_to_14(show_json, protocol_args):
    s1 = regimen(show_json(*protocol_args), "HER2-negative")["s-1"]
    bands = s1["dose"]["bands"]
    assert [b["amount"] for b in bands] == [40, 50, 60]
    assert [b.get("min_m2") for b in bands] == [None, 1.25, 1.5]
    assert [b.get("max_m2") for b in bands] == [1.25, 1.5, None]
    assert s1["dose_text"] == "by BSA: <1.25 m2 40 mg; 1.25-<1.50 m2 50 mg; >=1.50 m2 60 mg"
    assert s1["schedule_text"] == "twice daily, days 1-14"
    assert s1["summary"] == (
        "S-1 by BSA: <1.25 m2 40 mg; 1.25-<1.50 m2 50 mg; >=1.50 m2 60 mg, twice daily, days 1-14"
    )


def test_tislelizumab_200_mg_fixed_and_not_reducible(show_json, protocol_args):
    tislelizumab = regimen(show_json(*protocol_args), "HER2-positive")["tislelizumab"]
    assert tislelizumab["dose"]["basis"] == "fixed"
    assert tislelizumab["dose_text"] == "200 mg"
    assert tislelizumab["reduction"] is None
    assert tislelizumab["reduction_text"] == "no reduction: hold or discontinue only"


def test_trastuzumab_only_in_her2_positive_with_loading_dose(show_json, protocol_args):
    document = show_json(*protocol_args)
    assert "trastuzumab" not in regimen(document, "HER2-negative")
    trastuzumab = regimen(document, "HER2-positive")["trastuzumab"]
    assert trastuzumab["dose_text"].startswith("8 mg/kg loading then 6 mg/kg")
    assert trastuzumab["dose"]["loading"]["reload_if_late_days"] == 7


def test_hipec_paclitaxel_per_dose_level_and_perfusion(show_json, protocol_args):
    document = show_json(*protocol_args)
    paclitaxel = regimen(document, "HER2-negative")["hipec-paclitaxel"]
    assert paclitaxel["route"] == "intraperitoneal"
    assert paclitaxel["dose_text"] == "per dose level: L1 75, L2 125, L3 175 mg/m2"
    assert paclitaxel["dose_levels"] == {"1": 75, "2": 125, "3": 175}
    perfusion = document["hipec"]["perfusion"]
    assert (perfusion["volume_ml"], perfusion["inflow_temperature_c"],
            perfusion["temperature_tolerance_c"], perfusion["duration_min"]) == (3000, 43, 0.5, 60)
    assert (perfusion["flow_ml_min_min"], perfusion["flow_ml_min_max"]) == (400, 600)


def test_induction_is_3_cycles_of_21_days_from_hipec_day_21(show_json, protocol_args):
    phases = show_json(*protocol_args)["phases"]
    induction = [p for p in phases if p["cycles"] == 3 and p["cycle_length_days"] == 21]
    assert induction, phases
    assert induction[0]["start_text"] == "C1D1 = HIPEC + 21 d"
    assert induction[0]["window"] == "-7/+7"


def test_visit_windows(show_json, protocol_args):
    visits = show_json(*protocol_args)["schedule"]["visits"]
    # Cycle day 1: every cycle, window -3/+3.
    assert any(v["repeat"] and "per_cycle" in v["repeat"] and v["window"] == "-3/+3" for v in visits)
    # CT every 6 weeks (-7/+7) until surgery.
    assert any(v["repeat"] and v["repeat"].get("every_days") == 42 and v["window"] == "-7/+7"
               for v in visits)
    for v in visits:
        if v["window"] not in ("—", "none"):
            before, after = v["window"].split("/")
            assert (int(before), int(after)) == (-v["window_before"], v["window_after"]), v


# -- JSON: the schedule of the test protocol ------------------------------------------------


def test_schedule_rows_of_the_test_protocol(show_json, sox_mini):
    rows = {v["id"]: v for v in show_json(str(sox_mini))["schedule"]["visits"]}
    assert [v["number"] for v in rows.values()] == ["V1", "V2", "V3", "V4", "V5", "V6"]
    assert rows["screening"]["when"] == "HIPEC - 7 d"
    assert rows["screening"]["window"] == "-21/0"
    assert rows["screening"]["forms_required"] == ["demographics", "her2", "labs"]
    assert rows["screening"]["forms_optional"] == ["lvef"]
    assert rows["hipec"]["when"] == "HIPEC (day 0)"
    assert rows["cycle-day-1"]["when"] == "induction D1 (C1D1 = HIPEC + 21 d)"
    assert rows["cycle-day-1"]["repeats"] == "each cycle (3 × 21 d)"
    # C1D1 is day 21, so C1D43 is day 21 + 42.
    assert rows["tumour-assessment"]["when"] == "induction C1D43 = HIPEC + 63 d"
    assert rows["tumour-assessment"]["repeats"] == "every 42 d until surgery"
    assert rows["lvef-monitoring"]["cohorts"] == ["HER2-positive"]
    assert rows["lvef-monitoring"]["who"] == "HER2-positive"
    assert rows["adverse-event"]["when"] == "when it occurs"
    assert rows["adverse-event"]["repeats"] == "as needed"


def test_forms_list_the_visits_requiring_or_offering_them(show_json, sox_mini):
    forms = {f["id"]: f for f in show_json(str(sox_mini))["schedule"]["forms"]}
    assert forms["lvef"]["visits_required"] == ["lvef-monitoring"]
    assert forms["lvef"]["visits_optional"] == ["screening"]
    assert forms["labs"]["visits_required"] == ["screening", "hipec", "cycle-day-1"]


def test_cohort_option_keeps_one_cohort_and_visit_numbers(show_json, sox_mini):
    document = show_json(str(sox_mini), "--cohort", "HER2-negative")
    assert document["cohort"] == "HER2-negative"
    assert [c["id"] for c in document["cohorts"]] == ["HER2-negative"]
    visits = document["schedule"]["visits"]
    assert "lvef-monitoring" not in [v["id"] for v in visits]
    assert visits[-1]["number"] == "V6"
    agents = [name for p in document["phases"] for name in p["agent_names"]]
    assert "Trastuzumab" not in agents


def test_json_names_file_and_study(show_json, sox_mini):
    document = show_json(str(sox_mini))
    assert document["file"] == str(sox_mini)
    assert document["study"]["id"] == "SOX-MINI"
    assert document["study"]["date"] == "2026-02-01"


# -- text ------------------------------------------------------------------------------------


def test_text_shows_visit_names_and_form_ids(invoke, protocol_args):
    protocol = load_protocol(protocol_args[0] if protocol_args else None)
    # Wide enough that no name wraps, so each can be found whole.
    result = invoke("protocol", "show", *protocol_args, env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    for visit in protocol.visits:
        assert visit.name.en in result.stdout
    for form in protocol.forms:
        assert form.id in result.stdout


def test_text_shows_the_regimen_and_the_matrix(invoke, sox_mini):
    result = invoke("protocol", "show", str(sox_mini), env={"COLUMNS": "200"})
    out = result.stdout
    assert result.exit_code == 0
    assert "SOX-MINI · HIPEC + PD-1 + SOX (test) · Phase 2 · version 0.9 (2026-02-01)" in out
    for text in ("130 mg/m2", "<1.25 m2 40 mg", "1.25-<1.50 m2 50 mg", ">=1.50 m2 60 mg",
                 "8 mg/kg loading then 6", "C1D1 = HIPEC + 21 d", "every 42 d until surgery",
                 "Trastuzumab (HER2-positive only)", "inflow 43 ± 0.5 °C"):
        assert text in out, text
    matrix = out[out.index("forms by visit"):]
    (lvef,) = [line for line in matrix.splitlines() if line.startswith(" lvef ")]
    assert lvef.split()[-2:] == ["○", "●"]
    assert "● required   ○ optional" in out


def test_text_to_a_pipe_fits_120_columns_without_escapes_or_trailing_blanks(invoke, protocol_args):
    result = invoke("protocol", "show", *protocol_args)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 120
    assert "\x1b" not in result.stdout
    assert all(line == line.rstrip() for line in lines)


def test_many_visits_split_the_matrix_and_still_fit(invoke, sox_mini, tmp_path):
    document = yaml.safe_load(sox_mini.read_text(encoding="utf-8"))
    for week in range(1, 41):
        document["visits"].append({
            "id": f"week-{week}", "name": {"en": f"Week {week}", "zh": f"第{week}周"},
            "timing": {"anchor": "registration", "day": 7 * week}, "forms": ["labs"],
        })
    many = Path(tmp_path / "many.yaml")
    many.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = invoke("protocol", "show", str(many))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 120
    parts = [line for line in lines if "forms by visit" in line]
    assert len(parts) > 1
    expected = [f"{k} of {len(parts)})" for k in range(1, len(parts) + 1)]
    assert [p.split("part ")[-1] for p in parts] == expected
    headers = [line.split() for line in lines if line.startswith(" Form ")]
    numbers = [n for header in headers for n in header[1:]]
    assert numbers == [f"V{i}" for i in range(1, 47)]


@pytest.mark.parametrize("cohort", ["HER2-negative", "HER2-positive"])
def test_text_for_one_cohort(invoke, sox_mini, cohort):
    result = invoke("protocol", "show", str(sox_mini), "--cohort", cohort)
    assert result.exit_code == 0
    assert f"Regimen: {cohort}" in result.stdout
    assert ("Trastuzumab" in result.stdout) == (cohort == "HER2-positive")
    assert ("LVEF monitoring" in result.stdout) == (cohort == "HER2-positive")
