"""The Redis store passes lapor_core's store contract, unchanged."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lapor_redis_store import open_store

from lapor_core.plugins import ComplaintStore
from lapor_core.testing.contracts import StoreContract


class TestRedisComplaintStore(StoreContract):
    """The store contract on Redis."""

    @pytest.fixture
    def store(self, redis_url: str) -> Iterator[ComplaintStore]:
        """A Redis store under a key prefix of its own."""
        store = open_store(redis_url)
        yield store
        store.close()
