"""Running the SQL store's hot statements straight on DBAPI connections.

SQLAlchemy Core writes every statement and compiles it once per dialect (:class:`Prepared`); the store's
per-command operations (``save``, ``get``, ``history``) then run it on a pooled DBAPI cursor, applying the
column types' own bind and result processors. That skips SQLAlchemy's per-execution bookkeeping, about 40 µs
a statement, which is more than SQLite takes for a whole indexed lookup (about 10 µs) and made a
five-statement save several times slower than its I/O. Driver errors are wrapped exactly as SQLAlchemy
wraps them (:meth:`sqlalchemy.exc.DBAPIError.instance`), so the store translates errors the same way on
both paths.

The driver also keeps connections of its own, detached from the pool, in free lists (see :class:`Driver`):
taking one is a list pop rather than a pool checkout (about 14 µs, as much as a whole SQLite lookup), and
server reads run in autocommit mode, one round trip each.

**Dropped connections.** A server that restarts, fails over or terminates backends leaves every connection
a process holds dead, and nothing says so until one is used. Pinging before each use would add a round trip
to every read, so the driver learns from the first failure instead: when the database drops any
connection (the driver's own, the pool's, or one SQLAlchemy runs a query on), every connection made before
that moment is retired, the pool's at their next checkout and the driver's idle readers when next taken, so
one failure is all a process sees. Reads are retried once, on a new connection, and so is the first
statement of a write transaction: nothing had been sent in that transaction, so nothing can have been
applied. Only a write whose connection drops after its first statement fails (the database rolled it back,
and a commit that fails may or may not have happened: the caller decides).

**SQLite's write-ahead log.** SQLite copies the log back into the database every 1,000 pages (its
``wal_autocheckpoint``, a ``PASSIVE`` checkpoint that never waits), but it can only start the log over when no
reader is still using it; under steady writes and reads that moment may never come, and the file keeps the
size it grew to. The driver bounds it (:class:`WalPolicy`): its connections set ``journal_size_limit``, so a
log that starts over is cut back to the limit, and a commit that finds the log past the limit runs a
``TRUNCATE`` checkpoint, which waits briefly for the readers in flight and empties the file.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Dialect, Engine, ExceptionContext
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement
from sqlalchemy.types import TypeEngine

__all__ = ["DEFAULT_WAL_LIMIT_MIB", "Driver", "Prepared", "Session", "WalPolicy"]

Processor = Callable[[Any], Any]
_T = TypeVar("_T")

_BORN: Final = "lapor_born"
"""The key of a pooled connection's ``info`` that holds when it was made (:func:`time.monotonic`)."""

DEFAULT_WAL_LIMIT_MIB: Final = 32
"""The size a SQLite write-ahead log is kept under, in MiB (a healthy log stays near 4 MiB)."""
_CHECKPOINT_WAIT_MS: Final = 250  # how long a forced checkpoint waits for readers (writers wait meanwhile)
_CHECKPOINT_MODES: Final = ("PASSIVE", "FULL", "RESTART", "TRUNCATE")


