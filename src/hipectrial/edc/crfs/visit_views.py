"""Pages of a visit occurrence: its forms and their state, and a repeating form's records.

Viewing needs VIEW_PARTICIPANT at the participant's site; adding a record, ENTER_DATA (the
dosing form: ENTER_DOSING).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from hipectrial.edc.accounts.permissions import allowed
from hipectrial.edc.accounts.roles import Action
from hipectrial.edc.crfs import selectors
from hipectrial.edc.crfs.models import Status
from hipectrial.edc.crfs.services import form_write_action
from hipectrial.edc.crfs.views import form_page, guarded, is_zh, visit_for
from hipectrial.edc.crfs.widgets import display_value
from hipectrial.edc.protocol_source import current_protocol


@guarded
def form_or_list(request: HttpRequest, pid: str, visit_id: str, repeat: int, form_id: str) -> HttpResponse:
    """A form that does not repeat: its page; a repeating form: the visit's records of it."""
    participant, visit = visit_for(request, pid, visit_id, repeat)
    protocol = current_protocol()
    form = selectors.form_of_visit(protocol, visit, form_id)
    if not form.repeating:
        return form_page(request, pid, visit_id, repeat, form_id)
    zh = is_zh(request)
    rows = selectors.repeats_of(participant, visit_id, repeat, form_id)
    summary_fields = form.fields[:3]
    records = []
    for row in rows:
        values = selectors.form_of(row).values
        records.append(
            {
                "row": row,
                "summary": [display_value(protocol, f, values.get(f.id), zh) for f in summary_fields],
                "url": reverse("crfs:form_repeat", args=[pid, visit_id, repeat, form_id, row.repeat]),
            }
        )
    return render(
        request,
        "crfs/repeating.html",
        {
            "participant": participant,
            "visit_label": visit.name.zh if zh else visit.name.en,
            "visit_id": visit_id,
            "repeat": repeat,
            "form": form,
            "form_label": form.label.zh if zh else form.label.en,
            "summary_labels": [f.label.zh if zh else f.label.en for f in summary_fields],
            "records": records,
            "can_write": allowed(request.user, form_write_action(form_id), participant.site),
            "add_url": reverse(
                "crfs:form_repeat",
                args=[
                    pid,
                    visit_id,
                    repeat,
                    form_id,
                    selectors.next_repeat(participant, visit_id, repeat, form_id),
                ],
            ),
            "visit_url": reverse("crfs:visit", args=[pid, visit_id, repeat]),
        },
    )


@guarded
def visit_page(request: HttpRequest, pid: str, visit_id: str, repeat: int) -> HttpResponse:
    participant, visit = visit_for(request, pid, visit_id, repeat)
    protocol = current_protocol()
    zh = is_zh(request)
    rows = selectors.form_rows_of_visit(participant, visit_id, repeat)
    visit_row = selectors.visit_row(participant, visit_id, repeat)
    forms = []
    for form_id, optional in [*((f, False) for f in visit.forms), *((f, True) for f in visit.optional_forms)]:
        form = protocol.form(form_id)
        mine = [r for r in rows if r.form_id == form_id]
        if form.repeating:
            url = reverse("crfs:form", args=[pid, visit_id, repeat, form_id])
            state = _("%(n)d records") % {"n": len(mine)} if mine else _("not started")
        else:
            url = reverse("crfs:form", args=[pid, visit_id, repeat, form_id])
            state = (
                (_("complete") if mine[0].status == Status.COMPLETE else _("draft"))
                if mine
                else _("not started")
            )
        forms.append(
            {
                "id": form_id,
                "label": form.label.zh if zh else form.label.en,
                "optional": optional,
                "repeating": form.repeating,
                "url": url,
                "state": state,
            }
        )
    return render(
        request,
        "crfs/visit.html",
        {
            "participant": participant,
            "visit": visit,
            "repeat": repeat,
            "visit_label": visit.name.zh if zh else visit.name.en,
            "visit_record": selectors.visit_of(visit_row) if visit_row is not None else None,
            "forms": forms,
            "can_audit": allowed(request.user, Action.VIEW_AUDIT, participant.site),
        },
    )
