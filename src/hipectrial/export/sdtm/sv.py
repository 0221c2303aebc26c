"""SV (Subject Visits): one record per visit that took place (``Visit`` with a date).

``VISITNUM``/``VISIT``/``VISITDY`` follow :mod:`.visits`; the visit is one day, so
``SVSTDTC`` = ``SVENDTC`` = its date. Event visits of the protocol (adverse event,
progression, death, end of study, unscheduled…) are not planned visits: ``SVUPDES`` says
so with the visit's name.

References
----------
SDTMIG 3.4 §5.5 (SV).
"""

from __future__ import annotations

from hipectrial.data import TrialData
from hipectrial.export.sdtm.context import StudyContext
from hipectrial.export.sdtm.model import Dataset, Origin, Value, Variable, VarType
from hipectrial.export.sdtm.variables import (
    EXP,
    PERM,
    REQ,
    TIMING,
    build_dataset,
    domain_var,
    dtc,
    epoch,
    epoch_codelist,
    iso_date,
    study_day,
    studyid,
    usubjid,
    visit,
    visitnum,
)
from hipectrial.export.sdtm.visits import planned_days, scheduled, visit_name, visit_number
from hipectrial.protocol import Protocol

NUM, CHAR = VarType.NUM, VarType.CHAR


def build(*, trial: TrialData, protocol: Protocol, study: StudyContext) -> tuple[Dataset, ...]:
    """SV sorted by USUBJID and VISITNUM."""
    days = planned_days(protocol)
    records: list[dict[str, Value]] = []
    for v in trial.visits:
        if v.actual_date is None:
            continue
        pid, day = v.participant_id, v.actual_date
        planned = scheduled(protocol.visit(v.visit_id))
        records.append({
            "STUDYID": study.studyid, "DOMAIN": "SV", "USUBJID": study.usubjid(pid),
            "VISITNUM": visit_number(protocol, v.visit_id, v.repeat),
            "VISIT": visit_name(protocol, v.visit_id, v.repeat),
            "VISITDY": days.get((v.visit_id, v.repeat)) if planned else None,
            "EPOCH": study.epoch(pid, day), "SVSTDTC": iso_date(day), "SVENDTC": iso_date(day),
            "SVSTDY": study.study_day(pid, day), "SVENDY": study.study_day(pid, day),
            "SVUPDES": None if planned else f"Event visit: {protocol.visit(v.visit_id).name.en}",
        })
    variables = (
        studyid(), domain_var(), usubjid(), visitnum(REQ), visit(PERM),
        Variable("VISITDY", "Planned Study Day of Visit", NUM, PERM, TIMING, Origin.DERIVED,
                 derivation="The occurrence's target day in the protocol's ideal schedule (as in TV)."),
        epoch(PERM),
        dtc("SVSTDTC", "Start Date/Time of Visit", EXP, Origin.COLLECTED),
        dtc("SVENDTC", "End Date/Time of Visit", EXP, Origin.DERIVED,
            "The visit's date: every visit lasts one day."),
        study_day("SVSTDY", "Study Day of Start of Visit", "SVSTDTC"),
        study_day("SVENDY", "Study Day of End of Visit", "SVENDTC"),
        Variable("SVUPDES", "Description of Unplanned Visit", CHAR, PERM, "Record Qualifier",
                 Origin.DERIVED, derivation="The protocol's name of an event visit (not in TV)."),
    )
    return (build_dataset(
        domain="SV", label="Subject Visits", observation_class="SPECIAL PURPOSE",
        structure="One record per actual visit per subject", keys=("STUDYID", "USUBJID", "VISITNUM"),
        variables=variables, records=records, codelists=(epoch_codelist(),)),)
