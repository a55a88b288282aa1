"""Statistics in SQL: :class:`~lapor_core.stats.CountQuery` as one ``SELECT ... GROUP BY`` (SQLAlchemy Core).

The SQL store answers :meth:`~lapor_core.ports.StatisticsStore.count_complaints` with
:func:`count_in_sql`, so a million complaints are counted by the database, not read into Python. Every key
is the same expression on every backend except ``month``, whose date arithmetic each dialect spells its
own way (the offset is a whole number of minutes, so nothing depends on a database's time-zone tables).
Region prefixes are byte ranges (``region >= '31.' AND region < '31/'``) that the region index serves.

The rows must equal :func:`lapor_core.stats.count_rows` over the same complaints; the store tests check
it on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from lapor_core.errors import ConfigurationError
from lapor_core.stats import CountQuery, CountRow
from lapor_core.stores._sql_schema import MYSQL_DIALECTS, complaints

__all__ = ["count_in_sql", "count_statement"]

_C = complaints.c
_REGENCY_LENGTH: Final = 5


def _month(dialect: str, minutes: int) -> ColumnElement[Any]:
    shift = int(minutes)  # an int, so the interval text below cannot carry anything else
    if dialect == "sqlite":
        # The column holds UTC as ISO text; strftime applies the offset as a modifier.
        return sa.func.strftime("%Y-%m", _C.submitted_at, f"{shift:+d} minutes")
    if dialect == "postgresql":
        utc = sa.func.timezone("UTC", _C.submitted_at)
        return sa.func.to_char(utc + sa.literal_column(f"interval '{shift} minutes'"), "YYYY-MM")
    if dialect in MYSQL_DIALECTS:  # DATETIME(6) holding UTC
        return sa.func.date_format(
            sa.func.date_add(_C.submitted_at, sa.literal_column(f"INTERVAL {shift} MINUTE")), "%Y-%m"
        )
    raise ConfigurationError(f"statistics by month are not written for the {dialect} dialect")


_KEYS: Final[Mapping[str, Callable[[str, int], ColumnElement[Any]]]] = MappingProxyType(
    {
        "province": lambda _d, _m: sa.case(
            (sa.func.length(_C.region) > 0, sa.func.substr(_C.region, 1, 2)), else_=sa.null()
        ),
        "regency": lambda _d, _m: sa.case(
            (
                sa.func.length(_C.region) >= _REGENCY_LENGTH,
                sa.func.substr(_C.region, 1, _REGENCY_LENGTH),
            ),
            else_=sa.null(),
        ),
        "topic": lambda _d, _m: _C.category,
        "status": lambda _d, _m: _C.status,
        "institution": lambda _d, _m: _C.institution,
        "kind": lambda _d, _m: _C.kind,
        "channel": lambda _d, _m: _C.channel,
        "month": _month,
        "unit": lambda _d, _m: _C.unit,
        "confidential": lambda _d, _m: _C.confidential,
        "anonymous": lambda _d, _m: _C.anonymous,
    }
)


def _status(dialect: str) -> ColumnElement[Any]:
    if dialect == "sqlite":
        # Unary plus keeps SQLite's planner off the status index: a statistics filter usually matches most
        # rows, and reading them through the index is several times slower than scanning the table.
        return sa.literal_column(f"+{complaints.name}.status")
    return _C.status


def _conditions(q: CountQuery, dialect: str) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for column, values in (
        (_status(dialect), q.statuses),
        (_C.institution, q.institutions),
        (_C.category, q.categories),
        (_C.kind, q.kinds),
        (_C.channel, q.channels),
    ):
        if values is not None:
            conditions.append(column.in_(sorted(values)))
    if q.region_prefix is not None:
        prefix = q.region_prefix
        # '/' follows '.' in byte order: the range holds exactly the codes below the prefix.
        below = sa.and_(_C.region >= prefix + ".", _C.region < prefix + "/")
        conditions.append(sa.or_(_C.region == prefix, below))
    if q.confidential is not None:
        conditions.append(_C.confidential == q.confidential)
    if q.submitted_from is not None:
        conditions.append(_C.submitted_at >= q.submitted_from)
    if q.submitted_before is not None:
        conditions.append(_C.submitted_at < q.submitted_before)
    return conditions


def count_statement(query: CountQuery, dialect: str) -> sa.Select[Any]:
    """The ``SELECT key..., count(*) ... GROUP BY key...`` answering ``query`` on ``dialect``.

    Raises:
        ConfigurationError: ``query`` groups by month on a dialect without a month expression here.

    >>> print(count_statement(CountQuery(["province"], statuses=frozenset({"closed"})), "sqlite"))
    SELECT CASE WHEN (length(lapor_complaints.region) > :length_1) THEN substr(lapor_complaints.region, ...
    """
    keys = [
        _KEYS[name](dialect, query.utc_offset_minutes).label(f"k{i}") for i, name in enumerate(query.group_by)
    ]
    statement = (
        sa.select(*keys, sa.func.count().label("n"))
        .select_from(complaints)
        .where(*_conditions(query, dialect))
    )
    if keys:
        statement = statement.group_by(*keys)
    return statement


def count_in_sql(connection: Connection, query: CountQuery) -> list[CountRow]:
    """Count the complaints matching ``query`` by its keys, in the database behind ``connection``.

    Returns one :class:`~lapor_core.stats.CountRow` per non-empty group, in no particular order. Driver
    errors propagate; the store translates them.
    """
    statement = count_statement(query, connection.dialect.name)
    flags = [i for i, name in enumerate(query.group_by) if name in ("confidential", "anonymous")]
    rows = []
    for *key, count in connection.execute(statement):
        if count:
            for i in flags:  # the column types already give booleans; this only pins it down
                key[i] = bool(key[i])
            rows.append(CountRow(tuple(key), int(count)))
    return rows
