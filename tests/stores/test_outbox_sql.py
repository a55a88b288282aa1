"""The outbox contract on the SQL store: SQLite (file and in-memory), PostgreSQL and MariaDB."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from lapor_core.errors import StorageError, ValidationError
from lapor_core.plugins import Changeset
from lapor_core.stores.sql import SCHEMA_REVISION, SqlComplaintStore
from lapor_core.stores.sql import _complaints as sql
from lapor_core.stores.sql import _outbox as sql_outbox
from lapor_core.stores.sql._rows import (
    COMPLAINT_COLUMNS,
    EVENT_COLUMNS,
    IDENTITY_COLUMNS,
    OUTBOX_COLUMNS,
    ChangesetRows,
)
from lapor_core.stores.sql._schema import complaints, events, identities, outbox
from lapor_core.testing.builders import DEFAULT_TIME, new_complaint
from lapor_core.testing.outbox_contracts import OutboxStoreContract


class TestSqliteFileOutbox(OutboxStoreContract):
    """The outbox contract on a SQLite file (WAL, BEGIN IMMEDIATE serialises the claimers)."""

    @pytest.fixture
    def store(self, sqlite_url: str) -> Iterator[SqlComplaintStore]:
        """A SQL store on a new SQLite file."""
        store = SqlComplaintStore(sqlite_url)
        yield store
        store.close()


class TestSqliteMemoryOutbox(OutboxStoreContract):
    """The outbox contract on in-memory SQLite (one connection behind a lock)."""

    @pytest.fixture
    def store(self) -> Iterator[SqlComplaintStore]:
        """A SQL store on a private in-memory SQLite database."""
        store = SqlComplaintStore("sqlite://")
        yield store
        store.close()


@pytest.mark.services
class TestPostgresOutbox(OutboxStoreContract):
    """The outbox contract on PostgreSQL (FOR UPDATE SKIP LOCKED)."""

    @pytest.fixture
    def store(self, clean_postgres_url: str) -> Iterator[SqlComplaintStore]:
        """A SQL store on the session's PostgreSQL database, emptied for the test."""
        store = SqlComplaintStore(clean_postgres_url, pool_size=8)
        yield store
        store.close()


@pytest.mark.services
class TestMariadbOutbox(OutboxStoreContract):
    """The outbox contract on MariaDB (FOR UPDATE SKIP LOCKED, MariaDB 10.6 and later)."""

    @pytest.fixture
    def store(self, clean_mariadb_url: str) -> Iterator[SqlComplaintStore]:
        """A SQL store on the session's MariaDB database, emptied for the test."""
        store = SqlComplaintStore(clean_mariadb_url, pool_size=8)
        yield store
        store.close()


# --- the delivery columns' migration (revision 0002) and SQL specifics, on every backend -------------------

LEASE = timedelta(minutes=5)
# The driver's error class and code for a table that does not exist, as the StorageError names them.
MISSING_TABLE = {
    "sqlite": "OperationalError [SQLITE_ERROR]",
    "postgresql": "UndefinedTable [42P01]",
    "mysql": "ProgrammingError [42S02]",
    "mariadb": "ProgrammingError [42S02]",
}


def _save_at_0001(store: SqlComplaintStore, changes: Changeset) -> None:
    """Write a changeset's rows naming only the columns revision 0001 has (as a 0.1 store wrote them)."""
    rows = ChangesetRows.of(changes)
    tables = (
        (complaints, COMPLAINT_COLUMNS, (rows.complaint,)),
        (events, EVENT_COLUMNS, rows.events),
        (identities, IDENTITY_COLUMNS, (rows.identity,) if rows.identity else ()),
        (outbox, OUTBOX_COLUMNS, rows.outbox),
    )
    with store.engine.begin() as connection:
        for table, columns, values in tables:
            kept = [i for i, name in enumerate(columns) if name not in _AFTER_0001.get(table.name, ())]
            for row in values:
                connection.execute(table.insert().values({columns[i]: row[i] for i in kept}))


_AFTER_0001 = {
    "lapor_complaints": ("head_hash", "sla_state", "merged_into", "escalation", "search_text", "regency")
}
"""Columns later revisions added to tables 0001 created (the outbox's are the table's own, not a record's)."""


