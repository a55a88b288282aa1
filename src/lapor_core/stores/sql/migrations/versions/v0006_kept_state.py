"""Complaints keep what a command continues from: the last event's hash and the open SLA clocks.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

Two nullable columns on ``lapor_complaints``: ``head_hash`` (the hash of the complaint's last event) and
``sla_state`` (its open service-level clocks as JSON, :class:`lapor_core._domain.sla.SlaState`). Rows written
before this revision keep NULL: the kernel replays their history on their next command and saves the state
then, and ``ComplaintDesk.recompute_deadlines()`` fills in every open one at once. A frozen snapshot like
every migration.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql, postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _code() -> sa.types.TypeEngine[str]:
    """A 64-character code column compared byte by byte (as the schema's ``code(64)``)."""
    return (
        sa.String(64)
        .with_variant(postgresql.VARCHAR(64, collation="C"), "postgresql")
        .with_variant(mysql.VARCHAR(64, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb")
    )


def upgrade() -> None:
    """Add the two columns, NULL for every existing row."""
    # Plain ALTER TABLE on every backend (SQLite adds and, since 3.35, drops columns in place; a batch
    # migration would copy the table, which its foreign keys forbid).
    op.add_column("lapor_complaints", sa.Column("head_hash", _code(), nullable=True))
    op.add_column("lapor_complaints", sa.Column("sla_state", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop them (commands then replay every history again)."""
    op.drop_column("lapor_complaints", "sla_state")
    op.drop_column("lapor_complaints", "head_hash")
