"""The SQL store: one adapter, written once in SQLAlchemy Core, for SQLite, PostgreSQL and MariaDB/MySQL.

Open it with :func:`lapor_core.stores.open_store` (or ``ComplaintDesk.open(url)``), or directly:

>>> import tempfile, pathlib
>>> folder = tempfile.mkdtemp()
>>> store = SqlComplaintStore(f"sqlite:///{pathlib.Path(folder, 'lapor.db')}")
>>> store.schema_revision() == SCHEMA_REVISION
True
>>> store.close()

How it keeps the :class:`~lapor_core.plugins.ComplaintStore` contract:

- **Atomic compare-and-set.** ``save`` runs in one transaction: ``UPDATE ... WHERE tracking_id = ? AND
  version = ?`` must match one row (a new complaint is an ``INSERT`` that the primary key refuses when the
  tracking ID exists), the history rows are guarded by their ``(complaint_id, seq)`` primary key, and the
  identity and outbox rows go in the same transaction. Any failure rolls everything back.
- **Durability.** SQLite runs in WAL mode with ``synchronous=FULL`` by default, so a complaint whose ``save``
  returned survives a power cut; write transactions start with ``BEGIN IMMEDIATE`` and wait up to
  ``busy_timeout`` seconds for the lock instead of failing at commit. MariaDB uses ``READ COMMITTED``.
- **Errors.** Every driver error becomes a :class:`~lapor_core.StorageError` (the driver's error chained
  as ``__cause__``); a taken tracking ID, a deadlock and a serialisation failure become
  :class:`~lapor_core.ConcurrencyConflict`. Messages name the operation and the driver's error code,
  never the values involved (SQLAlchemy's own messages hide the parameters too).
- **Speed.** The per-command statements (``save``, ``get``, ``history``) are compiled once by SQLAlchemy
  Core and run on the DBAPI connection directly (see :mod:`lapor_core.stores.sql._driver`); so are listings
  (``query``), compiled once per shape (which filters, how many values, a cursor or not: ``Binds``).
  Counts, the outbox's own work and the schema go through SQLAlchemy as usual.
- **Schema.** Alembic migrations ship inside the package. A brand-new empty database gets the schema when
  the store opens it (``schema="create"``, the default); a database at an older or newer revision raises
  :class:`~lapor_core.ConfigurationError` saying what to run (``lapor db upgrade URL``, :func:`upgrade` or
  :meth:`SqlComplaintStore.migrate`).
"""

from __future__ import annotations

import contextlib
import functools
import io
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, NoReturn, TypeVar

import attrs
import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.elements import ColumnElement

from lapor_core._domain.complaint import Complaint, OutboxMessage, ReporterIdentity
from lapor_core._domain.filters import Filters, regency_of
from lapor_core._domain.history import Event
from lapor_core._domain.lifecycle import Status
from lapor_core._domain.ports import Changeset, ComplaintQuery, Order, Page
from lapor_core._i18n import N_
from lapor_core.errors import (
    ConcurrencyConflict,
    ConfigurationError,
    NotFound,
    StorageError,
    ValidationError,
)
from lapor_core.plugins._cursor import decode_cursor, encode_cursor, instant_key
from lapor_core.stores.sql._driver import Driver, Prepared, Session
from lapor_core.stores.sql._idempotency import SqlIdempotency
from lapor_core.stores.sql._outbox import SqlOutbox
from lapor_core.stores.sql._rows import (
    COMPLAINT_COLUMNS,
    EVENT_COLUMNS,
    IDEMPOTENCY_COLUMNS,
    IDENTITY_COLUMNS,
    OUTBOX_COLUMNS,
    ChangesetRows,
    complaint_from,
    event_from,
    identity_from,
    outbox_from,
)
from lapor_core.stores.sql._schema import (
    MYSQL_DIALECTS,
    VERSION_TABLE,
    complaints,
    events,
    idempotency_keys,
    identities,
    outbox,
)

if TYPE_CHECKING:  # statistics load with the first count
    from lapor_core._domain.stats import CountQuery, CountRow, PoolCell

__all__ = ["REVISIONS", "SCHEMA_REVISION", "SchemaMode", "SqlComplaintStore", "upgrade"]

SCHEMA_REVISION: Final = "0013"
"""The schema revision this version of lapor_core reads and writes (the newest migration)."""

# Every revision shipped, oldest first; a database at one of them is older, at any other one newer.
REVISIONS: Final = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
    "0011",
    "0012",
    "0013",
)
"""Every schema revision, oldest first; ``upgrade`` takes one of them or ``"head"``."""
_MIGRATIONS: Final = Path(__file__).with_name("migrations")

MAX_PAGE: Final = 1000
_T = TypeVar("_T")

_TERMINAL: Final = tuple(sorted(s.value for s in Status if s.is_terminal))
_SYNCHRONOUS: Final = frozenset({"OFF", "NORMAL", "FULL", "EXTRA"})
_JOURNAL_MODES: Final = frozenset({"WAL", "DELETE", "TRUNCATE", "PERSIST"})
_DRIVERS: Final = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql", "mariadb": "mariadb+pymysql"}
_EXTRAS: Final = {"sqlite": "sql", "postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql"}
# SQLSTATE 40001 serialization_failure, 40P01 deadlock_detected; MySQL/MariaDB error 1213 ER_LOCK_DEADLOCK.
_CONFLICT_SQLSTATES: Final = frozenset({"40001", "40P01"})
_MYSQL_DEADLOCK: Final = 1213
_WRITE: Final = "lapor_write"

SchemaMode = Literal["create", "check", "upgrade", "skip"]
"""What opening a store does about the schema.

``"create"`` (default) creates it in an empty database and otherwise requires the current revision;
``"check"`` only requires the current revision; ``"upgrade"`` creates or upgrades to the current revision;
``"skip"`` does not look (for tools that manage the schema themselves).
"""


# -- engine -------------------------------------------------------------------------------------------------


def _parse_url(url: str | sa.URL) -> sa.URL:
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as e:
        raise ConfigurationError("not a database URL (expected e.g. sqlite:///lapor.db)") from e
    backend = parsed.get_backend_name()
    if backend not in _EXTRAS:
        raise ConfigurationError(
            f"the SQL store supports sqlite, postgresql and mysql/mariadb, not {backend}"
        )
    if parsed.drivername in _DRIVERS:
        parsed = parsed.set(drivername=_DRIVERS[parsed.drivername])
    if backend in MYSQL_DIALECTS and "charset" not in parsed.query:
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    return parsed


