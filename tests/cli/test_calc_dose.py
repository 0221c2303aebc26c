"""``calc bsa``, ``calc crcl`` and ``calc dose`` registered on a small Typer app.

Expected values are worked by hand from shared/reference/protocol-decisions.md ("Dose
calculation", "Treatment flow and timing", "Dose levels"): 170 cm, 65 kg man of 60 with
creatinine 88.4 umol/L has BSA sqrt(170 x 65 / 3600) = 1.752 -> 1.75 m2 and CrCl
(140 - 60) x 65 / 72 = 72.2 mL/min; oxaliplatin 130 x 1.75 = 227.5 -> 230 mg; S-1 60 mg
twice daily (3 x 20 mg); tislelizumab 200 mg; trastuzumab 8 x 65 = 520 mg, then 6 x 65 = 390.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from hipectrial.cli.calc_dose import register
from hipectrial.cli.main import _Group
from hipectrial.errors import InputError
from hipectrial.protocol import seed_protocol_path

SOX_MINI = Path(__file__).parent / "fixtures" / "sox-mini.yaml"
REFERENCE = ["--height-cm", "170", "--weight-kg", "65", "--creatinine", "88.4", "--unit", "umol/L",
             "--age", "60", "--sex", "male"]


def app(group: type[typer.core.TyperGroup] | None = None) -> typer.Typer:
    calc = typer.Typer(cls=group) if group is not None else typer.Typer()
    register(calc)
    return calc


def run(*args: str, group: type[typer.core.TyperGroup] | None = None) -> Result:
    """Invoke as a pipe would (not a TTY, COLUMNS unset)."""
    return CliRunner().invoke(app(group), list(args), env={"COLUMNS": None})


def run_json(*args: str) -> Any:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def doses(document: Any) -> dict[str, Any]:
    return {d["agent"]: d["amount_mg"] for d in document["doses"]}


def test_register_adds_three_commands() -> None:
    names = sorted(c.name or c.callback.__name__ for c in app().registered_commands)  # type: ignore[union-attr]
    assert names == ["bsa", "crcl", "dose"]


# -- bsa ---------------------------------------------------------------------------------------------


def test_bsa_text_shows_value_and_working() -> None:
    result = run("bsa", "--height-cm", "170", "--weight-kg", "65")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "BSA 1.75 m2 (Mosteller; 170 cm, 65 kg)"
    assert "  1. Mosteller: sqrt(170 cm x 65 kg / 3600) = 1.751983 m2" in lines
    assert "\x1b[" not in result.stdout  # no colour codes in a pipe


def test_bsa_json_and_dubois() -> None:
    assert run_json("bsa", "--height-cm", "150", "--weight-kg", "37.5")["bsa_m2"] == 1.25  # sqrt(1.5625)
    # Du Bois: 0.007184 x 65^0.425 x 170^0.725 = 1.753598 -> 1.75
    document = run_json("bsa", "--height-cm", "170", "--weight-kg", "65", "--method", "dubois")
    assert (document["method"], document["bsa_m2"]) == ("dubois", 1.75)


def test_bsa_rejects_an_unknown_method_and_metres() -> None:
    result = run("bsa", "--height-cm", "170", "--weight-kg", "65", "--method", "stevenson")
    assert isinstance(result.exception, InputError)
    assert result.exception.field == "method"
    result = run("bsa", "--height-cm", "1.7", "--weight-kg", "65", group=_Group)
    assert result.exit_code == 2
    assert "height_cm must be a number in [100, 230] cm; got 1.7 (this looks like metres" in result.stderr


def test_bsa_refuses_what_the_crf_refuses() -> None:
    # The seed's CRF field weight_kg is 25-250 kg: the calculator takes the same limits.
    assert run_json("bsa", "--height-cm", "170", "--weight-kg", "250")["weight_kg"] == 250
    result = run("bsa", "--height-cm", "170", "--weight-kg", "250.1", group=_Group)
    assert result.exit_code == 2
    assert "weight_kg must be a number in [25, 250] kg; got 250.1" in result.stderr
    result = run("bsa", "--height-cm", "170", "--weight-kg", "280", group=_Group)
    assert result.exit_code == 2


def test_crcl_refuses_what_the_crf_refuses() -> None:
    result = run("crcl", "--age", "60", "--sex", "male", "--weight-kg", "280", "--creatinine", "88.4",
                 "--unit", "umol/L", group=_Group)
    assert result.exit_code == 2
    assert "weight_kg must be a number in [25, 250] kg; got 280" in result.stderr


# -- crcl --------------------------------------------------------------------------------------------


def test_crcl_man_and_woman() -> None:
    man = run_json("crcl", "--age", "60", "--sex", "male", "--weight-kg", "65", "--creatinine", "88.4",
                   "--unit", "umol/L")
    assert man["crcl_ml_min"] == 72.2  # 80 x 65 / 72 = 72.222
    woman = run_json("crcl", "--age", "60", "--sex", "female", "--weight-kg", "65", "--creatinine", "1.0",
                     "--unit", "mg/dL")
    assert woman["crcl_ml_min"] == 61.4  # 72.222 x 0.85 = 61.389
    text = run("crcl", "--age", "60", "--sex", "female", "--weight-kg", "65", "--creatinine", "1.0",
               "--unit", "mg/dL")
    assert text.stdout.splitlines()[0].startswith("CrCl 61.4 mL/min (Cockcroft-Gault; female, 60 y, 65 kg")


def test_crcl_unknown_unit_is_an_input_error() -> None:
    result = run("crcl", "--age", "60", "--sex", "male", "--weight-kg", "65", "--creatinine", "88.4",
                 "--unit", "mmol/L", group=_Group)
    assert result.exit_code == 2
    assert "unit must be umol/L or mg/dL" in result.stderr


# -- dose --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["1", "2", "3"])
def test_dose_json_her2_negative(level: str) -> None:
    document = run_json("dose", "--cohort", "HER2-negative", "--dose-level", level, *REFERENCE)
    assert doses(document) == {"oxaliplatin": 230, "s-1": 60, "tislelizumab": 200}
    assert (document["phase"], document["cycle"], document["bsa"]["bsa_m2"]) == ("induction", 1, 1.75)
    s1 = next(d for d in document["doses"] if d["agent"] == "s-1")
    assert s1["units"] == [{"strength_mg": 20, "count": 3}]
    assert (s1["schedule"], s1["daily_mg"], s1["unit"]) == ("twice daily, days 1-14", 120, "mg")


def test_dose_json_her2_positive_cycles_1_and_2() -> None:
    first = run_json("dose", "--cohort", "HER2-positive", "--dose-level", "1", *REFERENCE)
    assert doses(first)["trastuzumab"] == 520  # 8 mg/kg x 65 kg
    second = run_json("dose", "--cohort", "HER2-positive", "--dose-level", "1", *REFERENCE, "--cycle", "2")
    assert doses(second)["trastuzumab"] == 390  # 6 mg/kg x 65 kg
    late = run_json("dose", "--cohort", "HER2-positive", "--dose-level", "1", *REFERENCE, "--cycle", "2",
                    "--days-late", "trastuzumab=8")
    assert doses(late)["trastuzumab"] == 520  # more than 7 days late: reload


@pytest.mark.parametrize(("level", "expected"), [("1", 130), ("2", 220), ("3", 305)])
def test_dose_hipec_session(level: str, expected: int) -> None:
    # 75 / 125 / 175 mg/m2 x 1.75 = 131.25 / 218.75 / 306.25 -> 130 / 220 / 305 mg
    document = run_json("dose", "--cohort", "HER2-positive", "--dose-level", level, *REFERENCE,
                        "--hipec", "diagnostic-laparoscopy")
    assert doses(document) == {"hipec-paclitaxel": expected}
    assert document["session"] == "diagnostic-laparoscopy"


def test_dose_text_is_readable_in_a_pipe() -> None:
    result = run("dose", "--cohort", "HER2-positive", "--dose-level", "1", *REFERENCE)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "\x1b[" not in out
    lines = out.splitlines()
    assert lines[0] == "HIPEC-PD1-SOX · HER2-positive · dose level 1 · induction cycle 1"
    assert lines[1] == "BSA 1.75 m2 (dosing weight 65 kg) · CrCl 72.2 mL/min"
    rows: dict[str, list[str]] = {}
    for line in lines[2:]:  # the table comes before the working, one row per agent
        words = line.split()
        if words and words[0] in ("Oxaliplatin", "S-1", "Tislelizumab", "Trastuzumab"):
            rows.setdefault(words[0], words)
    assert rows["Oxaliplatin"][:5] == ["Oxaliplatin", "230", "mg", "IV", "day"]
    assert rows["S-1"][:8] == ["S-1", "60", "mg", "oral", "twice", "daily,", "days", "1-14"]
    assert " ".join(rows["S-1"]).endswith("3 x 20 mg")
    assert rows["Tislelizumab"][:3] == ["Tislelizumab", "200", "mg"]
    assert rows["Trastuzumab"][:3] == ["Trastuzumab", "520", "mg"]
    assert " ".join(rows["Trastuzumab"]).endswith("loading dose")
    assert "  3. rounded to the nearest 5 mg (half_up): 227.5 -> 230 mg" in lines
    assert "  2. 130 mg/m2 x 1.75 m2 = 227.5 mg" in lines


def test_dose_with_reductions_and_renal_rule() -> None:
    reduced = run_json("dose", "--cohort", "HER2-negative", "--dose-level", "1", *REFERENCE,
                       "--reductions", "s-1=1", "--reductions", "oxaliplatin=2")
    assert doses(reduced)["s-1"] == 50  # 60 -> 50
    assert doses(reduced)["oxaliplatin"] == 150  # 85 x 1.75 = 148.75 -> 150
    # 150 cm, 37.2 kg, 60 y, 1.0 mg/dL: CrCl 80 x 37.2 / 72 = 41.3 (30 to < 60) -> S-1 40 -> 25 mg
    renal = run_json("dose", "--cohort", "HER2-negative", "--dose-level", "1", "--height-cm", "150",
                     "--weight-kg", "37.2", "--creatinine", "1.0", "--unit", "mg/dL", "--age", "60",
                     "--sex", "male")
    s1 = next(d for d in renal["doses"] if d["agent"] == "s-1")
    assert (s1["amount_mg"], s1["new_reductions"], s1["rules"]) == (25, 1, ["s1-crcl-30-to-60"])
    assert renal["rules_applied"] == ["s1-crcl-30-to-60"]


def test_dose_protocol_file_sets_the_rules() -> None:
    # sox-mini has no renal rule: the same participant gets the full band dose, 40 mg.
    args = ["dose", "--cohort", "HER2-negative", "--dose-level", "1", "--height-cm", "150", "--weight-kg", "37.2",
            "--creatinine", "1.0", "--unit", "mg/dL", "--age", "60", "--sex", "male"]
    assert doses(run_json(*args, "--protocol", str(SOX_MINI)))["s-1"] == 40
    assert doses(run_json(*args, "--protocol", str(seed_protocol_path())))["s-1"] == 25


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--cohort", "HER2-low", "--dose-level", "1"], "cohort must be one of HER2-negative, HER2-positive"),
        (["--cohort", "HER2-negative", "--dose-level", "4"], "dose_level must be one of 1, 2, 3"),
        (["--cohort", "HER2-negative", "--dose-level", "1", "--phase", "salvage"], "phase must be one of"),
        (["--cohort", "HER2-negative", "--dose-level", "1", "--cycle", "4"], "cycle must be at most 3"),
        (["--cohort", "HER2-negative", "--dose-level", "1", "--reductions", "s-1"], "reductions must be AGENT=N"),
        (["--cohort", "HER2-negative", "--dose-level", "1", "--hipec", "day-3"], "session must be one of"),
    ],
)
def test_dose_bad_input_exits_2_with_the_field(extra: list[str], message: str) -> None:
    result = run("dose", *extra, *REFERENCE, group=_Group)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
