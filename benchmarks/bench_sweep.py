"""One sweep over N due complaints on SQLite and PostgreSQL: in batches (``save_many``) against one save each.

Issue 25's goal: 100,000 breaches recorded by one sweep in under 30 s, on SQLite and on PostgreSQL.

Setup. Complaints are submitted and forwarded to an institution through a desk on an in-memory store that
records the changesets the desk saves: the desk's own code path, with the kept SLA state and the last event's
hash in the row, the events, the outbox messages and the reporter identity. Each complaint's two changesets
(submit, forward) are merged into one new-complaint changeset holding the same rows (the complaint as the
forward left it, both events, every outbox message, the identity) and copied into the SQL store with
``save_many``, 1,000 to a transaction. The clock then moves past every follow-up deadline, and
``desk.sweep()`` is timed on a desk opened on the database's URL: it records a breach on each complaint.

Peer. The same sweep on a second database with the same complaints, through a store without ``save_many``:
the sweep then saves each complaint with its own compare-and-set transaction, as it did before issue 25. The
peer runs on at most ``LAPOR_BENCH_SWEEP_PEER_N`` complaints (its time grows with N as the batched side's
does), so the ratio compares rates, complaints per second.

A figure for fewer than 100,000 complaints is extrapolated linearly to 100,000 for the goal, and says so; the
extrapolation is optimistic, as the database's own work per complaint grows with its size (on SQLite the
batch's statements cost twice as much per complaint at 100,000 as at 20,000).

Environment:
  LAPOR_BENCH_SWEEP_N        complaints swept (default 20,000; the goal is at 100,000)
  LAPOR_BENCH_SWEEP_PEER_N   complaints the one-save-each peer sweeps (default: N, at most 20,000)
  LAPOR_BENCH_SWEEP_BACKENDS which backends, comma-separated (default sqlite,postgresql)
  LAPOR_BENCH_PG_ADMIN       PostgreSQL URL used to create throwaway databases
                             (default postgresql+psycopg://postgres@127.0.0.1:5432/test); "off" skips it
  LAPOR_BENCH_SWEEP_PROFILE  "1": print the batched sweep's cProfile (top 30 functions by own time);
                             "stages": the time of its stages per complaint, wall and CPU (no profiler)
"""

from __future__ import annotations

import contextlib
import cProfile
import os
import pstats
import secrets
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

import lapor_core as lc
from lapor_core._application import sweep as sweep_module
from lapor_core.plugins import Changeset, ComplaintStore
from lapor_core.stores.memory import InMemoryComplaintStore
from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.stores.sql import _complaints as sql_store
from lapor_core.stores.sql._rows import ChangesetRows
from lapor_core.testing import FrozenClock

GOAL_SECONDS = 30.0
GOAL_COMPLAINTS = 100_000
CHUNK = 1_000
WIB = timezone(timedelta(hours=7))
START = datetime(2026, 3, 17, 10, tzinfo=WIB)
LATE = datetime(2026, 6, 1, tzinfo=WIB)  # past every follow-up deadline of a complaint forwarded at START
PEPPER = "benchmark pepper 0123456789abcdef"
ADMIN = lc.Principal.admin("adm")
INSTITUTIONS = ("31.71", "31.72", "32.73", "35.78", "73.71")
SUBMISSION = lc.Submission.from_dict(
    {
        "kind": "pengaduan",
        "channel": "web",
        "title": "Jalan berlubang",
        "body": "Lubang besar di depan SDN 3 Menteng sejak banjir minggu lalu.",
        "location": {"region": "31.71.01", "lat": -6.1865, "lon": 106.8341, "address": "Jl. Menteng Raya 1"},
        "reporter": {"name": "Siti Aminah", "email": "siti@example.id", "phone": "081234567890"},
    }
)


class _RecordingStore(InMemoryComplaintStore):
    """An in-memory store that also keeps every changeset the desk saves, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.saved: list[Changeset] = []

    def save(self, changes: Changeset) -> None:
        super().save(changes)
        self.saved.append(changes)


def _merged(steps: Sequence[Changeset]) -> Changeset:
    """One new-complaint changeset with the rows of a complaint's consecutive changesets."""
    identity = next((c.identity for c in reversed(steps) if c.identity is not None), None)
    return Changeset(
        steps[-1].complaint,
        0,
        tuple(e for c in steps for e in c.events),
        tuple(m for c in steps for m in c.outbox),
        identity,
    )


