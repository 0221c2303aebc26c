"""Per-request behaviour of accounts: each page in the user's language, and an htmx request
whose session has expired sent to the login page as a whole page.

Order in ``settings.MIDDLEWARE``: :class:`UserLanguageMiddleware` after ``LocaleMiddleware``
(which picks the language of an anonymous visitor from the cookie or the browser) and after
``AuthenticationMiddleware`` (it needs ``request.user``); it then overrides that choice with
the logged-in user's. :class:`HtmxLoginRedirectMiddleware` after ``HtmxMiddleware`` (it reads
``request.htmx``).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import translation
from django_htmx.http import HttpResponseClientRedirect

LANGUAGES = ("en", "zh-hans")


class UserLanguageMiddleware:
    """Activate the logged-in user's ``language`` for the whole request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", None) if user is not None and user.is_authenticated else None
        if language in LANGUAGES:
            translation.activate(language)
            request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        return self.get_response(request)


class HtmxLoginRedirectMiddleware:
    """An htmx request answered by a redirect to the login page (its session expired) gets
    ``HX-Redirect`` instead: htmx would otherwise follow the redirect itself and swap the
    login page into the fragment it was updating (stack.md §5). After logging in, the user
    comes back to the page they were on, not to the fragment's address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        htmx = getattr(request, "htmx", None)
        if not htmx or response.status_code not in (301, 302, 303, 307, 308):
            return response
        login = resolve_url(settings.LOGIN_URL)
        if urlsplit(response["Location"]).path != login:
            return response
        back = htmx.current_url_abs_path or "/"
        return HttpResponseClientRedirect(f"{login}?{urlencode({'next': back})}")
