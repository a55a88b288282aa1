"""Eight workers racing follow_up, reply and sweep on the same complaints lose no update (all SQL backends).

Each worker has its own desk and its own store (its own connections), as separate application processes
would. A command either returns, and then its event is in the history exactly once, or raises
ConcurrencyConflict / TransitionNotAllowed, and then it left no trace. Every history chain verifies and every
stored state is the projection of its history.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import lapor_core as lc
from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.testing.fakes import FrozenClock

WORKERS = 8
ROUNDS = 12
COMPLAINTS = 3
PEPPER = "race test pepper 0123456789"
WIB = timezone(timedelta(hours=7))
START = datetime(2026, 3, 17, 10, tzinfo=WIB)
LATER = datetime(2026, 3, 23, 9, tzinfo=WIB)  # four working days on: reminders are due
FOLLOWED_OR_REPLIED = {lc.Action.FOLLOW_UP, lc.Action.REPLY}


def _desk(url: str, clock: FrozenClock) -> lc.ComplaintDesk:
    return lc.ComplaintDesk(store=SqlComplaintStore(url, pool_size=2), clock=clock, pepper=PEPPER)


def _prepare(url: str, clock: FrozenClock) -> dict[str, lc.Principal]:
    """Submit and forward the complaints; return each one's reporter principal by tracking ID."""
    desk = _desk(url, clock)
    admin = lc.Principal.admin("adm-1")
    reporters = {}
    try:
        for n in range(COMPLAINTS):
            receipt = desk.submit(
                lc.Submission.from_dict(
                    {"kind": "pengaduan", "channel": "web", "title": f"Keluhan {n}", "body": "Rusak."}
                )
            )
            desk.forward(admin, receipt.tracking_id, institution="31.71")
            reporters[receipt.tracking_id] = desk.authenticate(receipt.tracking_id, receipt.access_key)
    finally:
        desk.close()
    return reporters


def _work(
    worker: int, url: str, clock: FrozenClock, reporters: dict[str, lc.Principal], start: threading.Barrier
) -> tuple[list[tuple[str, str]], Counter[str]]:
    """Run random commands on random complaints; return the (tracking ID, message) of each that returned."""
    rng = random.Random(worker)
    officer = lc.Principal.institution_officer("off-7", institution="31.71")
    desk = _desk(url, clock)
    applied: list[tuple[str, str]] = []
    outcomes: Counter[str] = Counter()
    start.wait()
    try:
        for step in range(ROUNDS):
            tid = rng.choice(sorted(reporters))
            message = f"worker {worker} step {step}"
            choice = rng.random()
            try:
                if choice < 0.4:  # the mix of commands
                    desk.follow_up(officer, tid, message)
                elif choice < 0.8:
                    desk.reply(reporters[tid], tid, message)
                else:
                    desk.sweep()
                    outcomes["sweep"] += 1
                    continue
            except (lc.ConcurrencyConflict, lc.TransitionNotAllowed) as refused:
                outcomes[type(refused).__name__] += 1
                continue
            applied.append((tid, message))
            outcomes["applied"] += 1
    finally:
        desk.close()
    return applied, outcomes


def test_racing_workers_lose_no_update_and_every_chain_verifies(store_url: str) -> None:
    """Eight workers race follow_up, reply and sweep; exactly the calls that returned are in the histories."""
    clock = FrozenClock(START)
    reporters = _prepare(store_url, clock)
    clock.set(LATER)
    start = threading.Barrier(WORKERS, timeout=60)
    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(lambda w: _work(w, store_url, clock, reporters, start), range(WORKERS)))
    applied = [entry for worker_applied, _ in results for entry in worker_applied]
    totals = sum((outcomes for _, outcomes in results), Counter())
    assert totals["applied"] > 0
    assert totals["ConcurrencyConflict"] > 0

    check = _desk(store_url, clock)
    try:
        for tid in reporters:
            assert check.verify_history(tid).ok
            history = check.store.history(tid)
            complaint = check.store.get(tid)
            assert complaint.version == len(history)
            recorded = [e.payload["message"] for e in history if e.action in FOLLOWED_OR_REPLIED]
            assert sorted(recorded) == sorted(message for t, message in applied if t == tid)
            moves = [e.action for e in history if e.action in FOLLOWED_OR_REPLIED]
            replied_last = not moves or moves[-1] is lc.Action.REPLY
            assert complaint.status is (lc.Status.FORWARDED if replied_last else lc.Status.FOLLOWED_UP)
    finally:
        check.close()
