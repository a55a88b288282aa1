"""The in-memory integration store: registrations and handled event IDs in dictionaries, lost at exit."""

from __future__ import annotations

import threading
from datetime import datetime

from lapor_core._domain.integrations import IntegrationRecord
from lapor_core.plugins._outbox import check_instant

__all__ = ["InMemoryIntegrationStore"]


class InMemoryIntegrationStore:
    """A :class:`~lapor_core.plugins.IntegrationStore` in memory, for tests and demonstrations."""

    def __init__(self) -> None:
        self._records: dict[str, IntegrationRecord] = {}
        self._events: dict[tuple[str, str], tuple[datetime, str]] = {}
        self._lock = threading.Lock()

    def put_integration(self, record: IntegrationRecord) -> None:
        """Insert or replace the registration of ``record.institution``."""
        with self._lock:
            self._records[record.institution] = record

    def integration(self, institution: str) -> IntegrationRecord | None:
        """The institution's registration, or None."""
        with self._lock:
            return self._records.get(institution)

    def integrations(self) -> tuple[IntegrationRecord, ...]:
        """Every registration, by institution code."""
        with self._lock:
            return tuple(self._records[code] for code in sorted(self._records))

    def remove_integration(self, institution: str) -> bool:
        """Remove a registration and its handled event IDs; True if there was one."""
        with self._lock:
            for key in [key for key in self._events if key[0] == institution]:
                del self._events[key]
            return self._records.pop(institution, None) is not None

    def claim_event(self, institution: str, event_id: str, at: datetime) -> str | None:
        """Claim an event ID: None when this call claimed it; else the stored answer ("" while unsettled)."""
        check_instant("at", at)
        with self._lock:
            found = self._events.get((institution, event_id))
            if found is not None:
                return found[1]
            self._events[institution, event_id] = (at, "")
            return None

    def settle_event(self, institution: str, event_id: str, answer: str) -> None:
        """Store the answer of a claimed event."""
        with self._lock:
            claimed = self._events.get((institution, event_id))
            if claimed is not None:
                self._events[institution, event_id] = (claimed[0], answer)

    def release_event(self, institution: str, event_id: str) -> None:
        """Forget an unsettled claim."""
        with self._lock:
            if self._events.get((institution, event_id), (None, "x"))[1] == "":
                del self._events[institution, event_id]

    def prune_events(self, before: datetime) -> int:
        """Forget the events claimed before ``before``; return how many."""
        check_instant("before", before)
        with self._lock:
            old = [key for key, (at, _) in self._events.items() if at < before]
            for key in old:
                del self._events[key]
            return len(old)
