"""Running the SQL store's hot statements straight on DBAPI connections.

SQLAlchemy Core writes every statement and compiles it once per dialect (:class:`Prepared`); the store's
per-command operations (``save``, ``get``, ``history``) then run it on a pooled DBAPI cursor, applying the
column types' own bind and result processors. That skips SQLAlchemy's per-execution bookkeeping, about 40 µs
a statement, which is more than SQLite takes for a whole indexed lookup (about 10 µs) and made a
five-statement save several times slower than its I/O. Driver errors are wrapped exactly as SQLAlchemy
wraps them (:meth:`sqlalchemy.exc.DBAPIError.instance`), and a connection the database dropped is
invalidated in the pool, so the store translates errors the same way on both paths.

The driver also keeps connections of its own, detached from the pool, in free lists (see :class:`Driver`):
taking one is a list pop rather than a pool checkout (about 14 µs, as much as a whole SQLite lookup), and
server reads run in autocommit mode, one round trip each.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement
from sqlalchemy.types import TypeEngine

__all__ = ["Driver", "Prepared", "Session"]

Processor = Callable[[Any], Any]


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
        # Where each of the statement's parameters is in the values the caller passes (in ``keys`` order).
        self._picks: tuple[int, ...] = tuple(list(keys).index(name) for name in self._names)
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
    """One DBAPI connection and cursor in use; every driver error comes out wrapped as SQLAlchemy's."""

    def __init__(self, driver: Driver, connection: Any, fairy: Any | None) -> None:
        self._driver = driver
        self.connection = connection
        self._fairy = fairy
        self.cursor = connection.cursor()

    def execute(self, prepared: Prepared, values: Sequence[Any]) -> int:
        """Run a statement; return its row count."""
        params = prepared.params(values)
        try:
            self.cursor.execute(prepared.sql, params)
        except self._driver.dbapi_error as e:
            raise self.wrap(e, prepared.sql, params) from e
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
            raise self.wrap(e, prepared.sql, None) from e

    def copy_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows with PostgreSQL's ``COPY ... FROM STDIN`` (psycopg 3 only), values as Python values.

        psycopg adapts each value as it would a bound parameter (aware datetimes, bytes, bools, text), so the
        rows are the same lists an insert statement would take. Errors come out wrapped as from ``execute``.
        """
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        try:
            with self.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        except self._driver.dbapi_error as e:
            raise self.wrap(e, statement, None) from e

    def fetch(self, prepared: Prepared, values: Sequence[Any]) -> list[Sequence[Any]]:
        """Run a query; return its rows, processed."""
        params = prepared.params(values)
        try:
            self.cursor.execute(prepared.sql, params)
            raw = self.cursor.fetchall()
        except self._driver.dbapi_error as e:
            raise self.wrap(e, prepared.sql, params) from e
        return [prepared.row(row) for row in raw]

    def wrap(self, error: Exception, statement: str | None, params: Any) -> sa.exc.StatementError:
        """SQLAlchemy's wrapper for a driver error; a dropped connection is invalidated in the pool."""
        dialect = self._driver.dialect
        invalidated = dialect.is_disconnect(cast("Any", error), self.connection, self.cursor)
        if invalidated and self._fairy is not None:
            self._fairy.invalidate(error)
        return sa.exc.DBAPIError.instance(
            statement,
            params,
            error,
            self._driver.dbapi_error,
            hide_parameters=True,
            connection_invalidated=invalidated,
            dialect=dialect,
        )


