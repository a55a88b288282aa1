"""The intake port: what a channel adapter turns an inbound message into, and what it is answered.

A channel (SMS, e-mail, chat) hands every inbound message to its :class:`Intake` adapter, which *parses* it
into one :data:`Decision` (a new complaint, a reply to a complaint, a status query, or unusable with a reason
code) and later *renders* the :class:`Answer` the service chose into what the channel sends. The service,
:func:`lapor_core.intake.handle`, runs the decision against the desk with the same checks a person's
command gets; adapters hold no domain rules.

Internal module: the names are re-exported by :mod:`lapor_core.intake`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Final, Literal, Protocol, TypeVar, runtime_checkable

import attrs

from lapor_core import _i18n
from lapor_core._domain import rules as v
from lapor_core._domain.model import Submission

__all__ = [
    "MAX_INBOUND_TEXT",
    "Answer",
    "Contact",
    "Decision",
    "InboundAttachment",
    "InboundMessage",
    "Intake",
    "NewComplaint",
    "ReplyToComplaint",
    "StatusQuery",
    "Unusable",
    "clean_text",
]

MAX_INBOUND_TEXT: Final = 100_000
"""The longest text an :class:`InboundMessage` holds (characters); longer input is refused at the edge."""

_CHANNEL_NAME: Final = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_MAX_MESSAGE_ID: Final = 200
_MAX_SENDER: Final = 320
_MAX_SUBJECT: Final = 1000

R_co = TypeVar("R_co", covariant=True)


def _channel_name(value: object) -> str:
    name = v.text(required=True, max_length=32)(value)
    if name is None or not _CHANNEL_NAME.fullmatch(name):
        raise v.Invalid("intake.channel_malformed")
    return name


def _any_text(value: object) -> str:
    """Any string up to MAX_INBOUND_TEXT, kept as received: deciding what is usable is the parser's job."""
    if not isinstance(value, str):
        raise v.Invalid("value.not_string", type=v.type_name(value))
    if len(value) > MAX_INBOUND_TEXT:
        raise v.Invalid("text.too_long", max=MAX_INBOUND_TEXT, actual=len(value))
    return value


def _optional_any_text(value: object) -> str | None:
    return None if value is None else _any_text(value)


def _frozen_params(params: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(params))


def _attachments(value: object) -> tuple[InboundAttachment, ...]:
    if not isinstance(value, (tuple, list)) or not all(isinstance(a, InboundAttachment) for a in value):
        raise v.Invalid("intake.attachments_malformed")
    return tuple(value)


@attrs.frozen
class InboundAttachment:
    """A file that came with an inbound message (placeholder until the attachment port exists).

    Adapters fill it; :func:`~lapor_core.intake.handle` does not store attachments yet, and never logs them.

    Attributes:
        filename: The name the sender gave, or None.
        content_type: The MIME type the channel declared (``image/jpeg``).
        data: The bytes.
    """

    filename: str | None
    content_type: str
    data: bytes = attrs.field(repr=lambda data: f"<{len(data)} bytes>")


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class InboundMessage:
    """One message as a channel received it, before anything is decided about it.

    The ``repr`` never shows the sender or the text (they end up in logs otherwise).

    Attributes:
        channel: The channel's name, lower case (``sms``, ``email``, ``telegram``): with ``message_id`` it
            makes the idempotency key ``f"{channel}:{message_id}"``, so a gateway that retries a delivery
            never files a second complaint.
        message_id: The channel's own ID of this message (the gateway's message ID, the ``Message-ID``
            header, the chat update ID), at most 200 characters.
        sender: The sender's address as the channel gives it (a phone number, an e-mail address, a chat
            user ID); the adapter normalises it.
        text: The message's text as received, any string of at most 100,000 characters (control characters
            and all: the adapter's parser decides what is usable).
        received_at: When the channel received it (an aware datetime).
        subject: The subject line, for channels that have one.
        in_reply_to: The channel's reference to the message this one answers (``In-Reply-To``, a gateway's
            conversation reference), or None.
        attachments: Files that came with it (see :class:`InboundAttachment`).
        sender_verified: True when something the deployment trusts authenticated ``sender`` for this
            message (for e-mail: the receiving mail server recorded a DMARC pass for the ``From`` domain);
            an adapter's :meth:`Intake.contact` may read it. False by default.

    Raises:
        ValidationError: Listing every bad field (a wrong type, a malformed channel name, a naive time).
    """

    channel: str = attrs.field(metadata=v.rule(_channel_name))
    message_id: str = attrs.field(
        metadata=v.rule(v.required(v.text(required=True, max_length=_MAX_MESSAGE_ID)))
    )
    sender: str = attrs.field(
        repr=False, metadata=v.rule(v.required(v.text(required=True, max_length=_MAX_SENDER)))
    )
    text: str = attrs.field(repr=False, metadata=v.rule(_any_text))
    received_at: datetime = attrs.field(metadata=v.rule(v.instant))
    subject: str | None = attrs.field(
        default=None, repr=False, kw_only=True, metadata=v.rule(_optional_any_text)
    )
    in_reply_to: str | None = attrs.field(
        default=None, kw_only=True, metadata=v.rule(v.text(required=False, max_length=_MAX_SUBJECT))
    )
    attachments: tuple[InboundAttachment, ...] = attrs.field(
        default=(), repr=False, kw_only=True, metadata=v.rule(_attachments)
    )
    sender_verified: bool = attrs.field(default=False, kw_only=True, metadata=v.rule(v.flag))

    @property
    def idempotency_key(self) -> str:
        """``f"{channel}:{message_id}"``: what the desk deduplicates a submission by."""
        return f"{self.channel}:{self.message_id}"