def _is_memory_sqlite(url: sa.URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _create_engine(
    url: sa.URL,
    *,
    synchronous: str,
    journal_mode: str,
    busy_timeout: float,
    cache_mib: int | None,
    pool_size: int,
    engine_options: Mapping[str, Any],
) -> Engine:
    backend = url.get_backend_name()
    # Parameters hold personal data; error messages end up in logs.
    options: dict[str, Any] = {"hide_parameters": True}
    if backend == "sqlite":
        if synchronous.upper() not in _SYNCHRONOUS:
            raise ConfigurationError(f"synchronous must be one of {', '.join(sorted(_SYNCHRONOUS))}")
        if journal_mode.upper() not in _JOURNAL_MODES:
            raise ConfigurationError(f"journal_mode must be one of {', '.join(sorted(_JOURNAL_MODES))}")
        options["connect_args"] = {"check_same_thread": False, "timeout": busy_timeout}
        if _is_memory_sqlite(url):
            options["poolclass"] = StaticPool
        else:
            options["pool_size"] = pool_size
    else:
        options["pool_size"] = pool_size
        options["isolation_level"] = "READ COMMITTED"
    options.update(engine_options)
    try:
        engine = sa.create_engine(url, **options)
    except ImportError as e:
        supported = _DRIVERS.get(backend, "sqlite")
        raise ConfigurationError(
            f"{url.drivername}:// needs a driver that is not installed ({e.name}); lapor_core's extras "
            f"provide {supported}://: pip install 'lapor_core[{_EXTRAS[backend]}]'"
        ) from e
    except (TypeError, sa.exc.ArgumentError) as e:
        raise ConfigurationError(f"bad engine option for {url.drivername}: {e}") from e
    if backend == "sqlite":
        _configure_sqlite(
            engine, synchronous.upper(), journal_mode.upper(), cache_mib, memory=_is_memory_sqlite(url)
        )
    return engine


def _configure_sqlite(
    engine: Engine, synchronous: str, journal_mode: str, cache_mib: int | None, *, memory: bool
) -> None:
    # The pragmas are checked against fixed sets (and cache_mib is a checked int); PRAGMA takes no parameters.
    pragmas = [f"PRAGMA synchronous = {synchronous}", "PRAGMA foreign_keys = ON"]
    if not memory:
        pragmas.insert(0, f"PRAGMA journal_mode = {journal_mode}")
    if cache_mib is not None:
        pragmas.append(f"PRAGMA cache_size = {-1024 * cache_mib}")  # negative: KiB, not pages

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # lapor_core, not the sqlite3 module, decides when transactions begin (see on_begin, Driver.writing).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in pragmas:
                cursor.execute(pragma)
        finally:
            cursor.close()

    def on_begin(connection: Connection) -> None:
        # Writers take the lock up front so they queue on busy_timeout instead of failing on upgrade;
        # single-statement readers run without an explicit transaction (WAL gives each a snapshot).
        if connection.get_execution_options().get(_WRITE):
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    sa_event.listen(engine, "connect", on_connect)
    sa_event.listen(engine, "begin", on_begin)


# -- errors -------------------------------------------------------------------------------------------------


def _code_of(error: object) -> str | int | None:
    for attribute in ("sqlite_errorname", "sqlstate", "pgcode"):
        value = getattr(error, attribute, None)
        if isinstance(value, str) and value:
            return value
    args = getattr(error, "args", ())
    if args and isinstance(args[0], int):
        return args[0]
    return None


def _describe(error: BaseException) -> str:
    cause = error.orig if isinstance(error, sa.exc.DBAPIError) else error
    code = _code_of(cause)
    return f"{type(cause).__name__} [{code}]" if code is not None else type(cause).__name__


def _is_transient_conflict(error: sa.exc.DBAPIError) -> bool:
    code = _code_of(error.orig)
    return code in _CONFLICT_SQLSTATES or code == _MYSQL_DEADLOCK


def _storage_error(operation: str, error: BaseException) -> StorageError:
    return StorageError(
        detail=N_("storage.operation_failed"), params={"operation": operation, "cause": _describe(error)}
    )


@contextlib.contextmanager
def _translated(operation: str) -> Iterator[None]:
    """Turn every SQLAlchemy or driver error raised inside into a StorageError."""
    try:
        yield
    except sa.exc.SQLAlchemyError as e:
        raise _storage_error(operation, e) from e


@contextlib.contextmanager
def _unreadable(table: str, key: str) -> Iterator[None]:
    """Turn a stored row that no longer decodes (edited by hand, damaged) into a StorageError naming it."""
    try:
        yield
    except (ValueError, TypeError, KeyError) as e:  # orjson's JSONDecodeError is a ValueError
        cause = type(e).__name__
        raise StorageError(
            detail=N_("storage.row_unreadable"), params={"table": table, "key": key, "cause": cause}
        ) from e


class _VersionMismatchError(Exception):
    """Raised inside a save's transaction to roll it back as a concurrency conflict."""


class _UpdateFellShortError(_VersionMismatchError):
    """A batch's updates matched fewer rows than they are: one of them expected another version."""


class _IdempotencyKeyTakenError(_VersionMismatchError):
    """A new complaint's idempotency key is stored already (by another writer)."""


# -- statements ---------------------------------------------------------------------------------------------

_C = complaints.c
# Keyword search's words (and the regency, derived from the region) are written with each complaint and only
# ever searched, never read back: a row read holds NULL in their place (the size of the text again, on every
# page a listing reads).
_WRITE_ONLY: Final = frozenset({"search_text", "regency"})
_COMPLAINT_SELECT = sa.select(
    *(sa.null().label(name) if name in _WRITE_ONLY else _C[name] for name in COMPLAINT_COLUMNS)
)
_GET = _COMPLAINT_SELECT.where(_C.tracking_id == sa.bindparam("tid"))
_VERSION = sa.select(_C.version).where(_C.tracking_id == sa.bindparam("tid"))
_HISTORY = (
    sa.select(*(events.c[name] for name in EVENT_COLUMNS))
    .where(events.c.complaint_id == sa.bindparam("tid"))
    .order_by(events.c.seq)
)
_IDENTITY_COLUMNS_SELECT = sa.select(*(identities.c[name] for name in IDENTITY_COLUMNS))
_LISTING_SHAPES: Final = 256  # compiled listings kept (a shape: which filters, how many values, a cursor)
_IN_CHUNK: Final = 500  # references per IN list: a page holds at most 1,000 rows, and drivers cap parameters

_IDENTITY = sa.select(*(identities.c[name] for name in IDENTITY_COLUMNS)).where(
    identities.c.ref == sa.bindparam("ref")
)
_UPDATE_COMPLAINT = (
    complaints.update()
    .where(_C.tracking_id == sa.bindparam("b_tid"), _C.version == sa.bindparam("b_expected"))
    .values({name: sa.bindparam(name) for name in COMPLAINT_COLUMNS if name != "tracking_id"})
)


def _upsert_identity(dialect: str) -> sa.Insert:
    """Insert a reporter identity or replace the one with its reference: one statement, three spellings."""
    replaced = [name for name in IDENTITY_COLUMNS if name != "ref"]
    if dialect in MYSQL_DIALECTS:
        from sqlalchemy.dialects.mysql import insert as mysql_insert  # noqa: PLC0415  # only its own dialect

        upsert = mysql_insert(identities)
        return upsert.on_duplicate_key_update({name: upsert.inserted[name] for name in replaced})
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert  # noqa: PLC0415  # only its own dialect
    else:
        from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]  # noqa: PLC0415
    dialect_insert = insert(identities)
    return dialect_insert.on_conflict_do_update(
        index_elements=[identities.c.ref], set_={name: dialect_insert.excluded[name] for name in replaced}
    )


