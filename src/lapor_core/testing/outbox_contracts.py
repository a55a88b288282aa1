"""The contract of :class:`~lapor_core.plugins.OutboxStore`: leases, acknowledgements, retries, dead letters.

Subclass :class:`OutboxStoreContract` in a test module with a ``Test`` name and override the fixture
``store`` so that it yields a new, empty store implementing both
:class:`~lapor_core.plugins.ComplaintStore` and :class:`~lapor_core.plugins.OutboxStore`::

    class TestMyOutbox(OutboxStoreContract):
        @pytest.fixture
        def store(self):
            store = MyComplaintStore(...)
            yield store
            store.close()
"""

# A pytest suite speaks in asserts and literal expected values.

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest

from lapor_core._domain.complaint import OutboxMessage
from lapor_core._domain.ports import ComplaintStore, OutboxClaim, OutboxStore
from lapor_core.errors import ValidationError
from lapor_core.testing.builders import DEFAULT_TIME, new_complaint, outbox_message

__all__ = ["OutboxStoreContract"]

LEASE = timedelta(minutes=5)
T0 = DEFAULT_TIME
THREADS = 8


def _queue(store: Any, count: int = 1, *, at: datetime = T0) -> tuple[OutboxMessage, ...]:
    """Save a new complaint with ``count`` messages queued at ``at``; return the messages."""
    changes = new_complaint(outbox=0, submitted_at=at)
    messages = tuple(
        outbox_message(changes.complaint.tracking_id, created_at=at, context={"n": i}) for i in range(count)
    )
    store.save(attrs.evolve(changes, outbox=messages))
    return messages


def _ids(items: Sequence[OutboxClaim] | Sequence[OutboxMessage]) -> list[str]:
    return [i.message.id if isinstance(i, OutboxClaim) else i.id for i in items]


