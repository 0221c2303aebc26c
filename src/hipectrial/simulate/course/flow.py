"""The timeline of one simulated participant: day 0, induction, re-evaluation and MDT,
conversion surgery or continuation, maintenance, progression, death and dropout.

Time-to-event draws: death without progression and dropout from registration; at
re-evaluation the response; after it a latent progression time (piecewise hazard from the
re-evaluation day), detected at the next CT that takes place; death after progression with
the post-progression hazard. Operated participants' hazards are redrawn from the surgery day
with the operated or R0 hazard ratio (the hazards are memoryless given survival to then).
"""

from __future__ import annotations

import datetime as dt
import math

from hipectrial.clinical import conversion_criteria
from hipectrial.clinical.course import dlt_evaluable
from hipectrial.clinical.records.derived import CriterionStatus
from hipectrial.data import AssessmentMethod, Cytology
from hipectrial.protocol.regimen import Anchor, Phase
from hipectrial.simulate.course.common import Context, choose, days, draw_exponential, draw_piecewise
from hipectrial.simulate.course.cts import ct_targets, early_cts, plan_cts
from hipectrial.simulate.course.disease import (
    RESPONSES,
    Disease,
    baseline_disease,
    complications,
    ct,
    laparoscopy,
    resection,
    second_look_pci,
    set_response,
    surgery_record,
)
from hipectrial.simulate.course.timeline import (
    agents_given_in,
    dlt_window_dates,
    event_visit,
    in_window,
    phases_of,
    target_date,
    treatment_dates,
)
from hipectrial.simulate.course.treatment import Treatment, day1_checks
from hipectrial.simulate.course.visits import Done, attend, visit_def
from hipectrial.simulate.scenario.course import OperationRisk


