"""The rules every :class:`~lapor_core.plugins.OutboxStore` applies to its arguments, in one place.

Each built-in store (in memory, SQL) checks its arguments with these before it touches its data, and so can a
third-party store: the same refusals, with the same codes, whichever backend a desk runs on. Each ``check_*``
raises :class:`~lapor_core.errors.ValidationError` (listing every bad argument) or returns quietly.

>>> from datetime import UTC, datetime, timedelta
>>> check_claim(datetime(2026, 3, 17, tzinfo=UTC), timedelta(minutes=5), 100)
>>> check_claim(datetime(2026, 3, 17), timedelta(0), 5000)
Traceback (most recent call last):
...
lapor_core.errors.ValidationError: ...
"""

from __future__ import annotations

from datetime import datetime, timedelta

from lapor_core._domain.ports import OutboxClaim
from lapor_core.errors import FieldError, ValidationError

__all__ = [
    "MAX_CLAIM",
    "MAX_ERROR",
    "check_claim",
    "check_instant",
    "check_limit",
    "check_outbox_claim",
    "clip_error",
]

MAX_CLAIM = 1000
"""The most messages one claim (or one dead-letter listing) returns."""

MAX_ERROR = 1000
"""Stored errors are cut to this many characters."""


def _instant_errors(field: str, value: object) -> list[FieldError]:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        return [FieldError(field, "instant.naive")]
    return []


def _limit_errors(limit: object) -> list[FieldError]:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_CLAIM:
        return [FieldError("limit", "query.limit_out_of_range", {"max": MAX_CLAIM})]
    return []


def check_instant(field: str, value: object) -> None:
    """Raise ValidationError naming ``field`` unless ``value`` is a timezone-aware datetime."""
    errors = _instant_errors(field, value)
    if errors:
        raise ValidationError(errors)


def check_limit(limit: object) -> None:
    """Raise ValidationError unless ``limit`` (of a claim, or of a dead-letter listing) is 1 to 1,000."""
    errors = _limit_errors(limit)
    if errors:
        raise ValidationError(errors)


def check_claim(now: object, lease: object, limit: object) -> None:
    """Raise ValidationError unless ``now`` is aware, ``lease`` positive and ``limit`` within 1 to 1,000."""
    errors = _instant_errors("now", now)
    if not isinstance(lease, timedelta) or lease <= timedelta(0):
        errors.append(FieldError("lease", "outbox.lease_not_positive"))
    errors.extend(_limit_errors(limit))
    if errors:
        raise ValidationError(errors)


def check_outbox_claim(claim: object) -> OutboxClaim:
    """``claim`` itself, or ValidationError when it is not an :class:`~lapor_core.plugins.OutboxClaim`."""
    if not isinstance(claim, OutboxClaim):
        raise ValidationError.single("claim", "outbox.claim_wrong_type")
    return claim


def clip_error(error: object) -> str:
    """The error text to store: a string of at most :data:`MAX_ERROR` characters.

    >>> len(clip_error("x" * 5000))
    1000
    """
    text = error if isinstance(error, str) else str(error)
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"
