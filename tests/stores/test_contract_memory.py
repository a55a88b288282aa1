from __future__ import annotations

from collections.abc import Iterator

import pytest

from lapor_core._domain.ports import ComplaintStore
from lapor_core.stores.memory import InMemoryComplaintStore
from lapor_core.testing.contracts import StoreContract


class TestInMemoryComplaintStore(StoreContract):
    """The store contract on the in-memory store."""

    @pytest.fixture
    def store(self) -> Iterator[ComplaintStore]:
        """A new in-memory store."""
        store = InMemoryComplaintStore()
        yield store
        store.close()
