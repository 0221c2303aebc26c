"""The virtual trial: a protocol, a scenario and a seed give a realistic ``TrialData``.

How the trial runs (the protocol's ``dose_finding`` and ``statistics`` sections decide):

* **Accrual** — people consent at each site as a Poisson process
  (:mod:`~hipectrial.simulate.screening.accrual`) and are screened
  (:mod:`~hipectrial.simulate.screening.screen`) while registration is open. **People who arrive while
  registration is paused or closed are not screened** (they do not appear in the data;
  :attr:`SimulatedTrial.skipped` counts them). Screening closes as soon as the last open place is taken, i.e.
  at the consent of the person who fills it.
* **Part A (BOIN)** — cohorts of ``cohort_size`` registered at the current dose level. The
  next cohort opens the day after the current cohort's DLT outcomes are all known
  (``Course.dlt_known_on``). The design's data are the DLT-evaluable participants and their
  DLTs per level (PD §DLT: non-evaluable participants are not replaced); the decision is
  :meth:`hipectrial.design.boin.BoinDesign.decide` with the protocol's settings; after
  ``max_cohorts`` cohorts the RP2D is :func:`hipectrial.design.select_mtd` (isotonic). No
  selected dose: the trial ends after Part A.
* **Part B (Simon two-stage)** at the RP2D: up to ``statistics.primary.enrol`` (or the
  scenario's override) registrations. Once the first ``n1`` Part B ITT participants' R0
  outcomes are all known (``Course.r0_known_on``; ITT: registered and received HIPEC,
  :func:`hipectrial.clinical.course.received_hipec`, as the primary endpoint counts; a
  registration without HIPEC is replaced by the next) the stage-1 look is
  :func:`hipectrial.design.simon_decide`; at ``<= r1`` R0 resections Part B accrual stops.
  With ``pause_for_stage1`` registration is closed from the ``n1``-th registration to the
  look; otherwise it goes on meanwhile, and people who consented by the look day are kept.
* **Part B safety monitoring** (protocol ``statistics.safety_monitoring``;
  :mod:`~hipectrial.simulate.trial.safety` says who a look counts and when it is taken): a
  look whose posterior exceeds the cut-off closes Part B registration on its day, as a Simon
  stop does without a pause (people who consented by then are kept). The looks are computed
  on the courses once everyone is simulated; when one stops, the trial is run again with
  registration closed from its day and the first run's courses kept (the same people, the
  same streams; nothing before the look day changes), so what every look saw is what the
  data hold. A safety stop before the Simon look's ``n1`` ITT participants leaves no Simon look.
* **Cut-off** — a fixed date, or whole months after the last registration; every course is
  truncated at it and ``TrialData.generated_at`` is its UTC midnight. With a fixed date,
  people whose screening or registration would end after it are left out, and a design
  step whose outcomes are not known by then is not taken.
* **Randomness** — one stream per site for accrual and one per person for screening and
  for the course, keyed by (site, arrival number) under the seed, so that a person's draws
  never depend on how many draws anyone else used.
* **Processes** — for a large Part B (``auto_workers``), where processes fork, a pool
  started before Part B screens the arrivals ahead and simulates the pending courses
  (:mod:`~hipectrial.simulate.parallel.pool`); otherwise the pending courses run here or on the executor given
  (:mod:`~hipectrial.simulate.parallel.executor`). The data do not depend on where anything ran.

``participants=N`` registers N people in total (Part B fills up what Part A leaves) and
skips the Simon look and the safety looks; it exists for scale tests. If Part A selects no dose, fewer are
registered.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass

from hipectrial.clinical.course import received_hipec
from hipectrial.data import TrialData
from hipectrial.design import select_mtd_of, simon_decide
from hipectrial.design.dose_finding import Action, DoseState
from hipectrial.design.settings import boin_design_of, simon_design_of
from hipectrial.design.simon_inference import SimonAction
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol
from hipectrial.simulate.course.timeline import follow_up_days
from hipectrial.simulate.parallel.executor import CourseJob, auto_workers, simulate_courses
from hipectrial.simulate.parallel.pool import (
    ScreeningAhead,
    TrialPool,
    participant_id,
    screen_arrival,
    start_pool,
)
from hipectrial.simulate.scenario.world import Scenario
from hipectrial.simulate.screening.accrual import STREAM_COURSE, ArrivalStream, stream
from hipectrial.simulate.screening.screen import Screening, ScreeningContext
from hipectrial.simulate.trial.assemble import add_months, assemble, simulation_source
from hipectrial.simulate.trial.result import (
    CohortDecision,
    CourseCall,
    CourseLike,
    SafetyLook,
    SimonLook,
    SimulatedTrial,
)
from hipectrial.simulate.trial.safety import PartBPerson, safety_looks
from hipectrial.simulate.types import Enrolment


@dataclass(slots=True)
class Registered:
    """A registered person: the screening, the enrolment, its stream key and the course
    (``None`` until simulated; courses nobody waits for are simulated at the end)."""

    screening: Screening
    enrolment: Enrolment
    key: tuple[int, int]
    course: CourseLike | None = None


class _CutoffReached(Exception):
    """The fixed data cut-off came before the step being taken."""


class _Run:
    """The state of one simulation while it runs."""

    def __init__(self, protocol: Protocol, scenario: Scenario, seed: int, course: CourseCall,
                 cap: int | None, progress: Callable[[int, int], None] | None, total: int,
                 stop_at: dt.date | None = None,
                 known_courses: Mapping[tuple[int, int], CourseLike] | None = None) -> None:
        self.protocol, self.scenario, self.seed, self.course_fn = protocol, scenario, seed, course
        self.context = ScreeningContext(protocol, scenario)
        self.accrual = ArrivalStream(scenario, seed)
        self.site_numbers = [0] * len(scenario.sites)
        self.screened: list[Screening] = []
        self.registered: dict[str, Registered] = {}
        self.skipped = 0
        self.cap = cap
        self.fixed_cutoff = scenario.cutoff.date
        self.progress, self.total = progress, total
        self.ahead: ScreeningAhead | None = None  # screening ahead in a pool (large trials)
        # The safety look that stopped Part B registration on this day (a second pass).
        self.stop_at = stop_at
        # Courses simulated by an earlier pass of the same trial, by stream key: the same
        # person's course, kept so that what a look saw is what the data hold.
        self.known_courses: Mapping[tuple[int, int], CourseLike] = known_courses or {}

    # -- screening and registration ------------------------------------------------------

    def recruit(self, count: int, open_from: dt.date, part: str, level: str,
                until: dt.date | None = None) -> list[Registered]:
        """Screen arrivals from ``open_from`` until ``count`` have registered (or ``until``,
        or the fixed cut-off, or the ``participants`` cap); return those registered."""
        if self.cap is not None:
            count = min(count, self.cap - len(self.registered))
        if part == "part_b" and self.stop_at is not None:
            if open_from > self.stop_at:
                return []   # registration closed by the safety look
            until = self.stop_at if until is None else min(until, self.stop_at)
        self.skipped += self.accrual.skip_to(open_from)
        out: list[Registered] = []
        while len(out) < count:
            arrival = self.accrual.peek()
            if until is not None and arrival.date > until:
                break
            if self.fixed_cutoff is not None and arrival.date > self.fixed_cutoff:
                raise _CutoffReached
            site = self.scenario.sites[arrival.site_index]
            number = self.site_numbers[arrival.site_index] + 1
            pid = participant_id(site.id, number)
            key = (arrival.site_index, arrival.number)
            if self.ahead is not None:
                screening = self.ahead.screening(self.accrual.taken, arrival, pid, self.site_numbers)
            else:
                screening = screen_arrival(self.context, self.seed, arrival, pid)
            self.accrual.next()
            last = screening.registration_date or screening.off_study_date or screening.as_of
            if self.fixed_cutoff is not None and last > self.fixed_cutoff:
                continue  # not finished by the cut-off: left out (the number is not used)
            self.site_numbers[arrival.site_index] = number
            self.screened.append(screening)
            if screening.registers and screening.registration_date is not None \
                    and screening.cohort is not None:
                enrolment = Enrolment(screening.profile(), screening.registration_date,
                                      screening.cohort, level, part)
                registered = Registered(screening, enrolment, key)
                self.registered[pid] = registered
                out.append(registered)
                if self.progress is not None:
                    self.progress(len(self.registered), self.total)
        return out

    def simulate_course(self, person: Registered) -> CourseLike:
        if person.course is None and person.key in self.known_courses:
            person.course = self.known_courses[person.key]
        if person.course is None:
            level = person.enrolment.dose_level
            person.course = self.course_fn(
                protocol=self.protocol, params=self.scenario.course, enrolment=person.enrolment,
                dlt_probability=self.scenario.dlt_probability[level],
                rng=stream(self.seed, STREAM_COURSE, *person.key),
                horizon_days=follow_up_days(self.protocol))
        return person.course

    def known(self, when: dt.date) -> None:
        if self.fixed_cutoff is not None and when > self.fixed_cutoff:
            raise _CutoffReached

    # -- Part A ----------------------------------------------------------------------------

    def part_a(self) -> tuple[list[CohortDecision], str | None, str, dt.date]:
        finding = self.protocol.dose_finding
        settings = finding.design
        levels = [level.id for level in finding.levels]
        design = boin_design_of(settings)
        current = levels.index(finding.start_level)
        n, y = [0] * len(levels), [0] * len(levels)
        eliminated: tuple[bool, ...] = (False,) * len(levels)
        open_from = self.scenario.start_date
        decisions: list[CohortDecision] = []
        for number in range(1, settings.max_cohorts + 1):
            if self.cap is not None and len(self.registered) >= self.cap:
                return decisions, None, "participants target reached in Part A", open_from
            try:
                cohort = self.recruit(settings.cohort_size, open_from, "part_a", levels[current])
            except _CutoffReached:
                return decisions, None, "data cut-off during Part A", open_from
            if len(cohort) < settings.cohort_size:
                return decisions, None, "participants target reached in Part A", open_from
            courses = [self.simulate_course(p) for p in cohort]
            known_on = max(c.dlt_known_on for c in courses)
            try:
                self.known(known_on)
            except _CutoffReached:
                return decisions, None, "data cut-off before the cohort's DLT outcomes", open_from
            evaluable = sum(c.dlt_evaluable or c.dlt for c in courses)
            dlts = sum(c.dlt for c in courses)
            n[current] += evaluable
            y[current] += dlts
            decision = design.decide(DoseState(tuple(n), tuple(y), current, eliminated))
            eliminated = decision.eliminated or eliminated
            selected: int | None = None
            reason = None if decision.reason is None else str(decision.reason)
            end = None
            if decision.action is Action.STOP:
                selected, end = decision.selected, str(decision.reason)
            elif number == settings.max_cohorts:
                chosen = select_mtd_of(settings, n=n, dlt=y, eliminated=eliminated)
                selected, end = chosen.selected, f"maximum number of cohorts ({number})"
                reason = end
            decisions.append(CohortDecision(
                number=number, dose_level=levels[current],
                participant_ids=tuple(p.screening.participant_id for p in cohort), dlts=dlts,
                evaluable=evaluable, known_on=known_on, n=tuple(n), dlt=tuple(y),
                action=Action.STOP.value if end else decision.action.value,
                next_dose_level=None if end or decision.next_dose is None else levels[decision.next_dose],
                reason=reason, selected_dose_level=None if selected is None else levels[selected],
                eliminated=tuple(lv for lv, flag in zip(levels, eliminated, strict=True) if flag)))
            open_from = known_on + dt.timedelta(days=1)
            if end is not None:
                return decisions, None if selected is None else levels[selected], end, open_from
            current = decision.next_dose if decision.next_dose is not None else current
        raise RuntimeError("unreachable: the last cohort always ends Part A")  # pragma: no cover

    # -- Part B ----------------------------------------------------------------------------

    def part_b(self, level: str, open_from: dt.date, target: int, look: bool) -> SimonLook | None:
        primary = self.protocol.statistics.primary
        n1, r1 = primary.stage1.n, primary.stage1.r
        try:
            if not look or target <= n1:
                self.recruit(target, open_from, "part_b", level)
                return None
            # The look counts the first n1 Part B ITT participants (registered and received
            # HIPEC, as the primary endpoint does): someone who never had HIPEC is replaced.
            first = self.recruit(n1, open_from, "part_b", level)
            courses = [self.simulate_course(p) for p in first]
            itt = [c for c in courses if received_hipec(protocol=self.protocol, doses=c.doses)]
            while len(itt) < n1 and len(first) < target:
                more = self.recruit(min(n1 - len(itt), target - len(first)),
                                    first[-1].screening.draw.consent_date, "part_b", level)
                if not more:
                    break
                more_courses = [self.simulate_course(p) for p in more]
                first, courses = first + more, courses + more_courses
                itt += [c for c in more_courses if received_hipec(protocol=self.protocol, doses=c.doses)]
            counted = itt[:n1]
            if len(counted) < n1 and self.stop_at is not None:
                return None   # the safety look closed registration before the Simon look
            # The look is possible once the counted participants' outcomes are all known.
            look_date = max(c.r0_known_on for c in (counted or courses))
            self.known(look_date)
        except _CutoffReached:
            return None
        responses = sum(c.r0 for c in counted)
        simon = simon_design_of(primary)
        decision = simon_decide(r1=simon.r1, n1=simon.n1, r=simon.r, n=simon.n, responses=responses,
                                enrolled=len(counted))
        stop = decision.action is SimonAction.STOP_FUTILITY
        pause = self.scenario.part_b.pause_for_stage1
        try:
            if pause and not stop:
                self.recruit(target - len(first), look_date + dt.timedelta(days=1), "part_b", level)
            elif not pause:
                self.recruit(target - len(first), first[-1].screening.draw.consent_date, "part_b", level,
                             until=look_date if stop else None)
        except _CutoffReached:
            pass
        by_look = sum(1 for p in self.registered.values() if p.enrolment.study_part == "part_b"
                      and p.enrolment.profile.consent_date <= look_date)
        return SimonLook(n1=n1, r1=r1, responses=responses, look_date=look_date,
                         action=decision.action.value, stopped=stop, registered_by_look=by_look)


def check_scenario(protocol: Protocol, scenario: Scenario) -> None:
    """The scenario must speak the protocol's ids: a DLT probability per dose level, an
    ``eos-reason`` code for people who do not register."""
    levels = [level.id for level in protocol.dose_finding.levels]
    given = sorted(scenario.dlt_probability)
    if sorted(levels) != given:
        raise InputError("dlt_probability", ", ".join(given),
                         f"one probability per dose level of the protocol ({', '.join(levels)})",
                         f"scenario {scenario.name!r}")
    try:
        codes = protocol.codelist("eos-reason").codes
    except KeyError:
        codes = ()
    if codes and scenario.not_registered.reason not in codes:
        raise InputError("not_registered.reason", scenario.not_registered.reason,
                         f"an eos-reason code ({', '.join(codes)})", f"scenario {scenario.name!r}")


def simulate_trial(protocol: Protocol, scenario: Scenario, seed: int, *,
                   participants: int | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   course: CourseCall | None = None, workers: int | None = None,
                   executor: Executor | None = None) -> SimulatedTrial:
    """Run one virtual trial; the data and the design decisions taken (see the module
    docstring for the rules).

    Parameters
    ----------
    protocol, scenario
        The trial and the world it runs in; their ids must match (:func:`check_scenario`).
    seed
        A whole number >= 0; the same seed gives the same data, byte for byte.
    participants
        Register this many in total and skip the Simon look and the safety looks (scale tests).
    progress
        Called as ``progress(registered, expected)`` after each registration.
    course
        The per-participant simulator (:func:`hipectrial.simulate.course.run.simulate_course`
        when omitted); tests may pass a simpler one. It must be picklable (a module-level
        function or an instance of a module-level class) when courses run in processes.
    workers, executor
        Where the courses nobody waits for run (:mod:`~hipectrial.simulate.parallel.executor`): in this
        process (``workers`` 0 or 1), in ``workers`` processes, or on the ``executor`` given. By
        default (``None``) a large batch runs in a process pool where that pays
        (:func:`~hipectrial.simulate.parallel.executor.auto_workers`). The data do not depend
        on it.

    Raises
    ------
    InputError
        A bad seed or ``participants``, or a scenario that does not fit the protocol.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("seed", seed, "a whole number >= 0")
    if participants is not None and (isinstance(participants, bool) or not isinstance(participants, int)
                                     or participants < 1):
        raise InputError("participants", participants, "a whole number >= 1")
    check_scenario(protocol, scenario)
    with _collection_paused():
        return _simulate_trial(protocol, scenario, seed, participants, progress, course, workers,
                               executor)