_EVENT_HASH = sa.select(events.c.hash).where(
    events.c.complaint_id == sa.bindparam("tid"), events.c.seq == sa.bindparam("seq")
)
_DUE = (
    _COMPLAINT_SELECT.where(_C.next_due_at <= sa.bindparam("before"), _C.status.not_in(_TERMINAL))
    .order_by(_C.next_due_at, _C.tracking_id)
    .limit(sa.bindparam("limit"))
)
_PENDING = (
    sa.select(*(outbox.c[name] for name in OUTBOX_COLUMNS))
    .where(outbox.c.dead_at.is_(None))
    .order_by(outbox.c.position)
    .limit(sa.bindparam("limit"))
)


# The rows of a batch of at least this many changesets are copied into PostgreSQL (COPY FROM STDIN) rather
# than inserted: COPY streams the rows without a statement each, about twice the import rate (a sweep's
# batch copies its events and outbox messages).
_COPY_FROM: Final = 64


@attrs.frozen
class _Statements:
    """The store's hot statements, compiled once for its dialect, and whether batches may use COPY."""

    copies: bool
    get: Prepared
    version: Prepared
    history: Prepared
    identity: Prepared
    insert_complaint: Prepared
    update_complaint: Prepared
    insert_events: Prepared
    upsert_identity: Prepared
    insert_outbox: Prepared
    insert_idempotency: Prepared

    @classmethod
    def compile(cls, driver: Driver) -> _Statements:
        by_id, by_ref = ("tid",), ("ref",)
        return cls(
            copies=driver.dialect.name == "postgresql" and driver.dialect.driver == "psycopg",
            get=driver.prepare(_GET, keys=by_id),
            version=driver.prepare(_VERSION, keys=by_id),
            history=driver.prepare(_HISTORY, keys=by_id),
            identity=driver.prepare(_IDENTITY, keys=by_ref),
            insert_complaint=driver.prepare(complaints.insert(), keys=COMPLAINT_COLUMNS, insert=True),
            update_complaint=driver.prepare(
                _UPDATE_COMPLAINT, keys=(*COMPLAINT_COLUMNS, "b_tid", "b_expected")
            ),
            insert_events=driver.prepare(events.insert(), keys=EVENT_COLUMNS, insert=True),
            upsert_identity=driver.prepare(
                _upsert_identity(driver.dialect.name), keys=IDENTITY_COLUMNS, insert=True
            ),
            insert_outbox=driver.prepare(outbox.insert(), keys=OUTBOX_COLUMNS, insert=True),
            insert_idempotency=driver.prepare(
                idempotency_keys.insert(), keys=IDEMPOTENCY_COLUMNS, insert=True
            ),
        )


Bind = Callable[[str, Any, "sa.types.TypeEngine[Any]"], Any]
"""How a condition takes a value: ``bind(name, value, type)`` gives what the SQL compares with."""


def literal(_name: str, value: Any, _type: sa.types.TypeEngine[Any]) -> Any:
    """The value itself, which SQLAlchemy binds as an anonymous parameter (its own compilation cache)."""
    return value


class Binds:
    """A statement's values as named parameters, recorded in order: the names are its shape.

    Two statements built from the same names (and the same kind of listing) are the same SQL, so a
    listing is compiled once per shape and then run on the driver's connections with only its values
    (:meth:`SqlComplaintStore.query`).
    """

    def __init__(self) -> None:
        self.names: list[str] = []
        self.values: list[Any] = []

    def __call__(self, name: str, value: Any, type_: sa.types.TypeEngine[Any]) -> Any:
        """A named parameter standing for ``value``."""
        self.names.append(name)
        self.values.append(value)
        return sa.bindparam(name, type_=type_)


def in_region(region: ColumnElement[Any], prefix: str, bind: Bind = literal) -> ColumnElement[bool]:
    """The SQL of :func:`lapor_core._domain.filters.in_region`: ``region`` is ``prefix`` or lies inside it.

    Codes compare byte by byte (see ``_schema``), and "/" follows "." in ASCII: the range is exactly the codes
    that start with the prefix and a dot, so one index range scan serves every depth.
    """
    kind = complaints.c.region.type
    return sa.or_(
        region == bind("region", prefix, kind),
        sa.and_(
            region >= bind("region_from", prefix + ".", kind), region < bind("region_to", prefix + "/", kind)
        ),
    )


def _scanned(name: str, dialect: str | None) -> ColumnElement[Any]:
    """A column SQLite's planner must not seek by when counting: a count reads the statistics index instead.

    A topic or a region holds a large share of all complaints; reading them through its own index and then
    the table row by row took 0.55 s for one topic of a million complaints, against 0.12 s for reading the
    whole statistics index (unary plus is SQLite's way to say "not through an index"). The institution
    index stays usable: one institution is a small share, and its index finds it in milliseconds.
    """
    if dialect == "sqlite":
        return sa.literal_column(f"+{complaints.name}.{name}", type_=_C[name].type)
    return _C[name]


