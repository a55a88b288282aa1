"""Statistics at scale: province x status over a million complaints, and region lookups for maps.

The complaints are built directly as store records (no desk commands, no histories): a seeded mix of every
regency and some districts, seven statuses, 5 % confidential, twelve months. ``LAPOR_BENCH_STATS_N``
changes the size (default 1,000,000).

Reported: the time of ``stats(group_by=["province", "status"])`` for an admin (one count) and for the
public (a count with the policy keys plus the count of confidential pools), on SQLite and on PostgreSQL
(``GROUP BY`` in the database, loaded with ``save_many`` and then analysed; PostgreSQL on 127.0.0.1:5432
as user postgres, skipped when unreachable) and on the in-memory store counting in Python
(``InMemoryStatistics``); the same on a store without the capability, paged and counted by the desk, on a
smaller set; a few other tables (:data:`OTHER_TABLES`, no goal); and region lookups per second.
``LAPOR_BENCH_STATS_BACKENDS`` picks among ``sqlite,postgresql,memory`` (default: all).
"""

from __future__ import annotations

import itertools
import os
import random
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

import lapor_core as lc
from benchmarks._timing import per_second, report
from lapor_core import TrackingId
from lapor_core._application import statistics
from lapor_core._domain.keys import StoredKey
from lapor_core._domain.regions import RegionLevel, RegionTable
from lapor_core.plugins import Changeset, Complaint, ComplaintStore
from lapor_core.stores.memory import InMemoryComplaintStore
from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.testing import FrozenClock

SIZE = int(os.environ.get("LAPOR_BENCH_STATS_N", "1000000"))
BACKENDS = os.environ.get("LAPOR_BENCH_STATS_BACKENDS", "sqlite,postgresql,memory").split(",")
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres?connect_timeout=3"
PAGED_SIZE = min(SIZE, 20_000)
START = datetime(2025, 5, 1, tzinfo=UTC)
STATUSES = (
    (lc.Status.SUBMITTED, 5),
    (lc.Status.ON_HOLD, 2),
    (lc.Status.ARCHIVED, 8),
    (lc.Status.FORWARDED, 15),
    (lc.Status.ASSIGNED, 10),
    (lc.Status.FOLLOWED_UP, 20),
    (lc.Status.CLOSED, 40),
)
TOPICS = ("roads-bridges", "identity-card", "health-insurance", "waste", "education-fees", None)


CountingStore = InMemoryComplaintStore  # counts in one pass
CountingSqlStore = SqlComplaintStore  # counts with GROUP BY


def complaints(count: int, seed: int = 2026) -> Iterator[Complaint]:
    """``count`` plausible complaint records, built without validation round trips."""
    rng = random.Random(seed)
    table = RegionTable.default()
    places = [r for r in table if r.level is not RegionLevel.PROVINCE]
    locations = [lc.Location(region=r.code) for r in places]
    key = StoredKey(salt=secrets.token_bytes(16), digest=secrets.token_bytes(32))
    statuses = [s for s, weight in STATUSES for _ in range(weight)]
    for n in range(count):
        where = rng.choice(locations)
        status = rng.choice(statuses)
        published = status not in (lc.Status.SUBMITTED, lc.Status.ON_HOLD, lc.Status.ARCHIVED)
        at = START + timedelta(seconds=rng.randrange(365 * 86_400))
        yield Complaint(
            tracking_id=str(TrackingId.from_int(n)),
            version=1,
            status=status,
            kind=rng.choice(
                (lc.Kind.PENGADUAN, lc.Kind.PENGADUAN, lc.Kind.ASPIRASI, lc.Kind.PERMINTAAN_INFORMASI)
            ),
            channel=rng.choice((lc.Channel.WEB, lc.Channel.MOBILE, lc.Channel.SMS)),
            title="Laporan",
            body="Isi laporan.",
            category=rng.choice(TOPICS),
            location=where,
            anonymous=rng.random() < 0.1,
            confidential=rng.random() < 0.05,
            reporter_flags=frozenset(),
            identity_ref=None,
            owner_hash=None,
            access_key=key,
            institution=where.region[:5] if published and where.region else None,
            unit=None,
            declined_by=(),
            submitted_at=at,
            updated_at=at,
            published_at=at if published else None,
            next_due_at=None,
            rating=None,
            supporters=frozenset(),
        )


def fill(store: ComplaintStore, count: int) -> None:
    """Save ``count`` complaints as bare projections (the stores' bulk path for this benchmark)."""
    if isinstance(store, SqlComplaintStore):
        for batch in _batched(complaints(count), 10_000):
            store.save_many(Changeset(c, 0, ()) for c in batch)
        return
    for c in complaints(count):
        store.save(Changeset(c, 0, ()))