class Prepared:
    """A Core statement compiled once for one dialect, with its parameter order and value processors."""

    def __init__(
        self, statement: ClauseElement, dialect: Dialect, *, keys: Sequence[str], insert: bool = False
    ) -> None:
        compiled = cast(
            "SQLCompiler", statement.compile(dialect=dialect, column_keys=list(keys) if insert else None)
        )
        self.sql: str = compiled.string
        processors = {name: _bind_processor(bind.type, dialect) for name, bind in compiled.binds.items()}
        self._positional = bool(compiled.positiontup)
        self._names: tuple[str, ...] = tuple(compiled.positiontup or compiled.binds)
        # Where each of the statement's parameters is in the values the caller passes (in ``keys`` order);
        # a parameter that is no key holds a value compiled into the statement (SQLite's "OFFSET 0").
        given = list(keys)
        self._picks: tuple[int, ...] = tuple(
            given.index(name) if name in given else -1 for name in self._names
        )
        self._constants: tuple[tuple[int, Any], ...] = tuple(
            (index, compiled.binds[name].effective_value)
            for index, name in enumerate(self._names)
            if name not in given
        )
        # Inserts bind every value in the order given: copying the list is enough (most of a save's params).
        self._in_order = self._picks == tuple(range(len(keys)))
        self._processors: tuple[tuple[int, Processor], ...] = tuple(
            (index, processor)
            for index, name in enumerate(self._names)
            if (processor := processors.get(name)) is not None
        )
        results: list[tuple[int, Processor]] = []
        for index, column in enumerate(getattr(statement, "selected_columns", ())):
            processor = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if processor is not None:
                results.append((index, processor))
        self._results = tuple(results)

    def params(self, values: Sequence[Any]) -> Sequence[Any] | Mapping[str, Any]:
        """The DBAPI parameters for ``values`` (given in ``keys`` order), processed and in the driver's style.

        Raises:
            sqlalchemy.exc.StatementError: A value its column type refuses (as SQLAlchemy raises it).
        """
        row = list(values) if self._in_order else [values[index] for index in self._picks]
        for index, constant in self._constants:
            row[index] = constant
        try:
            for index, processor in self._processors:
                row[index] = processor(row[index])
        except (TypeError, ValueError) as e:
            raise sa.exc.StatementError("a parameter could not be processed", self.sql, None, e) from e
        # A tuple, not the working list: a batch's parameters live until its executemany ends, and a tuple of
        # plain values drops out of the garbage collector's full collections where a list would not.
        return tuple(row) if self._positional else dict(zip(self._names, row, strict=True))

    def row(self, raw: Sequence[Any]) -> Sequence[Any]:
        """A fetched row with its values processed as the column types read them."""
        if not self._results:
            return raw
        values = list(raw)
        for index, processor in self._results:
            values[index] = processor(values[index])
        return values


def _bind_processor(type_: TypeEngine[Any], dialect: Dialect) -> Processor | None:
    # sqlite3 binds bool and bytes natively, as what SQLAlchemy's processors would turn them into (1/0 and a
    # BLOB); skipping those two calls per flag and per key is a fifth of a bulk import's Python time.
    if dialect.name == "sqlite" and isinstance(type_, sa.Boolean | sa.LargeBinary):
        return None
    processor: Processor | None = type_.dialect_impl(dialect).bind_processor(dialect)
    return processor


