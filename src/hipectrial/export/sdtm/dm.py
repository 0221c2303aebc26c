"""DM (Demographics) and SUPPDM: one record per consented participant.

Sponsor definitions (Define-XML repeats them):

- ``RFSTDTC`` = ``RFXSTDTC``: the first date a study treatment was given (a dose with
  ``given`` > 0: the day-0 HIPEC); ``RFENDTC`` = ``RFXENDTC``: the last such date
  (:mod:`hipectrial.export.sdtm.context`). Empty for a participant never treated.
- ``RFICDTC``: the date of informed consent.
- ``RFPENDTC``: the end of study date for a participant who left the study
  (``off_study_date``); otherwise the date of death or the last date known alive, whichever
  is later (never before consent).
- ``AGE``: completed years from the date of birth to informed consent (the protocol's
  ``age`` variable), ``AGEU`` = YEARS.
- ``ARMCD``/``ARM``: the cohort and dose level assigned at registration
  (:mod:`hipectrial.export.sdtm.arms`); ``ACTARMCD``/``ACTARM``: the same arm for a
  participant who received study treatment (the data record no treatment at another level
  than the one assigned), empty otherwise; ``ARMNRS`` says why they are empty (SCREEN FAILURE:
  off study as a screen failure before registration; NOT ASSIGNED: not registered for
  another reason or still in screening; ASSIGNED, NOT TREATED).
- ``COUNTRY``: the site's country, ISO 3166-1 alpha-3.
- ``RACE``: not collected by the protocol's CRFs (empty; Define-XML origin "Not Available").

SUPPDM carries the study part (``STUDYPRT``, the registration form's ``study_part``) and the
cohort (``COHORT``), which are not standard DM variables.

References
----------
SDTMIG 3.4 §5.2 (DM), §8.4 (SUPPQUAL); CDISC CT SEX (C66731), AGEU (C66781), ARMNULRS
(C142179).
"""

from __future__ import annotations

from hipectrial.analysis.baseline import age_years
from hipectrial.analysis.facts import collect_facts
from hipectrial.data import Participant, TrialData
from hipectrial.errors import InputError
from hipectrial.export.sdtm.arms import Arm, arm_codelists, arms
from hipectrial.export.sdtm.context import StudyContext
from hipectrial.export.sdtm.model import CodeList, Dataset, Origin, Value, Variable, VarType
from hipectrial.export.sdtm.supp import Qualifier, SuppValue, supp_dataset
from hipectrial.export.sdtm.terminology import DECODES, country_alpha3, terminology
from hipectrial.export.sdtm.variables import (
    EXP,
    PERM,
    RECORD,
    REQ,
    SYNONYM,
    build_dataset,
    domain_var,
    dtc,
    iso_date,
    studyid,
    usubjid,
)
from hipectrial.protocol import Protocol

CHAR, NUM = VarType.CHAR, VarType.NUM

# The registration form field holding the study part (docs/trialdata-conventions.md).
STUDY_PART_FIELD = "study_part"
# The protocol field that records a participant's sex (Participant.sex holds its code).
SEX_FIELD = "sex"
SCREEN_FAILURE_REASON = "screen_failure"  # the eos-reason code of a screen failure