@contextlib.contextmanager
def _collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a trial is simulated (restored after).

    Every record made is kept until the trial is assembled, so a full collection frees
    next to nothing; it only walks the growing heap again and again (measured: about a
    seventh of the run at 1,000 participants). Reference counting still frees everything
    as usual; what is cyclic is collected after. The data do not depend on it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(slots=True)
class _Pass:
    """One pass of a trial: its state, Part A, the Simon look and the cut-off, every course
    simulated."""

    run: _Run
    cohorts: list[CohortDecision]
    rp2d: str | None
    end: str
    simon: SimonLook | None
    cutoff: dt.date


def _simulate_trial(protocol: Protocol, scenario: Scenario, seed: int, participants: int | None,
                    progress: Callable[[int, int], None] | None, course: CourseCall | None,
                    workers: int | None, executor: Executor | None) -> SimulatedTrial:
    if course is None:
        from hipectrial.simulate.course.run import simulate_course
        course = simulate_course
    settings = protocol.dose_finding.design
    enrol = scenario.part_b.enrol or protocol.statistics.primary.enrol
    total = participants if participants is not None else settings.max_n + enrol
    done = _one_pass(protocol, scenario, seed, participants, progress, course, workers, executor, total)
    looks = _looks(protocol, done, monitored=participants is None)
    stop = next((look for look in looks if look.stopped), None)
    if stop is not None:
        # The safety look closed Part B registration on its day: run the trial again with
        # registration closed from then, the courses simulated in the first pass kept (the
        # same people, the same streams), so that what the looks saw is what the data hold.
        # Everything before the look day is the same in both passes.
        known = {p.key: p.course for p in done.run.registered.values() if p.course is not None}
        # (No progress calls: the courses are known, this pass only screens again.)
        done = _one_pass(protocol, scenario, seed, participants, None, course, workers, executor,
                         total, stop_at=stop.look_date, known_courses=known)
        again = _looks(protocol, done, monitored=True)
        if next((look for look in again if look.stopped), None) != stop:
            raise RuntimeError(f"seed {seed}: the safety looks changed when registration closed at "
                               f"{stop.look_date}; please report this")  # pragma: no cover
        looks = again
    run = done.run
    trial = assemble(protocol, scenario, run.context, run.screened, run.registered, done.cutoff,
                     source=simulation_source(scenario, seed, participants))
    if progress is not None:
        progress(total, total)
    return SimulatedTrial(trial=trial, scenario=scenario.name, seed=seed, cohorts=tuple(done.cohorts),
                          rp2d=done.rp2d, part_a_end=done.end, simon=done.simon, cutoff=done.cutoff,
                          skipped=run.skipped, safety_looks=looks)


