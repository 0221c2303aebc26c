"""The Kaplan-Meier estimator, with Greenwood standard errors, the median and the restricted mean.

Implemented directly in NumPy so that every number follows R ``survival`` (3.5-3)
``survfit(Surv(time, status) ~ 1)`` and its ``summary`` and ``print`` methods; the tests
compare with R to 1e-6 and with a slow reference estimator.

Undefined values (a confidence limit where R gives ``NA`` or ``NaN``, a standard error at
S(t) = 0, anything after the last follow-up time) are ``None`` in the result objects and
``NaN`` in :meth:`KaplanMeier.to_frame`.

References
----------
Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. JASA 1958;53:457-481.
Greenwood M. The natural duration of cancer. Reports on Public Health and Medical Subjects
1926;33:1-26.
Therneau T. A package for survival analysis in R, version 3.5-3: ``survfit.formula``,
``survfit_confint``, ``summary.survfit``, ``survmean`` (used by ``print.survfit``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from hipectrial.analysis.survival_common import FloatArray, as_events, as_times, choice, level
from hipectrial.errors import InputError

CONF_TYPES = ("log-log", "log", "plain")
# survmean's tolerance for "the curve is at 0.5" (R: .Machine$double.eps^0.5).
_TOLERANCE = float(np.sqrt(np.finfo(np.float64).eps))


@dataclass(frozen=True, slots=True)
class KaplanMeierRow:
    """One distinct event or censoring time of the curve (a row of R ``summary(fit, censored=TRUE)``).

    ``std_err`` is the Greenwood standard error of S(t) (R ``summary(fit)$std.err``);
    ``std_err``, ``lower`` and ``upper`` are ``None`` where R gives NA/NaN.
    """

    time: float
    n_risk: int
    n_event: int
    n_censor: int
    survival: float
    std_err: float | None
    lower: float | None
    upper: float | None


@dataclass(frozen=True, slots=True)
class MedianSurvival:
    """Median survival and its confidence limits, ``None`` where not reached (R prints NA)."""

    estimate: float | None
    lower: float | None
    upper: float | None
    conf_level: float
    conf_type: str


@dataclass(frozen=True, slots=True)
class SurvivalAt:
    """The curve read at one requested time; ``None`` after the last follow-up time."""

    time: float
    n_risk: int
    survival: float | None
    std_err: float | None
    lower: float | None
    upper: float | None


@dataclass(frozen=True, slots=True)
class RestrictedMean:
    """Restricted mean survival time up to ``horizon`` and its standard error (R ``*rmean``)."""

    horizon: float
    estimate: float
    std_err: float


def _nan(values: tuple[float | None, ...]) -> FloatArray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _optional(values: FloatArray) -> tuple[float | None, ...]:
    return tuple(None if v != v else v for v in values.tolist())  # NaN is unequal to itself


def _minmin(values: Sequence[float | None], times: Sequence[float]) -> float | None:
    """R ``survmean``'s median rule: the first time the curve is below 0.5 or, where it is
    flat at exactly 0.5, the midpoint of that flat stretch."""
    kept = [(t, v) for t, v in zip(times, values, strict=True) if v is not None and v < 0.5 + _TOLERANCE]
    if not kept:
        return None
    t0, v0 = kept[0]
    if abs(v0 - 0.5) < _TOLERANCE:
        below = [t for t, v in kept if v < v0]
        if below:
            return (t0 + below[0]) / 2
    return t0


@dataclass(frozen=True, slots=True)
class KaplanMeier:
    """A Kaplan-Meier curve: its table, and the derived median, survival and restricted mean.

    The columns are stored as tuples (one value per distinct time; ``None`` where
    undefined); :attr:`table` presents them as rows and :meth:`to_frame` as a DataFrame.
    """

    n: int
    events: int
    conf_level: float
    conf_type: str
    time: tuple[float, ...]
    n_risk: tuple[int, ...]
    n_event: tuple[int, ...]
    n_censor: tuple[int, ...]
    survival: tuple[float, ...]
    std_err: tuple[float | None, ...]
    lower: tuple[float | None, ...]
    upper: tuple[float | None, ...]

    @property
    def table(self) -> tuple[KaplanMeierRow, ...]:
        """One row per distinct time, as R ``summary(fit, censored=TRUE)``."""
        return tuple(KaplanMeierRow(*values) for values in zip(
            self.time, self.n_risk, self.n_event, self.n_censor, self.survival, self.std_err,
            self.lower, self.upper, strict=True))

    def to_frame(self) -> pd.DataFrame:
        """The table as a DataFrame (undefined values as NaN)."""
        return pd.DataFrame({
            "time": np.array(self.time, dtype=np.float64),
            "n_risk": np.array(self.n_risk, dtype=np.int64),
            "n_event": np.array(self.n_event, dtype=np.int64),
            "n_censor": np.array(self.n_censor, dtype=np.int64),
            "survival": np.array(self.survival, dtype=np.float64),
            "std_err": _nan(self.std_err), "lower": _nan(self.lower), "upper": _nan(self.upper)})

    def median(self) -> MedianSurvival:
        """Median survival with the limits R ``print(survfit)`` shows (its ``survmean`` rule).

        The limits are where the lower and the upper confidence curves cross 0.5.
        """
        return MedianSurvival(
            estimate=_minmin(self.survival, self.time), lower=_minmin(self.lower, self.time),
            upper=_minmin(self.upper, self.time),
            conf_level=self.conf_level, conf_type=self.conf_type)

    def survival_at(self, times: ArrayLike) -> tuple[SurvivalAt, ...]:
        """The step function read at ``times`` (R ``summary(fit, times=...)``).

        Before the first observed time R reports S = 1, std. err 0 and limits 1 (also for
        log-log); so do we. After the last observed time R drops the time (or, with
        ``extend=TRUE``, carries the last value forward): we return ``None`` values there,
        since nothing was observed.
        """
        wanted = as_times("times", np.atleast_1d(np.asarray(times)))
        observed = np.array(self.time, dtype=np.float64)
        index = np.searchsorted(observed, wanted, side="right") - 1
        first = np.searchsorted(observed, wanted, side="left")
        out: list[SurvivalAt] = []
        for t, i, k in zip(wanted.tolist(), index.tolist(), first.tolist(), strict=True):
            if i < 0:
                out.append(SurvivalAt(t, self.n, 1.0, 0.0, 1.0, 1.0))
            elif t > observed[-1]:
                out.append(SurvivalAt(t, 0, None, None, None, None))
            else:
                out.append(SurvivalAt(t, self.n_risk[k], self.survival[i], self.std_err[i],
                                      self.lower[i], self.upper[i]))
        return tuple(out)

    def restricted_mean(self, horizon: float) -> RestrictedMean:
        """Restricted mean survival time to ``horizon`` (R ``print(fit, rmean=horizon)``).

        The area under the curve from 0 to ``horizon`` and its standard error, computed as
        R's ``survmean``. A horizon after the last observed time extends the last value of
        the curve, as R does; R refuses a horizon before the first observed time, where we
        return the horizon itself (S = 1 there) with standard error 0.
        """
        if isinstance(horizon, bool) or not isinstance(horizon, int | float) \
                or not np.isfinite(horizon) or horizon <= 0:
            raise InputError("horizon", horizon, "a finite time > 0")
        keep = int(np.searchsorted(np.array(self.time), horizon, side="right"))
        if keep == 0:
            return RestrictedMean(float(horizon), float(horizon), 0.0)
        time = np.append(np.array(self.time[:keep], dtype=np.float64), horizon)
        surv = np.array(self.survival[:keep] + self.survival[keep - 1:keep], dtype=np.float64)
        n_risk = np.array(self.n_risk[:keep], dtype=np.float64)
        n_event = np.array(self.n_event[:keep], dtype=np.float64)
        left = n_risk - n_event
        hh = np.append(np.divide(n_event, n_risk * left, out=np.zeros_like(n_risk), where=left > 0), 0.0)
        delta = np.diff(np.concatenate(([0.0], time)))
        rectangles = delta * np.concatenate(([1.0], surv[:-1]))
        variance = float(np.sum(np.cumsum(rectangles[1:][::-1]) ** 2 * hh[::-1][1:]))
        return RestrictedMean(float(horizon), float(rectangles.sum()), float(np.sqrt(variance)))


def _limits(surv: FloatArray, se_log: FloatArray, z: float, conf_type: str
            ) -> tuple[FloatArray, FloatArray]:
    """R ``survfit_confint`` with ``logse=TRUE``; NaN where R gives NA."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "plain":
            half = se_log * surv * z
            lower, upper = np.maximum(surv - half, 0.0), np.minimum(surv + half, 1.0)
            undefined = surv == 0
        elif conf_type == "log":
            log_s = np.log(np.where(surv == 0, np.nan, surv))
            lower = np.exp(log_s - z * se_log)
            upper = np.minimum(np.exp(log_s + z * se_log), 1.0)
            undefined = surv == 0
        else:
            xx = np.where((surv == 0) | (surv == 1), np.nan, surv)
            spread = z * se_log / np.log(xx)
            loglog = np.log(-np.log(xx))
            lower = np.exp(-np.exp(loglog - spread))
            upper = np.exp(-np.exp(loglog + spread))
            undefined = (surv == 0) | (surv == 1)
    return np.where(undefined, np.nan, lower), np.where(undefined, np.nan, upper)


