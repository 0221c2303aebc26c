"""Cox proportional-hazards regression with Efron or Breslow ties, reported as R ``summary(coxph)``.

The partial likelihood is maximised by statsmodels ``PHReg`` (Newton-Raphson; both tie
methods); this module checks the input, and adds what R prints: Wald z and p, hazard
ratios with limits, the likelihood-ratio, Wald and score tests and Harrell's concordance
with R's standard error.

Covariates must be numeric columns (bool is read as 0/1). A categorical variable must be
dummy-coded first: one 0/1 column per level except the reference level — a column of
strings is refused rather than guessed at.

References
----------
Cox DR. Regression models and life-tables. JRSS B 1972;34:187-220.
Efron B. The efficiency of Cox's likelihood function for censored data. JASA 1977;72:557-565.
Breslow N. Covariance analysis of censored survival data. Biometrics 1974;30:89-99.
Therneau T. R ``survival`` 3.5-3: ``coxph``, ``summary.coxph``, ``concordancefit``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg

from hipectrial.analysis.survival_common import FloatArray, as_events, as_times, choice, level
from hipectrial.errors import InputError

TIES = ("efron", "breslow")


@dataclass(frozen=True, slots=True)
class CoxTerm:
    """One covariate: log hazard ratio ``coef`` with its Wald inference (R ``summary(fit)``)."""

    name: str
    coef: float
    se: float
    hazard_ratio: float
    lower: float
    upper: float
    z: float
    p: float


@dataclass(frozen=True, slots=True)
class ModelTest:
    """A global test of all coefficients being 0 (chi-square ``statistic`` on ``df``)."""

    statistic: float
    df: int
    p: float


@dataclass(frozen=True, slots=True)
class CoxResult:
    """A fitted Cox model, its terms and global tests, as R ``summary(coxph(...))`` prints them."""

    ties: str
    conf_level: float
    n: int
    events: int
    terms: tuple[CoxTerm, ...]
    loglik_null: float
    loglik: float
    likelihood_ratio: ModelTest
    wald: ModelTest
    score: ModelTest
    concordance: float
    concordance_se: float


def _column(frame: pd.DataFrame, field: str, name: object) -> pd.Series:
    if not isinstance(name, str) or name not in frame.columns:
        raise InputError(field, name, "a column of the frame: " + ", ".join(map(str, frame.columns)))
    return frame[name]


def _covariates(frame: pd.DataFrame, names: Sequence[str]) -> FloatArray:
    if len(names) == 0:
        raise InputError("covariates", names, "a non-empty sequence of column names")
    if len(set(names)) != len(names):
        raise InputError("covariates", list(names), "distinct column names")
    columns = []
    for name in names:
        series = _column(frame, "covariates", name)
        if series.dtype == np.bool_:
            series = series.astype(np.int64)
        if not pd.api.types.is_numeric_dtype(series):
            raise InputError("covariates", name, "a numeric column",
                             hint="dummy-code a categorical variable: one 0/1 column per level "
                                  "other than the reference")
        values = series.to_numpy(dtype=np.float64)
        if not np.isfinite(values).all():
            row = int(np.flatnonzero(~np.isfinite(values))[0])
            raise InputError("covariates", name, "a column without missing or infinite values",
                             hint=f"value {values[row]!r} at position {row}")
        if np.ptp(values) == 0:
            raise InputError("covariates", name, "a column that varies",
                             hint=f"it is constant ({values[0]:g}), so its effect cannot be estimated")
        columns.append(values)
    matrix = np.column_stack(columns)
    if np.linalg.matrix_rank(matrix - matrix.mean(axis=0)) < matrix.shape[1]:
        raise InputError("covariates", list(names), "linearly independent columns",
                         hint="one covariate is a combination of the others")
    return matrix


def _concordance(time: FloatArray, event: NDArray[np.int64], risk: FloatArray) -> tuple[float, float]:
    """Harrell's C and R ``concordancefit``'s infinitesimal-jackknife standard error.

    A pair is comparable when the shorter time is an event; a censoring tied with an event
    counts as later (R). Ties in risk count one half; ties in an event time are left out.
    """
    n = time.size
    concordant, discordant, tied = np.zeros(n), np.zeros(n), np.zeros(n)
    for i in np.flatnonzero(event == 1):
        later = (time > time[i]) | ((time == time[i]) & (event == 0))
        higher, lower, equal = later & (risk < risk[i]), later & (risk > risk[i]), later & (risk == risk[i])
        concordant += higher
        discordant += lower
        tied += equal
        concordant[i] += higher.sum()
        discordant[i] += lower.sum()
        tied[i] += equal.sum()
    # Each pair was added to both members: halve for the pair totals.
    c_total, d_total, t_total = concordant.sum() / 2, discordant.sum() / 2, tied.sum() / 2
    pairs = c_total + d_total + t_total
    if pairs == 0:
        return float("nan"), float("nan")
    somers = (c_total - d_total) / pairs
    dfbeta = (concordant - discordant) / pairs - somers / pairs * (concordant + discordant + tied)
    return float((somers + 1) / 2), float(np.sqrt(np.sum(dfbeta**2) / 4))


def cox(*, frame: pd.DataFrame, duration: str, event: str, covariates: Sequence[str],
        ties: str = "efron", conf_level: float = 0.95) -> CoxResult:
    """Fit a Cox proportional-hazards model and report it as R ``summary(coxph)``.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per participant.
    duration, event : str
        Columns of follow-up time (finite, >= 0) and event indicator (0/1 or bool).
    covariates : sequence of str
        Numeric columns, each varying and none a combination of the others; dummy-code
        categorical variables yourself (see the module docstring).
    ties : {"efron", "breslow"}
        Handling of tied event times; R's default is ``"efron"``.
    conf_level : float
        Level of the hazard-ratio limits, in (0, 1); default 0.95.

    Returns
    -------
    CoxResult
        Coefficients, standard errors, hazard ratios with limits, Wald z and p per term;
        log-likelihoods; likelihood-ratio, Wald and score tests; concordance and its
        standard error.

    Raises
    ------
    InputError
        An unknown column, a non-numeric, missing, constant or collinear covariate, invalid
        times or events, no event, an unknown ``ties`` or a level outside (0, 1).

    Examples
    --------
    >>> data = pd.DataFrame({"time": [5, 8, 9, 12, 13, 18, 23, 27, 30, 31],
    ...                      "status": [1, 1, 1, 1, 0, 1, 1, 1, 0, 1],
    ...                      "arm": [1, 1, 0, 1, 0, 1, 0, 0, 1, 0]})
    >>> fit = cox(frame=data, duration="time", event="status", covariates=["arm"])
    >>> fit.terms[0].name, fit.n, fit.events
    ('arm', 10, 8)
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError("frame", type(frame).__name__, "a pandas DataFrame")
    if len(frame) == 0:
        raise InputError("frame", "0 rows", "at least one row", hint="the input is empty")
    method = choice("ties", ties, TIES)
    conf = level(conf_level)
    times = as_times(duration, _column(frame, "duration", duration).to_numpy())
    events = as_events(event, _column(frame, "event", event).to_numpy(), times.size, duration)
    if events.sum() == 0:
        raise InputError(event, "no events", "at least one event", hint="a Cox model needs events")
    if isinstance(covariates, str):
        raise InputError("covariates", covariates, "a non-empty sequence of column names",
                         hint=f"write [{covariates!r}] for one covariate")
    names = list(covariates)
    x = _covariates(frame, names)
    model = PHReg(times, x, status=events, ties=method)
    fitted = model.fit()
    beta = np.asarray(fitted.params, dtype=np.float64)
    cov = np.asarray(fitted.cov_params(), dtype=np.float64)
    if not np.all(np.isfinite(beta)) or not np.all(np.isfinite(cov)):
        raise InputError("covariates", names, "covariates with a finite maximum-likelihood estimate",
                         hint="the fit diverged; a covariate may separate events from censorings")
    se = np.sqrt(np.diag(cov))
    z = beta / se
    zq = float(stats.norm.ppf(1 - (1 - conf) / 2))
    p = 2 * stats.norm.sf(np.abs(z))
    terms = tuple(CoxTerm(name=n, coef=float(b), se=float(s), hazard_ratio=float(np.exp(b)),
                          lower=float(np.exp(b - zq * s)), upper=float(np.exp(b + zq * s)),
                          z=float(zz), p=float(pp))
                  for n, b, s, zz, pp in zip(names, beta, se, z, p, strict=True))
    k = len(names)
    null = np.zeros(k)
    loglik_null, loglik = float(model.loglike(null)), float(model.loglike(beta))
    lr = 2 * (loglik - loglik_null)
    wald = float(beta @ np.linalg.solve(cov, beta))
    gradient = np.asarray(model.score(null), dtype=np.float64)
    score = float(gradient @ np.linalg.solve(-np.asarray(model.hessian(null)), gradient))
    concordance, concordance_se = _concordance(times, events, x @ beta)
    return CoxResult(
        ties=method, conf_level=conf, n=int(times.size), events=int(events.sum()), terms=terms,
        loglik_null=loglik_null, loglik=loglik,
        likelihood_ratio=ModelTest(lr, k, float(stats.chi2.sf(lr, k))),
        wald=ModelTest(wald, k, float(stats.chi2.sf(wald, k))),
        score=ModelTest(score, k, float(stats.chi2.sf(score, k))),
        concordance=concordance, concordance_se=concordance_se)
