"""The SDK kit for people who extend or embed lapor_core: fakes, contract suites and builders.

Shipped in the wheel so a third-party store or notifier runs the same contract suite as the built-in ones.
The contract suites need pytest and Hypothesis; they are imported only when first used, so importing
``lapor_core.testing`` for :class:`FrozenClock` or :class:`RecordingNotifier` needs neither.

A plugin's test module needs only::

    from lapor_core.testing import StoreContract

    class TestRedisStore(StoreContract):
        @pytest.fixture
        def store(self):
            ...  # yield a fresh store
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from lapor_core.testing.fakes import FrozenClock
from lapor_core.testing.recording import RecordingNotifier, build_notification

if TYPE_CHECKING:
    from lapor_core.testing.blob_contracts import BlobStoreContract
    from lapor_core.testing.contracts import StoreContract
    from lapor_core.testing.notifier_contracts import NotifierContract, NotifierHarness, Received
    from lapor_core.testing.outbox_contracts import OutboxStoreContract
    from lapor_core.testing.poll_contracts import PollStoreContract

__all__ = [
    "BlobStoreContract",
    "FrozenClock",
    "NotifierContract",
    "NotifierHarness",
    "OutboxStoreContract",
    "PollStoreContract",
    "Received",
    "RecordingNotifier",
    "StoreContract",
    "build_notification",
]

_LAZY = {
    "BlobStoreContract": "lapor_core.testing.blob_contracts",
    "StoreContract": "lapor_core.testing.contracts",
    "NotifierContract": "lapor_core.testing.notifier_contracts",
    "NotifierHarness": "lapor_core.testing.notifier_contracts",
    "Received": "lapor_core.testing.notifier_contracts",
    "OutboxStoreContract": "lapor_core.testing.outbox_contracts",
    "PollStoreContract": "lapor_core.testing.poll_contracts",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'lapor_core.testing' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