def _value_sets(
    filters: Filters, counting_on: str | None
) -> tuple[tuple[str, ColumnElement[Any], Collection[Any] | None], ...]:
    """The filters of several values: (name, column, the values or None for any)."""
    return (
        ("status", _C.status, filters.statuses),
        ("institution", _C.institution, filters.institutions),
        ("unit", _C.unit, filters.units),
        ("category", _scanned("category", counting_on), filters.categories),
        ("kind", _C.kind, filters.kinds),
        ("channel", _C.channel, filters.channels),
        ("escalation", _C.escalation, filters.escalations),
    )


def selects_nothing(filters: Filters) -> bool:
    """Whether ``filters`` holds an empty set of values (one that no complaint matches)."""
    return any(values is not None and not values for _, _, values in _value_sets(filters, None))


def filter_conditions(
    filters: Filters, *, counting_on: str | None = None, by_submission: bool = False, bind: Bind = literal
) -> list[ColumnElement[bool]]:
    """The ``WHERE`` conditions selecting the complaints ``filters`` matches (:meth:`Filters.matches`).

    One translation for listing and counting; ``counting_on`` names the dialect of a count, which reads the
    statistics index rather than seeking by topic or region (``_scanned``), while a listing lets the partial
    region index cover the region range. A listing ``by_submission`` reads a regency or city through its
    own index instead, already in that order (a listing by due date keeps the region's due-date index).
    Each value goes through ``bind`` under a name of its own (:class:`Binds`); by default it is the value.
    """
    conditions: list[ColumnElement[bool]] = []
    for name, column, values in _value_sets(filters, counting_on):
        if values is None:
            continue
        if not values and bind is not literal:
            raise ValueError(f"an empty {name} filter selects nothing: ask no database (selects_nothing)")
        chosen = [bind(f"{name}_{i}", value, column.type) for i, value in enumerate(sorted(map(str, values)))]
        conditions.append(column == chosen[0] if len(chosen) == 1 else column.in_(chosen))
    if filters.region is not None:
        if counting_on is not None:
            conditions.append(in_region(_scanned("region", counting_on), filters.region, bind))
        elif by_submission and regency_of(filters.region) == filters.region:
            # A regency or city: one equality on its own index, in listing order (regency_of).
            conditions.append(_C.regency == bind("regency", filters.region, _C.regency.type))
        else:
            # The explicit IS NOT NULL lets SQLite see that the partial region index covers the OR.
            conditions.extend((_C.region.is_not(None), in_region(_C.region, filters.region, bind)))
    if filters.confidential is not None:
        conditions.append(_C.confidential == bind("confidential", filters.confidential, _C.confidential.type))
    if filters.submitted_from is not None:
        conditions.append(
            _C.submitted_at >= bind("submitted_from", filters.submitted_from, _C.submitted_at.type)
        )
    if filters.submitted_before is not None:
        conditions.append(
            _C.submitted_at < bind("submitted_before", filters.submitted_before, _C.submitted_at.type)
        )
    if filters.owner_hash is not None:
        conditions.append(_C.owner_hash == bind("owner_hash", filters.owner_hash, _C.owner_hash.type))
    if filters.text is not None:
        # Folded words hold no wildcard or escape character; escaping keeps that from mattering anyway.
        conditions.extend(
            _C.search_text.like(bind(f"text_{i}", f"%{_escaped(word)}%", _C.search_text.type), escape="/")
            for i, word in enumerate(filters.text.split(" "))
        )
    return conditions


def _escaped(word: str) -> str:
    """``word`` as a literal inside a ``LIKE`` pattern escaped by ``/`` (as SQLAlchemy's ``autoescape``).

    Not the backslash: MySQL string literals treat it as an escape of their own.
    """
    return word.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _parse_instant(key: str) -> datetime:
    try:
        instant = datetime.fromisoformat(key)
    except ValueError as e:
        raise ValidationError.single("cursor", "query.cursor_malformed") from e
    if instant.tzinfo is None:
        raise ValidationError.single("cursor", "query.cursor_malformed")
    return instant


def _after(order: Order, sort_key: str | None, tracking_id: str, bind: Binds) -> ColumnElement[bool]:
    if sort_key is None:
        raise ValidationError.single("cursor", "query.cursor_malformed")
    column = _C.next_due_at if order is Order.DUE_ASC else _C.submitted_at
    marker = sa.tuple_(
        bind("after_at", _parse_instant(sort_key), column.type),
        bind("after_id", tracking_id, _C.tracking_id.type),
    )
    position = sa.tuple_(column, _C.tracking_id)
    # Due dates ascend (among the complaints with one: SqlComplaintStore._due_page); submissions either way.
    return position < marker if order is Order.SUBMITTED_DESC else position > marker


def _ordering(order: Order) -> list[ColumnElement[Any]]:
    if order is Order.SUBMITTED_DESC:
        return [_C.submitted_at.desc(), _C.tracking_id.desc()]
    return [_C.submitted_at, _C.tracking_id]


class _Unindexed(ColumnElement[Any]):
    """A column SQLite must not look up through an index (``+column``); the plain column elsewhere."""

    inherit_cache = True

    def __init__(self, column: ColumnElement[Any]) -> None:
        self.column = column
        self.type = column.type


@compiles(_Unindexed)
def _compile_column(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.column, **kw))


@compiles(_Unindexed, "sqlite")
def _compile_unindexed(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(element.column, **kw))


def _unindexed(column: ColumnElement[Any]) -> ColumnElement[Any]:
    return _Unindexed(column)


_DUE_ORDER: Final = (_C.next_due_at, _C.tracking_id)
"""The order of the complaints with a deadline; those without one follow by tracking ID."""


def _sort_key(complaint: Complaint, order: Order) -> str | None:
    if order is Order.DUE_ASC:
        return instant_key(complaint.next_due_at) if complaint.next_due_at is not None else None
    return instant_key(complaint.submitted_at)


# -- migrations ---------------------------------------------------------------------------------------------


def _alembic_config(script_location: Path, output: io.StringIO | None = None) -> Any:
    try:
        from alembic.config import Config  # noqa: PLC0415  # Alembic loads only to migrate
    except ImportError as e:
        raise ConfigurationError("migrations need Alembic: pip install 'lapor_core[sql]'") from e
    config = Config(output_buffer=output) if output is not None else Config()
    config.set_main_option("script_location", str(script_location))
    return config


