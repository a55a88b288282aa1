"""Polls: reading results from the counters against recounting the same ten million ballots.

In one run, over one poll of LAPOR_BENCH_POLL_BALLOTS ballots (default 10,000,000) spread over every
regency of Indonesia:
  - reading the results (shares, Wilson intervals, suppressed breakdowns) from the counters, which the
    issue wants to cost the same for 10,000,000 ballots as for 10;
  - recounting the stored ballots (InMemoryPollStore.recount), and the same count done by
    collections.Counter over a Python list and numpy.bincount over a numpy array of the same ballots;
  - votes accepted per second: the in-memory store's cast, the whole desk.vote (validation, HMACs,
    audience), and the SQL poll store on SQLite and PostgreSQL when it is available.

Environment:
  LAPOR_BENCH_POLL_BALLOTS  ballots in the big poll (default 10,000,000: about a minute, 2.3 GB of RAM)
  LAPOR_BENCH_PG_ADMIN      PostgreSQL URL of a server to create a throwaway database on
                            (default postgresql+psycopg://postgres@127.0.0.1:5432/test); "off" skips it
"""

from __future__ import annotations

import collections
import contextlib
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np

import lapor_core as lc
from benchmarks._timing import report
from lapor_core import PollDraft
from lapor_core._domain.regions import RegionLevel, RegionTable
from lapor_core.plugins import Ballot, BallotCast, PollStore, RevotePolicy
from lapor_core.stores.memory import InMemoryPollStore
from lapor_core.testing import FrozenClock

WIB = timezone(timedelta(hours=7))
OPENS = datetime(2026, 4, 1, 8, tzinfo=WIB)
CLOSES = datetime(2026, 4, 30, 8, tzinfo=WIB)
OPTIONS = ["Setuju", "Tidak setuju", "Ragu-ragu", "Tidak tahu"]
WEIGHTS = [0.46, 0.31, 0.15, 0.08]
PEPPER = "benchmark pepper, not a secret!!"


def _draft() -> PollDraft:
    return PollDraft(
        "Setujukah Anda iuran BPJS Kesehatan kelas III disesuaikan?",
        OPTIONS,
        OPENS,
        CLOSES,
        results="live",
        revote=RevotePolicy.REPLACE,
    )


def _desk(store: PollStore) -> tuple[lc.ComplaintDesk, str]:
    clock = FrozenClock(OPENS - timedelta(days=1))
    desk = lc.ComplaintDesk(poll_store=store, clock=clock, pepper=PEPPER)
    officer = lc.Principal.institution_officer("off-1", institution="31.71")
    poll_id = desk.create_poll(officer, _draft())
    desk.open_poll(officer, poll_id)
    clock.set(OPENS + timedelta(days=1))
    return desk, poll_id


