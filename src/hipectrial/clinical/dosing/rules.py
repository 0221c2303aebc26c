"""The arithmetic of a dose rule: rounding to a step, BSA bands, dose-reduction ladders and
capsule (or vial) combinations.

Each function applies one protocol setting exactly as the protocol states it; none has a
default of its own. Amounts are :class:`~decimal.Decimal`.

References
----------
shared/reference/protocol-decisions.md, "Dose calculation" (nearest 5 mg, halves up; S-1 in
20 mg and 25 mg capsules) and "Dose levels" (ladders; at most two reductions; then stop).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from hipectrial.clinical.body import round_to
from hipectrial.errors import Problem, ProtocolError
from hipectrial.protocol.regimen import BsaBand, DoseReduction, RoundingMode

# A dose needing more units than this is not a capsule count anyone dispenses.
MAX_UNITS = 100


def amount_text(value: Decimal) -> str:
    """An amount without trailing zeros or exponent.

    >>> amount_text(Decimal("230")), amount_text(Decimal("227.50")), amount_text(Decimal("1E+2"))
    ('230', '227.5', '100')
    """
    text = format(value.normalize(), "f")
    return text


def round_to_step(value: Decimal, *, step: Decimal, mode: RoundingMode) -> Decimal:
    """``value`` rounded to a multiple of ``step`` with the protocol's rounding mode.

    Examples
    --------
    protocol-decisions.md "Dose calculation": nearest 5 mg, halves up.

    >>> round_to_step(Decimal("227.5"), step=Decimal(5), mode=RoundingMode.HALF_UP)
    Decimal('230')
    >>> round_to_step(Decimal("224.9"), step=Decimal(5), mode=RoundingMode.HALF_UP)
    Decimal('225')
    >>> round_to_step(Decimal("222.5"), step=Decimal(5), mode=RoundingMode.HALF_EVEN)
    Decimal('220')
    """
    multiples = round_to(value / step, 0, mode)
    return multiples * step


def select_band(bands: Sequence[BsaBand], bsa_m2: Decimal) -> tuple[int, BsaBand]:
    """The band holding ``bsa_m2``: ``min_m2 <= BSA < max_m2`` (lower bound inclusive).

    >>> bands = [BsaBand(max_m2=Decimal("1.25"), amount=Decimal(40)),
    ...          BsaBand(min_m2=Decimal("1.25"), amount=Decimal(50))]
    >>> select_band(bands, Decimal("1.25"))[1].amount, select_band(bands, Decimal("1.24"))[1].amount
    (Decimal('50'), Decimal('40'))
    """
    for index, band in enumerate(bands):
        if (band.min_m2 is None or bsa_m2 >= band.min_m2) and (band.max_m2 is None or bsa_m2 < band.max_m2):
            return index, band
    # The protocol model checks that the bands cover every BSA; this is unreachable for a
    # loaded protocol.
    raise ValueError(f"no BSA band holds {bsa_m2} m2")


def band_text(band: BsaBand) -> str:
    """The band as a range, e.g. ``1.25 to < 1.50 m2``.

    >>> band_text(BsaBand(max_m2=Decimal("1.25"), amount=Decimal(40)))
    '< 1.25 m2'
    >>> band_text(BsaBand(min_m2=Decimal("1.25"), max_m2=Decimal("1.5"), amount=Decimal(50)))
    '1.25 to < 1.50 m2'
    """
    if band.min_m2 is None and band.max_m2 is not None:
        return f"< {m2_text(band.max_m2)} m2"
    if band.max_m2 is None and band.min_m2 is not None:
        return f">= {m2_text(band.min_m2)} m2"
    return f"{m2_text(band.min_m2 or Decimal(0))} to < {m2_text(band.max_m2 or Decimal(0))} m2"


def m2_text(value: Decimal) -> str:
    """A BSA with at least the 2 decimals BSA is rounded to.

    >>> m2_text(Decimal("1.5")), m2_text(Decimal("1.255"))
    ('1.50', '1.255')
    """
    cents = value.quantize(Decimal("0.01"))
    return format(cents, "f") if cents == value else amount_text(value)


@dataclass(frozen=True, slots=True)
class UnitCount:
    """``count`` units (capsules, vials) of ``strength_mg`` each."""

    strength_mg: Decimal
    count: int

    def __str__(self) -> str:
        return f"{self.count} x {amount_text(self.strength_mg)} mg"


def unit_combination(amount_mg: Decimal, strengths_mg: Sequence[Decimal]) -> tuple[UnitCount, ...] | None:
    """The fewest units of the given strengths that make ``amount_mg`` exactly, or ``None``.

    Among combinations with the fewest units, the one with the most of the larger strength
    is chosen, so the result does not depend on the order strengths are listed in. Units
    with a count of 0 are left out; larger strengths come first.

    Examples
    --------
    protocol-decisions.md "Dose calculation": 40 = 2x20, 50 = 2x25, 60 = 3x20, 25 = 1x25.

    >>> s = [Decimal(20), Decimal(25)]
    >>> [", ".join(map(str, unit_combination(Decimal(a), s) or ())) for a in (40, 50, 60, 25)]
    ['2 x 20 mg', '2 x 25 mg', '3 x 20 mg', '1 x 25 mg']
    >>> unit_combination(Decimal(30), s) is None
    True
    """
    ordered = sorted({Decimal(s) for s in strengths_mg}, reverse=True)
    if amount_mg <= 0 or not ordered or any(s <= 0 for s in ordered):
        return None
    best: tuple[int, tuple[int, ...]] | None = None

    def search(index: int, remaining: Decimal, counts: tuple[int, ...]) -> None:
        nonlocal best
        used = sum(counts)
        if best is not None and used > best[0]:
            return
        if remaining == 0:
            padded = counts + (0,) * (len(ordered) - len(counts))
            key = (used, tuple(-c for c in padded))
            if best is None or key < (best[0], tuple(-c for c in best[1])):
                best = (used, padded)
            return
        if index == len(ordered):
            return
        strength = ordered[index]
        most = min(int(remaining // strength), MAX_UNITS - used)
        for count in range(most, -1, -1):
            search(index + 1, remaining - count * strength, (*counts, count))

    search(0, amount_mg, ())
    if best is None:
        return None
    return tuple(UnitCount(s, c) for s, c in zip(ordered, best[1], strict=True) if c)


@dataclass(frozen=True, slots=True)
class Rung:
    """Where ``reductions`` permanent reductions from ``start`` lead on a ladder.

    ``amount`` is ``None`` when the agent is stopped: more reductions than the protocol
    allows, or no rung left below.
    """

    start: Decimal
    reductions: int
    amount: Decimal | None
    unit: str
    steps: tuple[str, ...]

    @property
    def discontinued(self) -> bool:
        return self.amount is None


def reduced_rung(*, agent_id: str, reduction: DoseReduction, start: Decimal, reductions: int) -> Rung:
    """The rung ``reductions`` steps below ``start`` on the agent's ladder.

    A participant starts at the rung equal to their start dose (for S-1 the band dose);
    each reduction moves one rung down. More than ``max_reductions`` reductions, or a
    reduction with no rung left below, stops the agent.

    Raises
    ------
    ProtocolError
        When ``start`` is not a rung of the ladder: the protocol does not say where a
        participant starting there goes.

    Examples
    --------
    protocol-decisions.md "Dose levels": S-1 start 50 -> 40 -> 25; start 40 -> 25 -> stop.

    >>> ladder = DoseReduction(ladder=[60, 50, 40, 25], unit="mg", max_reductions=2)
    >>> [reduced_rung(agent_id="s-1", reduction=ladder, start=Decimal(50), reductions=n).amount
    ...  for n in (0, 1, 2, 3)]
    [Decimal('50'), Decimal('40'), Decimal('25'), None]
    >>> reduced_rung(agent_id="s-1", reduction=ladder, start=Decimal(40), reductions=2).steps[-1]
    'no rung below 25 mg on the s-1 ladder (60, 50, 40, 25): s-1 is discontinued'
    """
    ladder = list(reduction.ladder)
    shown = ", ".join(amount_text(x) for x in ladder)
    unit = reduction.unit
    if start not in ladder:
        raise ProtocolError([Problem(
            "protocol", f"agents[{agent_id}].reduction.ladder",
            f"start dose {amount_text(start)} {unit} is not a rung of the ladder ({shown}); "
            "the protocol does not say how to reduce it")])
    at = ladder.index(start)
    if reductions == 0:
        return Rung(start, 0, start, unit, (f"start dose {amount_text(start)} {unit}; no reduction",))
    if reductions > reduction.max_reductions:
        return Rung(start, reductions, None, unit, (
            f"{reductions} reductions exceed the protocol's maximum of {reduction.max_reductions}: "
            f"{agent_id} is discontinued",))
    target = at + reductions
    if target >= len(ladder):
        last = ladder[at + reductions - 1] if at + reductions - 1 < len(ladder) else ladder[-1]
        return Rung(start, reductions, None, unit, (
            f"start {amount_text(start)} {unit}, {reductions} reduction(s) down the ladder ({shown})",
            f"no rung below {amount_text(last)} {unit} on the {agent_id} ladder ({shown}): "
            f"{agent_id} is discontinued"))
    path = " -> ".join(amount_text(x) for x in ladder[at:target + 1])
    return Rung(start, reductions, ladder[target], unit, (
        f"start {amount_text(start)} {unit}, {reductions} permanent reduction(s) down the ladder "
        f"({shown}): {path} {unit}",))
