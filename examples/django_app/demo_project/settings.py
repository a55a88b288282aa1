"""Settings of the demonstration project: SQLite in the working directory, Indonesian first.

Set ``LAPOR_DJANGO_DATABASE_URL``-style variables in a real project; here the database is a file and the
pepper a fixed development value (never use it in production: ``LAPOR_PEPPER`` from the environment).
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
