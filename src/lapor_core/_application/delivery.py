"""Delivering the outbox: claim, render, send, acknowledge; retries with backoff; dead letters.

A :class:`Dispatcher` drains a store's outbox (:class:`~lapor_core.plugins.OutboxStore`). For each message it
claims (a lease, so two dispatchers never send the same message at once) it reloads the complaint, renders
the message under the privacy policy as the complaint is *now*, resolves the recipient's addresses, sends,
and only then acknowledges. A crash between sending and acknowledging leaves the message claimed; when the
lease runs out it is sent again with the same idempotency key: delivery is at least once, and receivers
that deduplicate on the key see it once.

Outcomes per message:

- **sent**: every address accepted it; acknowledged.
- **skipped**: nothing may or can be sent (the recipient may not know of the complaint now, or the reporter
  left no contact); acknowledged without sending.
- **retrying**: a temporary failure; tried again after an exponential backoff (:class:`RetryPolicy`).
- **dead-lettered**: a permanent failure, too many temporary ones, or a gap to fix (no address for an
  institution, no template); kept with its last error until retried by command.
- **lost**: the lease ran out before the message was handled; another claim will deliver it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import timedelta

import attrs

from lapor_core._application.context import DeskContext
from lapor_core._domain import rules as v
from lapor_core._domain.notifications import NotificationRenderer, Recipient, RecipientRole, Withheld
from lapor_core._domain.ports import (
    Clock,
    ComplaintStore,
    DeadLetter,
    Notifier,
    OutboxClaim,
    OutboxStore,
    RecipientResolver,
    SystemClock,
)
from lapor_core._i18n import N_
from lapor_core.errors import (
    ConfigurationError,
    NotFound,
    NotificationError,
    PermanentNotificationError,
    TemporaryNotificationError,
    ValidationError,
)
from lapor_core.plugins._outbox import MAX_CLAIM, clip_error

__all__ = [
    "DeliveryReport",
    "Dispatcher",
    "RetryPolicy",
    "dead_letters",
    "deliver",
    "make_dispatcher",
    "retry_dead_letters",
]

_log = logging.getLogger("lapor_core.delivery")
_MAX_ATTEMPTS = 100
_JITTER_SCALE = 2**32
# A longer lease or wait is a mistake, and the instant it gives could pass the end of time.
_MAX_DURATION_DAYS = 365


def _positive_duration(value: object) -> timedelta:
    """The rule of a lease or a retry wait: a positive timedelta of at most a year."""
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise v.Invalid("delivery.duration_not_positive")
    if value > timedelta(days=_MAX_DURATION_DAYS):
        raise v.Invalid("delivery.duration_too_long", days=_MAX_DURATION_DAYS)
    return value


def _integer(low: int, high: int) -> v.Rule:
    """A rule for a whole number (not a boolean) in ``low .. high``."""
    return v.whole_number(low, high, code=N_("delivery.integer_out_of_range"))


def _required_number(low: float, high: float) -> v.Rule:
    optional = v.number(low=low, high=high)

    def rule(value: object) -> float | None:
        if value is None:
            raise v.Invalid("value.required")
        return optional(value)

    return rule


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class RetryPolicy:
    """How temporary failures are retried: exponential backoff, then a dead letter.

    After the n-th failed attempt a message waits ``first_delay * factor**(n-1)``, at most ``max_delay``,
    stretched by up to ``jitter`` (a fraction drawn from the message ID, so retries of many messages spread
    out the same way every run). After ``max_attempts`` failed attempts it is dead-lettered.

    The defaults retry for about four hours: 30 s, 1, 2, 4, 8, 16, 32, 64 and 128 minutes.

    Raises:
        ValidationError: Listing every bad field: ``max_attempts`` not a whole number from 1 to 100, a delay
            that is not a positive :class:`~datetime.timedelta` of at most 365 days, ``factor`` not in
            1 .. 10 or ``jitter`` not in 0 .. 1.

    >>> policy = RetryPolicy(jitter=0)
    >>> [int(policy.delay(n, "id").total_seconds()) for n in (1, 2, 3)]
    [30, 60, 120]
    >>> policy.exhausted(10)
    True
    """

    max_attempts: int = attrs.field(default=10, metadata=v.rule(_integer(1, _MAX_ATTEMPTS)))
    first_delay: timedelta = attrs.field(default=timedelta(seconds=30), metadata=v.rule(_positive_duration))
    max_delay: timedelta = attrs.field(default=timedelta(hours=6), metadata=v.rule(_positive_duration))
    factor: float = attrs.field(default=2.0, metadata=v.rule(_required_number(1, 10)))
    jitter: float = attrs.field(default=0.2, metadata=v.rule(_required_number(0, 1)))

    def delay(self, attempts: int, key: str) -> timedelta:
        """How long to wait after the ``attempts``-th failed attempt of the message ``key``."""
        exponent = min(max(attempts - 1, 0), 64)
        cap = self.max_delay.total_seconds()
        seconds = min(self.first_delay.total_seconds() * self.factor**exponent, cap)
        draw = int.from_bytes(hashlib.sha256(f"{key}:{attempts}".encode()).digest()[:4], "big")
        stretched = seconds * (1 + self.jitter * draw / _JITTER_SCALE)
        return timedelta(seconds=min(stretched, cap))

    def exhausted(self, attempts: int) -> bool:
        """Whether a message that failed ``attempts`` times is given up on."""
        return attempts >= self.max_attempts


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class _Claims:
    """How a :class:`Dispatcher` claims messages: the lease (a positive duration) and the batch size."""

    lease: timedelta = attrs.field(metadata=v.rule(_positive_duration))
    batch: int = attrs.field(metadata=v.rule(_integer(1, MAX_CLAIM)))


@attrs.frozen
class DeliveryReport:
    """What one :meth:`Dispatcher.deliver` run did, as message IDs per outcome (see the module docs)."""

    sent: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    retrying: tuple[str, ...] = ()
    dead_lettered: tuple[str, ...] = ()
    lost: tuple[str, ...] = ()

    @property
    def handled(self) -> int:
        """How many claimed messages the run handled."""
        return sum(len(ids) for ids in attrs.astuple(self, recurse=False))


@attrs.define
class _Tally:
    sent: list[str] = attrs.field(factory=list)
    skipped: list[str] = attrs.field(factory=list)
    retrying: list[str] = attrs.field(factory=list)
    dead_lettered: list[str] = attrs.field(factory=list)
    lost: list[str] = attrs.field(factory=list)

    def report(self) -> DeliveryReport:
        return DeliveryReport(
            tuple(self.sent),
            tuple(self.skipped),
            tuple(self.retrying),
            tuple(self.dead_lettered),
            tuple(self.lost),
        )


class Dispatcher:
    """Delivers a store's outbox with a notifier: at least once, with retries and dead letters.

    Several dispatchers (threads, processes, machines) may drain one store at once; the store's leases keep
    them from sending the same message at the same time. A dispatcher holds no state between runs.

    Args:
        store: A complaint store that is also an :class:`~lapor_core.plugins.OutboxStore`.
        notifier: Sends the rendered notifications.
        resolver: Turns recipients into addresses at delivery (e.g. an
            :class:`~lapor_core._domain.notifications.AddressBook`).
        clock: The time for leases and retries (default: the system clock).
        renderer: Renders messages (default: the shipped catalogue, institutions by code).
        retry: The retry policy (default :class:`RetryPolicy`).
        lease: How long a claim holds its messages (default 5 minutes); a message whose lease ran out before
            it was sent is left to the next claim instead of being sent late.
        batch: Messages claimed at a time (default 20).

    Raises:
        ConfigurationError: The store has no outbox delivery (it is not an OutboxStore).
        ValidationError: A lease that is not a positive timedelta of at most 365 days, a batch size not
            from 1 to 1,000; both at once.
    """

    def __init__(
        self,
        store: ComplaintStore,
        notifier: Notifier,
        resolver: RecipientResolver,
        *,
        clock: Clock | None = None,
        renderer: NotificationRenderer | None = None,
        retry: RetryPolicy | None = None,
        lease: timedelta = timedelta(minutes=5),
        batch: int = 20,
    ) -> None:
        outbox = _outbox_of(store)
        claims = _Claims(lease=lease, batch=batch)
        self._store = store
        self._outbox = outbox
        self._notifier = notifier
        self._resolver = resolver
        self._clock = clock or SystemClock()
        self._renderer = renderer or NotificationRenderer()
        self._retry = retry or RetryPolicy()
        self._lease = claims.lease
        self._batch = claims.batch

    def deliver(self, limit: int | None = None) -> DeliveryReport:
        """Deliver due messages until none is left, or ``limit`` messages were claimed.

        Messages that fail temporarily are rescheduled for later, so one run ends even while a receiver is
        down. Storage errors propagate (claimed messages are then delivered after their lease).
        """
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise ValidationError.single("limit", "delivery.limit_not_positive")
        tally = _Tally()
        remaining = limit
        while remaining is None or remaining > 0:
            size = self._batch if remaining is None else min(self._batch, remaining)
            claims = self._outbox.claim_outbox(self._clock.now(), lease=self._lease, limit=size)
            if not claims:
                break
            for claim in claims:
                self._handle(claim, tally)
            if remaining is not None:
                remaining -= len(claims)
        return tally.report()

    def dead_letters(self, limit: int = 100) -> tuple[DeadLetter, ...]:
        """The dead letters, oldest first."""
        return tuple(self._outbox.dead_letters(limit=limit))

    def retry_dead_letters(self, ids: Iterable[str] | None = None) -> int:
        """Queue dead letters again (these IDs, or all), due now with fresh attempts; how many were queued."""
        return _requeue(self._outbox, self._clock, ids)

    # --- one message ------------------------------------------------------------------------------------

    def _handle(self, claim: OutboxClaim, tally: _Tally) -> None:
        message = claim.message
        if self._clock.now() >= claim.lease_until:
            tally.lost.append(message.id)
            return
        try:
            outcome = self._send(claim)
        except NotificationError as error:
            self._fail(claim, error, tally)
            return
        except Exception as error:  # noqa: BLE001 - a faulty notifier or resolver must not stop the others
            failure = TemporaryNotificationError(
                detail=N_("delivery.unexpected_error"), params={"type": type(error).__name__}
            )
            self._fail(claim, failure, tally)
            return
        self._outbox.acknowledge_outbox(claim)
        (tally.skipped if isinstance(outcome, Withheld) else tally.sent).append(message.id)
        if isinstance(outcome, Withheld):
            _log.info("notification %s not sent: %s", message.id, outcome.reason)
        else:
            _log.debug("notification %s sent", message.id)

    def _send(self, claim: OutboxClaim) -> Withheld | None:
        """Render and send one message; a Withheld says why nothing was sent. Raises NotificationError."""
        message = claim.message
        try:
            recipient = Recipient.of(message)
        except ValidationError:
            raise PermanentNotificationError(detail=N_("delivery.recipient_malformed")) from None
        try:
            complaint = self._store.get(message.tracking_id)
        except NotFound:
            raise PermanentNotificationError(detail=N_("delivery.complaint_gone")) from None
        relation = self._renderer.relation(recipient, complaint)
        if isinstance(relation, Withheld):
            return relation
        identity = None
        if complaint.identity_ref is not None and self._renderer.wants_identity(recipient, complaint):
            identity = self._store.identity(complaint.identity_ref)
        is_reporter = recipient.role is RecipientRole.REPORTER
        addresses = tuple(self._resolver.resolve(recipient, identity if is_reporter else None))
        if not addresses:
            if is_reporter:
                return Withheld(N_("notification.no_reporter_contact"))
            raise PermanentNotificationError(
                detail=N_("delivery.no_address"),
                params={"role": recipient.role.value, "ref": recipient.ref or ""},
            )
        events = self._store.history(message.tracking_id)
        for address in addresses:
            notification = self._renderer.render(message, complaint, events, identity, address)
            if isinstance(notification, Withheld):  # pragma: no cover - the relation was checked above
                return notification
            self._notifier.send(notification)
        return None

    def _fail(self, claim: OutboxClaim, error: NotificationError, tally: _Tally) -> None:
        message = claim.message
        attempts = claim.attempts + 1
        text = clip_error(f"{type(error).__name__}: {error}")
        now = self._clock.now()
        if error.permanent or self._retry.exhausted(attempts):
            held = self._outbox.dead_letter_outbox(claim, error=text, now=now)
            (tally.dead_lettered if held else tally.lost).append(message.id)
            _log.warning("notification %s dead-lettered after %d attempts: %s", message.id, attempts, text)
            return
        retry_at = now + self._retry.delay(attempts, message.id)
        held = self._outbox.reschedule_outbox(claim, error=text, retry_at=retry_at)
        (tally.retrying if held else tally.lost).append(message.id)
        _log.info(
            "notification %s failed (attempt %d), retry at %s: %s", message.id, attempts, retry_at, text
        )


# --- for the desk ----------------------------------------------------------------------------------------


def _outbox_of(store: ComplaintStore) -> OutboxStore:
    if not isinstance(store, OutboxStore):
        raise ConfigurationError(detail=N_("delivery.not_an_outbox"), params={"store": type(store).__name__})
    return store


def _requeue(outbox: OutboxStore, clock: Clock, ids: Iterable[str] | None) -> int:
    now = clock.now()
    if ids is not None:
        return sum(outbox.retry_dead_letter(i, now=now) for i in dict.fromkeys(ids))
    queued = 0
    seen: set[str] = set()
    while True:
        page = [d.message.id for d in outbox.dead_letters(limit=MAX_CLAIM) if d.message.id not in seen]
        if not page:
            return queued
        seen.update(page)
        queued += sum(outbox.retry_dead_letter(i, now=now) for i in page)


def make_dispatcher(
    ctx: DeskContext,
    notifier: Notifier,
    resolver: RecipientResolver,
    *,
    renderer: NotificationRenderer | None = None,
    retry: RetryPolicy | None = None,
    lease: timedelta = timedelta(minutes=5),
    batch: int = 20,
) -> Dispatcher:
    """The dispatcher of a desk: its store and clock, and institution names from its directory."""
    return Dispatcher(
        ctx.store,
        notifier,
        resolver,
        clock=ctx.clock,
        renderer=renderer or NotificationRenderer(directory=ctx.directory),
        retry=retry,
        lease=lease,
        batch=batch,
    )


def deliver(
    ctx: DeskContext, notifier: Notifier, resolver: RecipientResolver, *, limit: int | None = None
) -> DeliveryReport:
    """Drain the desk's outbox once (see :meth:`Dispatcher.deliver`)."""
    return make_dispatcher(ctx, notifier, resolver).deliver(limit)


def dead_letters(ctx: DeskContext, limit: int = 100) -> tuple[DeadLetter, ...]:
    """The desk's dead letters, oldest first."""
    return tuple(_outbox_of(ctx.store).dead_letters(limit=limit))


def retry_dead_letters(ctx: DeskContext, ids: Iterable[str] | None = None) -> int:
    """Queue the desk's dead letters (these IDs, or all) again, due now; how many were queued."""
    return _requeue(_outbox_of(ctx.store), ctx.clock, ids)
