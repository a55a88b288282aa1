"""The in-memory backend: complaints (with their outbox and statistics), polls and blobs in dictionaries.

For tests, demonstrations and single-process tools; the modules inside this package are private.
"""

from __future__ import annotations

from lapor_core.stores.memory._blobs import InMemoryBlobStore
from lapor_core.stores.memory._complaints import InMemoryComplaintStore
from lapor_core.stores.memory._polls import InMemoryPollStore

__all__ = ["InMemoryBlobStore", "InMemoryComplaintStore", "InMemoryPollStore"]
