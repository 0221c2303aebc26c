"""The DSMB report's summary: headline numbers and the decisions the board must see first.

Headlines: registration by part, the primary endpoint in the population the Simon design is
powered on (Part B at the RP2D), the all-ITT rate as secondary, conversion surgery,
responses, deaths (treatment-related and post-operative called out), severe related
toxicity and median survival. Decisions: the BOIN dose finding, the Simon stage-1 look and,
separately, the final analysis, the Part B safety monitoring, deaths that need the board's
attention, and the state of the data. Every number is the analysis' own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from hipectrial.analysis.labels import Labels
from hipectrial.analysis.results import BinaryValue, TimeToEventValue
from hipectrial.analysis.safety import SEVERE_RELATED
from hipectrial.analysis.trial_analysis import TrialAnalysis
from hipectrial.report import numbers as fmt
from hipectrial.report.document import Block, Callout, CalloutKind, Metric, MetricGrid, Paragraph
from hipectrial.report.dsmb_common import listing_id
from hipectrial.report.dsmb_conduct import finding_counts

V = TypeVar("V", BinaryValue, TimeToEventValue)

NOTICE_SIMULATED = "SIMULATED DATA: virtual participants, not patients"
NO_PART_B_YET = ("No recommended phase II dose has been selected and no participant is registered in Part B "
                 "yet.")
# Treatment-related or post-operative deaths described one by one in the summary; the rest are
# counted and left to the deaths section.
DEATHS_DESCRIBED = 5


def endpoint_value(analysis: TrialAnalysis, endpoint_id: str, kind: type[V]) -> V | None:
    """The value of an endpoint when the protocol has it and it is of ``kind``; else ``None``
    (another protocol may define other endpoints: the report leaves the headline out)."""
    try:
        value = analysis.endpoint(endpoint_id).value
    except KeyError:
        return None
    return value if isinstance(value, kind) else None


def _rate_metric(label: str, value: BinaryValue, link: str, also: str = "") -> Metric:
    interval = fmt.interval(value.estimate).strip(" ()")
    parts = [f"exact {interval}" if interval else "no participant in the population yet"]
    if value.pending_ids:
        parts.append(f"{len(value.pending_ids)} of {value.estimate.n}: {value.pending_rule}")
    if also:
        parts.append(also)
    return Metric(label=label, value=fmt.rate(value.estimate), detail="; ".join(parts), link=link)


def _binary_metric(analysis: TrialAnalysis, endpoint_id: str, label: str) -> Metric | None:
    value = endpoint_value(analysis, endpoint_id, BinaryValue)
    if value is None:
        return None
    return _rate_metric(label, value, listing_id(endpoint_id, value.population))


def _median_metric(analysis: TrialAnalysis, endpoint_id: str, label: str) -> Metric | None:
    value = endpoint_value(analysis, endpoint_id, TimeToEventValue)
    if value is None or value.km is None:
        return None
    km = value.km
    shown = "not reached" if km.median_days is None else f"{fmt.months(km.median_days)}{fmt.NBSP}months"
    return Metric(
        label=label,
        value=shown,
        detail=(f"{fmt.fixed(km.median_days, 0)}{fmt.NBSP}days; " if km.median_days is not None else "")
        + f"95{fmt.NBSP}% CI {fmt.bound(km.median_lower)}–{fmt.bound(km.median_upper)} days; "
        f"{fmt.plural(km.events, 'event')} among {km.n}",
        link=listing_id(endpoint_id, value.population),
    )


def metrics(analysis: TrialAnalysis) -> MetricGrid:
    pops = analysis.populations
    screened = analysis.consort[0].n if analysis.consort else 0
    out = [Metric(label="Registered", value=str(len(pops.registered)),
                  detail=f"Part A {len(pops.part_a)} · Part B {len(pops.part_b)} · screened {screened}",
                  link="table-populations")]
    primary = analysis.primary
    if primary.rp2d is not None:
        designed, final = primary.designed, primary.final
        also = (f"the Simon final analysis counts the first {final.n}"
                if final.estimate is not None and final.stage == 2 and designed.estimate.n != final.n else "")
        out.append(_rate_metric(f"Primary: R0 resection, Part B at the RP2D (level {primary.rp2d})",
                                designed, listing_id(primary.endpoint_id, designed.population), also))
    metric = _binary_metric(analysis, primary.endpoint_id, "R0 resection, all ITT (secondary)")
    out += [m for m in (metric,
                        _binary_metric(analysis, "conversion-surgery-rate", "Conversion surgery (ITT)"),
                        _binary_metric(analysis, "orr", "Confirmed objective response"))
            if m is not None]
    summary = analysis.deaths.summary
    out.append(Metric(label="Deaths (all causes)", value=str(summary.total.count),
                      detail=f"treatment-related {summary.treatment_related.count} · post-operative "
                      f"{summary.post_operative.count}", link="table-deaths"))
    severe = next((c for c in _ae_summary(analysis) if c[0] == SEVERE_RELATED), None)
    if severe is not None:
        _, participants, n = severe
        out.append(Metric(label="Grade ≥ 3 treatment-related adverse event",
                          value=fmt.count_of(participants, n),
                          detail=f"of {fmt.plural(n, 'participant')} treated",
                          link="table-ae-groups"))
    out += [m for m in (_median_metric(analysis, "pfs", "Median progression-free survival"),
                        _median_metric(analysis, "os", "Median overall survival")) if m is not None]
    return MetricGrid(metrics=tuple(out))


def _ae_summary(analysis: TrialAnalysis) -> list[tuple[str, int, int]]:
    tables = analysis.safety_tables
    every = next((g for g in tables.by_group if g.group_id == "all"), None)
    if every is None:
        return []
    return [(c.category, c.participants, every.n) for c in every.summary]


def dose_finding_callout(analysis: TrialAnalysis) -> Callout:
    """Where Part A's dose finding stands: the dose selected, the last BOIN decision, or none yet."""
    df = analysis.dose_finding
    after = f" after cohort {df.decided_after_cohort}" if df.decided_after_cohort else ""
    if df.selected_level is not None:
        level = next((lv for lv in df.levels if lv.level == df.selected_level), None)
        dose = f" ({level.dose})" if level is not None else ""
        return Callout(kind=CalloutKind.OK,
                       title=f"Dose finding complete: dose level {df.selected_level}{dose} selected as the "
                       "recommended phase II dose",
                       text=f"BOIN stopped{after}: {df.reason or df.selection_reason}.")
    if df.action is None:
        pending = f" ({fmt.plural(len(df.pending_ids), 'DLT outcome')} pending)" if df.pending_ids else ""
        return Callout(kind=CalloutKind.INFO, title="Dose finding: no Part A cohort completed yet",
                       text=f"No BOIN decision has been taken{pending}.")
    why = f" ({df.reason})" if df.reason else ""
    if df.action == "stop":
        return Callout(kind=CalloutKind.STOP, title="Dose finding stopped without selecting a dose",
                       text=f"BOIN stopped{after}{why}: no dose level is recommended for phase II.")
    next_level = f": next cohort at dose level {df.next_level}" if df.next_level else ""
    pending = (f" {fmt.plural(len(df.pending_ids), 'DLT outcome')} of later cohorts pending."
               if df.pending_ids else "")
    return Callout(kind=CalloutKind.INFO, title=f"Dose finding: BOIN decision {df.action}{next_level}",
                   text=f"The last decision was taken{after}{why}; no dose is selected until the design "
                   f"stops.{pending}")


