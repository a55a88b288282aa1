"""A database that drops every connection (a failover, a restart) costs a process at most one request.

The server side is real: a separate admin connection terminates every other backend of the test database
(``pg_terminate_backend`` on PostgreSQL, ``KILL CONNECTION`` on MariaDB) while the store holds pooled
connections and idle reader connections of its own. Reads are retried once on a new connection, a write's
first statement moves to a new connection, a save dropped later is written again unless it had committed,
and the first dropped connection retires all the others, so nothing else meets a dead one.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

import lapor_core as lc
from lapor_core.errors import StorageError
from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.stores.sql import _complaints as sql_complaints
from lapor_core.stores.sql._driver import Driver
from lapor_core.stores.sql._rows import ChangesetRows
from lapor_core.testing.builders import new_complaint, next_changeset

PEPPER = "failover test pepper 0123456789"
SERVERS = [
    pytest.param("postgresql", marks=pytest.mark.services),
    pytest.param("mariadb", marks=pytest.mark.services),
]
ADMIN = lc.Principal.admin("adm-1")
WAIT = 60.0  # seconds a test waits for its load thread before it gives up (a hang fails, it does not block)
_UNKNOWN_THREAD = 1094  # MariaDB's ER_NO_SUCH_THREAD


def _terminate_every_backend(admin: sa.Engine) -> int:
    """Terminate every other connection to the test database from the admin connection; return how many."""
    with admin.connect() as connection:
        if admin.dialect.name == "postgresql":
            killed = connection.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalars()
            return sum(1 for ok in killed if ok)
        ids = connection.execute(
            sa.text(
                "SELECT id FROM information_schema.processlist "
                "WHERE db = DATABASE() AND id <> CONNECTION_ID()"
            )
        ).scalars()
        killed = 0
        for session in [int(session) for session in ids]:
            try:
                connection.execute(sa.text(f"KILL CONNECTION {session}"))
            except sa.exc.OperationalError as e:  # 1094: the connection ended meanwhile (closed by its owner)
                if e.orig is None or e.orig.args[0] != _UNKNOWN_THREAD:
                    raise
            else:
                killed += 1
        return killed


@pytest.fixture
def admin(store_url: str) -> Iterator[sa.Engine]:
    """A connection of its own to the test database (no pool), from which the backends are terminated."""
    engine = sa.create_engine(store_url, poolclass=sa.NullPool, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture
def desk(store_url: str) -> Iterator[lc.ComplaintDesk]:
    """A desk on a SQL store that keeps up to four pooled and four idle reader connections."""
    desk = lc.ComplaintDesk(store=SqlComplaintStore(store_url, pool_size=4), pepper=PEPPER)
    yield desk
    desk.close()


def _submit(desk: lc.ComplaintDesk, n: int) -> str:
    submission = {"kind": "pengaduan", "channel": "web", "title": f"Jalan rusak {n}", "body": "Berlubang."}
    return desk.submit(lc.Submission.from_dict(submission)).tracking_id


def _hold_many_connections(desk: lc.ComplaintDesk, tracking_ids: list[str]) -> None:
    """Use the store from four threads at once, so its pool and its reader list each keep several."""
    store = desk.store
    assert isinstance(store, SqlComplaintStore)
    together = threading.Barrier(4)

    def use() -> None:
        with store.engine.connect() as connection:  # a pooled connection, held until all four have one
            together.wait(timeout=WAIT)
            connection.exec_driver_sql("SELECT 1")
            together.wait(timeout=WAIT)
        for tid in tracking_ids:
            desk.view(ADMIN, tid)

    threads = [threading.Thread(target=use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)


def _failures(calls: list[Callable[[], object]]) -> int:
    failed = 0
    for call in calls:
        try:
            call()
        except StorageError:
            failed += 1
    return failed


@pytest.mark.parametrize("backend", SERVERS)
def test_reads_right_after_every_backend_is_terminated_all_succeed(
    desk: lc.ComplaintDesk, admin: sa.Engine
) -> None:
    """Every view after the server dropped every connection succeeds (before the fix: one failure each)."""
    tids = [_submit(desk, n) for n in range(8)]
    _hold_many_connections(desk, tids)
    assert _terminate_every_backend(admin) >= 5  # four pooled, at least one reader
    for tid in tids:
        assert desk.view(ADMIN, tid).tracking_id == tid
    assert len(desk.complaints(ADMIN, lc.ComplaintQuery(limit=10)).items) == len(tids)


@pytest.mark.parametrize("backend", SERVERS)
def test_writes_after_every_backend_is_terminated_fail_at_most_once(
    desk: lc.ComplaintDesk, admin: sa.Engine
) -> None:
    """Of the writes right after the server dropped every connection, at most one fails; all later succeed."""
    tids = [_submit(desk, n) for n in range(8)]
    _hold_many_connections(desk, tids)
    assert _terminate_every_backend(admin) >= 5
    forwards = [lambda tid=tid: desk.forward(ADMIN, tid, institution="31.71") for tid in tids]
    assert _failures(forwards) <= 1
    assert _failures([lambda n=n: _submit(desk, 100 + n) for n in range(4)]) == 0


@pytest.mark.parametrize("backend", SERVERS)
@pytest.mark.parametrize(
    "first",
    [
        lambda desk: desk.complaints(ADMIN, lc.ComplaintQuery(limit=5)),
        lambda desk: desk.stats(ADMIN, group_by="status"),
        lambda desk: desk.sweep(),
        lambda desk: desk.store.pending_outbox(limit=5),
    ],
    ids=["listing", "stats", "sweep", "outbox"],
)
def test_a_read_through_sqlalchemy_first_after_every_backend_is_terminated_succeeds(
    desk: lc.ComplaintDesk, admin: sa.Engine, first: Callable[[lc.ComplaintDesk], object]
) -> None:
    """A listing, a count, the sweep's due query: read-only, retried once on a new connection; none fails."""
    tids = [_submit(desk, n) for n in range(8)]
    _hold_many_connections(desk, tids)
    assert _terminate_every_backend(admin) >= 5
    assert _failures([lambda: first(desk) for _ in range(4)]) == 0
    views = [lambda tid=tid: desk.view(ADMIN, tid) for tid in tids]
    writes = [lambda tid=tid: desk.forward(ADMIN, tid, institution="31.71") for tid in tids]
    assert _failures(views) == 0
    assert _failures(writes) == 0


