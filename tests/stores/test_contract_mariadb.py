from __future__ import annotations

from collections.abc import Iterator

import pytest

from lapor_core._domain.ports import ComplaintStore
from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.testing.contracts import StoreContract

pytestmark = pytest.mark.services


class TestMariadbComplaintStore(StoreContract):
    """The store contract on MariaDB."""

    @pytest.fixture
    def store(self, clean_mariadb_url: str) -> Iterator[ComplaintStore]:
        """A SQL store on the session's MariaDB database, emptied for the test."""
        store = SqlComplaintStore(clean_mariadb_url, pool_size=4)
        yield store
        store.close()