@attrs.frozen
class Contact:
    """A sender address the channel vouches for, in the form the reporter's identity stores it.

    Attributes:
        kind: Which field of the reporter's stored identity it is compared with: ``phone`` (E.164,
            ``+628...``), ``email``, or ``account`` (a chat account, ``telegram:5501``).
        address: The normalised address.
    """

    kind: Literal["phone", "email", "account"]
    address: str = attrs.field(repr=False)


@attrs.frozen
class NewComplaint:
    """The message is a new complaint.

    Attributes:
        submission: What to submit (the adapter sets the channel and the reporter's contact).
        account: The sender's account on a platform that authenticates its users, as a chat account
            (``telegram:5501``), or None. It is stored as the reporter identity's ``account_id`` (the
            submission is made as that citizen), so the channel can prove the reporter later
            (:class:`Contact` of kind ``account``) and the outbox can reach them on it.
    """

    submission: Submission
    account: str | None = attrs.field(default=None, repr=False)


@attrs.frozen
class ReplyToComplaint:
    """The message continues an existing complaint (the reporter's reply, or the information asked for).

    Attributes:
        tracking_id: The complaint's tracking ID, canonical (``7K3M-9QXF-2HJ-Q``).
        text: What the reporter adds (cleaned, not blank).
        access_key: The access key if the message carried one, else None (see :func:`handle` for how the
            sender is proved to be the reporter).
    """

    tracking_id: str
    text: str = attrs.field(repr=False)
    access_key: str | None = attrs.field(default=None, repr=False)


@attrs.frozen
class StatusQuery:
    """The message asks where a complaint stands.

    Attributes:
        tracking_id: The complaint's tracking ID, canonical.
        access_key: The access key if the message carried one, else None.
    """

    tracking_id: str
    access_key: str | None = attrs.field(default=None, repr=False)


@attrs.frozen
class Unusable:
    """The message cannot become anything: the reason is a catalogue code whose text helps the sender.

    Attributes:
        reason: A message code (``intake.empty``, ``sms.sender_not_indonesian``...).
        params: Values for the code's placeholders.
    """

    reason: str
    params: Mapping[str, object] = attrs.field(factory=dict, converter=_frozen_params)


Decision = NewComplaint | ReplyToComplaint | StatusQuery | Unusable
"""What a channel's parser decides a message is."""


@attrs.frozen
class Answer:
    """What to answer the sender, as a catalogue code and its values; the channel renders it.

    Attributes:
        code: The message code (``intake.received``, ``intake.status``, ``intake.not_found``...); its
            Indonesian text is the default, written short enough for one SMS with its values.
        params: Values for the placeholders (``tracking_id``, ``access_key``, ``status``...). The access key
            is here only in the first answer to a new complaint.
        tracking_id: The complaint the answer is about, or None (channels thread on it: a subject line).
    """

    code: str
    params: Mapping[str, object] = attrs.field(factory=dict, repr=False, converter=_frozen_params)
    tracking_id: str | None = None

    def text(self, locale: str = "id") -> str:
        """The answer's text in ``locale`` from the catalogue, labels (a status) in that locale too.

        >>> Answer("intake.not_found", {"tracking_id": "7K3M-9QXF-2HJ-Q"}).text()[:40]
        'Laporan 7K3M-9QXF-2HJ-Q tidak ditemukan.'
        """
        shown = {
            name: value.label(locale) if isinstance(value, enum.Enum) and hasattr(value, "label") else value
            for name, value in self.params.items()
        }
        return _i18n.translate(self.code, locale, shown)


@runtime_checkable
class Intake(Protocol[R_co]):
    """A channel adapter: parses inbound messages and renders answers (``R_co``: what the channel sends).

    Contract:

    - :meth:`parse` is pure and total: for any :class:`InboundMessage` of its channel it returns a
      :data:`Decision` and raises nothing (junk is :class:`Unusable` with a helpful reason code). It never
      logs the text or the sender.
    - :meth:`contact` returns the sender's address only when the channel itself authenticates it (an SMS
      sender's number delivered by the operator through a signed gateway; a chat platform's user ID), else
      None (an e-mail ``From`` header without a verified signature). A returned contact equal to the
      reporter's stored contact proves being the reporter, so never return a claim the channel cannot back.
    - :meth:`render` turns an :class:`Answer` into what the channel sends, in ``locale`` (Indonesian by
      default), from the message catalogue; pure.
    - Implementations are immutable and thread-safe.

    Attributes:
        channel: The channel's name; messages handed to this adapter carry it.
    """

    @property
    def channel(self) -> str:
        """The channel's name (``sms``)."""
        ...

    def parse(self, message: InboundMessage) -> Decision:
        """What ``message`` is: a new complaint, a reply, a status query, or unusable."""
        ...

    def contact(self, message: InboundMessage) -> Contact | None:
        """The sender's address, normalised, if the channel vouches for it; else None."""
        ...

    def render(self, answer: Answer, locale: str = "id") -> R_co:
        """What to send for ``answer``."""
        ...


# Control characters (tab, line breaks kept), unpaired surrogates and bidirectional controls.
_UNWANTED: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
_LINE_ENDS: Final = re.compile(r"\r\n?")


def clean_text(text: str) -> str:
    r"""``text`` without the characters a complaint may not hold, line endings ``\n``, outer spaces stripped.

    Control characters (except tab and line feed), unpaired surrogates and bidirectional controls are
    dropped; emoji and every other character are kept.

    >>> clean_text("  Jalan\r\nrusak \x00\u202e😡 ")
    'Jalan\nrusak 😡'
    """
    return _UNWANTED.sub("", _LINE_ENDS.sub("\n", text)).strip()