class Flow:
    """Runs one course; the facts land in ``ctx`` and the records in ``ctx.records``."""

    def __init__(self, ctx: Context, dlt_probability: float) -> None:
        self.ctx = ctx
        self.dlt_probability = dlt_probability
        self.tx = Treatment(ctx)
        self.disease: Disease = baseline_disease(ctx.rng, False, ctx.enrolment.profile.sex)
        self.done: list[Done] = []
        self.events: list[tuple[str, dt.date]] = []
        self.latent_progression = math.inf      # days from registration
        self.limit: dt.date | None = None       # end of the current treatment plan
        self.pci2: tuple[int, ...] = tuple(ctx.enrolment.profile.pci)
        self.cycle_length = 0                   # of the phase running or last run
        self.dlt_known_on: dt.date | None = None
        self.dlt_evaluable = False
        self.r0_known_on: dt.date | None = None
        self.stop_decided: dt.date | None = None
        self.ct_plan: list[Done] = []
        self.fatal_operation: OperationRisk | None = None   # whose complication killed
        self.response = "SD"                    # RECIST response at re-evaluation (drawn at C1)
        self.first_ct: Done | None = None       # that CT, when it showed PD

    # -- helpers ------------------------------------------------------------------------------

    def day(self, when: dt.date) -> int:
        return (when - self.ctx.enrolment.registration_date).days

    def date(self, day: float) -> dt.date | None:
        if math.isinf(day):
            return None
        return self.ctx.enrolment.registration_date + days(math.ceil(day))

    def _set_death_dropout(self, start_day: int, hazard_ratio: float) -> None:
        ctx, params = self.ctx, self.ctx.params
        death = self.date(draw_piecewise(ctx.rng, params.death_without_progression_hazard, start_day,
                                         hazard_ratio))
        dropout = self.date(draw_exponential(ctx.rng, params.dropout_monthly_hazard, start_day))
        ctx.death = death if death is not None and death <= ctx.horizon else None
        ctx.death_cause = "other_cause" if ctx.death else None
        ctx.dropout = dropout if dropout is not None and dropout < ctx.horizon else None
        if ctx.dropout is not None:
            lost = float(ctx.rng.random()) < params.lost_to_follow_up_share
            ctx.dropout_reason = "lost_to_follow_up" if lost else "consent_withdrawn"
        if ctx.death is not None and ctx.dropout is not None and ctx.dropout >= ctx.death:
            ctx.dropout = None

    def stop_date(self) -> dt.date:
        stops = [self.ctx.end()]
        for d in (self.ctx.progression, self.limit):
            if d is not None:
                stops.append(d)
        return min(stops)

    # -- the course ---------------------------------------------------------------------------

    def run(self) -> None:
        ctx = self.ctx
        profile = ctx.enrolment.profile
        ctx.weight_kg = profile.weight_kg
        ctx.ecog = profile.ecog
        measurable = float(ctx.rng.random()) < ctx.params.measurable_disease_probability
        self.disease = baseline_disease(ctx.rng, measurable, profile.sex)
        ctx.records.assessments.append(ct(ctx, self.disease, profile.screening_date, stage="baseline"))
        self._set_death_dropout(0, 1.0)
        registration = ctx.enrolment.registration_date
        day0 = event_visit(ctx, Anchor.HIPEC).timing
        hipec = in_window(ctx, registration + days(day0.offset_days()), day0)
        if not ctx.alive_and_followed(hipec):
            self.r0_known_on = self.dlt_known_on = ctx.end()
            return
        self._day0(hipec)
        if ctx.death == hipec:
            return
        self._induction()
        if self.first_ct is None and self._induction_completed() and self._reevaluation():
            if ctx.branch == "operated":
                self._operated()
            else:
                self._not_operated()
        elif self.r0_known_on is None:
            assert ctx.hipec is not None
            early_cts(self, min(ctx.end(), ctx.hipec + days(120)))
            self.r0_known_on = min(self.stop_decided or ctx.end(), ctx.end())

    def _day0(self, hipec: dt.date) -> None:
        ctx = self.ctx
        ctx.hipec = hipec
        self.tx.hipec(hipec, 1)
        found, died = complications(ctx, ctx.params.hipec_laparoscopy, hipec)
        ctx.records.surgeries.append(surgery_record(ctx, hipec, "diagnostic_laparoscopy_hipec", None, found))
        profile = ctx.enrolment.profile
        ctx.records.assessments.append(laparoscopy(ctx, hipec, tuple(profile.pci), profile.cytology))
        if died:
            self.fatal_operation = ctx.params.hipec_laparoscopy
            self._die(found[0].onset_date, "surgical_complication")
        # The DLT window as planned (its cycle not given yet).
        window_end = dlt_window_dates(ctx).end
        assert window_end is not None  # dlt_window_dates projects a cycle not given yet
        if float(ctx.rng.random()) < self.dlt_probability:
            episode = self.tx.draw_dlt(hipec + days(3), window_end - days(1),
                                       ctx.enrolment.study_part == "part_a")
            if ctx.alive_and_followed(episode.onset):
                ctx.dlt, ctx.dlt_date = True, episode.onset

    def _first_cycle_given(self) -> None:
        """The response the participant will have (drawn now), and, for a share of those with
        PD, progression documented at the first on-treatment CT: treatment stops there."""
        ctx, rng, params = self.ctx, self.ctx.rng, self.ctx.params
        r = params.response
        drawn = choose(rng, [r.cr, r.pr, r.sd, r.pd])
        self.response = RESPONSES[3 if drawn is None else drawn]
        if self.response != "PD" or float(rng.random()) >= params.progression_at_first_ct_probability:
            return
        first = ct_targets(self, "tumour-assessment-preop", ctx.horizon)[:1]
        done = attend(ctx, "tumour-assessment-preop", *first[0], may_miss=False) if first else None
        if done is None:
            return
        self.first_ct = done
        set_response(rng, self.disease, "PD")
        ctx.progression = done.actual
        self.after_progression(done.actual)
        ctx.off_treatment_reason = "progression"
        self.stop_decided = done.actual

    def _die(self, when: dt.date, cause: str) -> None:
        ctx = self.ctx
        if ctx.death is None or when < ctx.death:
            ctx.death, ctx.death_cause = when, cause
        if ctx.dropout is not None and ctx.dropout >= ctx.death:
            ctx.dropout = None

    def cycle(self, phase: str, number: int, due: dt.date) -> dt.date | None:
        """One cycle: day-1 checks until given (delays of 7 days), or None when stopped."""
        ctx = self.ctx
        check = due + days(int(ctx.rng.integers(-1, 2)))
        for k in range(day1_checks(ctx.protocol)):
            if check >= self.stop_date() or not ctx.alive_and_followed(check):
                return None
            if k == 0:
                self.tx.update_weight()
            result = self.tx.day1(phase, number, check, max(0, (check - due).days))
            if result == "given":
                ctx.cycle_starts.setdefault(phase, []).append(check)
                self._vitals(phase, number, check)
                if number == 1 and phase == phases_of(ctx, "all")[0].id:
                    self._first_cycle_given()
                return check
            if result == "stopped":
                break
            check += days(self.ctx.protocol.dose_modifications.retreatment.delay_days)
        ctx.off_treatment_reason = "toxicity"
        self.stop_decided = check
        return None

    def _vitals(self, phase: str, number: int, when: dt.date) -> None:
        visit = next(v.id for v in self.ctx.protocol.visits
                     if v.repeat is not None and v.repeat.per_cycle == phase)
        profile = self.ctx.enrolment.profile
        rng = self.ctx.rng
        systolic = int(rng.integers(105, 146))
        self.ctx.records.form("vital_signs", visit, number, {
            "vs_date": when, "height_cm": profile.height_cm, "weight_kg": self.ctx.weight_kg,
            "systolic_bp": systolic, "diastolic_bp": systolic - int(rng.integers(30, 50)),
            "heart_rate": int(rng.integers(60, 96)),
        }, self.ctx.pid)

    def run_phase(self, phase: str, first_due: dt.date, cycles: int | None) -> dt.date | None:
        """Cycles of one phase; the last start, or None if none was given."""
        due, last = first_due, None
        number = 1
        self.cycle_length = self.ctx.protocol.phase(phase).cycle_length_days
        while cycles is None or number <= cycles:
            start = self.cycle(phase, number, due)
            if start is None:
                return last
            last = start
            due = start + days(self.cycle_length)
            number += 1
        return last

    def run_phases(self, branch: str) -> None:
        """The phases of a branch in turn, each from its start timing (a phase starting after a
        cycle of the one before starts only when that cycle was given), each with its limit."""
        for phase in phases_of(self.ctx, branch):
            due = target_date(self.ctx, phase.start)
            if due is None:
                return
            self.limit = self._limit(phase)
            last = self.run_phase(phase.id, due, phase.cycles)
            if last is None:
                return

    def _limit(self, phase: Phase) -> dt.date | None:
        """The day no cycle of ``phase`` starts any more (its ``until.max_days``), or None."""
        until = phase.until
        if until is None or until.max_days is None or until.counted_from is None:
            return None
        origin = target_date(self.ctx, until.counted_from.timing())
        return None if origin is None else origin + days(until.max_days)

    def _induction_completed(self) -> bool:
        """Every cycle of the phases before re-evaluation was given."""
        return all(len(self.ctx.cycle_starts.get(ph.id, ())) == ph.cycles
                   for ph in phases_of(self.ctx, "all"))

    def _induction(self) -> None:
        ctx = self.ctx
        self.run_phases("all")
        end = dlt_window_dates(ctx).end
        assert end is not None  # dlt_window_dates projects a cycle not given yet
        stopped = ctx.end() if ctx.end() < end else None
        if ctx.dlt and ctx.dlt_date is not None:
            self.dlt_evaluable, self.dlt_known_on = True, ctx.dlt_date
        else:
            window_end = ctx.protocol.dose_finding.dlt.window.end
            given = (agents_given_in(ctx, window_end.phase, window_end.cycle)
                     if window_end.phase is not None and window_end.cycle is not None else ())
            self.dlt_evaluable = dlt_evaluable(
                protocol=ctx.protocol, cohort=ctx.cohort, dates=treatment_dates(ctx), agents_given=given,
                had_dlt=False, known_alive=ctx.end()).evaluable
            self.dlt_known_on = min(end, stopped) if stopped else end

    def _reevaluation(self) -> bool:
        """CT, second-look laparoscopy and MDT after induction (the protocol's ``reevaluation``
        visit); False if not reached."""
        ctx, rng, params = self.ctx, self.ctx.rng, self.ctx.params
        timing = visit_def(ctx, "reevaluation").timing
        planned = target_date(ctx, timing)
        if planned is None:
            return False
        when = in_window(ctx, planned, timing)
        if not ctx.alive_and_followed(when):
            return False
        ctx.reevaluation = when
        response = self.response
        set_response(rng, self.disease, response)
        early_cts(self, when)
        ctx.records.assessments.append(ct(ctx, self.disease, when, stage="response"))
        first = tuple(ctx.enrolment.profile.pci)
        if response == "PD":
            delta = params.pci_change_at_pd
            cytology = ctx.enrolment.profile.cytology
        else:
            changes = params.second_look_pci_change
            delta = changes[choose(rng, [c.probability for c in changes]) or 0].delta
            cytology = ctx.enrolment.profile.cytology
            if cytology is Cytology.CY1 and float(rng.random()) < params.cytology_conversion_probability:
                cytology = Cytology.CY0
            elif cytology is Cytology.CY0 and float(rng.random()) < params.cytology_reversion_probability:
                cytology = Cytology.CY1
        self.pci2 = second_look_pci(rng, first, delta)
        ctx.records.assessments.append(laparoscopy(ctx, when, self.pci2, cytology))
        ctx.records.surgeries.append(surgery_record(ctx, when, "second_look_laparoscopy", None, ()))
        if float(rng.random()) < params.ecog_worsening_probability:
            ctx.ecog = 2
        self.done.append(Done("reevaluation", 1, planned, when))
        values: dict[str, object] = {
            "reeval_new_lesion": response == "PD", "reeval_distant_metastasis": False,
            "overall_response": response if self.disease.measurable or response in ("CR", "PD")
            else "non-CR-non-PD",
            "cytology": cytology.value, "reeval_cc0_achievable": response != "PD",
            "ecog": str(ctx.ecog), **{f"pci_r{i}": s for i, s in enumerate(self.pci2)},
        }
        met = conversion_criteria(protocol=ctx.protocol, values=values).status is CriterionStatus.MET
        mdt = when + days(int(rng.integers(1, 8)))
        operate = met and float(rng.random()) < params.surgery_probability_if_eligible
        decision = ("conversion_surgery" if operate else "stop_treatment" if response == "PD"
                    else "continue_systemic")
        ctx.mdt_date = mdt if ctx.alive_and_followed(mdt) else when
        ctx.records.form("reevaluation", "reevaluation", 1, {
            "reeval_date": when, "reeval_new_lesion": response == "PD",
            "reeval_distant_metastasis": False, "reeval_cc0_achievable": response != "PD",
            "mdt_date": ctx.mdt_date, "mdt_decision": decision}, ctx.pid)
        ctx.records.form("ecog_assessment", "reevaluation", 1,
                         {"ecog_date": when, "ecog": str(ctx.ecog)}, ctx.pid)
        if response == "PD":
            ctx.progression = when
            self.after_progression(when)
            ctx.off_treatment_reason = "progression"
            self.stop_decided = when
            self.r0_known_on = when
            ctx.branch = "not_operated"
            return False
        ctx.branch = "operated" if operate else "not_operated"
        if not operate:
            self.r0_known_on = ctx.mdt_date
            self.latent_progression = draw_piecewise(rng, params.progression_hazard, self.day(when))
        return True

    def after_progression(self, when: dt.date) -> None:
        ctx = self.ctx
        died = self.date(draw_exponential(ctx.rng, ctx.params.post_progression_death_monthly_hazard,
                                          self.day(when)))
        if ctx.death is not None and ctx.death <= when:
            return
        ctx.death = died if died is not None and died <= ctx.horizon else None
        ctx.death_cause = "disease_progression" if ctx.death else None
        if ctx.death is not None and ctx.dropout is not None and ctx.dropout >= ctx.death:
            ctx.dropout = None

    def _operated(self) -> None:
        ctx, rng, params = self.ctx, self.ctx.rng, self.ctx.params
        timing = event_visit(ctx, Anchor.SURGERY).timing
        planned = target_date(ctx, timing)
        when = None if planned is None else in_window(ctx, planned, timing)
        if when is None or not ctx.alive_and_followed(when):
            self.r0_known_on = ctx.end()
            ctx.branch = "not_operated"
            return
        ctx.surgery = when
        outcome = resection(ctx, sum(self.pci2))
        found, died = complications(ctx, params.conversion_surgery, when)
        ctx.records.surgeries.append(surgery_record(ctx, when, "conversion_surgery_hipec", outcome, found))
        ctx.records.assessments.append(laparoscopy(ctx, when, self.pci2, outcome.cytology,
                                                   AssessmentMethod.LAPAROTOMY))
        self.tx.hipec(when, 2)
        ctx.r0, self.r0_known_on = outcome.r0, when
        ratio = params.hazard_ratio_r0 if outcome.r0 else params.hazard_ratio_operated
        self._set_death_dropout(self.day(when), ratio)
        self.latent_progression = draw_piecewise(rng, params.progression_hazard, self.day(when), ratio)
        if died:
            self.fatal_operation = params.conversion_surgery
            self._die(found[0].onset_date, "surgical_complication")
        plan_cts(self)
        self.run_phases("operated")
        self._finish()

    def _not_operated(self) -> None:
        plan_cts(self)
        self.run_phases("not_operated")
        self._finish()

    def _finish(self) -> None:
        """End of treatment: why, and when it was decided."""
        ctx = self.ctx
        if ctx.off_treatment_reason is not None:
            return
        stop = self.stop_date()
        if ctx.progression is not None and stop == ctx.progression:
            ctx.off_treatment_reason, self.stop_decided = "progression", ctx.progression
        elif ctx.death is not None and stop >= ctx.death:
            ctx.off_treatment_reason, self.stop_decided = "death", ctx.death
        elif ctx.dropout is not None and stop >= ctx.dropout:
            ctx.off_treatment_reason = ("lost_to_follow_up" if ctx.dropout_reason == "lost_to_follow_up"
                                        else "participant_withdrawal")
            self.stop_decided = ctx.dropout
        elif self.limit is not None and stop == self.limit and stop < ctx.horizon:
            ctx.off_treatment_reason = "completed"
            self.stop_decided = (ctx.last_dose or stop) + days(self.cycle_length)
        else:
            self.stop_decided = None   # still on treatment at the horizon
