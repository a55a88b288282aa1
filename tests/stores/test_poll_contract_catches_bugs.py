"""One person, one ballot on every SQL backend, and proof that the check can fail.

Sixteen workers cast the same person's ballot at once (the contract's concurrency test); exactly one ballot
counts on SQLite, PostgreSQL and MariaDB. On a test double of the SQL poll store whose uniqueness guard is
disabled (the voter looked up before the transaction, and filed under a key the primary key cannot
compare), the same test fails.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

import lapor_core as lc
from lapor_core._domain.polls import BallotCast, CastOutcome, PollDraft
from lapor_core.stores.sql._driver import Session
from lapor_core.stores.sql._polls import SqlPollStore
from lapor_core.testing import FrozenClock
from lapor_core.testing.poll_contracts import WORKERS, PollStoreContract

WIB = timezone(timedelta(hours=7))


class UnguardedSqlPollStore(SqlPollStore):
    """The SQL poll store with its uniqueness guard disabled: a test double that must fail the check.

    Each cast looks its voter up before its transaction, and every worker waits for the others at that
    point, so they all find no earlier ballot; each then files its voter under a fresh random key, as a
    table without a unique voter key would, so the database refuses nothing.
    """

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._barrier = threading.Barrier(WORKERS)
        self._looked_up = threading.local()

    def cast(self, cast: BallotCast) -> CastOutcome:
        found = self._driver.fetch(self._sql.voter, (cast.poll_id, cast.voter))
        self._looked_up.sealed = int(found[0][0]) if found else None
        self._barrier.wait(timeout=30)
        return super().cast(cast)

    def _lookup(self, session: Session, cast: BallotCast) -> int | None:
        sealed: int | None = self._looked_up.sealed
        return sealed

    def _register(self, session: Session, cast: BallotCast, sealed: int) -> None:
        session.execute(self._sql.insert_voter, (cast.poll_id, secrets.token_hex(32), sealed))


@pytest.fixture
def guarded(store_url: str) -> Iterator[SqlPollStore]:
    """The real SQL poll store on the backend under test."""
    store = SqlPollStore(store_url)
    yield store
    store.close()


@pytest.fixture
def unguarded(store_url: str) -> Iterator[UnguardedSqlPollStore]:
    """The double without the uniqueness guard, on the backend under test."""
    store = UnguardedSqlPollStore(store_url)
    yield store
    store.close()


def test_sixteen_simultaneous_ballots_of_one_person_count_once(guarded: SqlPollStore) -> None:
    """On each SQL backend, one of sixteen simultaneous casts of one person counts; the rest replace it."""
    PollStoreContract().test_concurrent_ballots_of_one_person_count_exactly_once(guarded)


def test_the_check_fails_when_the_uniqueness_guard_is_disabled(unguarded: UnguardedSqlPollStore) -> None:
    """The same check fails on the double: several ballots of the one person count."""
    with pytest.raises(AssertionError):
        PollStoreContract().test_concurrent_ballots_of_one_person_count_exactly_once(unguarded)
    (poll,) = unguarded.find()
    assert unguarded.tally(poll.id).ballots == WORKERS


def test_sixteen_simultaneous_desk_votes_of_one_person_count_once(store_url: str) -> None:
    """Through ComplaintDesk.open(url), sixteen simultaneous votes of one citizen leave one ballot."""
    clock = FrozenClock(datetime(2026, 3, 17, 10, tzinfo=WIB))
    desk = lc.ComplaintDesk.open(store_url, clock=clock, pepper="test pepper, 32 bytes of entropy!")
    try:
        officer = lc.Principal.institution_officer("off-7", institution="31.71")
        draft = PollDraft(
            "Setujukah Anda?", ["Ya", "Tidak"], clock.now(), clock.now() + timedelta(days=7), results="live"
        )
        poll_id = desk.create_poll(officer, draft)
        desk.open_poll(officer, poll_id)
        citizen = lc.Principal.citizen("warga-1", verified=True, region="31.71")
        barrier = threading.Barrier(WORKERS)

        def vote(n: int) -> bool:
            barrier.wait(timeout=30)
            return desk.vote(citizen, poll_id, [n % 2]).replaced

        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            replaced = list(pool.map(vote, range(WORKERS)))
        assert replaced.count(False) == 1
        assert desk.poll_results(lc.Principal.public(), poll_id).total == 1
        desk.close_poll(officer, poll_id)
        assert desk.verify_poll(officer, poll_id).ok
    finally:
        desk.close()
