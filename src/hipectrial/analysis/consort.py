"""The CONSORT flow: screened → eligible → registered → HIPEC → re-evaluated → operated → R0.

Each step lists who reached it, how many of them are in each study group (part and dose
level, :func:`~hipectrial.analysis.populations.study_groups`; steps before registration have
no group), and, for those who did not reach the next step, why — in the protocol's words
(:class:`~hipectrial.analysis.labels.Labels`):

* not eligible — one reason per person, so the reasons add up to the people who left: the
  eligibility recomputed from the screening forms (:mod:`~hipectrial.analysis.screening`)
  is ``ineligible`` (the criteria failed are counted criterion by criterion in the report's
  screening-failures table), or a screen failure whose recomputed verdict is not
  ``ineligible`` is shown as such;
* eligible, not registered — the end-of-study reason;
* registered, no HIPEC — the end-of-study or end-of-treatment reason, else that the day-0
  HIPEC was not given (a dose recorded as 0) or is not yet given at the cut-off (no record);
* HIPEC, not re-evaluated, and re-evaluated, not operated — what settled that there will be
  no conversion surgery (:func:`~hipectrial.analysis.surgical.not_operated_cause`: the MDT
  decision, death, progression, end of treatment or study, …, whichever came first), else
  "pending";
* operated, not R0 — the reason of :func:`~hipectrial.analysis.surgical.r0_status`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hipectrial.analysis.facts import Facts
from hipectrial.analysis.labels import Labels
from hipectrial.analysis.populations import StudyGroup
from hipectrial.analysis.screening import EligibilityOutcome
from hipectrial.analysis.surgical import not_operated_cause, r0_status


@dataclass(frozen=True, slots=True)
class ConsortReason:
    reason: str
    count: int
    participant_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ConsortStep:
    """``n`` participants reached ``step``; ``by_group`` counts them per study group (empty
    before registration); ``not_continuing`` are those of them who did not reach the next
    step, grouped by reason (one reason per person)."""

    step: str
    n: int
    participant_ids: tuple[str, ...]
    by_group: tuple[tuple[str, int], ...]
    not_continuing: tuple[ConsortReason, ...]


def _grouped(pairs: Sequence[tuple[str, str]]) -> tuple[ConsortReason, ...]:
    groups: dict[str, list[str]] = defaultdict(list)
    for pid, reason in pairs:
        groups[reason].append(pid)
    return tuple(ConsortReason(r, len(ids), tuple(ids)) for r, ids in sorted(groups.items()))


NOT_ELIGIBLE = "not eligible (the criteria failed: screening-failures table)"


def _not_eligible(f: Facts, outcome: EligibilityOutcome | None) -> str | None:
    """The reason a screened person was not eligible; ``None`` when eligible."""
    if f.registration_date is not None or f.participant.off_study_reason != "screen_failure":
        return None
    if outcome is None or outcome.status != "ineligible":
        verdict = outcome.status.replace("_", " ") if outcome else "not evaluated"
        return f"screen failure; eligibility recomputed from the screening forms: {verdict}"
    return NOT_ELIGIBLE


def consort(facts: Mapping[str, Facts], eligibility: Mapping[str, EligibilityOutcome],
            groups: Sequence[StudyGroup], labels: Labels) -> tuple[ConsortStep, ...]:
    people = list(facts.values())
    screened = [f.id for f in people]
    not_eligible = [(f.id, why) for f in people if (why := _not_eligible(f, eligibility.get(f.id)))]
    failed = {pid for pid, _ in not_eligible}
    eligible = [f for f in people if f.id not in failed]

    def end_of_study(f: Facts, otherwise: str) -> str:
        code = f.participant.off_study_reason
        return f"end of study: {labels.field('off_study_reason', code)}" if code else otherwise

    def end_of_treatment(f: Facts, otherwise: str) -> str:
        code = f.participant.off_treatment_reason
        return f"end of treatment: {labels.field('off_treatment_reason', code)}" if code else otherwise

    unregistered = [(f.id, end_of_study(f, "not registered yet")) for f in eligible
                    if f.registration_date is None]
    registered = [f for f in eligible if f.registration_date is not None]
    def no_hipec_reason(f: Facts) -> str:
        if f.hipec_dose is None:  # no HIPEC record yet: day 0 is still to come
            return end_of_study(f, end_of_treatment(f, "day-0 HIPEC not yet given at the cut-off"))
        return end_of_study(f, end_of_treatment(f, "day-0 HIPEC dose not given (recorded as 0)"))

    no_hipec = [(f.id, no_hipec_reason(f)) for f in registered if not f.received_hipec]
    hipec = [f for f in registered if f.received_hipec]

    def stopped(f: Facts, pending: str) -> str:
        return not_operated_cause(f, labels) or pending

    not_reevaluated = [(f.id, stopped(f, "pending (not yet re-evaluated)")) for f in hipec
                       if not f.reevaluated and f.conversion_surgery is None]
    reevaluated = [f for f in hipec if f.reevaluated or f.conversion_surgery is not None]
    not_operated = [(f.id, stopped(f, "pending (surgery decision not yet taken)"))
                    for f in reevaluated if f.conversion_surgery is None]
    operated = [f for f in reevaluated if f.conversion_surgery is not None]
    not_r0 = [(f.id, r0_status(f)[1]) for f in operated if not r0_status(f)[0]]
    r0 = [f.id for f in operated if r0_status(f)[0]]

    def step(name: str, ids: Sequence[str], out: Sequence[tuple[str, str]], *,
             grouped: bool = True) -> ConsortStep:
        members = set(ids)
        by_group = (tuple((g.id, sum(1 for pid in g.participant_ids if pid in members)) for g in groups)
                    if grouped else ())
        return ConsortStep(name, len(ids), tuple(ids), by_group, _grouped(out))

    return (
        step("screened", screened, not_eligible, grouped=False),
        step("eligible", [f.id for f in eligible], unregistered, grouped=False),
        step("registered", [f.id for f in registered], no_hipec),
        step("received HIPEC (ITT)", [f.id for f in hipec], not_reevaluated),
        step("re-evaluated", [f.id for f in reevaluated], not_operated),
        step("conversion surgery", [f.id for f in operated], not_r0),
        step("R0 resection", r0, []),
    )