class Session:
    """One DBAPI connection and cursor in use for one transaction; every driver error comes out wrapped.

    On a server, a session whose connection turns out dropped at its first statement moves to a new
    connection and runs that statement again (nothing had been sent in the transaction); a drop later in
    the transaction is raised.
    """

    def __init__(self, driver: Driver, connection: Any, fairy: Any | None, born: float = 0.0) -> None:
        self._driver = driver
        self.connection = connection
        self._fairy = fairy
        self._born = born
        self.cursor = connection.cursor()
        # Nothing sent yet on a pooled server connection: a dropped one may still be swapped for a new one.
        self._untouched = fairy is not None and not driver.is_sqlite

    def execute(self, prepared: Prepared, values: Sequence[Any]) -> int:
        """Run a statement; return its row count."""
        params = prepared.params(values)
        try:
            self.cursor.execute(prepared.sql, params)
        except self._driver.dbapi_error as e:
            self._again(e, prepared.sql, params, lambda: self.cursor.execute(prepared.sql, params))
        self._untouched = False
        rowcount: int = self.cursor.rowcount
        return rowcount

    def execute_many(self, prepared: Prepared, rows: Sequence[Sequence[Any]]) -> None:
        """Run a statement once per row (one DBAPI ``executemany``)."""
        if len(rows) == 1:
            self.execute(prepared, rows[0])
            return
        params = [prepared.params(values) for values in rows]
        try:
            self.cursor.executemany(prepared.sql, params)
        except self._driver.dbapi_error as e:
            self._again(e, prepared.sql, None, lambda: self.cursor.executemany(prepared.sql, params))
        self._untouched = False

    def copy_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows with PostgreSQL's ``COPY ... FROM STDIN`` (psycopg 3 only), values as Python values.

        psycopg adapts each value as it would a bound parameter (aware datetimes, bytes, bools, text), so the
        rows are the same lists an insert statement would take. Errors come out wrapped as from ``execute``.
        """
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"

        def copy() -> None:
            with self.cursor.copy(statement) as copying:
                for row in rows:
                    copying.write_row(row)

        try:
            copy()
        except self._driver.dbapi_error as e:
            self._again(e, statement, None, copy)
        self._untouched = False

    def fetch(self, prepared: Prepared, values: Sequence[Any]) -> list[Sequence[Any]]:
        """Run a query; return its rows, processed."""
        params = prepared.params(values)

        def run() -> list[Any]:
            self.cursor.execute(prepared.sql, params)
            raw: list[Any] = self.cursor.fetchall()
            return raw

        try:
            raw = run()
        except self._driver.dbapi_error as e:
            raw = self._again(e, prepared.sql, params, run)
        self._untouched = False
        return [prepared.row(row) for row in raw]

    def _again(self, error: Exception, statement: str, params: Any, run: Callable[[], _T]) -> _T:
        """Run the transaction's first statement again on a new connection if the database dropped this one.

        Raises:
            sqlalchemy.exc.DBAPIError: ``error`` wrapped, when it is not that case or no new connection can
                be had; or the second failure.
        """
        driver = self._driver
        if not self._untouched or not driver.dialect.is_disconnect(
            cast("Any", error), self.connection, self.cursor
        ):
            raise self.wrap(error, statement, params) from error
        self._untouched = False
        driver.expire(self._born)
        _close_quietly(self.cursor, driver.dbapi_error)
        fairy: Any = self._fairy  # not None: only a pooled session is untouched
        self._fairy = None
        fairy.invalidate(error)
        fairy.close()
        try:
            self._fairy, self.connection, self._born = driver.checkout()
        except sa.exc.SQLAlchemyError as e:  # the database is still away: report the first failure
            raise driver.wrapped(error, statement, params, dropped=True) from e
        self.cursor = self.connection.cursor()
        try:
            return run()
        except driver.dbapi_error as e:
            raise self.wrap(e, statement, params) from e

    def wrap(self, error: Exception, statement: str | None, params: Any) -> sa.exc.StatementError:
        """SQLAlchemy's wrapper for a driver error; a dropped connection retires every connection as old."""
        dropped = self._driver.dialect.is_disconnect(cast("Any", error), self.connection, self.cursor)
        if dropped:
            self._driver.expire(self._born)
            if self._fairy is not None:
                self._fairy.invalidate(error)
        return self._driver.wrapped(error, statement, params, dropped=dropped)

    def release(self) -> None:
        """Close the cursor; give a pooled connection back to the pool (the driver's own are the caller's)."""
        _close_quietly(self.cursor, self._driver.dbapi_error)
        if self._fairy is not None:
            self._fairy.close()