def _run_migrations(engine: Engine, revision: str) -> None:
    config = _alembic_config(_MIGRATIONS)
    from alembic import command  # noqa: PLC0415  # Alembic loads only to migrate
    from alembic.util import CommandError  # noqa: PLC0415

    try:
        with engine.execution_options(**{_WRITE: True}).begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except CommandError as e:
        raise ConfigurationError(f"cannot migrate to revision {revision!r}: {e}") from e


def _read_revision(connection: Connection) -> str | None:
    inspector = sa.inspect(connection)
    if not inspector.has_table(VERSION_TABLE):
        if inspector.has_table(complaints.name):
            raise ConfigurationError(
                f"the database has a {complaints.name} table but no {VERSION_TABLE}: it was not created by "
                "lapor_core's migrations; use another database or schema"
            )
        return None
    query = sa.select(sa.column("version_num", sa.String)).select_from(sa.table(VERSION_TABLE))
    return ",".join(sorted(connection.execute(query).scalars())) or None


def _require_current(revision: str | None, url: sa.URL) -> NoReturn:
    """Raise why a database not at :data:`SCHEMA_REVISION` cannot be used, and how to fix that."""
    shown = url.render_as_string(hide_password=True)
    if revision is None:
        raise ConfigurationError(
            f"the database has no lapor_core schema: run `lapor db upgrade {shown}` (or open it with "
            'schema="create")'
        )
    if revision in REVISIONS:
        raise ConfigurationError(
            f"the database schema is at revision {revision}, this lapor_core needs {SCHEMA_REVISION}: "
            f"run `lapor db upgrade {shown}` (or call store.migrate())"
        )
    raise ConfigurationError(
        f"the database schema is at revision {revision}, newer than this lapor_core knows "
        f"({SCHEMA_REVISION}): upgrade lapor_core"
    )


def upgrade(url: str, *, revision: str = "head", sql: bool = False, **options: Any) -> str:
    """Bring the database at ``url`` to ``revision`` (default: the newest); the body of ``lapor db upgrade``.

    Args:
        url: A SQLAlchemy URL (``sqlite:///lapor.db``, ``postgresql+psycopg://...``, ``mysql+pymysql://...``).
        revision: The target revision.
        sql: Do not touch the database; return the SQL script a DBA would run instead (Alembic offline mode).
        **options: As for :class:`SqlComplaintStore`.

    Returns:
        The SQL script when ``sql`` is true, else an empty string.

    Raises:
        ValidationError: ``revision`` is neither ``"head"`` nor one of :data:`REVISIONS`.
        ConfigurationError: The URL is not a supported database, or a driver or Alembic is missing.
        StorageError: The database failed.
    """
    if revision != "head" and revision not in REVISIONS:
        raise ValidationError.single("revision", "value.not_choice", choices=("head", *REVISIONS))
    parsed = _parse_url(url)
    if sql:
        output = io.StringIO()
        config = _alembic_config(_MIGRATIONS, output)
        config.set_main_option(
            "sqlalchemy.url", parsed.render_as_string(hide_password=False).replace("%", "%%")
        )
        from alembic import command  # noqa: PLC0415  # Alembic loads only to migrate

        command.upgrade(config, revision, sql=True)
        return output.getvalue()
    store = SqlComplaintStore(parsed, schema="skip", **options)
    try:
        store.migrate(revision)
    finally:
        store.close()
    return ""


# -- the store ----------------------------------------------------------------------------------------------

_MAX_CACHE_MIB: Final = 65_536


