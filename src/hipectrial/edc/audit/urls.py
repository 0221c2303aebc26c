from __future__ import annotations

from django.urls import path

from hipectrial.edc.audit import views

app_name = "audit"
urlpatterns = [
    path("record/<path:key>", views.record_history, name="record"),
    path("participant/<str:pid>/", views.participant_history, name="participant"),
]
