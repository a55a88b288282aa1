"""SMS notifications through an HTTP SMS gateway: a signed JSON ``POST`` per SMS, with the standard library.

The gateway takes ``POST <url>`` with the JSON body::

    {"id": "<idempotency key>", "to": "+6281234567890", "from": "1708",
     "text": "...", "encoding": "gsm7", "parts": ["..."], "reference": "lapor:7K3M-9QXF-2HJ-Q"}

``text`` is the notification's short text; ``parts`` the same text split into concatenated SMS parts
(:func:`lapor_core.intake.sms.split_sms`: 160 GSM-7 characters in one SMS, 153 per part beyond, 70/67 when a
character needs UCS-2); ``reference`` names the complaint, and a gateway that threads replies hands it back
as the inbound message's ``in_reply_to``, so a reporter's plain-text answer continues the complaint.

Headers, as :class:`~lapor_core.notifiers.webhook.WebhookNotifier` sends them: ``Idempotency-Key`` (a
gateway that saw it already answers 2xx and sends nothing: delivery is at least once),
``X-Lapor-Timestamp`` and ``X-Lapor-Signature`` (``v1=`` HMAC-SHA256 of ``f"{timestamp}."`` and the body
under the shared secret; the gateway checks it with :func:`~lapor_core.notifiers.webhook.verify_signature`),
and ``Authorization: Bearer <token>`` when a token is given.

A 2xx answer is success. A timeout, a refused connection, 5xx, 408, 425 and 429 are temporary failures;
any other 4xx and a 3xx (redirects are not followed) are permanent.

Only SMS addresses are served, and the number is the reporter's stored contact: the outbox sends it only
notifications meant for the reporter, whose contact the access policy keeps from institutions.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import attrs

from lapor_core._domain import rules as v
from lapor_core._domain.notifications import DeliveryChannel, Notification
from lapor_core._i18n import N_
from lapor_core.errors import PermanentNotificationError, ValidationError
from lapor_core.notifiers._http import FailureCodes, opener, post
from lapor_core.notifiers._settings import configured, positive_seconds
from lapor_core.notifiers.webhook import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

if TYPE_CHECKING:
    import ssl
    import urllib.request

__all__ = ["SmsNotifier", "sms_payload"]

_MIN_SECRET: Final = 16
_FAILURES: Final = FailureCodes(
    unreachable=N_("sms.unreachable"),
    refused=N_("sms.refused"),
    not_followed=N_("sms.not_followed"),
    failed=N_("sms.failed"),
)
_SENDER_ID_MAX: Final = 11  # alphanumeric sender IDs are at most 11 characters (GSM 03.40)


def _url(value: object) -> str:
    url = v.text(required=True, max_length=2000)(value)
    if url is None or not url.lower().startswith(("http://", "https://")) or any(c.isspace() for c in url):
        raise v.Invalid("sms.url_malformed")
    return url


def _secret(value: object) -> bytes:
    raw = value.encode("utf-8") if isinstance(value, str) else value
    if not isinstance(raw, bytes) or len(raw) < _MIN_SECRET:
        raise v.Invalid("sms.secret_too_short", min=_MIN_SECRET)
    return raw


def _sender_id(value: object) -> str | None:
    sender = v.text(required=False, max_length=_SENDER_ID_MAX)(value)
    if sender is not None and not sender.replace("+", "", 1).isalnum():
        raise v.Invalid("sms.sender_id_malformed", max=_SENDER_ID_MAX)
    return sender


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class _Options:
    """The options of :class:`SmsNotifier` that can be wrong, each with its rule."""

    url: str = attrs.field(metadata=v.rule(_url))
    secret: bytes = attrs.field(repr=False, metadata=v.rule(_secret))
    token: str | None = attrs.field(repr=False, metadata=v.rule(v.text(required=False, max_length=4096)))
    sender_id: str | None = attrs.field(metadata=v.rule(_sender_id))
    timeout: float = attrs.field(metadata=v.rule(positive_seconds(N_("sms.timeout_not_positive"))))


def sms_payload(notification: Notification, *, sender_id: str | None = None) -> dict[str, Any]:
    """The JSON object the gateway receives for ``notification`` (see the module docstring).

    Raises:
        PermanentNotificationError: The address is not an Indonesian mobile number (``sms.target_malformed``).
    """
    from lapor_core.intake.sms import normalize_phone, split_sms  # noqa: PLC0415 - loaded with the first SMS

    try:
        to = normalize_phone(notification.address.target)
    except ValidationError:
        raise PermanentNotificationError(detail=N_("sms.target_malformed")) from None
    text = split_sms(notification.message.short)
    return {
        "id": notification.idempotency_key,
        "to": to,
        "from": sender_id,
        "text": text.text,
        "encoding": text.encoding,
        "parts": list(text.parts),
        "reference": f"lapor:{notification.tracking_id}",
    }


class SmsNotifier:
    """A :class:`~lapor_core.plugins.Notifier` that hands SMS notifications to an HTTP SMS gateway.

    Args:
        url: The gateway's endpoint for outgoing messages (``https://gateway.example/v1/messages``).
        secret: The secret shared with the gateway (at least 16 bytes) the requests are signed with.
        token: A bearer token the gateway wants in ``Authorization``, or None.
        sender_id: The sender shown on the phone (``1708``, an alphanumeric ID of at most 11
            characters), or None for the gateway's default.
        timeout: Seconds to wait to connect and for each read (default 10).
        proxy: A proxy URL for http and https, or None; the environment's proxy settings are ignored.
        ssl_context: The TLS settings for https (default: verify the server).
        clock: Unix seconds for the signature's timestamp (default :func:`time.time`).

    Raises:
        ConfigurationError: A malformed URL, a secret under 16 bytes, a malformed sender ID or token, or
            a timeout that is not a positive number of seconds; ``detail`` is the first refusal's code.

    Example:
        >>> notifier = SmsNotifier("https://gateway.example/v1/messages", secret="a shared secret, 16+ bytes")
        >>> SmsNotifier("gateway.example", secret="short")
        Traceback (most recent call last):
        lapor_core.errors.ConfigurationError: ...
    """

    def __init__(
        self,
        url: str,
        *,
        secret: str | bytes,
        token: str | None = None,
        sender_id: str | None = None,
        timeout: float = 10.0,
        proxy: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        options = configured(
            _Options, url=url, secret=secret, token=token, sender_id=sender_id, timeout=timeout
        )
        self._options = options
        self._clock = clock
        self._opener = opener(proxy=proxy, ssl_context=ssl_context)

    def __repr__(self) -> str:
        return f"SmsNotifier({self._options.url!r})"

    def request(self, notification: Notification) -> urllib.request.Request:
        """The signed request ``send`` would make for ``notification`` (for previews and tests).

        Raises:
            PermanentNotificationError: Not an SMS notification, or not an Indonesian mobile number.
        """
        import urllib.request  # noqa: PLC0415 - loaded by the constructor already

        if notification.channel is not DeliveryChannel.SMS:
            raise PermanentNotificationError(
                detail=N_("sms.wrong_channel"), params={"channel": notification.channel.value}
            )
        payload = sms_payload(notification, sender_id=self._options.sender_id)
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        timestamp = str(int(self._clock()))
        headers = {
            "User-Agent": "lapor_core-sms/1",
            "Content-Type": "application/json; charset=utf-8",
            IDEMPOTENCY_HEADER: notification.idempotency_key,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self._options.secret, timestamp, body),
        }
        if self._options.token is not None:
            headers["Authorization"] = f"Bearer {self._options.token}"
        return urllib.request.Request(self._options.url, data=body, headers=headers, method="POST")  # noqa: S310

    def send(self, notification: Notification) -> None:
        """Hand one SMS to the gateway; see the module docs for how failures are classified."""
        post(self._opener, self.request(notification), timeout=self._options.timeout, codes=_FAILURES)
