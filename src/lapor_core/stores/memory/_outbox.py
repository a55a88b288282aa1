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
from lapor_core.errors import FieldError, ValidationError

__all__ = ["MAX_CLAIM", "MAX_ERROR", "InMemoryOutbox", "check_claim", "check_instant", "clip_error"]

MAX_CLAIM = 1000
"""The most messages one claim (or one dead-letter listing) returns."""

MAX_ERROR = 1000
"""Stored errors are cut to this many characters."""


def check_instant(field: str, value: object) -> list[FieldError]:
    """The errors of a value that must be a timezone-aware datetime."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        return [FieldError(field, "instant.naive")]
    return []


def check_claim(now: object, lease: object, limit: object) -> None:
    """Raise ValidationError unless ``now`` is aware, ``lease`` positive and ``limit`` within 1 to 1,000."""
    errors = check_instant("now", now)
    if not isinstance(lease, timedelta) or lease <= timedelta(0):
        errors.append(FieldError("lease", "outbox.lease_not_positive"))
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_CLAIM:
        errors.append(FieldError("limit", "query.limit_out_of_range", {"max": MAX_CLAIM}))
    if errors:
        raise ValidationError(errors)


def clip_error(error: object) -> str:
    """The error text to store: a string of at most :data:`MAX_ERROR` characters.

    >>> len(clip_error("x" * 5000))
    1000
    """
    text = error if isinstance(error, str) else str(error)
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"


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
        errors = check_instant("retry_at", retry_at)
        if errors:
            raise ValidationError(errors)
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
        errors = check_instant("now", now)
        if errors:
            raise ValidationError(errors)
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
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_CLAIM:
            raise ValidationError.single("limit", "query.limit_out_of_range", max=MAX_CLAIM)
        with self._lock:
            letters = list(self._dead.values())
        letters.sort(key=lambda d: d.dead_at)
        return tuple(letters[:limit])

    def retry_dead_letter(self, message_id: str, *, now: datetime) -> bool:
        """Queue a dead letter again, due at ``now`` with no attempts; False when there is none by that ID."""
        errors = check_instant("now", now)
        if errors:
            raise ValidationError(errors)
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
