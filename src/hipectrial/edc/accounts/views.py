"""Logging in and out, and choosing the language of the pages."""

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.views.decorators.http import require_POST


class EdcLoginView(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@login_required
@require_POST
def language_view(request: HttpRequest) -> HttpResponse:
    """Keep the user's choice of language (English or Simplified Chinese) and go back."""
    language = request.POST.get("language", "")
    if language in ("en", "zh-hans"):
        user = request.user
        user.language = language  # type: ignore[union-attr]
        user.save(update_fields=["language"])  # type: ignore[union-attr]
        translation.activate(language)
    back = request.POST.get("next") or "/"
    return redirect(back if back.startswith("/") and not back.startswith("//") else "/")
