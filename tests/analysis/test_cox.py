"""Cox regression (hipectrial.analysis.cox) against R survival ``coxph``.

R values: R 4.2.2, survival 3.5-3. data/ovarian.csv is ``survival::ovarian`` (no tied times,
so Efron and Breslow agree); data/lung_ecog012.csv is ``lu <- subset(lung, ph.ecog < 3)``,
status recoded 0/1 (many tied times).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hipectrial.analysis.cox import cox
from hipectrial.errors import InputError

TOL = 1e-6
DATA = Path(__file__).parent / "data"
LUNG = pd.read_csv(DATA / "lung_ecog012.csv")
OVARIAN = pd.read_csv(DATA / "ovarian.csv")

# s <- summary(coxph(Surv(time, status) ~ age + sex + ph_ecog, data = lu, ties = TIES))
# s$coefficients: coef, se(coef), z, Pr(>|z|); s$conf.int: lower .95, upper .95
LUNG_TERMS = {
    "efron": [
        ("age", 0.0109463493643, 0.00927919058445, 1.17966640136, 2.38132921958e-01, 0.99278561950, 1.029561752528),
        ("sex", -0.5479010905165, 0.16801678931962, -3.26099012328, 1.11023907426e-03, 0.41594262605, 0.803647744411),
        ("ph_ecog", 0.4527925300242, 0.11501841508953, 3.93669596014, 8.26111644466e-05, 1.25528241469, 1.970376184578)],
    "breslow": [
        ("age", 0.0109202262434, 0.0092785803393, 1.17692856494, 2.39224019676e-01, 0.992760872580, 1.029533626130),
        ("sex", -0.5471525775159, 0.1680200817764, -3.25647132016, 1.12806326054e-03, 0.416251394944, 0.804254700299),
        ("ph_ecog", 0.4519609120958, 0.1150107932257, 3.92972606674, 8.50426896282e-05, 1.254257669960, 1.968708855641)],
}
# f$loglik; s$logtest (test, df, p); f$wald.test; f$score; s$concordance (C, se(C))
LUNG_GLOBAL = {
    "efron": ((-739.065659685, -724.631556476), (28.8682064186, 3, 2.38687117013e-06), 28.2127071299,
              28.7649905853, (0.634769718346, 0.0252499591888)),
    "breslow": ((-739.278271686, -724.890252545), (28.7760382817, 3, 2.49570031663e-06), 28.1237508392,
                28.672546895, (0.634769718346, 0.0252499591888)),
}


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_lung_terms_match_r_summary_coxph(ties: str) -> None:
    fit = cox(frame=LUNG, duration="time", event="status", covariates=["age", "sex", "ph_ecog"], ties=ties)
    assert (fit.n, fit.events, fit.ties) == (226, 163, ties)
    for term, (name, coef, se, z, p, lo, hi) in zip(fit.terms, LUNG_TERMS[ties], strict=True):
        assert term.name == name
        assert term.coef == pytest.approx(coef, abs=TOL)
        assert term.se == pytest.approx(se, abs=TOL)
        assert term.z == pytest.approx(z, abs=TOL)
        assert term.p == pytest.approx(p, rel=1e-5)
        assert term.lower == pytest.approx(lo, abs=TOL)
        assert term.upper == pytest.approx(hi, abs=TOL)
        assert term.hazard_ratio == pytest.approx(2.718281828459045 ** coef, rel=TOL)  # R exp(coef)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_lung_global_tests_and_concordance_match_r(ties: str) -> None:
    fit = cox(frame=LUNG, duration="time", event="status", covariates=["age", "sex", "ph_ecog"], ties=ties)
    (ll0, ll1), (lr, df, p), wald, score, (c, c_se) = LUNG_GLOBAL[ties]
    assert (fit.loglik_null, fit.loglik) == (pytest.approx(ll0, abs=TOL), pytest.approx(ll1, abs=TOL))
    assert fit.likelihood_ratio.statistic == pytest.approx(lr, abs=TOL)
    assert fit.likelihood_ratio.df == df
    assert fit.likelihood_ratio.p == pytest.approx(p, rel=1e-5)
    assert fit.wald.statistic == pytest.approx(wald, abs=TOL)
    assert fit.score.statistic == pytest.approx(score, abs=TOL)
    assert fit.concordance == pytest.approx(c, abs=TOL)
    assert fit.concordance_se == pytest.approx(c_se, abs=TOL)


def test_ties_change_the_lung_estimates() -> None:
    efron = cox(frame=LUNG, duration="time", event="status", covariates=["sex"], ties="efron")
    breslow = cox(frame=LUNG, duration="time", event="status", covariates=["sex"], ties="breslow")
    assert efron.terms[0].coef != pytest.approx(breslow.terms[0].coef, abs=1e-5)


def test_ninety_percent_limits_match_r() -> None:
    # summary(coxph(Surv(time, status) ~ age + sex + ph_ecog, data = lu), conf.int = 0.9)$conf.int
    fit = cox(frame=LUNG, duration="time", event="status", covariates=["age", "sex", "ph_ecog"], conf_level=0.9)
    expected = [(0.995692742035, 1.02655574270), (0.438557601351, 0.76220626937), (1.301612750374, 1.90024150740)]
    for term, (lo, hi) in zip(fit.terms, expected, strict=True):
        assert (term.lower, term.upper) == (pytest.approx(lo, abs=TOL), pytest.approx(hi, abs=TOL))


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_ovarian_four_covariates_match_r(ties: str) -> None:
    # s <- summary(coxph(Surv(futime, fustat) ~ age + resid.ds + rx + ecog.ps, data = ovarian, ties = TIES))
    # (identical for both ties: ovarian has no tied times)
    fit = cox(frame=OVARIAN, duration="futime", event="fustat", covariates=["age", "resid.ds", "rx", "ecog.ps"],
              ties=ties)
    expected = [
        ("age", 0.124813078795, 0.0468903630079, 2.661806622699, 0.00777225158811, 1.033457168449, 1.24199194938),
        ("resid.ds", 0.826186440824, 0.7896110608452, 1.046320754347, 0.29541296634328, 0.486060197187, 10.73807333945),
        ("rx", -0.914499919555, 0.6533156306656, -1.399782703230, 0.16157839895519, 0.111361342586, 1.44191946399),
        ("ecog.ps", 0.336211686226, 0.6439230627313, 0.522130213507, 0.60157967132090, 0.396192796823, 4.94450914865)]
    for term, (name, coef, se, z, p, lo, hi) in zip(fit.terms, expected, strict=True):
        assert term.name == name
        assert [term.coef, term.se, term.z, term.p] == pytest.approx([coef, se, z, p], abs=TOL)
        assert term.lower == pytest.approx(lo, abs=TOL)
        assert term.upper == pytest.approx(hi, rel=TOL)
    # f$loglik -34.9849403712 -26.4632935167; s$logtest 17.0432937089 4 0.00189586698785
    # s$sctest 20.8127893912; s$concordance 0.807339449541 0.06822536746
    assert (fit.loglik_null, fit.loglik) == (pytest.approx(-34.9849403712, abs=TOL), pytest.approx(-26.4632935167, abs=TOL))
    assert fit.likelihood_ratio.statistic == pytest.approx(17.0432937089, abs=TOL)
    assert fit.likelihood_ratio.p == pytest.approx(0.00189586698785, abs=TOL)
    assert fit.score.statistic == pytest.approx(20.8127893912, abs=TOL)
    assert (fit.concordance, fit.concordance_se) == (pytest.approx(0.807339449541, abs=TOL), pytest.approx(0.06822536746, abs=TOL))


def test_concordance_with_tied_risk_scores_matches_r() -> None:
    # summary(coxph(Surv(futime, fustat) ~ rx, data = ovarian))$concordance: 0.607798165138 0.0698558140386
    fit = cox(frame=OVARIAN, duration="futime", event="fustat", covariates=["rx"])
    assert fit.concordance == pytest.approx(0.607798165138, abs=TOL)
    assert fit.concordance_se == pytest.approx(0.0698558140386, abs=TOL)


def test_bool_covariate_is_read_as_zero_one() -> None:
    frame = OVARIAN.assign(rx2=OVARIAN["rx"] == 2)
    fit = cox(frame=frame, duration="futime", event="fustat", covariates=["rx2"])
    assert fit.concordance == pytest.approx(0.607798165138, abs=TOL)


@pytest.mark.parametrize(("kwargs", "field", "phrase"), [
    ({"covariates": ["age", "nope"]}, "covariates", "a column of the frame"),
    ({"duration": "days"}, "duration", "a column of the frame"),
    ({"event": "dead"}, "event", "a column of the frame"),
    ({"covariates": ["constant"]}, "covariates", "constant"),
    ({"covariates": ["label"]}, "covariates", "dummy-code"),
    ({"covariates": ["age", "age_twice"]}, "covariates", "linearly independent"),
    ({"covariates": ["age_missing"]}, "covariates", "without missing"),
    ({"covariates": []}, "covariates", "non-empty"),
    ({"covariates": "age"}, "covariates", "non-empty sequence"),
    ({"ties": "exact"}, "ties", "'efron'"),
    ({"conf_level": 95}, "conf_level", "(0, 1)"),
    ({"event": "bad_event"}, "bad_event", "0 (censored) or 1"),
    ({"duration": "bad_time"}, "bad_time", "non-negative"),
    ({"event": "no_event"}, "no_event", "at least one event"),
])
def test_rejects_bad_input(kwargs: dict[str, object], field: str, phrase: str) -> None:
    frame = OVARIAN.assign(constant=1.0, label="x", age_twice=OVARIAN["age"] * 2,
                           age_missing=OVARIAN["age"].where(OVARIAN.index != 3),
                           bad_event=OVARIAN["fustat"] * 2, bad_time=-OVARIAN["futime"], no_event=0)
    arguments: dict[str, object] = {"frame": frame, "duration": "futime", "event": "fustat",
                                    "covariates": ["age"], **kwargs}
    with pytest.raises(InputError) as info:
        cox(**arguments)  # type: ignore[arg-type]
    assert info.value.field == field
    assert phrase in str(info.value)


def test_rejects_empty_frame() -> None:
    with pytest.raises(InputError) as info:
        cox(frame=OVARIAN.iloc[:0], duration="futime", event="fustat", covariates=["age"])
    assert info.value.field == "frame"
