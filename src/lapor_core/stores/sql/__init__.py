"""The SQL backend: one adapter in SQLAlchemy Core for SQLite, PostgreSQL and MariaDB/MySQL.

Complaints (:class:`SqlComplaintStore`, with its outbox and statistics), polls (:class:`SqlPollStore`),
attachments' bytes (:class:`SqlBlobStore`) and connected institution systems (:class:`SqlIntegrationStore`)
share one database; the schema ships as Alembic migrations and :func:`upgrade` applies them. The store's
keyword options are :data:`STORE_OPTIONS`; :func:`lapor_core.stores.open_store` and ``ComplaintDesk.open``
check their names and values before the store opens. The modules inside this package are private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lapor_core.stores.sql._complaints import (
    REVISIONS,
    SCHEMA_REVISION,
    SchemaMode,
    SqlComplaintStore,
    upgrade,
)
from lapor_core.stores.sql._options import STORE_OPTIONS

if TYPE_CHECKING:
    from lapor_core.stores.sql._blobs import SqlBlobStore
    from lapor_core.stores.sql._integrations import SqlIntegrationStore
    from lapor_core.stores.sql._polls import SqlPollStore

__all__ = [
    "REVISIONS",
    "SCHEMA_REVISION",
    "STORE_OPTIONS",
    "SchemaMode",
    "SqlBlobStore",
    "SqlComplaintStore",
    "SqlIntegrationStore",
    "SqlPollStore",
    "upgrade",
]


def __getattr__(name: str) -> Any:
    # The poll store and the poll rules load with their first use: a desk opened for complaints skips them.
    if name == "SqlPollStore":
        from lapor_core.stores.sql._polls import SqlPollStore  # noqa: PLC0415

        return SqlPollStore
    if name == "SqlBlobStore":
        from lapor_core.stores.sql._blobs import SqlBlobStore  # noqa: PLC0415

        return SqlBlobStore
    if name == "SqlIntegrationStore":
        from lapor_core.stores.sql._integrations import SqlIntegrationStore  # noqa: PLC0415

        return SqlIntegrationStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
