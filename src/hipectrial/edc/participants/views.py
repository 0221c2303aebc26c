"""Pages about participants: the list, starting screening, the participant's page (header,
eligibility panel, visit timeline), registration and the end of treatment or study.

Views parse, check permission, call a selector or a service and render; every rule is the
core's (eligibility, assignment, schedule) or the services'.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hipectrial.edc.accounts.permissions import allowed, check
from hipectrial.edc.accounts.roles import Action
from hipectrial.edc.participants.eligibility import eligibility_panel
from hipectrial.edc.participants.forms import EndForm, RegisterForm, ScreenForm, show_input_error
from hipectrial.edc.participants.labels import language_of, pick
from hipectrial.edc.participants.models import Participant
from hipectrial.edc.participants.selectors import (
    next_assignment_now,
    participant_for,
    participant_header,
    participants_for,
    visible_sites,
)
from hipectrial.edc.participants.services import (
    END_STAGES,
    RegistrationRefused,
    participant_end,
    participant_register,
    participant_screen,
)
from hipectrial.edc.participants.timeline import participant_timeline
from hipectrial.edc.protocol_source import current_protocol, protocol_version
from hipectrial.errors import ConflictError, InputError, PermissionDenied


def _language(request: HttpRequest) -> str:
    return language_of(getattr(request, "LANGUAGE_CODE", None))


@login_required
def participant_list(request: HttpRequest) -> HttpResponse:
    return render(request, "participants/list.html", {
        "participants": participants_for(request.user),
        "may_screen": bool(visible_sites(request.user, Action.SCREEN)),
    })


@login_required
@require_http_methods(["GET", "POST"])
def participant_screen_page(request: HttpRequest) -> HttpResponse:
    """Start screening a consented person at a site where the user may screen."""
    sites = visible_sites(request.user, Action.SCREEN)
    if not sites:
        who = request.user.get_username()
        raise PermissionDenied(_("%(user)s may not screen at any site") % {"user": who})
    protocol = current_protocol()
    form = ScreenForm(request.POST or None, sites=sites, protocol=protocol, language=_language(request))
    if request.method == "POST" and form.is_valid():
        site = next(s for s in sites if s.code == form.cleaned_data["site"])
        try:
            row = participant_screen(
                actor=request.user, site=site, sex=form.cleaned_data["sex"],
                birth_date=form.cleaned_data["birth_date"], consent_date=form.cleaned_data["consent_date"],
                protocol_version=protocol_version())
        except InputError as exc:
            show_input_error(form, exc)
        else:
            return redirect("participants:detail", pid=row.participant_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "participants/screen.html", {"form": form}, status=status)


def _page_context(request: HttpRequest, participant: Participant, **forms: Any) -> dict[str, Any]:
    protocol = current_protocol()
    language = _language(request)
    today = timezone.localdate()
    site = participant.site
    in_screening = participant.registration_date is None and participant.off_study_date is None
    may_end = allowed(request.user, Action.END_PARTICIPATION, site)
    context: dict[str, Any] = {
        "p": participant,
        "header": participant_header(participant, protocol, language),
        "timeline": participant_timeline(participant, protocol, language, today),
        # unregistered: in screening, or a screen failure (why they were not eligible)
        "panel": eligibility_panel(participant, protocol, language)
        if participant.registration_date is None else None,
        "may_register": in_screening and allowed(request.user, Action.REGISTER, site),
        "today": today,
    }
    if context["may_register"]:
        context["register_form"] = forms.get("register_form") or RegisterForm(
            initial={"registration_date": today, "version": participant.version})
    if may_end and participant.registration_date is not None and participant.off_treatment_date is None \
            and participant.off_study_date is None:
        context["off_treatment_form"] = forms.get("off_treatment_form") or EndForm(
            protocol=protocol, codelist=END_STAGES["off_treatment"], language=language,
            initial={"version": participant.version}, prefix="off_treatment")
    if may_end and participant.off_study_date is None:
        context["off_study_form"] = forms.get("off_study_form") or EndForm(
            protocol=protocol, codelist=END_STAGES["off_study"], language=language,
            initial={"version": participant.version}, prefix="off_study")
    context["refusal"] = forms.get("refusal")
    context["conflict"] = forms.get("conflict")
    return context


@login_required
@require_GET
def participant_detail(request: HttpRequest, pid: str) -> HttpResponse:
    participant = participant_for(request.user, pid)
    return render(request, "participants/detail.html", _page_context(request, participant))


@login_required
@require_GET
def eligibility_fragment(request: HttpRequest, pid: str) -> HttpResponse:
    """The eligibility panel alone, recomputed now (``hx-get`` from this page and CRF pages)."""
    participant = participant_for(request.user, pid)
    panel = eligibility_panel(participant, current_protocol(), _language(request))
    return render(request, "participants/detail.html#eligibility", {"p": participant, "panel": panel})


@login_required
@require_GET
def assignment_fragment(request: HttpRequest, pid: str) -> HttpResponse:
    """Where registration would put the participant today (or why it waits or is closed),
    loaded by the registration section with ``hx-get`` (it reads the whole trial)."""
    participant = participant_for(request.user, pid)
    check(request.user, Action.REGISTER, participant.site)
    assignment = next_assignment_now(timezone.localdate())
    protocol = current_protocol()
    language = _language(request)
    part = level = None
    if assignment.open:
        part = next(pick(i.label, language) for i in protocol.codelist("study-part").items
                    if i.code == assignment.study_part)
        level = next(pick(i.label, language) for i in protocol.codelist("dose-level").items
                     if i.code == assignment.dose_level)
    return render(request, "participants/detail.html#assignment",
                  {"assignment": assignment, "part": part, "level": level})


@login_required
@require_POST
def participant_register_page(request: HttpRequest, pid: str) -> HttpResponse:
    participant = participant_for(request.user, pid)
    form = RegisterForm(request.POST)
    extra: dict[str, Any] = {"register_form": form}
    if form.is_valid():
        try:
            participant_register(
                actor=request.user, participant=participant,
                as_of=form.cleaned_data["registration_date"],
                expected_version=form.cleaned_data["version"],
                eligibility_confirmed=form.cleaned_data["eligibility_confirmed"])
        except RegistrationRefused as exc:
            extra["refusal"] = exc.reasons
        except InputError as exc:
            show_input_error(form, exc)
        except ConflictError as exc:
            extra["conflict"] = str(exc)
        else:
            return redirect("participants:detail", pid=pid)
        participant.refresh_from_db()
    context = _page_context(request, participant, **extra)
    return render(request, "participants/detail.html", context, status=400)


@login_required
@require_POST
def participant_end_page(request: HttpRequest, pid: str, stage: str) -> HttpResponse:
    """Record off treatment or off study (``stage``) with its date and reason."""
    if stage not in END_STAGES:
        raise Http404(stage)
    participant = participant_for(request.user, pid)
    form = EndForm(request.POST, protocol=current_protocol(), codelist=END_STAGES[stage],
                   language=_language(request), prefix=stage)
    extra: dict[str, Any] = {f"{stage}_form": form}
    if form.is_valid():
        data = form.cleaned_data
        try:
            participant_end(actor=request.user, participant=participant, stage=stage, date=data["date"],
                            reason_code=data["reason_code"], reason=data["reason"],
                            expected_version=data["version"])
        except InputError as exc:
            show_input_error(form, exc, {f"{stage}_date": "date", f"{stage}_reason": "reason_code"})
        except ConflictError as exc:
            extra["conflict"] = str(exc)
        else:
            return redirect("participants:detail", pid=pid)
        participant.refresh_from_db()
    context = _page_context(request, participant, **extra)
    return render(request, "participants/detail.html", context, status=400)

