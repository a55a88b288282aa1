"""The in-memory backend: complaints (with their outbox and statistics) and polls in dictionaries.

For tests, demonstrations and single-process tools; the modules inside this package are private.
"""

from __future__ import annotations

from lapor_core.stores.memory._complaints import InMemoryComplaintStore
from lapor_core.stores.memory._polls import InMemoryPollStore

__all__ = ["InMemoryComplaintStore", "InMemoryPollStore"]
