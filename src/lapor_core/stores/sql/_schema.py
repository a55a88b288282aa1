"""The tables of :class:`~lapor_core.stores.sql.SqlComplaintStore`, as SQLAlchemy Core metadata.

This is the schema the queries are written against; the migrations in ``stores/migrations/versions`` create
it (a test checks the migrated database and this metadata agree). Every table name starts with ``lapor_`` so
the store can share a database with the portal that embeds it.

Portable choices, made once here so no query differs per database:

- Instants are stored in UTC (``TIMESTAMP WITH TIME ZONE`` on PostgreSQL, ``DATETIME(6)`` on MariaDB/MySQL,
  ISO text on SQLite) and come back as aware UTC datetimes, to the microsecond.
- Codes (tracking IDs, statuses, region codes...) compare byte by byte everywhere (``COLLATE "C"`` on
  PostgreSQL, ``utf8mb4_bin`` on MariaDB), so ordering, cursors and region-prefix ranges agree everywhere.
- Text is UTF-8 (``utf8mb4`` on MariaDB); bodies and JSON documents use ``MEDIUMTEXT`` there.
- Events and identities are ``WITHOUT ROWID`` tables on SQLite: clustered on their primary key, each insert
  writes one B-tree page instead of two (a table page and its key's index page), which a durable submission
  pays for in WAL frames.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine

if TYPE_CHECKING:
    from _collections_abc import dict_items, dict_keys, dict_values

__all__ = [
    "MYSQL_DIALECTS",
    "STATS_INDEX_COLUMNS",
    "VERSION_TABLE",
    "UtcDateTime",
    "blob_chunks",
    "complaints",
    "events",
    "idempotency_keys",
    "identities",
    "integration_events",
    "integrations",
    "metadata",
    "outbox",
    "poll_ballots",
    "poll_counts",
    "poll_voters",
    "polls",
]

VERSION_TABLE = "lapor_alembic_version"
"""Alembic's version table for lapor_core's schema (not ``alembic_version``: the host portal may own that)."""

MYSQL_DIALECTS = ("mysql", "mariadb")


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """An aware datetime stored in UTC, read back as an aware UTC datetime with the same instant."""

    impl = sa.DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """TIMESTAMPTZ on PostgreSQL, DATETIME(6) on MariaDB/MySQL, the default DATETIME elsewhere."""
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import TIMESTAMP  # noqa: PLC0415  # only PostgreSQL's store needs it

            return dialect.type_descriptor(TIMESTAMP(timezone=True))
        if dialect.name in MYSQL_DIALECTS:
            from sqlalchemy.dialects.mysql import DATETIME  # noqa: PLC0415  # only MariaDB/MySQL's store needs it

            return dialect.type_descriptor(DATETIME(fsp=6))
        return dialect.type_descriptor(sa.DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC; naive only where the column has no time zone."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime: lapor_core stores only timezone-aware instants")
        utc = value.astimezone(UTC)
        return utc if dialect.name == "postgresql" else utc.replace(tzinfo=None)

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """On SQLite, format straight to the stored text (SQLAlchemy's own format, in one C call)."""
        if dialect.name == "sqlite":
            return _sqlite_text
        return super().bind_processor(dialect)

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], datetime | None] | None:
        """On SQLite, parse the stored ISO text straight to an aware datetime (the hot read path's cost)."""
        if dialect.name == "sqlite":
            return _sqlite_instant
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002  # SQLAlchemy's signature
        """Attach UTC to what the column gave back."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# The last two instants formatted, with their texts. A command stamps one instant on the complaint, its
# event and its messages, and a submission's other instant is its deadline, so two entries format two of its
# seven instants; formatting one costs more than the rest of its parameter. One tuple, replaced whole, so
# threads never see half of one; it holds the instants, so their identities cannot be reused meanwhile.
_NEVER: Final = datetime.min.replace(tzinfo=UTC)
_formatted: tuple[datetime, str, datetime, str] = (_NEVER, "", _NEVER, "")


def _sqlite_text(value: datetime | None) -> str | None:
    # SQLAlchemy's SQLite DATETIME text, "YYYY-MM-DD HH:MM:SS.ffffff" in UTC: it sorts like the instants.
    global _formatted  # noqa: PLW0603  # the memo above
    if value is None:
        return None
    last = _formatted
    if value is last[0]:
        return last[1]
    if value is last[2]:
        return last[3]
    if value.tzinfo is UTC:  # what the desk's clock gives: no conversion (the slice drops "+00:00")
        text = value.isoformat(sep=" ", timespec="microseconds")[:26]
        _formatted = (value, text, last[0], last[1])
        return text
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: lapor_core stores only timezone-aware instants")
    return value.astimezone(UTC).isoformat(sep=" ", timespec="microseconds")[:26]


def _sqlite_instant(value: str | None) -> datetime | None:
    # Parsing the offset is five times cheaper than replace(tzinfo=UTC) after parsing, and gives the same
    # instant with the same tzinfo object (CPython returns its UTC singleton for a zero offset).
    return None if value is None else datetime.fromisoformat(value + "+00:00")


class _Code(sa.types.TypeDecorator[str]):
    """``VARCHAR`` compared byte by byte: ``COLLATE "C"`` on PostgreSQL, ``utf8mb4_bin`` on MariaDB/MySQL.

    Each database's type is chosen when a statement or DDL is compiled for it, so a store imports only the
    dialect of its own database (MySQL's and PostgreSQL's cost a SQLite desk 50-130 ms to import).
    """

    impl = sa.String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """PostgreSQL's ``VARCHAR`` in ``COLLATE "C"``, MariaDB's in ``utf8mb4_bin``, else ``VARCHAR``."""
        length = cast("sa.String", self.impl_instance).length
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import VARCHAR  # noqa: PLC0415  # only PostgreSQL's store needs it

            return dialect.type_descriptor(VARCHAR(length, collation="C"))
        if dialect.name in MYSQL_DIALECTS:
            from sqlalchemy.dialects.mysql import VARCHAR as MYSQL_VARCHAR  # noqa: PLC0415  # only MariaDB/MySQL's

            return dialect.type_descriptor(MYSQL_VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin"))
        return self.impl_instance


class _LongText(sa.types.TypeDecorator[str]):
    """``TEXT``, ``MEDIUMTEXT`` (16 MiB) on MariaDB/MySQL, chosen when compiled for the database."""

    impl = sa.Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """``MEDIUMTEXT`` on MariaDB/MySQL, ``TEXT`` elsewhere."""
        if dialect.name in MYSQL_DIALECTS:
            from sqlalchemy.dialects.mysql import MEDIUMTEXT  # noqa: PLC0415  # only MariaDB/MySQL's store needs it

            return dialect.type_descriptor(MEDIUMTEXT())
        return self.impl_instance


class _LongBinary(sa.types.TypeDecorator[bytes]):
    """A blob chunk's bytes: ``LONGBLOB`` on MariaDB/MySQL (their ``BLOB`` holds 64 KiB), else portable."""

    impl = sa.LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """``LONGBLOB`` on MariaDB/MySQL, the portable binary type elsewhere."""
        if dialect.name in MYSQL_DIALECTS:
            from sqlalchemy.dialects.mysql import LONGBLOB  # noqa: PLC0415  # only MariaDB/MySQL's store needs it

            return dialect.type_descriptor(LONGBLOB())
        return self.impl_instance


