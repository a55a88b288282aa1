"""The PollStore contract on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lapor_core._domain.ports import PollStore
from lapor_core.stores.sql._polls import SqlPollStore
from lapor_core.testing.poll_contracts import PollStoreContract

pytestmark = pytest.mark.services


class TestPostgresPollStore(PollStoreContract):
    """The poll store contract on PostgreSQL."""

    @pytest.fixture
    def poll_store(self, clean_postgres_url: str) -> Iterator[PollStore]:
        """A SQL poll store on the session's PostgreSQL database, emptied for the test."""
        store = SqlPollStore(clean_postgres_url, pool_size=4)
        yield store
        store.close()
