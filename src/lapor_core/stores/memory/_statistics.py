"""Statistics for the in-memory store: counts computed over its dictionaries in one pass, without paging.

:class:`InMemoryStatistics` is a mixin that gives a store keeping its complaints in ``_complaints`` (guarded
by ``_lock``), as :class:`~lapor_core.stores.memory.InMemoryComplaintStore` does, the optional
:class:`~lapor_core.plugins.StatisticsStore` capability.

>>> from lapor_core._domain.stats import CountQuery
>>> from lapor_core.stores.memory import InMemoryComplaintStore
>>> from lapor_core.testing.builders import new_complaint
>>> store = InMemoryComplaintStore()  # inherits this mixin
>>> store.save(new_complaint())
>>> [(row.key, row.count) for row in store.count_complaints(CountQuery(["status"]))]
[(('submitted',), 1)]
"""

from __future__ import annotations

import threading

from lapor_core._domain.complaint import Complaint
from lapor_core._domain.stats import CountQuery, CountRow, count_rows

__all__ = ["InMemoryStatistics"]


class InMemoryStatistics:
    """Adds :meth:`count_complaints` to an in-memory store (see the module docstring)."""

    _lock: threading.Lock
    _complaints: dict[str, Complaint]

    def count_complaints(self, query: CountQuery) -> list[CountRow]:
        """Count the complaints matching ``query`` by its keys, over a snapshot taken under the lock."""
        with self._lock:
            snapshot = list(self._complaints.values())
        return count_rows(snapshot, query)