def test_rows_queued_before_the_delivery_migration_are_pending_and_due_after_it(empty_url: str) -> None:
    """Outbox rows written at revision 0001 are claimable after upgrading, with no attempts counted."""
    old = SqlComplaintStore(empty_url, schema="skip")
    old.migrate("0001")
    changes = new_complaint(outbox=2)
    _save_at_0001(old, changes)
    old.close()
    store = SqlComplaintStore(empty_url, schema="upgrade")
    try:
        assert store.schema_revision() == SCHEMA_REVISION
        claims = store.claim_outbox(DEFAULT_TIME, lease=LEASE)
        assert [c.message for c in claims] == list(changes.outbox)
        assert {c.attempts for c in claims} == {0}
    finally:
        store.close()


def test_the_delivery_migration_downgrades_and_upgrades_again(empty_url: str) -> None:
    """Downgrading to 0001 drops the delivery columns and keeps the queue; upgrading adds them back."""
    store = SqlComplaintStore(empty_url)
    changes = new_complaint(outbox=1)
    store.save(changes)
    config = Config()
    config.set_main_option("script_location", str(Path(sql.__file__).with_name("migrations")))
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    assert store.schema_revision() == "0001"
    with store.engine.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("lapor_outbox")}
        queued = connection.execute(sa.text("SELECT id FROM lapor_outbox")).scalars().all()
    assert "dead_at" not in columns
    assert queued == [changes.outbox[0].id]
    store.migrate()
    try:
        (claim,) = store.claim_outbox(DEFAULT_TIME, lease=LEASE)
        assert claim.message == changes.outbox[0]
    finally:
        store.close()


def test_delivery_state_is_kept_in_the_outbox_row(tmp_path: Path) -> None:
    """A dead letter is its row with dead_at, attempts and last_error set; acknowledging deletes the row."""
    url = f"sqlite:///{tmp_path / 'lapor.db'}"
    store = SqlComplaintStore(url)
    try:
        changes = new_complaint(outbox=2)
        store.save(changes)
        first = changes.outbox[0]
        dead, delivered = store.claim_outbox(DEFAULT_TIME, lease=LEASE)
        store.dead_letter_outbox(dead, error="PermanentNotificationError: HTTP 410", now=DEFAULT_TIME)
        store.acknowledge_outbox(delivered)
        with store.engine.connect() as connection:
            rows = connection.execute(
                sa.select(
                    outbox.c.id,
                    outbox.c.attempts,
                    outbox.c.last_error,
                    outbox.c.dead_at,
                    outbox.c.lease_token,
                )
            ).all()
        assert [tuple(row) for row in rows] == [
            (first.id, 1, "PermanentNotificationError: HTTP 410", DEFAULT_TIME, None)
        ]
    finally:
        store.close()


def test_a_failing_database_raises_storage_error_from_every_outbox_method(empty_url: str) -> None:
    """Driver failures come out as StorageError naming the operation and the driver's code, error chained."""
    store = SqlComplaintStore(empty_url)
    store.save(new_complaint(outbox=1))
    (claim,) = store.claim_outbox(DEFAULT_TIME, lease=LEASE)
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE lapor_outbox")
    calls = {
        "claiming the outbox": lambda: store.claim_outbox(DEFAULT_TIME, lease=LEASE),
        "acknowledging a message": lambda: store.acknowledge_outbox(claim),
        "rescheduling a message": lambda: store.reschedule_outbox(claim, error="x", retry_at=DEFAULT_TIME),
        "dead-lettering a message": lambda: store.dead_letter_outbox(claim, error="x", now=DEFAULT_TIME),
        "listing dead letters": store.dead_letters,
        "retrying a dead letter": lambda: store.retry_dead_letter(claim.message.id, now=DEFAULT_TIME),
    }
    try:
        for operation, call in calls.items():
            with pytest.raises(StorageError, match=operation) as caught:
                call()
            assert isinstance(caught.value.__cause__, sa.exc.DBAPIError)
            assert str(caught.value).endswith(MISSING_TABLE[store.dialect])
    finally:
        store.close()


