"""What the SQL store does beyond the contract: its options, pragmas, bulk path and stricter cursors."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from lapor_core._domain.lifecycle import Status
from lapor_core._domain.model import Location
from lapor_core._domain.ports import ComplaintQuery, Order
from lapor_core.errors import ConcurrencyConflict, ConfigurationError, NotFound, StorageError, ValidationError
from lapor_core.plugins._cursor import encode_cursor
from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.stores.sql import _schema as _sql_schema
from lapor_core.testing.builders import DEFAULT_TIME, new_complaint, next_changeset


@pytest.fixture
def store(sqlite_url: str) -> Iterator[SqlComplaintStore]:
    """A SQL store on a new SQLite file."""
    store = SqlComplaintStore(sqlite_url)
    yield store
    store.close()


def _pragma(store: SqlComplaintStore, name: str) -> object:
    with store.engine.connect() as connection:
        return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_sqlite_defaults_are_wal_with_full_synchronous_and_foreign_keys(store: SqlComplaintStore) -> None:
    """Every pooled SQLite connection runs in WAL mode with synchronous=FULL (2) and foreign keys on."""
    assert _pragma(store, "journal_mode") == "wal"
    assert _pragma(store, "synchronous") == 2
    assert _pragma(store, "foreign_keys") == 1


def test_sqlite_durability_settings_can_be_chosen(tmp_path: Path) -> None:
    """The synchronous and journal_mode options set those pragmas, in any case."""
    store = SqlComplaintStore(f"sqlite:///{tmp_path / 'x.db'}", synchronous="normal", journal_mode="delete")
    try:
        assert _pragma(store, "synchronous") == 1
        assert _pragma(store, "journal_mode") == "delete"
    finally:
        store.close()


def test_sqlite_page_cache_can_be_sized(tmp_path: Path) -> None:
    """cache_mib sets every connection's page cache in KiB; without it SQLite keeps its own default."""
    store = SqlComplaintStore(f"sqlite:///{tmp_path / 'x.db'}", cache_mib=48)
    default = SqlComplaintStore(f"sqlite:///{tmp_path / 'y.db'}")
    try:
        assert _pragma(store, "cache_size") == -48 * 1024
        assert _pragma(default, "cache_size") == -2000  # SQLite's compiled-in default
    finally:
        store.close()
        default.close()


@pytest.mark.parametrize("bad", [0, -1, 65_537, True, 1.5, "8"])
def test_a_page_cache_size_that_is_not_a_whole_number_of_mib_in_range_is_refused(
    tmp_path: Path, bad: object
) -> None:
    """Wrong types and sizes fail before anything is opened, naming the option."""
    with pytest.raises(ConfigurationError, match="cache_mib"):
        SqlComplaintStore(f"sqlite:///{tmp_path / 'x.db'}", cache_mib=bad)  # type: ignore[arg-type]
    assert not (tmp_path / "x.db").exists()