def _stage1(analysis: TrialAnalysis) -> Callout:
    s = analysis.simon
    closed = analysis.primary.part_b_closed
    if closed is not None:
        return Callout(kind=CalloutKind.STOP, title="Simon stage 1: Part B does not open", text=closed)
    if analysis.primary.rp2d is None:
        return Callout(kind=CalloutKind.INFO, title="Simon stage 1: Part B has not started",
                       text=f"{NO_PART_B_YET} The look counts the first {s.n1} Part B ITT participants "
                       f"at the RP2D ({s.rule}).")
    if not s.made:
        known = s.n1 - s.missing
        return Callout(kind=CalloutKind.INFO, title="Simon stage 1: the look cannot be made yet",
                       text=fmt.sentences([f"{known} of the first {s.n1} Part B ITT participants at the RP2D "
                                           f"{'has' if known == 1 else 'have'} a known R0 outcome; "
                                           f"{s.responses} R0 so far ({s.rule})", *s.reasons]))
    kind = CalloutKind.STOP if s.decision == "stop for futility" else CalloutKind.OK
    when = f"on {s.look_date.isoformat()}" if s.look_date is not None else "(date not recorded)"
    return Callout(kind=kind, title=f"Simon stage 1: {s.decision}",
                   text=f"{fmt.plural(s.responses, 'R0 resection')} among the first {s.n1} Part B ITT "
                   f"participants at the RP2D ({s.rule}); the look was possible {when}, when the last of "
                   "their outcomes was known.")