@pytest.mark.parametrize("backend", SERVERS)
def test_terminating_every_backend_mid_load_fails_at_most_one_request(
    desk: lc.ComplaintDesk, admin: sa.Engine
) -> None:
    """A load of submissions, forwards, views and listings keeps going through a failover.

    The load runs in its own thread; the backends are terminated while it runs. At most one request fails
    (one in flight when its connection was dropped, or a listing that met a dead pooled connection first),
    no view fails, and every acknowledged submission is stored with a history that verifies.
    """
    tids = [_submit(desk, n) for n in range(8)]
    _hold_many_connections(desk, tids)
    acknowledged = list(tids)
    to_forward = list(tids)
    outcomes: Counter[tuple[str, str]] = Counter()
    stop = threading.Event()
    progress = threading.Semaphore(0)

    def load() -> None:
        for n in itertools.count():
            if stop.is_set():
                return
            kind = ("submit", "view", "forward", "list")[n % 4]
            try:
                if kind == "submit":
                    tid = _submit(desk, 1000 + n)
                    acknowledged.append(tid)
                    to_forward.append(tid)
                elif kind == "view":
                    desk.view(ADMIN, acknowledged[n % len(acknowledged)])
                elif kind == "forward" and to_forward:
                    desk.forward(ADMIN, to_forward.pop(), institution="31.71")
                elif kind == "list":
                    desk.complaints(ADMIN, lc.ComplaintQuery(limit=20))
            except StorageError:
                outcomes[kind, "failed"] += 1
            else:
                outcomes[kind, "ok"] += 1
            progress.release()

    worker = threading.Thread(target=load)
    worker.start()
    try:
        for _ in range(40):
            assert progress.acquire(timeout=WAIT)
        killed = _terminate_every_backend(admin)
        for _ in range(80):
            assert progress.acquire(timeout=WAIT)
    finally:
        stop.set()
        worker.join(WAIT)
    assert not worker.is_alive()
    assert killed >= 1
    failed = {kind: count for (kind, outcome), count in outcomes.items() if outcome == "failed"}
    assert sum(failed.values()) <= 1, outcomes
    assert "view" not in failed, outcomes
    for tid in acknowledged:
        assert desk.verify_history(tid).ok, tid


