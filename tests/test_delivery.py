from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lapor_core as lc
from desk_support import ADMIN, make_desk, officer, submission
from lapor_core._application import delivery
from lapor_core._application.delivery import DeliveryReport, Dispatcher, RetryPolicy
from lapor_core._domain import ports
from lapor_core._domain.notifications import Address, AddressBook, Notification, Recipient
from lapor_core._domain.ports import OutboxStore
from lapor_core.errors import NotificationError, PermanentNotificationError, TemporaryNotificationError
from lapor_core.stores.memory import InMemoryComplaintStore
from lapor_core.testing import FrozenClock
from lapor_core.testing.builders import new_complaint, outbox_message
from lapor_core.testing.recording import RecordingNotifier

BOOK = AddressBook.from_dict(
    {
        "admin": "mailto:admin@lapor.go.id",
        "institutions": {"31.71": "https://pemkot.example/hook", "31": "mailto:prov@jakarta.go.id"},
        "units": {"31.71/dinas-pu": "mailto:pu@jakarta.go.id"},
    }
)
LEASE = timedelta(minutes=5)


def _dispatcher(
    desk: lc.ComplaintDesk, notifier: ports.Notifier, resolver: Any = BOOK, **options: Any
) -> Dispatcher:
    return delivery.make_dispatcher(desk._ctx, notifier, resolver, **options)


def _forwarded(desk: lc.ComplaintDesk, **overrides: Any) -> str:
    tid = desk.submit(submission(**overrides)).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    return tid


def _fail_when(predicate: Callable[[Notification], bool], error: NotificationError) -> RecordingNotifier:
    return RecordingNotifier(lambda n: error if predicate(n) else None)


# --- the happy path -----------------------------------------------------------------------------------------


def test_delivery_sends_every_queued_message_once_and_empties_the_outbox():
    """Submit and forward queue four messages; one run sends all four and acknowledges them."""
    desk, _ = make_desk()
    _forwarded(desk)
    queued = [m.id for m in desk.store.pending_outbox()]
    notifier = RecordingNotifier()
    report = _dispatcher(desk, notifier).deliver()
    assert report == DeliveryReport(sent=tuple(queued))
    assert notifier.keys() == tuple(queued)
    assert tuple(desk.store.pending_outbox()) == ()
    assert _dispatcher(desk, notifier).deliver() == DeliveryReport()


def test_each_message_goes_to_its_recipients_address():
    """The reporter by e-mail from the identity, the admins and the institution from the address book."""
    desk, _ = make_desk()
    _forwarded(desk)
    notifier = RecordingNotifier()
    _dispatcher(desk, notifier).deliver()
    sent = {n.template: n.address.target for n in notifier.sent}
    assert sent == {
        "submit.reporter": "siti@example.id",
        "submit.admin": "admin@lapor.go.id",
        "forward.reporter": "siti@example.id",
        "forward.institution": "https://pemkot.example/hook",
    }


def test_a_limit_bounds_how_many_messages_one_run_claims():
    """deliver(limit=3) handles three messages and leaves the rest queued, oldest first."""
    desk, _ = make_desk()
    _forwarded(desk)
    _forwarded(desk)
    queued = [m.id for m in desk.store.pending_outbox()]
    report = _dispatcher(desk, RecordingNotifier(), batch=2).deliver(limit=3)
    assert report.sent == tuple(queued[:3])
    assert [m.id for m in desk.store.pending_outbox()] == queued[3:]


def test_every_address_of_a_recipient_gets_the_message_under_one_key():
    """An admin with e-mail and webhook addresses gets both, each with the message's idempotency key."""
    desk, _ = make_desk()
    desk.submit(submission())
    book = attrs.evolve(
        BOOK, admin=(Address.parse("mailto:a@lapor.go.id"), Address.parse("https://h.example/x"))
    )
    notifier = RecordingNotifier()
    _dispatcher(desk, notifier, book).deliver()
    to_admin = notifier.to("admin")
    assert [n.address.channel.value for n in to_admin] == ["email", "webhook"]
    assert len({n.idempotency_key for n in to_admin}) == 1


# --- nothing to send ----------------------------------------------------------------------------------------


def test_a_reporter_without_contact_is_skipped_and_acknowledged():
    """A reporter who left no e-mail or phone: the message is dropped, not retried."""
    desk, _ = make_desk()
    desk.submit(submission(reporter=None))
    report = _dispatcher(desk, RecordingNotifier()).deliver()
    assert len(report.skipped) == 1
    assert len(report.sent) == 1
    assert tuple(desk.store.pending_outbox()) == ()


