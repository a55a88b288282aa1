"""The statistics index: every column a count reads, status and the confidential flag first.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

Counting by province and status over a million complaints read the whole table and sorted every row;
with this covering index the database aggregates while it reads the index in order (see
``lapor_core.stores.sql._statistics``). A frozen snapshot like every migration: the column list is spelled out
here, not imported from the live schema.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_COLUMNS = [
    "status",
    "confidential",
    "region",
    "category",
    "anonymous",
    "institution",
    "unit",
    "kind",
    "channel",
    "submitted_at",
]


def upgrade() -> None:
    """Create ``ix_lapor_complaints_stats`` (on a large table this reads every complaint once)."""
    op.create_index("ix_lapor_complaints_stats", "lapor_complaints", _COLUMNS)


def downgrade() -> None:
    """Drop the statistics index."""
    op.drop_index("ix_lapor_complaints_stats", table_name="lapor_complaints")
