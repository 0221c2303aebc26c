"""Pages about participants: the list, starting screening, the participant's page (header,
eligibility panel, visit timeline), registration and the end of treatment or study.

Views parse, check permission, call a selector or a service and render; every rule is the
core's (eligibility, assignment, schedule) or the services'.
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hipectrial.edc.accounts.permissions import allowed, check
from hipectrial.edc.accounts.roles import Action
from hipectrial.edc.participants.eligibility import eligibility_panel
from hipectrial.edc.participants.forms import (
    DateInput,
    EndForm,
    RegisterForm,
    ScreenForm,
    code_choices,
    show_input_error,
)
from hipectrial.edc.participants.labels import language_of, pick
from hipectrial.edc.participants.models import Participant
from hipectrial.edc.participants.registration import RegistrationRefused, participant_register
from hipectrial.edc.participants.selectors import (
    next_assignment_now,
    participant_for,
    participant_header,
    participants_for,
    visible_sites,
)
from hipectrial.edc.participants.services import (
    END_STAGES,
    IdentityCorrected,
    participant_correct_identity,
    participant_end,
    participant_screen,
)
from hipectrial.edc.participants.timeline import participant_timeline
from hipectrial.edc.participants.wording import assignment_reason
from hipectrial.edc.protocol_source import current_protocol, protocol_version
from hipectrial.edc.refusal_wording import refusal_text
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
    if allowed(request.user, Action.ENTER_DATA, site):
        context["identity_form"] = forms.get("identity_form") or IdentityForm(
            protocol=protocol, language=language, prefix="identity",
            initial={"sex": participant.sex, "birth_date": participant.birth_date,
                     "consent_date": participant.consent_date, "version": participant.version})
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
    reason = assignment_reason(assignment.reason, assignment.phrase, protocol, language)
    return render(request, "participants/detail.html#assignment",
                  {"assignment": assignment, "part": part, "level": level, "reason": reason})


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
            extra["conflict"] = refusal_text(exc, language=_language(request), protocol=current_protocol())
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
            extra["conflict"] = refusal_text(exc, language=_language(request), protocol=current_protocol())
        else:
            return redirect("participants:detail", pid=pid)
        participant.refresh_from_db()
    context = _page_context(request, participant, **extra)
    return render(request, "participants/detail.html", context, status=400)



class IdentityForm(django_forms.Form):
    """Correct the participant's sex, birth date or consent date (the participant record is
    their one source; the demographics form is corrected with it)."""

    sex = django_forms.ChoiceField(label=gettext_lazy("Sex"))
    birth_date = django_forms.DateField(label=gettext_lazy("Date of birth"), widget=DateInput)
    consent_date = django_forms.DateField(label=gettext_lazy("Date of informed consent"), widget=DateInput)
    reason = django_forms.CharField(label=gettext_lazy("Reason for the correction"), max_length=500,
                                    widget=django_forms.TextInput(attrs={"size": 40}))
    version = django_forms.IntegerField(widget=django_forms.HiddenInput)

    def __init__(self, *args: Any, protocol: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sex"].choices = [("", "—"), *code_choices(protocol, "sex", language)]


def _identity_messages(request: HttpRequest, done: IdentityCorrected) -> None:
    """Say what the correction changed, what it left to do, and, for a registered
    participant, the screening eligibility recomputed on the corrected data."""
    if not done.changed:
        messages.info(request, _("Nothing was corrected: the values given are those recorded."))
        return
    if done.records:
        messages.success(request, _("Identity corrected, and the demographics form with it."))
    else:
        messages.success(request, _("Identity corrected."))
    protocol = current_protocol()
    language = _language(request)
    if done.reopened:
        form = protocol.form("demographics")
        labels = [pick(f.label, language) for f in form.fields if f.id in done.reopened]
        messages.warning(request, _("The demographics form is a draft again: it now asks for %(fields)s.")
                         % {"fields": ", ".join(labels)})
    participant = done.participant
    if participant.registration_date is not None:
        panel = eligibility_panel(participant, protocol, language)
        text = _("Registered on %(date)s. Recomputed on the corrected data, the screening eligibility is: "
                 "%(status)s. The registration records are not changed.") % {
            "date": participant.registration_date.isoformat(), "status": panel.status_label}
        if panel.status == "eligible":
            messages.info(request, text)
        else:
            messages.warning(request, text)


@login_required
@require_POST
def participant_identity_page(request: HttpRequest, pid: str) -> HttpResponse:
    """Correct the participant's identity (ENTER_DATA at the site; a reason is required)."""
    participant = participant_for(request.user, pid)
    check(request.user, Action.ENTER_DATA, participant.site)
    form = IdentityForm(request.POST, protocol=current_protocol(), language=_language(request),
                        prefix="identity")
    extra: dict[str, Any] = {"identity_form": form}
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = participant_correct_identity(
                actor=request.user, participant=participant, expected_version=data["version"],
                sex=data["sex"], birth_date=data["birth_date"], consent_date=data["consent_date"],
                reason=data["reason"])
        except InputError as exc:
            show_input_error(form, exc)
        except ConflictError as exc:
            extra["conflict"] = refusal_text(exc, language=_language(request), protocol=current_protocol())
        else:
            _identity_messages(request, done)
            return redirect("participants:detail", pid=pid)
        participant.refresh_from_db()
    context = _page_context(request, participant, **extra)
    return render(request, "participants/detail.html", context, status=400)
