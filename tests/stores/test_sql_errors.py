"""Every driver error the SQL store can meet comes out as a lapor_core error, caused by a real failure."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

from lapor_core._domain.ports import ComplaintQuery
from lapor_core.errors import ConcurrencyConflict, ConfigurationError, StorageError
from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.stores.sql import _schema as sa_schema
from lapor_core.testing.builders import new_complaint, next_changeset, outbox_message


@pytest.fixture
def store(store_url: str) -> Iterator[SqlComplaintStore]:
    """A SQL store on the backend under test."""
    store = SqlComplaintStore(store_url, pool_size=2)
    yield store
    store.close()


def _driver_error(error: BaseException) -> BaseException:
    cause = error.__cause__
    assert isinstance(cause, sa.exc.DBAPIError), repr(cause)
    assert cause.orig is not None
    return cause.orig


def _in_thread(run: Callable[[], Any]) -> tuple[threading.Thread, list[BaseException | object]]:
    outcome: list[BaseException | object] = []

    def target() -> None:
        try:
            outcome.append(run())
        except BaseException as e:  # noqa: BLE001  # handed to the test thread to assert on
            outcome.append(e)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


def _wait_until(condition: Callable[[], bool], what: str, *, interval: float = 0.02) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(interval)


# -- integrity ----------------------------------------------------------------------------------------------


def test_duplicate_tracking_id_is_a_concurrency_conflict_caused_by_integrity_error(
    store: SqlComplaintStore,
) -> None:
    """The primary key refusing a second new complaint with one tracking ID becomes ConcurrencyConflict."""
    first = new_complaint()
    store.save(first)
    with pytest.raises(ConcurrencyConflict) as caught:
        store.save(new_complaint(first.complaint.tracking_id))
    assert isinstance(caught.value.__cause__, sa.exc.IntegrityError)
    assert caught.value.actual_version == 1


def test_duplicate_tracking_id_within_one_batch_is_a_concurrency_conflict(store: SqlComplaintStore) -> None:
    """A bulk import naming one tracking ID twice is refused as a conflict and imports nothing."""
    first = new_complaint()
    twin = new_complaint(first.complaint.tracking_id)
    other = new_complaint()
    with pytest.raises(ConcurrencyConflict) as caught:
        store.save_many([other, first, twin])
    assert caught.value.complaint_id == first.complaint.tracking_id
    assert caught.value.actual_version is None
    assert store.pending_outbox() == ()


def test_duplicate_outbox_id_is_a_storage_error_not_a_conflict(store: SqlComplaintStore) -> None:
    """The unique outbox ID refusing a message becomes StorageError (retrying cannot help)."""
    first = new_complaint()
    store.save(first)
    second = new_complaint()
    second = attrs.evolve(
        second, outbox=(outbox_message(second.complaint.tracking_id, id=first.outbox[0].id),)
    )
    with pytest.raises(StorageError) as caught:
        store.save(second)
    assert not isinstance(caught.value, ConcurrencyConflict)
    assert isinstance(caught.value.__cause__, sa.exc.IntegrityError)


def test_missing_required_value_is_a_storage_error_not_a_conflict(store: SqlComplaintStore) -> None:
    """A NOT NULL column refusing a new complaint's row is StorageError, though the driver says integrity."""
    broken = new_complaint()
    broken = attrs.evolve(broken, complaint=attrs.evolve(broken.complaint, title=None))
    with pytest.raises(StorageError) as caught:
        store.save(broken)
    assert not isinstance(caught.value, ConcurrencyConflict)
    assert isinstance(caught.value.__cause__, sa.exc.IntegrityError)


# -- values the store cannot hold ---------------------------------------------------------------------------


def test_naive_datetime_is_a_storage_error(store: SqlComplaintStore) -> None:
    """A naive datetime is refused before it reaches the database (its instant would be a guess)."""
    changes = new_complaint()
    naive = datetime(2026, 3, 17, 10)  # noqa: DTZ001  # the bad input
    with pytest.raises(StorageError) as caught:
        store.save(attrs.evolve(changes, complaint=attrs.evolve(changes.complaint, published_at=naive)))
    assert isinstance(caught.value.__cause__, sa.exc.StatementError)


