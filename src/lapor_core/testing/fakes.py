"""Fakes for tests of code that embeds lapor_core."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

__all__ = ["FrozenClock"]


class FrozenClock:
    """A :class:`~lapor_core.plugins.Clock` that stands still until told to move.

    >>> from datetime import datetime, timedelta, timezone
    >>> clock = FrozenClock(datetime(2026, 3, 17, 10, tzinfo=timezone(timedelta(hours=7))))
    >>> clock.advance(hours=2).hour
    12
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError("FrozenClock needs a timezone-aware start")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The instant the clock stands at."""
        with self._lock:
            return self._now

    def set(self, instant: datetime) -> datetime:
        """Move to ``instant`` (aware; may go backwards) and return it."""
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("FrozenClock needs timezone-aware instants")
        with self._lock:
            self._now = instant
            return instant

    def advance(self, **delta: float) -> datetime:
        """Move forward by ``timedelta(**delta)`` and return the new instant."""
        with self._lock:
            self._now += timedelta(**delta)
            return self._now
