"""RECIST 1.1 best overall response (BOR) with confirmation, and the whole evaluation.

The protocol supplies the numbers: the confirmation interval, the minimum time for stable
disease and the date it counts from (the seed protocol: >= 28 days; SD at least 35 days
after registration; assessments before surgery only — protocol-decisions.md, Endpoints).
They are required arguments here, never defaults.

The rules, over the timepoint responses in date order (clinical.md §4.3; RECIST 1.1
Table 3; admiralonco ``derive_param_confirmed_bor`` for the sequence form):

1. Assessments after ``cutoff_date`` (surgery, new anticancer therapy) are excluded; so is
   everything after the first PD (BOR is the best response *until* progression).
2. After a CR, an SD means target disease seen again: it is read as **PD** (RECIST 1.1
   Table 3 note). A PR after a CR is counted as given, with a warning in the steps: it is
   PD when disease reappeared (which :func:`~hipectrial.clinical.recist.timepoint.timepoint_responses`
   already calls PD from the lesions), PR for both when the first CR was not real (then
   the data are corrected), or a CR not fully re-evaluated (Table 1: target CR with
   non-targets not evaluated is PR) or with tumour markers risen, which are not progression.
3. A CR is **confirmed** by the first later CR at least ``confirmation_days`` after it, with
   only CR or NE between; a PR by the first later CR or PR at least ``confirmation_days``
   after it, with only CR, PR or NE between. At most ``max_ne_between`` NE (default 1, as
   admiralonco) may fall between.
4. An unconfirmed CR or PR, or an SD, counts as **SD** when dated at least
   ``sd_minimum_days`` after ``reference_date`` (as non-CR/non-PD for disease without
   targets); a non-CR/non-PD likewise; else it counts as **NE**.
5. PD counts as PD, NE as NE. The BOR is the best count in :data:`RESPONSE_ORDER`
   (CR > PR > SD > non-CR/non-PD > PD > NE), the earliest if tied.

This gives the pairs of clinical.md §4.3: CR->CR = CR; CR->SD, CR->PD = SD if the SD minimum
is met, else PD; CR->PR = SD if the SD minimum is met, else NE (PD when the PR is recorded
as the PD it is after a real CR); CR->NE = SD or NE; PR->CR = PR->PR = PR; PR->SD = SD (when
the SD is past the SD minimum; else NE); PR->PD = SD or PD; PR->NE = SD or NE; NE->NE = NE.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from hipectrial.clinical.recist.baseline import BaselineCheck, BaselineLesion, check_baseline
from hipectrial.clinical.recist.followup import FollowUpAssessment
from hipectrial.clinical.recist.timepoint import TimepointResult, evaluate_series
from hipectrial.clinical.recist.vocab import (
    RESPONSE_ORDER,
    Response,
    require_date,
    require_enum,
    require_int,
)
from hipectrial.errors import InputError

_DAYS_MAX = 366


@dataclass(frozen=True, slots=True)
class DatedResponse:
    """An overall timepoint response and the date of its assessment."""

    date: dt.date
    response: Response

    def __post_init__(self) -> None:
        object.__setattr__(self, "date", require_date("date", self.date))
        object.__setattr__(self, "response", require_enum("response", self.response, Response))


@dataclass(frozen=True, slots=True)
class BorReading:
    """How one timepoint counts toward the best overall response.

    ``read_as`` is the response after the after-CR rule; ``counts_as`` what it contributes
    (``None`` when excluded); ``confirmed_by`` the date of the confirming assessment.
    """

    date: dt.date
    response: Response
    read_as: Response
    counts_as: Response | None
    confirmed_by: dt.date | None
    reason: str


@dataclass(frozen=True, slots=True)
class BestOverallResponse:
    """The best overall response with confirmation, its settings and its working.

    ``date`` is the assessment the response comes from (``None`` when there was none);
    ``confirmation_date`` the one confirming a CR or PR.
    """

    response: Response
    date: dt.date | None
    confirmation_date: dt.date | None
    measurable_disease: bool
    reference_date: dt.date
    confirmation_days: int
    sd_minimum_days: int
    cutoff_date: dt.date | None
    readings: tuple[BorReading, ...]
    steps: tuple[str, ...]

    @property
    def objective_response(self) -> bool:
        """Confirmed CR or PR: a responder for the ORR."""
        return self.response in (Response.CR, Response.PR)

    @property
    def disease_control(self) -> bool:
        """Confirmed CR or PR, or SD (non-CR/non-PD without targets) past the SD minimum: DCR."""
        return self.response in (Response.CR, Response.PR, Response.SD, Response.NON_CR_NON_PD)


def _confirmation(i: int, timeline: list[tuple[dt.date, Response]], days: int,
                  max_ne: int) -> tuple[dt.date | None, str]:
    """The date confirming the CR/PR at ``timeline[i]``, or None and why not."""
    first_date, first = timeline[i]
    confirmers = (Response.CR,) if first is Response.CR else (Response.CR, Response.PR)
    between_ok = (*confirmers, Response.NE)
    ne_count = 0
    for date, response in timeline[i + 1:]:
        gap = (date - first_date).days
        if response in confirmers and gap >= days:
            return date, f"confirmed by {response.label} on {date.isoformat()} ({gap} days later)"
        if response not in between_ok:
            return None, (f"not confirmed: {response.label} on {date.isoformat()} ({gap} days later) "
                          f"before a confirming assessment >= {days} days later")
        if response is Response.NE:
            ne_count += 1
            if ne_count > max_ne:
                return None, (f"not confirmed: more than {max_ne} NE assessment(s) before a confirming "
                              f"assessment >= {days} days later")
    return None, f"not confirmed: no {' or '.join(r.label for r in confirmers)} >= {days} days later"


def best_overall_response(*, timepoints: Sequence[DatedResponse], measurable_disease: bool,
                          reference_date: dt.date, confirmation_days: int, sd_minimum_days: int,
                          cutoff_date: dt.date | None, max_ne_between: int = 1) -> BestOverallResponse:
    """Best overall response by RECIST 1.1 with confirmation of CR and PR.

    Parameters
    ----------
    timepoints
        Overall timepoint responses, any order, one per date, all after ``reference_date``.
    measurable_disease
        Whether the participant had target lesions: without them PR and SD cannot occur and
        an unconfirmed CR counts as non-CR/non-PD; with them non-CR/non-PD cannot occur.
    reference_date
        The date the SD minimum counts from (the seed protocol: registration).
    confirmation_days
        Minimum days between a CR/PR and its confirming assessment (seed protocol: 28).
    sd_minimum_days
        SD counts only at an assessment at least this many days after ``reference_date``
        (seed protocol: 35).
    cutoff_date
        Assessments dated after it are excluded (conversion surgery or a new anticancer
        therapy); one on the day itself is kept, imaging preceding the operation or the
        first dose. ``None`` when there is none.
    max_ne_between
        NE assessments allowed between a response and its confirmation (admiralonco's
        ``max_nr_ne``, default 1).

    Returns
    -------
    BestOverallResponse
        With one :class:`BorReading` per timepoint saying how it counted, and ``steps``.

    Raises
    ------
    InputError
        For a day count out of range, two timepoints on one date, a timepoint not after the
        reference date, or a response that cannot occur for the disease (PR/SD without
        targets, non-CR/non-PD with them).

    References
    ----------
    Eisenhauer 2009 (RECIST 1.1) §4.4, Table 3; clinical.md §4.3; protocol-decisions.md,
    Endpoints.

    Examples
    --------
    PR, then PR 28 days later: confirmed.

    >>> d = dt.date
    >>> tps = [DatedResponse(d(2025, 2, 17), Response.PR), DatedResponse(d(2025, 3, 17), Response.PR)]
    >>> best_overall_response(timepoints=tps, measurable_disease=True, reference_date=d(2025, 1, 6),
    ...     confirmation_days=28, sd_minimum_days=35, cutoff_date=None).response
    <Response.PR: 'PR'>
    """
    require_date("reference_date", reference_date)
    if not isinstance(measurable_disease, bool):
        raise InputError("measurable_disease", measurable_disease, "true or false")
    require_int("confirmation_days", confirmation_days, low=1, high=_DAYS_MAX)
    require_int("sd_minimum_days", sd_minimum_days, low=0, high=_DAYS_MAX)
    require_int("max_ne_between", max_ne_between, low=0, high=10)
    if cutoff_date is not None:
        require_date("cutoff_date", cutoff_date)
    timepoints = tuple(timepoints)
    impossible = ({Response.NON_CR_NON_PD} if measurable_disease else {Response.PR, Response.SD})
    seen: dict[dt.date, int] = {}
    for i, tp in enumerate(timepoints):
        if not isinstance(tp, DatedResponse):
            raise InputError(f"timepoints[{i}]", tp, "a DatedResponse")
        if tp.date <= reference_date:
            raise InputError(f"timepoints[{i}].date", tp.date.isoformat(),
                             f"a date after the reference date ({reference_date.isoformat()})")
        if tp.date in seen:
            raise InputError(f"timepoints[{i}].date", tp.date.isoformat(), "a date no other timepoint has",
                             f"timepoints[{seen[tp.date]}] has the same date")
        seen[tp.date] = i
        if tp.response in impossible:
            raise InputError(f"timepoints[{i}].response", tp.response.value,
                             "CR, PR, SD, PD or NE with target lesions" if measurable_disease
                             else "CR, non-CR-non-PD, PD or NE without target lesions")
    sd_from = reference_date + dt.timedelta(days=sd_minimum_days)
    steps = [f"reference date {reference_date.isoformat()}; CR/PR confirmed by an assessment >= "
             f"{confirmation_days} days later; SD counts from {sd_from.isoformat()} "
             f"(>= {sd_minimum_days} days after the reference date)"]
    if cutoff_date is not None:
        steps.append(f"cut-off {cutoff_date.isoformat()}: later assessments excluded")

    readings: list[BorReading] = []
    timeline: list[tuple[dt.date, Response, Response]] = []  # date, as given, as read
    notes: list[str] = []
    last_cr: dt.date | None = None
    progressed: dt.date | None = None
    for tp in sorted(timepoints, key=lambda tp: tp.date):
        if cutoff_date is not None and tp.date > cutoff_date:
            readings.append(BorReading(tp.date, tp.response, tp.response, None, None,
                                       f"after the cut-off {cutoff_date.isoformat()}: excluded"))
        elif progressed is not None:
            readings.append(BorReading(tp.date, tp.response, tp.response, None, None,
                                       f"after progression on {progressed.isoformat()}: excluded"))
        else:
            read_as = tp.response
            if last_cr is not None and tp.response is Response.SD:
                read_as = Response.PD
                notes.append(f"{tp.date.isoformat()} SD after CR on {last_cr.isoformat()}: target disease "
                             "seen again, read as PD (RECIST 1.1 Table 3 note); if that CR was not real, "
                             "correct it to PR in the data")
            elif last_cr is not None and tp.response is Response.PR:
                notes.append(f"warning: {tp.date.isoformat()} PR after CR on {last_cr.isoformat()}, counted "
                             "as given; if disease reappeared it is PD, if the CR was not real the CR is PR "
                             "(RECIST 1.1 Table 3 note): check the data")
            if read_as is Response.CR:
                last_cr = tp.date
            if read_as is Response.PD:
                progressed = tp.date
            timeline.append((tp.date, tp.response, read_as))

    read = [(date, read_as) for date, _, read_as in timeline]
    stable = Response.SD if measurable_disease else Response.NON_CR_NON_PD
    for k, (date, given, read_as) in enumerate(timeline):
        confirmed_by: dt.date | None = None
        why = ""
        if read_as in (Response.CR, Response.PR):
            confirmed_by, why = _confirmation(k, read, confirmation_days, max_ne_between)
        days = (date - reference_date).days
        if confirmed_by is not None:
            counts, reason = read_as, f"{why}: {read_as.label}"
        elif read_as in (Response.CR, Response.PR, Response.SD, Response.NON_CR_NON_PD):
            prefix = f"{why}; " if why else ""
            if date >= sd_from:
                counts = stable
                reason = (f"{prefix}{days} days after the reference date (>= {sd_minimum_days}): "
                          f"{stable.label}")
            else:
                counts = Response.NE
                reason = (f"{prefix}{days} days after the reference date (< {sd_minimum_days}): "
                          f"too early for {stable.label}: NE")
        else:
            counts, reason = read_as, read_as.label
        readings.append(BorReading(date, given, read_as, counts, confirmed_by, reason))
    readings.sort(key=lambda r: r.date)

    steps.extend(notes)
    for r in readings:
        shown = r.response.label
        if r.read_as is not r.response:
            shown += f" (read as {r.read_as.label})"
        steps.append(f"{r.date.isoformat()} {shown}: {r.reason}")
    best = min((r for r in readings if r.counts_as is not None),
               key=lambda r: (RESPONSE_ORDER.index(r.counts_as or Response.NE), r.date), default=None)
    if best is None or best.counts_as is None:
        steps.append("no assessment to evaluate: best overall response NE")
        return BestOverallResponse(Response.NE, None, None, measurable_disease, reference_date,
                                   confirmation_days, sd_minimum_days, cutoff_date, tuple(readings),
                                   tuple(steps))
    confirmed = f", confirmed {best.confirmed_by.isoformat()}" if best.confirmed_by else ""
    steps.append(f"best overall response: {best.counts_as.label} ({best.date.isoformat()}{confirmed})")
    return BestOverallResponse(best.counts_as, best.date, best.confirmed_by, measurable_disease,
                               reference_date, confirmation_days, sd_minimum_days, cutoff_date,
                               tuple(readings), tuple(steps))


@dataclass(frozen=True, slots=True)
class RecistEvaluation:
    """A participant's RECIST 1.1 evaluation: baseline, each timepoint, and the BOR.

    ``excluded`` holds the assessments after the cut-off, which are not evaluated.
    """

    baseline: BaselineCheck
    baseline_date: dt.date
    timepoints: tuple[TimepointResult, ...]
    excluded: tuple[FollowUpAssessment, ...]
    best: BestOverallResponse


def evaluate_recist(*, baseline_date: dt.date, baseline_lesions: Sequence[BaselineLesion],
                    assessments: Sequence[FollowUpAssessment], reference_date: dt.date,
                    confirmation_days: int, sd_minimum_days: int,
                    cutoff_date: dt.date | None) -> RecistEvaluation:
    """Check the baseline, evaluate every assessment up to the cut-off, and derive the BOR.

    Parameters are those of :func:`~hipectrial.clinical.recist.baseline.check_baseline`,
    :func:`~hipectrial.clinical.recist.timepoint.timepoint_responses` and
    :func:`best_overall_response`; assessments after ``cutoff_date`` are neither evaluated
    nor counted (they are returned in ``excluded``).

    Raises
    ------
    InputError
        For a baseline with problems (all of them listed) and as the functions above.

    Examples
    --------
    >>> d = dt.date
    >>> from hipectrial.clinical.recist.baseline import BaselineLesion
    >>> from hipectrial.clinical.recist.timepoint import TargetMeasurement
    >>> def scan(day, mm):
    ...     return FollowUpAssessment(date=day, targets=(TargetMeasurement(lesion_id="T1",
    ...                                                                    longest_diameter_mm=mm),))
    >>> ev = evaluate_recist(
    ...     baseline_date=d(2025, 1, 2), reference_date=d(2025, 1, 6),
    ...     baseline_lesions=[BaselineLesion(id="T1", organ="liver", role="target", method="ct",
    ...                                      longest_diameter_mm=40)],
    ...     assessments=[scan(d(2025, 2, 17), 26), scan(d(2025, 3, 31), 25), scan(d(2025, 5, 30), 0)],
    ...     confirmation_days=28, sd_minimum_days=35, cutoff_date=d(2025, 5, 20))
    >>> [t.overall_response.value for t in ev.timepoints], len(ev.excluded), ev.best.response.value
    (['PR', 'PR'], 1, 'PR')
    """
    require_date("baseline_date", baseline_date)
    check = check_baseline(lesions=baseline_lesions)
    check.require_ok()
    if cutoff_date is not None:
        require_date("cutoff_date", cutoff_date)
    require_date("reference_date", reference_date)
    kept: list[tuple[int, FollowUpAssessment]] = []
    excluded: list[FollowUpAssessment] = []
    for i, assessment in enumerate(assessments):
        if not isinstance(assessment, FollowUpAssessment):
            raise InputError(f"assessments[{i}]", assessment, "a FollowUpAssessment")
        if cutoff_date is not None and assessment.date > cutoff_date:
            excluded.append(assessment)
            continue
        if assessment.date <= reference_date:
            raise InputError(f"assessments[{i}].date", assessment.date.isoformat(),
                             f"a date after the reference date ({reference_date.isoformat()})",
                             "follow-up assessments come after registration; the baseline is given apart")
        kept.append((i, assessment))
    results = evaluate_series(baseline=check, baseline_date=baseline_date, indexed=kept)
    best = best_overall_response(
        timepoints=[DatedResponse(r.date, r.overall_response) for r in results],
        measurable_disease=check.measurable_disease, reference_date=reference_date,
        confirmation_days=confirmation_days, sd_minimum_days=sd_minimum_days, cutoff_date=cutoff_date)
    return RecistEvaluation(check, baseline_date, results,
                            tuple(sorted(excluded, key=lambda a: a.date)), best)