def test_value_that_is_not_json_is_a_storage_error(store: SqlComplaintStore) -> None:
    """An outbox context holding a non-JSON value is refused before the transaction starts."""
    changes = new_complaint()
    bad = outbox_message(changes.complaint.tracking_id, context={"when": {1, 2}})
    with pytest.raises(StorageError) as caught:
        store.save(attrs.evolve(changes, outbox=(bad,)))
    assert isinstance(caught.value.__cause__, TypeError)


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.services)])
def test_nul_character_is_a_storage_error_on_postgresql(store: SqlComplaintStore) -> None:
    """PostgreSQL text cannot hold NUL (the domain refuses it earlier); the store says StorageError."""
    with pytest.raises(StorageError) as caught:
        store.save(new_complaint(body="before\x00after"))
    assert isinstance(caught.value.__cause__, sa.exc.DBAPIError)


@pytest.mark.parametrize(
    "backend",
    [
        pytest.param("postgresql", marks=pytest.mark.services),
        pytest.param("mariadb", marks=pytest.mark.services),
    ],
)
def test_value_too_long_for_its_column_is_a_storage_error(store: SqlComplaintStore) -> None:
    """A code longer than its column (strict servers do not truncate) is StorageError from DataError."""
    with pytest.raises(StorageError) as caught:
        store.save(new_complaint("X" * 41))
    assert isinstance(caught.value.__cause__, sa.exc.DataError)


