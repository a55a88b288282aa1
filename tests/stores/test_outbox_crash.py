"""Killing a dispatcher between sending and acknowledging loses no notification and adds none that counts.

A child process runs a real :class:`~lapor_core._application.delivery.Dispatcher` on the SQL store, sending
signed webhooks to a deduplicating receiver on 127.0.0.1 (``tests/webhook_receiver.py``). After each send
returns, the child reports the idempotency key and waits; the test then either lets it go on (it
acknowledges) or kills it with SIGKILL, so the kill lands exactly after a send and before its
acknowledgement. Twenty kills at random points, then one last child drains the outbox.

Each child's clock runs an hour ahead of the one before, so the lease a killed child held has run out for
the next one (as it would after the real lease time) without the test sleeping. Then: every message that
had an address reached the receiver; each was recorded once; the receiver saw exactly one repeat per kill
(the killed message, sent again with the same idempotency key); the outbox is empty and holds no dead letter.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import lapor_core as lc
from desk_support import ADMIN, PEPPER, submission
from lapor_core.stores.sql import SqlComplaintStore
from webhook_receiver import WebhookReceiver

KILLS = 20
COMPLAINTS = 30
SECRET = "crash test webhook secret 0123456789"
SECRET_ENV = "LAPOR_TEST_WEBHOOK_SECRET"
CHILD = textwrap.dedent(
    """
    import os, sys
    from datetime import UTC, datetime, timedelta

    from lapor_core._application.delivery import Dispatcher
    from lapor_core._domain.notifications import AddressBook
    from lapor_core.notifiers import WebhookNotifier
    from lapor_core.stores.sql import SqlComplaintStore

    url, hook, run = sys.argv[1], sys.argv[2], int(sys.argv[3])

    class AheadClock:
        def now(self):
            return datetime.now(UTC) + timedelta(hours=run)

    class ReportingNotifier:
        def __init__(self, inner):
            self.inner = inner

        def send(self, notification):
            self.inner.send(notification)
            print("sent", notification.idempotency_key, flush=True)
            if sys.stdin.readline().strip() != "go":
                raise SystemExit(3)

    store = SqlComplaintStore(url, schema="check", pool_size=1)
    book = AddressBook.from_dict({"admin": hook, "institutions": {"31.71": hook}})
    notifier = ReportingNotifier(WebhookNotifier(secret=os.environ["LAPOR_TEST_WEBHOOK_SECRET"], timeout=10))
    dispatcher = Dispatcher(store, notifier, book, clock=AheadClock(), lease=timedelta(minutes=5), batch=2)
    report = dispatcher.deliver()
    store.close()
    print("done", len(report.sent), len(report.skipped), len(report.dead_lettered), flush=True)
    """
)


def _queue(url: str) -> tuple[set[str], set[str]]:
    """Submit and forward the complaints; return the IDs of messages with an address and of the others."""
    desk = lc.ComplaintDesk(store=SqlComplaintStore(url), pepper=PEPPER)
    try:
        for n in range(COMPLAINTS):
            # No reporter contact: the reporter's messages are skipped, the others go to the webhook.
            tid = desk.submit(submission(title=f"Keluhan {n}", reporter={"name": "Siti"})).tracking_id
            desk.forward(ADMIN, tid, institution="31.71")
        pending = desk.store.pending_outbox()
    finally:
        desk.close()
    return {m.id for m in pending if m.recipient_role != "reporter"}, {
        m.id for m in pending if m.recipient_role == "reporter"
    }


def _pending(url: str) -> set[str]:
    store = SqlComplaintStore(url, schema="check", pool_size=1)
    try:
        return {m.id for m in store.pending_outbox()}
    finally:
        store.close()


def _run_child(url: str, hook: str, run: int, kill_after: int | None, log: Path) -> str | None:
    """Run one dispatcher; SIGKILL it right after its ``kill_after``-th send; return the killed key."""
    with log.open("ab") as errors:
        child = subprocess.Popen(  # our own interpreter and code
            [sys.executable, "-c", CHILD, url, hook, str(run)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env={**os.environ, SECRET_ENV: SECRET},
        )
    assert child.stdin is not None
    assert child.stdout is not None
    sends = 0
    killed = None
    try:
        for line in child.stdout:
            what, _, rest = line.strip().partition(" ")
            if what == "done":
                break
            assert what == "sent", line
            sends += 1
            if sends == kill_after:
                os.kill(child.pid, signal.SIGKILL)
                killed = rest
                break
            child.stdin.write("go\n")
            child.stdin.flush()
    finally:
        child.stdin.close()
        child.stdout.close()
        status = child.wait(30)
    if killed is not None:
        assert status == -signal.SIGKILL
    else:
        assert status == 0, log.read_text(errors="replace")[-2000:]
    return killed


@pytest.mark.slow
def test_dispatchers_killed_after_sending_lose_nothing_and_the_receiver_counts_each_once(
    store_url: str, tmp_path: Path
) -> None:
    """Twenty SIGKILLs between send and acknowledge: all delivered, each recorded once, a repeat per kill."""
    expected, reporters = _queue(store_url)
    assert len(expected) == COMPLAINTS * 2
    rng = random.Random(1708)
    log = tmp_path / "children.log"
    killed: list[str] = []
    with WebhookReceiver(SECRET) as receiver:
        for run in range(KILLS):
            key = _run_child(store_url, receiver.url("/ok"), run, rng.randint(1, 4), log)
            assert key is not None, "the outbox ran dry before every kill was made"
            assert key in receiver.delivered  # the receiver has it...
            assert key in _pending(store_url)  # ...and the outbox still does: killed before acknowledging
            killed.append(key)
        assert _run_child(store_url, receiver.url("/ok"), KILLS, None, log) is None
        delivered = set(receiver.delivered)
        duplicates = receiver.duplicates
        unverified = [hit for hit in receiver.hits if not hit.verified]
    assert delivered == expected
    assert duplicates == KILLS
    assert unverified == []
    assert _pending(store_url) == set()
    store = SqlComplaintStore(store_url, schema="check")
    try:
        assert tuple(store.dead_letters()) == ()
    finally:
        store.close()
    assert not reporters & delivered
