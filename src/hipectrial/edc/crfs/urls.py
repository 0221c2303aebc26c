from __future__ import annotations

from django.urls import path

from hipectrial.edc.crfs import views, visit_views

app_name = "crfs"
_VISIT = "participants/<str:pid>/visits/<str:visit_id>/<int:repeat>/"
urlpatterns = [
    path(_VISIT, visit_views.visit_page, name="visit"),
    path(_VISIT + "<str:form_id>/", visit_views.form_or_list, name="form"),
    path(_VISIT + "<str:form_id>/live/", views.form_live, name="form_live"),
    path(_VISIT + "<str:form_id>/delete/", views.form_delete, name="form_delete"),
    path(_VISIT + "<str:form_id>/<int:form_repeat>/", views.form_page, name="form_repeat"),
    path(_VISIT + "<str:form_id>/<int:form_repeat>/delete/", views.form_delete, name="form_repeat_delete"),
    path(_VISIT + "<str:form_id>/<int:form_repeat>/live/", views.form_live, name="form_repeat_live"),
]
