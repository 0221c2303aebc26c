"""The EDC's URLs plus a few views that fail in each way the error pages cover (tests only)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from hipectrial.edc.participants.selectors import participant_for
from hipectrial.edc.refusals import Refusal, refuse
from hipectrial.edc.urls import handler400, handler403, handler404, handler500
from hipectrial.edc.urls import urlpatterns as edc_urls
from hipectrial.errors import ConflictError, InputError

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


@login_required
def participant(request: HttpRequest, pid: str) -> HttpResponse:
    found = participant_for(request.user, pid)
    return HttpResponse(found.participant_id)


def bad_weight(request: HttpRequest) -> HttpResponse:
    raise InputError("weight_kg", -3.0, "a number in (0, 400]", "the weight in kilograms")


def consent_in_the_future(request: HttpRequest) -> HttpResponse:
    raise refuse("consent_date", "2030-01-01", Refusal.NOT_AFTER_TODAY, today="2026-03-02")


def conflict(request: HttpRequest) -> HttpResponse:
    raise ConflictError("record SH01-001/screening#1/labs was changed by coord.a (version 3) after version 2; "
                        "nothing was saved")


def django_refusal(request: HttpRequest) -> HttpResponse:
    raise DjangoPermissionDenied


def bug(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("internal detail that must not reach the browser")


urlpatterns = [
    path("t/participant/<str:pid>/", participant),
    path("t/bad-weight/", bad_weight),
    path("t/consent-in-the-future/", consent_in_the_future),
    path("t/conflict/", conflict),
    path("t/django-refusal/", django_refusal),
    path("t/bug/", bug),
    *edc_urls,
]
