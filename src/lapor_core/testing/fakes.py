"""Fakes for tests of code that embeds lapor_core."""

from __future__ import annotations

from lapor_core._domain.ports import FrozenClock

__all__ = ["FrozenClock"]
