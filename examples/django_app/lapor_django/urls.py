"""The app's pages: include them under any prefix (``path("lapor/", include("lapor_django.urls"))``)."""

from __future__ import annotations

from django.urls import path

from lapor_django import views

app_name = "lapor"
urlpatterns = [
    path("", views.submit, name="submit"),
    path("lacak/", views.track, name="track"),
    path("kotak-masuk/", views.inbox, name="inbox"),
]
