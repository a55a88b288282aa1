"""A command's returned view is built from what it saved: equal to a fresh read, without reading it back."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

import lapor_core as lc
from desk_support import ADMIN, PEPPER, officer, submission
from lapor_core._application import complaints, reading
from lapor_core.plugins import Complaint
from lapor_core.stores.memory import InMemoryComplaintStore
from lapor_core.testing import FrozenClock
from lapor_core.testing.builders import DEFAULT_TIME


class CountingStore(InMemoryComplaintStore):
    """The in-memory store, counting the reads of one complaint."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: Counter[str] = Counter()

    def get(self, tracking_id: str) -> Complaint:
        self.reads["get"] += 1
        return super().get(tracking_id)

    def history(self, tracking_id: str) -> Any:
        self.reads["history"] += 1
        return super().history(tracking_id)


def _desk() -> tuple[lc.ComplaintDesk, CountingStore, FrozenClock]:
    store = CountingStore()
    clock = FrozenClock(DEFAULT_TIME)
    return lc.ComplaintDesk(store=store, clock=clock, pepper=PEPPER), store, clock


def _lifecycle(
    desk: lc.ComplaintDesk, clock: FrozenClock
) -> list[tuple[str, lc.Principal, Callable[[], Any]]]:
    """Every view-returning command of one complaint's life, with who runs it, in an order that is allowed."""
    receipt = desk.submit(submission(anonymous=True))
    tid = receipt.tracking_id
    reporter = desk.authenticate(tid, receipt.access_key)
    unit_officer = lc.Principal.unit_officer("unit-9", institution="31.71", unit="31.71.dinas-pu")

    def later(step: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            clock.advance(hours=1)
            return step()

        return run

    return [
        ("request_info", ADMIN, later(lambda: desk.request_info(ADMIN, tid, "Mohon lokasi tepat."))),
        ("provide_info", reporter, later(lambda: desk.provide_info(reporter, tid, "Depan SDN 3."))),
        ("forward", ADMIN, later(lambda: desk.forward(ADMIN, tid, institution="31.71"))),
        ("assign", officer(), later(lambda: desk.assign(officer(), tid, "31.71.dinas-pu"))),
        ("follow_up", unit_officer, later(lambda: desk.follow_up(unit_officer, tid, "Sudah ditambal."))),
        ("reply", reporter, later(lambda: desk.reply(reporter, tid, "Belum rata."))),
        ("follow_up", officer(), later(lambda: desk.follow_up(officer(), tid, "Sudah diratakan."))),
        ("close", reporter, later(lambda: desk.close_complaint(reporter, tid))),
        ("rate", reporter, later(lambda: desk.rate(reporter, tid, 5))),
        ("erase_identity", ADMIN, later(lambda: desk.erase_identity(ADMIN, tid, "Permintaan pelapor."))),
    ]


def test_every_command_returns_the_view_a_fresh_read_gives_reading_the_complaint_once() -> None:
    """Each command reads the complaint's row once (to decide), never its history, nor again for its view."""
    desk, store, clock = _desk()
    for name, principal, run in _lifecycle(desk, clock):
        store.reads.clear()
        returned = run()
        assert store.reads == Counter({"get": 1}), name
        assert returned == desk.view(principal, returned.tracking_id), name


def test_a_view_reads_the_history_only_when_its_timeline_or_deadlines_are_read() -> None:
    """A view reads the row; its timeline and full deadlines read the history once, on first use."""
    desk, store, clock = _desk()
    for _name, principal, run in _lifecycle(desk, clock):
        tid = run().tracking_id
        store.reads.clear()
        view = desk.view(principal, tid)
        assert store.reads == Counter({"get": 1})
        assert set(view.current_deadlines) <= set(view.deadlines)  # reads the history, once
        assert list(view.timeline) == list(view.timeline)
        assert store.reads == Counter({"get": 1, "history": 1})


def test_the_returned_view_is_redacted_for_the_principal_who_ran_the_command() -> None:
    """The view a command returns is redacted for its principal: an officer never sees an anonymous name."""
    desk, _, _ = _desk()
    receipt = desk.submit(submission(anonymous=True))
    desk.forward(ADMIN, receipt.tracking_id, institution="31.71")
    view = desk.follow_up(officer(), receipt.tracking_id, "Sudah diperbaiki.")
    assert view == desk.view(officer(), receipt.tracking_id)
    assert "Siti" not in repr(view)


def test_a_second_support_records_nothing_and_returns_the_current_view() -> None:
    """Supporting twice changes nothing; the second call returns the same view as the first."""
    desk, store, _ = _desk()
    receipt = desk.submit(submission())
    desk.forward(ADMIN, receipt.tracking_id, institution="31.71")
    desk.follow_up(officer(), receipt.tracking_id, "Sudah diperbaiki.")
    citizen = lc.Principal.citizen("acct-42", verified=True)
    first = desk.support(citizen, receipt.tracking_id)
    version = store.get(receipt.tracking_id).version
    assert desk.support(citizen, receipt.tracking_id) == first
    assert store.get(receipt.tracking_id).version == version


def test_a_principal_who_loses_sight_of_the_complaint_gets_not_found_as_from_view() -> None:
    """When the command leaves the principal unable to know the complaint, the desk says NotFound."""
    desk, _, _ = _desk()
    receipt = desk.submit(submission())
    desk.forward(ADMIN, receipt.tracking_id, institution="31.71")
    recorded = complaints.decline(desk._ctx, officer(), receipt.tracking_id, "Bukan wewenang.")
    with pytest.raises(lc.NotFound):
        reading.recorded_view(desk._ctx, officer(), recorded)
    with pytest.raises(lc.NotFound):
        desk.view(officer(), receipt.tracking_id)
