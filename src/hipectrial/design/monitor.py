"""Bayesian beta-binomial monitoring of excess toxicity, with its exact operating characteristics.

The rule: with a Beta(a, b) prior on the toxicity rate ``p`` and ``x`` events among the
first ``n`` participants, stop enrolment when ``P(p > threshold | x, n) > cutoff``; the
posterior is Beta(a + x, b + n - x). The rule is checked after every ``every``
participants up to ``max_n`` (and once more at ``max_n`` when it is not a multiple of
``every``). The seed protocol's Part B rule is threshold 0.30, cutoff 0.90, Beta(1, 1),
every 5 participants (shared/reference/protocol-decisions.md, "Safety monitoring in Part B").

Because the posterior probability increases with ``x``, each look has one boundary: the
smallest number of events that stops. The probability of stopping for a true rate is then
exact, by dynamic programming over the looks with binomial increments between them.

Conventions: enrolment pauses at each look until it is evaluated, so a trial that stops at
a look has enrolled exactly that look's number of participants; the comparison with the
cutoff is strict (``>``), as the protocol states it.

References
----------
Thall PF, Simon R, Estey EH. Bayesian sequential monitoring designs for single-arm clinical
trials with multiple outcomes. Statistics in Medicine 1995; 14: 357-379.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from hipectrial.errors import InputError

__all__ = ["MonitorLook", "MonitorOC", "MonitorSimulation", "ToxicityMonitor", "toxicity_monitor"]


@dataclass(frozen=True, slots=True)
class MonitorLook:
    """One interim look.

    Parameters
    ----------
    n : int
        Participants evaluated at this look.
    stop_at : int or None
        Smallest number of events among ``n`` that stops the trial; ``None`` when even
        ``n`` events would not.
    posterior_at_boundary : float or None
        ``P(p > threshold | stop_at, n)``, the posterior probability at the boundary.
    """

    n: int
    stop_at: int | None
    posterior_at_boundary: float | None


@dataclass(frozen=True, slots=True)
class MonitorOC:
    """Exact operating characteristics of the rule for one true toxicity rate.

    ``prob_stop_at_look[j]`` is the probability of stopping at look ``j`` (not before).
    """

    p_tox: float
    prob_stop: float
    prob_stop_at_look: tuple[float, ...]
    expected_n: float


@dataclass(frozen=True, slots=True)
class MonitorSimulation:
    """Monte-Carlo operating characteristics for one true rate, with standard errors."""

    p_tox: float
    n_trials: int
    seed: int
    prob_stop: float
    prob_stop_se: float
    expected_n: float
    expected_n_se: float


def _probability(field: str, value: float) -> float:
    number = float(value)
    if not 0.0 < number < 1.0:
        raise InputError(field, value, "a probability strictly between 0 and 1")
    return number


def _true_rate(field: str, value: float) -> float:
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise InputError(field, value, "a probability in [0, 1]")
    return number


@dataclass(frozen=True, slots=True)
class ToxicityMonitor:
    """Stopping boundaries of a beta-binomial toxicity rule; build with :func:`toxicity_monitor`."""

    threshold: float
    cutoff: float
    prior_a: float
    prior_b: float
    every: int
    max_n: int
    looks: tuple[MonitorLook, ...]

    def posterior_exceeds(self, *, events: int, n: int) -> float:
        """``P(p > threshold | events, n)`` under the prior: the quantity compared with the cutoff."""
        if not 0 <= events <= n:
            raise InputError("events", events, f"a whole number in 0..{n}")
        return float(stats.beta.sf(self.threshold, self.prior_a + events, self.prior_b + n - events))

    def operating_characteristics(self, *, p_tox: Sequence[float]) -> tuple[MonitorOC, ...]:
        """Exact probability of stopping and expected number enrolled, for each true rate.

        Dynamic programming: ``alive[x]`` is the probability of reaching the current look
        with ``x`` events and no earlier stop; between looks it is convolved with the
        binomial distribution of the new events, and at a look the mass at ``x >= stop_at``
        is removed as the probability of stopping there.
        """
        results = []
        for value in p_tox:
            rate = _true_rate("p_tox", value)
            alive = np.ones(1)
            previous = 0
            stops = []
            for look in self.looks:
                increment = stats.binom.pmf(np.arange(look.n - previous + 1), look.n - previous, rate)
                alive = np.convolve(alive, increment)
                stop = 0.0
                if look.stop_at is not None:
                    stop = float(alive[look.stop_at:].sum())
                    alive[look.stop_at:] = 0.0
                stops.append(stop)
                previous = look.n
            prob_stop = math.fsum(stops)
            expected_n = math.fsum(s * look.n for s, look in zip(stops, self.looks, strict=True))
            expected_n += (1.0 - prob_stop) * self.max_n
            results.append(MonitorOC(p_tox=rate, prob_stop=prob_stop, prob_stop_at_look=tuple(stops),
                                     expected_n=expected_n))
        return tuple(results)

    def simulate(self, *, p_tox: Sequence[float], n_trials: int = 10_000,
                 seed: int) -> tuple[MonitorSimulation, ...]:
        """Monte-Carlo estimate of the same characteristics (a check on the exact ones).

        Each true rate uses its own stream spawned from ``seed``
        (``numpy.random.SeedSequence(seed).spawn``), so results do not depend on the order
        or number of rates given.
        """
        if isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 2:
            raise InputError("n_trials", n_trials, "a whole number >= 2")
        trials = n_trials
        looks_n = np.array([look.n for look in self.looks])
        bounds = np.array([look.stop_at if look.stop_at is not None else look.n + 1 for look in self.looks])
        rates = [_true_rate("p_tox", value) for value in p_tox]
        streams = np.random.SeedSequence(seed).spawn(len(rates))
        results = []
        for rate, stream in zip(rates, streams, strict=True):
            rng = np.random.default_rng(stream)
            events = rng.random((trials, self.max_n)) < rate
            cumulative = np.cumsum(events, axis=1)[:, looks_n - 1]
            crossed = cumulative >= bounds
            stopped = crossed.any(axis=1)
            first = np.argmax(crossed, axis=1)
            enrolled = np.where(stopped, looks_n[first], self.max_n).astype(float)
            prob = float(stopped.mean())
            results.append(MonitorSimulation(
                p_tox=rate, n_trials=trials, seed=seed, prob_stop=prob,
                prob_stop_se=math.sqrt(prob * (1.0 - prob) / trials),
                expected_n=float(enrolled.mean()),
                expected_n_se=float(enrolled.std(ddof=1) / math.sqrt(trials))))
        return tuple(results)


def toxicity_monitor(*, threshold: float, cutoff: float, max_n: int, every: int = 5,
                     prior_a: float = 1.0, prior_b: float = 1.0) -> ToxicityMonitor:
    """Stopping boundaries for excess toxicity, one per look.

    Parameters
    ----------
    threshold : float
        Toxicity rate judged unacceptable, in (0, 1).
    cutoff : float
        Posterior probability above which the trial stops, in (0, 1).
    max_n : int
        Largest number of participants; must be at least ``every``.
    every : int
        Participants between looks (>= 1). Looks are at ``every``, ``2 * every``, ... and at
        ``max_n`` when it is not a multiple of ``every``.
    prior_a, prior_b : float
        Parameters of the Beta prior (> 0); Beta(1, 1) is uniform.

    Returns
    -------
    ToxicityMonitor
        The rule and its boundary table; ``operating_characteristics`` gives exact OC.

    Raises
    ------
    InputError
        A threshold or cutoff outside (0, 1), a non-positive prior parameter, ``every < 1``
        or ``max_n < every``.

    Examples
    --------
    The seed protocol's Part B rule: with Beta(1, 1), ``P(p > 0.3 | x, n)`` equals
    ``P(Binomial(n + 1, 0.3) <= x)``; at n = 5 it is 0.744 for x = 2 and 0.930 for x = 3.

    >>> rule = toxicity_monitor(threshold=0.30, cutoff=0.90, max_n=48, every=5)
    >>> [(look.n, look.stop_at) for look in rule.looks[:3]]
    [(5, 3), (10, 5), (15, 7)]
    >>> round(rule.operating_characteristics(p_tox=[0.3])[0].prob_stop, 3)
    0.344
    """
    threshold = _probability("threshold", threshold)
    cutoff = _probability("cutoff", cutoff)
    for name, value in (("prior_a", prior_a), ("prior_b", prior_b)):
        if not float(value) > 0.0 or not math.isfinite(float(value)):
            raise InputError(name, value, "a positive number (Beta prior parameter)")
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise InputError("every", every, "a whole number >= 1")
    if isinstance(max_n, bool) or not isinstance(max_n, int) or max_n < every:
        raise InputError("max_n", max_n, f"a whole number >= every ({every})")
    sizes = list(range(every, max_n + 1, every))
    if sizes[-1] != max_n:
        sizes.append(max_n)
    looks = []
    for n in sizes:
        events = np.arange(n + 1)
        posterior = np.asarray(stats.beta.sf(threshold, prior_a + events, prior_b + n - events), dtype=float)
        stopping = np.flatnonzero(posterior > cutoff)
        if stopping.size:
            x = int(stopping[0])
            looks.append(MonitorLook(n=n, stop_at=x, posterior_at_boundary=float(posterior[x])))
        else:
            looks.append(MonitorLook(n=n, stop_at=None, posterior_at_boundary=None))
    return ToxicityMonitor(threshold=threshold, cutoff=cutoff, prior_a=float(prior_a),
                           prior_b=float(prior_b), every=every, max_n=max_n, looks=tuple(looks))
