"""The SQL backend: one adapter in SQLAlchemy Core for SQLite, PostgreSQL and MariaDB/MySQL.

Complaints (:class:`SqlComplaintStore`, with its outbox and statistics) and polls (:class:`SqlPollStore`)
share
one database; the schema ships as Alembic migrations and :func:`upgrade` applies them. The modules inside this
package are private.
"""

from __future__ import annotations

from lapor_core.stores.sql._complaints import (
    REVISIONS,
    SCHEMA_REVISION,
    SchemaMode,
    SqlComplaintStore,
    upgrade,
)
from lapor_core.stores.sql._polls import SqlPollStore

__all__ = ["REVISIONS", "SCHEMA_REVISION", "SchemaMode", "SqlComplaintStore", "SqlPollStore", "upgrade"]