# -- locks and deadlocks ------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_lock_held_past_busy_timeout_is_a_storage_error(store_url: str) -> None:
    """A writer that cannot get SQLite's lock within busy_timeout fails with StorageError [SQLITE_BUSY]."""
    store = SqlComplaintStore(store_url, busy_timeout=0.05)
    holder = sqlite3.connect(store_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(StorageError) as caught:
            store.save(new_complaint())
        assert isinstance(caught.value.__cause__, sa.exc.OperationalError)
        assert "SQLITE_BUSY" in str(caught.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.close()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_read_only_database_is_a_storage_error(store_url: str) -> None:
    """Writing to a database opened read-only fails with StorageError [SQLITE_READONLY]."""
    SqlComplaintStore(store_url).close()
    path = store_url.removeprefix("sqlite:///")
    store = SqlComplaintStore(f"sqlite:///file:{path}?mode=ro&uri=true", schema="check")
    try:
        with pytest.raises(StorageError) as caught:
            store.save(new_complaint())
        assert _driver_error(caught.value).sqlite_errorname == "SQLITE_READONLY"  # type: ignore[attr-defined]
    finally:
        store.close()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_exhausted_connection_pool_is_a_storage_error(store_url: str) -> None:
    """Waiting longer than pool_timeout for a pooled connection fails with StorageError."""
    store = SqlComplaintStore(store_url, pool_size=1, engine_options={"max_overflow": 0, "pool_timeout": 0.1})
    try:
        with store.engine.connect():  # holds the pool's only connection
            with pytest.raises(StorageError) as caught:
                store.query(ComplaintQuery())
            assert isinstance(caught.value.__cause__, sa.exc.TimeoutError)
        assert store.query(ComplaintQuery()).items == ()
    finally:
        store.close()


def _lock_timeout_options(backend: str) -> dict[str, Any]:
    if backend == "postgresql":
        return {"connect_args": {"options": "-c lock_timeout=200"}}
    return {"connect_args": {"init_command": "SET SESSION innodb_lock_wait_timeout = 1"}}


@pytest.mark.parametrize(
    "backend",
    [
        pytest.param("postgresql", marks=pytest.mark.services),
        pytest.param("mariadb", marks=pytest.mark.services),
    ],
)
def test_row_lock_held_past_the_lock_timeout_is_a_storage_error(store_url: str, backend: str) -> None:
    """A save that waits too long for a row another session locked fails with StorageError, not a conflict."""
    store = SqlComplaintStore(store_url, engine_options=_lock_timeout_options(backend))
    created = new_complaint()
    store.save(created)
    tid = created.complaint.tracking_id
    other = sa.create_engine(store_url, poolclass=sa.NullPool)
    try:
        with other.begin() as holder:
            holder.execute(
                sa.text("SELECT version FROM lapor_complaints WHERE tracking_id = :tid FOR UPDATE"),
                {"tid": tid},
            )
            with pytest.raises(StorageError) as caught:
                store.save(next_changeset(created.complaint, created.events))
            assert not isinstance(caught.value, ConcurrencyConflict)
            assert isinstance(caught.value.__cause__, sa.exc.OperationalError)
        assert store.get(tid).version == 1
    finally:
        other.dispose()
        store.close()


def _deadlock_setup(backend: str) -> tuple[dict[str, Any], list[str]]:
    """Store options and the other session's first statements, so that the store is the deadlock victim."""
    if backend == "postgresql":
        # A waiter checks for a deadlock once, deadlock_timeout after it started waiting, and is cancelled if
        # it finds one: the store's check (after 1 s) comes first, the rival's (after 60 s) never.
        options = {"connect_args": {"options": "-c deadlock_timeout=1000"}}
        return options, ["SET LOCAL deadlock_timeout = '60s'"]
    # InnoDB rolls back the transaction that changed fewer rows: make the other session the bigger one.
    filler = ", ".join(f"('filler-{i}', 0)" for i in range(50))
    return {}, [f"INSERT INTO lapor_identities (ref, erased) VALUES {filler}"]  # noqa: S608  # constants


def _waiting_sql(backend: str) -> str:
    if backend == "postgresql":
        return (
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
    return (
        "SELECT count(*) FROM information_schema.innodb_trx t "
        "JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id "
        "WHERE t.trx_state = 'LOCK WAIT' AND p.db = DATABASE()"
    )


@pytest.mark.parametrize(
    "backend",
    [
        pytest.param("postgresql", marks=pytest.mark.services),
        pytest.param("mariadb", marks=pytest.mark.services),
    ],
)
def test_deadlock_is_a_concurrency_conflict(store_url: str, backend: str) -> None:
    """A save chosen as a deadlock victim raises ConcurrencyConflict (reload and retry), from the driver."""
    options, preamble = _deadlock_setup(backend)
    store = SqlComplaintStore(store_url, pool_size=2, engine_options=options)
    created = new_complaint()
    store.save(created)
    assert created.identity is not None
    tid, ref = created.complaint.tracking_id, created.identity.ref
    update = next_changeset(created.complaint, created.events, identity=created.identity.erase())
    other = sa.create_engine(store_url, poolclass=sa.NullPool)
    try:
        # The observer runs outside any transaction: MariaDB would otherwise show it a frozen lock table.
        observer = other.connect().execution_options(isolation_level="AUTOCOMMIT")
        with observer, other.connect() as rival:
            for statement in preamble:
                rival.execute(sa.text(statement))
            rival.execute(
                sa.text("UPDATE lapor_identities SET name = 'rival' WHERE ref = :ref"), {"ref": ref}
            )
            thread, outcome = _in_thread(lambda: store.save(update))
            _wait_until(
                lambda: observer.execute(sa.text(_waiting_sql(backend))).scalar() == 1,
                "the store waits for the rival's lock",
                # MariaDB refreshes its lock tables only when they were not read for 0.1 s.
                interval=0.02 if backend == "postgresql" else 0.15,
            )
            rival.execute(
                sa.text("UPDATE lapor_complaints SET title = title WHERE tracking_id = :tid"), {"tid": tid}
            )
            thread.join(10)
            rival.rollback()
    finally:
        other.dispose()
        store.close()
    assert len(outcome) == 1
    conflict = outcome[0]
    assert isinstance(conflict, ConcurrencyConflict), repr(conflict)
    assert isinstance(conflict.__cause__, sa.exc.OperationalError)
    assert conflict.actual_version is None


# -- connections --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://lapor:s3cret@127.0.0.1:1/lapor?connect_timeout=2",
        "mysql+pymysql://lapor:s3cret@127.0.0.1:1/lapor?connect_timeout=2",
    ],
)
def test_refused_connection_is_a_storage_error_without_the_password(url: str) -> None:
    """A server that refuses connections fails opening with StorageError, and the password is not shown."""
    with pytest.raises(StorageError) as caught:
        SqlComplaintStore(url)
    assert isinstance(caught.value.__cause__, sa.exc.OperationalError)
    assert "s3cret" not in str(caught.value)


@pytest.mark.services
def test_a_server_that_drops_and_refuses_connections_is_a_storage_error(clean_postgres_url: str) -> None:
    """Every connection dropped and no new one accepted: the next write and read fail with StorageError.

    (A drop alone costs nothing: the store replaces the connections, see test_sql_failover.py.) Once the
    database accepts connections again, calls succeed.
    """
    store = SqlComplaintStore(clean_postgres_url, pool_size=1, engine_options={"max_overflow": 0})
    name = sa.make_url(clean_postgres_url).database
    admin = sa.create_engine(
        sa.make_url(clean_postgres_url).set(database="test"),
        poolclass=sa.NullPool,
        isolation_level="AUTOCOMMIT",
    )
    try:
        created = new_complaint()
        store.save(created)
        update = next_changeset(created.complaint, created.events)
        with admin.connect() as connection:
            connection.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        try:
            with admin.connect() as connection:
                connection.execute(
                    sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                    {"name": name},
                )
            with pytest.raises(StorageError) as caught:
                store.save(update)
            assert isinstance(caught.value.__cause__, sa.exc.DBAPIError)
            with pytest.raises(StorageError) as caught:
                store.get(created.complaint.tracking_id)
            assert isinstance(caught.value.__cause__, sa.exc.DBAPIError)
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        store.save(update)
        assert store.get(created.complaint.tracking_id) == update.complaint
    finally:
        admin.dispose()
        store.close()


def test_missing_tables_are_a_storage_error(empty_url: str) -> None:
    """Reading a database without lapor_core's tables (schema check skipped) fails with StorageError."""
    store = SqlComplaintStore(empty_url, schema="skip")
    try:
        with pytest.raises(StorageError) as caught:
            store.due(datetime.fromisoformat("2026-03-17T00:00:00+07:00"))
        assert isinstance(caught.value.__cause__, (sa.exc.OperationalError, sa.exc.ProgrammingError))
    finally:
        store.close()


# -- configuration ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a database URL"),
        ("oracle://scott:tiger@localhost/xe", "not oracle"),
        ("postgresql+psycopg2://postgres@127.0.0.1/test", "pip install 'lapor_core[postgres]'"),
    ],
)
def test_unusable_url_is_a_configuration_error(url: str, message: str) -> None:
    """A malformed URL, an unsupported database or a driver that is not installed is a ConfigurationError."""
    with pytest.raises(ConfigurationError, match=message.replace("[", r"\[").replace("]", r"\]")):
        SqlComplaintStore(url)