@pytest.mark.parametrize("backend", SERVERS)
def test_a_connection_dropped_inside_a_write_fails_it_and_applies_nothing(
    store_url: str, admin: sa.Engine
) -> None:
    """A drop after a write's first statement fails it (no retry); nothing is stored; the next save works."""
    store = SqlComplaintStore(store_url, pool_size=2)
    try:
        created = new_complaint()
        store.save(created)
        tid = created.complaint.tracking_id
        update = next_changeset(created.complaint, created.events)
        row = [*ChangesetRows.of(update).complaint, tid, 1]

        def update_across_a_drop() -> None:
            sql: Any = store._sql  # the store's own statements, to stop between two of them
            with store._driver.writing() as session:
                assert session.fetch(sql.version, (tid,))[0][0] == 1
                _terminate_every_backend(admin)
                session.execute(sql.update_complaint, row)

        with pytest.raises(sa.exc.DBAPIError) as caught:
            update_across_a_drop()
        assert caught.value.connection_invalidated
        assert store.get(tid) == created.complaint
        store.save(update)
        assert store.get(tid) == update.complaint
    finally:
        store.close()


@pytest.mark.parametrize("backend", SERVERS)
def test_a_save_whose_connection_drops_mid_transaction_is_written_once(
    store_url: str, admin: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """store.save across a drop after its transaction's first statement: written again, once, no error."""
    store = SqlComplaintStore(store_url, pool_size=2)
    try:
        created = new_complaint()
        store.save(created)
        tid = created.complaint.tracking_id
        real_apply = sql_complaints._apply
        attempts: list[int] = []

        def apply_across_a_drop(session: Any, sql: Any, rows: Any) -> None:
            attempts.append(1)
            if len(attempts) == 1:
                assert session.fetch(sql.version, (tid,))[0][0] == 1  # the transaction has begun
                _terminate_every_backend(admin)
            real_apply(session, sql, rows)

        monkeypatch.setattr(sql_complaints, "_apply", apply_across_a_drop)
        update = next_changeset(created.complaint, created.events)
        store.save(update)
        assert len(attempts) == 2
        assert store.get(tid) == update.complaint
        assert store.history(tid) == (*created.events, *update.events)
    finally:
        store.close()


@pytest.mark.parametrize("backend", SERVERS)
def test_a_save_whose_commit_answer_is_lost_is_not_written_twice(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A drop reported after the server committed: the store finds the batch stored and writes nothing."""
    store = SqlComplaintStore(store_url, pool_size=2)
    try:
        created = new_complaint()
        store.save(created)
        tid = created.complaint.tracking_id
        real_writing = store._driver.writing
        commits: list[int] = []

        @contextlib.contextmanager
        def writing_then_dropped() -> Iterator[Any]:
            with real_writing() as session:
                yield session
            commits.append(1)
            raise _dropped(invalidated=True)  # the server committed; its answer never arrived

        monkeypatch.setattr(store._driver, "writing", writing_then_dropped)
        update = next_changeset(created.complaint, created.events)
        store.save(update)
        assert commits == [1]
        assert store.history(tid) == (*created.events, *update.events)
        # A drop before the commit: nothing was stored, so the batch is written again, once.
        calls: list[int] = []

        @contextlib.contextmanager
        def dropped_first() -> Iterator[Any]:
            calls.append(1)
            if len(calls) == 1:
                raise _dropped(invalidated=True)
            with real_writing() as session:
                yield session

        monkeypatch.setattr(store._driver, "writing", dropped_first)
        again = next_changeset(update.complaint, (*created.events, *update.events))
        store.save(again)
        assert calls == [1, 1]
        assert store.history(tid) == (*created.events, *update.events, *again.events)
    finally:
        store.close()


@pytest.mark.parametrize("backend", SERVERS)
def test_terminating_every_backend_under_four_writers_fails_at_most_one_request(
    desk: lc.ComplaintDesk, admin: sa.Engine
) -> None:
    """Four threads submitting and forwarding through a failover: writes in flight are written again."""
    tids = [_submit(desk, n) for n in range(8)]
    _hold_many_connections(desk, tids)
    failed: list[str] = []
    acknowledged: list[str] = []
    stop = threading.Event()
    started = threading.Barrier(5)

    def writer(worker: int) -> None:
        started.wait(timeout=WAIT)
        for n in itertools.count():
            if stop.is_set():
                return
            try:
                tid = _submit(desk, 10_000 * (worker + 1) + n)
                desk.forward(ADMIN, tid, institution="31.71")
            except StorageError as error:
                failed.append(error.code)
            else:
                acknowledged.append(tid)

    threads = [threading.Thread(target=writer, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    started.wait(timeout=WAIT)
    while len(acknowledged) < 20:
        assert all(thread.is_alive() for thread in threads)
        stop.wait(0.01)
    killed = _terminate_every_backend(admin)
    seen = len(acknowledged)
    while len(acknowledged) < seen + 40:
        stop.wait(0.01)
    stop.set()
    for thread in threads:
        thread.join(WAIT)
    assert killed >= 1
    assert len(failed) <= 1, failed
    for tid in acknowledged:
        assert desk.verify_history(tid).ok, tid


@pytest.mark.parametrize("backend", SERVERS)
def test_an_idle_dropped_connection_is_replaced_before_a_write_uses_it(
    store_url: str, admin: sa.Engine
) -> None:
    """The first statement of a write on a connection dropped while idle runs again on a new connection."""
    store = SqlComplaintStore(store_url, pool_size=1, engine_options={"max_overflow": 0})
    try:
        created = new_complaint()
        store.save(created)
        _terminate_every_backend(admin)
        update = next_changeset(created.complaint, created.events)
        store.save(update)  # the pool's only connection was dead: no error
        assert store.history(created.complaint.tracking_id) == (*created.events, *update.events)
    finally:
        store.close()


# -- the retry rule, without a server -----------------------------------------------------------------------


@pytest.fixture
def driver() -> Iterator[Driver]:
    """A driver on a PostgreSQL engine that never connects."""
    engine = sa.create_engine("postgresql+psycopg://nobody@127.0.0.1:9/nothing")
    yield Driver(engine)
    engine.dispose()


def _dropped(*, invalidated: bool) -> sa.exc.DBAPIError:
    return sa.exc.DBAPIError("SELECT 1", None, Exception("gone"), connection_invalidated=invalidated)


def test_a_read_whose_connection_was_dropped_runs_once_more(driver: Driver) -> None:
    """retrying() runs a read again after a dropped connection, and returns the second result."""
    results: list[object] = [_dropped(invalidated=True), "rows"]

    def read() -> object:
        outcome = results.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    assert driver.retrying(read) == "rows"
    assert results == []


def test_a_read_is_retried_only_once(driver: Driver) -> None:
    """A read that meets a dropped connection twice raises the second failure."""
    calls: list[int] = []

    def read() -> object:
        calls.append(1)
        raise _dropped(invalidated=True)

    with pytest.raises(sa.exc.DBAPIError):
        driver.retrying(read)
    assert len(calls) == 2


def test_other_read_failures_are_not_retried(driver: Driver) -> None:
    """A failure that is not a dropped connection (a syntax error, a timeout) is raised at once."""
    calls: list[int] = []

    def read() -> object:
        calls.append(1)
        raise _dropped(invalidated=False)

    with pytest.raises(sa.exc.DBAPIError):
        driver.retrying(read)
    assert calls == [1]


def test_a_dropped_connection_retires_older_ones_only_once(driver: Driver) -> None:
    """The first drop retires every older connection; a drop of one already retired changes nothing."""
    driver.expire(born=10.0)
    first = driver._retired_before
    assert first > 10.0
    driver.expire(born=first - 1.0)  # made before the retirement: already known to be dead
    assert driver._retired_before == first
    driver.expire(born=first + 1.0)  # made after it: a new failure
    assert driver._retired_before > first
