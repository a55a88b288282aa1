"""A regency's complaints in listing order: the regency of each complaint, and an index by it (issue 22).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

A nullable column ``regency`` on ``lapor_complaints`` holds the first two parts of the region code (what
``lapor_core._domain.filters.regency_of`` makes: ``32.73`` for ``32.73.16``, none for a province), and the
partial index ``ix_lapor_complaints_regency`` (regency, submitted_at, tracking_id) lists one regency or city
newest first without reading its whole region range and sorting it (``desk.similar``'s candidates, a city's
listing). Existing rows are filled by one ``UPDATE`` computed in SQL (:func:`regency_sql`, a test keeps it
equal to the library's function), so the offline script (``upgrade(url, sql=True)``) fills them too.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.sql.elements import ColumnElement

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _code(length: int) -> sa.types.TypeEngine[str]:
    """A code column compared byte by byte (as the schema's ``code(length)``)."""
    return (
        sa.String(length)
        .with_variant(postgresql.VARCHAR(length, collation="C"), "postgresql")
        .with_variant(mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb")
    )


def regency_sql(region: ColumnElement[str], dialect: str) -> ColumnElement[str | None]:
    """The SQL of ``regency_of(region)`` on ``dialect``: the region up to its second dot, or NULL without one.

    ``instr`` on SQLite and MariaDB/MySQL, ``strpos`` on PostgreSQL; positions count from 1, 0 is "not found".
    """
    find = sa.func.strpos if dialect == "postgresql" else sa.func.instr
    first = find(region, ".")
    second = find(sa.func.substr(region, first + 1), ".")
    return sa.case(
        (first == 0, sa.null()),
        (second == 0, region),
        else_=sa.func.substr(region, 1, first + second - 1),
    )


def upgrade() -> None:
    """Add the column and the index, and fill the column of the existing rows."""
    op.add_column("lapor_complaints", sa.Column("regency", _code(40), nullable=True))
    where = sa.column("regency").is_not(None)
    op.create_index(
        "ix_lapor_complaints_regency",
        "lapor_complaints",
        ["regency", "submitted_at", "tracking_id"],
        sqlite_where=where,
        postgresql_where=where,
    )
    table = sa.table("lapor_complaints", sa.column("region", sa.String), sa.column("regency", sa.String))
    dialect = op.get_context().dialect.name
    op.execute(
        table.update().where(table.c.region.is_not(None)).values(regency=regency_sql(table.c.region, dialect))
    )


def downgrade() -> None:
    """Drop them (the regency is derived from the region, which stays)."""
    op.drop_index("ix_lapor_complaints_regency", table_name="lapor_complaints")
    op.drop_column("lapor_complaints", "regency")