def _looks(protocol: Protocol, done: _Pass, *, monitored: bool) -> tuple[SafetyLook, ...]:
    if not monitored or done.rp2d is None:
        return ()
    people = [PartBPerson(pid, p.enrolment.registration_date, p.course.truncated(done.cutoff))
              for pid, p in done.run.registered.items()
              if p.enrolment.study_part == "part_b" and p.course is not None]
    return safety_looks(protocol, people, done.cutoff)


def _one_pass(protocol: Protocol, scenario: Scenario, seed: int, participants: int | None,
              progress: Callable[[int, int], None] | None, course: CourseCall,
              workers: int | None, executor: Executor | None, total: int, *,
              stop_at: dt.date | None = None,
              known_courses: Mapping[tuple[int, int], CourseLike] | None = None) -> _Pass:
    enrol = scenario.part_b.enrol or protocol.statistics.primary.enrol
    run = _Run(protocol, scenario, seed, course, participants, progress, total, stop_at, known_courses)
    cohorts, rp2d, end, open_from = run.part_a()
    simon = None
    pool: TrialPool | None = None
    try:
        if rp2d is not None:
            part_a = len(run.registered)
            target = participants - part_a if participants is not None else enrol
            if target > 0:
                pool = start_pool(target, workers, executor, protocol=protocol, context=run.context,
                                  params=scenario.course, course=course, seed=seed)
                run.ahead = ScreeningAhead(pool, run.accrual) if pool is not None else None
                simon = run.part_b(rp2d, open_from, target, look=participants is None)
        cutoff = _cutoff(run, scenario)
        for person in run.registered.values():
            if person.course is None and person.key in run.known_courses:
                person.course = run.known_courses[person.key]
        pending = [p for p in run.registered.values() if p.course is None]
        follow_up = follow_up_days(protocol)
        jobs = [CourseJob(p.enrolment, p.key, scenario.dlt_probability[p.enrolment.dose_level],
                          max(1, min(follow_up, (cutoff - p.enrolment.registration_date).days + 1)))
                for p in pending]
        if pool is not None:
            courses = pool.courses(jobs)
        else:
            if workers is None and executor is None:
                workers = auto_workers(len(jobs))
            courses = simulate_courses(protocol, scenario.course, course, seed, jobs,
                                       workers=workers or 0, executor=executor)
    finally:
        if pool is not None:
            pool.close()
    for person, simulated in zip(pending, courses, strict=True):
        person.course = simulated
    return _Pass(run, cohorts, rp2d, end, simon, cutoff)


def _cutoff(run: _Run, scenario: Scenario) -> dt.date:
    if scenario.cutoff.date is not None:
        return scenario.cutoff.date
    months = scenario.cutoff.months_after_last_registration or 0
    dates = [p.enrolment.registration_date for p in run.registered.values()]
    if not dates:
        dates = [s.off_study_date or s.as_of for s in run.screened] or [scenario.start_date]
    return add_months(max(dates), months)


def simulate(protocol: Protocol, scenario: Scenario, seed: int, *, participants: int | None = None,
             progress: Callable[[int, int], None] | None = None,
             course: CourseCall | None = None, workers: int | None = None) -> TrialData:
    """The data of one virtual trial: :func:`simulate_trial` without the decision record.

    Examples
    --------
    >>> from hipectrial.protocol import load_protocol
    >>> from hipectrial.simulate.scenario.world import load_scenario
    >>> trial = simulate(load_protocol(), load_scenario("default"), seed=1, participants=6)
    >>> sum(p.registered for p in trial.participants)
    6
    """
    return simulate_trial(protocol, scenario, seed, participants=participants, progress=progress,
                          course=course, workers=workers).trial