def _variables() -> tuple[Variable, ...]:
    collected, derived = Origin.COLLECTED, Origin.DERIVED
    return (
        studyid(), domain_var(), usubjid(),
        Variable("SUBJID", "Subject Identifier for the Study", CHAR, REQ, "Topic", Origin.ASSIGNED,
                 comment="The site-prefixed participant id given at consent."),
        dtc("RFSTDTC", "Subject Reference Start Date/Time", EXP, derived,
            "First date a dose of any study agent was given (given > 0): the day-0 HIPEC."),
        dtc("RFENDTC", "Subject Reference End Date/Time", EXP, derived,
            "Last date a dose of any study agent was given (given > 0)."),
        dtc("RFXSTDTC", "Date/Time of First Study Treatment", EXP, derived,
            "First date a dose of any study agent was given (given > 0)."),
        dtc("RFXENDTC", "Date/Time of Last Study Treatment", EXP, derived,
            "Last date a dose of any study agent was given (given > 0)."),
        dtc("RFICDTC", "Date/Time of Informed Consent", EXP, collected),
        dtc("RFPENDTC", "Date/Time of End of Participation", EXP, derived,
            "The end-of-study date of a participant who left the study; otherwise the later of "
            "the date of death and the last date known alive (never before consent)."),
        dtc("DTHDTC", "Date/Time of Death", EXP, collected),
        Variable("DTHFL", "Subject Death Flag", CHAR, EXP, RECORD, derived, codelist="NY",
                 derivation="Y when a date of death is recorded, else empty."),
        Variable("SITEID", "Study Site Identifier", CHAR, REQ, RECORD, Origin.ASSIGNED),
        dtc("BRTHDTC", "Date/Time of Birth", PERM, collected),
        Variable("AGE", "Age", NUM, EXP, RECORD, derived,
                 derivation="Completed years from BRTHDTC to RFICDTC (the protocol's age variable)."),
        Variable("AGEU", "Age Units", CHAR, EXP, "Variable Qualifier", Origin.ASSIGNED, codelist="AGEU"),
        Variable("SEX", "Sex", CHAR, REQ, RECORD, collected, codelist="SEX"),
        Variable("RACE", "Race", CHAR, EXP, RECORD, Origin.NOT_AVAILABLE,
                 comment="Race is not collected by the protocol's case report forms."),
        Variable("ARMCD", "Planned Arm Code", CHAR, EXP, RECORD, Origin.ASSIGNED, codelist="ARMCD",
                 comment="Cohort x HIPEC dose level assigned at registration (see TA)."),
        Variable("ARM", "Description of Planned Arm", CHAR, EXP, SYNONYM, Origin.ASSIGNED, codelist="ARM"),
        Variable("ACTARMCD", "Actual Arm Code", CHAR, EXP, RECORD, derived, codelist="ARMCD",
                 derivation="ARMCD when the participant received any study treatment, else empty."),
        Variable("ACTARM", "Description of Actual Arm", CHAR, EXP, SYNONYM, derived, codelist="ARM",
                 derivation="ARM when the participant received any study treatment, else empty."),
        Variable("ARMNRS", "Reason Arm and/or Actual Arm is Null", CHAR, EXP, RECORD, derived,
                 codelist="ARMNULRS",
                 derivation="SCREEN FAILURE (off study as a screen failure, not registered); NOT "
                            "ASSIGNED (not registered otherwise); ASSIGNED, NOT TREATED."),
        Variable("ACTARMUD", "Description of Unplanned Actual Arm", CHAR, EXP, RECORD,
                 Origin.NOT_AVAILABLE,
                 comment="No participant is treated outside a planned arm: the dose level given is "
                         "the one assigned."),
        Variable("COUNTRY", "Country", CHAR, REQ, RECORD, derived, codelist="COUNTRY",
                 derivation="The site's country (ISO 3166-1 alpha-2) as ISO 3166-1 alpha-3."),
    )


