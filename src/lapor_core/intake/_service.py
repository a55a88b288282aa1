"""The intake service: one function that runs a channel's decision against the desk and says what to answer.

Internal module: the names are re-exported by :mod:`lapor_core.intake`.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

import attrs

from lapor_core._domain.access import Principal
from lapor_core._domain.lifecycle import Status
from lapor_core._domain.rules import type_name
from lapor_core._i18n import N_
from lapor_core.errors import (
    ConfigurationError,
    LaporError,
    NotAllowed,
    NotFound,
    StorageError,
    TooManyAttempts,
    TransitionNotAllowed,
    ValidationError,
)
from lapor_core.intake._port import (
    Answer,
    Decision,
    InboundMessage,
    Intake,
    NewComplaint,
    ReplyToComplaint,
    StatusQuery,
    Unusable,
)

if TYPE_CHECKING:
    from lapor_core.desk import ComplaintDesk

__all__ = ["Handled", "SenderLimiter", "handle"]

_log = logging.getLogger("lapor_core.intake")

R = TypeVar("R")


def _at_least_one(_instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"{attribute.name} must be a whole number of at least 1")


@attrs.define
class SenderLimiter:
    """Counts inbound messages per sender and says when a sender is over its limit (in memory only).

    A sender is a channel and its address; the address is kept only as a SHA-256 digest, in this
    process's memory. Memory is bounded: at most ``max_messages`` instants per sender and ``max_senders``
    senders, the one whose last message is oldest forgotten first. Thread-safe.

    It also remembers, for ``window_seconds``, the answer :func:`handle` gave to each message (by its
    idempotency key, at most ``max_senders`` of them): a channel delivering a message again (a gateway
    retrying after a timeout) gets the same answer and the repeat is not counted against the sender. Across
    processes the desk itself recognises a repeated submission or reply by the message's idempotency key.

    Args:
        max_messages: Messages one sender may send within ``window_seconds`` (default 20 an hour).
        window_seconds: The window (default 3600).
        max_senders: Senders, and answers, remembered at once (default 100,000 each).
        clock: Seconds on a monotonic clock (default :func:`time.monotonic`; tests pass their own).

    Example:
        >>> ticks = iter([0.0, 1.0, 2.0, 3700.0])
        >>> limiter = SenderLimiter(max_messages=2, window_seconds=3600, clock=lambda: next(ticks))
        >>> [limiter.check("sms", "+6281234567890") for _ in range(4)]
        [None, None, 3598, None]
    """

    max_messages: int = attrs.field(default=20, validator=_at_least_one)
    window_seconds: int = attrs.field(default=3600, validator=_at_least_one)
    max_senders: int = attrs.field(default=100_000, validator=_at_least_one)
    clock: Callable[[], float] = attrs.field(default=time.monotonic, repr=False)
    _seen: OrderedDict[str, deque[float]] = attrs.field(factory=OrderedDict, init=False, repr=False)
    _answers: OrderedDict[str, tuple[float, Answer]] = attrs.field(
        factory=OrderedDict, init=False, repr=False
    )
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)

    def answered(self, message_key: str) -> Answer | None:
        """The answer remembered for the message with this idempotency key, or None."""
        now = self.clock()
        with self._lock:
            while self._answers:
                oldest = next(iter(self._answers))
                if now - self._answers[oldest][0] < self.window_seconds:
                    break
                del self._answers[oldest]
            found = self._answers.get(message_key)
            return None if found is None else found[1]

    def remember(self, message_key: str, answer: Answer) -> None:
        """Remember the answer given to the message with this idempotency key (see :meth:`answered`)."""
        now = self.clock()
        with self._lock:
            self._answers[message_key] = (now, answer)
            self._answers.move_to_end(message_key)
            while len(self._answers) > self.max_senders:
                self._answers.popitem(last=False)

    def check(self, channel: str, sender: str) -> int | None:
        """Count one message from ``sender`` on ``channel``: None if allowed, else seconds until it is.

        A refused message is not counted, so the limit lifts ``window_seconds`` after the oldest counted one.
        """
        key = hashlib.sha256(f"{channel}\x00{sender}".encode("utf-8", "surrogatepass")).hexdigest()
        now = self.clock()
        with self._lock:
            times = self._seen.get(key)
            if times is None:
                times = self._seen[key] = deque(maxlen=self.max_messages)
            while times and now - times[0] >= self.window_seconds:
                times.popleft()
            if len(times) >= self.max_messages:
                return max(1, min(self.window_seconds, int(self.window_seconds - (now - times[0]))))
            times.append(now)
            self._seen.move_to_end(key)
            while len(self._seen) > self.max_senders:
                self._seen.popitem(last=False)
            return None

    def tracked(self) -> int:
        """How many senders are remembered."""
        with self._lock:
            return len(self._seen)


@attrs.frozen
class Handled(Generic[R]):
    """What :func:`handle` did with a message, and what to send back.

    Attributes:
        answer: The answer as a code and values.
        rendered: The answer as the channel sends it (:meth:`Intake.render`).
        decision: What the parser decided, or None when nothing was decided: the sender was over its rate
            limit, or the message was a repeat answered from the limiter's memory.
    """

    answer: Answer
    rendered: R = attrs.field(repr=False)
    decision: Decision | None = attrs.field(default=None, repr=False)


def _client(message: InboundMessage) -> str:
    """The key wrong access keys are counted under: the channel and a digest of the sender (memory only)."""
    digest = hashlib.sha256(message.sender.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{message.channel}:{digest}"


def _reporter(
    desk: ComplaintDesk,
    intake: Intake[object],
    message: InboundMessage,
    tracking_id: str,
    access_key: str | None,
) -> Principal:
    """The reporter's principal, proved by the access key in the message or by the vouched-for contact.

    Raises:
        NotFound: Neither proves it (the same answer as an unknown ID).
        TooManyAttempts: Wrong keys from this sender are over the desk's limit.
    """
    contact = intake.contact(message)
    if contact is not None:
        try:
            # Not a guess at a secret (the channel authenticated the sender): a mismatch is not counted.
            return desk.authenticate_contact(tracking_id, kind=contact.kind, address=contact.address)
        except NotFound:
            if access_key is None:
                raise
    if access_key is None:
        raise NotFound(kind="complaint", key=tracking_id)
    return desk.authenticate(tracking_id, access_key, client=_client(message))


def _submit(desk: ComplaintDesk, message: InboundMessage, decision: NewComplaint) -> Answer:
    files = [(a.filename or "lampiran", a.data) for a in message.attachments]
    refused = False
    try:
        principal = None if decision.account is None else Principal.citizen(decision.account)
        try:
            receipt = desk.submit(
                decision.submission, principal, idempotency_key=message.idempotency_key, attachments=files
            )
        except ValidationError as error:
            if not files or not all(e.field.startswith("attachments") for e in error.errors):
                raise
            # The report stands without the files the desk refused: it is filed, and the sender is told.
            refused = True
            receipt = desk.submit(decision.submission, principal, idempotency_key=message.idempotency_key)
    except ValidationError:
        return Answer(N_("intake.not_accepted"))
    return Answer(
        N_("intake.received_without_attachments") if refused else N_("intake.received"),
        {"tracking_id": receipt.tracking_id, "access_key": receipt.access_key},
        tracking_id=receipt.tracking_id,
    )


def _reply(
    desk: ComplaintDesk, intake: Intake[object], message: InboundMessage, decision: ReplyToComplaint
) -> Answer:
    tid = decision.tracking_id
    try:
        reporter = _reporter(desk, intake, message, tid, decision.access_key)
    except NotFound:
        return Answer(N_("intake.not_found"), {"tracking_id": tid})
    status = desk.view(reporter, tid).status
    try:
        # The message ID makes a message delivered twice (to two processes) one reply, whichever way it went.
        if status is Status.ON_HOLD:
            desk.provide_info(reporter, tid, decision.text, idempotency_key=message.idempotency_key)
        else:
            desk.reply(reporter, tid, decision.text, idempotency_key=message.idempotency_key)
    except (TransitionNotAllowed, NotAllowed):
        return Answer(N_("intake.reply_not_now"), {"tracking_id": tid, "status": status}, tracking_id=tid)
    except ValidationError:
        return Answer(N_("intake.reply_not_accepted"), {"tracking_id": tid}, tracking_id=tid)
    return Answer(N_("intake.reply_recorded"), {"tracking_id": tid}, tracking_id=tid)


def _status(
    desk: ComplaintDesk, intake: Intake[object], message: InboundMessage, decision: StatusQuery
) -> Answer:
    tid = decision.tracking_id
    try:
        principal = _reporter(desk, intake, message, tid, decision.access_key)
    except NotFound:
        principal = Principal.public()  # a published complaint's status is public; others are "not found"
    try:
        view = desk.view(principal, tid)
    except NotFound:
        return Answer(N_("intake.not_found"), {"tracking_id": tid})
    return Answer(
        N_("intake.status"),
        {"tracking_id": tid, "status": view.status, "summary": view.status.summary},
        tracking_id=tid,
    )


def _decide(
    desk: ComplaintDesk, intake: Intake[object], message: InboundMessage, decision: Decision
) -> Answer:
    try:
        if isinstance(decision, NewComplaint):
            return _submit(desk, message, decision)
        if isinstance(decision, ReplyToComplaint):
            return _reply(desk, intake, message, decision)
        if isinstance(decision, StatusQuery):
            return _status(desk, intake, message, decision)
    except TooManyAttempts as e:
        minutes = -(-e.retry_after_seconds // 60)
        return Answer(N_("intake.rate_limited"), {"minutes": minutes})
    if isinstance(decision, Unusable):
        return Answer(decision.reason, decision.params)
    return Answer(N_("intake.unreadable"))  # type: ignore[unreachable]  # a parser broke its contract


def handle(
    desk: ComplaintDesk,
    intake: Intake[R],
    message: InboundMessage,
    *,
    limiter: SenderLimiter | None = None,
    locale: str = "id",
) -> Handled[R]:
    """Decide what ``message`` is, run it against ``desk``, and return what to send back.

    - A new complaint is submitted with ``idempotency_key=f"{channel}:{message_id}"``: a channel that
      delivers the same message twice gets the same tracking ID and a working access key, and one complaint
      is stored. The first answer (``intake.received``) carries the tracking ID and the access key.
    - A reply or a status query acts as the complaint's reporter only when the sender proves it, by either
      (1) the access key written in the message, checked by :meth:`ComplaintDesk.authenticate` with wrong
      keys counted per sender, or (2) a sender address the channel vouches for (:meth:`Intake.contact`)
      equal to the contact stored with the complaint (:meth:`ComplaintDesk.authenticate_contact`). A
      stranger's reply is answered ``intake.not_found``, as for an unknown ID; a stranger's status query
      sees only what the public sees (the status of a published, non-confidential complaint).
    - A reply to a complaint on hold is the information asked for (``provide_info``); otherwise a reply
      (``reply``), which the lifecycle allows only after a follow-up (else ``intake.reply_not_now``). Either
      is recorded under the message's idempotency key: delivered twice, even to two processes, it is one
      reply.
    - Anything unusable is answered with the parser's reason code; every message gets an answer.

    Nothing is logged but the channel, the message ID and the answer's code: never the text or the sender.

    Args:
        desk: The desk to act on.
        intake: The channel's adapter; ``message.channel`` must be its channel.
        message: The inbound message.
        limiter: Counts messages per sender; over the limit the answer is ``intake.rate_limited`` and the
            desk is not touched. It also remembers answers, so a message delivered again is answered the same
            without acting twice (see :class:`SenderLimiter`). None: no limit and no memory (only for trusted
            callers; keep one limiter per process).
        locale: The locale the answer is rendered in (Indonesian by default).

    Raises:
        ValidationError: ``message`` is not an :class:`InboundMessage`, or is not of ``intake``'s channel.
        StorageError: The store failed; nothing was answered, and the channel should deliver the message
            again later (a repeated submission is recognised by its idempotency key).
        ConfigurationError: The desk cannot act as asked (a store without idempotency keys).
    """
    if not isinstance(message, InboundMessage):
        raise ValidationError.single("message", "intake.message_wrong_type", type=type_name(message))
    if message.channel != intake.channel:
        raise ValidationError.single("message.channel", "intake.channel_mismatch")
    decision: Decision | None = None
    repeated = None if limiter is None else limiter.answered(message.idempotency_key)
    retry = (
        None if limiter is None or repeated is not None else limiter.check(message.channel, message.sender)
    )
    if repeated is not None:
        answer = repeated  # the same message delivered again: the same answer, nothing done twice
    elif retry is not None:
        answer = Answer(N_("intake.rate_limited"), {"minutes": -(-retry // 60)})
    else:
        try:
            decision = intake.parse(message)
        except Exception as e:  # noqa: BLE001 - a parser must not raise; if one does, the sender still gets an answer
            _log.warning(
                "intake %s message %s: the parser raised %s",
                message.channel,
                message.message_id,
                type(e).__name__,
            )
            decision = Unusable(N_("intake.unreadable"))
        try:
            answer = _decide(desk, intake, message, decision)
        except (StorageError, ConfigurationError):
            raise  # the deployment's trouble, not the sender's: the channel delivers the message again later
        except LaporError as e:
            _log.warning(
                "intake %s message %s: refused (%s)", message.channel, message.message_id, type(e).__name__
            )
            answer = Answer(N_("intake.not_accepted"))
        if limiter is not None:
            limiter.remember(message.idempotency_key, answer)
    _log.info(
        "intake %s message %s: %s -> %s",
        message.channel,
        message.message_id,
        "repeated"
        if repeated is not None
        else "rate-limited"
        if decision is None
        else type(decision).__name__,
        answer.code,
    )
    return Handled(answer=answer, rendered=intake.render(answer, locale), decision=decision)
