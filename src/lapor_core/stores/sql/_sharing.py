"""What the SQL stores beside the complaint store share: their tables live in a complaint store's database.

The poll, blob and integration stores each run on a :class:`SqlComplaintStore`'s connections: one the caller
already has (shared, so one database serves the desk), or their own, opened from a URL and closed with them.

Internal: the stores built on it are public; this base is not.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from lapor_core.stores.sql._complaints import SqlComplaintStore
from lapor_core.stores.sql._driver import Driver

__all__ = ["SharingStore"]


class SharingStore:
    """A store on a complaint store's connections: the one given, or its own opened from a URL.

    Args:
        source: A SQL URL (the store opens, and closes, a complaint store of its own), or a
            :class:`SqlComplaintStore` whose connections it shares (left open when this store closes).
        options: The options of :class:`SqlComplaintStore`, for a URL.

    Raises:
        TypeError: Options given with a shared complaint store (they configure a store opened from a URL).
    """

    def __init__(self, source: str | sa.URL | SqlComplaintStore, **options: Any) -> None:
        if isinstance(source, SqlComplaintStore):
            if options:
                raise TypeError("options configure a store opened from a URL, not a shared one")
            self._owned: SqlComplaintStore | None = None
            self._store = source
        else:
            self._store = self._owned = SqlComplaintStore(source, **options)
        # The complaint store's driver: its connections, and the lock of in-memory SQLite's one connection.
        self._driver: Driver = self._store._driver

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._store!r})"

    def close(self) -> None:
        """Close the complaint store this store opened from a URL; a shared one stays open."""
        if self._owned is not None:
            self._owned.close()