def _batched(items: Iterator[Complaint], size: int) -> Iterator[list[Complaint]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


def timed(run: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    """The best wall time of ``run`` in seconds, and its last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


OTHER_TABLES: list[tuple[list[str], dict[str, object] | None, str]] = [
    (["regency"], {"region": "32"}, "regency, filtered to province 32"),
    (["province"], {"category": ["waste"]}, "province, filtered to one topic"),
    (["topic", "status"], None, "topic x status"),
    (["institution"], None, "institution"),
    (["month"], None, "month"),
    (
        ["status"],
        {"period": (datetime(2025, 9, 1, tzinfo=UTC), datetime(2025, 10, 1, tzinfo=UTC))},
        "status, one month",
    ),
]
"""Further tables over the same complaints, for the documentation (no goal is set for them)."""


def desk_on(store: ComplaintStore) -> lc.ComplaintDesk:
    """A desk over ``store`` at a fixed instant."""
    return lc.ComplaintDesk(
        store=store, clock=FrozenClock(datetime(2026, 5, 1, tzinfo=UTC)), pepper=b"b" * 32
    )


def province_by_status(store: ComplaintStore, principal: lc.Principal, repeat: int = 3) -> tuple[float, int]:
    """Seconds for the province x status table, and how many rows it had."""
    desk = desk_on(store)
    seconds, rows = timed(
        lambda: statistics.stats(desk._ctx, principal, group_by=["province", "status"]), repeat
    )
    return seconds, len(rows)  # type: ignore[arg-type]


def _maintain(store: SqlComplaintStore) -> str:
    """Bring a freshly loaded database to the state routine maintenance keeps a production one in.

    PostgreSQL's autovacuum sets the visibility map (index-only scans) and planner statistics of a table
    this size soon after a load; the benchmark runs the same ``VACUUM ANALYZE`` instead of waiting for it.
    SQLite gets ``ANALYZE``, as ``PRAGMA optimize`` would run it.
    """
    command = "VACUUM ANALYZE lapor_complaints" if store.dialect == "postgresql" else "ANALYZE"
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(command)
    return command


def _measure(label: str, store: ComplaintStore) -> None:
    started = time.perf_counter()
    fill(store, SIZE)
    print(f"{label}: loaded {SIZE:,} complaints in {time.perf_counter() - started:.1f} s")
    if isinstance(store, SqlComplaintStore):
        started = time.perf_counter()
        command = _maintain(store)
        print(f"  then {command} ({time.perf_counter() - started:.1f} s)")
    for name, principal in (("admin", lc.Principal.admin("a")), ("public", lc.Principal.public())):
        seconds, rows = province_by_status(store, principal)
        print(f"  stats(group_by=[province, status]) as {name:<6} best of 3  {seconds:6.2f} s  ({rows} rows)")
    print("  other tables, best of 2 (admin / public):")
    desk = desk_on(store)
    for group_by, filters, title in OTHER_TABLES:
        times = []
        for principal in (lc.Principal.admin("a"), lc.Principal.public()):

            def table(p: lc.Principal = principal, g: list[str] = group_by, f: object = filters) -> object:
                return statistics.stats(desk._ctx, p, group_by=g, filters=f)  # type: ignore[arg-type]

            times.append(timed(table, 2)[0])
        print(f"    {title:<40} {times[0]:6.2f} s / {times[1]:6.2f} s")


def _postgres_database() -> tuple[sa.Engine, str] | None:
    admin = sa.create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    name = f"lapor_bench_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.SQLAlchemyError as e:
        print(f"PostgreSQL: skipped, 127.0.0.1:5432 not reachable ({type(e).__name__})")
        admin.dispose()
        return None
    return admin, name


def main() -> None:
    if "sqlite" in BACKENDS:
        with tempfile.TemporaryDirectory() as folder:
            store = CountingSqlStore(f"sqlite:///{Path(folder) / 'bench.db'}")
            try:
                _measure("SQLite (file, WAL)", store)
            finally:
                store.close()
    if "postgresql" in BACKENDS and (found := _postgres_database()) is not None:
        admin, name = found
        try:
            store = CountingSqlStore(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
            try:
                _measure("PostgreSQL (local)", store)
            finally:
                store.close()
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    if "memory" in BACKENDS:
        _measure("in-memory store, counted in Python", CountingStore())

    paged = InMemoryComplaintStore()
    fill(paged, PAGED_SIZE)
    seconds, _ = province_by_status(paged, lc.Principal.public(), repeat=1)
    label = f"store without count_complaints, paged by the desk, {PAGED_SIZE:,} complaints, public"
    print(f"  {label}  {seconds:6.2f} s")

    table = RegionTable.default()
    rng = random.Random(2026)
    codes = [rng.choice(list(table)).code for _ in range(10_000)]

    def centroid(count: int) -> None:
        for code in codes[:count]:
            table.centroid_of(code)

    def province(count: int) -> None:
        for code in codes[:count]:
            table.province_of(code)

    def find(count: int) -> None:
        for code in codes[:count]:
            table.find(code)

    print("region lookups for maps and statistics (best of 5 runs of 10,000):")
    report(
        [
            ("RegionTable.find", per_second(find, 10_000)),
            ("RegionTable.province_of", per_second(province, 10_000)),
            ("RegionTable.centroid_of", per_second(centroid, 10_000)),
        ],
        unit="lookups/s",
    )


if __name__ == "__main__":
    main()