def code(length: int) -> TypeEngine[str]:
    """A short identifier compared byte by byte on every backend."""
    return _Code(length)


def long_text() -> TypeEngine[str]:
    """Text of any length the domain allows (``MEDIUMTEXT``, 16 MiB, on MariaDB/MySQL)."""
    return _LongText()


def _position() -> TypeEngine[int]:
    # SQLite only auto-increments an INTEGER PRIMARY KEY.
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


_Item = TypeVar("_Item", sa.Table, sa.Index)


class _DialectOptions(dict[str, Any]):
    """An item's ``dialect_options`` that receive a database's options when that database is first asked for.

    SQLAlchemy checks ``mysql_engine=`` or ``postgresql_where=`` against the dialect they name, importing it
    to do so: a table built with MariaDB's options imported MySQL's dialect and its drivers' modules into
    every process, SQLite's too. Here a dialect's options are checked and added the same way when its entry
    is first read (compiling DDL for that database), and listing the options (``table.kwargs``, copying a
    table) reads every entry, so every reader sees the same options as before.
    """

    def __init__(
        self,
        creator: Callable[[str], Any],
        deferred: Mapping[str, Mapping[str, Any]],
        loaded: Mapping[str, Any],
    ) -> None:
        super().__init__(loaded)
        self._creator = creator
        self._deferred = {name: dict(options) for name, options in deferred.items()}

    def __missing__(self, name: str) -> Any:
        args = self._creator(name)  # SQLAlchemy's own entry: imports the dialect, holds its defaults
        for option, value in self._deferred.get(name, {}).items():
            if "*" not in args and option not in args and option not in args._reflection_only_keys:
                raise sa.exc.ArgumentError(f"Argument '{name}_{option}' is not accepted by dialect {name!r}")
            args[option] = value
        return self.setdefault(name, args)

    def _load_all(self) -> None:
        for name in self._deferred:
            self[name]  # reading the entry adds it

    def get(self, name: str, default: Any = None) -> Any:
        """The entry of ``name``, added first if it is deferred."""
        if name in self._deferred:
            return self[name]
        return super().get(name, default)

    def __contains__(self, name: object) -> bool:
        return name in self._deferred or super().__contains__(name)

    def __iter__(self) -> Iterator[str]:
        self._load_all()
        return super().__iter__()

    def __len__(self) -> int:
        self._load_all()
        return super().__len__()

    def keys(self) -> dict_keys[str, Any]:
        """Every dialect's name, the deferred ones added first."""
        self._load_all()
        return super().keys()

    def values(self) -> dict_values[str, Any]:
        """Every dialect's options, the deferred ones added first."""
        self._load_all()
        return super().values()

    def items(self) -> dict_items[str, Any]:
        """Every dialect's name and options, the deferred ones added first."""
        self._load_all()
        return super().items()

    def __reduce__(self) -> tuple[Any, ...]:
        self._load_all()
        return (_populated, (self._creator, dict(self)))


