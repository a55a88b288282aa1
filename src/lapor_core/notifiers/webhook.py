"""Webhook notifications: a signed JSON ``POST`` to the address's URL, with the standard library's urllib.

The request body is the notification as JSON (:func:`payload`). It is signed the Standard Webhooks way
(https://www.standardwebhooks.com), so a receiver verifies it with an off-the-shelf library in any language:

- ``webhook-id``: the notification's idempotency key, the same on every retry; a receiver that saw it
  already answers 2xx and does nothing more (delivery is at least once). ``Idempotency-Key`` repeats it.
- ``webhook-timestamp``: Unix seconds when the request was signed.
- ``webhook-signature``: ``v1,`` and the base64 HMAC-SHA256, under the secret's key, of the ID, a full stop,
  the timestamp, a full stop and the raw body. A secret written ``whsec_<base64>`` has the decoded bytes as
  its key (:func:`new_secret` makes one); any other secret is its own key as UTF-8.

A receiver checks the signature with :func:`verify_webhook` on the raw body, before parsing it; it refuses
timestamps more than 5 minutes away so a captured request cannot be replayed later.

Deprecated, until 0.3: ``WebhookNotifier(legacy_signature=True)`` also sends the headers of lapor_core 0.1,
``X-Lapor-Timestamp`` and ``X-Lapor-Signature`` (``v1=`` and the hex HMAC-SHA256 of the timestamp, a full
stop and the body, under the secret as given), checked by :func:`verify_signature`, while receivers move.

A 2xx answer is success. A timeout, a refused connection, 5xx, 408 and 429 are temporary failures; any
other 4xx, and a 3xx (redirects are not followed: the signature covers one URL), are permanent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from lapor_core._domain import rules as v
from lapor_core._domain import standard_webhooks
from lapor_core._domain.notifications import DeliveryChannel, Notification
from lapor_core._domain.standard_webhooks import new_secret
from lapor_core._i18n import N_
from lapor_core.errors import PermanentNotificationError
from lapor_core.notifiers._http import FailureCodes, opener, post
from lapor_core.notifiers._settings import configured, positive_seconds

if TYPE_CHECKING:
    import ssl
    import urllib.request

__all__ = [
    "IDEMPOTENCY_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WEBHOOK_ID_HEADER",
    "WEBHOOK_SIGNATURE_HEADER",
    "WEBHOOK_TIMESTAMP_HEADER",
    "WebhookNotifier",
    "new_secret",
    "payload",
    "sign",
    "verify_signature",
    "verify_webhook",
]

IDEMPOTENCY_HEADER = "Idempotency-Key"
WEBHOOK_ID_HEADER = standard_webhooks.ID_HEADER
WEBHOOK_TIMESTAMP_HEADER = standard_webhooks.TIMESTAMP_HEADER
WEBHOOK_SIGNATURE_HEADER = standard_webhooks.SIGNATURE_HEADER
TIMESTAMP_HEADER = "X-Lapor-Timestamp"
"""The timestamp header of lapor_core 0.1 (sent only with ``legacy_signature=True``; deprecated)."""
SIGNATURE_HEADER = "X-Lapor-Signature"
"""The signature header of lapor_core 0.1 (sent only with ``legacy_signature=True``; deprecated)."""
_VERSION = "v1"
_FAILURES: Final = FailureCodes(
    unreachable=N_("webhook.unreachable"),
    refused=N_("webhook.refused"),
    not_followed=N_("webhook.not_followed"),
    failed=N_("webhook.failed"),
)


def _secret_bytes(secret: str | bytes) -> bytes:
    return secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)


def _secret(value: object) -> str | bytes:
    standard_webhooks.secret_key(value)  # refuses a short or malformed secret
    assert isinstance(value, (str, bytes))  # noqa: S101 - secret_key refused anything else
    return value


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class _Options:
    """The options of :class:`WebhookNotifier` that can be wrong, each with its rule."""

    secret: str | bytes = attrs.field(repr=False, metadata=v.rule(_secret))
    timeout: float = attrs.field(metadata=v.rule(positive_seconds(N_("webhook.timeout_not_positive"))))


def verify_webhook(
    secret: str | bytes | Iterable[str | bytes],
    *,
    headers: Mapping[str, str],
    body: bytes,
    tolerance: float = 300.0,
    now: float | None = None,
) -> bool:
    """Whether a received Standard Webhooks request is authentic and fresh. For receivers.

    Args:
        secret: The secret shared with the sender (``whsec_...``), or several (while one is rotated).
        headers: The request's headers; ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` are
            read (names in any case).
        body: The raw request body, exactly as received.
        tolerance: How many seconds the timestamp may differ from ``now`` (default 5 minutes).
        now: The receiver's time in Unix seconds (default: the system clock).

    Returns:
        True only for well-formed headers, a fresh timestamp and a matching signature (constant time).

    >>> secret = "whsec_" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
    >>> body = b'{"id":"1"}'
    >>> headers = {"webhook-id": "msg_1", "webhook-timestamp": "1773716400",
    ...            "webhook-signature": standard_webhooks.sign(
    ...                standard_webhooks.secret_key(secret), "msg_1", 1773716400, body)}
    >>> verify_webhook(secret, headers=headers, body=body, now=1773716460)
    True
    >>> verify_webhook(secret, headers=headers | {"webhook-id": "msg_2"}, body=body, now=1773716460)
    False
    """
    candidates = [secret] if isinstance(secret, (str, bytes)) else list(secret)
    keys = [standard_webhooks.secret_key(s) for s in candidates]
    current = time.time() if now is None else now
    return standard_webhooks.signature_problem(keys, headers, body, now=current, tolerance=tolerance) is None


def sign(secret: str | bytes, timestamp: str, body: bytes) -> str:
    """The 0.1 signature header's value for ``body`` sent at ``timestamp`` (deprecated for webhooks).

    >>> sign("a shared secret, 16+ bytes", "1773716400", b'{"id":"1"}')[:11]
    'v1=7fef707c'
    """
    digest = hmac.new(_secret_bytes(secret), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return f"{_VERSION}={digest.hexdigest()}"


def verify_signature(
    secret: str | bytes,
    *,
    timestamp: str | None,
    body: bytes,
    signature: str | None,
    tolerance: float = 300.0,
    now: float | None = None,
) -> bool:
    """Whether a request signed the lapor_core 0.1 way is authentic and fresh (deprecated for webhooks).

    Args:
        secret: The secret shared with the sender.
        timestamp: The ``X-Lapor-Timestamp`` header (None if missing).
        body: The raw request body, exactly as received.
        signature: The ``X-Lapor-Signature`` header (None if missing); it may list several comma-separated
            ``v1=...`` values (while a secret is being rotated); one match suffices.
        tolerance: How many seconds the timestamp may differ from ``now`` (default 5 minutes).
        now: The receiver's time in Unix seconds (default: the system clock).

    Returns:
        True only for a well-formed, fresh timestamp and a matching signature (compared in constant time).

    >>> body = b'{"id":"1"}'
    >>> header = sign("a shared secret, 16+ bytes", "1773716400", body)
    >>> verify_signature("a shared secret, 16+ bytes", timestamp="1773716400", body=body,
    ...                  signature=header, now=1773716460)
    True
    >>> verify_signature("a shared secret, 16+ bytes", timestamp="1773716400", body=body + b" ",
    ...                  signature=header, now=1773716460)
    False
    """
    if not timestamp or not signature or not timestamp.isdigit() or len(timestamp) > 12:  # noqa: PLR2004
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    candidates = [part.strip() for part in signature.split(",")]
    return any(hmac.compare_digest(expected, c) for c in candidates if c.startswith(f"{_VERSION}="))


def payload(notification: Notification) -> dict[str, Any]:
    """The JSON object a webhook receives for ``notification``.

    Keys: ``id`` (the idempotency key), ``event``, ``tracking_id``, ``recipient`` (``role``, ``ref``),
    ``locale``, ``template``, ``queued_at`` (ISO 8601), ``subject``, ``text``, ``short`` and ``context``
    (the template's values, already filtered by the access policy).
    """
    n = notification
    return {
        "id": n.idempotency_key,
        "event": n.event.value,
        "tracking_id": n.tracking_id,
        "recipient": {"role": n.recipient.role.value, "ref": n.recipient.ref},
        "locale": n.locale,
        "template": n.template,
        "queued_at": n.queued_at.isoformat(),
        "subject": n.message.subject,
        "text": n.message.text,
        "short": n.message.short,
        "context": dict(n.context),
    }


class WebhookNotifier:
    """A :class:`~lapor_core.plugins.Notifier` that POSTs signed JSON to webhook addresses.

    Args:
        secret: The shared secret (at least 16 bytes) the signature is keyed with.
        timeout: Seconds to wait to connect and for each read (default 10).
        proxy: A proxy URL for http and https, or None. Proxy settings of the environment are ignored on
            purpose: where notifications go is configuration, not ambient state.
        ssl_context: The TLS settings for https (default: verify the server).
        user_agent: The ``User-Agent`` header.
        extra_headers: More headers for every request (an ``Authorization`` the receiver wants...).
        clock: Unix seconds for the timestamp (default :func:`time.time`).
        legacy_signature: Also send the 0.1 headers ``X-Lapor-Timestamp`` and ``X-Lapor-Signature`` while
            receivers move to the Standard Webhooks headers. Deprecated: removed in 0.3.

    Raises:
        ConfigurationError: The secret's key is shorter than 16 bytes, or ``whsec_`` is followed by
            something not base64, or the timeout is not a positive number of seconds (at most a day); its
            ``detail`` is the code of the first refused option.
    """

    def __init__(
        self,
        *,
        secret: str | bytes,
        timeout: float = 10.0,
        proxy: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        user_agent: str = "lapor_core-webhook/1",
        extra_headers: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
        legacy_signature: bool = False,
    ) -> None:
        options = configured(_Options, secret=secret, timeout=timeout)
        self._key = standard_webhooks.secret_key(options.secret)
        self._legacy_secret = _secret_bytes(options.secret) if legacy_signature else None
        if legacy_signature:
            warnings.warn(
                "WebhookNotifier(legacy_signature=True) is deprecated and goes in lapor_core 0.3: "
                "receivers should verify the webhook-signature header",
                DeprecationWarning,
                stacklevel=2,
            )
        self._timeout = options.timeout
        self._headers = {"User-Agent": user_agent, **(extra_headers or {})}
        self._clock = clock
        self._opener = opener(proxy=proxy, ssl_context=ssl_context)

    def request(self, notification: Notification) -> urllib.request.Request:
        """The signed request ``send`` would make for ``notification`` (for previews and tests)."""
        import urllib.request  # noqa: PLC0415 - loaded by the constructor already

        body = json.dumps(payload(notification), ensure_ascii=False, sort_keys=True).encode("utf-8")
        timestamp = int(self._clock())
        key = notification.idempotency_key
        headers = {
            **self._headers,
            "Content-Type": "application/json; charset=utf-8",
            IDEMPOTENCY_HEADER: key,
            WEBHOOK_ID_HEADER: key,
            WEBHOOK_TIMESTAMP_HEADER: str(timestamp),
            WEBHOOK_SIGNATURE_HEADER: standard_webhooks.sign(self._key, key, timestamp, body),
        }
        if self._legacy_secret is not None:
            headers[TIMESTAMP_HEADER] = str(timestamp)
            headers[SIGNATURE_HEADER] = sign(self._legacy_secret, str(timestamp), body)
        url = notification.address.target  # an http(s) URL: Address validates webhook targets
        return urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310

    def send(self, notification: Notification) -> None:
        """POST ``notification``; see the module docs for how failures are classified."""
        if notification.channel is not DeliveryChannel.WEBHOOK:
            raise PermanentNotificationError(
                detail=N_("webhook.wrong_channel"), params={"channel": notification.channel.value}
            )
        post(self._opener, self.request(notification), timeout=self._timeout, codes=_FAILURES)
