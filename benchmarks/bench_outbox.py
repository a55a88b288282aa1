"""Outbox delivery rate: messages per second through the dispatcher with the recording notifier.

Issue 7 asks for the delivery rate on SQLite and PostgreSQL; the in-memory store is the baseline. Each round
queues LAPOR_BENCH_OUTBOX_COMPLAINTS complaints (default 500), submitted and forwarded, so four messages
each (reporter twice, the admins, the institution), then times one ``Dispatcher.deliver()`` draining them
all: claim (a lease per batch), reload the complaint and its history, render under the access policy,
resolve addresses, "send" to a RecordingNotifier, acknowledge each message in its own transaction (the
at-least-once discipline: a message is acknowledged right after it was sent). SQLite runs as the store's
default, WAL with synchronous=FULL, so every acknowledgement is a durable commit.

A second line per store times the outbox alone (claim a batch, acknowledge each message), to show what the
store costs against rendering. Rates are the best of ROUNDS rounds.

Environment:
  LAPOR_BENCH_OUTBOX_COMPLAINTS  complaints queued per round (default 500: 2,000 messages)
  LAPOR_BENCH_PG_ADMIN           PostgreSQL URL of a server to create a throwaway database on
                                 (default postgresql+psycopg://postgres@127.0.0.1:5432/test); "off" skips it
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

import lapor_core as lc
from lapor_core import AddressBook, Dispatcher
from lapor_core.plugins import Changeset, ComplaintStore, OutboxMessage, OutboxStore
from lapor_core.stores.memory import InMemoryComplaintStore
from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.testing import FrozenClock
from lapor_core.testing.recording import RecordingNotifier

ROUNDS = 3
BATCHES = (20, 100)
LEASE = timedelta(minutes=5)
WIB = timezone(timedelta(hours=7))
PEPPER = "benchmark pepper, not a secret!!"
BOOK = AddressBook.from_dict(
    {"admin": "mailto:admin@lapor.go.id", "institutions": {"31.71": "https://pemkot.example/lapor-hook"}}
)


def _changesets(count: int) -> list[Changeset]:
    """Submitted and forwarded complaints with their histories, identities and queued messages."""
    desk = lc.ComplaintDesk.open(
        "memory://", clock=FrozenClock(datetime(2026, 3, 17, 10, tzinfo=WIB)), pepper=PEPPER
    )
    admin = lc.Principal.admin("adm-1")
    for n in range(count):
        receipt = desk.submit(
            lc.Submission.from_dict(
                {
                    "kind": "pengaduan",
                    "channel": "web",
                    "title": f"Jalan berlubang nomor {n}",
                    "body": "Lubang besar di depan SDN 3 sejak banjir minggu lalu. " * 3,
                    "location": {"region": "31.71.01"},
                    "reporter": {"name": "Siti Aminah", "email": "siti@example.id"},
                }
            )
        )
        desk.forward(admin, receipt.tracking_id, institution="31.71")
    store = desk.store
    by_complaint: dict[str, list[OutboxMessage]] = {}
    for message in store.pending_outbox(limit=count * 4):
        by_complaint.setdefault(message.tracking_id, []).append(message)
    changesets = []
    for tracking_id, messages in by_complaint.items():
        complaint = store.get(tracking_id)
        identity = store.identity(complaint.identity_ref) if complaint.identity_ref else None
        history = tuple(store.history(tracking_id))
        changesets.append(Changeset(complaint, 0, history, tuple(messages), identity))
    return changesets


def _deliver(store: ComplaintStore, batch: int) -> int:
    report = Dispatcher(store, RecordingNotifier(), BOOK, batch=batch, lease=LEASE).deliver()
    assert not report.dead_lettered
    assert not report.retrying
    assert not report.lost
    return len(report.sent) + len(report.skipped)


def _outbox_only(store: ComplaintStore, batch: int) -> int:
    assert isinstance(store, OutboxStore)
    handled = 0
    while claims := store.claim_outbox(datetime.now(UTC), lease=LEASE, limit=batch):
        for claim in claims:
            store.acknowledge_outbox(claim)
        handled += len(claims)
    return handled


def _best(
    fresh: Callable[[], contextlib.AbstractContextManager[ComplaintStore]], run: Callable[..., int]
) -> float:
    """The best rate of ROUNDS rounds, each on a freshly filled store."""
    best = 0.0
    for _ in range(ROUNDS):
        with fresh() as store:
            started = time.perf_counter()
            handled = run(store)
            best = max(best, handled / (time.perf_counter() - started))
    return best


def _line(label: str, rate: float) -> None:
    print(f"  {label:<58} {rate:>10,.0f} messages/s")


def _bench(name: str, fresh: Callable[[], contextlib.AbstractContextManager[ComplaintStore]]) -> None:
    print(f"{name}:")
    for batch in BATCHES:
        _line(
            f"Dispatcher.deliver, RecordingNotifier, batch {batch}",
            _best(fresh, lambda s, b=batch: _deliver(s, b)),
        )
    _line("outbox only: claim 20, acknowledge each", _best(fresh, lambda s: _outbox_only(s, 20)))


def _memory(changesets: list[Changeset]) -> Callable[[], contextlib.AbstractContextManager[ComplaintStore]]:
    @contextlib.contextmanager
    def fresh() -> Iterator[ComplaintStore]:
        store = InMemoryComplaintStore()
        for changes in changesets:
            store.save(changes)
        yield store

    return fresh


def _sql(
    url_for_round: Callable[[], str], changesets: list[Changeset]
) -> Callable[[], contextlib.AbstractContextManager[ComplaintStore]]:
    @contextlib.contextmanager
    def fresh() -> Iterator[ComplaintStore]:
        store = SqlComplaintStore(url_for_round())
        try:
            with store.engine.begin() as connection:
                for table in ("lapor_outbox", "lapor_events", "lapor_identities", "lapor_complaints"):
                    connection.exec_driver_sql(f"DELETE FROM {table}")  # noqa: S608 - fixed names
            store.save_many(changesets)
            yield store
        finally:
            store.close()

    return fresh


@contextlib.contextmanager
def _postgres() -> Iterator[str | None]:
    admin_url = os.environ.get("LAPOR_BENCH_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    if admin_url == "off":
        yield None
        return
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    name = f"lapor_bench_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as e:
        print(f"PostgreSQL skipped: not reachable ({type(e.orig).__name__})")
        yield None
        return
    try:
        yield admin_url.rsplit("/", 1)[0].split("?")[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def main() -> None:
    count = int(os.environ.get("LAPOR_BENCH_OUTBOX_COMPLAINTS", "500"))
    changesets = _changesets(count)
    messages = sum(len(c.outbox) for c in changesets)
    print(f"{messages:,} messages from {count:,} complaints per round, best of {ROUNDS} rounds")
    _bench("in-memory store", _memory(changesets))
    with tempfile.TemporaryDirectory(prefix="lapor-bench-") as folder:
        path = Path(folder, "outbox.db")
        _bench("SQLite file (WAL, synchronous=FULL)", _sql(lambda: f"sqlite:///{path}", changesets))
    with _postgres() as url:
        if url is not None:
            _bench("PostgreSQL (synchronous_commit on)", _sql(lambda: url, changesets))
    print(f"(finished {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; set LAPOR_BENCH_OUTBOX_COMPLAINTS for more)")


if __name__ == "__main__":
    main()