def test_outbox_methods_refuse_what_is_not_a_claim() -> None:
    """Acknowledge, reschedule and dead-letter take the OutboxClaim a claim returned, nothing else."""
    store = SqlComplaintStore("sqlite://")
    try:
        for call in (
            lambda: store.acknowledge_outbox("message-id"),  # type: ignore[arg-type]
            lambda: store.reschedule_outbox(None, error="x", retry_at=DEFAULT_TIME),  # type: ignore[arg-type]
            lambda: store.dead_letter_outbox({}, error="x", now=DEFAULT_TIME),  # type: ignore[arg-type]
        ):
            with pytest.raises(ValidationError):
                call()
        assert store.retry_dead_letter(42, now=DEFAULT_TIME) is False  # type: ignore[arg-type]
    finally:
        store.close()


def test_a_row_written_behind_the_stores_back_is_a_storage_error_not_a_crash(tmp_path: Path) -> None:
    """A context that is not JSON, put there by hand, fails the claim as a StorageError and leases nothing."""
    store = SqlComplaintStore(f"sqlite:///{tmp_path / 'lapor.db'}")
    try:
        store.save(new_complaint(outbox=1))
        with store.engine.begin() as connection:
            connection.execute(outbox.update().values(context="{not json"))
        with pytest.raises(StorageError, match="cannot be read"):
            store.claim_outbox(DEFAULT_TIME, lease=LEASE)
        with store.engine.connect() as connection:
            assert connection.execute(sa.select(outbox.c.lease_token)).scalar_one() is None
    finally:
        store.close()


def test_a_driver_error_known_by_number_only_is_named_by_that_number() -> None:
    """MySQL client errors without an SQLSTATE (a lost connection, 2013) keep their number in the message."""

    class LostConnectionError(Exception):
        """What PyMySQL raises when the server goes away mid-query."""

    wrapped = sa.exc.OperationalError(
        "DELETE ...", None, LostConnectionError(2013, "Lost connection to server")
    )
    error = sql_outbox._failure("acknowledging a message", wrapped)
    assert str(error) == "acknowledging a message failed: LostConnectionError [2013]"


# --- query plans: claims read the queue in key order, dead letters by their index -------------------------


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def busy_outbox(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SqlComplaintStore]:
    """6,000 queued messages, 500 of them dead letters, with fresh planner statistics."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('outbox-plans') / 'lapor.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database()
    store = SqlComplaintStore(url)
    store.save_many([new_complaint(outbox=3, identity=False) for _ in range(2_000)])
    for claim in store.claim_outbox(DEFAULT_TIME, lease=LEASE, limit=500):
        store.dead_letter_outbox(claim, error="x", now=DEFAULT_TIME)
    with store.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    yield store
    store.close()


def _plan(store: SqlComplaintStore, name: str, values: tuple[object, ...]) -> str:
    prepared = getattr(store._outbox_sql, name)  # the statement exactly as the store runs it
    prefix = "EXPLAIN QUERY PLAN " if store.dialect == "sqlite" else "EXPLAIN "
    params = prepared.params(values)
    with store.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            prefix + prepared.sql, tuple(params) if isinstance(params, list) else params
        )
        return "\n".join(" ".join(str(value) for value in row) for row in rows.all())


def test_a_claim_reads_the_queue_in_primary_key_order_without_sorting(busy_outbox: SqlComplaintStore) -> None:
    """The claim walks the outbox by position (its primary key) and stops at the limit: no sort."""
    plan = _plan(busy_outbox, "claimable", (DEFAULT_TIME, 20, 0))
    assert "TEMP B-TREE" not in plan
    assert "Sort" not in plan
    if busy_outbox.dialect == "postgresql":
        assert "LockRows" in plan
        assert "lapor_outbox_pkey" in plan or "ix_lapor_outbox_dead" in plan, plan


def test_dead_letters_are_listed_from_their_index(busy_outbox: SqlComplaintStore) -> None:
    """dead_letters() reads ix_lapor_outbox_dead in order, not the whole outbox."""
    plan = _plan(busy_outbox, "dead_letters", (100, 0))
    assert "ix_lapor_outbox_dead" in plan, plan
    assert "TEMP B-TREE" not in plan
    assert "Sort" not in plan