def test_a_message_the_recipient_may_no_longer_know_of_is_skipped():
    """The forward message to an institution that declined since is acknowledged unsent."""
    desk, _ = make_desk()
    tid = _forwarded(desk)
    desk.decline(officer(), tid, "Bukan wewenang.")
    notifier = RecordingNotifier()
    report = _dispatcher(desk, notifier).deliver()
    assert len(report.skipped) == 1
    assert "forward.institution" not in {n.template for n in notifier.sent}
    assert tuple(desk.store.pending_outbox()) == ()


# --- failures ----------------------------------------------------------------------------------------------


def test_a_temporary_failure_is_retried_after_the_backoff():
    """A 503 reschedules the message; it is not claimed before its retry time and is sent after it."""
    desk, clock = make_desk()
    desk.submit(submission())
    down = True
    notifier = RecordingNotifier(lambda n: TemporaryNotificationError("HTTP 503") if down else None)
    dispatcher = _dispatcher(desk, notifier, retry=RetryPolicy(jitter=0))
    first = dispatcher.deliver()
    assert len(first.retrying) == 2
    clock.advance(seconds=29)
    assert dispatcher.deliver() == DeliveryReport()
    down = False
    clock.advance(seconds=1)
    assert set(dispatcher.deliver().sent) == set(first.retrying)
    assert tuple(desk.store.pending_outbox()) == ()


def test_backoff_doubles_until_the_message_is_dead_lettered_with_its_last_error():
    """Waits of 30 s then 60 s; the third failure of a three-attempt policy gives up."""
    desk, clock = make_desk()
    desk.submit(submission(reporter=None))
    notifier = RecordingNotifier(lambda n: TemporaryNotificationError("connection refused"))
    dispatcher = _dispatcher(desk, notifier, retry=RetryPolicy(max_attempts=3, jitter=0))
    report = dispatcher.deliver()
    assert len(report.retrying) == 1
    for wait in (30, 60):
        clock.advance(seconds=wait - 1)
        assert dispatcher.deliver() == DeliveryReport()
        clock.advance(seconds=1)
        report = dispatcher.deliver()
    assert len(report.dead_lettered) == 1
    (letter,) = dispatcher.dead_letters()
    assert letter.attempts == 3
    assert letter.last_error == "TemporaryNotificationError: connection refused"


def test_a_permanent_failure_is_dead_lettered_at_once():
    """A 4xx answer is not retried."""
    desk, _ = make_desk()
    _forwarded(desk)
    notifier = _fail_when(
        lambda n: n.recipient.role.value == "institution", PermanentNotificationError("HTTP 410")
    )
    report = _dispatcher(desk, notifier).deliver()
    assert len(report.dead_lettered) == 1
    (letter,) = desk.store.dead_letters()
    assert (letter.message.recipient_role, letter.attempts) == ("institution", 1)
    assert letter.last_error == "PermanentNotificationError: HTTP 410"
    assert tuple(desk.store.pending_outbox()) == ()


def test_a_recipient_without_an_address_is_dead_lettered_to_show_the_gap():
    """An institution missing from the address book is a dead letter naming the code, not a silent drop."""
    desk, _ = make_desk()
    _forwarded(desk)
    report = _dispatcher(desk, RecordingNotifier(), AddressBook()).deliver()
    assert len(report.skipped) == 0
    letters = {d.message.recipient_role: d.last_error for d in desk.store.dead_letters()}
    assert letters == {
        "admin": "PermanentNotificationError: no address for admin ",
        "institution": "PermanentNotificationError: no address for institution 31.71",
    }


def test_retrying_dead_letters_queues_them_again_and_a_later_run_sends_them():
    """After the address book is fixed, retry_dead_letters puts the messages back and they go out."""
    desk, _ = make_desk()
    _forwarded(desk)
    _dispatcher(desk, RecordingNotifier(), AddressBook()).deliver()
    assert len(delivery.dead_letters(desk._ctx)) == 2
    assert delivery.retry_dead_letters(desk._ctx) == 2
    assert delivery.dead_letters(desk._ctx) == ()
    notifier = RecordingNotifier()
    assert len(_dispatcher(desk, notifier).deliver().sent) == 2


