"""A dry run of delivery: what the dispatcher would do with each pending message, changing nothing.

:func:`preview` runs the real :class:`~lapor_core._application.delivery.Dispatcher` (so the same recipient
checks, address resolution and rendering) against a read-only view of the store's outbox and a notifier that
sends nothing. No message is leased, acknowledged, rescheduled or dead-lettered; the outcome of each one is
reported instead (``lapor deliver URL --dry-run``).

>>> import lapor_core as lc
>>> from lapor_core._domain.notifications import AddressBook
>>> desk = lc.ComplaintDesk.open("memory://", pepper="doctest pepper 0123456789")
>>> _ = desk.submit(lc.Submission.from_dict(
...     {"kind": "pengaduan", "channel": "web", "title": "Lampu jalan mati", "body": "Sejak Senin."}))
>>> book = AddressBook.from_dict({"admin": "mailto:admin@lapor.go.id"})
>>> [(p.template, p.outcome, p.channels) for p in preview(desk.store, book)]
[('submit.reporter', 'skip', ()), ('submit.admin', 'send', ('email',))]
>>> len(desk.store.pending_outbox())
2
"""

# The read-only outbox implements the ports' signatures and ignores the arguments it has no use for.
# ruff: noqa: ARG002

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

import attrs

from lapor_core._application.delivery import Dispatcher, _integer, _outbox_of
from lapor_core._domain import rules as v
from lapor_core._domain.complaint import Complaint, OutboxMessage, ReporterIdentity
from lapor_core._domain.history import Event
from lapor_core._domain.notifications import Notification, NotificationRenderer
from lapor_core._domain.ports import (
    Changeset,
    Clock,
    ComplaintQuery,
    ComplaintStore,
    DeadLetter,
    OutboxClaim,
    Page,
    RecipientResolver,
)
from lapor_core._i18n import N_
from lapor_core.errors import StorageError, ValidationError
from lapor_core.plugins._outbox import MAX_CLAIM

__all__ = ["PreviewOutcome", "PreviewedMessage", "preview"]

PreviewOutcome = Literal["send", "skip", "dead-letter", "retry"]
"""What delivery would do with a message: send it, skip it, dead-letter it, or retry it later."""


@attrs.frozen
class PreviewedMessage:
    """What delivery would do with one pending message (no address, no text: nothing personal).

    Attributes:
        message_id: The message's ID (its idempotency key).
        template: ``<event>.<recipient role>``.
        recipient_ref: The institution, unit or superior code, or None.
        outcome: ``send``, ``skip`` (nothing may or can be sent), ``dead-letter`` or ``retry``.
        channels: The channels it would go out on, one per address (for ``send``).
        detail: Why it would be dead-lettered or retried, else empty.
    """

    message_id: str
    template: str
    recipient_ref: str | None
    outcome: PreviewOutcome
    channels: tuple[str, ...] = ()
    detail: str = ""


class _NothingSent:
    """A notifier that records which channels it was asked to send on, and sends nothing."""

    def __init__(self) -> None:
        self.channels: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def send(self, notification: Notification) -> None:
        with self._lock:
            self.channels.setdefault(notification.idempotency_key, []).append(notification.channel.value)


class _ReadOnlyOutbox:
    """A store's complaints as they are, and its pending messages as claims that change nothing."""

    def __init__(self, store: ComplaintStore, messages: Sequence[OutboxMessage]) -> None:
        self._store = store
        self._messages = list(messages)
        self.failures: dict[str, tuple[PreviewOutcome, str]] = {}

    # -- ComplaintStore: reads pass through, writes are refused --

    def save(self, changes: Changeset) -> None:
        raise StorageError(detail=N_("delivery.preview_read_only"))

    def get(self, tracking_id: str) -> Complaint:
        return self._store.get(tracking_id)

    def history(self, tracking_id: str) -> Sequence[Event]:
        return self._store.history(tracking_id)

    def identity(self, ref: str) -> ReporterIdentity | None:
        return self._store.identity(ref)

    def query(self, query: ComplaintQuery) -> Page:
        return self._store.query(query)

    def due(self, before: datetime, *, limit: int = 1000) -> Sequence[Complaint]:
        return self._store.due(before, limit=limit)

    def pending_outbox(self, *, limit: int = 1000) -> Sequence[OutboxMessage]:
        return tuple(self._messages[:limit])

    def close(self) -> None:
        """The real store is the caller's to close."""

    # -- OutboxStore: every pending message is handed out once, and nothing is recorded --

    def claim_outbox(self, now: datetime, *, lease: timedelta, limit: int = 100) -> Sequence[OutboxClaim]:
        taken, self._messages = self._messages[:limit], self._messages[limit:]
        return tuple(OutboxClaim(message, "preview", 0, now + lease) for message in taken)

    def acknowledge_outbox(self, claim: OutboxClaim) -> None:
        """Sent or skipped: the dispatcher's report says which."""

    def reschedule_outbox(self, claim: OutboxClaim, *, error: str, retry_at: datetime) -> bool:
        self.failures[claim.message.id] = ("retry", error)
        return True

    def dead_letter_outbox(self, claim: OutboxClaim, *, error: str, now: datetime) -> bool:
        self.failures[claim.message.id] = ("dead-letter", error)
        return True

    def dead_letters(self, *, limit: int = 100) -> Sequence[DeadLetter]:
        return ()

    def retry_dead_letter(self, message_id: str, *, now: datetime) -> bool:
        return False


def preview(
    store: ComplaintStore,
    resolver: RecipientResolver,
    *,
    renderer: NotificationRenderer | None = None,
    clock: Clock | None = None,
    limit: int = 100,
) -> tuple[PreviewedMessage, ...]:
    """What delivering the first ``limit`` pending messages would do, in queue order, changing nothing.

    Every pending message counts, due or not (one waiting for a retry, one another dispatcher holds).

    Args:
        store: A complaint store that is also an :class:`~lapor_core.plugins.OutboxStore`.
        resolver: Turns recipients into addresses, as delivery would.
        renderer: Renders messages (default: the shipped catalogue, institutions by code).
        clock: The time the messages are rendered at (default: the system clock).
        limit: How many pending messages to look at (1 to 1,000).

    Raises:
        ConfigurationError: The store has no outbox delivery.
        ValidationError: A limit outside 1 to 1,000.
        StorageError: The store failed.
    """
    _outbox_of(store)  # the dispatcher's own check: a store without outbox delivery is a ConfigurationError
    try:
        _integer(1, MAX_CLAIM)(limit)
    except v.Invalid as invalid:
        raise ValidationError([invalid.at("limit")]) from None
    messages = tuple(store.pending_outbox(limit=limit))[:limit]
    view = _ReadOnlyOutbox(store, messages)
    notifier = _NothingSent()
    report = Dispatcher(view, notifier, resolver, clock=clock, renderer=renderer).deliver()
    skipped = set(report.skipped)
    previewed = []
    for message in messages:
        outcome: PreviewOutcome = "skip" if message.id in skipped else "send"
        detail = ""
        if message.id in view.failures:
            outcome, detail = view.failures[message.id]
        previewed.append(
            PreviewedMessage(
                message_id=message.id,
                template=f"{message.event.value}.{message.recipient_role}",
                recipient_ref=message.recipient_ref,
                outcome=outcome,
                channels=tuple(notifier.channels.get(message.id, ())) if outcome == "send" else (),
                detail=detail,
            )
        )
    return tuple(previewed)
