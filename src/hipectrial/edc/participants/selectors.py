"""Reading participants: only those at the sites where the user may see them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from hipectrial.clinical.records.derived import derive
from hipectrial.data import FormRecord
from hipectrial.edc.accounts.permissions import check, sites_for
from hipectrial.edc.accounts.roles import Action
from hipectrial.edc.crfs.codec import from_payload
from hipectrial.edc.crfs.models import Kind, Record, Status
from hipectrial.edc.participants.labels import pick
from hipectrial.edc.participants.models import Participant
from hipectrial.edc.sites.models import Site
from hipectrial.protocol import Protocol


def visible_sites(user: Any, action: Action = Action.VIEW_PARTICIPANT) -> list[Site]:
    return sites_for(user, action, Site.objects.all())


def participants_for(user: Any) -> QuerySet[Participant]:
    """The participants ``user`` may see, in site and number order."""
    return (
        Participant.objects.filter(site__in=visible_sites(user))
        .select_related("site")
        .order_by("site__code", "number")
    )


def participant_for(user: Any, participant_id: str) -> Participant:
    """One participant, if ``user`` may see them (PermissionDenied otherwise; DoesNotExist
    when there is no such participant)."""
    participant = Participant.objects.select_related("site").get(participant_id=participant_id)
    check(user, Action.VIEW_PARTICIPANT, participant.site)
    return participant


STATUS_WORDS = {"screening": gettext_lazy("in screening"), "registered": gettext_lazy("registered"),
                "off_treatment": gettext_lazy("off treatment"), "off_study": gettext_lazy("off study")}


@dataclass(frozen=True, slots=True)
class Header:
    """What the participant page's header says (labels in the page's language)."""

    participant_id: str
    site: str
    sex: str
    age: int | None  # the protocol's derived ``age`` (completed years at consent)
    age_label: str
    status: str  # screening, registered, off_treatment, off_study
    study_part: str | None
    cohort: str | None
    dose_level: str | None
    off_treatment: str | None
    off_study: str | None

    @property
    def status_label(self) -> str:
        return str(STATUS_WORDS[self.status])


def _code_label(protocol: Protocol, codelist: str, code: str | None, language: str) -> str | None:
    if code is None:
        return None
    items = {i.code: i.label for i in protocol.codelist(codelist).items}
    return pick(items[code], language) if code in items else code


def study_part_of(participant: Participant) -> str | None:
    """The ``study_part`` of the participant's ``registration`` form (conventions: the study
    part's one home), drafts excluded."""
    row = Record.objects.filter(participant=participant, kind=Kind.FORM, form_id="registration",
                                status=Status.COMPLETE).first()
    if row is None:
        return None
    record = from_payload(Kind.FORM, row.payload)
    part = record.values.get("study_part") if isinstance(record, FormRecord) else None
    return part if isinstance(part, str) else None


def participant_header(participant: Participant, protocol: Protocol, language: str) -> Header:
    p = participant
    derived = derive(protocol=protocol, values={"birth_date": p.birth_date, "consent_date": p.consent_date})
    age = derived.values.get("age")
    age_def = next((d for d in protocol.variables if d.id == "age"), None)
    status = ("off_study" if p.off_study_date else "off_treatment" if p.off_treatment_date
              else "registered" if p.registration_date else "screening")
    cohort = next((pick(c.label, language) for c in protocol.cohorts if c.id == p.cohort), p.cohort)
    part = study_part_of(p)

    def ended(date: dt.date | None, codelist: str, code: str | None) -> str | None:
        if date is None:
            return None
        return f"{date.isoformat()} · {_code_label(protocol, codelist, code, language) or '—'}"

    return Header(
        p.participant_id, f"{p.site.code} · {p.site.name}",
        _code_label(protocol, "sex", p.sex, language) or p.sex,
        age if isinstance(age, int) else None,
        pick(age_def.label, language) if age_def is not None else "age",
        status, _code_label(protocol, "study-part", part, language), cohort,
        _code_label(protocol, "dose-level", p.dose_level, language),
        ended(p.off_treatment_date, "eot-reason", p.off_treatment_reason),
        ended(p.off_study_date, "eos-reason", p.off_study_reason))


def next_assignment_now(as_of: dt.date) -> Any:
    """Where a participant registered on ``as_of`` would go, by the design's rules
    (:func:`hipectrial.analysis.assignment.next_assignment` on the whole trial's completed
    records): what the registration section shows before the user registers. Registration
    decides again under its lock."""
    from hipectrial.analysis.assignment import next_assignment
    from hipectrial.edc.protocol_source import current_protocol
    from hipectrial.edc.snapshot import build_snapshot

    trial = build_snapshot(with_provenance=False)
    return next_assignment(protocol=current_protocol(), trial=trial, as_of=as_of)
