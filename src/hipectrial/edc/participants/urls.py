from __future__ import annotations

from django.urls import path

from hipectrial.edc.participants import views

app_name = "participants"
urlpatterns = [
    path("", views.participant_list, name="list"),
    path("participants/screen/", views.participant_screen_page, name="screen"),
    path("participants/<str:pid>/", views.participant_detail, name="detail"),
    path("participants/<str:pid>/eligibility/", views.eligibility_fragment, name="eligibility"),
    path("participants/<str:pid>/assignment/", views.assignment_fragment, name="assignment"),
    path("participants/<str:pid>/register/", views.participant_register_page, name="register"),
    path("participants/<str:pid>/end/<str:stage>/", views.participant_end_page, name="end"),
    path("participants/<str:pid>/identity/", views.participant_identity_page, name="identity"),
]
