"""The demonstration project's URLs: lapor_django at the root, Django's sign-in page at /masuk/."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("masuk/", auth_views.LoginView.as_view(template_name="lapor_django/login.html"), name="login"),
    path("", include("lapor_django.urls")),
]
