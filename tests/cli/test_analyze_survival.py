"""``hipectrial analyze survival``: the numbers R gives, as text and JSON, and clear errors.

R values: R 4.2.2, survival 3.5-3; the data files are those of tests/analysis (see there).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

DATA = Path(__file__).parents[1] / "analysis" / "data"
AML = str(DATA / "aml.csv")
LUNG = str(DATA / "lung_ecog012.csv")
TOL = 1e-6
Invoke = Callable[..., Result]  # the `invoke` fixture of tests/cli/conftest.py


def _rows(text: str) -> list[list[str]]:
    """The printed table rows as lists of cells (column widths may change)."""
    return [line.split() for line in text.splitlines()]


def test_overall_curve_prints_median_and_limits(invoke: Invoke) -> None:
    # print(survfit(Surv(time, status) ~ 1, data = aml)) (conf.type "log"): n 23, events 18, median 27 (18, 45)
    result = invoke("analyze", "survival", "--csv", AML, "--time", "time", "--event", "status", "--conf-type", "log")
    assert result.exit_code == 0, result.output
    assert ["all", "23", "18", "27", "18", "45"] in _rows(result.stdout)


def test_groups_print_medians_survival_at_rmean_and_logrank(invoke: Invoke) -> None:
    # print(survfit(Surv(time, status) ~ group, data = aml)): Maintained 31 (18, NA), Nonmaintained 23 (8, NA)
    # summary(survfit(...), times = c(12, 30)): Maintained S(12) 0.909090909, se 0.0866784172, 0.754133845 to 1
    # survdiff(Surv(time, status) ~ group, data = aml): chisq 3.39638869898, p 0.0653393220405
    # print(survfit(...), rmean = 40): Maintained rmean 28.8977272727, se 3.46757767889
    result = invoke("analyze", "survival", "--csv", AML, "--time", "time", "--event", "status", "--group", "group",
                    "--conf-type", "log", "--at", "12,30", "--rmean", "40")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert ["Maintained", "11", "7", "31", "18", "NA"] in _rows(out)
    assert ["Nonmaintained", "12", "11", "23", "8", "NA"] in _rows(out)
    assert "Maintained: S(12) = 0.909091 (se 0.0866784; 0.754134 to 1; at risk 10)" in out
    assert "Maintained: restricted mean to 40 = 28.8977 (se 3.46758)" in out
    assert "chi-square 3.39639 on 1 df, p = 0.06534" in out


def test_json_has_the_r_numbers_and_full_tables(invoke: Invoke) -> None:
    result = invoke("analyze", "survival", "--csv", AML, "--time", "time", "--event", "status", "--group", "group",
                    "--at", "12,30", "--rmean", "40", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    maintained, nonmaintained = doc["curves"]
    assert maintained["group"] == "Maintained"
    # print(survfit(Surv(time, status) ~ group, data = aml, conf.type = "log-log")): 31 (13, NA); 23 (5, 33)
    assert maintained["median"] == {"estimate": 31.0, "lower": 13.0, "upper": None, "conf_level": 0.95,
                                    "conf_type": "log-log"}
    assert (nonmaintained["median"]["lower"], nonmaintained["median"]["upper"]) == (5.0, 33.0)
    # summary(survfit(... conf.type = "log-log"), censored = TRUE): Nonmaintained t = 45 surv 0, NaN, NA, NA
    last = nonmaintained["table"][-1]
    assert (last["time"], last["survival"], last["std_err"], last["lower"]) == (45.0, 0.0, None, None)
    assert len(maintained["table"]) == 10
    assert maintained["table"][0]["lower"] == pytest.approx(0.50808020577, abs=TOL)
    assert maintained["survival_at"][1]["survival"] == pytest.approx(0.613636364, abs=1e-9)
    assert maintained["restricted_mean"]["std_err"] == pytest.approx(3.46757767889, abs=TOL)
    assert doc["logrank"]["statistic"] == pytest.approx(3.39638869898, abs=TOL)
    assert doc["logrank"]["expected"] == pytest.approx([10.6893359923, 7.3106640077], abs=TOL)
    assert doc["cox"] is None


def test_stratified_logrank_and_cox_with_breslow_ties(invoke: Invoke) -> None:
    # survdiff(Surv(time, status) ~ ph_ecog + strata(sex), data = lu)$chisq 18.9882185062
    # summary(coxph(Surv(time, status) ~ age + sex + ph_ecog, data = lu, ties = "breslow")):
    #   sex coef -0.5471525775159, exp(coef) 0.578594971365, lower .95 0.416251394944; concordance 0.634769718346
    result = invoke("analyze", "survival", "--csv", LUNG, "--time", "time", "--event", "status",
                    "--group", "ph_ecog", "--strata", "sex", "--covariates", "age,sex,ph_ecog",
                    "--ties", "breslow", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["logrank"]["statistic"] == pytest.approx(18.9882185062, abs=TOL)
    assert doc["logrank"]["strata"] == ["1", "2"]
    sex = doc["cox"]["terms"][1]
    assert sex["name"] == "sex"
    assert sex["coef"] == pytest.approx(-0.5471525775159, abs=TOL)
    assert sex["hazard_ratio"] == pytest.approx(0.578594971365, abs=TOL)
    assert sex["lower"] == pytest.approx(0.416251394944, abs=TOL)
    assert doc["cox"]["concordance"] == pytest.approx(0.634769718346, abs=TOL)
    assert doc["cox"]["likelihood_ratio"]["statistic"] == pytest.approx(28.7760382817, abs=TOL)


def test_cox_text_output(invoke: Invoke) -> None:
    # summary(coxph(Surv(time, status) ~ age + sex + ph_ecog, data = lu)): ph_ecog HR 1.572697865076
    result = invoke("analyze", "survival", "--csv", LUNG, "--time", "time", "--event", "status",
                    "--covariates", "age, sex, ph_ecog")
    assert result.exit_code == 0, result.output
    assert "Cox model (efron ties): n 226, events 163" in result.stdout
    assert "1.5727" in result.stdout
    assert "Likelihood ratio test 28.8682 on 3 df" in result.stdout


def _csv(tmp_path: Path, text: str) -> str:
    path = tmp_path / "trial.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("text", "args", "phrases"), [
    ("t,e\n1,1\n2,x\n", ("--time", "t", "--event", "e"), ["e must be a number", "'x'", "row 2 of trial.csv"]),
    ("t,e\n1,1\n2,2\n", ("--time", "t", "--event", "e"), ["0 (censored) or 1 (event)", "'2'", "row 2"]),
    ("t,e\n1,1\nabc,0\n", ("--time", "t", "--event", "e"), ["t must be a number", "'abc'", "row 2"]),
    ("t,e\n1,1\n-3,0\n", ("--time", "t", "--event", "e"), ["t must be a time >= 0", "row 2"]),
    ("t,e\n1,1\n,0\n", ("--time", "t", "--event", "e"), ["a value in every row", "row 2"]),
    ("t,e\n1,1\n2,0\n", ("--time", "days", "--event", "e"), ["--time must be a column of trial.csv: t, e", "'days'"]),
    ("t,e,g\n1,1,a\n2,0,a\n", ("--time", "t", "--event", "e", "--group", "g"), ["at least two distinct groups"]),
    ("t,e,x\n1,1,5\n2,0,5\n3,1,5\n", ("--time", "t", "--event", "e", "--covariates", "x"), ["constant"]),
    ("t,e\n1,1\n2,0\n", ("--time", "t", "--event", "e", "--conf-type", "logit"), ["conf_type must be one of"]),
    ("t,e\n1,1\n2,0\n", ("--time", "t", "--event", "e", "--strata", "e"), ["--strata must be used together with --group"]),
    ("t,e\n1,1\n2,0\n", ("--time", "t", "--event", "e", "--at", "1,x"), ["--at must be comma-separated times"]),
])
def test_bad_input_is_a_clear_message_and_exit_2(tmp_path: Path, invoke: Invoke, text: str,
                                                 args: tuple[str, ...], phrases: list[str]) -> None:
    result = invoke("analyze", "survival", "--csv", _csv(tmp_path, text), *args)
    assert result.exit_code == 2, result.output
    for phrase in phrases:
        assert phrase in result.stderr
    assert "Traceback" not in result.output


def test_missing_file_is_a_clear_message(tmp_path: Path, invoke: Invoke) -> None:
    result = invoke("analyze", "survival", "--csv", str(tmp_path / "nope.csv"), "--time", "t", "--event", "e")
    assert result.exit_code == 2
    assert "--csv must be a readable UTF-8 CSV file" in result.stderr
    assert "nope.csv" in result.stderr
