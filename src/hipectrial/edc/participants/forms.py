"""What the participant pages read from a submitted form (parsing only: the rules are the
services' and the core's, which raise ``InputError`` naming the field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hipectrial.edc.participants.labels import language_of, pick
from hipectrial.edc.protocol_source import current_protocol
from hipectrial.edc.refusal_wording import refusal_text
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol


class DateInput(forms.DateInput):
    input_type = "date"


def code_choices(protocol: Protocol, codelist_id: str, language: str) -> list[tuple[str, str]]:
    """A protocol code list as (code, label) choices in the page's language."""
    return [(item.code, pick(item.label, language)) for item in protocol.codelist(codelist_id).items]


class ScreenForm(forms.Form):
    site = forms.ChoiceField(label=_("Site"))
    consent_date = forms.DateField(label=_("Date of informed consent"), widget=DateInput)
    sex = forms.ChoiceField(label=_("Sex"))
    birth_date = forms.DateField(label=_("Date of birth"), widget=DateInput)

    def __init__(self, *args: Any, sites: list[Any], protocol: Protocol, language: str,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(s.code, f"{s.code} · {s.name}") for s in sites]
        if len(sites) == 1:
            self.fields["site"].initial = sites[0].code
            self.fields["site"].widget = forms.HiddenInput()
        self.fields["sex"].choices = [("", "—"), *code_choices(protocol, "sex", language)]


class RegisterForm(forms.Form):
    registration_date = forms.DateField(label=_("Date of registration"), widget=DateInput)
    eligibility_confirmed = forms.BooleanField(
        label=_("I confirm that every eligibility criterion is met"), required=True)
    version = forms.IntegerField(widget=forms.HiddenInput)


class EndForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    reason_code = forms.ChoiceField(label=_("Reason"))
    reason = forms.CharField(label=_("Note for the audit trail"), max_length=500,
                             widget=forms.TextInput(attrs={"size": 40}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, protocol: Protocol, codelist: str, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].choices = [("", "—"), *code_choices(protocol, codelist, language)]


def show_input_error(form: forms.Form, exc: InputError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's ``InputError`` next to the field it names (else above the form), in
    the page's language; what was typed stays in the form."""
    field = (aliases or {}).get(exc.field, exc.field)
    message = refusal_text(exc, language=language_of(), protocol=current_protocol())
    if field in form.fields:
        form.add_error(field, message)
    else:
        form.add_error(None, message)
