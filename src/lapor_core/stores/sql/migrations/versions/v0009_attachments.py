"""Attachments' bytes: the SQL blob store's table of chunks.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

One new table; nothing existing changes. A blob is its content address (the hex SHA-256 of its bytes) and its
chunks of at most 1 MiB, numbered from 0 and inserted in one transaction, so a blob is whole or absent. A
frozen snapshot like every migration: the column types are spelled out here, not imported from the live
schema (``LONGBLOB`` on MariaDB/MySQL, whose ``BLOB`` holds 64 KiB).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.types import TypeEngine

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_MYSQL = ("mysql", "mariadb")
_TABLE = "lapor_blob_chunks"
_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mariadb_engine": "InnoDB",
    "mariadb_charset": "utf8mb4",
    "mariadb_collate": "utf8mb4_bin",
    "sqlite_with_rowid": False,
}


def _code(length: int) -> TypeEngine[str]:
    return (
        sa.String(length)
        .with_variant(postgresql.VARCHAR(length, collation="C"), "postgresql")
        .with_variant(mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin"), *_MYSQL)
    )


def upgrade() -> None:
    """Create the blob chunk table."""
    op.create_table(
        _TABLE,
        sa.Column("address", _code(64), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("data", sa.LargeBinary().with_variant(mysql.LONGBLOB(), *_MYSQL), nullable=False),
        **_TABLE_OPTIONS,
    )


def downgrade() -> None:
    """Drop the blob chunk table."""
    op.drop_table(_TABLE)