def _populated(creator: Callable[[str], Any], entries: Mapping[str, Any]) -> dict[str, Any]:
    # What a pickled or copied item gets back: SQLAlchemy's own kind of entries, every option in it.
    options: dict[str, Any] = sa.util.PopulateDict(creator)
    options.update(entries)
    return options


def _with_options(item: _Item, **options: Any) -> _Item:
    """``item`` with dialect options (``mysql_engine=...``) whose dialect loads only when they are read."""
    deferred: dict[str, dict[str, Any]] = {}
    for key, value in options.items():
        name, _, option = key.partition("_")
        deferred.setdefault(name, {})[option] = value
    loaded = item.__dict__.get("dialect_options", {})
    creator = item._kw_reg_for_dialect_cls  # SQLAlchemy's builder of a dialect's entry
    item.__dict__["dialect_options"] = _DialectOptions(creator, deferred, loaded)
    return item


_MYSQL_TABLE: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mariadb_engine": "InnoDB",
    "mariadb_charset": "utf8mb4",
    "mariadb_collate": "utf8mb4_bin",
}

metadata = sa.MetaData()


def _table(name: str, *columns: sa.Column[Any], **options: Any) -> sa.Table:
    """A table of :data:`metadata` in ``utf8mb4_bin`` on InnoDB on MariaDB/MySQL, with ``options`` too."""
    return _with_options(sa.Table(name, metadata, *columns), **_MYSQL_TABLE, **options)


