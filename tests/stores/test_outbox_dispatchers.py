"""Two dispatchers draining one SQL outbox at once never send the same message at the same time.

Each dispatcher has its own store (its own connections), as two dispatcher processes would, and runs in its
own thread. The notifier marks each idempotency key in flight while it "sends" (a short sleep that widens
the window); a second send of a key still in flight is a violation. Every message must be sent exactly once
(no lease runs out here), and both dispatchers must have sent some, or the test proved nothing.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import lapor_core as lc
from desk_support import ADMIN, PEPPER, WIB, submission
from lapor_core._application.delivery import DeliveryReport, Dispatcher
from lapor_core._domain.notifications import AddressBook, Notification
from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.testing import FrozenClock

COMPLAINTS = 30
DISPATCHERS = 2
BOOK = AddressBook.from_dict(
    {"admin": "mailto:admin@lapor.go.id", "institutions": {"31.71": "mailto:pengaduan@jakarta.go.id"}}
)


class InFlightNotifier:
    """Records every send and flags a key sent while another send of it is still in flight."""

    def __init__(self, hold: float = 0.002) -> None:
        self.hold = hold
        self.sent: Counter[str] = Counter()
        self.overlaps: list[str] = []
        self._in_flight: set[str] = set()
        self._lock = threading.Lock()

    def send(self, notification: Notification) -> None:
        """Hold the key in flight for a moment, then record it."""
        key = notification.idempotency_key
        with self._lock:
            if key in self._in_flight:
                self.overlaps.append(key)
            self._in_flight.add(key)
        time.sleep(self.hold)
        with self._lock:
            self._in_flight.discard(key)
            self.sent[key] += 1


def _queue(url: str) -> set[str]:
    """Submit and forward the complaints; return the IDs of the queued messages."""
    clock = FrozenClock(datetime(2026, 3, 17, 10, tzinfo=WIB))
    desk = lc.ComplaintDesk(store=SqlComplaintStore(url), clock=clock, pepper=PEPPER)
    try:
        for n in range(COMPLAINTS):
            tid = desk.submit(submission(title=f"Keluhan {n}")).tracking_id
            desk.forward(ADMIN, tid, institution="31.71")
        return {m.id for m in desk.store.pending_outbox()}
    finally:
        desk.close()


def test_two_dispatchers_at_once_send_every_message_once_and_never_concurrently(store_url: str) -> None:
    """Two dispatchers race on one outbox: each message is sent exactly once, never by both at a time."""
    queued = _queue(store_url)
    notifier = InFlightNotifier()
    start = threading.Barrier(DISPATCHERS, timeout=60)

    def dispatch(_: int) -> DeliveryReport:
        store = SqlComplaintStore(store_url, pool_size=2, schema="check")
        try:
            dispatcher = Dispatcher(store, notifier, BOOK, lease=timedelta(minutes=10), batch=4)
            start.wait()
            return dispatcher.deliver()
        finally:
            store.close()

    with ThreadPoolExecutor(DISPATCHERS) as pool:
        reports = list(pool.map(dispatch, range(DISPATCHERS)))

    assert len(queued) == COMPLAINTS * 4
    assert notifier.overlaps == []
    assert set(notifier.sent) == queued
    assert set(notifier.sent.values()) == {1}
    assert all(report.sent for report in reports)
    assert sorted(i for report in reports for i in report.sent) == sorted(queued)
    check = SqlComplaintStore(store_url, schema="check")
    try:
        assert tuple(check.pending_outbox()) == ()
    finally:
        check.close()
