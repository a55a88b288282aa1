"""Connected institution systems: their registrations and the IDs of the events they sent.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

Two new tables; nothing existing changes. ``lapor_integrations`` holds one row per connected institution: its
endpoint and the salts its secrets are derived from under the deployment's pepper (no secret is stored).
``lapor_integration_events`` holds one row per event ID an institution's system sent, claimed before its
command runs, with the answer given to every repeat; old rows are pruned by ``claimed_at``. A frozen snapshot
like every migration: the column types are spelled out here, not imported from the live schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.types import TypeEngine

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_MYSQL = ("mysql", "mariadb")
_REGISTRATIONS = "lapor_integrations"
_EVENTS = "lapor_integration_events"
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


def _instant() -> TypeEngine[datetime]:
    return (
        sa.DateTime()
        .with_variant(postgresql.TIMESTAMP(timezone=True), "postgresql")
        .with_variant(mysql.DATETIME(fsp=6), *_MYSQL)
    )


def upgrade() -> None:
    """Create the registration and event tables, and the events' index by age."""
    op.create_table(
        _REGISTRATIONS,
        sa.Column("institution", _code(100), primary_key=True),
        sa.Column("endpoint", sa.Text),
        sa.Column("salt", _code(64), nullable=False),
        sa.Column("previous_salt", _code(64)),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("rotated_at", _instant(), nullable=False),
        **_TABLE_OPTIONS,
    )
    op.create_table(
        _EVENTS,
        sa.Column("institution", _code(100), primary_key=True),
        sa.Column("event_id", _code(200), primary_key=True),
        sa.Column("claimed_at", _instant(), nullable=False),
        sa.Column("answer", sa.Text().with_variant(mysql.MEDIUMTEXT(), *_MYSQL), nullable=False),
        sqlite_with_rowid=False,
        **_TABLE_OPTIONS,
    )
    op.create_index("ix_lapor_integration_events_claimed", _EVENTS, ["claimed_at"])


def downgrade() -> None:
    """Drop the event and registration tables."""
    op.drop_index("ix_lapor_integration_events_claimed", table_name=_EVENTS)
    op.drop_table(_EVENTS)
    op.drop_table(_REGISTRATIONS)
