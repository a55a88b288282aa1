"""Built-in store adapters: in memory, and SQL (SQLite, PostgreSQL, MariaDB) with the ``sql`` extra.

:func:`open_store` picks one by URL scheme; third-party stores register theirs under the entry point group
:data:`ENTRY_POINT_GROUP`. The SQL adapter (and SQLAlchemy) is imported only when a SQL URL is opened.
"""

from __future__ import annotations

from lapor_core.stores._registry import ENTRY_POINT_GROUP, known_schemes, open_store
from lapor_core.stores.memory import InMemoryComplaintStore

__all__ = ["ENTRY_POINT_GROUP", "InMemoryComplaintStore", "known_schemes", "open_store"]
