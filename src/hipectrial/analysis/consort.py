"""The CONSORT flow: screened → eligible → registered → HIPEC → re-evaluated → operated → R0.

Each step lists who reached it and, for those who did not reach the next, why:

* not eligible — the failed criterion ids of the eligibility recomputed from the screening
  forms (:mod:`~hipectrial.analysis.screening`); a screen failure whose recomputed verdict is
  not ``ineligible`` is shown as ``screen_failure (recomputed: <verdict>)``;
* eligible, not registered — ``off_study_reason``;
* registered, no HIPEC — ``off_study_reason`` or ``off_treatment_reason``, else "no day-0
  HIPEC dose given";
* HIPEC, not re-evaluated — death, progression, ``off_treatment_reason``, else "pending";
* re-evaluated, not operated — the MDT decision (``reevaluation`` form ``mdt_decision``),
  else "pending";
* operated, not R0 — the reason of :func:`~hipectrial.analysis.surgical.r0_status`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hipectrial.analysis.facts import Facts
from hipectrial.analysis.screening import EligibilityOutcome
from hipectrial.analysis.surgical import r0_status


@dataclass(frozen=True, slots=True)
class ConsortReason:
    reason: str
    count: int
    participant_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ConsortStep:
    """``n`` participants reached ``step``; ``not_continuing`` are those of them who did not
    reach the next step, grouped by reason."""

    step: str
    n: int
    participant_ids: tuple[str, ...]
    not_continuing: tuple[ConsortReason, ...]


def _grouped(pairs: Sequence[tuple[str, str]]) -> tuple[ConsortReason, ...]:
    groups: dict[str, list[str]] = defaultdict(list)
    for pid, reason in pairs:
        groups[reason].append(pid)
    return tuple(ConsortReason(r, len(ids), tuple(ids)) for r, ids in sorted(groups.items()))


def _not_eligible(f: Facts, outcome: EligibilityOutcome | None) -> str | None:
    """The reason a screened person was not eligible; ``None`` when eligible."""
    if f.registration_date is not None or f.participant.off_study_reason != "screen_failure":
        return None
    if outcome is None or outcome.status != "ineligible":
        return f"screen_failure (recomputed: {outcome.status if outcome else 'not evaluated'})"
    return "failed " + ", ".join(outcome.failed)


def consort(facts: Mapping[str, Facts],
            eligibility: Mapping[str, EligibilityOutcome]) -> tuple[ConsortStep, ...]:
    people = list(facts.values())
    screened = [f.id for f in people]
    not_eligible = [(f.id, why) for f in people if (why := _not_eligible(f, eligibility.get(f.id)))]
    eligible = [f for f in people if f.id not in {p for p, _ in not_eligible}]
    unregistered = [(f.id, f.participant.off_study_reason or "not registered yet")
                    for f in eligible if f.registration_date is None]
    registered = [f for f in eligible if f.registration_date is not None]
    no_hipec = [(f.id, f.participant.off_study_reason or f.participant.off_treatment_reason
                 or "no day-0 HIPEC dose given") for f in registered if not f.received_hipec]
    hipec = [f for f in registered if f.received_hipec]

    def stopped(f: Facts) -> str:
        if f.death_date is not None:
            return "death"
        if f.progression_date is not None:
            return "progression"
        return f.participant.off_treatment_reason or "pending (not yet re-evaluated)"

    not_reevaluated = [(f.id, stopped(f)) for f in hipec
                       if not f.reevaluated and f.conversion_surgery is None]
    reevaluated = [f for f in hipec if f.reevaluated or f.conversion_surgery is not None]
    not_operated = [(f.id, f"MDT decision: {f.mdt_decision}" if f.mdt_decision else stopped(f))
                    for f in reevaluated if f.conversion_surgery is None]
    operated = [f for f in reevaluated if f.conversion_surgery is not None]
    not_r0 = [(f.id, r0_status(f)[1]) for f in operated if not r0_status(f)[0]]
    r0 = [f.id for f in operated if r0_status(f)[0]]

    def step(name: str, ids: Sequence[str], out: Sequence[tuple[str, str]]) -> ConsortStep:
        return ConsortStep(name, len(ids), tuple(ids), _grouped(out))

    return (
        step("screened", screened, not_eligible),
        step("eligible", [f.id for f in eligible], unregistered),
        step("registered", [f.id for f in registered], no_hipec),
        step("received HIPEC (ITT)", [f.id for f in hipec], not_reevaluated),
        step("re-evaluated", [f.id for f in reevaluated], not_operated),
        step("conversion surgery", [f.id for f in operated], not_r0),
        step("R0 resection", r0, []),
    )
