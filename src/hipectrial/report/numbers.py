"""How the reports write numbers: proportions with exact intervals, medians, days and months.

One place for the wording and for **one rounding rule**: every number shown is rounded half
up (away from zero at exactly half) on its decimal value (:func:`fixed`), never by Python's
float formatting, which rounds half to even on the binary value (``f"{2.5:.0f}"`` is ``"2"``,
``f"{0.125:.2f}"`` is ``"0.12"``). Every table and headline of a report reads alike and matches
what ``hipectrial analyze`` prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from hipectrial.analysis.results import BinaryEstimate, ContinuousSummary
from hipectrial.clinical.numbers import DAYS_PER_MONTH

# The Unicode minus sign reads better than a hyphen in a table; ranges use an en dash. A
# number and its unit are joined by a no-break space, so no line ever breaks between them.
MINUS = "−"
NBSP = "\u00a0"


def fixed(value: float | int, digits: int = 1) -> str:
    """``value`` with ``digits`` decimals, rounded half up (away from zero at exactly half).

    The float's shortest decimal representation is rounded, so what a reader would round by
    hand is what is shown:

    >>> fixed(2.5, 0), fixed(3.5, 0), fixed(0.125, 2), fixed(41.935483870967744, 1)
    ('3', '4', '0.13', '41.9')
    >>> fixed(-0.05, 1), fixed(-2.5, 0), fixed(7, 2)
    ('−0.1', '−3', '7.00')
    """
    quantum = Decimal(1).scaleb(-digits)
    rounded = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "−0.0"
    text = f"{rounded:f}"
    return MINUS + text[1:] if text.startswith("-") else text


def percent(value: float | None, *, digits: int = 1) -> str:
    """``0.2903`` -> ``"29.0 %"``; ``None`` -> ``"–"``.

    >>> percent(0.29032), percent(None), percent(1.0), percent(0.00125, digits=2)
    ('29.0\xa0%', '–', '100.0\xa0%', '0.13\xa0%')
    """
    if value is None:
        return "–"
    return f"{fixed(100 * value, digits)}{NBSP}%"


def proportion(estimate: BinaryEstimate) -> str:
    """``events/n = p % (95 % CI lo–hi)`` with the estimate's exact interval.

    >>> proportion(BinaryEstimate(events=4, n=13, proportion=4 / 13, ci_lower=0.0909,
    ...                           ci_upper=0.6143)).replace(NBSP, " ")
    '4/13 = 30.8 % (95 % CI 9.1–61.4)'
    >>> proportion(BinaryEstimate(events=0, n=0, proportion=None, ci_lower=None, ci_upper=None))
    '0/0 (no participant in the population yet)'
    """
    if estimate.n == 0 or estimate.proportion is None:
        return f"{estimate.events}/{estimate.n} (no participant in the population yet)"
    return f"{rate(estimate)}{interval(estimate)}"


def rate(estimate: BinaryEstimate) -> str:
    """``events/n = p %`` without the interval.

    >>> rate(BinaryEstimate(events=4, n=13, proportion=4 / 13, ci_lower=0.0909, ci_upper=0.6143))
    '4/13\xa0=\xa030.8\xa0%'
    """
    if estimate.n == 0 or estimate.proportion is None:
        return f"{estimate.events}/{estimate.n}"
    return f"{estimate.events}/{estimate.n}{NBSP}={NBSP}{fixed(100 * estimate.proportion)}{NBSP}%"


def interval(estimate: BinaryEstimate) -> str:
    """`` (95 % CI lo–hi)`` in percent, or ``""`` when the estimate has none.

    >>> interval(BinaryEstimate(events=4, n=13, proportion=4 / 13, ci_lower=0.0909, ci_upper=0.6143))
    ' (95\xa0% CI 9.1–61.4)'
    """
    if estimate.ci_lower is None or estimate.ci_upper is None:
        return ""
    return f" ({ci_range(estimate.conf_level, estimate.ci_lower, estimate.ci_upper)})"


def ci_range(conf_level: float, lower: float, upper: float) -> str:
    """``95 % CI lo–hi`` of a proportion's limits, in percent.

    >>> ci_range(0.95, 0.0909, 0.6143)
    '95\xa0% CI 9.1–61.4'
    """
    return f"{fixed(100 * conf_level, 0)}{NBSP}% CI {fixed(100 * lower)}–{fixed(100 * upper)}"


def months(days_value: float) -> str:
    """Days as months (``DAYS_PER_MONTH`` days each), one decimal: ``"8.0"``.

    >>> months(245), months(30.4375)
    ('8.0', '1.0')
    """
    return fixed(days_value / DAYS_PER_MONTH, 1)


def days(value: float | None) -> str:
    """Days with the equivalent in months: ``"245 days (8.0 months)"``; ``None`` -> ``"not reached"``.

    >>> days(245).replace(NBSP, " "), days(None), days(282.5).replace(NBSP, " ")
    ('245 days (8.0 months)', 'not reached', '283 days (9.3 months)')
    """
    if value is None:
        return "not reached"
    return f"{fixed(value, 0)}{NBSP}days ({months(value)}{NBSP}months)"


def bound(value: float | None) -> str:
    """A confidence bound in days, ``"NE"`` (not estimable) when missing.

    >>> bound(301.0), bound(None)
    ('301', 'NE')
    """
    return "NE" if value is None else fixed(value, 0)


def number(value: float | None, *, digits: int = 1) -> str:
    """A plain number, ``"–"`` when missing.

    >>> number(3.14159), number(None), number(2.0, digits=0)
    ('3.1', '–', '2')
    """
    return "–" if value is None else fixed(value, digits)


def median_range(s: ContinuousSummary, *, digits: int = 1) -> str:
    """``median (min–max)``: ``"61 (34–75)"``; ``"–"`` when there is no value.

    >>> from hipectrial.analysis.results import summarise
    >>> median_range(summarise([34, 61, 75]), digits=0), median_range(summarise([]))
    ('61 (34–75)', '–')
    >>> median_range(summarise([1, 2, 3, 4]), digits=0)   # median 2.5: rounded half up
    '3 (1–4)'
    """
    if s.n == 0 or s.median is None:
        return "–"
    low, high = number(s.minimum, digits=digits), number(s.maximum, digits=digits)
    return f"{fixed(s.median, digits)} ({low}–{high})"


def count_of(count: int, n: int) -> str:
    """A count with its percentage of ``n``: ``"12 (19.4 %)"``; just the count when ``n`` is 0.

    >>> count_of(12, 62).replace(NBSP, " "), count_of(0, 62).replace(NBSP, " "), count_of(0, 0)
    ('12 (19.4 %)', '0 (0.0 %)', '0')
    """
    if n == 0:
        return str(count)
    return f"{count}{NBSP}({percent(count / n)})"


def date(value: dt.date | None) -> str:
    """An ISO date, ``"–"`` when unknown.

    >>> date(dt.date(2028, 4, 6)), date(None)
    ('2028-04-06', '–')
    """
    return "–" if value is None else value.isoformat()


def signed(value: float, digits: int = 1) -> str:
    """A change with its sign: ``"+3.2"``, ``"−41.0"``, ``"0.0"`` (rounded half up).

    >>> signed(3.25), signed(-41), signed(0.04)
    ('+3.3', '−41.0', '0.0')
    """
    text = fixed(value, digits)
    return text if text.startswith(MINUS) or text == fixed(0, digits) else f"+{text}"


def plain(value: float) -> str:
    """A value as a whole number when it is one, else with one decimal (rounded half up).

    >>> plain(-4.0), plain(12.25), plain(30)
    ('−4', '12.3', '30')
    """
    return fixed(value, 0) if float(value).is_integer() else fixed(value, 1)


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``count`` and the noun in the right number.

    >>> plural(1, "event"), plural(3, "event"), plural(0, "participant"), plural(2, "person", "people")
    ('1 event', '3 events', '0 participants', '2 people')
    """
    return f"{count} {noun if count == 1 else (plural_form or noun + 's')}"


