"""Fixtures: lapor_core's tables in Django's test database, a frozen clock, users in LAPOR! groups."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from django.core.management import call_command
from django.test import Client
from django_support import user_in
from lapor_django.desk import database_url, forget_desk, get_desk

import lapor_core as lc
from lapor_core.testing import FrozenClock

WIB = timezone(timedelta(hours=7))
START = datetime(2026, 3, 17, 10, tzinfo=WIB)
PEPPER = "django example test pepper, 32 bytes"


@pytest.fixture
def clock() -> FrozenClock:
    """The desk's clock: Tuesday 17 March 2026, 10:00 WIB."""
    return FrozenClock(START)


@pytest.fixture
def desk(transactional_db: None, settings: object, clock: FrozenClock) -> Iterator[lc.ComplaintDesk]:
    """The app's desk on the test database, its tables made by ``manage.py lapor_migrate``.

    ``transactional_db``: lapor_core writes through its own connections, which must see committed rows (and
    not wait for a test transaction holding SQLite's write lock).
    """
    del transactional_db  # requested for its effect
    settings.LAPOR = {"PEPPER": PEPPER, "CLOCK": clock}  # type: ignore[attr-defined]
    call_command("lapor_migrate", verbosity=0)
    yield get_desk()
    forget_desk()
    _empty_lapor_tables(database_url())


def _empty_lapor_tables(url: str) -> None:
    """Delete lapor_core's rows (Django's flush after a transactional test empties only its own tables)."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.begin() as connection:
            for name in sa.inspect(connection).get_table_names():
                if name.startswith("lapor_") and name != "lapor_alembic_version":
                    connection.execute(sa.text(f'DELETE FROM "{name}"'))  # noqa: S608 - names from the schema
    finally:
        engine.dispose()


@pytest.fixture
def officer_client(desk: lc.ComplaintDesk) -> Client:
    """A client signed in as an officer of Jakarta Pusat (31.71), on the app's desk."""
    del desk  # requested for its effect
    client = Client()
    client.force_login(user_in("lapor:instansi:31.71"))
    return client
