"""Errors as pages: what was refused or not found, in the user's language, never a traceback.

The core raises one error tree (:mod:`hipectrial.errors`); the web maps it here:

* :class:`~hipectrial.errors.PermissionDenied` (and Django's own) → 403, naming what was refused;
* :class:`~hipectrial.errors.InputError` → 400, naming the field, the value and what was expected;
* :class:`~hipectrial.errors.ConflictError` → 409 (someone else saved first; nothing was saved);
* a row that does not exist (``Model.DoesNotExist``) or Django's ``Http404`` → 404.

Pages that handle an error themselves (a form showing an ``InputError`` next to its field, a
conflict showing both versions) catch it before it reaches :class:`ErrorPageMiddleware`; this
is the net under every other view. An htmx request gets only the error block, retargeted to the
page's ``#edc-error`` area (``base.html``), so a refused fragment does not vanish silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from hipectrial.errors import ConflictError, InputError, PermissionDenied, shown

log = logging.getLogger("hipectrial.edc.errors")

TEMPLATES = {
    400: "edc/errors/400.html",
    403: "edc/errors/403.html",
    404: "edc/errors/404.html",
    409: "edc/errors/409.html",
}


def error_page(request: HttpRequest, status: int, message: str, **context: object) -> HttpResponse:
    """The error page for ``status`` with ``message`` (already in the user's language).

    For an htmx request, only the page's ``error`` partial, placed in ``#edc-error``.
    """
    template = TEMPLATES[status]
    htmx = bool(getattr(request, "htmx", False))
    name = f"{template}#error" if htmx else template
    body = render_to_string(name, {"status": status, "message": message, **context}, request=request)
    response = HttpResponse(body, status=status)
    if htmx:
        response["HX-Retarget"] = "#edc-error"
        response["HX-Reswap"] = "innerHTML"
    return response


def _missing_thing(exc: ObjectDoesNotExist) -> str:
    for model in apps.get_models():
        if type(exc) is model.DoesNotExist:
            return str(model._meta.verbose_name)
    return ""


def page_for(request: HttpRequest, exc: BaseException) -> HttpResponse | None:
    """The error page for ``exc``, or None when it is not one the web maps (a bug: 500)."""
    if isinstance(exc, PermissionDenied | DjangoPermissionDenied):
        log.warning("refused %s %s: %s", request.method, request.path, exc)
        return error_page(request, 403, str(exc) or _("You may not do this."))
    if isinstance(exc, InputError):
        if _chinese():  # the refusal worded from its code (its hint in the sentence)
            return error_page(request, 400, _said(exc), field=exc.field, hint="")
        return error_page(
            request,
            400,
            _("%(field)s must be %(expected)s; got %(value)s")
            % {"field": exc.field, "expected": exc.expected, "value": shown(exc.value)},
            field=exc.field,
            hint=exc.hint or "",
        )
    if isinstance(exc, ConflictError):
        return error_page(request, 409, _said(exc))
    if isinstance(exc, ObjectDoesNotExist):
        thing = _missing_thing(exc)
        message = (
            _("There is no such %(thing)s.") % {"thing": thing} if thing else _("There is no such record.")
        )
        return error_page(request, 404, message, path=request.path)
    if isinstance(exc, Http404):
        return error_page(request, 404, _("There is no page at this address."), path=request.path)
    return None


def _chinese() -> bool:
    from hipectrial.edc.participants.labels import language_of

    return language_of() == "zh"


def _said(exc: BaseException) -> str:
    """The core's or a service's refusal in the page's language (:mod:`.refusal_wording`)."""
    from hipectrial.edc.participants.labels import language_of
    from hipectrial.edc.protocol_source import current_protocol
    from hipectrial.edc.refusal_wording import refusal_text

    return refusal_text(exc, language=language_of(), protocol=current_protocol())


class ErrorPageMiddleware:
    """Turns the core's errors (and a missing row) raised by a view into their page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return page_for(request, exception)


# Django's handlers (``handler400`` … in the root URLconf), for errors raised outside a view
# (an address no URL matches, a suspicious request): the same pages.


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 400, _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403, (str(exception) if exception else "") or _("You may not do this."))


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404, _("There is no page at this address."), path=request.path)


def server_error(request: HttpRequest) -> HttpResponse:
    """A bug: a plain page (no context processors, which may be what failed), no traceback."""
    body = render_to_string("edc/errors/500.html")
    return HttpResponse(body, status=500)