class WalPolicy:
    """Keeps a SQLite database's write-ahead log file under ``limit`` bytes.

    After each commit the log's size is read (one ``stat``); past the limit, a ``TRUNCATE`` checkpoint copies
    the log into the database and empties the file. It waits up to 250 ms for readers still using the log
    (new writers wait meanwhile, readers do not); when they outlast that, it tries again once the log has
    grown by another eighth of the limit, so a long report does not stall every commit.

    Args:
        path: The log file (the database's path plus ``-wal``).
        limit: The size in bytes.
        dbapi_error: The driver's error class (``sqlite3.Error``).
    """

    def __init__(self, path: str, limit: int, dbapi_error: type[Exception]) -> None:
        self.path = path
        self.limit = limit
        self._dbapi_error = dbapi_error
        self._next_try = limit

    def after_commit(self, connection: Any) -> None:
        """Checkpoint through ``connection`` (outside any transaction) if the log has passed the limit."""
        try:
            size = os.stat(self.path).st_size
        except OSError:  # no log: another journal mode, or every connection closed
            return
        if size < self._next_try:
            return
        done = self.checkpoint(connection, "TRUNCATE", wait_ms=_CHECKPOINT_WAIT_MS)
        self._next_try = self.limit if done else size + max(1, self.limit // 8)

    def checkpoint(self, connection: Any, mode: str, *, wait_ms: int) -> bool:
        """Run ``PRAGMA wal_checkpoint(mode)`` (a checked mode), waiting at most ``wait_ms`` for the lock.

        Returns:
            Whether every frame of the log was copied (and, for ``RESTART`` and ``TRUNCATE``, the log
            restarted); False when readers or writers held it up or the database failed (commits stand).
        """
        cursor = connection.cursor()
        try:
            (waited,) = cursor.execute("PRAGMA busy_timeout").fetchone()
            cursor.execute(f"PRAGMA busy_timeout = {min(int(waited), wait_ms)}")
            try:
                busy, _frames, _copied = cursor.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
            finally:
                cursor.execute(f"PRAGMA busy_timeout = {int(waited)}")
        except self._dbapi_error:
            return False
        finally:
            cursor.close()
        return not busy


class Driver:
    """Runs prepared statements: reads one at a time, writes inside one transaction.

    Where connections come from depends on the database:

    - a SQLite file: the driver's own connections, detached from the pool, in a free list shared by readers
      and writers (they cost nothing to hold, and taking one is a list pop instead of a pool checkout);
    - in-memory SQLite: the pool's single connection, under ``lock``;
    - a server: the pool for writes; for reads, the driver's own connections in autocommit mode (so a read
      is one round trip, not BEGIN, SELECT and ROLLBACK), at most ``idle_readers`` of them kept idle.

    On a server, a connection the database dropped retires every connection made before it (see the module
    docstring): the driver listens to the engine's ``connect``, ``checkout`` and ``handle_error`` events.

    On a SQLite file, the write-ahead log is kept under ``wal_limit_mib`` (see :class:`WalPolicy`).

    Args:
        engine: The store's engine (its pool, connect arguments and dialect).
        lock: Held around every use of a pooled connection (for in-memory SQLite's single connection).
        idle_readers: How many idle reader connections to a server to keep.
        wal_limit_mib: The size SQLite's write-ahead log is kept under, in MiB.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        lock: threading.RLock | None = None,
        idle_readers: int = 5,
        wal_limit_mib: int = DEFAULT_WAL_LIMIT_MIB,
    ) -> None:
        self._engine = engine
        self.dialect = engine.dialect
        self.dbapi_error: type[Exception] = engine.dialect.loaded_dbapi.Error
        self.is_sqlite: Final = engine.dialect.name == "sqlite"
        self._lock: contextlib.AbstractContextManager[Any] = lock or contextlib.nullcontext()
        # Idle connections of the driver's own, each with when it was made.
        self._readers: queue.SimpleQueue[tuple[Any, float]] | None = (
            queue.SimpleQueue() if lock is None else None
        )
        self._writers = self._readers if self.is_sqlite else None
        self._idle_cap = None if self.is_sqlite else max(1, idle_readers)
        self._owned: set[Any] = set()
        self._owned_lock = threading.Lock()
        # Connections made before this instant (time.monotonic) are not used again: the database dropped one.
        self._retired_before = 0.0
        database = engine.url.database
        self.wal: WalPolicy | None = None
        if self.is_sqlite and lock is None and database:  # a file (in-memory SQLite comes with a lock)
            wal_path = os.path.abspath(database) + "-wal"
            self.wal = WalPolicy(wal_path, wal_limit_mib * 1024 * 1024, self.dbapi_error)
        if not self.is_sqlite:  # a SQLite connection is a file handle: nothing drops it
            sa_event.listen(engine, "connect", _stamp)
            sa_event.listen(engine, "checkout", self._check_age)
            sa_event.listen(engine, "handle_error", self._on_error)

    def prepare(self, statement: ClauseElement, *, keys: Sequence[str], insert: bool = False) -> Prepared:
        """Compile ``statement`` for this driver's dialect; its values will come in ``keys`` order."""
        return Prepared(statement, self.dialect, keys=keys, insert=insert)

    # -- dropped connections --

    def expire(self, born: float) -> None:
        """Retire every connection made up to now: the database dropped one made at ``born``.

        A connection made before the last retirement was retired already, so its failure changes nothing
        (connections made since then are kept).
        """
        if born >= self._retired_before:
            self._retired_before = time.monotonic()

    def _check_age(self, _dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # A pool checkout of a retired connection: SQLAlchemy replaces it with a new one (a documented use
        # of DisconnectionError in this event).
        if record.info.get(_BORN, 0.0) < self._retired_before:
            raise sa.exc.DisconnectionError("made before the database dropped a connection")

    def _on_error(self, context: ExceptionContext) -> None:
        # A query run through SQLAlchemy found its connection dropped: SQLAlchemy invalidates its pool;
        # retire the driver's own connections too (when that connection was made is not at hand).
        if context.is_disconnect:
            self.expire(float("inf"))

    def retrying(self, read: Callable[[], _T]) -> _T:
        """Run ``read`` (which only reads); run it once more if the database had dropped its connection.

        Raises:
            sqlalchemy.exc.SQLAlchemyError: What ``read`` raised, or what it raised the second time.
        """
        try:
            return read()
        except sa.exc.DBAPIError as e:
            if not e.connection_invalidated or self.is_sqlite:
                raise
        return read()

    def checkout(self) -> tuple[Any, Any, float]:
        """A pooled connection (a retired one replaced on the way): its proxy, DBAPI connection and birth.

        Raises:
            sqlalchemy.exc.DBAPIError: The database cannot be reached.
        """
        try:
            fairy = self._engine.raw_connection()
        except self.dbapi_error as e:
            raise self.wrapped(e, None, None, dropped=False) from e
        return fairy, fairy.dbapi_connection, fairy.info.get(_BORN, 0.0)

    def wrapped(
        self, error: Exception, statement: str | None, params: Any, *, dropped: bool
    ) -> sa.exc.StatementError:
        """A driver error wrapped as SQLAlchemy wraps it (parameters hidden)."""
        return sa.exc.DBAPIError.instance(
            statement,
            params,
            error,
            self.dbapi_error,
            hide_parameters=True,
            connection_invalidated=dropped,
            dialect=self.dialect,
        )

    # -- the driver's own connections --

    def _take(self, idle: queue.SimpleQueue[tuple[Any, float]]) -> tuple[Any, float]:
        while True:
            try:
                connection, born = idle.get_nowait()
            except queue.Empty:
                break
            if born >= self._retired_before:
                return connection, born
            self._forget(connection)
        # A connection made by the pool (so with the engine's connect arguments and pragmas), then detached.
        fairy, connection, born = self.checkout()
        fairy.detach()
        if self.wal is not None:
            # A log that starts over is cut back to the limit (SQLite otherwise keeps the size it grew to).
            connection.execute(f"PRAGMA journal_size_limit = {int(self.wal.limit)}")
        if not self.is_sqlite:
            try:
                self.dialect.set_isolation_level(connection, "AUTOCOMMIT")
            except self.dbapi_error as e:  # a pooled connection the server had dropped (MariaDB asks it)
                _close_quietly(connection, self.dbapi_error)
                dropped = self.dialect.is_disconnect(cast("Any", e), connection, None)
                if dropped:
                    self.expire(born)
                raise self.wrapped(e, None, None, dropped=dropped) from e
        with self._owned_lock:
            self._owned.add(connection)
        return connection, born

    def _give_back(
        self,
        idle: queue.SimpleQueue[tuple[Any, float]],
        connection: Any,
        born: float,
        *,
        broken: bool = False,
    ) -> None:
        if (
            broken
            or born < self._retired_before
            or (self._idle_cap is not None and idle.qsize() >= self._idle_cap)
        ):
            self._forget(connection)
            return
        idle.put((connection, born))

    def _forget(self, connection: Any) -> None:
        with self._owned_lock:
            self._owned.discard(connection)
        _close_quietly(connection, self.dbapi_error)

    # -- reads --

    def fetch(self, prepared: Prepared, values: Sequence[Any]) -> list[Sequence[Any]]:
        """Run one query outside any explicit transaction (one statement sees one snapshot); return its rows.

        On a server, a query whose connection the database had dropped runs once more on a new one.

        Raises:
            sqlalchemy.exc.DBAPIError: The driver failed (wrapped as SQLAlchemy wraps it).
        """
        idle = self._readers
        if idle is None:
            with self._pooled() as session:
                return session.fetch(prepared, values)
        params = prepared.params(values)
        if self.is_sqlite:
            return self._fetch_own(idle, prepared, params)
        return self.retrying(lambda: self._fetch_own(idle, prepared, params))

    def _fetch_own(
        self, idle: queue.SimpleQueue[tuple[Any, float]], prepared: Prepared, params: Any
    ) -> list[Sequence[Any]]:
        connection = None
        born = 0.0
        broken = False
        try:
            connection, born = self._take(idle)
            if self.is_sqlite:
                raw = connection.execute(prepared.sql, params).fetchall()
            else:
                with contextlib.closing(connection.cursor()) as cursor:
                    cursor.execute(prepared.sql, params)
                    raw = cursor.fetchall()
        except self.dbapi_error as e:
            broken = connection is not None and self.dialect.is_disconnect(cast("Any", e), connection, None)
            if broken:
                self.expire(born)
            raise self.wrapped(e, prepared.sql, params, dropped=broken) from e
        finally:
            if connection is not None:
                self._give_back(idle, connection, born, broken=broken)
        return [prepared.row(row) for row in raw]

    # -- sessions --

    @contextlib.contextmanager
    def _pooled(self) -> Iterator[Session]:
        with self._lock:
            fairy, connection, born = self.checkout()
            try:
                session = Session(self, connection, fairy, born)
            except BaseException:
                fairy.close()
                raise
            try:
                yield session
            finally:
                session.release()

    @contextlib.contextmanager
    def _owned_session(self, idle: queue.SimpleQueue[tuple[Any, float]]) -> Iterator[Session]:
        connection, born = self._take(idle)
        try:
            session = Session(self, connection, None, born)
        except BaseException:
            self._give_back(idle, connection, born)
            raise
        try:
            yield session
        finally:
            session.release()
            self._give_back(idle, connection, born)

    @contextlib.contextmanager
    def writing(self) -> Iterator[Session]:
        """A session inside one transaction, committed when the block ends and rolled back if it raises.

        On SQLite the transaction starts with ``BEGIN IMMEDIATE``: the writer waits for the lock (up to the
        busy timeout) before it reads anything, instead of failing when it upgrades from reading to writing.
        On a server, a connection found dropped at the first statement is replaced (see :class:`Session`).
        """
        idle = self._writers
        with self._pooled() if idle is None else self._owned_session(idle) as session:
            try:
                if self.is_sqlite:
                    session.cursor.execute("BEGIN IMMEDIATE")
                yield session
                session.connection.commit()
            except self.dbapi_error as e:
                _rollback_quietly(session.connection, self.dbapi_error)
                raise session.wrap(e, None, None) from e
            except BaseException:
                _rollback_quietly(session.connection, self.dbapi_error)
                raise
            if self.wal is not None:
                self.wal.after_commit(session.connection)

    def checkpoint(self, mode: str = "TRUNCATE", *, wait_ms: int = _CHECKPOINT_WAIT_MS) -> bool:
        """Copy SQLite's write-ahead log into the database now (``TRUNCATE`` also empties the log file).

        Returns:
            Whether the whole log was copied; False when readers or writers held it up for ``wait_ms``, or
            when the database is not a SQLite file.

        Raises:
            ValueError: ``mode`` is not ``PASSIVE``, ``FULL``, ``RESTART`` or ``TRUNCATE``.
        """
        if mode not in _CHECKPOINT_MODES:
            raise ValueError(f"checkpoint mode must be one of {', '.join(_CHECKPOINT_MODES)}")
        idle = self._writers
        if self.wal is None or idle is None:
            return False
        with self._owned_session(idle) as session:
            return self.wal.checkpoint(session.connection, mode, wait_ms=wait_ms)

    def close(self) -> None:
        """Close the driver's own connections (the pool is the engine's to dispose)."""
        with self._owned_lock:
            owned, self._owned = self._owned, set()
        for connection in owned:
            _close_quietly(connection, self.dbapi_error)


def _stamp(_dbapi_connection: Any, record: Any) -> None:
    record.info[_BORN] = time.monotonic()


def _close_quietly(closable: Any, dbapi_error: type[Exception]) -> None:
    with contextlib.suppress(dbapi_error):
        closable.close()


def _rollback_quietly(connection: Any, dbapi_error: type[Exception]) -> None:
    # The transaction already failed; a connection too broken to roll back is invalidated by the caller.
    with contextlib.suppress(dbapi_error):
        connection.rollback()
