"""Policy-opinion polls: the polls, their voters, their ballots and their counters.

Revision ID: 0003
Revises: 0002
Create Date: 2026-03-19

Four new tables; nothing existing changes. Voters and ballots share no column but the poll's ID (a voter row
refers to its ballot only as ``ref ^ seal``), and none of them records a time. A frozen snapshot like every
migration: the column types are spelled out here, not imported from the live schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.types import TypeEngine

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_MYSQL = ("mysql", "mariadb")
_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mariadb_engine": "InnoDB",
    "mariadb_charset": "utf8mb4",
    "mariadb_collate": "utf8mb4_bin",
}


def _code(length: int) -> TypeEngine[str]:
    return (
        sa.String(length)
        .with_variant(postgresql.VARCHAR(length, collation="C"), "postgresql")
        .with_variant(mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin"), *_MYSQL)
    )


def _long_text() -> TypeEngine[str]:
    return sa.Text().with_variant(mysql.MEDIUMTEXT(), *_MYSQL)


def _instant() -> TypeEngine[datetime]:
    return (
        sa.DateTime()
        .with_variant(postgresql.TIMESTAMP(timezone=True), "postgresql")
        .with_variant(mysql.DATETIME(fsp=6), *_MYSQL)
    )


def upgrade() -> None:
    """Create the four poll tables and their indexes."""
    op.create_table(
        "lapor_polls",
        sa.Column("id", _code(64), primary_key=True),
        sa.Column("institution", _code(100), nullable=False),
        sa.Column("state", _code(20), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("option_count", sa.SmallInteger, nullable=False),
        sa.Column("opens_at", _instant(), nullable=False),
        sa.Column("closes_at", _instant(), nullable=False),
        sa.Column("closed_at", _instant()),
        sa.Column("definition", _long_text(), nullable=False),
        sa.Column("history", _long_text(), nullable=False),
        **_TABLE_OPTIONS,
    )
    op.create_index("ix_lapor_polls_opening", "lapor_polls", ["opens_at", "id"])
    op.create_index("ix_lapor_polls_institution", "lapor_polls", ["institution", "opens_at", "id"])
    op.create_table(
        "lapor_poll_voters",
        sa.Column("poll_id", _code(64), sa.ForeignKey("lapor_polls.id"), primary_key=True),
        sa.Column("voter", _code(64), primary_key=True),
        sa.Column("sealed", sa.BigInteger, nullable=False),
        sqlite_with_rowid=False,
        **_TABLE_OPTIONS,
    )
    op.create_table(
        "lapor_poll_ballots",
        sa.Column("poll_id", _code(64), sa.ForeignKey("lapor_polls.id"), primary_key=True),
        sa.Column("ref", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("choices", sa.Integer, nullable=False),
        sa.Column("province", _code(2)),
        sa.Column("regency", _code(5)),
        sqlite_with_rowid=False,
        **_TABLE_OPTIONS,
    )
    op.create_table(
        "lapor_poll_counts",
        sa.Column("poll_id", _code(64), sa.ForeignKey("lapor_polls.id"), primary_key=True),
        sa.Column("region", _code(8), primary_key=True),
        sa.Column("choice", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("votes", sa.BigInteger, nullable=False),
        sqlite_with_rowid=False,
        **_TABLE_OPTIONS,
    )


def downgrade() -> None:
    """Drop the poll tables (every poll, ballot and count with them)."""
    op.drop_table("lapor_poll_counts")
    op.drop_table("lapor_poll_ballots")
    op.drop_table("lapor_poll_voters")
    op.drop_index("ix_lapor_polls_institution", table_name="lapor_polls")
    op.drop_index("ix_lapor_polls_opening", table_name="lapor_polls")
    op.drop_table("lapor_polls")