def kaplan_meier(*, time: ArrayLike, event: ArrayLike, conf_level: float = 0.95,
                 conf_type: str = "log-log") -> KaplanMeier:
    """Kaplan-Meier estimate of the survival function, with Greenwood standard errors.

    Parameters
    ----------
    time : array of float
        Follow-up time of each participant (any unit, e.g. days); finite and >= 0.
    event : array of 0/1 or bool
        1 (True) for an event at ``time``, 0 (False) for censoring at ``time``.
    conf_level : float
        Level of the pointwise confidence limits, in (0, 1); default 0.95.
    conf_type : {"log-log", "log", "plain"}
        Scale of the confidence limits. The default is ``"log-log"`` (limits inside
        [0, 1] without clipping); note that R ``survfit``'s default is ``"log"``.

    Returns
    -------
    KaplanMeier
        One table row per distinct time (events and censorings), equal to R
        ``summary(survfit(...), censored=TRUE)``; ``median()``, ``survival_at()`` and
        ``restricted_mean()`` follow R's ``print`` and ``summary``. A censoring tied with an
        event at the same time is counted at risk at that time, as in R.

    Raises
    ------
    InputError
        Empty input, a negative, NaN or infinite time, an event not 0/1, mismatched
        lengths, a level outside (0, 1) or an unknown ``conf_type``.

    References
    ----------
    See the module docstring; R ``survival`` 3.5-3 ``survfit``.

    Examples
    --------
    The AML maintenance data of Miller (1981), R ``survival::aml``, both arms together:

    >>> time = [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161,
    ...         5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45]
    >>> status = [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]
    >>> km = kaplan_meier(time=time, event=status, conf_type="log")
    >>> m = km.median()     # R: survfit(Surv(time, status) ~ 1, data = aml): 27 (18, 45)
    >>> (m.estimate, m.lower, m.upper)
    (27.0, 18.0, 45.0)
    >>> round(km.table[0].survival, 6), km.table[0].n_risk
    (0.913043, 23)
    """
    times = as_times("time", time)
    events = as_events("event", event, times.size)
    conf = level(conf_level)
    kind = choice("conf_type", conf_type, CONF_TYPES)
    unique, inverse = np.unique(times, return_inverse=True)
    n_event = np.bincount(inverse, weights=events, minlength=unique.size).astype(np.int64)
    n_total = np.bincount(inverse, minlength=unique.size).astype(np.int64)
    n_risk = times.size - np.concatenate(([0], np.cumsum(n_total)[:-1]))
    survival = np.cumprod(1.0 - n_event / n_risk)
    left = n_risk - n_event
    with np.errstate(divide="ignore", invalid="ignore"):
        # Greenwood's sum for the cumulative hazard: infinite once everyone at risk has died.
        terms = np.where(left > 0, n_event / (n_risk * left), np.where(n_event > 0, np.inf, 0.0))
        se_log = np.sqrt(np.cumsum(terms))
        std_err = survival * se_log
    z = float(stats.norm.ppf(1 - (1 - conf) / 2))
    lower, upper = _limits(survival, se_log, z, kind)
    return KaplanMeier(
        n=int(times.size), events=int(events.sum()), conf_level=conf, conf_type=kind,
        time=tuple(unique.tolist()), n_risk=tuple(n_risk.tolist()), n_event=tuple(n_event.tolist()),
        n_censor=tuple((n_total - n_event).tolist()), survival=tuple(survival.tolist()),
        std_err=_optional(std_err), lower=_optional(lower), upper=_optional(upper))
