"""Django users and groups as principals; the LAPOR setting and the database URL derived from Django's."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django_support import user_in
from lapor_django.conf import lapor_settings, sqlalchemy_url
from lapor_django.desk import database_url
from lapor_django.principals import principal_for

import lapor_core as lc


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ((), ("citizen", None, None)),
        (("lapor:admin",), ("admin", None, None)),
        (("lapor:supervisor",), ("supervisor", None, None)),
        (("lapor:instansi:31.71",), ("institution", "31.71", None)),
        (("lapor:unit:31.71:dinas-pu",), ("unit", "31.71", "dinas-pu")),
        (("lapor:unit:31.71:dinas-pu", "lapor:instansi:73.71"), ("institution", "73.71", None)),
        (("lapor:admin", "lapor:instansi:31.71"), ("admin", None, None)),
        (("staf", "lapor:instansi"), ("citizen", None, None)),
    ],
)
@pytest.mark.django_db
def test_groups_decide_the_principal(groups, expected):
    """The first matching row of the table wins; unrelated or malformed groups are ignored."""
    principal = principal_for(user_in(*groups))
    assert (principal.role.value, principal.institution, principal.unit) == expected
    assert principal.user_id is None or principal.user_id.startswith("django:")


@pytest.mark.django_db
def test_a_superuser_is_an_admin_and_a_visitor_the_public():
    """is_superuser makes an admin; AnonymousUser is the public."""
    user = user_in()
    user.is_superuser = True
    assert principal_for(user).role is lc.Role.ADMIN
    assert principal_for(AnonymousUser()) == lc.Principal.public()


@pytest.mark.parametrize(
    ("database", "url"),
    [
        ({"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/db.sqlite3"}, "sqlite:////srv/db.sqlite3"),
        (
            {"ENGINE": "django.db.backends.postgresql", "NAME": "lapor", "USER": "web", "HOST": ""},
            "postgresql+psycopg://web@/lapor",
        ),
        (
            {
                "ENGINE": "django.db.backends.mysql",
                "NAME": "lapor",
                "USER": "u",
                "PASSWORD": "p@ss",
                "PORT": 1,
            },
            "mysql+pymysql://u:p%40ss@:1/lapor",
        ),
    ],
)
def test_the_sqlalchemy_url_follows_djangos_database_settings(database, url):
    """SQLite file, PostgreSQL, MariaDB/MySQL; a password is escaped."""
    assert sqlalchemy_url(database) == url


@pytest.mark.parametrize(
    "database",
    [
        {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
        {"ENGINE": "django.db.backends.sqlite3", "NAME": ""},
        {"ENGINE": "django.db.backends.oracle", "NAME": "x"},
        {},
    ],
)
def test_an_in_memory_or_unknown_database_is_refused(database):
    """Two connection pools cannot share an in-memory SQLite; Oracle has no lapor_core store."""
    with pytest.raises(ImproperlyConfigured):
        sqlalchemy_url(database)


@pytest.mark.parametrize(
    ("lapor", "debug", "problem"),
    [
        ({"PEPPER": "x" * 32, "COLOUR": "red"}, False, "unknown keys: COLOUR"),
        ({"PEPPER": "x" * 32, "DATABASE": "other"}, False, "names no database"),
        ({}, False, "PEPPER"),
    ],
)
def test_the_lapor_setting_is_checked(settings, lapor, debug, problem):
    """Unknown keys, an unknown database alias and no pepper outside DEBUG are refused by name."""
    settings.LAPOR = lapor
    settings.DEBUG = debug
    with pytest.raises(ImproperlyConfigured, match=problem):
        lapor_settings()


def test_debug_may_run_without_a_pepper(settings):
    """With DEBUG the pepper may be left out (lapor_core then warns and uses its development pepper)."""
    settings.LAPOR = {}
    settings.DEBUG = True
    assert lapor_settings().pepper is None


@pytest.mark.django_db
def test_the_database_is_the_one_the_environment_names():
    """SQLite by default; PostgreSQL in the run of test_on_postgresql (LAPOR_DJANGO_POSTGRES)."""
    expected = "postgresql+psycopg" if os.environ.get("LAPOR_DJANGO_POSTGRES") else "sqlite"
    assert database_url().partition("://")[0] == expected
