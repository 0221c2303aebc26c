"""CRF pages: a visit's forms, a form rendered from the protocol, its live branching, saving.

Views parse, check permission, call the core (:mod:`.entry`) and a service, and render.
Viewing needs VIEW_PARTICIPANT at the participant's site; saving needs ENTER_DATA (the
dosing form: ENTER_DOSING) — anyone else sees the form read-only.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from hipectrial.analysis.screening import SCREENING_VISITS, STAGING_VISIT
from hipectrial.data.records import FormRecord, Visit
from hipectrial.edc.accounts.permissions import allowed, check
from hipectrial.edc.accounts.roles import Action
from hipectrial.edc.crfs import selectors
from hipectrial.edc.crfs.derived import derived_of, lab_grades
from hipectrial.edc.crfs.entry import Judged, Raw, judge, messages_by_field, raw_of, read_submission
from hipectrial.edc.crfs.identity import contradiction_messages, prefill
from hipectrial.edc.crfs.models import Record, Status
from hipectrial.edc.crfs.services import RecordConflict, form_save, form_write_action, record_delete
from hipectrial.edc.crfs.widgets import field_views
from hipectrial.edc.participants.models import Participant
from hipectrial.edc.participants.selectors import participant_for
from hipectrial.edc.protocol_source import current_protocol, protocol_version
from hipectrial.edc.refusal_wording import finding_text, refusal_text
from hipectrial.edc.refusals import Refusal, refuse
from hipectrial.errors import InputError, PermissionDenied
from hipectrial.protocol.forms import FormDef
from hipectrial.protocol.schedule import Visit as VisitDef

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def guarded(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The core's PermissionDenied as a 403; an unknown participant, visit or form as a 404."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc
        except (selectors.NotFound, Participant.DoesNotExist) as exc:
            raise Http404(str(exc)) from exc

    return login_required(wrapper)


def is_zh(request: HttpRequest) -> bool:
    return str(getattr(request, "LANGUAGE_CODE", "en")).startswith("zh")


@dataclass(frozen=True, slots=True)
class Place:
    """Where a CRF record lives: participant, visit occurrence, form and repeat."""

    participant: Participant
    visit: VisitDef
    repeat: int
    form: FormDef
    form_repeat: int | None
    key: str
    row: Record | None
    visit_row: Record | None

    @property
    def url_args(self) -> list[Any]:
        args: list[Any] = [self.participant.participant_id, self.visit.id, self.repeat, self.form.id]
        return args if self.form_repeat is None else [*args, self.form_repeat]


def visit_for(request: HttpRequest, pid: str, visit_id: str, repeat: int) -> tuple[Participant, VisitDef]:
    participant = participant_for(request.user, pid)
    if repeat < 1:
        raise selectors.NotFound(f"visit occurrences are numbered from 1; got {repeat}")
    return participant, selectors.visit_def(current_protocol(), visit_id)


def _place(
    request: HttpRequest, pid: str, visit_id: str, repeat: int, form_id: str, form_repeat: int | None
) -> Place:
    participant, visit = visit_for(request, pid, visit_id, repeat)
    form = selectors.form_of_visit(current_protocol(), visit, form_id)
    if form.repeating != (form_repeat is not None):
        raise selectors.NotFound(f"form {form_id!r} {'repeats' if form.repeating else 'does not repeat'}")
    key = selectors.form_key(participant.participant_id, visit_id, repeat, form_id, form_repeat)
    row = selectors.form_row(participant, key)
    if (
        form_repeat is not None
        and row is None
        and form_repeat != selectors.next_repeat(participant, visit_id, repeat, form_id)
    ):
        # only the next number is a new record: a gap, or a deleted record's number, is not
        raise selectors.NotFound(f"no record {form_repeat} of form {form_id!r} at this visit")
    return Place(
        participant,
        visit,
        repeat,
        form,
        form_repeat,
        key,
        row,
        selectors.visit_row(participant, visit_id, repeat),
    )


def _judge(place: Place, raw: Mapping[str, Raw]) -> Judged:
    """The core's judgement of ``raw``, with the participant's other values as the context of
    conditions that name them (only read when the form has such a condition)."""
    context = selectors.conditions_of(place.participant, place.form, place.key)
    return judge(protocol=current_protocol(), form=place.form, raw=raw, context=context)


def _live(request: HttpRequest, place: Place, judged: Judged) -> dict[str, Any]:
    """The parts of the page that follow the values: which fields show, derived values."""
    protocol = current_protocol()
    context = selectors.context_values(place.participant, place.visit.id, place.repeat, place.key)
    zh = is_zh(request)
    # derive() takes values that passed the protocol's checks: a value refused (out of range)
    # is left out, so what depends on it shows as missing rather than computed from it
    refused = {f.field for f in judged.errors if f.field is not None}
    values = {name: value for name, value in judged.values.items() if name not in refused}
    return {
        "hidden_fields": [f.id for f in place.form.fields if f.id not in judged.shown],
        "derived": derived_of(
            protocol=protocol, form=place.form, values=values, context=context.values, zh=zh
        ),
        "grades": lab_grades(protocol=protocol, form=place.form, values=values, zh=zh),
        "derived_sources": context.sources,
    }


def _page(
    request: HttpRequest,
    place: Place,
    judged: Judged | None,
    *,
    complete: bool = False,
    top: list[tuple[str, str]] | None = None,
    extra: dict[str, str] | None = None,
    field_errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    protocol = current_protocol()
    zh = is_zh(request)
    if judged is None:  # not entered yet: blank (demographics: the participant record's), no messages
        judged = _judge(place, prefill(place.participant, place.form))
        by_field: dict[str, list[tuple[str, str]]] = {}
        form_top: list[tuple[str, str]] = []
    else:
        by_field, form_top = messages_by_field(judged, place.form, complete=complete, zh=zh)
        identity = _identity(place, judged, zh)
        for name, text in {**identity, **(field_errors or {})}.items():
            by_field.setdefault(name, []).append(("error", text))
    extra = extra or {}
    site = place.participant.site
    context = {
        "place": place,
        "participant": place.participant,
        "visit_label": place.visit.name.zh if zh else place.visit.name.en,
        "form_label": place.form.label.zh if zh else place.form.label.en,
        "fields": field_views(
            protocol=protocol,
            form=place.form,
            raw=judged.raw,
            shown=judged.shown,
            messages=by_field,
            zh=zh,
            yes=_("Yes"),
            no=_("No"),
        ),
        "top": [*(top or []), *form_top],
        "can_write": allowed(request.user, form_write_action(place.form.id), site),
        "can_audit": allowed(request.user, Action.VIEW_AUDIT, site),
        "can_delete": place.row is not None and allowed(request.user, Action.DELETE_DATA, site),
        "delete_url": reverse(
            "crfs:form_delete" if place.form_repeat is None else "crfs:form_repeat_delete",
            args=place.url_args,
        ),
        "delete_error": extra.get("delete_error", ""),
        "version": place.row.version if place.row is not None else 0,
        "needs_reason": place.row is not None and place.row.completed_once,
        "needs_visit_date": place.visit_row is None,
        "visit_date": extra.get("visit_date", ""),
        "visit_date_error": extra.get("visit_date_error", ""),
        "reason": extra.get("reason", ""),
        "reason_error": extra.get("reason_error", ""),
        "save_url": reverse(
            "crfs:form" if place.form_repeat is None else "crfs:form_repeat", args=place.url_args
        ),
        "live_url": reverse(
            "crfs:form_live" if place.form_repeat is None else "crfs:form_repeat_live", args=place.url_args
        ),
        "visit_url": reverse(
            "crfs:visit", args=[place.participant.participant_id, place.visit.id, place.repeat]
        ),
        # Screening forms of a participant not yet registered show the eligibility panel
        # beside them, recomputed (participants app) each time the page is shown or saved.
        "eligibility_url": reverse("participants:eligibility", args=[place.participant.participant_id])
        if place.participant.registration_date is None
        and place.visit.id in (*SCREENING_VISITS, STAGING_VISIT)
        else "",
        **_live(request, place, judged),
    }
    return render(request, "crfs/form.html", context, status=status)


def _identity(place: Place, judged: Judged, zh: bool) -> dict[str, str]:
    """Messages beside the identity values that contradict the participant record."""
    return contradiction_messages(
        protocol=current_protocol(),
        participant=place.participant,
        form=place.form,
        values=judged.values,
        zh=zh,
    )


def _stored(place: Place) -> Judged | None:
    if place.row is None:
        return None
    values = selectors.form_of(place.row).values
    return _judge(place, raw_of(values))


def _visit_date(text: str) -> dt.date:
    if not _DATE.fullmatch(text):
        raise refuse("visit_date", text, Refusal.VISIT_DATE)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise refuse("visit_date", text, Refusal.VISIT_DATE_NO_SUCH) from None


def _refusal(request: HttpRequest, exc: BaseException, place: Place) -> str:
    """A service's refusal in the page's language, the form's fields by their labels."""
    return refusal_text(exc, language="zh" if is_zh(request) else "en", protocol=current_protocol(),
                        form=place.form)


