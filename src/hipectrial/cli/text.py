"""Short texts for protocol values, as a research nurse reads them on a schedule.

Pure functions of protocol model values; the CLI prints them and the web EDC can show the
same words. Units are written as the protocol writes them (``mg/m2``, ``m2``).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from hipectrial.protocol.regimen import Anchor

ANCHOR_TEXT: dict[Anchor, str] = {
    Anchor.REGISTRATION: "registration",
    Anchor.HIPEC: "HIPEC",
    Anchor.CYCLE_START: "cycle start",
    Anchor.SURGERY: "surgery",
    Anchor.END_OF_TREATMENT: "end of treatment",
    Anchor.LAST_DOSE: "last dose",
    Anchor.EVENT: "event",
}

_TIMES_PER_DAY = {1: "once daily", 2: "twice daily", 3: "three times daily", 4: "four times daily"}


def amount_text(value: Decimal) -> str:
    """A dose or count without trailing zeros or exponent.

    >>> amount_text(Decimal("130")), amount_text(Decimal("6.0")), amount_text(Decimal("0.50"))
    ('130', '6', '0.5')
    """
    return format(value.normalize(), "f")


def bsa_text(value: Decimal) -> str:
    """A body-surface area in m2 with (at least) the 2 decimals BSA is rounded to.

    >>> bsa_text(Decimal("1.5")), bsa_text(Decimal("1.25")), bsa_text(Decimal("1.255"))
    ('1.50', '1.25', '1.255')
    """
    cents = value.quantize(Decimal("0.01"))
    return format(cents, "f") if cents == value else amount_text(value)


def days_text(days: Iterable[int]) -> str:
    """Cycle days with consecutive runs collapsed.

    >>> days_text([1]), days_text(range(1, 15)), days_text([1, 8, 15]), days_text([1, 2, 3, 8])
    ('day 1', 'days 1-14', 'days 1, 8, 15', 'days 1-3, 8')
    """
    ordered = sorted(set(days))
    runs: list[list[int]] = []
    for day in ordered:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = [str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs]
    return ("day " if len(ordered) == 1 else "days ") + ", ".join(parts)


def times_per_day_text(times: int) -> str:
    """>>> times_per_day_text(2)
    'twice daily'
    """
    return _TIMES_PER_DAY.get(times, f"{times} times daily")


def offset_text(anchor: Anchor, day: int) -> str:
    """A day counted from an anchor event.

    >>> offset_text(Anchor.HIPEC, 21), offset_text(Anchor.REGISTRATION, -7), offset_text(Anchor.SURGERY, 0)
    ('HIPEC + 21 d', 'registration - 7 d', 'surgery')
    """
    name = ANCHOR_TEXT[anchor]
    if day == 0:
        return name
    return f"{name} {'+' if day > 0 else '-'} {abs(day)} d"


def window_text(before: int, after: int) -> str:
    """A visit window in days around the target day.

    >>> window_text(7, 7), window_text(0, 3), window_text(21, 0), window_text(0, 0)
    ('-7/+7', '0/+3', '-21/0', 'none')
    """
    if before == 0 and after == 0:
        return "none"
    return f"{f'-{before}' if before else '0'}/{f'+{after}' if after else '0'}"


def level_name(level_id: str) -> str:
    """A dose level's id as written on a prescription.

    >>> level_name("1"), level_name("-1")
    ('L1', 'L-1')
    """
    return f"L{level_id}"


def ladder_text(ladder: Iterable[Decimal], unit: str) -> str:
    """>>> ladder_text([Decimal(130), Decimal(100), Decimal(85)], "mg/m2")
    '130 → 100 → 85 mg/m2'
    """
    return " → ".join(amount_text(a) for a in ladder) + f" {unit}"