complaints = _table(
    "lapor_complaints",
    sa.Column("tracking_id", code(40), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("status", code(20), nullable=False),
    sa.Column("kind", code(40), nullable=False),
    sa.Column("channel", code(20), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("body", long_text(), nullable=False),
    sa.Column("category", code(100)),
    sa.Column("region", code(40)),
    sa.Column("location", sa.Text),
    sa.Column("anonymous", sa.Boolean, nullable=False),
    sa.Column("confidential", sa.Boolean, nullable=False),
    sa.Column("reporter_flags", sa.Text, nullable=False),
    sa.Column("identity_ref", code(100)),
    sa.Column("owner_hash", code(200)),
    sa.Column("access_salt", sa.LargeBinary, nullable=False),
    sa.Column("access_digest", sa.LargeBinary, nullable=False),
    sa.Column("institution", code(100)),
    sa.Column("unit", code(100)),
    sa.Column("declined_by", sa.Text, nullable=False),
    sa.Column("submitted_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("published_at", UtcDateTime),
    sa.Column("next_due_at", UtcDateTime),
    sa.Column("rating", sa.SmallInteger),
    sa.Column("supporters", long_text(), nullable=False),
    # Revision 0006: what a command continues from (the last event's hash, the open SLA clocks as JSON);
    # NULL in rows written before it, which the kernel then replays from their history.
    sa.Column("head_hash", code(64)),
    sa.Column("sla_state", sa.Text),
    # Revision 0011 (issue 22): the original a duplicate was merged into, and the escalation's state.
    sa.Column("merged_into", code(40)),
    sa.Column("escalation", code(20)),
    # Revision 0012 (issue 21): the folded words of the title and body that keyword search reads with LIKE
    # (lapor_core._domain.filters.searchable), so every database compares the same text byte by byte.
    sa.Column("search_text", long_text()),
    # Revision 0013 (issue 22): the regency or city of the region (lapor_core._domain.filters.regency_of), so
    # a regency's complaints are one equality on ix_lapor_complaints_regency, already in listing order.
    sa.Column("regency", code(40)),
)

events = _table(
    "lapor_events",
    sa.Column("complaint_id", code(40), sa.ForeignKey(complaints.c.tracking_id), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("action", code(40), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("payload", long_text(), nullable=False),
    sa.Column("prev_hash", code(64), nullable=False),
    sa.Column("hash", code(64), nullable=False),
    sqlite_with_rowid=False,
)

identities = _table(
    "lapor_identities",
    sa.Column("ref", code(100), primary_key=True),
    sa.Column("name", sa.Text),
    sa.Column("email", sa.Text),
    sa.Column("phone", sa.Text),
    sa.Column("nik", sa.Text),
    sa.Column("account_id", sa.Text),
    sa.Column("erased", sa.Boolean, nullable=False),
    sqlite_with_rowid=False,
)

outbox = _table(
    "lapor_outbox",
    sa.Column("position", _position(), primary_key=True, autoincrement=True),
    sa.Column("id", code(100), nullable=False, unique=True),
    sa.Column("tracking_id", code(40), sa.ForeignKey(complaints.c.tracking_id), nullable=False),
    sa.Column("event", code(40), nullable=False),
    sa.Column("recipient_role", code(40), nullable=False),
    sa.Column("recipient_ref", code(100)),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("context", long_text(), nullable=False),
    # Delivery state (revision 0002): failed attempts, when a retry is due, who holds the row until when,
    # the last error, and when it was given up on (a dead letter).
    sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("retry_at", UtcDateTime),
    sa.Column("lease_token", code(32)),
    sa.Column("lease_until", UtcDateTime),
    sa.Column("last_error", sa.Text),
    sa.Column("dead_at", UtcDateTime),
)


def _partial_index(name: str, *columns: sa.Column[Any], where: sa.Column[Any]) -> sa.Index:
    """An index of the rows where ``where`` is set, on the databases with partial indexes (else of all rows).

    A new complaint has no deadline-free state, institution, unit or topic yet: leaving those rows out keeps
    the indexes small and saves a page write per index on every submission.
    """
    return _with_options(
        sa.Index(name, *columns), sqlite_where=where.is_not(None), postgresql_where=where.is_not(None)
    )


_C = complaints.c
_ORDER = (_C.submitted_at, _C.tracking_id)
# Every filter index ends with the query ordering (submitted_at, tracking_id), so a filter on equal values
# reads its rows already in order and stops after one page.
_partial_index("ix_lapor_complaints_due", _C.next_due_at, _C.tracking_id, where=_C.next_due_at)  # the sweep
_partial_index("ix_lapor_complaints_inbox", _C.institution, _C.status, *_ORDER, where=_C.institution)
_partial_index("ix_lapor_complaints_unit", _C.unit, _C.status, *_ORDER, where=_C.unit)
_partial_index("ix_lapor_complaints_category", _C.category, *_ORDER, where=_C.category)
_partial_index("ix_lapor_complaints_region", _C.region, *_ORDER, where=_C.region)
# A regency's or city's complaints in listing order (revision 0013), not its region range read and sorted.
_partial_index("ix_lapor_complaints_regency", _C.regency, *_ORDER, where=_C.regency)
# The Ombudsman's inbox (revision 0011): the few escalated complaints, in listing order.
_partial_index("ix_lapor_complaints_escalation", _C.escalation, *_ORDER, where=_C.escalation)
# "Laporan saya" (revision 0012): one signed-in citizen's complaints, in listing order.
_partial_index("ix_lapor_complaints_owner", _C.owner_hash, *_ORDER, where=_C.owner_hash)
sa.Index("ix_lapor_complaints_status", _C.status, *_ORDER)  # the admin's verification queue
sa.Index("ix_lapor_complaints_submitted", *_ORDER)

STATS_INDEX_COLUMNS: Final = (
    "status",
    "confidential",
    "region",
    "category",
    "anonymous",
    "institution",
    "unit",
    "kind",
    "channel",
    "submitted_at",
)
"""The columns of ``ix_lapor_complaints_stats``, in order: every column a count reads or filters on.

Status and the confidential flag lead, so a public count's confidential pools (published statuses,
confidential only) are a few ranges of it; the region follows, so maps by province or regency stream."""
sa.Index("ix_lapor_complaints_stats", *(complaints.c[name] for name in STATS_INDEX_COLUMNS))  # revision 0004

# Dead letters are listed by when they were given up on (claims read the pending rows in primary-key order).
# Partial since revision 0005: a queued message is not a dead letter, so queueing one writes no page here.
_partial_index("ix_lapor_outbox_dead", outbox.c.dead_at, outbox.c.position, where=outbox.c.dead_at)

# Listing orders for each filter (revision 0007). By due date: a page reads the complaints with a deadline in
# (next_due_at, tracking_id) order and then those without one by tracking ID, both in these indexes' order
# for one status, institution, unit or topic.
_DUE = (_C.next_due_at, _C.tracking_id)
sa.Index("ix_lapor_complaints_status_due", _C.status, *_DUE)
_partial_index("ix_lapor_complaints_inbox_due", _C.institution, *_DUE, where=_C.institution)
_partial_index("ix_lapor_complaints_unit_due", _C.unit, *_DUE, where=_C.unit)
_partial_index("ix_lapor_complaints_category_due", _C.category, *_DUE, where=_C.category)
# A region prefix is a range, read and then sorted whatever the index: only complaints with a deadline here,
# so a listing by submission keeps the region index (its rows lie in table order) and this one stays small.
_DATED_IN_REGION = sa.and_(_C.region.is_not(None), _C.next_due_at.is_not(None))
_with_options(
    sa.Index("ix_lapor_complaints_region_due", _C.region, *_DUE),
    sqlite_where=_DATED_IN_REGION,
    postgresql_where=_DATED_IN_REGION,
)

# Idempotency keys of submissions (revision 0008): the keyed hash of each key (never the key), the keyed
# fingerprint of what was submitted with it, and the complaint it made; pruned by age (``created_at``).
idempotency_keys = _table(
    "lapor_idempotency_keys",
    sa.Column("key_hash", code(64), primary_key=True),
    sa.Column("fingerprint", code(64), nullable=False),
    sa.Column("tracking_id", code(40), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sqlite_with_rowid=False,
)
sa.Index("ix_lapor_idempotency_keys_created", idempotency_keys.c.created_at)

# Attachments' bytes (revision 0009): a blob by its content address (hex SHA-256), in chunks of at most
# 1 MiB numbered from 0, all inserted in one transaction; see lapor_core.stores.sql._blobs.
blob_chunks = _table(
    "lapor_blob_chunks",
    sa.Column("address", code(64), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("data", _LongBinary(), nullable=False),
    sqlite_with_rowid=False,
)

# Connected institution systems (revision 0010): a registration keeps the salts its secrets are derived from
# under the pepper (never a secret); an event ID is claimed before its command runs and keeps the answer given
# to every repeat. See lapor_core.stores.sql._integrations.
integrations = _table(
    "lapor_integrations",
    sa.Column("institution", code(100), primary_key=True),
    sa.Column("endpoint", sa.Text),
    sa.Column("salt", code(64), nullable=False),
    sa.Column("previous_salt", code(64)),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("rotated_at", UtcDateTime, nullable=False),
)
integration_events = _table(
    "lapor_integration_events",
    sa.Column("institution", code(100), primary_key=True),
    sa.Column("event_id", code(200), primary_key=True),
    sa.Column("claimed_at", UtcDateTime, nullable=False),
    sa.Column("answer", long_text(), nullable=False),
    sqlite_with_rowid=False,
)
sa.Index("ix_lapor_integration_events_claimed", integration_events.c.claimed_at)


# --- policy-opinion polls (revision 0003): see lapor_core.stores.sql._polls ---------------------------------

polls = _table(
    "lapor_polls",
    sa.Column("id", code(64), primary_key=True),
    sa.Column("institution", code(100), nullable=False),
    sa.Column("state", code(20), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("option_count", sa.SmallInteger, nullable=False),
    sa.Column("opens_at", UtcDateTime, nullable=False),
    sa.Column("closes_at", UtcDateTime, nullable=False),
    sa.Column("closed_at", UtcDateTime),
    sa.Column("definition", long_text(), nullable=False),
    sa.Column("history", long_text(), nullable=False),
)
sa.Index("ix_lapor_polls_opening", polls.c.opens_at, polls.c.id)
sa.Index("ix_lapor_polls_institution", polls.c.institution, polls.c.opens_at, polls.c.id)

# Voters and ballots share no column but the poll's ID: a voter row refers to its ballot as ref ^ seal.
poll_voters = _table(
    "lapor_poll_voters",
    sa.Column("poll_id", code(64), sa.ForeignKey(polls.c.id), primary_key=True),
    sa.Column("voter", code(64), primary_key=True),
    sa.Column("sealed", sa.BigInteger, nullable=False),
    sqlite_with_rowid=False,
)

poll_ballots = _table(
    "lapor_poll_ballots",
    sa.Column("poll_id", code(64), sa.ForeignKey(polls.c.id), primary_key=True),
    sa.Column("ref", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("choices", sa.Integer, nullable=False),
    sa.Column("province", code(2)),
    sa.Column("regency", code(5)),
    sqlite_with_rowid=False,
)

# One counter per (poll, region, column): region "" is national, column -1 counts ballots, 0.. the options.
poll_counts = _table(
    "lapor_poll_counts",
    sa.Column("poll_id", code(64), sa.ForeignKey(polls.c.id), primary_key=True),
    sa.Column("region", code(8), primary_key=True),
    sa.Column("choice", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("votes", sa.BigInteger, nullable=False),
    sqlite_with_rowid=False,
)
