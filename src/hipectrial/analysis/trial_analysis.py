"""``analyze_trial``: every endpoint of the protocol and the tables a DSMB report shows.

One call validates a :class:`~hipectrial.data.TrialData` against its
:class:`~hipectrial.protocol.Protocol` (:mod:`.data_check`: an error stops it) and derives,
as of the cut-off (:mod:`.cutoff`), the populations, one result per protocol endpoint (in
protocol order), and the conduct, safety and design tables; :meth:`TrialAnalysis.to_document`
gives all of it as JSON-ready data. The rules are in each module's docstring:
:mod:`.populations`, :mod:`.surgical`, :mod:`.response`, :mod:`.peritoneal`, :mod:`.tte`,
:mod:`.safety`, :mod:`.deaths`, :mod:`.interim` (BOIN, Simon stage 1), :mod:`.primary`,
:mod:`.monitoring`, :mod:`.exposure`, :mod:`.conduct`, :mod:`.accrual`, :mod:`.consort`,
:mod:`.status`, :mod:`.baseline`, :mod:`.course`; what a reader sees of codes and ids is
:mod:`.labels`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from hipectrial.analysis.accrual import Accrual, DataCurrency, accrual, data_currency
from hipectrial.analysis.baseline import BaselineTable, baseline_table
from hipectrial.analysis.conduct import Completeness, Deviations, conduct
from hipectrial.analysis.consort import ConsortStep, consort
from hipectrial.analysis.course import Timeline, timelines
from hipectrial.analysis.cutoff import at_cutoff
from hipectrial.analysis.data_check import DataWarning, check_trial_data
from hipectrial.analysis.deaths import Deaths, deaths
from hipectrial.analysis.document import JsonValue, to_jsonable
from hipectrial.analysis.exposure import AgentExposure, exposure
from hipectrial.analysis.facts import Facts, collect_facts
from hipectrial.analysis.interim import (
    BoinCohort,
    DoseFindingStatus,
    SimonStage1,
    boin_cohorts,
    dose_finding_status,
    simon_stage1,
)
from hipectrial.analysis.labels import Labels
from hipectrial.analysis.monitoring import SafetyMonitoringStatus, safety_monitoring_status
from hipectrial.analysis.peritoneal import cytology_conversion_value, pci_change_value
from hipectrial.analysis.populations import Populations, StudyGroup, build_populations, study_groups
from hipectrial.analysis.primary import PrimaryEndpoint, primary_endpoint, simon_population
from hipectrial.analysis.response import (
    LesionChange,
    ParticipantResponse,
    evaluate_participant,
    lesion_change,
)
from hipectrial.analysis.results import (
    BinaryValue,
    EndpointResult,
    EndpointValue,
    ParticipantNote,
    TimeToEventValue,
    binary_value,
)
from hipectrial.analysis.safety import SafetyTables, adverse_event_value, dlt_value, safety_tables
from hipectrial.analysis.screening import EligibilityOutcome, recompute_eligibility
from hipectrial.analysis.status import ParticipantStatus, participant_status
from hipectrial.analysis.surgical import (
    conversion_value,
    morbidity_value,
    mortality_anchor,
    mortality_value,
    pcr_value,
    r0_value,
    trg_value,
)
from hipectrial.analysis.tte import km_summary, tte_rows
from hipectrial.clinical.recist import Response
from hipectrial.data import TrialData
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol
from hipectrial.protocol.endpoints import Censoring, Derivation, Endpoint, Population

CONF_LEVEL = 0.95


@dataclass(frozen=True, slots=True)
class TrialAnalysis:
    """Everything :func:`analyze_trial` derives. See the module docstring."""

    protocol_id: str
    protocol_version: str
    cutoff: dt.date
    populations: Populations
    endpoints: tuple[EndpointResult, ...]
    dose_finding: DoseFindingStatus
    simon: SimonStage1
    safety_monitoring: SafetyMonitoringStatus | None
    exposure: tuple[AgentExposure, ...]
    deviations: Deviations
    completeness: Completeness
    accrual: Accrual
    baseline: BaselineTable
    consort: tuple[ConsortStep, ...]
    eligibility: tuple[EligibilityOutcome, ...]
    lesion_changes: tuple[LesionChange, ...]
    timelines: tuple[Timeline, ...]
    data_warnings: tuple[DataWarning, ...]
    groups: tuple[StudyGroup, ...]
    status: ParticipantStatus
    data_currency: DataCurrency
    deaths: Deaths
    safety_tables: SafetyTables
    boin_cohorts: tuple[BoinCohort, ...]
    primary: PrimaryEndpoint

    def endpoint(self, endpoint_id: str) -> EndpointResult:
        """The result of endpoint ``endpoint_id``; ``KeyError`` when the protocol has none."""
        for e in self.endpoints:
            if e.endpoint_id == endpoint_id:
                return e
        raise KeyError(endpoint_id)

    def to_document(self) -> dict[str, JsonValue]:
        """The whole analysis as JSON-ready data (deterministic: same input, same document)."""
        pops = self.populations
        document: dict[str, JsonValue] = {
            "protocol_id": self.protocol_id, "protocol_version": self.protocol_version,
            "cutoff": self.cutoff.isoformat(),
            "populations": {
                "sets": {p.value: list(pops.sets[p]) for p in Population},
                "rules": {p.value: pops.rules[p] for p in Population},
                "registered": list(pops.registered), "part_a": list(pops.part_a), "part_b": list(pops.part_b),
                "notes": to_jsonable(pops.notes),
            },
        }
        for name in ("endpoints", "dose_finding", "simon", "safety_monitoring", "exposure", "deviations",
                     "completeness", "accrual", "baseline", "consort", "eligibility", "lesion_changes",
                     "timelines", "groups", "status", "data_currency", "deaths", "safety_tables",
                     "boin_cohorts", "primary"):
            document[name] = to_jsonable(getattr(self, name))
        document["data_warnings"] = [
            {"location": w.finding.location, "key": w.finding.key, "field": w.finding.field,
             "message": w.finding.message, "participant_id": w.participant_id}
            for w in self.data_warnings]
        return document


@dataclass(frozen=True, slots=True)
class _Context:
    protocol: Protocol
    facts: Mapping[str, Facts]
    populations: Populations
    responses: Mapping[str, ParticipantResponse]
    survival_days: tuple[int, ...]
    labels: Labels


def _response_value(ctx: _Context, population: str, ids: Sequence[str], control: bool) -> BinaryValue:
    wanted = ((Response.CR, Response.PR, Response.SD, Response.NON_CR_NON_PD) if control
              else (Response.CR, Response.PR))
    events, notes = [], []
    reasons: dict[str, str] = {}
    for pid in ids:
        r = ctx.responses.get(pid)
        bor = r.bor if r is not None else None
        if bor is not None and bor.response in wanted:
            events.append(pid)
        if bor is None or bor.response is Response.NE:
            why = "; ".join(r.notes) if r is not None and r.notes else "no evaluable assessment"
            notes.append(ParticipantNote(pid, f"best overall response NE ({why}): counted as non-responder"))
            reasons[pid] = f"best overall response NE ({why})"
        else:
            reasons[pid] = f"best overall response {Labels.response(bor.response.value)}"
    return binary_value(population=population, numerator=events, denominator=ids, notes=notes,
                        conf_level=CONF_LEVEL, reasons=reasons)


def _tte(ctx: _Context, ep: Endpoint, population: str, ids: Sequence[str]) -> TimeToEventValue:
    # The event follows the censoring rule: FDA PFS censoring is progression or death (a PFS
    # endpoint, or a PFS rate at a day), last known alive is death (OS and OS rates).
    pfs = ep.derivation is Derivation.PROGRESSION_FREE_SURVIVAL or ep.censoring is Censoring.FDA_PFS
    rows, notes = tte_rows(protocol=ctx.protocol, ids=ids, facts=ctx.facts, pfs=pfs, origin=ep.origin,
                           responses=ctx.responses)
    days = (ep.at_days,) if ep.at_days is not None else ctx.survival_days
    km, km_note = km_summary(rows, days, CONF_LEVEL)
    return TimeToEventValue(population, ep.origin.value if ep.origin else "registration",
                            ep.censoring.value if ep.censoring else "", rows, km, km_note, notes)


def _value(ctx: _Context, ep: Endpoint, population: Population) -> EndpointValue:
    ids, name, facts, d = ctx.populations[population], population.value, ctx.facts, ep.derivation
    at = ep.at_days or 30
    by_derivation: dict[Derivation, Callable[[], EndpointValue]] = {
        Derivation.R0_RESECTION: lambda: r0_value(name, ids, facts, CONF_LEVEL, ctx.labels),
        Derivation.CONVERSION_SURGERY: lambda: conversion_value(name, ids, facts, CONF_LEVEL, ctx.labels),
        Derivation.CONFIRMED_OBJECTIVE_RESPONSE: lambda: _response_value(ctx, name, ids, control=False),
        Derivation.DISEASE_CONTROL: lambda: _response_value(ctx, name, ids, control=True),
        Derivation.PCI_CHANGE: lambda: pci_change_value(name, ids, facts),
        Derivation.CYTOLOGY_CONVERSION: lambda: cytology_conversion_value(name, ids, facts, CONF_LEVEL),
        Derivation.PATHOLOGICAL_COMPLETE_RESPONSE: lambda: pcr_value(name, ids, facts, CONF_LEVEL),
        Derivation.TUMOUR_REGRESSION_GRADE: lambda: trg_value(name, ids, facts),
        Derivation.PROGRESSION_FREE_SURVIVAL: lambda: _tte(ctx, ep, name, ids),
        Derivation.OVERALL_SURVIVAL: lambda: _tte(ctx, ep, name, ids),
        Derivation.SURVIVAL_AT: lambda: _tte(ctx, ep, name, ids),
        Derivation.ADVERSE_EVENTS: lambda: adverse_event_value(ids, facts),
        Derivation.SURGICAL_MORBIDITY: lambda: morbidity_value(
            name, f"worst Clavien-Dindo within {at} days of conversion surgery", ids, facts, at, day0=False,
            labels=ctx.labels),
        Derivation.MORTALITY_AT: lambda: mortality_value(
            name, ids, {pid: mortality_anchor(facts[pid], population) for pid in ids}, facts, at, CONF_LEVEL),
        Derivation.DLT_RATE: lambda: dlt_value(ctx.protocol, ctx.populations.part_a, ids, facts, CONF_LEVEL),
    }
    return by_derivation[d]()


def _endpoint(ctx: _Context, ep: Endpoint) -> EndpointResult:
    also = [_value(ctx, ep, p) for p in ep.also_reported_in]
    if ep.derivation is Derivation.SURGICAL_MORBIDITY:
        at = ep.at_days or 30
        also.append(morbidity_value(Population.ITT.value, f"worst Clavien-Dindo within {at} days of the "
                                    "day-0 HIPEC", ctx.populations[Population.ITT], ctx.facts, at, day0=True,
                                    labels=ctx.labels))
    return EndpointResult(ep.id, ep.name.en, ep.role, ep.kind, ep.derivation, ep.population, ep.at_days,
                          _value(ctx, ep, ep.population), tuple(also))


def analyze_trial(*, trial: TrialData, protocol: Protocol, cutoff: dt.date | None = None) -> TrialAnalysis:
    """Derive every endpoint and table of ``protocol`` from ``trial`` as of ``cutoff``.

    Parameters
    ----------
    trial
        The trial's records (the EDC snapshot, the simulator's output, an import).
    protocol
        The protocol the records were collected under.
    cutoff
        The data cut-off; default ``trial.generated_at``'s date. Records dated after it
        are left out (:func:`~hipectrial.analysis.cutoff.at_cutoff`).

    Raises
    ------
    InputError
        When the trial's protocol id is not the protocol's, or the cut-off is not a date or
        is after the data's own date (``generated_at``).
    DataInvalidError
        When :func:`hipectrial.data.validate` finds an error in ``trial``: nothing is
        analysed unvalidated (:mod:`~hipectrial.analysis.data_check`); its warnings are kept
        in ``data_warnings``.
    """
    if trial.protocol_id != protocol.study.id:
        raise InputError("trial.protocol_id", trial.protocol_id,
                         f"the protocol's study id {protocol.study.id!r}")
    day = trial.generated_at.date() if cutoff is None else cutoff
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise InputError("cutoff", cutoff, "a date (YYYY-MM-DD)")
    if day > trial.generated_at.date():
        raise InputError("cutoff", day.isoformat(), f"on or before the data's own date "
                         f"({trial.generated_at.date().isoformat()}): what happened later is not in the data")
    checked = check_trial_data(trial=trial, protocol=protocol)
    warnings = checked.as_of(day)
    data = at_cutoff(trial, day)
    facts = collect_facts(trial=data, protocol=protocol)
    eligibility = {pid: recompute_eligibility(protocol=protocol, facts=f) for pid, f in facts.items()}
    responses = {pid: evaluate_participant(protocol=protocol, facts=f) for pid, f in facts.items()
                 if f.registration_date is not None}
    pops = build_populations(protocol=protocol, facts=facts, responses=responses, eligibility=eligibility,
                             as_of=day)
    survival_days = tuple(sorted({e.at_days for e in protocol.endpoints
                                  if e.derivation is Derivation.SURVIVAL_AT and e.at_days is not None}))
    labels = Labels(protocol)
    ctx = _Context(protocol, facts, pops, responses, survival_days, labels)
    endpoints = tuple(_endpoint(ctx, ep) for ep in protocol.endpoints)
    safety = pops[Population.SAFETY]
    groups = study_groups(protocol, pops, facts)
    devs, completeness = conduct(protocol, pops.registered, facts, day)
    part_b_safety = [pid for pid in pops.part_b if pid in set(safety)]
    cohorts = boin_cohorts(protocol=protocol, part_a=pops.part_a, facts=facts, as_of=day)
    dose_finding = dose_finding_status(protocol, pops.part_a, pops[Population.DLT_EVALUABLE], facts,
                                       cohorts=cohorts)
    simon = simon_population(protocol=protocol, populations=pops, facts=facts, dose_finding=dose_finding)
    stage1 = simon_stage1(protocol=protocol, part_b_itt=simon.participant_ids, facts=facts)
    return TrialAnalysis(
        protocol_id=protocol.study.id, protocol_version=trial.protocol_version, cutoff=day, populations=pops,
        endpoints=endpoints,
        dose_finding=dose_finding, simon=stage1,
        safety_monitoring=safety_monitoring_status(protocol, part_b_safety, facts),
        exposure=exposure(protocol, safety, facts), deviations=devs, completeness=completeness,
        accrual=accrual(data, day),
        baseline=baseline_table(protocol=protocol, populations=pops, facts=facts, labels=labels),
        consort=consort(facts, eligibility, groups, labels),
        eligibility=tuple(eligibility.values()),
        lesion_changes=tuple(lesion_change(responses[pid], reg) for pid in pops[Population.MEASURABLE]
                             if (reg := facts[pid].registration_date) is not None),
        timelines=timelines(protocol, pops.registered, facts, responses),
        data_warnings=warnings, groups=groups, status=participant_status(groups, facts, labels),
        data_currency=data_currency(trial=data, protocol=protocol, cutoff=day, warnings=warnings),
        deaths=deaths(protocol=protocol, facts=facts, groups=groups),
        safety_tables=safety_tables(protocol=protocol, groups=groups, safety=safety, facts=facts),
        boin_cohorts=cohorts,
        primary=primary_endpoint(protocol=protocol, populations=pops, facts=facts, dose_finding=dose_finding,
                                 simon=simon, stage1=stage1, conf_level=CONF_LEVEL, labels=labels))
