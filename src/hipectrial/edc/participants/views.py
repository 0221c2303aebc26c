"""Pages about participants: the list (by site)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hipectrial.edc.participants.selectors import participants_for


@login_required
def participant_list(request: HttpRequest) -> HttpResponse:
    return render(request, "participants/list.html", {"participants": participants_for(request.user)})
