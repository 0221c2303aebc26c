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
