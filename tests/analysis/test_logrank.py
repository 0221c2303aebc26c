"""Log-rank test (hipectrial.analysis.logrank) against R survival ``survdiff``.

R values: R 4.2.2, survival 3.5-3. data/aml.csv is ``survival::aml``; data/lung_ecog012.csv is
``lu <- subset(lung, ph.ecog < 3)`` with status recoded 0/1 and ph.ecog renamed ph_ecog;
data/ovarian.csv is ``survival::ovarian``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hipectrial.analysis.logrank import logrank
from hipectrial.errors import InputError

TOL = 1e-6
DATA = Path(__file__).parent / "data"
AML = pd.read_csv(DATA / "aml.csv")
LUNG = pd.read_csv(DATA / "lung_ecog012.csv")
OVARIAN = pd.read_csv(DATA / "ovarian.csv")


def test_two_groups_match_r_survdiff_on_aml() -> None:
    # d <- survdiff(Surv(time, status) ~ group, data = aml)
    # d$chisq 3.39638869898; d$obs 7 11; d$exp 10.6893359923 7.3106640077; p 0.0653393220405
    test = logrank(time=AML["time"], event=AML["status"], group=AML["group"])
    assert test.statistic == pytest.approx(3.39638869898, abs=TOL)
    assert test.df == 1
    assert test.p == pytest.approx(0.0653393220405, abs=TOL)
    assert test.groups == ("Maintained", "Nonmaintained")
    assert test.n == (11, 12)
    assert test.observed == (7, 11)
    assert test.expected == pytest.approx((10.6893359923, 7.3106640077), abs=TOL)
    assert test.strata == ()


def test_three_groups_match_r_survdiff_on_lung() -> None:
    # d <- survdiff(Surv(time, status) ~ ph_ecog, data = lu)
    # chisq 18.0120966947 on 2 df, p 0.000122665631501; obs 37 82 44; exp 53.9046962799 83.0929422349 26.0023614853
    test = logrank(time=LUNG["time"], event=LUNG["status"], group=LUNG["ph_ecog"])
    assert (test.statistic, test.df) == (pytest.approx(18.0120966947, abs=TOL), 2)
    assert test.p == pytest.approx(0.000122665631501, rel=1e-6)
    assert test.groups == ("0", "1", "2")
    assert test.n == (63, 113, 50)
    assert test.observed == (37, 82, 44)
    assert test.expected == pytest.approx((53.9046962799, 83.0929422349, 26.0023614853), abs=TOL)


def test_stratified_three_groups_match_r_survdiff_on_lung() -> None:
    # d <- survdiff(Surv(time, status) ~ ph_ecog + strata(sex), data = lu)
    # chisq 18.9882185062, p 7.52940643399e-05; rowSums(d$exp) 54.1303391458 83.2768169592 25.592843895
    test = logrank(time=LUNG["time"], event=LUNG["status"], group=LUNG["ph_ecog"], strata=LUNG["sex"])
    assert (test.statistic, test.df) == (pytest.approx(18.9882185062, abs=TOL), 2)
    assert test.p == pytest.approx(7.52940643399e-05, rel=1e-6)
    assert test.observed == (37, 82, 44)
    assert test.expected == pytest.approx((54.1303391458, 83.2768169592, 25.592843895), abs=TOL)
    assert test.strata == ("1", "2")


def test_stratified_two_groups_match_r_survdiff_on_ovarian() -> None:
    # d <- survdiff(Surv(futime, fustat) ~ rx + strata(ecog.ps), data = ovarian)
    # chisq 0.767911418931, p 0.380863948079; obs 7 5; exp 5.49995837496 6.50004162504
    test = logrank(time=OVARIAN["futime"], event=OVARIAN["fustat"], group=OVARIAN["rx"], strata=OVARIAN["ecog.ps"])
    assert test.statistic == pytest.approx(0.767911418931, abs=TOL)
    assert test.p == pytest.approx(0.380863948079, abs=TOL)
    assert test.expected == pytest.approx((5.49995837496, 6.50004162504), abs=TOL)


def test_freireich_6mp_chi_square_is_the_published_16_79() -> None:
    # Freireich et al. 1963 (MASS::gehan); Kleinbaum & Klein, Survival Analysis, ch. 2: log-rank 16.79.
    # R: survdiff(Surv(time, cens) ~ treat, data = MASS::gehan)$chisq 16.7929409892
    mp = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
    mp_event = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    placebo = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]
    test = logrank(time=mp + placebo, event=mp_event + [1] * 21, group=["6-MP"] * 21 + ["placebo"] * 21)
    assert test.statistic == pytest.approx(16.7929409892, abs=TOL)
    assert round(test.statistic, 2) == 16.79


def test_group_labels_may_be_numbers_or_bools() -> None:
    test = logrank(time=AML["time"], event=AML["status"] == 1, group=(AML["group"] == "Maintained").to_numpy())
    assert test.statistic == pytest.approx(3.39638869898, abs=TOL)


@pytest.mark.parametrize(("kwargs", "field", "phrase"), [
    ({"group": ["a"] * 23}, "group", "at least two distinct groups"),
    ({"group": ["a", "b"]}, "group", "as long as time"),
    ({"group": ["a"] * 22 + [None]}, "group", "no missing values"),
    ({"group": [1.0] * 22 + [float("nan")]}, "group", "no missing values"),
    ({"strata": [1] * 3}, "strata", "as long as time"),
    ({"event": [0] * 23}, "event", "at least one event"),
    ({"event": [2] * 23}, "event", "0 (censored) or 1"),
    ({"time": [-1] * 23}, "time", "non-negative"),
])
def test_rejects_bad_input(kwargs: dict[str, object], field: str, phrase: str) -> None:
    arguments: dict[str, object] = {"time": AML["time"], "event": AML["status"],
                                    "group": AML["group"], **kwargs}
    with pytest.raises(InputError) as info:
        logrank(**arguments)  # type: ignore[arg-type]
    assert info.value.field == field
    assert phrase in str(info.value)
