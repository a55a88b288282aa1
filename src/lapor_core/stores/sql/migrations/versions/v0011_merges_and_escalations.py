"""Complaints remember what they were merged into and their escalation to the Ombudsman (issue 22).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

Two nullable columns on ``lapor_complaints``: ``merged_into`` (the original's tracking ID, for a duplicate an
admin merged) and ``escalation`` (``open`` or ``concluded``, for a complaint its reporter escalated). Every
existing row keeps NULL: nothing was merged or escalated before this revision. The partial index
``ix_lapor_complaints_escalation`` (escalation, submitted_at, tracking_id) holds the escalated rows only: the
Ombudsman's listing. A frozen snapshot like every migration.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql, postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _code(length: int) -> sa.types.TypeEngine[str]:
    """A code column compared byte by byte (as the schema's ``code(length)``)."""
    return (
        sa.String(length)
        .with_variant(postgresql.VARCHAR(length, collation="C"), "postgresql")
        .with_variant(mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb")
    )


def upgrade() -> None:
    """Add the two columns, NULL for every existing row."""
    # Plain ALTER TABLE on every backend, as revision 0006 (SQLite adds columns in place).
    op.add_column("lapor_complaints", sa.Column("merged_into", _code(40), nullable=True))
    op.add_column("lapor_complaints", sa.Column("escalation", _code(20), nullable=True))
    where = sa.column("escalation").is_not(None)
    op.create_index(
        "ix_lapor_complaints_escalation",
        "lapor_complaints",
        ["escalation", "submitted_at", "tracking_id"],
        sqlite_where=where,
        postgresql_where=where,
    )


def downgrade() -> None:
    """Drop them (merges and escalations stay in the histories)."""
    op.drop_index("ix_lapor_complaints_escalation", table_name="lapor_complaints")
    op.drop_column("lapor_complaints", "escalation")
    op.drop_column("lapor_complaints", "merged_into")
