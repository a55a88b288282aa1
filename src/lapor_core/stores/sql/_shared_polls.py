"""The poll store a SQL desk opens: :class:`SqlPollStore` on the complaint store's database, on first use.

``ComplaintDesk.open("sqlite:///...")`` gives the desk this store, so a process that opens a desk for a
complaint command (every ``lapor`` command, every cron run) neither imports the poll store and the poll
rules nor compiles its statements; the first poll call opens :class:`SqlPollStore` on the same store, which
is what the desk held before, and every call goes to it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lapor_core._domain.polls import Ballot, BallotCast, CastOutcome, Poll, Tally
    from lapor_core.stores.sql._complaints import SqlComplaintStore
    from lapor_core.stores.sql._polls import SqlPollStore

__all__ = ["SharedSqlPollStore"]


class SharedSqlPollStore:
    """A :class:`~lapor_core.plugins.PollStore` that opens ``SqlPollStore(store)`` when a poll is first used.

    Thread-safe: threads that use it first together open one poll store. Closing it closes that poll store
    (which leaves the complaint store open, as ``SqlPollStore(store).close()`` does).

    Args:
        store: The complaint store whose database holds the polls.
    """

    def __init__(self, store: SqlComplaintStore) -> None:
        self._complaints = store
        self._lock = threading.Lock()
        self._opened: SqlPollStore | None = None

    def __repr__(self) -> str:
        return f"SharedSqlPollStore({self._complaints!r})"

    @property
    def store(self) -> SqlPollStore:
        """The poll store, opened by the first call that needs it."""
        opened = self._opened
        if opened is None:
            with self._lock:
                if self._opened is None:
                    from lapor_core.stores.sql._polls import SqlPollStore  # noqa: PLC0415  # on first use

                    self._opened = SqlPollStore(self._complaints)
                opened = self._opened
        return opened

    def save(self, poll: Poll, *, expected_version: int) -> None:
        """As :meth:`SqlPollStore.save <lapor_core.stores.sql.SqlPollStore.save>`."""
        self.store.save(poll, expected_version=expected_version)

    def get(self, poll_id: str) -> Poll:
        """As :meth:`SqlPollStore.get <lapor_core.stores.sql.SqlPollStore.get>`."""
        return self.store.get(poll_id)

    def find(self, *, institution: str | None = None, limit: int = 1000) -> Sequence[Poll]:
        """As :meth:`SqlPollStore.find <lapor_core.stores.sql.SqlPollStore.find>`."""
        return self.store.find(institution=institution, limit=limit)

    def cast(self, cast: BallotCast) -> CastOutcome:
        """As :meth:`SqlPollStore.cast <lapor_core.stores.sql.SqlPollStore.cast>`."""
        return self.store.cast(cast)

    def ballot_of(self, poll_id: str, voter: str, seal: int) -> Ballot | None:
        """As :meth:`SqlPollStore.ballot_of <lapor_core.stores.sql.SqlPollStore.ballot_of>`."""
        return self.store.ballot_of(poll_id, voter, seal)

    def tally(self, poll_id: str) -> Tally:
        """As :meth:`SqlPollStore.tally <lapor_core.stores.sql.SqlPollStore.tally>`."""
        return self.store.tally(poll_id)

    def recount(self, poll_id: str) -> Tally:
        """As :meth:`SqlPollStore.recount <lapor_core.stores.sql.SqlPollStore.recount>`."""
        return self.store.recount(poll_id)

    def close(self) -> None:
        """Close the poll store if a call opened it."""
        with self._lock:
            opened = self._opened
        if opened is not None:
            opened.close()
