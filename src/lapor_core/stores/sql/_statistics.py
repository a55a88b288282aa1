"""Statistics in SQL: :class:`~lapor_core._domain.stats.CountQuery` counted by the database (SQLAlchemy Core).

The SQL store answers :meth:`~lapor_core._domain.ports.StatisticsStore.count_complaints` with
:func:`count_in_sql`, so a million complaints are counted by the database, not read into Python. Each key's
expression is written from its one definition in :data:`lapor_core._domain.stats.STAT_KEYS` (its column and
bucket: as stored, a flag, a code's prefix, an instant's month), the same on every backend except ``month``,
whose date arithmetic each dialect spells its own way (the offset is a whole number of minutes, so nothing
depends on a database's time-zone tables). The filters are the listing's ``WHERE`` conditions
(``filter_conditions``); region prefixes are byte ranges (``region >= '31.' AND region < '31/'``).

Counting runs in two levels whenever the keys allow it: the inner query groups by stored columns only,
a prefix of the statistics index ``(status, confidential, region, category, ...)``
(:data:`STATS_INDEX_COLUMNS`), so the database reads that index in order and aggregates as it goes,
without sorting a million rows; the outer query derives the keys (the province from the region code, say)
from the few thousand cells left. SQLite's ``GROUP BY`` otherwise sorts every row, which took 1.3 s of a
1.4 s province x status count over a million complaints. A ``month`` key needs the timestamp itself, which
no prefix narrows, so it is counted in one level from the same covering index.

The rows must equal :func:`lapor_core._domain.stats.count_rows` over the same complaints; the store tests
check it on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from lapor_core._domain.stats import (
    GROUP_KEYS,
    STAT_KEYS,
    SUPPRESSION_THRESHOLD,
    CountQuery,
    CountRow,
    Flag,
    Month,
    PoolCell,
    Prefix,
)
from lapor_core.errors import ConfigurationError
from lapor_core.stores.sql._complaints import filter_conditions
from lapor_core.stores.sql._schema import MYSQL_DIALECTS, STATS_INDEX_COLUMNS, complaints

__all__ = [
    "STATS_INDEX_COLUMNS",
    "count_in_sql",
    "count_statement",
    "pool_cells_in_sql",
    "pool_cells_statement",
]

_C = complaints.c

Columns = Callable[[str], ColumnElement[Any]]
"""The column of a name, in the table or in the inner query of a two-level count."""


def _month(submitted_at: ColumnElement[Any], dialect: str, minutes: int) -> ColumnElement[Any]:
    shift = int(minutes)  # an int, so the interval text below cannot carry anything else
    if dialect == "sqlite":
        # The column holds UTC as ISO text; strftime applies the offset as a modifier.
        return sa.func.strftime("%Y-%m", submitted_at, f"{shift:+d} minutes")
    if dialect == "postgresql":
        utc = sa.func.timezone("UTC", submitted_at)
        return sa.func.to_char(utc + sa.literal_column(f"interval '{shift} minutes'"), "YYYY-MM")
    if dialect in MYSQL_DIALECTS:  # DATETIME(6) holding UTC
        return sa.func.date_format(
            sa.func.date_add(submitted_at, sa.literal_column(f"INTERVAL {shift} MINUTE")), "%Y-%m"
        )
    raise ConfigurationError(f"statistics by month are not written for the {dialect} dialect")


def _key(name: str, column: Columns, dialect: str, minutes: int) -> ColumnElement[Any]:
    """The expression of count key ``name`` over the columns ``column`` gives, from its one definition."""
    key = STAT_KEYS[name]
    stored = column(key.column)
    bucket = key.bucket
    if isinstance(bucket, Prefix):
        return sa.case(
            (sa.func.length(stored) >= bucket.at_least, sa.func.substr(stored, 1, bucket.length)),
            else_=sa.null(),
        )
    if isinstance(bucket, Month):
        return _month(stored, dialect, minutes)
    return stored  # AsStored and Flag: the column itself (enums are stored as their values)


def _table_column(name: str) -> ColumnElement[Any]:
    return _C[name]


def _cells(query: CountQuery) -> tuple[str, ...] | None:
    """The stored columns a two-level count groups its inner query by, or None to count in one level.

    The shortest prefix of :data:`STATS_INDEX_COLUMNS` holding every column the keys read: grouping by an
    index prefix lets the database aggregate while it reads the index in order. ``month`` reads the
    timestamp, the last column, so its prefix would leave one cell per complaint: it counts in one level.
    """
    if not query.group_by or "month" in query.group_by:
        return None
    last = max(STATS_INDEX_COLUMNS.index(STAT_KEYS[name].column) for name in query.group_by)
    return STATS_INDEX_COLUMNS[: last + 1]


def count_statement(query: CountQuery, dialect: str) -> sa.Select[Any]:
    """The ``SELECT key..., count ... GROUP BY key...`` answering ``query`` on ``dialect``.

    Raises:
        ConfigurationError: ``query`` groups by month on a dialect without a month expression here.

    >>> print(count_statement(CountQuery(["province"], statuses=frozenset({"closed"})), "sqlite"))
    SELECT CASE WHEN (length(cells.region) >= :length_1) THEN substr(cells.region, :substr_1, :substr_2) ...
    """
    minutes = query.utc_offset_minutes
    conditions = filter_conditions(query.filters, counting_on=dialect)
    cells = _cells(query)
    if cells is None:
        keys = [
            _key(name, _table_column, dialect, minutes).label(f"k{i}")
            for i, name in enumerate(query.group_by)
        ]
        statement = sa.select(*keys, sa.func.count().label("n")).select_from(complaints).where(*conditions)
        return statement.group_by(*keys) if keys else statement
    columns = [_C[name] for name in cells]
    inner = (
        sa.select(*columns, sa.func.count().label("n"))
        .where(*conditions)
        .group_by(*columns)
        .subquery("cells")
    )

    def inner_column(name: str) -> ColumnElement[Any]:
        return inner.c[name]

    keys = [
        _key(name, inner_column, dialect, minutes).label(f"k{i}") for i, name in enumerate(query.group_by)
    ]
    return sa.select(*keys, sa.func.sum(inner.c.n).label("n")).group_by(*keys)


def count_in_sql(connection: Connection, query: CountQuery) -> list[CountRow]:
    """Count the complaints matching ``query`` by its keys, in the database behind ``connection``.

    Returns one :class:`~lapor_core._domain.stats.CountRow` per non-empty group, in no particular order.
    Driver
    errors propagate; the store translates them.
    """
    statement = count_statement(query, connection.dialect.name)
    width = len(query.group_by)
    flags = [i for i, name in enumerate(query.group_by) if isinstance(STAT_KEYS[name].bucket, Flag)]
    found = connection.execute(statement).all()
    if not flags:  # the common case, one tuple slice per row (a public count returns tens of thousands)
        return [CountRow(row[:width], int(row[width])) for row in found if row[width]]
    rows = []
    for row in found:
        if row[width]:
            key = list(row[:width])
            for i in flags:  # the column types already give booleans; this only pins it down
                key[i] = bool(key[i])
            rows.append(CountRow(tuple(key), int(row[width])))
    return rows


def pool_cells_statement(query: CountQuery, cell_keys: Sequence[str], dialect: str) -> sa.Select[Any]:
    """The pools of ``query`` (grouped by every statistics key) rolled up to cells by month.

    Each row: the cell's keys, the month, the complaints in pools of at least the suppression threshold, and
    how many smaller pools there are.

    Raises:
        ValueError: ``query`` is not grouped by exactly the group keys.
    """
    if query.group_by != GROUP_KEYS:
        raise ValueError(f"pools are counted by {', '.join(GROUP_KEYS)}, not {', '.join(query.group_by)}")
    pools = count_statement(query, dialect).subquery("pools")
    cells = [pools.c[f"k{GROUP_KEYS.index(key)}"] for key in cell_keys]
    month = pools.c[f"k{GROUP_KEYS.index('month')}"]
    large = pools.c.n >= SUPPRESSION_THRESHOLD
    return sa.select(
        *cells,
        month,
        sa.func.sum(sa.case((large, pools.c.n), else_=0)),
        sa.func.sum(sa.case((large, 0), else_=1)),
    ).group_by(*cells, month)


def pool_cells_in_sql(connection: Connection, query: CountQuery, cell_keys: Sequence[str]) -> list[PoolCell]:
    """Roll the pools of ``query`` up to the cells of ``cell_keys`` in the database (see the statement)."""
    width = len(cell_keys)
    found = connection.execute(pool_cells_statement(query, cell_keys, connection.dialect.name)).all()
    return [PoolCell(row[:width], str(row[width]), int(row[width + 1]), int(row[width + 2])) for row in found]