def test_repr_and_dialect_never_show_the_password(tmp_path: Path) -> None:
    """The store's repr hides a URL's password; dialect names the database kind."""
    store = SqlComplaintStore(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        assert repr(store).startswith("SqlComplaintStore('sqlite:///")
        assert store.dialect == "sqlite"
    finally:
        store.close()
    with pytest.raises(Exception) as caught:  # noqa: PT011  # any failure: the point is its message
        SqlComplaintStore("postgresql+psycopg://lapor:s3cret@127.0.0.1:1/x?connect_timeout=1")
    assert "s3cret" not in str(caught.value)


def test_bulk_import_saves_new_complaints_and_updates_together(store: SqlComplaintStore) -> None:
    """save_many stores new complaints and compare-and-set updates in one transaction."""
    existing = new_complaint()
    store.save(existing)
    fresh = [new_complaint(submitted_at=DEFAULT_TIME + timedelta(seconds=n)) for n in range(50)]
    update = next_changeset(existing.complaint, existing.events, status=Status.FORWARDED, institution="31.71")
    store.save_many([*fresh, update])
    assert len(store.query(ComplaintQuery(limit=1000)).items) == 51
    assert store.get(existing.complaint.tracking_id).version == 2
    assert len(store.pending_outbox()) == 52


def test_bulk_import_with_one_stale_update_stores_nothing(store: SqlComplaintStore) -> None:
    """One failed version check in a batch rolls back every other changeset of it, and names the loser."""
    existing = new_complaint()
    store.save(existing)
    stale = attrs.evolve(next_changeset(existing.complaint, existing.events), expected_version=7)
    with pytest.raises(ConcurrencyConflict) as caught:
        store.save_many([new_complaint(), stale])
    assert (caught.value.complaint_id, caught.value.actual_version) == (existing.complaint.tracking_id, 1)
    assert len(store.query(ComplaintQuery()).items) == 1


def test_bulk_import_of_nothing_does_nothing(store: SqlComplaintStore) -> None:
    """An empty batch is accepted and changes nothing."""
    store.save_many([])
    assert store.query(ComplaintQuery()).items == ()


def test_complaint_saved_without_events_has_an_empty_history(store: SqlComplaintStore) -> None:
    """A complaint imported without events reads back with an empty history, not NotFound."""
    changes = attrs.evolve(new_complaint(), events=())
    store.save(changes)
    assert store.history(changes.complaint.tracking_id) == ()


def test_non_positive_limits_return_nothing(store: SqlComplaintStore) -> None:
    """A limit below one makes due and pending_outbox return nothing rather than everything."""
    store.save(new_complaint(next_due_at=DEFAULT_TIME))
    assert store.due(DEFAULT_TIME, limit=0) == ()
    assert store.pending_outbox(limit=0) == ()


@pytest.mark.parametrize(
    ("order", "sort_key"),
    [
        (Order.SUBMITTED_ASC, "not an instant"),
        (Order.SUBMITTED_ASC, "2026-03-17T10:00:00"),
        (Order.SUBMITTED_DESC, None),
        (Order.DUE_ASC, "tomorrow"),
    ],
)
def test_cursor_whose_sort_key_is_not_an_aware_instant_is_refused(
    store: SqlComplaintStore, order: Order, sort_key: str | None
) -> None:
    """The SQL store checks the cursor's sort key too: an instant with an offset, or None only by due date."""
    with pytest.raises(ValidationError, match="cursor"):
        store.query(ComplaintQuery(order=order, cursor=encode_cursor(sort_key, "0000-0000-000-0")))


def test_in_memory_sqlite_serialises_threads_on_its_one_connection() -> None:
    """Each sqlite:// store has one private database; its threads queue on a lock instead of interleaving."""
    store = SqlComplaintStore("sqlite://")
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                changes = new_complaint()
                store.save(changes)
                store.save(next_changeset(changes.complaint, changes.events))
        except BaseException as e:  # noqa: BLE001  # collected for the assertion below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other = SqlComplaintStore("sqlite://")
    try:
        assert errors == []
        saved = store.query(ComplaintQuery()).items
        assert len(saved) == 20
        with pytest.raises(NotFound):
            other.get(saved[0].tracking_id)
    finally:
        store.close()
        other.close()


def test_missing_alembic_is_a_configuration_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Creating a schema without Alembic installed asks for the sql extra."""
    monkeypatch.setitem(sys.modules, "alembic.config", None)
    with pytest.raises(ConfigurationError, match=r"lapor_core\[sql\]"):
        SqlComplaintStore(f"sqlite:///{tmp_path / 'x.db'}")


def test_in_memory_database_without_tables_is_a_storage_error() -> None:
    """Reading an in-memory database opened without its schema fails with StorageError, not a driver error."""
    store = SqlComplaintStore("sqlite://", schema="skip")
    try:
        with pytest.raises(StorageError) as caught:
            store.get("0000-0000-000-0")
        assert isinstance(caught.value.__cause__, sa.exc.OperationalError)
    finally:
        store.close()


def test_locations_read_back_without_running_their_rules_again(
    store: SqlComplaintStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stored location was checked when it was built: reading it back rebuilds it as stored, unchecked."""
    changes = new_complaint(location=Location(region="31.71.01", lat=-6.2, lon=106.8, address="Jl. Merdeka"))
    store.save(changes)

    def refuse(_: object) -> None:
        raise AssertionError("a rule ran on a stored location")

    expected = changes.complaint.location
    monkeypatch.setattr(Location, "__init__", refuse)
    assert store.get(changes.complaint.tracking_id).location == expected


def test_bulk_import_queues_messages_in_the_given_order_while_inserting_in_key_order(
    store: SqlComplaintStore,
) -> None:
    """save_many inserts complaints in tracking-ID order, but the outbox keeps the batch's order."""
    batch = [new_complaint(submitted_at=DEFAULT_TIME + timedelta(seconds=n)) for n in range(40)]
    ids = [changes.complaint.tracking_id for changes in batch]
    assert ids != sorted(ids)  # random tracking IDs: the batch is not already in key order
    store.save_many(batch)
    queued = store.pending_outbox()
    assert [message.id for message in queued] == [changes.outbox[0].id for changes in batch]
    for changes in batch:
        assert tuple(store.history(changes.complaint.tracking_id)) == changes.events


@pytest.mark.parametrize(
    ("context", "named"),
    [
        ({"when": DEFAULT_TIME}, "datetime"),
        ({1: "a key that is not a string"}, "str"),
        ({"tags": {"a", "b"}}, "set"),
    ],
)
def test_a_message_context_that_is_not_json_is_refused_and_nothing_is_stored(
    store: SqlComplaintStore, context: dict[object, object], named: str
) -> None:
    """Values JSON has no form for fail the save as a StorageError naming the complaint, before any write."""
    changes = new_complaint()
    changes = attrs.evolve(changes, outbox=(attrs.evolve(changes.outbox[0], context=context),))
    with pytest.raises(StorageError, match=changes.complaint.tracking_id) as caught:
        store.save(changes)
    assert named in str(caught.value)
    with pytest.raises(NotFound):
        store.get(changes.complaint.tracking_id)
    assert store.pending_outbox() == ()


def _reference_text(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


_ZONES = st.sampled_from([UTC, timezone(timedelta(hours=7)), timezone(timedelta(hours=-3))])


@given(
    st.lists(
        st.datetimes(
            timezones=st.sampled_from([UTC, timezone(timedelta(hours=7)), timezone(timedelta(hours=-3))])
        ),
        min_size=1,
        max_size=4,
    ),
    st.lists(st.integers(0, 3), max_size=30),
)
def test_instants_are_stored_as_their_utc_text_whatever_was_formatted_before(
    pool: list[datetime], picks: list[int]
) -> None:
    """The SQLite text of an instant is its UTC time to the microsecond, however the memo was left.

    Read back, the text is the same instant, in the UTC time zone object itself.
    """
    for pick in picks:
        value = pool[pick % len(pool)]
        text = _sql_schema._sqlite_text(value)
        assert text == _reference_text(value)
        back = _sql_schema._sqlite_instant(text)
        assert back == value
        assert back is not None
        assert back.tzinfo is UTC


@pytest.mark.parametrize(
    ("option", "bad"),
    [
        ("busy_timeout", "3"),
        ("busy_timeout", -1),
        ("pool_size", 0),
        ("synchronous", "SOMETIMES"),
        ("journal_mode", 7),
        ("schema", "replace"),
        ("engine_options", ["pool_pre_ping"]),
    ],
)
def test_a_store_made_directly_refuses_a_bad_option_before_it_connects(
    tmp_path: Path, option: str, bad: object
) -> None:
    """The rules open_store applies hold for SqlComplaintStore(...) too: refused before any file is made."""
    with pytest.raises(ConfigurationError) as refused:
        SqlComplaintStore(f"sqlite:///{tmp_path / 'x.db'}", **{option: bad})
    assert refused.value.detail.startswith("store.")
    assert option in str(refused.value)
    assert not (tmp_path / "x.db").exists()
