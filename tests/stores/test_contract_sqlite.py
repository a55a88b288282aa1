from __future__ import annotations

from collections.abc import Iterator

import pytest

from lapor_core._domain.ports import ComplaintStore
from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.testing.contracts import StoreContract


class TestSqliteFileComplaintStore(StoreContract):
    """The store contract on a SQLite file."""

    @pytest.fixture
    def store(self, sqlite_url: str) -> Iterator[ComplaintStore]:
        """A SQL store on a new SQLite file, in WAL mode with synchronous=FULL (the defaults)."""
        store = SqlComplaintStore(sqlite_url)
        yield store
        store.close()


class TestSqliteMemoryComplaintStore(StoreContract):
    """The store contract on in-memory SQLite."""

    @pytest.fixture
    def store(self) -> Iterator[ComplaintStore]:
        """A SQL store on a private in-memory SQLite database (one connection behind a lock)."""
        store = SqlComplaintStore("sqlite://")
        yield store
        store.close()
