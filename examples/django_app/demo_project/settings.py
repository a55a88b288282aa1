"""Settings of the demonstration project: SQLite in ``$LAPOR_DJANGO_DATA`` (or the working directory).

A real project reads its database and secrets from its environment; here the database is a file and the
pepper falls back to a fixed development value (never in production: set ``LAPOR_PEPPER``).
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(os.environ.get("LAPOR_DJANGO_DATA", Path.cwd()))
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "demo-project-secret-key-not-for-production")
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "lapor_django",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "demo_project.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(BASE_DIR / "lapor-django.sqlite3"),
        "TEST": {"NAME": str(BASE_DIR / "lapor-django-test.sqlite3")},
    }
}
# The tests on PostgreSQL set LAPOR_DJANGO_POSTGRES=host:port:user:name (Django makes test_<name> itself).
if os.environ.get("LAPOR_DJANGO_POSTGRES"):
    _host, _port, _user, _name = os.environ["LAPOR_DJANGO_POSTGRES"].split(":")
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": _name,
            "USER": _user,
            "HOST": _host,
            "PORT": _port,
        }
    }
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
LOGIN_URL = "/masuk/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LAPOR = {
    "PEPPER": os.environ.get("LAPOR_PEPPER", "demo project pepper, 32 bytes!!"),
}
