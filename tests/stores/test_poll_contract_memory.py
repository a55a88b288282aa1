"""The PollStore contract on the in-memory poll store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lapor_core._domain.ports import PollStore
from lapor_core.stores.memory import InMemoryPollStore
from lapor_core.testing.poll_contracts import PollStoreContract


class TestInMemoryPollStore(PollStoreContract):
    """The in-memory poll store passes the whole contract."""

    @pytest.fixture
    def poll_store(self) -> Iterator[PollStore]:
        """A new, empty in-memory poll store."""
        store = InMemoryPollStore()
        yield store
        store.close()