class SqlComplaintStore(SqlOutbox, SqlIdempotency):
    """A :class:`~lapor_core.plugins.ComplaintStore` on SQLite, PostgreSQL or MariaDB/MySQL (SQLAlchemy Core).

    It is also an :class:`~lapor_core.plugins.OutboxStore`: see :mod:`lapor_core.stores.sql._outbox`.

    Args:
        url: A SQLAlchemy URL: ``sqlite:///path/lapor.db`` (``sqlite://`` for a private in-memory database),
            ``postgresql+psycopg://user:password@host/db``, ``mysql+pymysql://user:password@host/db``
            (``mariadb+pymysql://`` too). ``postgresql://`` and ``mysql://`` pick those drivers.
        schema: What to do about the schema on opening (see :data:`SchemaMode`).
        synchronous: SQLite's ``synchronous`` pragma; ``FULL`` (default) survives power loss, ``NORMAL``
            in WAL mode may lose the last transactions on power loss but never corrupts.
        journal_mode: SQLite's journal mode (default ``WAL``: readers never block the writer).
        busy_timeout: Seconds a SQLite writer waits for the lock before failing.
        cache_mib: SQLite's page cache of each connection, in MiB (default: SQLite's own, 2 MiB). A cache
            that holds the hot indexes of a large database speeds up sweeps and imports; each open
            connection may grow its cache to this size.
        pool_size: Connections kept open (not for in-memory SQLite, which has one connection and a lock).
        engine_options: More keyword arguments for :func:`sqlalchemy.create_engine` (``echo``,
            ``pool_pre_ping``, ``connect_args``...).

    Raises:
        ConfigurationError: Unsupported URL, missing driver, bad option, or a schema at the wrong revision.
        StorageError: The database cannot be reached.
    """

    def __init__(
        self,
        url: str | sa.URL,
        *,
        schema: SchemaMode = "create",
        synchronous: str = "FULL",
        journal_mode: str = "WAL",
        busy_timeout: float = 30.0,
        cache_mib: int | None = None,
        pool_size: int = 5,
        engine_options: Mapping[str, Any] | None = None,
    ) -> None:
        from lapor_core.stores.sql._options import check_store_options  # noqa: PLC0415 - it imports this module

        # The same rules open_store applies, so a store made directly refuses a bad option before connecting.
        check_store_options(
            {
                "schema": schema,
                "synchronous": synchronous,
                "journal_mode": journal_mode,
                "busy_timeout": busy_timeout,
                "cache_mib": cache_mib,
                "pool_size": pool_size,
                "engine_options": engine_options,
            }
        )
        self._url = _parse_url(url)
        memory = _is_memory_sqlite(self._url)
        self._engine = _create_engine(
            self._url,
            synchronous=synchronous,
            journal_mode=journal_mode,
            busy_timeout=busy_timeout,
            cache_mib=cache_mib,
            pool_size=pool_size,
            engine_options=engine_options or {},
        )
        # In-memory SQLite has a single shared connection: transactions must not interleave on it.
        lock = threading.RLock() if memory else None
        self._guard: contextlib.AbstractContextManager[Any] = lock or contextlib.nullcontext()
        self._driver = Driver(self._engine, lock=lock, idle_readers=pool_size)
        self._listings: dict[tuple[Any, ...], Prepared] = {}
        try:
            self._open_schema(schema)
        except BaseException:
            self.close()
            raise

    @functools.cached_property
    def _sql(self) -> _Statements:
        # Compiled on first use: a process that opens the store for one command compiles what it runs.
        return _Statements.compile(self._driver)

    def __repr__(self) -> str:
        return f"SqlComplaintStore({self._url.render_as_string(hide_password=True)!r})"

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, for diagnostics and reports (``EXPLAIN``, health checks, read-only SQL).

        Write lapor_core's tables only through the store: it keeps history, state and outbox consistent.
        """
        return self._engine

    @property
    def dialect(self) -> str:
        """The database's dialect name: ``sqlite``, ``postgresql``, ``mysql`` or ``mariadb``."""
        return self._engine.dialect.name

    # -- schema --

    def _open_schema(self, mode: SchemaMode) -> None:
        if mode == "skip":
            return
        revision = self.schema_revision()
        if revision == SCHEMA_REVISION:
            return
        creates = revision is None and mode in ("create", "upgrade")
        if creates or (mode == "upgrade" and revision in REVISIONS):
            self.migrate()
            return
        _require_current(revision, self._url)

    def schema_revision(self) -> str | None:
        """The schema revision the database is at, or None when it has no lapor_core schema.

        Raises:
            ConfigurationError: The database holds lapor_core's tables without their version record.
            StorageError: The database failed.
        """
        return self._read("reading the schema revision", _read_revision)

    def migrate(self, revision: str = "head") -> None:
        """Upgrade the schema to ``revision`` (default: the newest); running it again does nothing.

        Raises:
            ConfigurationError: No such revision, or Alembic is not installed.
            StorageError: The database failed; the migration's transaction is rolled back where the database
                has transactional DDL (SQLite, PostgreSQL; not MariaDB/MySQL).
        """
        with self._guard, _translated("migrating the schema"):
            _run_migrations(self._engine, revision)

    # -- writes --

    def save(self, changes: Changeset) -> None:
        """Store one command's changes atomically (see :class:`~lapor_core.plugins.ComplaintStore`).

        Raises:
            ConcurrencyConflict: The stored version is not ``changes.expected_version`` (or, for a new
                complaint, the tracking ID exists); nothing was changed.
            StorageError: The database failed; nothing was changed.
        """
        self.save_many((changes,))

    def save_many(self, batch: Iterable[Changeset]) -> None:
        """Store many changesets in one transaction: all of them, or none (the bulk import path).

        New complaints (``expected_version == 0``) are inserted with one ``executemany`` per table, which is
        what makes importing an archive fast; updates are compare-and-set, all in one ``executemany`` (what
        makes a sweep's batch fast, on PostgreSQL one pipelined round trip).

        Raises:
            ConcurrencyConflict: For the first changeset whose version check fails (or whose tracking ID
                exists, or appears twice in the batch); nothing was changed.
            StorageError: The database failed; nothing was changed.
        """
        rows = [ChangesetRows.of(changes) for changes in batch]
        if not rows:
            return
        try:
            self._write(rows)
        except _VersionMismatchError as mismatch:
            self._raise_conflict(rows, mismatch)
        except sa.exc.DBAPIError as e:
            if _is_transient_conflict(e):
                first = rows[0]
                raise ConcurrencyConflict(
                    complaint_id=first.tracking_id,
                    expected_version=first.expected_version,
                    actual_version=None,
                ) from e
            raise _storage_error("saving", e) from e
        except sa.exc.SQLAlchemyError as e:
            raise _storage_error("saving", e) from e

    def _write(self, rows: Sequence[ChangesetRows]) -> None:
        """Write ``rows`` in one transaction; again if the server dropped the connection before it committed.

        A failover drops every connection, the one a transaction is using included. The transaction then
        either committed (the connection died as the server answered the commit) or left nothing behind, so
        the store reads which, and writes the batch again only in the second case: a command in flight
        during a failover succeeds once, never twice. A batch of row-only changes (no event) is written again
        either way, which stores the same rows.
        """
        try:
            with self._driver.writing() as session:
                _apply(session, self._sql, rows)
        except sa.exc.DBAPIError as dropped:
            if not dropped.connection_invalidated or self._driver.is_sqlite:
                raise
            try:
                if self._committed(rows):
                    return
            except StorageError:  # the database is still away: the first failure is the one to report
                raise dropped from None
            with self._driver.writing() as session:
                _apply(session, self._sql, rows)

    def _committed(self, rows: Sequence[ChangesetRows]) -> bool:
        """Whether the batch of ``rows`` is stored: an event it appends is (a batch commits whole, or not).

        Raises:
            StorageError: The database cannot be read.
        """
        written = next((r.events[-1] for r in rows if r.events), None)
        if written is None:
            return False
        event = dict(zip(EVENT_COLUMNS, written, strict=True))
        prepared = self._driver.prepare(_EVENT_HASH, keys=("tid", "seq"))
        found = self._fetch("reading a history", prepared, (event["complaint_id"], event["seq"]))
        return bool(found) and found[0][0] == event["hash"]

    def _raise_conflict(self, rows: Sequence[ChangesetRows], mismatch: _VersionMismatchError) -> NoReturn:
        """Name the changeset that lost: the one whose version check failed, or whose tracking ID exists."""
        if isinstance(mismatch, _UpdateFellShortError):
            self._raise_update_conflict(rows)
        if isinstance(mismatch, _IdempotencyKeyTakenError):
            keyed = next(r for r in rows if r.idempotency is not None)
            raise ConcurrencyConflict(
                complaint_id=keyed.tracking_id, expected_version=keyed.expected_version, actual_version=None
            ) from mismatch.__cause__
        culprit: ChangesetRows | None = mismatch.args[0] if mismatch.args else None
        candidates = [r for r in rows if r.expected_version == 0] if culprit is None else [culprit]
        seen: set[str] = set()
        for candidate in candidates:
            found = self._fetch("reading versions", self._sql.version, (candidate.tracking_id,))
            actual = found[0][0] if found else None
            if candidate.tracking_id in seen or (actual or 0) != candidate.expected_version:
                raise ConcurrencyConflict(
                    complaint_id=candidate.tracking_id,
                    expected_version=candidate.expected_version,
                    actual_version=actual,
                ) from mismatch.__cause__
            seen.add(candidate.tracking_id)
        # The insert broke another constraint than the tracking ID's uniqueness: not a lost race.
        cause = mismatch.__cause__ or mismatch
        raise _storage_error("saving", cause) from cause

    def _raise_update_conflict(self, rows: Sequence[ChangesetRows]) -> None:
        """Name the first update whose version check failed, read back after the rollback.

        Versions only grow, so the row that failed still differs from what it expected; a complaint changed
        twice in the batch is checked against the version its earlier changeset would have left.
        """
        after: dict[str, int] = {}
        for r in rows:
            if r.expected_version != 0:
                if r.tracking_id in after:
                    actual: int | None = after[r.tracking_id]
                else:
                    found = self._fetch("reading versions", self._sql.version, (r.tracking_id,))
                    actual = found[0][0] if found else None
                if actual != r.expected_version:
                    raise ConcurrencyConflict(
                        complaint_id=r.tracking_id, expected_version=r.expected_version, actual_version=actual
                    ) from None
            after[r.tracking_id] = r.complaint[_VERSION_AT]

    # -- reads --

    def _read(self, operation: str, read: Callable[[Connection], _T]) -> _T:
        """``read`` on a pooled connection; once more on a new one when the database had dropped it.

        So a read after a failover succeeds: the first attempt finds its connection dropped (which retires
        every older connection), the second runs on a new one.
        """

        def attempt() -> _T:
            with self._guard, self._engine.connect() as connection:
                return read(connection)

        try:
            return self._driver.retrying(attempt)
        except sa.exc.SQLAlchemyError as e:
            raise _storage_error(operation, e) from e

    def _fetch(self, operation: str, prepared: Prepared, values: Sequence[Any]) -> list[Sequence[Any]]:
        try:
            return self._driver.fetch(prepared, values)
        except sa.exc.SQLAlchemyError as e:
            raise _storage_error(operation, e) from e

    def get(self, tracking_id: str) -> Complaint:
        """The complaint with this tracking ID.

        Raises:
            NotFound: No complaint has this tracking ID (``kind="complaint"``).
            StorageError: The database failed.
        """
        found = self._fetch("reading a complaint", self._sql.get, (tracking_id,))
        if not found:
            raise NotFound(kind="complaint", key=tracking_id)
        with _unreadable(complaints.name, tracking_id):
            return complaint_from(found[0])

    def history(self, tracking_id: str) -> Sequence[Event]:
        """The complaint's events in order.

        Raises:
            NotFound: No complaint has this tracking ID.
            StorageError: The database failed.
        """
        key = (tracking_id,)
        found = self._fetch("reading a history", self._sql.history, key)
        if not found and not self._fetch("reading a history", self._sql.version, key):
            raise NotFound(kind="complaint", key=tracking_id)
        with _unreadable(events.name, tracking_id):
            return tuple(event_from(row) for row in found)

    def identity(self, ref: str) -> ReporterIdentity | None:
        """The reporter identity with this reference, or None."""
        found = self._fetch("reading an identity", self._sql.identity, (ref,))
        if not found:
            return None
        with _unreadable(identities.name, ref):
            return identity_from(found[0])

    def identities(self, refs: Collection[str]) -> dict[str, ReporterIdentity]:
        """The reporter identities with these references, by reference (missing ones left out): one query.

        Optional for a store; a listing page uses it to read its rows' identities at once.
        """
        wanted = sorted(set(refs))

        def read(connection: Connection) -> dict[str, ReporterIdentity]:
            found: dict[str, ReporterIdentity] = {}
            for start in range(0, len(wanted), _IN_CHUNK):
                chunk = wanted[start : start + _IN_CHUNK]
                for row in connection.execute(_IDENTITY_COLUMNS_SELECT.where(identities.c.ref.in_(chunk))):
                    identity = identity_from(row)
                    found[identity.ref] = identity
            return found

        return self._read("reading identities", read)

    def query(self, query: ComplaintQuery) -> Page:
        """One page of complaints matching ``query``, in its order; ``next_cursor`` continues it.

        Raises:
            ValidationError: ``limit`` is outside 1 to 1,000, or the cursor is malformed.
            StorageError: The database failed.
        """
        if not 1 <= query.limit <= MAX_PAGE:
            raise ValidationError.single("limit", "query.limit_out_of_range", max=MAX_PAGE)
        position = decode_cursor(query.cursor) if query.cursor is not None else None
        if selects_nothing(query.filters):
            return Page(items=(), next_cursor=None)
        if query.order is Order.DUE_ASC:
            found = self._due_page(query.filters, position, query.limit + 1)
        else:
            binds = Binds()
            conditions = filter_conditions(query.filters, by_submission=True, bind=binds)
            if position is not None:
                conditions.append(_after(query.order, *position, binds))
            limit = binds("limit", query.limit + 1, sa.Integer())
            found = self._listing(
                (query.order, *binds.names),
                binds.values,
                lambda: _COMPLAINT_SELECT.where(*conditions).order_by(*_ordering(query.order)).limit(limit),
            )
        more = len(found) > query.limit
        items = tuple(found[: query.limit])
        cursor = encode_cursor(_sort_key(items[-1], query.order), items[-1].tracking_id) if more else None
        return Page(items=items, next_cursor=cursor)

    def _due_page(
        self, filters: Filters, position: tuple[str | None, str] | None, rows: int
    ) -> list[Complaint]:
        """Up to ``rows`` complaints by deadline, those without one last: two keyset queries in index order.

        First the complaints with a deadline, in (next_due_at, tracking_id) order from the cursor; when they
        run out, those without one by tracking ID. Each reads one of the listing indexes in its order (no
        ``CASE`` ordering, which no index holds). The two run one after the other, each seeing the database
        as it is then (as two statements of a ``READ COMMITTED`` transaction would).
        """
        found: list[Complaint] = []
        if position is None or position[0] is not None:
            binds = Binds()
            dated = [*filter_conditions(filters, bind=binds), _C.next_due_at.is_not(None)]
            if position is not None:
                dated.append(_after(Order.DUE_ASC, *position, binds))
            limit = binds("limit", rows, sa.Integer())
            found = self._listing(
                ("dated", *binds.names),
                binds.values,
                lambda: _COMPLAINT_SELECT.where(*dated).order_by(*_DUE_ORDER).limit(limit),
            )
        if len(found) < rows:
            binds = Binds()
            conditions = filter_conditions(filters, bind=binds)
            # Unfiltered, SQLite would skip-scan a status index for "IS NULL" and sort the rows; with the
            # column kept from the index ("+next_due_at") it walks the tracking IDs in order.
            undated = [*conditions, (_C.next_due_at if conditions else _unindexed(_C.next_due_at)).is_(None)]
            if position is not None and position[0] is None:
                undated.append(_C.tracking_id > binds("after_id", position[1], _C.tracking_id.type))
            limit = binds("limit", rows - len(found), sa.Integer())
            found.extend(
                self._listing(
                    ("undated", *binds.names),
                    binds.values,
                    lambda: _COMPLAINT_SELECT.where(*undated).order_by(_C.tracking_id).limit(limit),
                )
            )
        return found

    def _listing(
        self, shape: tuple[Any, ...], values: Sequence[Any], build: Callable[[], sa.Select[Any]]
    ) -> list[Complaint]:
        """The complaints a listing statement selects: compiled once per ``shape``, run on the driver.

        ``shape`` is the kind of listing and the names of its parameters (:class:`Binds`), which fix its SQL;
        ``build`` makes the statement when the shape is new. Run as the per-command statements are, on the
        driver's own connections (on a server, autocommit: one round trip), without SQLAlchemy's
        per-execution work: ``desk.similar``'s reads on PostgreSQL took a third less (docs: similar).
        """
        prepared = self._listings.get(shape)
        if prepared is None:
            prepared = self._driver.prepare(build(), keys=shape[1:])
            if len(self._listings) >= _LISTING_SHAPES:
                self._listings.clear()
            self._listings[shape] = prepared
        return [complaint_from(row) for row in self._fetch("querying complaints", prepared, values)]

    def due(self, before: datetime, *, limit: int = 1000) -> Sequence[Complaint]:
        """Open complaints whose ``next_due_at`` is at or before ``before``, earliest first (index scan).

        Raises:
            StorageError: The database failed.
        """
        if limit < 1:
            return ()
        values = {"before": before, "limit": limit}
        return self._read(
            "finding due complaints", lambda c: tuple(complaint_from(r) for r in c.execute(_DUE, values))
        )

    def pending_outbox(self, *, limit: int = 1000) -> Sequence[OutboxMessage]:
        """Queued notifications, oldest first.

        Raises:
            StorageError: The database failed.
        """
        if limit < 1:
            return ()
        values = {"limit": limit}
        return self._read(
            "reading the outbox", lambda c: tuple(outbox_from(r) for r in c.execute(_PENDING, values))
        )

    def count_complaints(self, query: CountQuery) -> list[CountRow]:
        """Count complaints by group with ``GROUP BY`` in the database (the ``StatisticsStore`` capability).

        Raises:
            StorageError: The database failed.
        """
        from lapor_core.stores.sql._statistics import count_in_sql  # noqa: PLC0415 - only statistics need it

        return self._read("counting complaints", lambda c: count_in_sql(c, query))

    def count_pool_cells(self, query: CountQuery, cell_keys: Sequence[str]) -> list[PoolCell]:
        """Roll confidential pools up to table cells in the database (the ``PoolStatisticsStore`` capability).

        Raises:
            StorageError: The database failed.
        """
        from lapor_core.stores.sql._statistics import pool_cells_in_sql  # noqa: PLC0415 - only statistics need it

        return self._read("counting confidential pools", lambda c: pool_cells_in_sql(c, query, cell_keys))

    def close(self) -> None:
        """Close every connection; the store is not used afterwards."""
        self._driver.close()
        self._engine.dispose()