def test_retrying_chosen_dead_letters_only_queues_those():
    """retry_dead_letters(ids) retries the named ones and ignores unknown IDs."""
    desk, _ = make_desk()
    _forwarded(desk)
    dispatcher = _dispatcher(desk, RecordingNotifier(), AddressBook())
    dispatcher.deliver()
    first = dispatcher.dead_letters()[0].message.id
    assert dispatcher.retry_dead_letters([first, first, "unknown"]) == 1
    assert len(dispatcher.dead_letters()) == 1


def test_a_notifier_raising_something_else_counts_as_a_temporary_failure():
    """A buggy notifier does not stop the run: its message is rescheduled, the others go out."""
    desk, _ = make_desk()
    desk.submit(submission())

    class Buggy(RecordingNotifier):
        def send(self, notification: Notification) -> None:
            if notification.recipient.role.value == "admin":
                raise RuntimeError("bug")
            super().send(notification)

    report = _dispatcher(desk, Buggy()).deliver()
    assert (len(report.sent), len(report.retrying)) == (1, 1)
    claim = desk.store.claim_outbox(desk._ctx.clock.now() + timedelta(hours=1), lease=LEASE)
    assert claim[0].attempts == 1


def test_a_failing_resolver_counts_as_a_temporary_failure():
    """An address book that raises (a directory outage) reschedules the message."""

    class Broken:
        def resolve(self, recipient: Recipient, identity: object) -> tuple[Address, ...]:
            raise OSError("LDAP down")

    desk, _ = make_desk()
    desk.submit(submission())
    report = _dispatcher(desk, RecordingNotifier(), Broken()).deliver()
    assert len(report.retrying) == 2


def test_a_message_about_a_missing_complaint_or_with_a_bad_recipient_is_dead_lettered():
    """Rows the dispatcher cannot make sense of become dead letters, not crashes."""
    store = InMemoryComplaintStore()
    changes = new_complaint(outbox=0)
    tid = changes.complaint.tracking_id
    orphan = outbox_message("0000-0000-000-0")
    odd = outbox_message(tid, recipient_role="ombudsman")
    store.save(attrs.evolve(changes, outbox=(orphan, odd)))
    clock = FrozenClock(changes.complaint.submitted_at)
    report = Dispatcher(store, RecordingNotifier(), BOOK, clock=clock).deliver()
    assert set(report.dead_lettered) == {orphan.id, odd.id}
    errors = {d.message.id: d.last_error for d in store.dead_letters()}
    assert errors[orphan.id] == "PermanentNotificationError: the complaint no longer exists"
    assert errors[odd.id] == "PermanentNotificationError: the message's recipient is malformed"


# --- leases ------------------------------------------------------------------------------------------------


def test_messages_whose_lease_ran_out_are_left_to_the_next_claim():
    """A send slower than the lease: the rest of the batch is not sent late, and goes out next run."""
    desk, clock = make_desk()
    _forwarded(desk)

    class Slow(RecordingNotifier):
        def send(self, notification: Notification) -> None:
            super().send(notification)
            clock.advance(minutes=6)

    notifier = Slow()
    report = _dispatcher(desk, notifier, batch=4).deliver(limit=4)
    assert (len(report.sent), len(report.lost)) == (1, 3)
    later = _dispatcher(desk, RecordingNotifier()).deliver()
    assert len(later.sent) == 3
    assert len(set(notifier.keys()) | set(later.sent)) == 4


def test_a_failure_recorded_after_the_lease_was_lost_changes_nothing():
    """When another claim took the message meanwhile, the slow dispatcher's failure is dropped."""
    desk, clock = make_desk()
    desk.submit(submission(reporter=None))
    store = desk.store
    assert isinstance(store, OutboxStore)

    class Overtaken(RecordingNotifier):
        def send(self, notification: Notification) -> None:
            clock.advance(minutes=6)
            store.claim_outbox(clock.now(), lease=LEASE)
            raise TemporaryNotificationError("late")

    report = _dispatcher(desk, Overtaken()).deliver()
    assert len(report.lost) == 1


# --- crashes and concurrency ------------------------------------------------------------------------------


class Crash(BaseException):
    """Stands for the process being killed: nothing after it runs."""


