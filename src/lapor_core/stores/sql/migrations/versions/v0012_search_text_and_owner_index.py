"""Keyword search and "Laporan saya": the folded words of each complaint, and an index by owner (issue 21).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

A nullable column ``search_text`` on ``lapor_complaints`` holds the folded words of the title and body, each
once (what ``lapor_core._domain.filters.searchable`` makes); keyword search tests each query word inside it
with ``LIKE``, so SQLite, PostgreSQL and MariaDB compare the same folded text byte by byte. Existing rows are
filled in batches by the copy of that fold below (a frozen snapshot like every migration; a test keeps it
equal to the library's). Offline (``upgrade(url, sql=True)``) the script cannot compute it: it adds the column
and the index, and the rows written before stay unfound by keyword search until the upgrade runs online.

The partial index ``ix_lapor_complaints_owner`` (owner_hash, submitted_at, tracking_id) lists one signed-in
citizen's complaints in listing order.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import mysql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_BATCH: Final = 500
_WORD: Final = re.compile(r"[^\W_]+")


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def searchable(title: str, body: str) -> str:
    """The folded words of ``title`` and ``body``, each once, joined by spaces (as of revision 0012)."""
    return " ".join(dict.fromkeys((*_WORD.findall(_fold(title)), *_WORD.findall(_fold(body)))))


def _long_text() -> sa.types.TypeEngine[str]:
    """Text of any length: ``MEDIUMTEXT`` on MariaDB/MySQL in the table's collation, as revision 0001."""
    return sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


def _fill() -> None:
    """Write ``search_text`` of every row without one, a batch at a time in tracking-ID order."""
    table = sa.table(
        "lapor_complaints",
        sa.column("tracking_id", sa.String),
        sa.column("title", sa.Text),
        sa.column("body", sa.Text),
        sa.column("search_text", sa.Text),
    )
    bind = op.get_bind()
    after = ""
    while True:
        rows = bind.execute(
            sa.select(table.c.tracking_id, table.c.title, table.c.body)
            .where(table.c.tracking_id > after)
            .order_by(table.c.tracking_id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            table.update().where(table.c.tracking_id == sa.bindparam("tid")),
            [{"tid": tid, "search_text": searchable(title, body)} for tid, title, body in rows],
        )
        after = rows[-1][0]


def upgrade() -> None:
    """Add the column and the index, then fill the column of the existing rows (online only)."""
    op.add_column("lapor_complaints", sa.Column("search_text", _long_text(), nullable=True))
    where = sa.column("owner_hash").is_not(None)
    op.create_index(
        "ix_lapor_complaints_owner",
        "lapor_complaints",
        ["owner_hash", "submitted_at", "tracking_id"],
        sqlite_where=where,
        postgresql_where=where,
    )
    if not context.is_offline_mode():
        _fill()


def downgrade() -> None:
    """Drop them (the words are derived from the title and body, which stay)."""
    op.drop_index("ix_lapor_complaints_owner", table_name="lapor_complaints")
    op.drop_column("lapor_complaints", "search_text")