def sentences(parts: Sequence[str]) -> str:
    """Texts joined as sentences: each ends with a full stop.

    >>> sentences(["5 of 13 known", "continuing is certain.", ""])
    '5 of 13 known. continuing is certain.'
    """
    return " ".join(p if p.endswith((".", "!", "?")) else f"{p}." for p in (p.strip() for p in parts) if p)


def p_value(value: float) -> str:
    """A p-value: ``"= 0.0268"``, ``"< 0.0001"`` below that.

    >>> p_value(0.026812), p_value(0.00003)
    ('= 0.0268', '< 0.0001')
    """
    return "< 0.0001" if value < 0.0001 else f"= {fixed(value, 4)}"


def percent_ci(value: float | None, lower: float | None, upper: float | None) -> str:
    """A probability in percent with its interval: ``"40.0 % (27.7–51.9 %)"``; ``"–"`` without an
    estimate, and the interval ``NE`` (not estimable) where a limit is missing.

    >>> [percent_ci(0.4, 0.277, 0.519).replace(NBSP, " "), percent_ci(None, None, None),
    ...  percent_ci(0.5, None, 0.9).replace(NBSP, " ")]
    ['40.0 % (27.7–51.9 %)', '–', '50.0 % (NE–90.0 %)']
    """
    if value is None:
        return "–"
    low = "NE" if lower is None else fixed(100 * lower)
    high = "NE" if upper is None else fixed(100 * upper)
    return f"{percent(value)} ({low}–{high}{NBSP}%)"
