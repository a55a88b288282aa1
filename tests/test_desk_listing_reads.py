"""A listing page is one query of rows: no history read, and the identities it shows read at once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import lapor_core as lc
from desk_support import ADMIN, PEPPER, officer, submission
from lapor_core.plugins import ReporterIdentity
from lapor_core.stores.memory import InMemoryComplaintStore
from lapor_core.testing import FrozenClock
from lapor_core.testing.builders import DEFAULT_TIME


class CountingStore(InMemoryComplaintStore):
    """The in-memory store, counting reads."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: Counter[str] = Counter()

    def history(self, tracking_id: str) -> Any:
        self.reads["history"] += 1
        return super().history(tracking_id)

    def identity(self, ref: str) -> ReporterIdentity | None:
        self.reads["identity"] += 1
        return super().identity(ref)

    def identities(self, refs: Iterable[str]) -> dict[str, ReporterIdentity]:
        self.reads["identities"] += 1
        return super().identities(refs)


class FailingBatch(CountingStore):
    """A store whose batch identity read fails (the views then ask one by one)."""

    def identities(self, refs: Iterable[str]) -> dict[str, ReporterIdentity]:
        self.reads["identities"] += 1
        raise lc.StorageError("identity database unavailable")


def _desk(store: CountingStore, count: int = 12, *, anonymous: bool = False) -> lc.ComplaintDesk:
    desk = lc.ComplaintDesk(store=store, clock=FrozenClock(DEFAULT_TIME), pepper=PEPPER)
    for index in range(count):
        tid = desk.submit(submission(title=f"Aduan {index}", anonymous=anonymous)).tracking_id
        desk.forward(ADMIN, tid, institution="31.71")
        if index % 2:
            desk.follow_up(officer(), tid, "Sudah ditambal.")
    store.reads.clear()
    return desk


def test_an_admin_page_reads_no_history_and_every_identity_at_once() -> None:
    """Twelve rows with their reporters' names: one batch identity read, no history, no per-row read."""
    store = CountingStore()
    page = _desk(store).complaints(ADMIN, lc.ComplaintQuery(limit=50))
    assert len(page.items) == 12
    assert {item.reporter.name for item in page.items if item.reporter} == {"Siti Aminah"}
    assert store.reads == Counter({"identities": 1})


def test_a_page_that_shows_no_identity_reads_none() -> None:
    """The public sees anonymous reports as "Anonim": nothing but the rows is read."""
    store = CountingStore()
    page = _desk(store, anonymous=True).complaints(lc.Principal.public(), lc.ComplaintQuery(limit=5))
    assert len(page.items) == 5
    assert {item.reporter.name for item in page.items if item.reporter} == {"Anonim"}
    assert store.reads == Counter()


def test_reading_a_listed_view_s_timeline_reads_that_history_only() -> None:
    """The timeline of one listed view reads its own history, once."""
    store = CountingStore()
    page = _desk(store).complaints(ADMIN, lc.ComplaintQuery(limit=3))
    assert [entry.action for entry in page.items[0].timeline][:2] == [lc.Action.SUBMIT, lc.Action.FORWARD]
    assert store.reads["history"] == 1


def test_a_failing_batch_read_falls_back_to_one_read_per_row() -> None:
    """When the batch read fails the views ask for each identity; the page still shows the names."""
    store = FailingBatch()
    page = _desk(store, count=3).complaints(ADMIN, lc.ComplaintQuery(limit=10))
    assert [item.reporter.name for item in page.items if item.reporter] == ["Siti Aminah"] * 3
    assert store.reads == Counter({"identities": 1, "identity": 3})


def test_the_listing_equals_the_views_read_one_by_one() -> None:
    """Whatever it reads at once, each listed view is the view of that complaint."""
    store = CountingStore()
    desk = _desk(store)
    for principal in (ADMIN, officer(), lc.Principal.public()):
        for item in desk.complaints(principal, lc.ComplaintQuery(limit=50)).items:
            assert item == desk.view(principal, item.tracking_id)