def _best_seconds(run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def _line(label: str, seconds: float, note: str = "") -> None:
    shown = f"{seconds * 1e3:10.3f} ms" if seconds < 10 else f"{seconds:10.1f} s "
    print(f"  {label:<58} {shown}  {note}")


def _fill(store: PollStore, poll_id: str, version: int, choices: np.ndarray, places: np.ndarray) -> float:
    """Cast every ballot through the store, one by one; returns the rate in ballots per second."""
    regencies = [r.code for r in RegionTable.default() if r.level is RegionLevel.REGENCY]
    ballots = [Ballot((c,), code[:2], code) for code in regencies for c in range(len(OPTIONS))]
    started = time.perf_counter()
    for n, (choice, place) in enumerate(zip(choices.tolist(), places.tolist(), strict=True)):
        store.cast(
            BallotCast(
                poll_id, version, f"{n:064x}", n, ballots[place * len(OPTIONS) + choice], RevotePolicy.REPLACE
            )
        )
    return len(choices) / (time.perf_counter() - started)


def _desk_votes(store: PollStore, count: int) -> float:
    """desk.vote for ``count`` different citizens, in votes per second."""
    desk, poll_id = _desk(store)
    regencies = [r.code for r in RegionTable.default() if r.level is RegionLevel.REGENCY]
    citizens = [
        lc.Principal.citizen(f"warga-{n}", verified=True, region=regencies[n % len(regencies)])
        for n in range(count)
    ]
    started = time.perf_counter()
    for n, citizen in enumerate(citizens):
        desk.vote(citizen, poll_id, [OPTIONS[n % len(OPTIONS)]])
    return count / (time.perf_counter() - started)


@contextlib.contextmanager
def _sql_stores() -> Iterator[list[tuple[str, Callable[[], Any]]]]:
    """Factories of SQL poll stores (SQLite file, PostgreSQL if reachable), or none without the module."""
    try:
        from lapor_core.stores.sql._polls import SqlPollStore
    except ImportError:
        yield []
        return
    import sqlalchemy as sa

    factories: list[tuple[str, Callable[[], Any]]] = []
    with tempfile.TemporaryDirectory() as folder:
        factories.append(
            ("SQLite (file, WAL)", lambda: SqlPollStore(f"sqlite:///{Path(folder) / 'polls.db'}"))
        )
        admin_url = os.environ.get(
            "LAPOR_BENCH_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
        name = f"lapor_bench_{secrets.token_hex(4)}"
        admin = None
        if admin_url != "off":
            try:
                admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
                with admin.connect() as connection:
                    connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
                url = admin.url.set(database=name).render_as_string(hide_password=False)
                factories.append(("PostgreSQL", lambda: SqlPollStore(url)))
            except sa.exc.SQLAlchemyError as error:
                print(f"  (PostgreSQL skipped: {type(error).__name__})")
                admin = None
        try:
            yield factories
        finally:
            if admin is not None:
                with admin.connect() as connection:
                    connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


def main() -> None:
    count = int(os.environ.get("LAPOR_BENCH_POLL_BALLOTS", "10000000"))
    regencies = [r.code for r in RegionTable.default() if r.level is RegionLevel.REGENCY]
    rng = np.random.default_rng(2026)
    choices = rng.choice(len(OPTIONS), size=count, p=WEIGHTS).astype(np.int64)
    places = rng.integers(0, len(regencies), size=count)
    as_list = choices.tolist()

    big = InMemoryPollStore()
    desk, big_id = _desk(big)
    version = big.get(big_id).version
    print(f"casting {count:,} ballots into the in-memory store, one store.cast each ...", flush=True)
    cast_rate = _fill(big, big_id, version, choices, places)

    public = lc.Principal.public()
    tally = big.tally(big_id)
    print("\nreading the results (shares, Wilson intervals, suppressed breakdowns), best of 20:")
    for size in (10, 100_000):
        store = InMemoryPollStore()
        small_desk, small_id = _desk(store)
        _fill(store, small_id, store.get(small_id).version, choices[:size], places[:size])
        regions = len(store.tally(small_id).regions)
        seconds = _best_seconds(lambda d=small_desk, i=small_id: d.poll_results(public, i), 20)
        _line(f"desk.poll_results, {size:,} ballots ({regions} regions)", seconds)
    read_big = _best_seconds(lambda: desk.poll_results(public, big_id), 20)
    _line(f"desk.poll_results, {count:,} ballots ({len(tally.regions)} regions)", read_big)
    _line(f"store.tally alone, {count:,} ballots", _best_seconds(lambda: big.tally(big_id), 20))

    print(f"\ncounting the same {count:,} ballots from scratch:")
    recount: list[Any] = []
    recount_s = _best_seconds(lambda: recount.append(big.recount(big_id)), 1)
    counter: list[Any] = []
    counter_s = _best_seconds(lambda: counter.append(collections.Counter(as_list)), 3)
    bincount: list[Any] = []
    bincount_s = _best_seconds(lambda: bincount.append(np.bincount(choices, minlength=len(OPTIONS))), 5)
    _line("InMemoryPollStore.recount (options and regions)", recount_s, "one run")
    _line("collections.Counter(list of choices) (options only)", counter_s, "best of 3")
    _line("numpy.bincount(array of choices) (options only)", bincount_s, "best of 5")

    expected = tuple(int(v) for v in bincount[-1])
    assert recount[-1] == tally, "the recount disagrees with the counters"
    assert tally.votes == expected, "the counters disagree with numpy.bincount"
    assert tuple(counter[-1][i] for i in range(len(OPTIONS))) == expected
    print(f"  counters = recount = Counter = bincount: {expected}")
    print(
        f"  reading the results takes 1/{recount_s / read_big:,.0f} of the recount's time, "
        f"1/{counter_s / read_big:,.0f} of Counter's and 1/{bincount_s / read_big:,.2f} of numpy.bincount's"
    )

    print("\nvotes accepted per second:")
    rows = [("InMemoryPollStore.cast (precomputed hashes)", cast_rate)]
    rows.append(("desk.vote on the in-memory store", _desk_votes(InMemoryPollStore(), 20_000)))
    with _sql_stores() as factories:
        for label, factory in factories:
            store = factory()
            try:
                rows.append((f"desk.vote on the SQL poll store, {label}", _desk_votes(store, 2_000)))
            finally:
                store.close()
    report(rows, unit="votes/s")


if __name__ == "__main__":
    main()
