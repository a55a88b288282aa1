"""The :class:`~lapor_core.plugins.OutboxStore` side of the in-memory store: leases, retries and dead letters.

:class:`InMemoryOutbox` is a mixin for a store that keeps its pending outbox as the list ``_outbox`` guarded
by ``_lock`` (as :class:`~lapor_core.stores.memory.InMemoryComplaintStore` does). Delivery state lives beside
the list, keyed by message ID: a message leaves the list when it is acknowledged or dead-lettered, so
``pending_outbox`` stays what it was.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

import attrs

from lapor_core._domain.complaint import OutboxMessage
from lapor_core._domain.ports import DeadLetter, OutboxClaim
from lapor_core.plugins._outbox import check_claim, check_instant, check_limit, clip_error

__all__ = ["InMemoryOutbox"]


@attrs.frozen
class _Delivery:
    """Where one pending message stands: failed attempts, when it is due, who holds it until when."""

    attempts: int = 0
    retry_at: datetime | None = None
    token: str | None = None
    lease_until: datetime | None = None
    last_error: str | None = None

    def free_at(self, now: datetime) -> bool:
        due = self.retry_at is None or self.retry_at <= now
        return due and (self.lease_until is None or self.lease_until <= now)


class InMemoryOutbox:
    """Leases, retries and dead letters for an in-memory outbox list (``_outbox`` under ``_lock``)."""

    _lock: threading.Lock
    _outbox: list[OutboxMessage]

    def __init__(self) -> None:
        self._deliveries: dict[str, _Delivery] = {}
        self._dead: dict[str, DeadLetter] = {}

    def claim_outbox(self, now: datetime, *, lease: timedelta, limit: int = 100) -> Sequence[OutboxClaim]:
        """Lease up to ``limit`` due, free, pending messages (:class:`~lapor_core.plugins.OutboxStore`)."""
        check_claim(now, lease, limit)
        token = uuid.uuid4().hex
        until = now + lease
        claims: list[OutboxClaim] = []
        with self._lock:
            for message in self._outbox:
                if len(claims) == limit:
                    break
                state = self._deliveries.get(message.id, _Delivery())
                if not state.free_at(now):
                    continue
                self._deliveries[message.id] = attrs.evolve(state, token=token, lease_until=until)
                claims.append(OutboxClaim(message, token, state.attempts, until))
        return tuple(claims)

    def acknowledge_outbox(self, claim: OutboxClaim) -> None:
        """Remove the delivered message for good (from the dead letters too, if a lost lease put it there)."""
        message_id = claim.message.id
        with self._lock:
            self._remove_pending(message_id)
            self._dead.pop(message_id, None)

    def reschedule_outbox(self, claim: OutboxClaim, *, error: str, retry_at: datetime) -> bool:
        """Count a failed attempt and free the message from ``retry_at``; False if the lease was lost."""
        check_instant("retry_at", retry_at)
        with self._lock:
            state = self._held(claim)
            if state is None:
                return False
            self._deliveries[claim.message.id] = _Delivery(
                attempts=state.attempts + 1, retry_at=retry_at, last_error=clip_error(error)
            )
            return True

    def dead_letter_outbox(self, claim: OutboxClaim, *, error: str, now: datetime) -> bool:
        """Count a last failed attempt and dead-letter the message; False if the lease was lost."""
        check_instant("now", now)
        with self._lock:
            state = self._held(claim)
            if state is None:
                return False
            message = self._remove_pending(claim.message.id)
            if message is None:  # pragma: no cover - a held message is pending by construction
                return False
            self._dead[message.id] = DeadLetter(message, state.attempts + 1, clip_error(error), now)
            return True

    def dead_letters(self, *, limit: int = 100) -> Sequence[DeadLetter]:
        """The dead letters, oldest first."""
        check_limit(limit)
        with self._lock:
            letters = list(self._dead.values())
        letters.sort(key=lambda d: d.dead_at)
        return tuple(letters[:limit])

    def retry_dead_letter(self, message_id: str, *, now: datetime) -> bool:
        """Queue a dead letter again, due at ``now`` with no attempts; False when there is none by that ID."""
        check_instant("now", now)
        with self._lock:
            letter = self._dead.pop(message_id, None) if isinstance(message_id, str) else None
            if letter is None:
                return False
            message = letter.message
            # Back in queue order: before the first message queued after it.
            later = (i for i, m in enumerate(self._outbox) if m.created_at > message.created_at)
            index = next(later, len(self._outbox))
            self._outbox.insert(index, message)
            self._deliveries[message.id] = _Delivery(retry_at=now)
            return True

    def _held(self, claim: OutboxClaim) -> _Delivery | None:
        """The message's state while ``claim`` holds it, else None (caller holds the lock)."""
        state = self._deliveries.get(claim.message.id)
        return state if state is not None and state.token == claim.token else None

    def _remove_pending(self, message_id: str) -> OutboxMessage | None:
        """Take a message out of the pending list (caller holds the lock)."""
        self._deliveries.pop(message_id, None)
        for index, message in enumerate(self._outbox):
            if message.id == message_id:
                return self._outbox.pop(index)
        return None