def test_a_crash_between_send_and_acknowledge_resends_the_same_key_and_loses_nothing():
    """20 random kills after a send: every message reaches the deduplicating receiver exactly once."""
    desk, clock = make_desk()
    for _ in range(15):
        _forwarded(desk)
    queued = {m.id for m in desk.store.pending_outbox(limit=1000)}
    rng = random.Random(7)
    received: list[str] = []
    crashes = 0

    class CrashingReceiver(RecordingNotifier):
        def send(self, notification: Notification) -> None:
            nonlocal crashes
            received.append(notification.idempotency_key)
            if crashes < 20 and rng.random() < 0.3:
                crashes += 1
                raise Crash

    dispatcher = _dispatcher(desk, CrashingReceiver(), batch=5)
    for _ in range(200):
        try:
            dispatcher.deliver()
        except Crash:
            clock.advance(minutes=6)  # the process restarts after the lease ran out
            continue
        if not desk.store.pending_outbox():
            break
    assert crashes == 20
    assert set(received) == queued
    assert len(received) == len(queued) + crashes
    assert tuple(desk.store.pending_outbox()) == ()


def test_two_dispatchers_never_send_one_message_at_the_same_time():
    """Two threads drain one outbox: no message is in flight twice, and each is sent exactly once."""
    desk, _ = make_desk()
    for _ in range(25):
        _forwarded(desk)
    queued = {m.id for m in desk.store.pending_outbox(limit=1000)}
    in_flight: set[str] = set()
    overlaps: list[str] = []
    lock = threading.Lock()

    class Watching(RecordingNotifier):
        def send(self, notification: Notification) -> None:
            key = notification.idempotency_key
            with lock:
                if key in in_flight:
                    overlaps.append(key)
                in_flight.add(key)
            time.sleep(0.001)  # hold the message a moment, so the other dispatcher runs meanwhile
            super().send(notification)
            with lock:
                in_flight.discard(key)

    notifier = Watching()
    start = threading.Barrier(2, timeout=30)

    def run(_: int) -> DeliveryReport:
        start.wait()
        return _dispatcher(desk, notifier, batch=3).deliver()

    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(run, range(2)))
    assert overlaps == []
    assert sorted(notifier.keys()) == sorted(queued)
    assert sorted(key for r in reports for key in r.sent) == sorted(queued)


# --- configuration -----------------------------------------------------------------------------------------


def test_a_store_without_an_outbox_side_is_a_configuration_error():
    """A store that only implements ComplaintStore cannot be delivered from."""
    with pytest.raises(lc.ConfigurationError) as caught:
        Dispatcher(object(), RecordingNotifier(), BOOK)  # type: ignore[arg-type]
    assert caught.value.detail == "delivery.not_an_outbox"
    assert dict(caught.value.params) == {"store": "object"}
    assert "object" in caught.value.describe("id")


@pytest.mark.parametrize(
    "options",
    [
        {"lease": timedelta(0)},
        {"lease": 5},
        {"lease": timedelta.max},
        {"batch": 0},
        {"batch": 1001},
        {"batch": True},
        {"batch": 2.0},
    ],
)
def test_bad_dispatcher_options_are_refused(options):
    """A lease must be positive, a batch from 1 to 1,000."""
    with pytest.raises(lc.ValidationError):
        Dispatcher(InMemoryComplaintStore(), RecordingNotifier(), BOOK, **options)


def test_bad_dispatcher_options_are_reported_together_with_codes():
    """A bad lease and a bad batch are two field errors, each with its code and limits."""
    with pytest.raises(lc.ValidationError) as caught:
        Dispatcher(InMemoryComplaintStore(), RecordingNotifier(), BOOK, lease=timedelta(0), batch=0)
    lease, batch = caught.value.errors
    assert (lease.field, lease.code) == ("lease", "delivery.duration_not_positive")
    assert (batch.field, batch.code, dict(batch.params)) == (
        "batch",
        "delivery.integer_out_of_range",
        {"min": 1, "max": 1000},
    )
    assert batch.message() == "harus berupa bilangan bulat dari 1 sampai 1.000"


@pytest.mark.parametrize("limit", [0, -1, True, 2.5, "5"])
def test_a_bad_limit_is_refused(limit):
    """deliver(limit) takes a positive integer or None."""
    with pytest.raises(lc.ValidationError) as caught:
        Dispatcher(InMemoryComplaintStore(), RecordingNotifier(), BOOK).deliver(limit)
    assert caught.value.fields_by_name == {"limit": ("delivery.limit_not_positive",)}


