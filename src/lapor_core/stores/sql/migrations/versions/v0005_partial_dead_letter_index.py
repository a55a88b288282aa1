"""The dead-letter index holds only dead letters.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28

``ix_lapor_outbox_dead (dead_at, position)`` indexed every queued message, so queueing one wrote a page of
it although only dead letters are ever listed by it. On SQLite and PostgreSQL it becomes partial
(``WHERE dead_at IS NOT NULL``); MariaDB/MySQL have no partial indexes and keep it whole. A frozen snapshot
like every migration.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_NAME = "ix_lapor_outbox_dead"
_COLUMNS = ["dead_at", "position"]


def upgrade() -> None:
    """Rebuild the dead-letter index as a partial one where the database has them."""
    if op.get_context().dialect.name not in ("sqlite", "postgresql"):
        return
    dead = sa.column("dead_at").is_not(None)
    op.drop_index(_NAME, table_name="lapor_outbox")
    op.create_index(_NAME, "lapor_outbox", _COLUMNS, sqlite_where=dead, postgresql_where=dead)


def downgrade() -> None:
    """Index every message again."""
    if op.get_context().dialect.name not in ("sqlite", "postgresql"):
        return
    op.drop_index(_NAME, table_name="lapor_outbox")
    op.create_index(_NAME, "lapor_outbox", _COLUMNS)