class Driver:
    """Runs prepared statements: reads one at a time, writes inside one transaction.

    Where connections come from depends on the database:

    - a SQLite file: the driver's own connections, detached from the pool, in a free list shared by readers
      and writers (they cost nothing to hold, and taking one is a list pop instead of a pool checkout);
    - in-memory SQLite: the pool's single connection, under ``lock``;
    - a server: the pool for writes; for reads, the driver's own connections in autocommit mode (so a read
      is one round trip, not BEGIN, SELECT and ROLLBACK), at most ``idle_readers`` of them kept idle.

    Args:
        engine: The store's engine (its pool, connect arguments and dialect).
        lock: Held around every use of a pooled connection (for in-memory SQLite's single connection).
        idle_readers: How many idle reader connections to a server to keep.
    """

    def __init__(self, engine: Engine, *, lock: threading.RLock | None = None, idle_readers: int = 5) -> None:
        self._engine = engine
        self.dialect = engine.dialect
        self.dbapi_error: type[Exception] = engine.dialect.loaded_dbapi.Error
        self._sqlite = engine.dialect.name == "sqlite"
        self._lock: contextlib.AbstractContextManager[Any] = lock or contextlib.nullcontext()
        self._readers: queue.SimpleQueue[Any] | None = queue.SimpleQueue() if lock is None else None
        self._writers = self._readers if self._sqlite else None
        self._idle_cap = None if self._sqlite else max(1, idle_readers)
        self._owned: set[Any] = set()
        self._owned_lock = threading.Lock()

    def prepare(self, statement: ClauseElement, *, keys: Sequence[str], insert: bool = False) -> Prepared:
        """Compile ``statement`` for this driver's dialect; its values will come in ``keys`` order."""
        return Prepared(statement, self.dialect, keys=keys, insert=insert)

    def _take(self, idle: queue.SimpleQueue[Any]) -> Any:
        try:
            return idle.get_nowait()
        except queue.Empty:
            pass
        # A connection made by the pool (so with the engine's connect arguments and pragmas), then detached.
        fairy = self._engine.raw_connection()
        fairy.detach()
        connection: Any = fairy.dbapi_connection
        if not self._sqlite:
            try:
                self.dialect.set_isolation_level(connection, "AUTOCOMMIT")
            except BaseException:
                _close_quietly(connection, self.dbapi_error)  # a pooled connection the server had dropped
                raise
        with self._owned_lock:
            self._owned.add(connection)
        return connection

    def _give_back(self, idle: queue.SimpleQueue[Any], connection: Any, *, broken: bool = False) -> None:
        if broken or (self._idle_cap is not None and idle.qsize() >= self._idle_cap):
            with self._owned_lock:
                self._owned.discard(connection)
            _close_quietly(connection, self.dbapi_error)
            return
        idle.put(connection)

    def fetch(self, prepared: Prepared, values: Sequence[Any]) -> list[Sequence[Any]]:
        """Run one query outside any explicit transaction (one statement sees one snapshot); return its rows.

        Raises:
            sqlalchemy.exc.DBAPIError: The driver failed (wrapped as SQLAlchemy wraps it).
        """
        idle = self._readers
        if idle is None:
            with self._pooled() as session:
                return session.fetch(prepared, values)
        params = prepared.params(values)
        connection = None
        broken = False
        try:
            connection = self._take(idle)
            if self._sqlite:
                raw = connection.execute(prepared.sql, params).fetchall()
            else:
                with contextlib.closing(connection.cursor()) as cursor:
                    cursor.execute(prepared.sql, params)
                    raw = cursor.fetchall()
        except self.dbapi_error as e:
            broken = self.dialect.is_disconnect(cast("Any", e), connection, None)
            raise sa.exc.DBAPIError.instance(
                prepared.sql,
                params,
                e,
                self.dbapi_error,
                hide_parameters=True,
                connection_invalidated=broken,
                dialect=self.dialect,
            ) from e
        finally:
            if connection is not None:
                self._give_back(idle, connection, broken=broken)
        return [prepared.row(row) for row in raw]

    @contextlib.contextmanager
    def _pooled(self) -> Iterator[Session]:
        with self._lock:
            fairy = self._engine.raw_connection()
            try:
                session = Session(self, fairy.dbapi_connection, fairy)
                try:
                    yield session
                finally:
                    session.cursor.close()
            finally:
                fairy.close()

    @contextlib.contextmanager
    def _owned_session(self, idle: queue.SimpleQueue[Any]) -> Iterator[Session]:
        connection = self._take(idle)
        try:
            session = Session(self, connection, None)
            try:
                yield session
            finally:
                session.cursor.close()
        finally:
            self._give_back(idle, connection)

    @contextlib.contextmanager
    def writing(self) -> Iterator[Session]:
        """A session inside one transaction, committed when the block ends and rolled back if it raises.

        On SQLite the transaction starts with ``BEGIN IMMEDIATE``: the writer waits for the lock (up to the
        busy timeout) before it reads anything, instead of failing when it upgrades from reading to writing.
        """
        idle = self._writers
        with self._pooled() if idle is None else self._owned_session(idle) as session:
            connection = session.connection
            try:
                if self._sqlite:
                    session.cursor.execute("BEGIN IMMEDIATE")
                yield session
                connection.commit()
            except self.dbapi_error as e:
                _rollback_quietly(connection, self.dbapi_error)
                raise session.wrap(e, None, None) from e
            except BaseException:
                _rollback_quietly(connection, self.dbapi_error)
                raise

    def close(self) -> None:
        """Close the driver's own connections (the pool is the engine's to dispose)."""
        with self._owned_lock:
            owned, self._owned = self._owned, set()
        for connection in owned:
            _close_quietly(connection, self.dbapi_error)


def _close_quietly(connection: Any, dbapi_error: type[Exception]) -> None:
    with contextlib.suppress(dbapi_error):
        connection.close()


def _rollback_quietly(connection: Any, dbapi_error: type[Exception]) -> None:
    # The transaction already failed; a connection too broken to roll back is invalidated by the caller.
    with contextlib.suppress(dbapi_error):
        connection.rollback()