def _final(analysis: TrialAnalysis) -> Callout:
    final = analysis.primary.final
    if analysis.primary.part_b_closed is not None:
        return Callout(kind=CalloutKind.STOP, title="Simon final analysis: Part B does not open",
                       text=analysis.primary.part_b_closed)
    if analysis.primary.rp2d is None:
        return Callout(kind=CalloutKind.INFO, title="Simon final analysis: Part B has not started",
                       text=f"{NO_PART_B_YET} The analysis counts the first {final.n} Part B ITT "
                       f"participants at the RP2D ({final.rule}).")
    known = len(final.participant_ids) - len(final.pending_ids)
    estimate = final.estimate
    if estimate is None:
        return Callout(kind=CalloutKind.INFO, title="Simon final analysis: not yet complete",
                       text=fmt.sentences([f"{fmt.plural(final.responses, 'R0 resection')} among {known} of "
                                           f"the first {final.n} Part B ITT participants with a known "
                                           f"outcome ({final.rule})", *final.reasons]))
    interval = fmt.ci_range(estimate.conf_level, estimate.ci_lower, estimate.ci_upper)
    kind = CalloutKind.OK if final.reject_h0 else CalloutKind.WARNING
    return Callout(kind=kind, title=f"Simon final analysis: {final.decision}",
                   text=f"{fmt.plural(estimate.responses, 'R0 resection')} among {estimate.enrolled} Part B "
                   f"ITT participants ({final.rule}). Simon-adjusted estimate (UMVUE) "
                   f"{fmt.percent(estimate.umvue)}, stage-wise {interval}; one-sided p "
                   f"{fmt.p_value(estimate.p_value)} against H0: R0 rate ≤ "
                   f"{fmt.percent(estimate.p0, digits=0)}. Naive {fmt.proportion(estimate.naive)}.")


def _safety_monitoring(analysis: TrialAnalysis) -> Callout | None:
    """The Part B monitoring in one of four states: not started, the rule met at a look,
    above the bound since the last look (or beyond the planned looks), no signal."""
    sm = analysis.safety_monitoring
    if sm is None:
        return None
    title = "Safety monitoring (Part B): "
    treated = len(sm.participants)
    closed = analysis.primary.part_b_closed
    if treated == 0:
        return Callout(kind=CalloutKind.INFO, title=title + ("not applicable" if closed else "not started"),
                       text=closed or "No Part B participant has been treated yet.")
    bound = (f"P(rate > {fmt.percent(sm.threshold, digits=0)} | data) above "
             f"{fmt.fixed(sm.posterior_cutoff, 2)}")
    posterior = fmt.fixed(sm.current_posterior or 0, 3)
    now = (f"{fmt.plural(len(sm.event_ids), 'participant')} with severe toxicity among {treated} treated; "
           f"P(rate > {fmt.percent(sm.threshold, digits=0)} | data) = {posterior}")
    stop = sm.first_stop
    if stop is not None:
        return Callout(kind=CalloutKind.STOP,
                       title=title + f"stopping rule met at the look after {stop.n} treated",
                       text=f"{stop.events} of the first {stop.n} with severe toxicity: {bound} "
                       f"(P = {fmt.fixed(stop.posterior, 3)}). Now {now}.")
    if sm.above_bound:
        where = (f"after the protocol's last planned look (n = {sm.last_look_n})" if treated > sm.last_look_n
                 else f"between looks (the next after {(treated // sm.every_n + 1) * sm.every_n} treated)")
        return Callout(kind=CalloutKind.WARNING, title=title + "above the stopping bound " + where,
                       text=f"{now}, above {fmt.fixed(sm.posterior_cutoff, 2)}. No planned look has met the "
                       "rule.")
    return Callout(kind=CalloutKind.OK, title=title + "no signal",
                   text=f"{now} (stop above {fmt.fixed(sm.posterior_cutoff, 2)} at a look every {sm.every_n} "
                   "treated).")


