"""Signing and verifying webhooks the Standard Webhooks way (https://www.standardwebhooks.com): the one owner.

Three headers carry a signed request: ``webhook-id`` (the sender's ID of the message, the same on every
retry), ``webhook-timestamp`` (Unix seconds when it was signed) and ``webhook-signature``: ``v1,`` and the
base64 HMAC-SHA256 of ``f"{id}.{timestamp}."`` and the raw body, under the secret's key. The header may list
several space-separated signatures (one per secret while a secret is being rotated); one match suffices.

A secret is written ``whsec_`` and the base64 of its key (:func:`new_secret` draws 32 random bytes), so a
receiver in any language passes it unchanged to an off-the-shelf verifier. Any other text (a secret configured
before lapor_core 0.2) is its own key, as UTF-8: a verifier then takes its base64.

Why the ID is signed: the receiver deduplicates on it, so an attacker must not be able to replay a body under
a new ID. Why five minutes: clocks of government servers drift, and a captured request is refused soon enough.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping

from lapor_core._domain import rules as v
from lapor_core._i18n import N_

__all__ = [
    "ID_HEADER",
    "SECRET_PREFIX",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "TOLERANCE_SECONDS",
    "header",
    "new_secret",
    "secret_key",
    "sign",
    "signature_problem",
]

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
TOLERANCE_SECONDS = 300
MIN_KEY_BYTES = 16
_MAX_ID = 200
_MAX_TIMESTAMP_DIGITS = 12
_MAX_SIGNATURES = 16


def new_secret() -> str:
    """A fresh secret, ``whsec_`` and the base64 of 32 random bytes.

    >>> s = new_secret()
    >>> s.startswith("whsec_"), len(secret_key(s))
    (True, 32)
    """
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def secret_key(secret: object) -> bytes:
    """The HMAC key of a secret: the decoded base64 after ``whsec_``, else the text's own UTF-8 bytes.

    Raises:
        rules.Invalid: ``webhook.secret_too_short`` (a key under 16 bytes, or not text or bytes) or
            ``webhook.secret_malformed`` (``whsec_`` followed by something that is not base64).

    >>> secret_key("whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVg==")
    b'ABCDEFGHIJKLMNOPQRSTUV'
    """
    if isinstance(secret, str) and secret.startswith(SECRET_PREFIX):
        try:
            key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
        except (binascii.Error, ValueError):
            raise v.Invalid(N_("webhook.secret_malformed")) from None
    elif isinstance(secret, str):
        key = secret.encode("utf-8")
    elif isinstance(secret, bytes):
        key = bytes(secret)
    else:
        raise v.Invalid("webhook.secret_too_short", min=MIN_KEY_BYTES)
    if len(key) < MIN_KEY_BYTES:
        raise v.Invalid("webhook.secret_too_short", min=MIN_KEY_BYTES)
    return key


def sign(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value (one signature) for ``body`` sent as ``message_id`` at ``timestamp``.

    >>> sign(b"0123456789abcdef", "msg_1", 1773716400, b'{"a":1}')[:12]
    'v1,AwsbukLEo'
    """
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of the header ``name`` (lower case) in ``headers`` (names in any case), or None."""
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == name:
            return value if isinstance(value, str) else None
    return None


def signature_problem(
    keys: Iterable[bytes],
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float,
    tolerance: float = TOLERANCE_SECONDS,
) -> str | None:
    """Why a received request is not authentic and fresh, as a code, or None when it is.

    Args:
        keys: The keys any of which may have signed it (two while a secret is being rotated).
        headers: The request's headers (names in any case).
        body: The raw body, exactly as received.
        now: The receiver's time in Unix seconds.
        tolerance: How many seconds the timestamp may be away from ``now``, either way.

    Returns:
        ``webhook.headers_missing`` (a header is missing or malformed), ``webhook.timestamp_stale`` (older
        than the tolerance, or as far in the future), ``webhook.signature_mismatch`` (no key signed it),
        or None. Signatures are compared in constant time.
    """
    message_id = header(headers, ID_HEADER)
    timestamp = header(headers, TIMESTAMP_HEADER)
    signature = header(headers, SIGNATURE_HEADER)
    if not message_id or not timestamp or not signature or len(message_id) > _MAX_ID:
        return N_("webhook.headers_missing")
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > _MAX_TIMESTAMP_DIGITS:
        return N_("webhook.headers_missing")
    if abs(now - int(timestamp)) > tolerance:
        return N_("webhook.timestamp_stale")
    offered = signature.split(" ")[:_MAX_SIGNATURES]
    for key in keys:
        expected = sign(key, message_id, int(timestamp), body).encode("ascii")
        if any(hmac.compare_digest(expected, candidate.encode("utf-8")) for candidate in offered):
            return None
    return N_("webhook.signature_mismatch")
