"""Create the complaint, event, identity and outbox tables.

Revision ID: 0001
Revises:
Create Date: 2026-03-17

A migration is a frozen snapshot: it spells out its column types instead of importing the live schema, so
later changes to ``_sql_schema.py`` cannot rewrite history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.types import TypeEngine

revision = "0001"
down_revision = None
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
    """Create the four tables and their indexes."""
    op.create_table(
        "lapor_complaints",
        sa.Column("tracking_id", _code(40), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", _code(20), nullable=False),
        sa.Column("kind", _code(40), nullable=False),
        sa.Column("channel", _code(20), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", _long_text(), nullable=False),
        sa.Column("category", _code(100)),
        sa.Column("region", _code(40)),
        sa.Column("location", sa.Text),
        sa.Column("anonymous", sa.Boolean, nullable=False),
        sa.Column("confidential", sa.Boolean, nullable=False),
        sa.Column("reporter_flags", sa.Text, nullable=False),
        sa.Column("identity_ref", _code(100)),
        sa.Column("owner_hash", _code(200)),
        sa.Column("access_salt", sa.LargeBinary, nullable=False),
        sa.Column("access_digest", sa.LargeBinary, nullable=False),
        sa.Column("institution", _code(100)),
        sa.Column("unit", _code(100)),
        sa.Column("declined_by", sa.Text, nullable=False),
        sa.Column("submitted_at", _instant(), nullable=False),
        sa.Column("updated_at", _instant(), nullable=False),
        sa.Column("published_at", _instant()),
        sa.Column("next_due_at", _instant()),
        sa.Column("rating", sa.SmallInteger),
        sa.Column("supporters", _long_text(), nullable=False),
        **_TABLE_OPTIONS,
    )
    op.create_table(
        "lapor_events",
        sa.Column("complaint_id", _code(40), sa.ForeignKey("lapor_complaints.tracking_id"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("action", _code(40), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("at", _instant(), nullable=False),
        sa.Column("payload", _long_text(), nullable=False),
        sa.Column("prev_hash", _code(64), nullable=False),
        sa.Column("hash", _code(64), nullable=False),
        sqlite_with_rowid=False,
        **_TABLE_OPTIONS,
    )
    op.create_table(
        "lapor_identities",
        sa.Column("ref", _code(100), primary_key=True),
        sa.Column("name", sa.Text),
        sa.Column("email", sa.Text),
        sa.Column("phone", sa.Text),
        sa.Column("nik", sa.Text),
        sa.Column("account_id", sa.Text),
        sa.Column("erased", sa.Boolean, nullable=False),
        sqlite_with_rowid=False,
        **_TABLE_OPTIONS,
    )
    op.create_table(
        "lapor_outbox",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("id", _code(100), nullable=False, unique=True),
        sa.Column("tracking_id", _code(40), sa.ForeignKey("lapor_complaints.tracking_id"), nullable=False),
        sa.Column("event", _code(40), nullable=False),
        sa.Column("recipient_role", _code(40), nullable=False),
        sa.Column("recipient_ref", _code(100)),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("context", _long_text(), nullable=False),
        **_TABLE_OPTIONS,
    )
    ordering = ["submitted_at", "tracking_id"]
    partial = [
        ("ix_lapor_complaints_due", ["next_due_at", "tracking_id"]),
        ("ix_lapor_complaints_inbox", ["institution", "status", *ordering]),
        ("ix_lapor_complaints_unit", ["unit", "status", *ordering]),
        ("ix_lapor_complaints_category", ["category", *ordering]),
        ("ix_lapor_complaints_region", ["region", *ordering]),
    ]
    for name, columns in partial:
        where = sa.text(f"{columns[0]} IS NOT NULL")
        op.create_index(name, "lapor_complaints", columns, sqlite_where=where, postgresql_where=where)
    op.create_index("ix_lapor_complaints_status", "lapor_complaints", ["status", *ordering])
    op.create_index("ix_lapor_complaints_submitted", "lapor_complaints", ordering)


def downgrade() -> None:
    """Drop everything :func:`upgrade` created."""
    op.drop_table("lapor_outbox")
    op.drop_table("lapor_identities")
    op.drop_table("lapor_events")
    op.drop_table("lapor_complaints")
