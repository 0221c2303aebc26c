from __future__ import annotations

from django.urls import path

from hipectrial.edc.participants import views

app_name = "participants"
urlpatterns = [
    path("", views.participant_list, name="list"),
]
