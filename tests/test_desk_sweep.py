"""The sweep and deadline recomputation: idempotent, race-safe, and driven by the calendar in force."""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest

import lapor_core as lc
from desk_support import ADMIN, WIB, make_desk, officer, submission


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