_VERSION_AT: Final = COMPLAINT_COLUMNS.index("version")


def _tracking_id(rows: ChangesetRows) -> str:
    return rows.tracking_id


def _apply(session: Session, sql: _Statements, rows: Sequence[ChangesetRows]) -> None:
    """Run one batch's statements inside the session's transaction, complaint rows first.

    Updating the complaint row first also takes its row lock before anything else, so two writers of the
    same complaint queue on it instead of deadlocking on the history's foreign key.
    """
    # In key order, consecutive inserts into the B-trees keyed by tracking ID (the complaints' key and the
    # history) land on the same pages instead of one random page each. Updates keep the given order (the
    # first failed version check is the one reported), and so does the outbox: its positions are the delivery
    # order.
    keyed = sorted(rows, key=_tracking_id) if len(rows) > 1 else rows
    copying = sql.copies and len(rows) >= _COPY_FROM
    new = [r.complaint for r in keyed if r.expected_version == 0]
    if new:
        try:
            _insert(session, copying, sql.insert_complaint, complaints.name, COMPLAINT_COLUMNS, new)
        except sa.exc.IntegrityError as e:
            raise _VersionMismatchError from e
    # In the complaint's transaction, after it: the key's primary key refuses a second writer of one key.
    taken = [r.idempotency for r in rows if r.idempotency is not None]
    if taken:
        try:
            session.execute_many(sql.insert_idempotency, taken)
        except sa.exc.IntegrityError as e:
            raise _IdempotencyKeyTakenError from e
    # One executemany for the updates (one pipelined round trip on PostgreSQL instead of one a complaint):
    # each matches its row only at the version it expects, so fewer rows than updates means a lost race.
    updates = [(*r.complaint, r.tracking_id, r.expected_version) for r in rows if r.expected_version != 0]
    if updates:
        session.execute_many(sql.update_complaint, updates)
        if session.cursor.rowcount != len(updates):
            raise _UpdateFellShortError
    history = [e for r in keyed for e in r.events]
    _insert(session, copying, sql.insert_events, events.name, EVENT_COLUMNS, history)
    people = [r.identity for r in rows if r.identity is not None]
    if people:
        session.execute_many(sql.upsert_identity, people)
    messages = [m for r in rows for m in r.outbox]
    _insert(session, copying, sql.insert_outbox, outbox.name, OUTBOX_COLUMNS, messages)


def _insert(
    session: Session,
    copying: bool,
    prepared: Prepared,
    table: str,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
) -> None:
    """Insert rows: copied into PostgreSQL (COPY streams them, no statement each), else one executemany."""
    if copying and rows:
        session.copy_rows(table, columns, rows)
    elif rows:
        session.execute_many(prepared, rows)
