"""The sweep and deadline recomputation: idempotent, race-safe, and driven by the calendar in force."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable
from datetime import date, datetime, timedelta

import pytest

import lapor_core as lc
from desk_support import ADMIN, PEPPER, WIB, make_desk, officer, submission
from lapor_core._application import sweep as sweep_module
from lapor_core.plugins import Changeset
from lapor_core.stores.memory import InMemoryComplaintStore
from lapor_core.testing import FrozenClock


def _follow_up_due(desk: lc.ComplaintDesk, tid: str) -> datetime | None:
    return next(d.due_at for d in desk.view(ADMIN, tid).deadlines if d.stage == "follow_up")


def test_amending_the_calendar_moves_open_deadlines_and_the_stored_next_due():
    """A decree adding a cuti bersama day inside the follow-up window pushes that deadline one working day."""
    desk, _ = make_desk()
    tid = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    assert _follow_up_due(desk, tid) == datetime(2026, 4, 1, tzinfo=WIB)
    stored_before = desk.store.get(tid).next_due_at
    amended = desk.calendar.with_holidays({date(2026, 3, 26): "Cuti bersama (amended)"})
    changed = desk.amend_calendar(amended)
    assert changed == 1
    assert _follow_up_due(desk, tid) == datetime(2026, 4, 2, tzinfo=WIB)
    assert desk.store.get(tid).next_due_at > stored_before
    assert desk.recompute_deadlines() == 0  # nothing left to change
    assert desk.verify_history(tid).ok  # a projection refresh adds no event


def test_recomputing_leaves_closed_and_archived_complaints_alone():
    """Terminal complaints keep no deadline whatever the calendar says."""
    desk, _ = make_desk()
    archived = desk.submit(submission()).tracking_id
    desk.archive(ADMIN, archived, "Duplikat.")
    assert desk.amend_calendar(desk.calendar.with_holidays({date(2026, 3, 26): "Libur"})) == 0
    assert desk.store.get(archived).next_due_at is None


def test_two_sweeps_in_two_threads_record_each_breach_once():
    """Concurrent sweeps over the same due complaints together do exactly what one sweep does."""
    desk, clock = make_desk()
    tids = [desk.submit(submission()).tracking_id for _ in range(30)]
    for tid in tids:
        desk.forward(ADMIN, tid, institution="31.71")
    late = datetime(2026, 5, 4, tzinfo=WIB)
    clock.set(late)
    reports: list[lc.SweepReport] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        reports.append(desk.sweep(late))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    breached = [tid for report in reports for tid in report.breached]
    assert sorted(breached) == sorted(tids)
    for tid in tids:
        actions = [e.action for e in desk.history(ADMIN, tid)]
        assert actions.count(lc.Action.BREACH) == 1
        assert desk.verify_history(tid).ok
    assert desk.sweep(late) == lc.SweepReport()


def test_a_reminder_comes_once_at_the_warning_threshold_before_the_breach():
    """One working day before the follow-up deadline the institution is reminded, once."""
    desk, clock = make_desk()
    tid = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    warn = datetime(2026, 3, 31, tzinfo=WIB)  # the start of the last working day before 1 April 00:00
    clock.set(warn)
    assert tid in desk.sweep(warn).reminded
    assert desk.sweep(warn).reminded == ()
    reminders = [m for m in desk.store.pending_outbox() if m.event == lc.Action.REMIND]
    assert [m.recipient_ref for m in reminders] == ["31.71"]


def test_the_reporter_confirming_closes_and_a_rating_follows():
    """After a follow-up the reporter may close at once and then rate 1 to 5; a rating of 6 is refused."""
    desk, _ = make_desk()
    receipt = desk.submit(submission())
    tid = receipt.tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(officer(), tid, "Selesai diperbaiki.")
    reporter = desk.authenticate(tid, receipt.access_key)
    assert desk.close_complaint(reporter, tid).status is lc.Status.CLOSED
    assert desk.rate(reporter, tid, 5).rating == 5
    with pytest.raises(lc.ValidationError) as caught:
        desk.rate(reporter, tid, 6)
    assert caught.value.errors[0].field == "rating"
    assert desk.store.get(tid).next_due_at is None


# -- failure isolation, batches and event time (issue 25) ----------------------------------------------------


class RefusingStore(InMemoryComplaintStore):
    """An in-memory store whose saves fail with StorageError for the tracking IDs in ``refused``."""

    def __init__(self) -> None:
        super().__init__()
        self.refused: set[str] = set()
        self.batches: list[list[str]] = []

    def save_many(self, batch: Iterable[Changeset]) -> None:
        batch = tuple(batch)
        self.batches.append([changes.complaint.tracking_id for changes in batch])
        for changes in batch:
            if changes.complaint.tracking_id in self.refused:
                raise lc.StorageError(f"refusing {changes.complaint.tracking_id}")
        super().save_many(batch)


def _forwarded_desk(count: int, store: InMemoryComplaintStore) -> tuple[lc.ComplaintDesk, list[str]]:
    clock = FrozenClock(datetime(2026, 3, 17, 10, tzinfo=WIB))
    desk = lc.ComplaintDesk(store=store, clock=clock, pepper=PEPPER)
    tids = [desk.submit(submission()).tracking_id for _ in range(count)]
    for tid in tids:
        desk.forward(ADMIN, tid, institution="31.71")
    clock.set(LATE)
    return desk, tids


LATE = datetime(2026, 5, 4, tzinfo=WIB)  # past the follow-up deadline of a complaint forwarded on 17 March


def test_a_complaint_the_store_refuses_is_named_and_the_others_are_swept() -> None:
    """One failing complaint does not abort the sweep: it is named with its code, the rest are breached."""
    store = RefusingStore()
    desk, tids = _forwarded_desk(5, store)
    victim = tids[2]
    store.refused.add(victim)
    report = desk.sweep(LATE)
    assert report.failed == ((victim, "error.storage"),)
    assert sorted(report.breached) == sorted(t for t in tids if t != victim)
    assert report.handled == 5
    assert desk.store.history(victim)[-1].action is lc.Action.FORWARD
    store.refused.clear()
    again = desk.sweep(LATE)
    assert again.breached == (victim,)
    assert again.failed == ()
    assert all(desk.verify_history(tid).ok for tid in tids)


def test_complaints_still_due_after_failing_do_not_hide_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    """More failures than a batch holds: the due query reads past them, so every other complaint is swept."""
    monkeypatch.setattr(sweep_module, "_BATCH", 2)
    store = RefusingStore()
    desk, _ = _forwarded_desk(7, store)
    due_order = [c.tracking_id for c in store.due(LATE, limit=10)]
    store.refused.update(due_order[:3])  # the first batch and a half, in the order the sweep meets them
    report = desk.sweep(LATE)
    assert sorted(tid for tid, _ in report.failed) == sorted(due_order[:3])
    assert sorted(report.breached) == sorted(due_order[3:])
    assert report.handled == 7


def test_a_batch_that_loses_a_race_saves_the_rest_together_and_the_loser_alone() -> None:
    """A conflict on one complaint sets it aside; the rest of the batch is saved again in one transaction."""
    desk, tids = _forwarded_desk(4, RefusingStore())
    store = desk.store
    assert isinstance(store, RefusingStore)
    loser = store.due(LATE, limit=1)[0].tracking_id
    original = store.save_many
    raced: list[str] = []

    def racing(batch: Iterable[Changeset]) -> None:
        batch = tuple(batch)
        if not raced:  # an officer assigns the complaint between the sweep's read and its save
            raced.append(loser)
            desk.assign(officer(), loser, "31.71.u1")
        original(batch)

    store.save_many = racing  # type: ignore[method-assign]
    report = desk.sweep(LATE)
    assert sorted(report.breached) == sorted(tids)
    assert report.failed == ()
    assert len(store.batches[-3]) == 4  # the batch, refused for the loser
    assert sorted(store.batches[-2]) == sorted(t for t in tids if t != loser)  # the rest, together
    assert store.batches[-1] == [loser]  # the loser, reloaded and decided again
    actions = [e.action for e in store.history(loser)]
    assert actions[-2:] == [lc.Action.ASSIGN, lc.Action.BREACH]


def test_progress_is_reported_after_each_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """The progress callback sees the running totals once per batch."""
    monkeypatch.setattr(sweep_module, "_BATCH", 2)
    desk, _ = _forwarded_desk(5, InMemoryComplaintStore())
    seen: list[lc.SweepProgress] = []
    desk.sweep(LATE, progress=seen.append)
    assert [(p.handled, p.breached, p.failed) for p in seen] == [(2, 2, 0), (4, 4, 0), (5, 5, 0)]


def test_a_breach_is_never_dated_before_the_change_it_follows() -> None:
    """Issue 25: forward, pass the deadline, assign, sweep at the deadline + 1 hour: time runs forward."""
    desk, clock = make_desk()
    tid = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    due = _follow_up_due(desk, tid)
    assert due is not None
    clock.set(due + timedelta(days=2))
    desk.assign(officer(), tid, "31.71.u1")
    assert tid in desk.sweep(due + timedelta(hours=1)).breached
    history = desk.store.history(tid)
    assign, breach = history[-2], history[-1]
    assert (assign.action, breach.action) == (lc.Action.ASSIGN, lc.Action.BREACH)
    assert breach.at >= assign.at
    assert all(a.at <= b.at for a, b in itertools.pairwise(history))
    assert desk.verify_history(tid).ok


def test_a_naive_instant_is_refused() -> None:
    """The sweep judges deadlines at an aware instant only."""
    desk, _ = make_desk()
    with pytest.raises(lc.ValidationError):
        desk.sweep(datetime(2026, 5, 4))  # noqa: DTZ001 - the bad input


def test_the_sweep_forgets_idempotency_keys_older_than_the_window() -> None:
    """A repeated key returns the first receipt inside the window; after a sweep past it, the key is new."""
    desk, clock = make_desk(idempotency_window=timedelta(days=7))
    first = desk.submit(submission(), idempotency_key="form-7f3a9c")
    clock.advance(days=6)
    desk.sweep()
    assert desk.submit(submission(), idempotency_key="form-7f3a9c") == first
    clock.advance(days=1, seconds=1)
    desk.sweep()
    again = desk.submit(submission(), idempotency_key="form-7f3a9c")
    assert again.tracking_id != first.tracking_id


def test_the_sweep_keeps_keys_inside_the_window_it_is_given() -> None:
    """sweep(now=...) prunes at that instant, not at the clock's."""
    desk, clock = make_desk()
    first = desk.submit(submission(), idempotency_key="form-1b2c3d")
    desk.sweep(clock.now() + timedelta(days=6, hours=23))
    assert desk.submit(submission(), idempotency_key="form-1b2c3d") == first