@guarded
def form_page(
    request: HttpRequest, pid: str, visit_id: str, repeat: int, form_id: str, form_repeat: int | None = None
) -> HttpResponse:
    place = _place(request, pid, visit_id, repeat, form_id, form_repeat)
    if request.method != "POST":
        return _page(request, place, _stored(place))
    return _save(request, place)


def _save(request: HttpRequest, place: Place) -> HttpResponse:
    check(request.user, form_write_action(place.form.id), place.participant.site)
    complete = request.POST.get("__action") == "complete"
    judged = _judge(place, read_submission(place.form, request.POST))
    extra = {
        "visit_date": request.POST.get("__visit_date", "").strip(),
        "reason": request.POST.get("__reason", ""),
    }
    visit_date = None
    if place.visit_row is None:
        try:
            visit_date = _visit_date(extra["visit_date"])
        except InputError as exc:
            extra["visit_date_error"] = _refusal(request, exc, place)
        else:
            visit = Visit(
                participant_id=place.participant.participant_id,
                visit_id=place.visit.id,
                repeat=place.repeat,
                actual_date=visit_date,
            )
            problems = selectors.visit_problems(place.participant, visit)
            if problems:
                language = "zh" if is_zh(request) else "en"
                extra["visit_date_error"] = ("；" if language == "zh" else "; ").join(
                    finding_text(f, protocol=current_protocol(), language=language) for f in problems)
    if judged.blocks(complete=complete) or "visit_date_error" in extra or _identity(place, judged, False):
        top = [("error", _("Nothing was saved: correct the values marked below."))]
        return _page(request, place, judged, complete=complete, top=top, extra=extra, status=400)
    try:
        version = int(request.POST.get("__version", "0"))
    except ValueError:
        version = -1
    record = FormRecord(
        participant_id=place.participant.participant_id,
        form_id=place.form.id,
        visit_id=place.visit.id,
        visit_repeat=place.repeat,
        repeat=place.form_repeat,
        values=judged.values,
    )
    try:
        form_save(
            actor=request.user,
            participant=place.participant,
            record=record,
            status=Status.COMPLETE if complete else Status.DRAFT,
            expected_version=version,
            reason=extra["reason"],
            visit_date=visit_date,
            protocol_version=protocol_version(),
        )
    except RecordConflict as conflict:
        return _conflict(request, place, judged, conflict)
    except InputError as exc:
        # the services' own refusal (the guard runs the same core checks as the page)
        said = _refusal(request, exc, place)
        name = exc.field.removeprefix("values.")
        field_errors = {name: said} if place.form.field(name) is not None else {}
        if exc.field in ("reason", "visit_date"):
            extra[f"{exc.field}_error"] = said
        if exc.field in ("reason", "visit_date") or field_errors:
            top = [("error", _("Nothing was saved: correct the values marked below."))]
        else:
            top = [("error", said)]
        return _page(
            request,
            place,
            judged,
            complete=complete,
            top=top,
            extra=extra,
            field_errors=field_errors,
            status=400,
        )
    messages.success(request, _("Saved as complete.") if complete else _("Saved as draft."))
    return redirect(
        reverse("crfs:form" if place.form_repeat is None else "crfs:form_repeat", args=place.url_args)
    )