class OutboxStoreContract:
    """Tests every :class:`~lapor_core.plugins.OutboxStore` must pass (override the ``store`` fixture)."""

    @pytest.fixture
    def store(self) -> Any:  # pragma: no cover - every subclass overrides it
        """A new, empty store that is a ComplaintStore and an OutboxStore."""
        raise NotImplementedError

    # -- claiming ---------------------------------------------------------------------------------------

    def test_the_store_implements_both_ports(self, store: Any) -> None:
        """The store is a ComplaintStore and an OutboxStore."""
        assert isinstance(store, ComplaintStore)
        assert isinstance(store, OutboxStore)

    def test_claim_returns_pending_messages_oldest_first(self, store: Any) -> None:
        """Claims follow queue order: by save, then by position within the save."""
        first = _queue(store, 2)
        second = _queue(store, 1, at=T0 + timedelta(minutes=1))
        claims = store.claim_outbox(T0 + timedelta(hours=1), lease=LEASE)
        assert _ids(claims) == _ids(first + second)

    def test_claimed_messages_equal_the_queued_ones(self, store: Any) -> None:
        """A claim returns the message as queued: ID, event, recipient, time and context."""
        queued = _queue(store, 1)
        (claim,) = store.claim_outbox(T0, lease=LEASE)
        assert claim.message == queued[0]
        assert claim.attempts == 0

    def test_claim_returns_at_most_limit_messages(self, store: Any) -> None:
        """A claim stops at its limit; the next claim continues with the rest."""
        queued = _queue(store, 5)
        first = store.claim_outbox(T0, lease=LEASE, limit=3)
        second = store.claim_outbox(T0, lease=LEASE, limit=3)
        assert _ids(first) == _ids(queued[:3])
        assert _ids(second) == _ids(queued[3:])

    def test_claim_on_an_empty_outbox_returns_nothing(self, store: Any) -> None:
        """An empty outbox yields an empty claim."""
        assert tuple(store.claim_outbox(T0, lease=LEASE)) == ()

    def test_a_claimed_message_is_not_claimed_again_while_its_lease_runs(self, store: Any) -> None:
        """Until lease_until, no other claim gets the message."""
        _queue(store, 1)
        (claim,) = store.claim_outbox(T0, lease=LEASE)
        assert tuple(store.claim_outbox(T0 + LEASE - timedelta(seconds=1), lease=LEASE)) == ()
        assert claim.lease_until == T0 + LEASE

    def test_a_message_is_claimed_again_once_its_lease_ran_out(self, store: Any) -> None:
        """A crashed dispatcher's message returns after its lease, with a new token, attempts unchanged."""
        queued = _queue(store, 1)
        (first,) = store.claim_outbox(T0, lease=LEASE)
        (second,) = store.claim_outbox(T0 + LEASE, lease=LEASE)
        assert second.message == queued[0]
        assert second.token != first.token
        assert second.attempts == first.attempts == 0

    def test_each_claim_has_its_own_token(self, store: Any) -> None:
        """Messages of one claim share a token that no other claim has."""
        _queue(store, 4)
        a = store.claim_outbox(T0, lease=LEASE, limit=2)
        b = store.claim_outbox(T0, lease=LEASE, limit=2)
        assert len({c.token for c in a}) == len({c.token for c in b}) == 1
        assert a[0].token != b[0].token

    def test_claimed_messages_stay_in_the_pending_outbox(self, store: Any) -> None:
        """A lease does not remove a message: pending_outbox still lists it."""
        queued = _queue(store, 2)
        store.claim_outbox(T0, lease=LEASE)
        assert tuple(store.pending_outbox()) == queued

    # -- acknowledging ----------------------------------------------------------------------------------

    def test_an_acknowledged_message_leaves_the_outbox_for_good(self, store: Any) -> None:
        """After acknowledgement neither pending_outbox nor a later claim returns the message."""
        queued = _queue(store, 2)
        claims = store.claim_outbox(T0, lease=LEASE, limit=1)
        store.acknowledge_outbox(claims[0])
        assert tuple(store.pending_outbox()) == queued[1:]
        later = store.claim_outbox(T0 + LEASE * 10, lease=LEASE)
        assert _ids(later) == _ids(queued[1:])

    def test_acknowledging_twice_is_harmless(self, store: Any) -> None:
        """A repeated acknowledgement changes nothing and raises nothing."""
        _queue(store, 1)
        (claim,) = store.claim_outbox(T0, lease=LEASE)
        store.acknowledge_outbox(claim)
        store.acknowledge_outbox(claim)
        assert tuple(store.pending_outbox()) == ()

    def test_acknowledging_after_the_lease_ran_out_still_removes_the_message(self, store: Any) -> None:
        """A slow dispatcher's acknowledgement counts: the message was delivered."""
        _queue(store, 1)
        (slow,) = store.claim_outbox(T0, lease=LEASE)
        (fast,) = store.claim_outbox(T0 + LEASE, lease=LEASE)
        store.acknowledge_outbox(slow)
        assert tuple(store.pending_outbox()) == ()
        assert store.reschedule_outbox(fast, error="late", retry_at=T0) is False

    # -- failures ---------------------------------------------------------------------------------------

    def test_a_rescheduled_message_waits_until_retry_at(self, store: Any) -> None:
        """Rescheduling frees the message from retry_at on, not before, with one failed attempt counted."""
        queued = _queue(store, 1)
        (claim,) = store.claim_outbox(T0, lease=LEASE)
        retry_at = T0 + timedelta(minutes=2)
        assert store.reschedule_outbox(claim, error="timeout", retry_at=retry_at) is True
        assert tuple(store.claim_outbox(retry_at - timedelta(seconds=1), lease=LEASE)) == ()
        (again,) = store.claim_outbox(retry_at, lease=LEASE)
        assert again.message == queued[0]
        assert again.attempts == 1
        assert tuple(store.pending_outbox()) == queued

    def test_rescheduling_counts_every_failed_attempt(self, store: Any) -> None:
        """Three failures make three attempts."""
        _queue(store, 1)
        at = T0
        for _ in range(3):
            (claim,) = store.claim_outbox(at, lease=LEASE)
            store.reschedule_outbox(claim, error="down", retry_at=at + timedelta(seconds=1))
            at += timedelta(seconds=1)
        (claim,) = store.claim_outbox(at, lease=LEASE)
        assert claim.attempts == 3

    def test_a_message_rescheduled_before_now_is_due_at_once(self, store: Any) -> None:
        """A retry time in the past makes the message claimable immediately."""
        _queue(store, 1)
        (claim,) = store.claim_outbox(T0, lease=LEASE)
        store.reschedule_outbox(claim, error="x", retry_at=T0 - timedelta(hours=1))
        assert len(store.claim_outbox(T0, lease=LEASE)) == 1

    def test_a_stale_claim_cannot_reschedule_or_dead_letter(self, store: Any) -> None:
        """Once another claim holds the message, the old token changes nothing."""
        _queue(store, 1)
        (stale,) = store.claim_outbox(T0, lease=LEASE)
        (current,) = store.claim_outbox(T0 + LEASE, lease=LEASE)
        assert store.reschedule_outbox(stale, error="x", retry_at=T0 + LEASE * 100) is False
        assert store.dead_letter_outbox(stale, error="x", now=T0 + LEASE) is False
        assert tuple(store.dead_letters()) == ()
        assert tuple(store.claim_outbox(T0 + LEASE, lease=LEASE)) == ()
        assert store.reschedule_outbox(current, error="y", retry_at=T0 + LEASE) is True

    def test_a_dead_letter_leaves_the_pending_outbox_and_is_never_claimed(self, store: Any) -> None:
        """Dead-lettering moves the message out of the pending outbox for every later claim."""
        queued = _queue(store, 2)
        (claim,) = store.claim_outbox(T0, lease=LEASE, limit=1)
        assert store.dead_letter_outbox(claim, error="550 5.1.1", now=T0) is True
        assert tuple(store.pending_outbox()) == queued[1:]
        assert _ids(store.claim_outbox(T0 + LEASE * 100, lease=LEASE)) == _ids(queued[1:])

    def test_a_dead_letter_keeps_its_attempts_error_and_time(self, store: Any) -> None:
        """The dead letter counts the last attempt and keeps its error and when it was given up."""
        queued = _queue(store, 1)
        (claim,) = store.claim_outbox(T0, lease=LEASE)
        store.reschedule_outbox(claim, error="first", retry_at=T0)
        (claim,) = store.claim_outbox(T0, lease=LEASE)
        dead_at = T0 + timedelta(minutes=1)
        store.dead_letter_outbox(claim, error="PermanentNotificationError: HTTP 410", now=dead_at)
        (letter,) = store.dead_letters()
        assert letter.message == queued[0]
        assert (letter.attempts, letter.last_error, letter.dead_at) == (
            2,
            "PermanentNotificationError: HTTP 410",
            dead_at,
        )

    def test_dead_letters_are_listed_oldest_first_up_to_limit(self, store: Any) -> None:
        """dead_letters orders by the time they were given up on and stops at the limit."""
        queued = _queue(store, 3)
        claims = store.claim_outbox(T0, lease=LEASE)
        for claim, minutes in zip(claims, (3, 1, 2), strict=True):
            store.dead_letter_outbox(claim, error="x", now=T0 + timedelta(minutes=minutes))
        letters = store.dead_letters(limit=2)
        assert [d.message.id for d in letters] == [queued[1].id, queued[2].id]

    def test_a_retried_dead_letter_is_pending_and_due_with_no_attempts(self, store: Any) -> None:
        """retry_dead_letter queues the message again, due at once, attempts reset."""
        queued = _queue(store, 1)
        (claim,) = store.claim_outbox(T0, lease=LEASE)
        store.dead_letter_outbox(claim, error="x", now=T0)
        later = T0 + timedelta(days=1)
        assert store.retry_dead_letter(queued[0].id, now=later) is True
        assert tuple(store.dead_letters()) == ()
        assert tuple(store.pending_outbox()) == queued
        (again,) = store.claim_outbox(later, lease=LEASE)
        assert again.attempts == 0

    def test_a_retried_dead_letter_comes_before_messages_queued_after_it(self, store: Any) -> None:
        """A retried message keeps its place in queue order."""
        first = _queue(store, 1)
        (claim,) = store.claim_outbox(T0, lease=LEASE)
        store.dead_letter_outbox(claim, error="x", now=T0)
        second = _queue(store, 1, at=T0 + timedelta(minutes=5))
        store.retry_dead_letter(first[0].id, now=T0 + timedelta(hours=1))
        claims = store.claim_outbox(T0 + timedelta(hours=1), lease=LEASE)
        assert _ids(claims) == _ids(first + second)

    def test_retrying_an_id_that_is_no_dead_letter_returns_false(self, store: Any) -> None:
        """Unknown IDs and pending messages are not dead letters."""
        queued = _queue(store, 1)
        assert store.retry_dead_letter("no-such-message", now=T0) is False
        assert store.retry_dead_letter(queued[0].id, now=T0) is False
        assert tuple(store.pending_outbox()) == queued

    def test_acknowledging_a_message_another_claim_dead_lettered_removes_it(self, store: Any) -> None:
        """A slow dispatcher delivered what a later claim gave up on: it is no dead letter any more."""
        _queue(store, 1)
        (slow,) = store.claim_outbox(T0, lease=LEASE)
        (fast,) = store.claim_outbox(T0 + LEASE, lease=LEASE)
        store.dead_letter_outbox(fast, error="x", now=T0 + LEASE)
        store.acknowledge_outbox(slow)
        assert tuple(store.dead_letters()) == ()
        assert tuple(store.pending_outbox()) == ()

    def test_errors_are_kept_in_unicode_and_cut_at_1000_characters(self, store: Any) -> None:
        """Error texts round-trip, and a long one is cut to 1,000 characters."""
        _queue(store, 2)
        a, b = store.claim_outbox(T0, lease=LEASE)
        store.dead_letter_outbox(a, error="gagal — ꦗꦭꦤ꧀ 🚧", now=T0)
        store.dead_letter_outbox(b, error="x" * 5000, now=T0 + timedelta(seconds=1))
        first, second = store.dead_letters()
        assert first.last_error == "gagal — ꦗꦭꦤ꧀ 🚧"
        assert len(second.last_error) == 1000

    # -- arguments and threads --------------------------------------------------------------------------

    def test_claim_refuses_bad_arguments_listing_each(self, store: Any) -> None:
        """A naive time, a zero lease and a limit out of range are reported together."""
        with pytest.raises(ValidationError) as caught:
            store.claim_outbox(datetime(2026, 3, 17), lease=timedelta(0), limit=0)  # noqa: DTZ001
        assert {e.field for e in caught.value.errors} == {"now", "lease", "limit"}
        for limit in (1001, True, "5"):
            with pytest.raises(ValidationError):
                store.claim_outbox(T0, lease=LEASE, limit=limit)

    def test_failure_records_refuse_naive_times(self, store: Any) -> None:
        """reschedule, dead-letter and retry take timezone-aware times only."""
        _queue(store, 1)
        (claim,) = store.claim_outbox(T0, lease=LEASE)
        naive = datetime(2026, 3, 17)  # noqa: DTZ001 - the point of the test
        with pytest.raises(ValidationError):
            store.reschedule_outbox(claim, error="x", retry_at=naive)
        with pytest.raises(ValidationError):
            store.dead_letter_outbox(claim, error="x", now=naive)
        with pytest.raises(ValidationError):
            store.retry_dead_letter(claim.message.id, now=naive)
        assert store.dead_letter_outbox(claim, error="x", now=T0) is True

    def test_dead_letters_refuse_a_bad_limit(self, store: Any) -> None:
        """dead_letters takes a limit from 1 to 1,000."""
        with pytest.raises(ValidationError):
            store.dead_letters(limit=0)

    def test_concurrent_claims_never_hand_out_a_message_twice(self, store: Any) -> None:
        """Eight threads claiming at once share out the messages: each exactly once."""
        queued = _queue(store, 60)
        start = threading.Barrier(THREADS, timeout=30)

        def work(_: int) -> list[str]:
            start.wait()
            mine: list[str] = []
            while claims := store.claim_outbox(T0, lease=LEASE, limit=3):
                mine.extend(_ids(claims))
            return mine

        with ThreadPoolExecutor(THREADS) as pool:
            claimed = list(itertools.chain.from_iterable(pool.map(work, range(THREADS))))
        assert sorted(claimed) == sorted(_ids(queued))
