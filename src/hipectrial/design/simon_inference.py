"""Running a Simon two-stage trial: the decision on the data so far, and the final estimate.

A completed trial's outcome is either "stopped after stage 1 with ``x1 <= r1`` responses"
or "completed with ``s`` responses among ``n``". Because stopping depends on the data, the
plain proportion is biased and a plain Clopper-Pearson interval does not have its nominal
coverage; this module gives the unbiased estimate (UMVUE) and the exact interval and
p-value of the stage-wise ordering instead.

References
----------
Jung SH, Kim KM. On the estimation of the binomial probability in multistage clinical
trials. Stat Med 2004;23:881-896 (the UMVUE, their eq. for two stages).
Koyama T, Chen H. Proper inference from Simon's two-stage designs. Stat Med
2008;27:3145-3154 (p-value and confidence interval from the stage-wise ordering).
Atkinson EN, Brown BW. Confidence limits for probability of response in multistage phase
II clinical trials. Biometrics 1985;41:741-744.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

import numpy as np
from scipy import optimize, stats

from hipectrial.design.simon import SimonDesign, check_design
from hipectrial.errors import InputError


class SimonAction(StrEnum):
    """What the design says to do next."""

    CONTINUE_STAGE_1 = "continue stage 1"
    CONTINUE_STAGE_2 = "continue stage 2"
    STOP_FUTILITY = "stop for futility"
    REJECT_H0 = "reject H0"
    DO_NOT_REJECT_H0 = "do not reject H0"


@dataclass(frozen=True, slots=True)
class SimonInterval:
    """An exact confidence interval for the response rate (stage-wise ordering)."""

    low: float
    high: float
    confidence_level: float
    method: str = "stage-wise ordering (Koyama & Chen 2008)"


@dataclass(frozen=True, slots=True)
class SimonEstimate:
    """The response rate estimated from a completed two-stage trial.

    ``stage`` is 1 when the trial stopped after stage 1 and 2 when it ran to ``n``;
    ``proportion`` is the naive ``responses / enrolled`` and ``umvue`` the uniformly
    minimum-variance unbiased estimate of Jung & Kim (2004).
    """

    design: SimonDesign
    stage: int
    responses: int
    enrolled: int
    proportion: float
    umvue: float

    def tail_greater(self, p: float) -> float:
        """P(an outcome at least as large as this one | p) under the stage-wise ordering."""
        d = self.design
        if self.stage == 1:
            return float(stats.binom.sf(self.responses - 1, d.n1, p))
        x1 = np.arange(d.r1 + 1, d.n1 + 1)
        terms = stats.binom.pmf(x1, d.n1, p) * stats.binom.sf(self.responses - x1 - 1, d.n2, p)
        return float(np.sum(terms))

    def tail_less(self, p: float) -> float:
        """P(an outcome at most as large as this one | p) under the stage-wise ordering."""
        d = self.design
        if self.stage == 1:
            return float(stats.binom.cdf(self.responses, d.n1, p))
        x1 = np.arange(d.r1 + 1, d.n1 + 1)
        terms = stats.binom.pmf(x1, d.n1, p) * stats.binom.cdf(self.responses - x1, d.n2, p)
        return float(stats.binom.cdf(d.r1, d.n1, p) + np.sum(terms))

    def pvalue(self, p0: float) -> float:
        """One-sided exact p-value for ``H0: p <= p0`` (Koyama & Chen 2008, stage-wise)."""
        if isinstance(p0, bool) or not isinstance(p0, int | float) or not 0 < p0 < 1:
            raise InputError("p0", p0, "a number in (0, 1)")
        return self.tail_greater(float(p0))

    def confidence_interval(self, confidence_level: float = 0.95) -> SimonInterval:
        """Equal-tailed exact interval: the ``p`` whose one-sided tails equal (1 - level)/2.

        The lowest outcome (stopped with no response) has lower limit 0 and the highest
        (all ``n`` responded) upper limit 1; after a stage-1 stop the interval is the
        Clopper-Pearson interval of ``x1 / n1``.
        """
        level = confidence_level
        if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
            raise InputError("confidence_level", level, "a number in (0, 1)")
        tail = (1 - level) / 2
        d = self.design
        lowest = self.stage == 1 and self.responses == 0
        highest = self.stage == 2 and self.responses == d.n
        low = 0.0 if lowest else _root(lambda p: self.tail_greater(p) - tail)
        high = 1.0 if highest else _root(lambda p: self.tail_less(p) - tail)
        return SimonInterval(low=low, high=high, confidence_level=float(level))


def _root(function: Callable[[float], float]) -> float:
    # Both tails are monotone in p for the stage-wise ordering, so the root is unique.
    return float(optimize.brentq(function, 1e-300, 1 - 1e-16, xtol=1e-14, rtol=1e-14))


def _count(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InputError(field, value, "a whole number")
    if value < 0:
        raise InputError(field, value, "at least 0")
    return int(value)


def _umvue(design: SimonDesign, stage: int, responses: int) -> float:
    if stage == 1:
        return responses / design.n1
    n1, n2, s = design.n1, design.n2, responses
    xs = range(max(design.r1 + 1, s - n2), min(n1, s) + 1)
    top = sum(math.comb(n1 - 1, x - 1) * math.comb(n2, s - x) for x in xs)
    bottom = sum(math.comb(n1, x) * math.comb(n2, s - x) for x in xs)
    return float(Fraction(top, bottom))


def simon_estimate(*, r1: int, n1: int, r: int, n: int, responses: int, stage: int) -> SimonEstimate:
    """Point estimate of a completed Simon trial; its interval and p-value are methods.

    Parameters
    ----------
    r1, n1, r, n : int
        The design (see :func:`hipectrial.design.simon.evaluate_simon`).
    responses : int
        Responses among the ``n1`` (stage 1 stop, then ``responses <= r1``) or among all
        ``n`` (stage 2, then ``responses > r1``).
    stage : int
        1 if the trial stopped after stage 1, 2 if it ran to ``n``.

    Returns
    -------
    SimonEstimate

    Raises
    ------
    InputError
        A bad design, stage, or a count that the design cannot produce.

    Examples
    --------
    The protocol's 3/13, 12/43 design finishing with 14 R0 resections in 43:

    >>> est = simon_estimate(r1=3, n1=13, r=12, n=43, responses=14, stage=2)
    >>> print(f"{est.proportion:.4f} {est.umvue:.4f}")
    0.3256 0.3822
    >>> ci = est.confidence_interval(0.95)
    >>> print(f"{ci.low:.4f} {ci.high:.4f} p = {est.pvalue(0.2):.4f}")
    0.1982 0.5433 p = 0.0268
    """
    design = check_design(r1=r1, n1=n1, r=r, n=n)
    if stage not in (1, 2) or isinstance(stage, bool):
        raise InputError("stage", stage, "1 (stopped after stage 1) or 2 (ran to n)")
    count = _count("responses", responses)
    if stage == 1 and count > design.r1:
        raise InputError("responses", responses, f"at most r1 ({design.r1}) after a stage-1 stop",
                         hint="with more responses the trial continues to stage 2")
    if stage == 2 and not design.r1 < count <= design.n:
        raise InputError("responses", responses, f"between {design.r1 + 1} and {design.n} "
                         "for a trial that ran to stage 2")
    enrolled = design.n1 if stage == 1 else design.n
    return SimonEstimate(design=design, stage=stage, responses=count, enrolled=enrolled,
                         proportion=count / enrolled, umvue=_umvue(design, stage, count))


@dataclass(frozen=True, slots=True)
class SimonDecision:
    """The design's verdict on ``responses`` among ``enrolled`` evaluable participants.

    ``reject_h0`` is the trial's conclusion once it is certain (``None`` while open).
    ``estimate`` is set only when the trial has ended as the design prescribes (a stage-1
    futility stop after ``n1``, or ``n`` participants), not when it stops early because
    the conclusion can no longer change.
    """

    design: SimonDesign
    responses: int
    enrolled: int
    stage: int
    action: SimonAction
    futility_certain: bool
    success_certain: bool
    complete: bool
    reject_h0: bool | None
    reasons: tuple[str, ...]
    estimate: SimonEstimate | None


def simon_decide(*, r1: int, n1: int, r: int, n: int, responses: int, enrolled: int) -> SimonDecision:
    """What a Simon design says after ``responses`` among ``enrolled`` participants.

    Stage 1 (``enrolled <= n1``): at ``n1``, stop for futility when ``responses <= r1``,
    otherwise continue. Before ``n1`` the trial stops at once when even all remaining
    stage-1 participants responding could not exceed ``r1``. Stage 2: at ``n``, reject H0
    when ``responses > r``; before ``n`` it stops when ``r`` can no longer be exceeded.
    When more than ``r`` have responded, success is certain (the design has no efficacy
    stop, so enrolment continues).

    Parameters
    ----------
    r1, n1, r, n : int
        The design.
    responses, enrolled : int
        Responses so far and evaluable participants so far (``responses <= enrolled <= n``).

    Returns
    -------
    SimonDecision

    Raises
    ------
    InputError
        Bad design; a count that is not a whole number, ``responses > enrolled``,
        ``enrolled > n``, or more than ``n1`` enrolled with at most ``r1`` responses (the
        trial should have stopped after stage 1).

    Examples
    --------
    >>> decision = simon_decide(r1=3, n1=13, r=12, n=43, responses=3, enrolled=13)
    >>> decision.action.value, decision.reject_h0
    ('stop for futility', False)
    >>> simon_decide(r1=3, n1=13, r=12, n=43, responses=4, enrolled=9).action.value
    'continue stage 1'
    """
    design = check_design(r1=r1, n1=n1, r=r, n=n)
    x = _count("responses", responses)
    m = _count("enrolled", enrolled)
    if m > design.n:
        raise InputError("enrolled", enrolled, f"at most n ({design.n})")
    if x > m:
        raise InputError("responses", responses, f"at most enrolled ({m})")
    if m > design.n1 and x <= design.r1:
        raise InputError("responses", responses,
                         f"more than r1 ({design.r1}) once more than n1 ({design.n1}) are enrolled",
                         hint="with at most r1 responses the trial stops after stage 1")
    stage = 1 if m <= design.n1 else 2
    success = x > design.r
    reasons: list[str] = []
    estimate: SimonEstimate | None = None
    complete = False
    if stage == 1:
        left = design.n1 - m
        futile = x + left <= design.r1
        if m == design.n1 and futile:
            action, complete = SimonAction.STOP_FUTILITY, True
            reasons.append(f"{x} responses in the {design.n1} of stage 1 is at most r1 = {design.r1}: "
                           "stop for futility, H0 not rejected")
            estimate = simon_estimate(r1=design.r1, n1=design.n1, r=design.r, n=design.n,
                                      responses=x, stage=1)
        elif futile:
            action = SimonAction.STOP_FUTILITY
            reasons.append(f"even if all {left} remaining stage-1 participants respond, stage 1 "
                           f"ends with {x + left} <= r1 = {design.r1}: futility is already certain")
        elif m == design.n1:
            action = SimonAction.CONTINUE_STAGE_2
            reasons.append(f"{x} responses in the {design.n1} of stage 1 exceeds r1 = {design.r1}: "
                           f"enrol {design.n2} more in stage 2")
        else:
            action = SimonAction.CONTINUE_STAGE_1
            reasons.append(f"stage 1: {m} of {design.n1} enrolled, {x} responses; stage 1 passes "
                           f"with more than {design.r1}")
            if x > design.r1:
                reasons.append(f"already more than r1 = {design.r1} responses: continuing to stage 2 "
                               "is certain once stage 1 is complete")
    else:
        left = design.n - m
        futile = x + left <= design.r
        if m == design.n:
            complete = True
            action = SimonAction.REJECT_H0 if success else SimonAction.DO_NOT_REJECT_H0
            relation = "exceeds" if success else "does not exceed"
            reasons.append(f"{x} responses in {design.n} {relation} r = {design.r}: "
                           + ("reject H0" if success else "H0 not rejected"))
            estimate = simon_estimate(r1=design.r1, n1=design.n1, r=design.r, n=design.n,
                                      responses=x, stage=2)
        elif futile:
            action = SimonAction.STOP_FUTILITY
            reasons.append(f"even if all {left} remaining participants respond, the trial ends with "
                           f"{x + left} <= r = {design.r}: futility is already certain")
        else:
            action = SimonAction.CONTINUE_STAGE_2
            reasons.append(f"stage 2: {m} of {design.n} enrolled, {x} responses; H0 is rejected "
                           f"with more than {design.r}")
    futility = action is SimonAction.STOP_FUTILITY or action is SimonAction.DO_NOT_REJECT_H0
    if success and not complete:
        reasons.append(f"already more than r = {design.r} responses: rejecting H0 is certain; "
                       "the design has no efficacy stop, so enrolment continues")
    reject: bool | None = True if success else (False if futility else None)
    return SimonDecision(design=design, responses=x, enrolled=m, stage=stage, action=action,
                         futility_certain=futility, success_certain=success, complete=complete,
                         reject_h0=reject, reasons=tuple(reasons), estimate=estimate)