def _conflict(request: HttpRequest, place: Place, judged: Judged, conflict: RecordConflict) -> HttpResponse:
    """Both versions side by side; nothing was saved."""
    zh = is_zh(request)
    theirs = raw_of(selectors.form_of(conflict.record).values)
    rows = []
    for f in place.form.fields:
        mine, other = judged.raw.get(f.id, ""), theirs.get(f.id, "")
        rows.append(
            {
                "id": f.id,
                "label": f.label.zh if zh else f.label.en,
                "theirs": ", ".join(other) if isinstance(other, list) else other,
                "mine": ", ".join(mine) if isinstance(mine, list) else mine,
                "differs": (mine or "") != (other or ""),
            }
        )
    return render(
        request,
        "crfs/conflict.html",
        {
            "participant": place.participant,
            "form_label": place.form.label.zh if zh else place.form.label.en,
            "record": conflict.record,
            "rows": rows,
            "message": _refusal(request, conflict, place),
            "reload_url": reverse(
                "crfs:form" if place.form_repeat is None else "crfs:form_repeat", args=place.url_args
            ),
        },
        status=409,
    )


@guarded
def form_live(
    request: HttpRequest, pid: str, visit_id: str, repeat: int, form_id: str, form_repeat: int | None = None
) -> HttpResponse:
    """The htmx partial: which fields show and the derived values, for the values typed so far."""
    place = _place(request, pid, visit_id, repeat, form_id, form_repeat)
    data = request.POST if request.method == "POST" else request.GET
    judged = _judge(place, read_submission(place.form, data))
    return render(request, "crfs/form.html#live", _live(request, place, judged))


