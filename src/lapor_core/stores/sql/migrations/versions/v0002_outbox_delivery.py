"""Delivery state on the outbox: attempts, retries, leases and dead letters.

Revision ID: 0002
Revises: 0001
Create Date: 2026-03-18

Every queued row gains the columns the dispatcher's claims, retries and dead letters need. Existing rows
become pending, due at once and never tried (``attempts`` defaults to 0, the rest to NULL). A frozen
snapshot like every migration: the column types are spelled out here, not imported from the live schema.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.types import TypeEngine

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_MYSQL = ("mysql", "mariadb")


def _instant() -> TypeEngine[datetime]:
    return (
        sa.DateTime()
        .with_variant(postgresql.TIMESTAMP(timezone=True), "postgresql")
        .with_variant(mysql.DATETIME(fsp=6), *_MYSQL)
    )


def _token() -> TypeEngine[str]:
    return (
        sa.String(32)
        .with_variant(postgresql.VARCHAR(32, collation="C"), "postgresql")
        .with_variant(mysql.VARCHAR(32, charset="utf8mb4", collation="utf8mb4_bin"), *_MYSQL)
    )


def upgrade() -> None:
    """Add the delivery columns and the index claims and dead-letter listings read."""
    # Plain ALTER TABLE ADD COLUMN everywhere (SQLite too): no table copy, and `lapor db upgrade --sql` works.
    columns = (
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("retry_at", _instant()),
        sa.Column("lease_token", _token()),
        sa.Column("lease_until", _instant()),
        sa.Column("last_error", sa.Text),
        sa.Column("dead_at", _instant()),
    )
    for column in columns:
        op.add_column("lapor_outbox", column)
    op.create_index("ix_lapor_outbox_dead", "lapor_outbox", ["dead_at", "position"])


def downgrade() -> None:
    """Drop what :func:`upgrade` added (dead letters become pending messages again)."""
    op.drop_index("ix_lapor_outbox_dead", table_name="lapor_outbox")
    with op.batch_alter_table("lapor_outbox") as table:
        for name in ("dead_at", "last_error", "lease_until", "lease_token", "retry_at", "attempts"):
            table.drop_column(name)
