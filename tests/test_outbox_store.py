from __future__ import annotations

from collections.abc import Iterator

import pytest

from lapor_core.stores.memory import InMemoryComplaintStore
from lapor_core.testing.outbox_contracts import OutboxStoreContract


class TestInMemoryOutbox(OutboxStoreContract):
    """The outbox contract on the in-memory store."""

    @pytest.fixture
    def store(self) -> Iterator[InMemoryComplaintStore]:
        """A new in-memory store."""
        store = InMemoryComplaintStore()
        yield store
        store.close()