def _forwarded(count: int) -> Iterator[list[Changeset]]:
    """Chunks of new-complaint changesets: ``count`` complaints submitted and forwarded through a desk."""
    made = 0
    while made < count:
        recording = _RecordingStore()
        desk = lc.ComplaintDesk(store=recording, clock=FrozenClock(START), pepper=PEPPER)
        size = min(CHUNK, count - made)
        for i in range(size):
            tid = desk.submit(SUBMISSION).tracking_id
            desk.forward(ADMIN, tid, institution=INSTITUTIONS[(made + i) % len(INSTITUTIONS)])
        by_id: dict[str, list[Changeset]] = {}
        for changes in recording.saved:
            by_id.setdefault(changes.complaint.tracking_id, []).append(changes)
        yield [_merged(steps) for steps in by_id.values()]
        made += size


class _OneSaveEach:
    """The peer: a store with no ``save_many``, so the sweep saves each complaint in its own transaction."""

    def __init__(self, store: SqlComplaintStore) -> None:
        self._store = store
        self.save = store.save
        self.get = store.get
        self.history = store.history
        self.identity = store.identity
        self.query = store.query
        self.due = store.due
        self.pending_outbox = store.pending_outbox
        self.close = store.close


def _fill(urls: Sequence[tuple[str, int]]) -> float:
    """Store the first ``n`` forwarded complaints at each (url, n); return the seconds it took."""
    started = time.perf_counter()
    stores = [(SqlComplaintStore(url), n) for url, n in urls]
    try:
        made = 0
        for chunk in _forwarded(max(n for _, n in urls)):
            for store, n in stores:
                if made < n:
                    store.save_many(chunk[: n - made])
            made += len(chunk)
    finally:
        for store, _ in stores:
            store.close()
    return time.perf_counter() - started


# The sweep's stages, timed by wrapping the functions that do them (LAPOR_BENCH_SWEEP_PROFILE=stages).
_STAGES = (
    (sql_store.SqlComplaintStore, "due", "reading the due rows (store.due)"),
    (sweep_module, "_due_commands", "judging the kept clocks (sweep._due_commands)"),
    (sweep_module, "_changes", "deciding and building the changesets (incl. the above)"),
    (ChangesetRows, "of", "turning changesets into rows (ChangesetRows.of)"),
    (sql_store, "_apply", "the batch's statements (_apply)"),
    (sql_store.SqlComplaintStore, "save_many", "saving the batches (save_many: rows, statements, commit)"),
)