@pytest.mark.parametrize(
    "fields",
    [
        {"max_attempts": 0},
        {"max_attempts": 101},
        {"max_attempts": True},
        {"factor": 0.5},
        {"factor": None},
        {"factor": float("nan")},
        {"jitter": 2},
        {"jitter": "0.1"},
        {"first_delay": timedelta(0)},
        {"max_delay": 30},
        {"max_delay": timedelta(days=366)},
    ],
)
def test_bad_retry_policies_are_refused(fields):
    """Attempts from 1 to 100, a factor from 1 to 10, jitter from 0 to 1, positive delays."""
    with pytest.raises(lc.ValidationError) as caught:
        RetryPolicy(**fields)
    assert list(caught.value.fields_by_name) == list(fields)


def test_every_bad_field_of_a_retry_policy_is_reported_at_once():
    """All five fields wrong: five errors, each with its code."""
    with pytest.raises(lc.ValidationError) as caught:
        RetryPolicy(max_attempts=0, first_delay=None, max_delay=timedelta(-1), factor=11, jitter=-1)  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {
        "max_attempts": ("delivery.integer_out_of_range",),
        "first_delay": ("delivery.duration_not_positive",),
        "max_delay": ("delivery.duration_not_positive",),
        "factor": ("number.out_of_range",),
        "jitter": ("number.out_of_range",),
    }


def test_a_delay_longer_than_a_year_is_refused_with_its_limit():
    """A wait or lease beyond 365 days is a mistake whose deadline could pass the end of time."""
    with pytest.raises(lc.ValidationError) as caught:
        RetryPolicy(first_delay=timedelta.max, max_delay=timedelta.max)
    assert caught.value.fields_by_name == {
        "first_delay": ("delivery.duration_too_long",),
        "max_delay": ("delivery.duration_too_long",),
    }
    assert caught.value.errors[0].params == {"days": 365}
    assert caught.value.errors[0].message() == "paling lama 365 hari"
    assert RetryPolicy(max_delay=timedelta(days=365)).max_delay == timedelta(days=365)


_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=4),
    st.timedeltas(),
    st.lists(st.integers(), max_size=2),
)


@given(st.dictionaries(st.sampled_from([f.name for f in attrs.fields(RetryPolicy)]), _JUNK, max_size=5))
def test_junk_at_the_retry_policy_gives_a_policy_that_works_or_a_validation_error(fields):
    """RetryPolicy(...) is built or raises ValidationError; a built one computes every delay."""
    try:
        policy = RetryPolicy(**fields)
    except lc.ValidationError as error:
        policy = None
        codes = {e.code for e in error.errors}
    else:
        codes = set()
    if policy is None:
        assert codes <= {
            "delivery.integer_out_of_range",
            "delivery.duration_not_positive",
            "delivery.duration_too_long",
            "value.required",
            "value.not_number",
            "number.not_finite",
            "number.out_of_range",
        }
        assert codes
    else:
        assert all(policy.delay(n, "k") <= policy.max_delay for n in (1, 10, 100))


@given(st.integers(1, 60), st.text(max_size=30))
def test_backoff_grows_within_its_bounds_and_is_the_same_every_time(attempts, key):
    """Each wait lies between the exponential base (capped) and base x (1 + jitter), deterministically."""
    policy = RetryPolicy()
    delay = policy.delay(attempts, key)
    base = min(30 * 2 ** (attempts - 1), 6 * 3600)
    assert base <= delay.total_seconds() <= min(base * 1.2, 6 * 3600)
    assert delay == policy.delay(attempts, key)
    assert policy.delay(attempts, key) <= policy.delay(attempts + 1, key) or base == 6 * 3600


def test_the_delivery_log_names_messages_and_never_their_addresses(caplog):
    """Dead-letter and retry log lines carry IDs and errors, not the reporter's address or name."""
    desk, _ = make_desk()
    desk.submit(submission())
    notifier = RecordingNotifier(lambda n: PermanentNotificationError("refused"))
    with caplog.at_level(logging.DEBUG, logger="lapor_core.delivery"):
        _dispatcher(desk, notifier).deliver()
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "dead-lettered" in text
    assert "siti@example.id" not in text
    assert "Siti" not in text


def test_the_desk_helpers_deliver_with_the_desks_store_and_clock():
    """delivery.deliver drains a desk's outbox in one call."""
    desk, _ = make_desk()
    desk.submit(submission())
    notifier = RecordingNotifier()
    assert len(delivery.deliver(desk._ctx, notifier, BOOK).sent) == 2
    assert len(notifier) == 2
