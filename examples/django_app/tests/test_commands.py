"""The management commands: lapor_migrate, lapor_sweep and lapor_deliver, as cron runs them."""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from django.core.management import call_command
from django.core.management.base import CommandError
from django_support import submitted
from lapor_django.conf import sqlalchemy_url
from lapor_django.desk import database_url

import lapor_core as lc
from lapor_core.stores.sql import SCHEMA_REVISION, SqlComplaintStore, upgrade
from lapor_core.testing.recording import RecordingNotifier


def _run(name: str) -> str:
    out = io.StringIO()
    call_command(name, stdout=out)
    return out.getvalue()


@pytest.mark.usefixtures("transactional_db")
def test_lapor_migrate_creates_lapor_cores_tables_in_djangos_database(settings):
    """The Django test database ends at the newest revision, beside Django's own tables."""
    settings.LAPOR = {"PEPPER": "x" * 32}
    assert _run("lapor_migrate") == f"skema lapor_core pada revisi {SCHEMA_REVISION}\n"
    store = SqlComplaintStore(database_url(), schema="check")
    try:
        assert store.schema_revision() == SCHEMA_REVISION
        tables = set(sa.inspect(store.engine).get_table_names())
    finally:
        store.close()
    assert {"lapor_complaints", "auth_user", "django_session"} <= tables


def test_lapor_sweep_closes_a_complaint_ten_quiet_working_days_after_its_follow_up(desk, clock):
    """Followed up on 17 March, swept on 16 April (the 10 working days ended on 8 April): closed."""
    receipt = submitted(desk, follow_up="Sudah diperbaiki.")
    clock.advance(days=30)
    assert _run("lapor_sweep").startswith("ditangani 1: ditutup 1")
    assert desk.view(lc.Principal.admin("a"), receipt.tracking_id).status is lc.Status.CLOSED


def test_lapor_deliver_needs_a_notifier_and_sends_with_the_configured_one(desk, settings, clock):
    """Without LAPOR['NOTIFIER'] it refuses; with one, the queued messages go out."""
    submitted(desk)
    with pytest.raises(CommandError, match="NOTIFIER"):
        _run("lapor_deliver")
    notifier = RecordingNotifier()
    settings.LAPOR = {
        "PEPPER": settings.LAPOR["PEPPER"],
        "CLOCK": clock,
        "NOTIFIER": notifier,
        "ADDRESSES": {
            "admin": "mailto:admin@lapor.go.id",
            "institutions": {"31.71": "mailto:pu@jakarta.example"},
        },
    }
    assert _run("lapor_deliver").startswith("terkirim 2")
    assert sorted(n.template for n in notifier.sent) == ["forward.institution", "submit.admin"]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new database on the local PostgreSQL server (127.0.0.1:5432), as a Django DATABASES entry's URL."""
    admin = sa.create_engine(
        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres?connect_timeout=3",
        isolation_level="AUTOCOMMIT",
        poolclass=sa.NullPool,
    )
    name = f"lapor_django_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.SQLAlchemyError as error:
        if os.environ.get("CI") == "true" or os.environ.get("LAPOR_REQUIRE_SERVICES") == "1":
            pytest.fail(f"PostgreSQL is not reachable: {type(error).__name__}")
        pytest.skip(f"PostgreSQL is not reachable: {type(error).__name__}")
    try:
        yield sqlalchemy_url(
            {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": name,
                "USER": "postgres",
                "HOST": "127.0.0.1",
                "PORT": "5432",
            }
        )
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.services
def test_a_postgresql_django_database_is_migrated_and_used_the_same_way(postgres_url):
    """The URL a PostgreSQL DATABASES entry gives: migrated as lapor_migrate does, then a desk works on it."""
    upgrade(postgres_url)
    with lc.ComplaintDesk.open(postgres_url, schema="check", pepper="x" * 32) as desk:
        receipt = submitted(desk)
        reporter = desk.authenticate(receipt.tracking_id, receipt.access_key)
        assert desk.view(reporter, receipt.tracking_id).institution == "31.71"
