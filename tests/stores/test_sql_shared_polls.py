"""The poll store of a SQL desk, opened on its complaint store's database when a poll is first used."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

pytest.importorskip("sqlalchemy")

from lapor_core._domain.ports import PollStore
from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.stores.sql._polls import SqlPollStore
from lapor_core.stores.sql._shared_polls import SharedSqlPollStore
from lapor_core.testing.poll_contracts import PollStoreContract, make_poll


class TestSharedSqlitePollStore(PollStoreContract):
    """The poll store contract on the shared store a SQLite desk gets, over a SQLite file."""

    @pytest.fixture
    def poll_store(self, sqlite_url: str) -> Iterator[PollStore]:
        """A shared poll store on a new SQLite file's complaint store."""
        complaints = SqlComplaintStore(sqlite_url)
        store = SharedSqlPollStore(complaints)
        yield store
        store.close()
        complaints.close()


def test_the_poll_store_opens_on_first_use_and_shares_the_complaint_store(sqlite_url: str) -> None:
    """Nothing is opened until a call needs it; then one SqlPollStore on the same complaint store."""
    complaints = SqlComplaintStore(sqlite_url)
    try:
        shared = SharedSqlPollStore(complaints)
        assert shared._opened is None
        assert repr(shared) == f"SharedSqlPollStore({complaints!r})"
        poll = make_poll()
        shared.save(poll, expected_version=0)
        opened = shared.store
        assert isinstance(opened, SqlPollStore)
        assert opened._store is complaints
        assert shared.store is opened
        assert SqlPollStore(complaints).get(poll.id) == poll
        shared.close()
        assert SqlPollStore(complaints).get(poll.id) == poll  # the complaint store stays open
    finally:
        complaints.close()


def test_closing_an_unused_shared_poll_store_opens_nothing(sqlite_url: str) -> None:
    """A desk that never used polls closes without opening the poll store."""
    complaints = SqlComplaintStore(sqlite_url)
    try:
        shared = SharedSqlPollStore(complaints)
        shared.close()
        assert shared._opened is None
    finally:
        complaints.close()


def test_threads_that_use_it_first_together_open_one_poll_store(sqlite_url: str) -> None:
    """The first uses race; every thread gets the same poll store."""
    complaints = SqlComplaintStore(sqlite_url)
    try:
        shared = SharedSqlPollStore(complaints)
        barrier = threading.Barrier(8)
        seen: list[SqlPollStore] = []

        def first_use() -> None:
            barrier.wait()
            seen.append(shared.store)

        threads = [threading.Thread(target=first_use) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(seen) == 8
        assert all(store is seen[0] for store in seen)
    finally:
        complaints.close()


_OPEN_THEN_POLL = """
import json, sys
import lapor_core
def loaded():
    names = ("lapor_core.stores.sql._polls", "lapor_core._domain.polls",
             "sqlalchemy.dialects.mysql", "sqlalchemy.dialects.postgresql")
    return [name for name in names if name in sys.modules]
desk = lapor_core.ComplaintDesk.open(sys.argv[1], pepper="a test pepper of 16+ bytes")
opened = loaded()
polls = desk.polls(lapor_core.Principal.public())
used = loaded()
desk.close()
print(json.dumps({"opened": opened, "polls": len(polls), "used": used}))
"""


def _open_then_poll(url: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _OPEN_THEN_POLL, url], check=True, capture_output=True, text=True
    )
    report: dict[str, object] = json.loads(done.stdout)
    return report


def test_a_sqlite_desk_opens_without_the_poll_store_or_other_databases_dialects(sqlite_url: str) -> None:
    """In a fresh interpreter: the open imports neither; the first poll call loads the poll store only.

    The first open creates the schema (its migrations load more); the second finds it current.
    """
    assert _open_then_poll(sqlite_url)["polls"] == 0
    assert _open_then_poll(sqlite_url) == {
        "opened": [],
        "polls": 0,
        "used": ["lapor_core.stores.sql._polls", "lapor_core._domain.polls"],
    }
