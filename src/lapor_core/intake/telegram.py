"""Telegram intake: Bot API updates to decisions, and answers sent back with ``sendMessage``.

The bot is talked to in a private chat:

- ``/lapor <text>`` files a complaint; the answer carries its tracking ID and access key (sent as a photo's or
  a document's caption, the file is fetched and handed to the desk's attachment check with it);
- ``/info <tracking ID> [access key]`` asks where a complaint stands;
- answering (Telegram's *reply*) one of the bot's messages about a complaint adds to it: the reply, or the
  information asked for while it is on hold (the access key written in the message proves being the
  reporter, and is taken out of the text);
- ``/start``, ``/bantuan`` (``/help``), other text and other commands get the help text.

Updates from groups and channels, edited messages and everything that is not a message are not answered
(:meth:`TelegramIntake.inbound` returns None): the bot speaks only in private chats.

:class:`TelegramBot` posts to the Bot API (``POST {base_url}/bot{token}/sendMessage``) with the standard
library's urllib; the base URL is configurable (a local Bot API server, or a fake one in tests). Text is
sent without ``parse_mode``, so nothing a reporter wrote is ever read as markup.

Example:
    >>> update = {"update_id": 7, "message": {"message_id": 3, "date": 1773716400,
    ...           "chat": {"id": 5501, "type": "private"}, "from": {"id": 5501, "is_bot": False},
    ...           "text": "/lapor@LaporBot Lampu jalan mati di Jl. Melati 🙏"}}
    >>> intake = TelegramIntake()
    >>> message = intake.inbound(update)
    >>> message.message_id, intake.parse(message).submission.title
    ('5501:3', 'Lampu jalan mati di Jl. Melati 🙏')
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import attrs

from lapor_core import _i18n
from lapor_core._domain import rules as v
from lapor_core._domain.keys import normalize_access_key
from lapor_core._domain.model import BODY_MAX, TITLE_MAX, Channel, Kind, Submission
from lapor_core._domain.notifications import DeliveryChannel, Notification, chat_account_rule
from lapor_core._domain.tracking import TrackingId
from lapor_core._i18n import N_
from lapor_core.errors import (
    NotificationError,
    PermanentNotificationError,
    TemporaryNotificationError,
    ValidationError,
)
from lapor_core.intake._port import (
    MAX_INBOUND_TEXT,
    Answer,
    Contact,
    Decision,
    InboundAttachment,
    InboundMessage,
    NewComplaint,
    ReplyToComplaint,
    StatusQuery,
    Unusable,
    clean_text,
)
from lapor_core.intake._service import Handled, SenderLimiter, handle
from lapor_core.notifiers._http import opener
from lapor_core.notifiers._settings import configured, positive_seconds

if TYPE_CHECKING:
    import ssl

    from lapor_core.desk import ComplaintDesk

__all__ = [
    "SECRET_TOKEN_HEADER",
    "TelegramBot",
    "TelegramIntake",
    "TelegramReply",
    "process_update",
    "verify_secret_token",
]

_log = logging.getLogger("lapor_core.intake")

#: The header Telegram sends with each webhook call, holding the ``secret_token`` given to ``setWebhook``.
SECRET_TOKEN_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret
_MAX_TEXT: Final = 4096  # Telegram's limit for a message's text
_COMMAND: Final = re.compile(r"^/([A-Za-z_]{1,32})(?:@[A-Za-z0-9_]{1,64})?(?:\s+|$)(.*)\Z", re.S)
_TRACKING: Final = re.compile(
    r"(?<![0-9A-Za-z])"
    r"(?=([0-9A-Za-z]{4}[- ]?[0-9A-Za-z]{4}[- ]?[0-9A-Za-z]{3}[- ]?[0-9A-Za-z])(?![0-9A-Za-z]))"
)
# An access key as the receipt prints it (four groups of four joined by hyphens): it has no check symbol,
# so looser forms would take ordinary words for keys.
_KEY: Final = re.compile(
    r"(?<![0-9A-Za-z])"
    r"(?=([0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4})(?![0-9A-Za-z-]))"
)
_NEW: Final = frozenset({"lapor", "laporan", "lapr", "lpor", "adu", "aduan", "pengaduan"})
_INFO: Final = frozenset({"info", "status", "cek", "lacak", "inf"})
_HELP: Final = frozenset({"start", "help", "bantuan", "mulai"})


def _tracking_id_in(text: str) -> TrackingId | None:
    for candidate in _TRACKING.findall(text):
        if TrackingId.is_valid(candidate):
            return TrackingId.parse(candidate)
    return None


def _access_key_in(text: str) -> tuple[str | None, str]:
    """The first access key written in ``text``, and ``text`` without it (a key is never stored)."""
    for found in _KEY.finditer(text):
        key = normalize_access_key(found.group(1))
        if key is not None:
            start = found.start(1)
            return key, (text[:start] + text[start + len(found.group(1)) :]).strip()
    return None, text


def _title_from(text: str) -> str:
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    if len(first) <= TITLE_MAX:
        return first
    cut = first[: TITLE_MAX - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[40:] else cut).rstrip() + "\u2026"


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**53 else None


# The service's answers whose wording is written for SMS ("Kirim: LAPOR ..."), said the chat way.
_WORDING: Final = {
    "intake.received": N_("telegram.received"),
    "intake.received_without_attachments": N_("telegram.received_without_attachments"),
    "intake.not_found": N_("telegram.not_found"),
    "intake.not_accepted": N_("telegram.not_accepted"),
    "intake.unreadable": N_("telegram.unreadable"),
    "intake.rate_limited": N_("telegram.rate_limited"),
}


@attrs.frozen
class TelegramReply:
    """An answer for a chat, as :meth:`TelegramIntake.render` writes it.

    Attributes:
        text: Plain text, at most 4,096 characters (Telegram's limit). Left out of ``repr``: it may hold
            the access key.
        tracking_id: The complaint the answer is about, or None.
    """

    text: str = attrs.field(repr=False)
    tracking_id: str | None = None


@attrs.frozen
class TelegramIntake:
    """The Telegram channel's :class:`~lapor_core.intake.Intake` (see the module docstring for the commands).

    Telegram authenticates who writes in a private chat, so the chat's account (``telegram:<chat id>``) is
    stored as the reporter identity's ``account_id`` of a complaint filed with ``/lapor`` and proves being
    its reporter later (:meth:`contact`): the reporter's replies and status queries from that chat need no
    access key (one written in the message works too, from any chat). An address book with ``chat`` in its
    ``reporter_channels`` sends the complaint's notifications back to that chat through the outbox
    (:class:`TelegramBot` is the notifier).
    """

    @property
    def channel(self) -> str:
        """``telegram``."""
        return "telegram"

    def inbound(self, update: object, *, received_at: datetime | None = None) -> InboundMessage | None:
        """Read a Bot API ``Update`` (the decoded JSON) into an inbound message; never raises.

        The message ID is ``<chat id>:<message id>``, unique per bot and the same when Telegram delivers an
        update again. The sender is the chat's ID, where answers go.

        Args:
            update: The decoded JSON of one update, as the webhook or ``getUpdates`` gives it.
            received_at: When it arrived; default the message's own ``date``.

        Returns:
            The inbound message, or None for an update the bot does not answer: not a new message, not in a
            private chat, sent by a bot, or malformed.
        """
        message = _mapping(_mapping(update).get("message"))
        chat = _mapping(message.get("chat"))
        sender = _mapping(message.get("from"))
        chat_id, message_id = _int(chat.get("id")), _int(message.get("message_id"))
        if chat_id is None or message_id is None or chat.get("type") != "private" or sender.get("is_bot"):
            return None
        raw_text = message.get("text", message.get("caption", ""))
        text = raw_text if isinstance(raw_text, str) else ""
        date = _int(message.get("date"))
        when = received_at or (datetime.fromtimestamp(date, UTC) if date is not None and date >= 0 else None)
        replied = _mapping(message.get("reply_to_message"))
        replied_text = replied.get("text")
        about = _tracking_id_in(replied_text) if isinstance(replied_text, str) else None
        try:
            return InboundMessage(
                channel=self.channel,
                message_id=f"{chat_id}:{message_id}",
                sender=str(chat_id),
                text=text[:MAX_INBOUND_TEXT],
                received_at=when or datetime.now(UTC),
                in_reply_to=None if about is None else str(about),
            )
        except (ValidationError, OverflowError, OSError, ValueError):
            return None

    def parse(self, message: InboundMessage) -> Decision:
        """What the message is; never raises."""
        try:
            return self._parse(message)
        except ValidationError:
            return Unusable(N_("intake.unreadable"))

    def _parse(self, message: InboundMessage) -> Decision:
        text = clean_text(message.text)
        command = _COMMAND.match(text)
        name = command.group(1).lower() if command else None
        rest = clean_text(command.group(2)) if command else text
        if name in _NEW:
            if not rest:
                return Unusable(N_("telegram.lapor_empty"))
            if len(rest) > BODY_MAX:
                return Unusable(N_("telegram.too_long"), {"max": BODY_MAX})
            return NewComplaint(
                Submission(kind=Kind.PENGADUAN, title=_title_from(rest), body=rest, channel=Channel.SOCIAL),
                account=self._account(message),
            )
        if name in _INFO:
            tracking_id = _tracking_id_in(rest)
            if tracking_id is None:
                return Unusable(N_("telegram.info_usage"))
            key, _ = _access_key_in(rest.replace(str(tracking_id), " ", 1))
            return StatusQuery(str(tracking_id), access_key=key)
        if name is None and message.in_reply_to and TrackingId.is_valid(message.in_reply_to) and text:
            key, reply = _access_key_in(text)
            if not reply:
                return StatusQuery(str(TrackingId.parse(message.in_reply_to)), access_key=key)
            if len(reply) > BODY_MAX:
                return Unusable(N_("telegram.too_long"), {"max": BODY_MAX})
            return ReplyToComplaint(str(TrackingId.parse(message.in_reply_to)), reply, access_key=key)
        if name is None and not text:
            return Unusable(N_("telegram.empty"))
        return Unusable(
            N_("telegram.help") if name in _HELP or name is None else N_("telegram.unknown_command")
        )

    def contact(self, message: InboundMessage) -> Contact | None:
        """The chat account (``telegram:<chat id>``): Telegram authenticates who writes in a private chat."""
        account = self._account(message)
        return None if account is None else Contact("account", account)

    def _account(self, message: InboundMessage) -> str | None:
        account = f"{self.channel}:{message.sender}"
        try:
            return chat_account_rule(account)
        except v.Invalid:
            return None

    def render(self, answer: Answer, locale: str = "id") -> TelegramReply:
        """The answer as chat text (plain, no markup)."""
        text = attrs.evolve(answer, code=_WORDING.get(answer.code, answer.code)).text(locale)
        if answer.tracking_id and answer.code in ("intake.reply_recorded", "intake.status"):
            hint = _i18n.translate(N_("telegram.reply_hint"), locale)
            text = f"{text}\n\n{hint}"
        return TelegramReply(text=text[:_MAX_TEXT], tracking_id=answer.tracking_id)


# --- the Bot API client -------------------------------------------------------------------------------------


def _token(value: object) -> str:
    if isinstance(value, str) and _TOKEN.fullmatch(value):
        return value
    raise v.Invalid("telegram.token_malformed")


def _base_url(value: object) -> str:
    if isinstance(value, str) and _BASE_URL.fullmatch(value):
        return value.rstrip("/")
    raise v.Invalid("telegram.base_url_malformed")


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class _Options:
    """The options of :class:`TelegramBot` that can be wrong, each with its rule."""

    token: str = attrs.field(repr=False, metadata=v.rule(_token))
    base_url: str = attrs.field(metadata=v.rule(_base_url))
    timeout: float = attrs.field(metadata=v.rule(positive_seconds(N_("telegram.timeout_not_positive"))))


_TOKEN: Final = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{20,100}")
_BASE_URL: Final = re.compile(r"https?://[^\s/?#@]+(?:/[^\s?#]*)?")
_TEMPORARY: Final = frozenset({408, 429})
_FILE_PATH: Final = re.compile(r"[A-Za-z0-9_./-]{1,200}")  # what getFile answers: photos/file_3.jpg
_MAX_FILES: Final = 5
_MAX_RESPONSE: Final = 64 * 1024


class TelegramBot:
    """Sends chat messages by the Bot API's ``sendMessage``; also a :class:`~lapor_core.plugins.Notifier`.

    As a notifier it delivers the outbox's notifications to ``chat:telegram:<chat id>`` addresses (the
    short text, as for SMS), so a reporter who wrote to the bot hears of their complaint in the same chat.

    Args:
        token: The bot's token from BotFather (``123456:ABC...``); it is part of every request's path, so
            it never appears in errors or logs.
        base_url: The Bot API server (default ``https://api.telegram.org``; a local Bot API server or a
            fake one in tests).
        timeout: Seconds to wait to connect and for each read (default 10).
        ssl_context: The TLS settings for https (default: verify the server).

    Raises:
        ConfigurationError: A malformed token or base URL, or a timeout that is not a positive number of
            seconds; its ``detail`` is the code of the first refused option.
    """

    def __init__(
        self,
        token: str,
        *,
        base_url: str = "https://api.telegram.org",
        timeout: float = 10.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        options = configured(_Options, token=token, base_url=base_url, timeout=timeout)
        self._api = f"{options.base_url}/bot{options.token}"
        self._files = f"{options.base_url}/file/bot{options.token}"
        self._timeout = options.timeout
        self._opener = opener(proxy=None, ssl_context=ssl_context)

    def send(self, notification: Notification) -> None:
        """Send a notification's short text to a ``chat:telegram:<chat id>`` address (the outbox's way back).

        Raises:
            PermanentNotificationError: Not a Telegram chat address, or refused for good (see
                :meth:`send_message`).
            TemporaryNotificationError: Trying again later may succeed.
        """
        platform, _, chat_id = notification.address.target.partition(":")
        if notification.channel is not DeliveryChannel.CHAT or platform != "telegram":
            raise PermanentNotificationError(
                detail=N_("telegram.wrong_channel"), params={"channel": notification.channel.value}
            )
        self.send_message(chat_id, notification.message.short)

    def send_message(self, chat_id: str | int, text: str) -> None:
        """Send ``text`` (plain, at most 4,096 characters) to the chat ``chat_id``.

        Raises:
            TemporaryNotificationError: Unreachable, a timeout, HTTP 5xx, 408 or 429 (Telegram's flood
                limit): trying again later may succeed.
            PermanentNotificationError: Any other refusal (the user blocked the bot: 403; an unknown chat:
                400). Neither names the chat nor quotes the text.
        """
        self._call("sendMessage", {"chat_id": chat_id, "text": text[:_MAX_TEXT]}, _MAX_RESPONSE)

    def download(self, file_id: str, *, max_bytes: int = 10 * 1024 * 1024) -> bytes:
        """The content of a file a user sent (``getFile``, then the file's URL), at most ``max_bytes``.

        Raises:
            TemporaryNotificationError: Unreachable, a timeout, HTTP 5xx, 408 or 429.
            PermanentNotificationError: Refused, or larger than ``max_bytes`` (``telegram.file_too_large``),
                or an answer that is not the Bot API's.
        """
        answer = self._call("getFile", {"file_id": file_id}, _MAX_RESPONSE)
        try:
            result = json.loads(answer)["result"]
            path, size = result["file_path"], result.get("file_size", 0)
        except (ValueError, KeyError, TypeError):
            raise PermanentNotificationError(
                detail=N_("telegram.refused"), params={"status": "200"}
            ) from None
        if not isinstance(path, str) or not _FILE_PATH.fullmatch(path):
            raise PermanentNotificationError(detail=N_("telegram.refused"), params={"status": "200"})
        if isinstance(size, int) and size > max_bytes:
            raise PermanentNotificationError(detail=N_("telegram.file_too_large"), params={"max": max_bytes})
        data = self._call(None, None, max_bytes + 1, url=f"{self._files}/{path}")
        if len(data) > max_bytes:
            raise PermanentNotificationError(detail=N_("telegram.file_too_large"), params={"max": max_bytes})
        return data

    def _call(self, method: str | None, payload: object, limit: int, *, url: str | None = None) -> bytes:
        """POST ``payload`` as JSON to the Bot API ``method`` (or GET ``url``); the answer's first bytes."""
        import http.client  # noqa: PLC0415
        import urllib.error  # noqa: PLC0415
        import urllib.request  # noqa: PLC0415

        if url is None:
            body = json.dumps(payload, ensure_ascii=False).encode()
            request = urllib.request.Request(  # noqa: S310 - the base URL is checked to be http(s)
                f"{self._api}/{method}",
                data=body,
                headers={"Content-Type": "application/json; charset=utf-8"},
                method="POST",
            )
        else:
            request = urllib.request.Request(url, method="GET")  # noqa: S310 - the base URL is http(s)
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                status = int(response.status)
                data = bytes(response.read(limit))
        except urllib.error.HTTPError as e:
            status, data = e.code, b""
            e.close()
        except (urllib.error.URLError, http.client.HTTPException, OSError) as e:
            raise TemporaryNotificationError(
                detail=N_("telegram.unreachable"), params={"error": type(e).__name__}
            ) from None
        if 200 <= status < 300:  # noqa: PLR2004 - HTTP success
            return data
        shown = {"status": str(status)}
        if status >= 500 or status in _TEMPORARY:  # noqa: PLR2004 - HTTP server errors
            raise TemporaryNotificationError(detail=N_("telegram.failed"), params=shown)
        raise PermanentNotificationError(detail=N_("telegram.refused"), params=shown)


def _files_of(update: object) -> list[tuple[str, str, str]]:
    """The files a message carries, as (file ID, file name, content type): the largest photo, a document."""
    message = _mapping(_mapping(update).get("message"))
    found: list[tuple[str, str, str]] = []
    photos = message.get("photo")
    if isinstance(photos, list) and photos:
        largest = _mapping(photos[-1])  # Telegram lists a photo's sizes smallest first
        if isinstance(largest.get("file_id"), str):
            found.append((largest["file_id"], "foto.jpg", "image/jpeg"))
    document = _mapping(message.get("document"))
    if isinstance(document.get("file_id"), str):
        name = document.get("file_name")
        kind = document.get("mime_type")
        found.append(
            (
                document["file_id"],
                name if isinstance(name, str) else "berkas",
                kind if isinstance(kind, str) else "application/octet-stream",
            )
        )
    return found[:_MAX_FILES]


def _downloaded(bot: TelegramBot, update: object, message: InboundMessage) -> tuple[InboundAttachment, ...]:
    """The files of a new complaint, fetched from the Bot API; one that cannot be fetched is left out."""
    files: list[InboundAttachment] = []
    for file_id, name, kind in _files_of(update):
        try:
            files.append(InboundAttachment(name[:200], kind, bot.download(file_id)))
        except NotificationError as e:
            _log.warning(
                "intake telegram message %s: a file was not fetched (%s)", message.message_id, e.detail
            )
    return tuple(files)


def verify_secret_token(expected: str, received: str | None) -> bool:
    """Tell whether a webhook call carries the ``secret_token`` given to ``setWebhook`` (constant time).

    >>> verify_secret_token("s3cret-token_1", "s3cret-token_1"), verify_secret_token("s3cret-token_1", None)
    (True, False)
    """
    import hmac  # noqa: PLC0415

    if not expected or received is None:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), received.encode("utf-8", "surrogatepass"))


def process_update(
    desk: ComplaintDesk,
    update: object,
    *,
    intake: TelegramIntake,
    bot: TelegramBot,
    limiter: SenderLimiter | None = None,
    locale: str = "id",
) -> Handled[TelegramReply] | None:
    """Take one Bot API update end to end: parse, act on the desk, and send the answer to the chat.

    Returns:
        What was done and answered, or None for an update the bot does not answer
        (:meth:`TelegramIntake.inbound`).

    Raises:
        StorageError: The store failed; nothing was answered (answer the webhook with 5xx so Telegram
            delivers the update again; a repeated submission is recognised by its idempotency key).
        NotificationError: The answer could not be sent.
    """
    message = intake.inbound(update)
    if message is None:
        _log.info("intake telegram: an update the bot does not answer was ignored")
        return None
    if isinstance(intake.parse(message), NewComplaint):
        message = attrs.evolve(message, attachments=_downloaded(bot, update, message))
    handled = handle(desk, intake, message, limiter=limiter, locale=locale)
    bot.send_message(message.sender, handled.rendered.text)
    return handled
