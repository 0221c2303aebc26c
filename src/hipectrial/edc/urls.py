"""The EDC's URLs: one include per app."""

from __future__ import annotations

from django.urls import include, path

from hipectrial.edc.downloads import snapshot_download

urlpatterns = [
    path("snapshot.json", snapshot_download, name="snapshot-download"),
    path("accounts/", include("hipectrial.edc.accounts.urls")),
    path("audit/", include("hipectrial.edc.audit.urls")),
    path("", include("hipectrial.edc.participants.urls")),
    path("", include("hipectrial.edc.crfs.urls")),
]

# The same error pages for errors raised outside a view (hipectrial.edc.errors).
handler400 = "hipectrial.edc.errors.bad_request"
handler403 = "hipectrial.edc.errors.permission_denied"
handler404 = "hipectrial.edc.errors.not_found"
handler500 = "hipectrial.edc.errors.server_error"
