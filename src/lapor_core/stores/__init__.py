"""Built-in store adapters: in memory, and SQL (SQLite, PostgreSQL, MariaDB) with the ``sql`` extra.

:func:`open_store` picks one by URL scheme; third-party stores register theirs under the entry point group
:data:`ENTRY_POINT_GROUP`. Each backend is a package (:mod:`lapor_core.stores.memory`,
:mod:`lapor_core.stores.sql`) whose modules are private. The in-memory classes load on first use, and the SQL
adapter (and SQLAlchemy) only when a SQL URL is opened or :mod:`lapor_core.stores.sql` imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lapor_core.stores._registry import ENTRY_POINT_GROUP, SQL_SCHEMES, known_schemes, open_store

if TYPE_CHECKING:
    from lapor_core.stores.memory import InMemoryComplaintStore, InMemoryPollStore

__all__ = [
    "ENTRY_POINT_GROUP",
    "SQL_SCHEMES",
    "InMemoryComplaintStore",
    "InMemoryPollStore",
    "known_schemes",
    "open_store",
]

_LAZY = frozenset({"InMemoryComplaintStore", "InMemoryPollStore"})


def __getattr__(name: str) -> object:
    """Import the in-memory stores on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from lapor_core.stores import memory  # noqa: PLC0415 - loaded on first use

    value: object = getattr(memory, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
