"""The peer of :mod:`benchmarks.bench_django_peer`: lapor_core's job the way a Django developer would do it.

A small Django app (no project scaffolding): one complaint table, a hash-chained history table and an outbox
table (:mod:`.models`), and a desk of plain functions over them (:mod:`.desk`) with deadlines counted by
``numpy.busday_offset`` over the ``holidays`` package's Indonesian public holidays and cuti bersama.
:func:`configure` sets Django up in code; the models and the desk import only after it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["APP", "configure", "sqlite_database"]

APP = "benchmarks.django_peer"
"""The app's import path, its only entry in ``INSTALLED_APPS``."""


def sqlite_database(path: str) -> dict[str, Any]:
    """Django's settings for a SQLite file as durable as lapor_core's: WAL, ``synchronous=FULL``.

    Write transactions begin ``IMMEDIATE`` (they take the write lock up front, as lapor_core's do); Django
    turns foreign keys on itself.
    """
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL",
            "transaction_mode": "IMMEDIATE",
        },
    }


def configure(databases: dict[str, dict[str, Any]]) -> None:
    """Configure Django for the peer app with ``databases`` (alias -> settings) and load the app.

    Call once per process, before importing :mod:`.models` or :mod:`.desk`.
    """
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,  # DEBUG keeps every query in memory
        USE_TZ=True,
        TIME_ZONE="UTC",
        INSTALLED_APPS=[APP],
        DATABASES=databases,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    )
    django.setup()
