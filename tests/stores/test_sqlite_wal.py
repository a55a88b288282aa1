"""SQLite's write-ahead log stays under its limit under sustained writes, and shrinks back once it may.

The limit is set low here (a few hundred KiB, below the 4 MiB at which SQLite's own checkpoints start), so
a log that nothing kept small would pass it within a few hundred commits.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.stores.sql._driver import DEFAULT_WAL_LIMIT_MIB, WalPolicy
from lapor_core.testing.builders import new_complaint

KIB = 1024
LIMIT = 256 * KIB
BODY = "Jalan berlubang di depan sekolah. " * 60  # about 2 KiB: a save adds about 20 pages to the log


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """A SQLite database file that does not exist yet."""
    return tmp_path / "lapor.db"


@pytest.fixture
def store(path: Path) -> Iterator[SqlComplaintStore]:
    """A SQLite store whose log limit is :data:`LIMIT`."""
    store = SqlComplaintStore(f"sqlite:///{path}")
    store._driver.wal = WalPolicy(f"{path}-wal", LIMIT, sqlite3.Error)
    yield store
    store.close()


def _wal_size(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return wal.stat().st_size if wal.exists() else 0


def _save_one(store: SqlComplaintStore) -> str:
    created = new_complaint(body=BODY)
    store.save(created)
    return created.complaint.tracking_id


def test_a_log_held_past_the_limit_is_emptied_once_the_reader_lets_go(
    store: SqlComplaintStore, path: Path
) -> None:
    """A reader holding a snapshot keeps the log growing; after it ends, the next commits empty the log.

    Without the policy the file would keep the size it grew to (SQLite reuses it, never shrinks it).
    """
    saved = [_save_one(store)]
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM lapor_complaints").fetchone()
        while _wal_size(path) <= LIMIT * 3 // 2:
            saved.append(_save_one(store))
        assert len(saved) < 200  # the log did pass the limit: the held snapshot stopped every checkpoint
        reader.execute("COMMIT")
    finally:
        reader.close()
    grown = _wal_size(path)
    for _ in range(50):
        saved.append(_save_one(store))
        if _wal_size(path) <= LIMIT:
            break
    assert _wal_size(path) <= LIMIT < grown
    assert {c.tracking_id for c in (store.get(tid) for tid in saved)} == set(saved)
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_the_log_stays_under_twice_its_limit_under_sustained_writes_and_reads(
    store: SqlComplaintStore, path: Path
) -> None:
    """Writing 16 times the limit while readers run never leaves the log past twice the limit."""
    saved = [_save_one(store)]
    stop = threading.Event()
    failures: list[BaseException] = []

    def read() -> None:
        try:
            while not stop.is_set():
                for tid in saved[-5:]:
                    store.get(tid)
                    store.history(tid)
        except Exception as e:  # noqa: BLE001 - reported below: an error in a thread would pass silently
            failures.append(e)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    largest = 0
    written = 0
    try:
        while written < 16 * LIMIT:
            before = _wal_size(path)
            saved.append(_save_one(store))
            after = _wal_size(path)
            written += max(0, after - before) or 20 * 4 * KIB  # a save that restarted the log wrote too
            largest = max(largest, after)
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert not failures, failures
    assert largest <= 2 * LIMIT, largest


def test_store_connections_cut_a_restarted_log_back_to_the_limit(path: Path) -> None:
    """Every connection of the driver's own sets journal_size_limit to the store's log limit (32 MiB)."""
    store = SqlComplaintStore(f"sqlite:///{path}")
    try:
        with store._driver.writing() as session:
            limit = session.cursor.execute("PRAGMA journal_size_limit").fetchone()[0]
    finally:
        store.close()
    assert limit == DEFAULT_WAL_LIMIT_MIB * 1024 * 1024


def test_an_explicit_truncate_checkpoint_empties_the_log(store: SqlComplaintStore, path: Path) -> None:
    """checkpoint("TRUNCATE") copies the log into the database and leaves an empty log file."""
    tid = _save_one(store)
    assert _wal_size(path) > 0
    assert store._driver.checkpoint("TRUNCATE")
    assert _wal_size(path) == 0
    assert store.get(tid).tracking_id == tid


def test_a_checkpoint_held_up_by_a_reader_reports_it(store: SqlComplaintStore, path: Path) -> None:
    """A reader holding an old snapshot keeps a checkpoint from finishing: it says so; the data stays."""
    _save_one(store)
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM lapor_complaints").fetchone()
        tid = _save_one(store)
        assert not store._driver.checkpoint("TRUNCATE", wait_ms=10)
        reader.execute("COMMIT")
    finally:
        reader.close()
    assert store._driver.checkpoint("PASSIVE")
    assert store.get(tid).tracking_id == tid


def test_an_unknown_checkpoint_mode_is_refused(store: SqlComplaintStore) -> None:
    """Only SQLite's four checkpoint modes are run (the mode is written into the PRAGMA)."""
    with pytest.raises(ValueError, match="TRUNCATE"):
        store._driver.checkpoint("TRUNCATE); DROP TABLE lapor_complaints; --")


def test_stores_without_a_log_have_nothing_to_checkpoint(tmp_path: Path) -> None:
    """An in-memory database and a file in rollback-journal mode write without a log policy."""
    memory = SqlComplaintStore("sqlite://")
    journal = SqlComplaintStore(f"sqlite:///{tmp_path / 'journal.db'}", journal_mode="DELETE")
    try:
        for store in (memory, journal):
            tid = _save_one(store)
            assert store.get(tid).tracking_id == tid
        assert not memory._driver.checkpoint()
        assert not Path(f"{tmp_path / 'journal.db'}-wal").exists()
    finally:
        memory.close()
        journal.close()
