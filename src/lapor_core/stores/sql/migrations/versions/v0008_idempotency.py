"""Idempotency keys of submissions: a repeated submission returns the first one's receipt.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

One new table; nothing existing changes. A row holds the keyed hash of an idempotency key (never the key),
the keyed fingerprint of the submission made with it and the complaint it made, and when; the sweep deletes
rows older than the desk's window by ``created_at``. A frozen snapshot like every migration: the column types
are spelled out here, not imported from the live schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.types import TypeEngine

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_MYSQL = ("mysql", "mariadb")
_TABLE = "lapor_idempotency_keys"
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


def _instant() -> TypeEngine[datetime]:
    return (
        sa.DateTime()
        .with_variant(postgresql.TIMESTAMP(timezone=True), "postgresql")
        .with_variant(mysql.DATETIME(fsp=6), *_MYSQL)
    )


def upgrade() -> None:
    """Create the idempotency-key table and its index by age."""
    op.create_table(
        _TABLE,
        sa.Column("key_hash", _code(64), primary_key=True),
        sa.Column("fingerprint", _code(64), nullable=False),
        sa.Column("tracking_id", _code(40), nullable=False),
        sa.Column("created_at", _instant(), nullable=False),
        **_TABLE_OPTIONS,
    )
    op.create_index("ix_lapor_idempotency_keys_created", _TABLE, ["created_at"])


def downgrade() -> None:
    """Drop the idempotency-key table."""
    op.drop_index("ix_lapor_idempotency_keys_created", table_name=_TABLE)
    op.drop_table(_TABLE)
