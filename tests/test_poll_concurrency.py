"""One person, one ballot, under concurrency: sixteen simultaneous votes of the same person count once.

The check itself is proved able to fail: on a test double of the store whose uniqueness guard is disabled
(the look-up of the voter and the insertion of the ballot no longer atomic), the same check fails.
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import pytest

import lapor_core as lc
from desk_support import ADMIN, WIB, make_desk, officer
from lapor_core._domain.polls import CastOutcome, PollDraft
from lapor_core._domain.ports import PollStore
from lapor_core.errors import PollNotAllowed, PollTransitionNotAllowed
from lapor_core.stores.memory import InMemoryPollStore
from lapor_core.testing.poll_contracts import WORKERS, cast_concurrently, make_cast, make_poll

OPENS = datetime(2026, 3, 18, 8, tzinfo=WIB)
CLOSES = datetime(2026, 3, 25, 8, tzinfo=WIB)


class UnguardedPollStore(InMemoryPollStore):
    """The in-memory store with its uniqueness guard disabled: a test double that must fail the check.

    The lock that makes "has this voter voted?" and "store the ballot" one step is replaced by nothing,
    and every look-up waits for the other workers, so they all find no earlier ballot before any of them
    stores one: the race the guard exists to prevent, made certain instead of likely.
    """

    def __init__(self, workers: int = WORKERS) -> None:
        super().__init__()
        self._lock = contextlib.nullcontext()  # type: ignore[assignment]
        self._barrier = threading.Barrier(workers)

    def _slot_of(self, box: Any, voter: str) -> int | None:
        found = super()._slot_of(box, voter)
        with contextlib.suppress(threading.BrokenBarrierError):
            self._barrier.wait(timeout=5)
        return found


def check_one_ballot_counts(store: PollStore) -> None:
    """Sixteen workers cast the same person's ballot at once; exactly one may count."""
    poll = make_poll()
    store.save(poll, expected_version=0)
    outcomes = cast_concurrently(store, [make_cast(poll, "one person", (n % 3,)) for n in range(WORKERS)])
    assert outcomes.count(CastOutcome.COUNTED) == 1
    assert store.tally(poll.id).ballots == 1
    assert store.recount(poll.id).ballots == 1


def check_one_desk_vote_counts(desk: lc.ComplaintDesk, store: PollStore) -> None:
    """Sixteen workers call desk.vote for the same citizen at once; exactly one ballot may count."""
    poll_id = desk.create_poll(officer(), draft())
    desk.open_poll(officer(), poll_id)
    person = lc.Principal.citizen("warga-1", verified=True, region="31.71")
    barrier = threading.Barrier(WORKERS)

    def vote(n: int) -> bool:
        barrier.wait(timeout=30)
        return desk.vote(person, poll_id, [n % 3]).replaced

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        replaced = list(pool.map(vote, range(WORKERS)))
    assert replaced.count(False) == 1
    tally = store.tally(poll_id)
    assert tally.ballots == 1
    assert sum(tally.votes) == 1
    assert store.recount(poll_id) == tally


def draft(**overrides: Any) -> PollDraft:
    """A live national poll open from 18 to 25 March 2026."""
    data: dict[str, Any] = {
        "question": "Setujukah Anda jalur sepeda di Jalan Sudirman?",
        "options": ["Setuju", "Tidak setuju", "Ragu-ragu"],
        "opens_at": OPENS.isoformat(),
        "closes_at": CLOSES.isoformat(),
        "results": "live",
    }
    data.update(overrides)
    return PollDraft.from_dict(data)


def test_sixteen_simultaneous_ballots_of_one_person_count_once_in_the_store():
    """On the in-memory store, one of sixteen simultaneous casts counts; the others replace it."""
    check_one_ballot_counts(InMemoryPollStore())


def test_the_check_fails_when_the_uniqueness_guard_is_disabled():
    """The same check fails on a store without the guard: sixteen ballots count, so the test can fail."""
    store = UnguardedPollStore()
    with pytest.raises(AssertionError):
        check_one_ballot_counts(store)
    assert store.tally(next(iter(store._boxes))).ballots == WORKERS


