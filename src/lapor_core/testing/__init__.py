"""The SDK kit for people who extend or embed lapor_core: fakes, contract suites and Hypothesis strategies.

Shipped in the wheel so a third-party store or notifier runs the same contract suite as the built-in ones.
"""

from __future__ import annotations

from lapor_core.testing.fakes import FrozenClock

__all__ = ["FrozenClock"]
