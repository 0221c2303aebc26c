"""Logging in and out, and choosing the language of the pages."""

from __future__ import annotations

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from hipectrial.edc.accounts.middleware import LANGUAGES
from hipectrial.edc.refusals import Refusal, refuse


class EdcLoginView(LoginView):
    """Django's login view: its form calls ``authenticate(request, …)``, which django-axes
    needs to count failures per user name and address and to refuse a locked-out pair."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: object = None
) -> HttpResponse:
    """The page django-axes shows a locked-out user name and address (``AXES_LOCKOUT_CALLABLE``):
    when to try again, from the configured cool-off (counted from the last attempt)."""
    cool_off = get_cool_off(request)
    minutes = round(cool_off.total_seconds() / 60) if cool_off else None
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@login_required
@require_POST
def language_view(request: HttpRequest) -> HttpResponse:
    """Keep the user's choice of language (English or Simplified Chinese) and go back to the
    page they were on (a page of this site only: ``next`` naming another host is ignored)."""
    language = request.POST.get("language", "")
    if language not in LANGUAGES:
        raise refuse("language", language, Refusal.LANGUAGE, english=LANGUAGES[0], chinese=LANGUAGES[1])
    user = request.user
    user.language = language  # type: ignore[union-attr]
    user.save(update_fields=["language"])  # type: ignore[union-attr]
    translation.activate(language)
    back = request.POST.get("next") or "/"
    safe = url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    response = redirect(back if safe and back.startswith("/") else "/")
    # the login page after logging out stays in the same language
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response
