"""The core's reasons in the page's language.

The clinical engine says why a criterion or the cohort has its verdict
(:class:`~hipectrial.clinical.eligibility.CriterionReason`,
:class:`~hipectrial.clinical.eligibility.CohortReason`) and why a derived value is missing
with its inputs present (:class:`~hipectrial.clinical.records.derived.DerivedReason`), the
screening analysis why eligibility cannot be evaluated
(:class:`~hipectrial.analysis.screening.ScreeningNote`), and the registration rules why the
next participant goes where they go, or why registration waits or is closed
(:mod:`hipectrial.analysis.reasons`, with the design's own reasons nested); each in English
and as a code with parameters (:mod:`hipectrial.phrases`). An English page shows the core's
sentence as it is; a Chinese page words the same phrase from its code: ids, counts and
dates as the core gives them, cohorts, dose levels and variables with the protocol's Chinese
labels. Nothing here decides anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, pgettext_lazy

from hipectrial.analysis.reasons import AssignmentReason, CohortDecisionReason, ReasonPart
from hipectrial.analysis.screening import ScreeningNote
from hipectrial.clinical.eligibility import CohortReason, CriterionReason
from hipectrial.clinical.records.derived import DerivedReason
from hipectrial.clinical.records.values import label_of
from hipectrial.design.boin import BoinReason
from hipectrial.design.dose_finding import Action, StopReason
from hipectrial.edc.participants.labels import list_separator, pick
from hipectrial.phrases import ParamValue, Phrase
from hipectrial.protocol import Protocol

Template = Promise | str

ELIGIBILITY: Mapping[str, Template] = {
    CriterionReason.NOT_APPLICABLE: gettext_lazy("applies to %(cohorts)s only; cohort is %(cohort)s"),
    CriterionReason.COHORT_UNKNOWN: gettext_lazy("applies to %(cohorts)s only; the cohort is unknown"),
    CriterionReason.MISSING: gettext_lazy("unknown: missing %(missing)s"),
    CriterionReason.INCLUSION_HOLDS: gettext_lazy("inclusion criterion holds"),
    CriterionReason.INCLUSION_FAILS: gettext_lazy("inclusion criterion does not hold"),
    CriterionReason.EXCLUSION_APPLIES: gettext_lazy("exclusion applies: excluded"),
    CriterionReason.EXCLUSION_DOES_NOT_APPLY: gettext_lazy("exclusion does not apply"),
    CohortReason.RULE_HOLDS: gettext_lazy("rule of %(cohort)s holds"),
    CohortReason.RULE_UNKNOWN: gettext_lazy("rule of %(rules)s unknown; missing %(missing)s"),
    CohortReason.NO_RULE_HOLDS: gettext_lazy("no cohort rule holds"),
}

DERIVED: Mapping[str, Template] = {
    DerivedReason.NEEDS_BASELINE: gettext_lazy(
        "needs the baseline value, which a single record does not hold"),
    DerivedReason.CRCL_ADULTS_ONLY: gettext_lazy(
        "Cockcroft-Gault is defined for adults aged %(low)s-%(high)s years; %(variable)s is %(age)s"),
}

SCREENING: Mapping[str, Template] = {
    ScreeningNote.NO_RECORDS: gettext_lazy("no screening form records"),
    ScreeningNote.NO_DATE: gettext_lazy("screening forms without a visit date: as_of unknown"),
    # the engine's error stays as it is (its field, value and what was expected)
    ScreeningNote.NOT_RECOMPUTED: gettext_lazy("eligibility not recomputed: %(error)s"),
}

ASSIGNMENT: Mapping[str, Template] = {
    CohortDecisionReason.AFTER_STOP: gettext_lazy("registered after the design stopped (cohort %(stopped)s)"),
    CohortDecisionReason.INCOMPLETE: gettext_lazy(
        "incomplete: %(registered)s of %(size)s registered, no decision"),
    CohortDecisionReason.MAX_COHORTS: gettext_lazy("maximum number of cohorts (%(max)s)"),
    # the design's own reason, worded by DESIGN
    CohortDecisionReason.DESIGN: "%(reason)s",
    AssignmentReason.PART_A_FIRST: gettext_lazy(
        "Part A, cohort 1: the first participant starts at the protocol's starting %(level)s."),
    AssignmentReason.PART_A_JOIN: gettext_lazy(
        "Part A, cohort %(cohort)s: %(registered)s of %(size)s registered at %(level)s; the next joins this "
        "cohort."),
    AssignmentReason.PART_A_NEXT: gettext_lazy(
        "Part A, cohort %(cohort)s: BOIN %(action)s after cohort %(previous)s (%(dlts)s DLT in its "
        "%(evaluable)s DLT-evaluable at %(level)s; %(level_dlts)s DLT in %(level_n)s DLT-evaluable at this "
        "level so far): %(next_level)s%(aside)s."),
    AssignmentReason.WAIT_DLT: gettext_lazy(
        "Registration waits: cohort %(cohort)s at %(level)s is complete, and the next dose is decided only "
        "once every DLT outcome is known (the DLT windows closed). DLT outcome pending for %(pending)s."
        "%(windows)s"),
    AssignmentReason.WAIT_DATA: gettext_lazy(
        "Registration waits: cohort %(cohort)s at %(level)s has its DLT windows closed, but nothing is "
        "recorded about %(participants)s on or after the last day of the DLT window (no visit, dose, lab, "
        "follow-up or DLT): enter their data to the end of the DLT window, then the next dose is decided."),
    AssignmentReason.CLOSED_OTHER_LEVEL: gettext_lazy(
        "Registration closed until the data are reviewed: cohort %(cohort)s was registered at %(level)s, "
        "but after cohort %(previous)s the design said %(said)s."),
    AssignmentReason.CLOSED_NO_DECISION: gettext_lazy(
        "Registration closed until the data are reviewed: no BOIN decision after cohort %(cohort)s "
        "(%(why)s)."),
    AssignmentReason.CLOSED_NO_DOSE: gettext_lazy(
        "Registration closed: Part A stopped after cohort %(cohort)s (%(reason)s) without selecting a dose; "
        "Part B does not open."),
    AssignmentReason.CLOSED_FUTILITY: gettext_lazy(
        "Registration closed: the Simon stage-1 look%(on)s stopped Part B for futility (%(responses)s R0 "
        "resections among the first %(n1)s Part B ITT participants, not more than r1 = %(r1)s)."),
    AssignmentReason.CLOSED_FULL: gettext_lazy(
        "Registration closed: Part B has %(registered)s registrations, the %(enrol)s the protocol enrols to "
        "obtain %(evaluable)s evaluable."),
    AssignmentReason.PART_B: gettext_lazy(
        "Part B at %(level)s: Part A selected %(level)s as the recommended phase II dose (the design stopped "
        "after cohort %(cohort)s: %(reason)s); %(registered)s of %(enrol)s registered.%(look)s"),
    ReasonPart.PENDING_IN_COHORT: gettext_lazy("%(participant)s (cohort %(cohort)s)"),
    ReasonPart.LAST_WINDOW_CLOSES: gettext_lazy(" The last DLT window closes on %(date)s."),
    ReasonPart.WINDOWS_PARTLY_KNOWN: gettext_lazy(
        " Known DLT windows close by %(date)s; the DLT window of %(participants)s is not known yet "
        "(induction cycle 1 not started)."),
    ReasonPart.WINDOWS_UNKNOWN: gettext_lazy(
        " The DLT window of %(participants)s is not known yet (induction cycle 1 not started)."),
    ReasonPart.ASIDE: gettext_lazy(" (%(reason)s)"),
    ReasonPart.SAID_BOIN: gettext_lazy("BOIN %(action)s: %(next_level)s"),
    ReasonPart.SAID_NO_DECISION: gettext_lazy("no BOIN decision (%(reason)s)"),
    ReasonPart.NONE: pgettext_lazy("no reason given", "none"),
    ReasonPart.SHORT_COHORT: gettext_lazy(
        "cohort %(cohort)s has %(registered)s of %(size)s participants yet later cohorts were registered"),
    ReasonPart.NO_DECISION: gettext_lazy("no decision"),
    ReasonPart.LOOK_ON: gettext_lazy(" on %(date)s"),
    ReasonPart.STAGE_2: gettext_lazy(" Stage 1 passed (%(responses)s R0 > r1 = %(r1)s): stage 2."),
    ReasonPart.LOOK_AWAITED: gettext_lazy(
        " The stage-1 look awaits: %(missing)s of the %(n1)s stage-1 outcomes missing: %(missing)s not yet "
        "known (%(participants)s)%(certain)s. The protocol states no pause of accrual for it: registration "
        "goes on."),
    ReasonPart.STAGE_2_CERTAIN: gettext_lazy(
        "; already %(responses)s R0 > r1 = %(r1)s: continuing to stage 2 is certain"),
    ReasonPart.FUTILITY_CERTAIN: gettext_lazy(
        "; even if every missing outcome is R0, stage 1 ends with %(at_most)s <= r1 = %(r1)s: futility is "
        "certain"),
}

# The dose-finding design's own reasons (the parameter of CohortDecisionReason.DESIGN).
DESIGN: Mapping[str, Template] = {
    StopReason.LOWEST_DOSE_TOO_TOXIC: gettext_lazy("lowest dose too toxic"),
    StopReason.ENOUGH_AT_DOSE: gettext_lazy("enough patients at the recommended dose"),
    StopReason.MAX_SAMPLE_SIZE: gettext_lazy("maximum sample size reached"),
    StopReason.MTD_DETERMINED: gettext_lazy("MTD determined"),
    BoinReason.NO_PATIENT_AT_DOSE: gettext_lazy("no patient treated at the current dose yet"),
    BoinReason.LOWEST_DOSE: gettext_lazy("lowest dose: cannot de-escalate"),
    BoinReason.HIGHEST_DOSE: gettext_lazy("highest dose: cannot escalate"),
    BoinReason.NEXT_DOSE_ELIMINATED: gettext_lazy("next dose eliminated"),
    BoinReason.NO_ADMISSIBLE_DOSE: gettext_lazy("no admissible dose treated"),
}

ACTIONS: Mapping[str, Template] = {
    Action.ESCALATE: pgettext_lazy("BOIN decision", "escalate"),
    Action.STAY: pgettext_lazy("BOIN decision", "stay"),
    Action.DE_ESCALATE: pgettext_lazy("BOIN decision", "de-escalate"),
    Action.STOP: pgettext_lazy("BOIN decision", "stop"),
}


def _said(phrase: Phrase, templates: Mapping[str, Template], say: Callable[[str, str], str]) -> str:
    """The phrase by ``templates`` (gettext's, so in the active language); lists with the
    Chinese enumeration comma (the templates are used on Chinese pages only)."""

    def value(name: str, v: ParamValue) -> str:
        if isinstance(v, Phrase):
            return _said(v, templates, say)
        if isinstance(v, tuple):
            return list_separator("zh").join(value(name, item) for item in v)
        return say(name, v) if v else v

    return str(templates[phrase.code]) % {name: value(name, v) for name, v in phrase.params}


def _cohort_label(protocol: Protocol, cohort_id: str, language: str) -> str:
    cohort = next((c for c in protocol.cohorts if c.id == cohort_id), None)
    return pick(cohort.label, language) if cohort is not None else cohort_id


def dose_level_label(protocol: Protocol, level_id: str, language: str) -> str:
    """A dose level as the protocol's ``dose-level`` code list labels it (the id when it has
    no such code)."""
    item = next((i for i in protocol.codelist("dose-level").items if i.code == level_id), None)
    return pick(item.label, language) if item is not None else level_id


def eligibility_reason(reason: str, phrase: Phrase | None, protocol: Protocol, language: str,
                       error: str | None = None) -> str:
    """A reason of the eligibility evaluation (a criterion's, the cohort's, a derived
    value's, or why eligibility cannot be evaluated) in ``language``: the core's English
    ``reason`` on an English page; on a Chinese page the phrase worded with the protocol's
    labels, and the engine's refusal it quotes (``eligibility not recomputed: …``) as
    ``error`` says it in Chinese."""
    if language != "zh" or phrase is None:
        return reason

    def say(name: str, value: str) -> str:
        if name == "error" and error is not None:
            return error
        if name in ("cohort", "cohorts", "rules"):
            return _cohort_label(protocol, value, language)
        if name in ("missing", "variable"):
            return pick(label_of(protocol, value), language)
        return value

    return _said(phrase, {**ELIGIBILITY, **DERIVED, **SCREENING}, say)


def assignment_reason(reason: str, phrase: Phrase, protocol: Protocol, language: str) -> str:
    """Where the next participant goes, or why registration waits or is closed, in
    ``language``: the core's English ``reason`` on an English page; on a Chinese page the
    phrase worded with the protocol's dose level labels and the design's reasons."""
    if language != "zh":
        return reason

    def say(name: str, value: str) -> str:
        if name in ("level", "next_level"):
            return dose_level_label(protocol, value, language)
        if name == "action":
            return str(ACTIONS.get(value, value))
        if name == "reason":  # the design's own reason (CohortDecisionReason.DESIGN)
            return str(DESIGN.get(value, value))
        return value

    return _said(phrase, ASSIGNMENT, say)