def _deaths(analysis: TrialAnalysis, labels: Labels) -> Callout | None:
    rows = [r for r in analysis.deaths.rows if r.treatment_related or r.post_operative]
    if not rows:
        return None
    lines = []
    for r in rows[:DEATHS_DESCRIBED]:
        kinds = " and ".join(k for k, on in (("treatment-related", r.treatment_related),
                                             ("post-operative", r.post_operative)) if on)
        cause = labels.field("cause_of_death", r.cause) if r.cause else "cause not recorded"
        why = "; ".join(w for w in (*r.treatment_related_by, *r.post_operative_by)
                        if not w.startswith("cause of death"))  # the cause is said already
        why = why or "by its cause"
        lines.append(f"{r.participant_id} died on {r.death_date.isoformat()} ({cause}): {kinds} — {why}.")
    if len(rows) > DEATHS_DESCRIBED:
        lines.append(f"{len(rows) - DEATHS_DESCRIBED} more in the deaths section.")
    s = analysis.deaths.summary
    return Callout(kind=CalloutKind.WARNING,
                   title=f"Deaths: {s.treatment_related.count} treatment-related, {s.post_operative.count} "
                   "post-operative", text=" ".join(lines))


def _data_quality(analysis: TrialAnalysis, labels: Labels) -> Callout:
    counts = finding_counts(analysis, labels)
    if not counts:
        return Callout(kind=CalloutKind.OK, title="Data quality: no open finding",
                       text="The data passed the protocol's validation without warnings, and every record "
                       "could be used as it is.")
    total = sum(counts.values())
    parts = [f"{fmt.plural(n, 'finding')}: {kind}" for kind, n in sorted(counts.items())]
    return Callout(kind=CalloutKind.WARNING, title=f"Data quality: {fmt.plural(total, 'finding')} to resolve",
                   text="; ".join(parts) + ". None stops the analysis; each is listed in the data-quality "
                   "listing (appendix).")


def summary_blocks(analysis: TrialAnalysis, labels: Labels, source: str | None) -> Sequence[Block]:
    intro = (f"Data cut-off {analysis.cutoff.isoformat()}. Protocol {analysis.protocol_id} version "
             f"{analysis.protocol_version}. Numbers link to the participants behind them (appendix).")
    if source:
        intro += f" Data: {source}."
    return (Paragraph(intro), metrics(analysis), *decisions(analysis, labels))


def decisions(analysis: TrialAnalysis, labels: Labels) -> tuple[Callout, ...]:
    """The statements the board must see first, in order: dose finding, the Simon stage-1 look,
    the final analysis, the safety monitoring, the deaths to look at, the data quality
    (``hipectrial analyze`` prints the same)."""
    callouts = [dose_finding_callout(analysis), _stage1(analysis), _final(analysis),
                _safety_monitoring(analysis), _deaths(analysis, labels), _data_quality(analysis, labels)]
    return tuple(c for c in callouts if c is not None)