def build(*, trial: TrialData, protocol: Protocol, study: StudyContext) -> tuple[Dataset, ...]:
    """DM and SUPPDM of every participant (screen failures included), sorted by USUBJID."""
    planned = {(a.cohort, a.dose_level): a for a in arms(protocol)}
    facts = collect_facts(trial=trial, protocol=protocol)
    sexes = _sex_values(protocol)
    countries = {s.id: country_alpha3(s.country, where=f"sites[{s.id}].country") for s in trial.sites}
    records: list[dict[str, Value]] = []
    supp: list[SuppValue] = []
    cohort_labels = {c.id: c.label.en for c in protocol.cohorts}
    part_labels = _part_labels(protocol)
    for p in trial.participants:
        dates = study.subject(p.id)
        fact = facts[p.id]
        arm = _planned_arm(p, planned)
        treated = dates.first_treatment is not None
        end = p.off_study_date or max(
            d for d in (fact.death_date, fact.last_known_alive, p.consent_date) if d is not None)
        try:
            sex = sexes[p.sex.value]
        except KeyError:
            raise InputError(f"participants[{p.id}].sex", p.sex.value,
                             "a code of the protocol's sex code list with a submission value") from None
        records.append({
            "STUDYID": study.studyid, "DOMAIN": "DM", "USUBJID": dates.usubjid, "SUBJID": p.id,
            "RFSTDTC": iso_date(dates.first_treatment), "RFENDTC": iso_date(dates.last_treatment),
            "RFXSTDTC": iso_date(dates.first_treatment), "RFXENDTC": iso_date(dates.last_treatment),
            "RFICDTC": iso_date(p.consent_date), "RFPENDTC": iso_date(end),
            "DTHDTC": iso_date(fact.death_date), "DTHFL": "Y" if fact.death_date else None,
            "SITEID": p.site_id, "BRTHDTC": iso_date(p.birth_date),
            "AGE": age_years(p.birth_date, p.consent_date), "AGEU": "YEARS", "SEX": sex,
            "ARMCD": arm.armcd if arm else None, "ARM": arm.arm if arm else None,
            "ACTARMCD": arm.armcd if arm and treated else None,
            "ACTARM": arm.arm if arm and treated else None,
            "ARMNRS": _arm_null_reason(p, arm, treated),
            "COUNTRY": _country(countries, p),
        })
        if p.cohort is not None:
            supp.append(SuppValue(dates.usubjid, "COHORT", cohort_labels.get(p.cohort, p.cohort)))
        if fact.study_part is not None:
            part = part_labels.get(fact.study_part, fact.study_part)
            supp.append(SuppValue(dates.usubjid, "STUDYPRT", part))
    dm = build_dataset(
        domain="DM", label="Demographics", observation_class="SPECIAL PURPOSE",
        structure="One record per subject", keys=("STUDYID", "USUBJID"), variables=_variables(),
        records=records, codelists=_codelists(protocol, records), repeating=False)
    suppdm = supp_dataset(
        studyid_value=study.studyid, parent="DM", parent_label="subject",
        qualifiers=(
            Qualifier("COHORT", "Cohort", Origin.ASSIGNED, "COHORT",
                      comment="The cohort assigned at registration by the protocol's cohort rule "
                              "(HER2 status)."),
            Qualifier("STUDYPRT", "Study Part", Origin.COLLECTED, "STUDYPRT",
                      comment="Registration form, study part (Part A dose exploration or Part B)."),
        ),
        values=supp,
        codelists=(
            _sponsor_list("COHORT", "Cohort", [c.label.en for c in protocol.cohorts]),
            _sponsor_list("STUDYPRT", "Study Part", list(part_labels.values())),
        ))
    return dm, suppdm


def _planned_arm(p: Participant, planned: dict[tuple[str, str], Arm]) -> Arm | None:
    if not p.registered or p.cohort is None or p.dose_level is None:
        return None
    try:
        return planned[(p.cohort, p.dose_level)]
    except KeyError:
        raise InputError(f"participants[{p.id}].dose_level", f"{p.cohort} / {p.dose_level}",
                         "a cohort and dose level of the protocol") from None


def _arm_null_reason(p: Participant, arm: Arm | None, treated: bool) -> str | None:
    if arm is None:
        return "SCREEN FAILURE" if p.off_study_reason == SCREEN_FAILURE_REASON else "NOT ASSIGNED"
    return None if treated else "ASSIGNED, NOT TREATED"


def _country(countries: dict[str, str], p: Participant) -> str:
    try:
        return countries[p.site_id]
    except KeyError:
        raise InputError(f"participants[{p.id}].site_id", p.site_id, "a site of the trial") from None


def _sex_values(protocol: Protocol) -> dict[str, str]:
    """Protocol sex code -> CDISC SEX submission value (the protocol's code list gives it)."""
    _, field = protocol.field(SEX_FIELD)
    if field.codelist is None:
        raise InputError("sex", SEX_FIELD, "a protocol field with a code list")
    return {item.code: item.submission_value for item in protocol.codelist(field.codelist).items
            if item.submission_value is not None}


def _part_labels(protocol: Protocol) -> dict[str, str]:
    """Study part code -> English label, from the registration field's code list."""
    _, field = protocol.field(STUDY_PART_FIELD)
    if field.codelist is None:
        return {}
    return {item.code: item.label.en for item in protocol.codelist(field.codelist).items}


def _sponsor_list(list_id: str, name: str, values: list[str]) -> CodeList:
    return CodeList(list_id, name, CHAR, tuple((v, None) for v in dict.fromkeys(values)))


def _codelists(protocol: Protocol, records: list[dict[str, Value]]) -> tuple[CodeList, ...]:
    countries = sorted({str(r["COUNTRY"]) for r in records})
    return (
        terminology("NY").codelist(values=("Y",), decodes=DECODES["NY"]),
        terminology("AGEU").codelist(values=("YEARS",)),
        terminology("SEX").codelist(values=sorted(set(_sex_values(protocol).values())),
                                    decodes=DECODES["SEX"]),
        *arm_codelists(protocol),
        terminology("ARMNULRS").codelist(),
        CodeList("COUNTRY", "Country (ISO 3166-1 alpha-3)", CHAR, tuple((c, None) for c in countries)),
    )
