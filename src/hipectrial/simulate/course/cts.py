"""The CT schedule of a simulated participant: which CTs take place, and when progression is
detected at one of them (the protocol's tumour-assessment visits)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from hipectrial.simulate.course.common import days
from hipectrial.simulate.course.disease import ct
from hipectrial.simulate.course.timeline import anchor_date
from hipectrial.simulate.course.visits import attend, targets, visit_def

if TYPE_CHECKING:
    from hipectrial.simulate.course.flow import Flow



def ct_targets(flow: Flow, visit_id: str, until: dt.date) -> list[tuple[int, dt.date]]:
    anchor = anchor_date(flow.ctx, visit_def(flow.ctx, visit_id).timing)
    return [] if anchor is None else targets(flow.ctx, visit_id, anchor, until)


def plan_cts(flow: Flow) -> None:
    """The CTs after re-evaluation (until the horizon) and which take place; progression
    is detected at the first one on or after the latent progression time."""
    ctx = flow.ctx
    assert ctx.reevaluation is not None
    plan: list[tuple[str, int, dt.date]] = []
    if ctx.surgery is None:
        for n, when in ct_targets(flow, "tumour-assessment-preop", ctx.horizon):
            plan.append(("tumour-assessment-preop", n, when))
    else:
        for n, when in ct_targets(flow, "tumour-assessment-preop", ctx.surgery - days(1)):
            plan.append(("tumour-assessment-preop", n, when))
        for n, when in ct_targets(flow, "tumour-assessment-postop", ctx.horizon):
            plan.append(("tumour-assessment-postop", n, when))
    progression_day = flow.latent_progression
    for visit_id, n, planned in plan:
        if planned <= ctx.reevaluation:
            continue
        done = attend(ctx, visit_id, n, planned)
        if done is None:
            continue
        flow.ct_plan.append(done)
        if ctx.progression is None and flow.day(done.actual) >= progression_day \
                and done.actual > ctx.reevaluation:
            if ctx.death is not None and ctx.death <= done.actual:
                break
            if ctx.dropout is not None and ctx.dropout <= done.actual:
                break
            ctx.progression = done.actual
            flow.after_progression(done.actual)
            break


def early_cts(flow: Flow, until: dt.date) -> None:
    """The 6-weekly CTs before re-evaluation (or before the course ended)."""
    ctx = flow.ctx
    if flow.first_ct is not None:     # PD at the first CT: the only one on treatment
        flow.done.append(flow.first_ct)
        ctx.records.assessments.append(ct(ctx, flow.disease, flow.first_ct.actual,
                                          stage="progression"))
        return
    for n, planned in ct_targets(flow, "tumour-assessment-preop", until):
        done = attend(ctx, "tumour-assessment-preop", n, planned)
        if done is None or done.actual >= until:
            continue
        flow.done.append(done)
        ctx.records.assessments.append(ct(ctx, flow.disease, done.actual, stage="on_treatment",
                                          fraction=0.5))
