"""Deaths due to an adverse event, recorded as that event at grade 5 (CTCAE v5.0).

A post-operative death is its complication at grade 5 (the operation's ``fatal_ae_term``),
at least possibly related to the HIPEC agent as the scenario says. A death without
progression within the SAE reporting period after the last dose (the latest day of the
protocol's visits counted from the last dose) is, for the scenario's share, an adverse
event: at least possibly related to the systemic agents (cause ``treatment_toxicity``) or
unlikely related (cause stays ``other_cause``). A death from progression is no adverse
event.
"""

from __future__ import annotations

from hipectrial.clinical.dosing.inputs import Attribution
from hipectrial.protocol.regimen import Anchor
from hipectrial.simulate.course.common import Context, days
from hipectrial.simulate.course.events import Episode
from hipectrial.simulate.scenario.course import OperationRisk


def _sae_period_days(ctx: Context) -> int:
    """The latest day of the protocol's visits counted from the last dose (seed: 90)."""
    return max((v.timing.day for v in ctx.protocol.visits if v.timing.anchor is Anchor.LAST_DOSE),
               default=0)


def fatal_episode(ctx: Context, operation: OperationRisk | None) -> Episode | None:
    """The grade-5 episode of the participant's death, or None when it is no adverse event.
    Sets ``ctx.death_cause`` to ``treatment_toxicity`` for a treatment-related one."""
    death, rng, params = ctx.death, ctx.rng, ctx.params
    if death is None:
        return None
    given = sorted({d.agent for d in ctx.records.doses if d.given > 0 and d.date <= death})
    hipec_agents = [a for a in ctx.protocol.hipec.agents if a in given]
    if ctx.death_cause == "surgical_complication" and operation is not None:
        related = float(rng.random()) < operation.fatal_ae_related_probability
        level = Attribution.POSSIBLE if related else Attribution.UNLIKELY
        return Episode(term=operation.fatal_ae_term, grade=5, onset=death, resolution=death,
                       attribution=dict.fromkeys(hipec_agents, level), serious=True)
    if ctx.death_cause != "other_cause" or ctx.last_dose is None \
            or death > ctx.last_dose + days(_sae_period_days(ctx)):
        return None
    if float(rng.random()) >= params.death_without_progression_ae_share:
        return None
    systemic = [a for a in given if a not in hipec_agents]
    related_term, other_term = params.fatal_ae_terms
    if systemic and float(rng.random()) < params.death_without_progression_treatment_related_share:
        ctx.death_cause = "treatment_toxicity"
        return Episode(term=related_term, grade=5, onset=death, resolution=death,
                       attribution=dict.fromkeys(systemic, Attribution.POSSIBLE), serious=True)
    return Episode(term=other_term, grade=5, onset=death, resolution=death,
                   attribution=dict.fromkeys(given, Attribution.UNLIKELY), serious=True)
