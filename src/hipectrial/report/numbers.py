"""How the reports write numbers: proportions with exact intervals, medians, days and months.

One place for the wording, so that every table and headline of a report reads alike and
matches what ``hipectrial analyze`` prints.
"""

from __future__ import annotations

from hipectrial.analysis.results import BinaryEstimate, ContinuousSummary
from hipectrial.clinical.numbers import DAYS_PER_MONTH


def percent(value: float | None, *, digits: int = 1) -> str:
    """``0.2903`` -> ``"29.0 %"``; ``None`` -> ``"–"``.

    >>> percent(0.29032), percent(None), percent(1.0)
    ('29.0 %', '–', '100.0 %')
    """
    if value is None:
        return "–"
    return f"{100 * value:.{digits}f} %"


def proportion(estimate: BinaryEstimate) -> str:
    """``events/n = p % (95 % CI lo–hi)`` with the estimate's exact interval.

    >>> proportion(BinaryEstimate(events=4, n=13, proportion=4 / 13, ci_lower=0.0909,
    ...                           ci_upper=0.6143))
    '4/13 = 30.8 % (95 % CI 9.1–61.4)'
    >>> proportion(BinaryEstimate(events=0, n=0, proportion=None, ci_lower=None, ci_upper=None))
    '0/0 (no participant in the population yet)'
    """
    if estimate.n == 0 or estimate.proportion is None:
        return f"{estimate.events}/{estimate.n} (no participant in the population yet)"
    level = round(100 * estimate.conf_level)
    ci = ""
    if estimate.ci_lower is not None and estimate.ci_upper is not None:
        ci = f" ({level} % CI {100 * estimate.ci_lower:.1f}–{100 * estimate.ci_upper:.1f})"
    return f"{estimate.events}/{estimate.n} = {100 * estimate.proportion:.1f} %{ci}"


def days(value: float | None) -> str:
    """Days with the equivalent in months: ``"245 days (8.0 months)"``; ``None`` -> ``"not reached"``.

    >>> days(245), days(None)
    ('245 days (8.0 months)', 'not reached')
    """
    if value is None:
        return "not reached"
    return f"{value:.0f} days ({value / DAYS_PER_MONTH:.1f} months)"


def bound(value: float | None) -> str:
    """A confidence bound in days, ``"NE"`` (not estimable) when missing.

    >>> bound(301.0), bound(None)
    ('301', 'NE')
    """
    return "NE" if value is None else f"{value:.0f}"


def number(value: float | None, *, digits: int = 1) -> str:
    """A plain number, ``"–"`` when missing.

    >>> number(3.14159), number(None), number(2.0, digits=0)
    ('3.1', '–', '2')
    """
    return "–" if value is None else f"{value:.{digits}f}"


def summary(s: ContinuousSummary, *, digits: int = 1) -> str:
    """``median (min–max), n``: ``"61.0 (34.0–75.0), n = 31"``; ``"n = 0"`` when empty."""
    if s.n == 0 or s.median is None:
        return "n = 0"
    return (
        f"{s.median:.{digits}f} ({number(s.minimum, digits=digits)}–"
        f"{number(s.maximum, digits=digits)}), n = {s.n}"
    )