@pytest.mark.parametrize(
    "options",
    [
        {"synchronous": "FAST"},
        {"journal_mode": "WAL; DROP TABLE x"},
        {"schema": "maybe"},
        {"engine_options": {"no_such_option": 1}},
    ],
)
def test_bad_option_is_a_configuration_error(tmp_path: Path, options: dict[str, Any]) -> None:
    """Options outside their allowed values are refused with ConfigurationError before anything is opened."""
    with pytest.raises(ConfigurationError):
        SqlComplaintStore(f"sqlite:///{tmp_path / 'x.db'}", **options)


# -- rows that no longer decode ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "column", "read"),
    [
        ("lapor_events", "actor", lambda store, tid: store.history(tid)),
        ("lapor_events", "payload", lambda store, tid: store.history(tid)),
        ("lapor_complaints", "location", lambda store, tid: store.get(tid)),
        ("lapor_complaints", "supporters", lambda store, tid: store.get(tid)),
    ],
)
def test_a_stored_row_edited_into_junk_is_a_storage_error_naming_it(
    store: SqlComplaintStore, table: str, column: str, read: Callable[[SqlComplaintStore, str], object]
) -> None:
    """A row changed behind the store's back (not JSON any more) reads as StorageError, never a JSON error."""
    created = new_complaint()
    store.save(created)
    tid = created.complaint.tracking_id
    stored = sa_schema.events if table == "lapor_events" else sa_schema.complaints
    key = stored.c.complaint_id if table == "lapor_events" else stored.c.tracking_id
    with store.engine.begin() as connection:
        connection.execute(sa.update(stored).where(key == tid).values({column: "{broken"}))
    with pytest.raises(StorageError) as caught:
        read(store, tid)
    assert caught.value.params == {"table": table, "key": tid, "cause": "JSONDecodeError"}
    assert tid in str(caught.value)