def test_sixteen_simultaneous_desk_votes_of_one_person_count_once():
    """Through the desk, sixteen simultaneous votes of one citizen leave exactly one ballot."""
    store = InMemoryPollStore()
    desk, clock = make_desk(poll_store=store)
    clock.set(OPENS + timedelta(days=1))
    check_one_desk_vote_counts(desk, store)


def test_the_desk_check_fails_when_the_uniqueness_guard_is_disabled():
    """Through the desk too, the check fails on the store without the guard."""
    store = UnguardedPollStore()
    desk, clock = make_desk(poll_store=store)
    clock.set(OPENS + timedelta(days=1))
    with pytest.raises(AssertionError):
        check_one_desk_vote_counts(desk, store)


def test_simultaneous_second_votes_are_refused_once_each_when_the_poll_refuses_revotes():
    """With revote "refuse", one of sixteen simultaneous votes is counted and fifteen are refused."""
    store = InMemoryPollStore()
    desk, clock = make_desk(poll_store=store)
    poll_id = desk.create_poll(officer(), draft(revote="refuse"))
    desk.open_poll(officer(), poll_id)
    clock.set(OPENS + timedelta(days=1))
    person = lc.Principal.citizen("warga-1", verified=True, region="31.71")
    barrier = threading.Barrier(WORKERS)

    def vote(n: int) -> str:
        barrier.wait(timeout=30)
        try:
            desk.vote(person, poll_id, [n % 3])
        except PollNotAllowed:
            return "refused"
        return "counted"

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = list(pool.map(vote, range(WORKERS)))
    assert outcomes.count("counted") == 1
    assert store.tally(poll_id).ballots == 1


def test_many_people_voting_at_once_are_all_counted():
    """Two hundred citizens voting from sixteen workers: every ballot counts, counters equal a recount."""
    store = InMemoryPollStore()
    desk, clock = make_desk(poll_store=store)
    poll_id = desk.create_poll(officer(), draft())
    desk.open_poll(officer(), poll_id)
    clock.set(OPENS + timedelta(days=1))
    regions = ["31.71", "31.72", "32.73", "73.71", None]

    def vote(n: int) -> None:
        citizen = lc.Principal.citizen(f"warga-{n}", verified=True, region=regions[n % len(regions)])
        desk.vote(citizen, poll_id, [n % 3])

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(vote, range(200)))
    tally = store.tally(poll_id)
    assert tally.ballots == 200
    assert tally.votes == (67, 67, 66)
    assert store.recount(poll_id) == tally


def test_votes_racing_an_early_close_are_counted_only_if_cast_before_it():
    """Votes and a close at the same time: every vote either counted or refused as closed, none lost."""
    store = InMemoryPollStore()
    desk, clock = make_desk(poll_store=store)
    poll_id = desk.create_poll(officer(), draft())
    desk.open_poll(officer(), poll_id)
    clock.set(OPENS + timedelta(days=1))
    barrier = threading.Barrier(WORKERS + 1)

    def vote(n: int) -> bool:
        barrier.wait(timeout=30)
        try:
            desk.vote(lc.Principal.citizen(f"warga-{n}", verified=True), poll_id, [0])
        except PollTransitionNotAllowed:
            return False
        return True

    def close() -> None:
        barrier.wait(timeout=30)
        desk.close_poll(ADMIN, poll_id)

    with ThreadPoolExecutor(max_workers=WORKERS + 1) as pool:
        closing = pool.submit(close)
        accepted = list(pool.map(vote, range(WORKERS)))
        closing.result()
    assert store.tally(poll_id).ballots == accepted.count(True)
    assert desk.verify_poll(ADMIN, poll_id).ok
    with pytest.raises(PollTransitionNotAllowed):
        desk.vote(lc.Principal.citizen("warga-late", verified=True), poll_id, [0])
