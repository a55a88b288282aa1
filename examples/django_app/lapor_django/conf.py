"""The desk's configuration, read from Django settings: one ``LAPOR`` dictionary.

.. code-block:: python

    LAPOR = {
        "DATABASE": "default",             # the Django database whose tables lapor_core shares (default)
        "PEPPER": env("LAPOR_PEPPER"),     # required outside DEBUG: keys access keys and secrets
        "ADDRESSES": {...},                # the address book of notifications (AddressBook.from_dict)
        "NOTIFIER": None,                  # a lapor_core Notifier for ``manage.py lapor_deliver``
        "CLOCK": None,                     # a lapor_core Clock (tests pass a FrozenClock)
    }

The SQLAlchemy URL is derived from the Django database's own settings (SQLite, PostgreSQL or MariaDB/MySQL),
read when the desk opens, so under Django's test runner it is the test database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import sqlalchemy as sa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from lapor_core.plugins import Clock, Notifier

__all__ = ["LaporSettings", "lapor_settings", "sqlalchemy_url"]

_DRIVERS = {
    "django.db.backends.postgresql": "postgresql+psycopg",
    "django.db.backends.mysql": "mysql+pymysql",
}


def sqlalchemy_url(database: Mapping[str, Any]) -> str:
    """The SQLAlchemy URL of a Django ``DATABASES`` entry.

    >>> sqlalchemy_url({"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/lapor/db.sqlite3"})
    'sqlite:////srv/lapor/db.sqlite3'
    >>> sqlalchemy_url({"ENGINE": "django.db.backends.postgresql", "NAME": "lapor", "USER": "web",
    ...                 "PASSWORD": "s3cret", "HOST": "db", "PORT": "5432"})
    'postgresql+psycopg://web:s3cret@db:5432/lapor'

    Raises:
        ImproperlyConfigured: Another engine, or an in-memory SQLite database (which two connection pools
            cannot share).
    """
    engine = database.get("ENGINE", "")
    name = str(database.get("NAME") or "")
    if engine == "django.db.backends.sqlite3":
        if not name or name == ":memory:" or name.startswith("file:"):
            raise ImproperlyConfigured("lapor_django needs a SQLite file, not an in-memory database")
        return f"sqlite:///{name}"
    driver = _DRIVERS.get(engine)
    if driver is None:
        raise ImproperlyConfigured(f"lapor_django does not know the database engine {engine!r}")
    url = sa.URL.create(
        driver,
        username=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        host=database.get("HOST") or None,
        port=int(database["PORT"]) if database.get("PORT") else None,
        database=name,
    )
    return url.render_as_string(hide_password=False)


@attrs.frozen
class LaporSettings:
    """The ``LAPOR`` setting, checked.

    Attributes:
        database: The Django database alias lapor_core's tables live in.
        pepper: The deployment's pepper (None only with ``DEBUG``: lapor_core then warns and uses its
            development pepper).
        addresses: The address book, as ``AddressBook.from_dict`` takes it.
        notifier: What ``lapor_deliver`` sends with.
        clock: The desk's clock, or None for the system clock.
    """

    database: str = "default"
    pepper: str | None = attrs.field(default=None, repr=False)
    addresses: Mapping[str, Any] = attrs.field(factory=dict)
    notifier: Notifier | None = None
    clock: Clock | None = None


def lapor_settings() -> LaporSettings:
    """The ``LAPOR`` setting of the project.

    Raises:
        ImproperlyConfigured: An unknown key, an unknown database alias, or no pepper outside ``DEBUG``.
    """
    raw: Mapping[str, Any] = getattr(settings, "LAPOR", {})
    known = {"DATABASE", "PEPPER", "ADDRESSES", "NOTIFIER", "CLOCK"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ImproperlyConfigured(f"LAPOR has unknown keys: {', '.join(unknown)}")
    chosen = LaporSettings(
        database=raw.get("DATABASE", "default"),
        pepper=raw.get("PEPPER"),
        addresses=raw.get("ADDRESSES") or {},
        notifier=raw.get("NOTIFIER"),
        clock=raw.get("CLOCK"),
    )
    if chosen.database not in settings.DATABASES:
        raise ImproperlyConfigured(f"LAPOR['DATABASE'] names no database: {chosen.database!r}")
    if chosen.pepper is None and not settings.DEBUG:
        raise ImproperlyConfigured("LAPOR['PEPPER'] is required outside DEBUG")
    return chosen