@guarded
def form_delete(
    request: HttpRequest, pid: str, visit_id: str, repeat: int, form_id: str, form_repeat: int | None = None
) -> HttpResponse:
    """Delete a CRF record entered in error (DELETE_DATA, always with a reason; the record's
    content stays in its history)."""
    place = _place(request, pid, visit_id, repeat, form_id, form_repeat)
    if request.method != "POST" or place.row is None:
        raise selectors.NotFound(f"no record {place.key} to delete")
    check(request.user, Action.DELETE_DATA, place.participant.site)
    try:
        version = int(request.POST.get("__version", "0"))
    except ValueError:
        version = -1
    reason = request.POST.get("__delete_reason", "")
    try:
        record_delete(
            actor=request.user,
            record=place.row,
            expected_version=version,
            reason=reason,
            protocol_version=protocol_version(),
        )
    except RecordConflict as conflict:
        return _conflict(request, place, _stored(place) or _judge(place, {}), conflict)
    except InputError as exc:
        said = _refusal(request, exc, place)
        return _page(
            request,
            place,
            _stored(place),
            top=[("error", said)],
            extra={"delete_error": said},
            status=400,
        )
    messages.success(request, _("Deleted %(key)s.") % {"key": place.key})
    return redirect(
        reverse(
            "crfs:form" if place.form.repeating else "crfs:visit",
            args=place.url_args[:4] if place.form.repeating else place.url_args[:3],
        )
    )
