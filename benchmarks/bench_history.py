"""A command and a view on a long history: the kept state against the full replay, side by side (issue 24).

One cycle is what a long conversation repeats: the reporter replies, the institution follows up, and someone
opens the complaint (``desk.view``, the view as returned). It is timed on complaints holding about 5 and about
200 events, on two desks in the same process over the same backend:

- **kept**: the desk as it is; each command reads the complaint's row, which keeps the last event's hash and
  the open SLA clocks, and appends one event;
- **replay** (the peer): the same desk over a store that hands back rows without the kept state, so every
  command and view reads and replays the whole history (what every command did before issue 24, and what a
  store that drops the two fields still gets).

It prints each side's time per cycle at 5 and at 200 events, each side's growth from 5 to 200 (goal for the
kept side: at most 1.2x), and the replay's time over the kept one. The two lengths are timed in alternation,
best of several rounds, so a busy machine slows both alike.

Settings: ``LAPOR_BENCH_HISTORY_ROUNDS`` (default 7) rounds of ``LAPOR_BENCH_HISTORY_CYCLES`` (default 20)
cycles per length; ``LAPOR_BENCH_HISTORY_BACKENDS`` (default ``memory,sqlite``).
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs

import lapor_core as lc
from benchmarks.bench_desk import ADMIN, OFFICER, SUBMISSION
from lapor_core.plugins import Complaint, ComplaintStore
from lapor_core.stores import open_store
from lapor_core.testing import FrozenClock

WIB = timezone(timedelta(hours=7))
PEPPER = "benchmark pepper 0123456789abcdef"
SHORT, LONG = 5, 200
GOAL = 1.2


class Forgetful:
    """A store that hands back complaint rows without their kept state, so the desk replays each history."""

    def __init__(self, store: ComplaintStore) -> None:
        self._store = store

    def get(self, tracking_id: str) -> Complaint:
        """The stored row, its kept state dropped."""
        return attrs.evolve(self._store.get(tracking_id), head_hash=None, sla_state=None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


class _Conversation:
    """One complaint on one desk, taken to a number of events by reply / follow-up rounds."""

    def __init__(self, desk: lc.ComplaintDesk, clock: FrozenClock, events: int) -> None:
        self.desk, self.clock = desk, clock
        receipt = desk.submit(SUBMISSION)
        self.tid = receipt.tracking_id
        self.reporter = desk.authenticate(self.tid, receipt.access_key)
        desk.forward(ADMIN, self.tid, institution="31.71")
        desk.follow_up(OFFICER, self.tid, "Sudah ditambal.")
        while desk.store.get(self.tid).version + 2 <= events:
            self.cycle()

    def cycle(self) -> None:
        self.clock.advance(minutes=1)
        self.desk.reply(self.reporter, self.tid, "Belum rata.")
        self.desk.follow_up(OFFICER, self.tid, "Sudah diratakan.")
        self.desk.view(ADMIN, self.tid)


def _measure(store: ComplaintStore, rounds: int, cycles: int) -> dict[int, float]:
    """Seconds per cycle at SHORT and LONG events, best of ``rounds`` alternating rounds.

    Each short cycle runs on a new complaint of SHORT events; the long cycles run on one complaint built to
    LONG - ``cycles`` events, so that the ``cycles`` cycles (2 events each) centre on LONG. Building is not
    timed.
    """
    clock = FrozenClock(datetime(2026, 3, 17, 10, tzinfo=WIB))
    desk = lc.ComplaintDesk(store=store, clock=clock, pepper=PEPPER)
    best = {SHORT: float("inf"), LONG: float("inf")}
    for _ in range(rounds):
        elapsed = 0.0
        for _ in range(cycles):
            conversation = _Conversation(desk, clock, SHORT)
            started = time.perf_counter()
            conversation.cycle()
            elapsed += time.perf_counter() - started
        best[SHORT] = min(best[SHORT], elapsed / cycles)
        conversation = _Conversation(desk, clock, LONG - cycles)
        started = time.perf_counter()
        for _ in range(cycles):
            conversation.cycle()
        best[LONG] = min(best[LONG], (time.perf_counter() - started) / cycles)
    return best


def _open(backend: str, folder: Path, name: str) -> ComplaintStore:
    if backend == "memory":
        return open_store("memory://")
    return open_store(f"sqlite:///{folder / name}.db")


def main() -> None:
    rounds = int(os.environ.get("LAPOR_BENCH_HISTORY_ROUNDS", "7"))
    cycles = int(os.environ.get("LAPOR_BENCH_HISTORY_CYCLES", "20"))
    backends = os.environ.get("LAPOR_BENCH_HISTORY_BACKENDS", "memory,sqlite").split(",")
    print(
        f"reply + follow-up + view, per cycle, on a complaint of about {SHORT} and {LONG} events "
        f"(best of {rounds} rounds of {cycles} cycles):"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            kept_store = _open(backend, Path(tmp), "kept")
            replay_store = _open(backend, Path(tmp), "replay")
            try:
                kept = _measure(kept_store, rounds, cycles)
                replay = _measure(Forgetful(replay_store), rounds, cycles)  # type: ignore[arg-type]
            finally:
                kept_store.close()
                replay_store.close()
            growth = kept[LONG] / kept[SHORT]
            verdict = "PASS" if growth <= GOAL else "MISS"
            print(f"  {backend}:")
            for label, side in (("kept state", kept), ("replay (peer)", replay)):
                print(
                    f"    {label:<14} {side[SHORT] * 1e3:7.3f} ms at {SHORT:>3}   "
                    f"{side[LONG] * 1e3:7.3f} ms at {LONG}   growth {side[LONG] / side[SHORT]:5.2f}x"
                )
            ratio = replay[LONG] / kept[LONG]
            print(
                f"    at {LONG} events the replay takes {ratio:.2f}x the kept state's time; "
                f"kept growth {growth:.2f}x: {verdict} (goal <= {GOAL}x)"
            )
