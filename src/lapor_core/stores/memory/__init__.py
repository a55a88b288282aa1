"""The in-memory backend: complaints (with outbox and statistics), polls, blobs and integrations in dicts.

For tests, demonstrations and single-process tools; the modules inside this package are private.
"""

from __future__ import annotations

from lapor_core.stores.memory._blobs import InMemoryBlobStore
from lapor_core.stores.memory._complaints import InMemoryComplaintStore
from lapor_core.stores.memory._integrations import InMemoryIntegrationStore
from lapor_core.stores.memory._polls import InMemoryPollStore

__all__ = ["InMemoryBlobStore", "InMemoryComplaintStore", "InMemoryIntegrationStore", "InMemoryPollStore"]
