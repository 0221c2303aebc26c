from __future__ import annotations

from django.urls import path

from hipectrial.edc.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.EdcLoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("language/", views.language_view, name="language"),
]