@contextlib.contextmanager
def _stage_timers() -> Iterator[dict[str, list[float]]]:
    """Wrap each stage's function to add up its wall and CPU time; put the originals back afterwards."""
    spent: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    originals = [(owner, name, owner.__dict__[name]) for owner, name, _ in _STAGES]
    for (owner, name, label), (_, _, original) in zip(_STAGES, originals, strict=True):
        function = original.__func__ if isinstance(original, classmethod) else original

        def timed(
            *args: object, _function: Callable[..., object] = function, _label: str = label, **kwargs: object
        ) -> object:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return _function(*args, **kwargs)
            finally:
                spent[_label][0] += time.perf_counter() - wall
                spent[_label][1] += time.process_time() - cpu

        setattr(owner, name, classmethod(timed) if isinstance(original, classmethod) else timed)
    try:
        yield spent
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def _sweep(url: str, expected: int, *, one_by_one: bool, profile: str = "") -> float:
    """Time one sweep of the database at ``url``; check that it breached every complaint."""
    sql = SqlComplaintStore(url, schema="check")
    store: ComplaintStore = _OneSaveEach(sql) if one_by_one else sql
    desk = lc.ComplaintDesk(store=store, clock=FrozenClock(LATE), pepper=PEPPER)
    batches: list[float] = []
    stages = _stage_timers() if profile == "stages" else contextlib.nullcontext(None)
    try:
        profiler = cProfile.Profile() if profile == "1" else None
        cpu = time.process_time()
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        with stages as spent:
            report = desk.sweep(progress=lambda _: batches.append(time.perf_counter()))
        if profiler is not None:
            profiler.disable()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        if len(report.breached) != expected or report.failed or report.handled != expected:
            raise SystemExit(
                f"the sweep did not breach every complaint: {len(report.breached):,} of {expected:,} "
                f"breached, {len(report.failed):,} failed, {report.handled:,} handled"
            )
        sample = report.breached[len(report.breached) // 2]
        if not desk.verify_history(sample).ok:
            raise SystemExit(f"the history of {sample} does not verify after the sweep")
        if desk.sweep().handled != 0:
            raise SystemExit("a second sweep found complaints still due")
        if profiler is not None:
            print("  cProfile of the batched sweep (top 30 by own time):")
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        if spent is not None:
            per = 1e6 / expected
            print(f"  stages of the batched sweep, per complaint (the whole sweep: {cpu * per:,.0f} us CPU):")
            for label, (wall, used) in spent.items():
                print(f"    {label:<60} {wall * per:6,.0f} us wall {used * per:6,.0f} us CPU")
    finally:
        desk.close()
    return elapsed


def _line(label: str, count: int, seconds: float, note: str = "") -> None:
    rate = count / seconds
    print(f"  {label:<44} {count:>9,} complaints {seconds:>8.2f} s {rate:>9,.0f} /s  {note}".rstrip())


def _verdict(count: int, seconds: float) -> str:
    if count >= GOAL_COMPLAINTS:
        at_goal = seconds * GOAL_COMPLAINTS / count
        label = f"{at_goal:.1f} s for {GOAL_COMPLAINTS:,}" if count > GOAL_COMPLAINTS else f"{seconds:.1f} s"
    else:
        at_goal = seconds * GOAL_COMPLAINTS / count
        label = (
            f"extrapolated linearly from {count:,}: {at_goal:.1f} s for {GOAL_COMPLAINTS:,}; optimistic, "
            "the cost per complaint grows with the database"
        )
    status = "PASS" if at_goal < GOAL_SECONDS else "MISS"
    return f"goal < {GOAL_SECONDS:.0f} s at {GOAL_COMPLAINTS:,}: {status} ({label})"


def bench(backend: str, make_url: Callable[[str], str], n: int, peer_n: int, *, profile: str) -> None:
    """Fill two databases of ``backend``, sweep one in batches and the other one save at a time."""
    batched, peer = make_url("batched"), make_url("peer")
    fill = _fill([(batched, n), (peer, peer_n)])
    print(f"{backend}: {n:,} forwarded complaints (peer: {peer_n:,}) built and stored in {fill:.1f} s")
    seconds = _sweep(batched, n, one_by_one=False, profile=profile)
    _line("desk.sweep(), batches of 500 in save_many", n, seconds)
    peer_seconds = _sweep(peer, peer_n, one_by_one=True)
    ratio = (n / seconds) / (peer_n / peer_seconds)
    _line("peer: one compare-and-set save per complaint", peer_n, peer_seconds, f"batched x{ratio:.1f}")
    print(f"  {_verdict(n, seconds)}")


@contextlib.contextmanager
def _postgres() -> Iterator[Callable[[str], str] | None]:
    admin_url = os.environ.get("LAPOR_BENCH_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    if admin_url == "off":
        yield None
        return
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    base = admin_url.rsplit("/", 1)[0].split("?")[0]
    made: list[str] = []

    def make_url(side: str) -> str:
        name = f"lapor_bench_sweep_{side}_{secrets.token_hex(4)}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        made.append(name)
        return f"{base}/{name}"

    try:
        with admin.connect():
            pass
    except sa.exc.OperationalError as e:
        print(f"PostgreSQL skipped: not reachable ({type(e.orig).__name__})")
        yield None
        return
    try:
        yield make_url
    finally:
        with admin.connect() as connection:
            for name in made:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def main() -> None:
    n = int(os.environ.get("LAPOR_BENCH_SWEEP_N", "20000"))
    peer_n = int(os.environ.get("LAPOR_BENCH_SWEEP_PEER_N", str(min(n, 20_000))))
    profile = os.environ.get("LAPOR_BENCH_SWEEP_PROFILE", "")
    backends = os.environ.get("LAPOR_BENCH_SWEEP_BACKENDS", "sqlite,postgresql").split(",")
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory(prefix="lapor-bench-sweep-") as folder:
            bench("SQLite", lambda side: f"sqlite:///{Path(folder) / side}.db", n, peer_n, profile=profile)
    if "postgresql" in backends:
        with _postgres() as make_url:
            if make_url is not None:
                bench("PostgreSQL", make_url, n, peer_n, profile=profile)
    print(
        f"(finished {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}; set LAPOR_BENCH_SWEEP_N=100000 for the goal)"
    )


if __name__ == "__main__":
    main()
