"""Opaque pagination cursors shared by the built-in stores."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from lapor_core.errors import ValidationError


def encode_cursor(sort_key: str | None, tracking_id: str) -> str:
    """Encode the last row of a page (its sort key as text, and its tracking ID)."""
    raw = json.dumps([sort_key, tracking_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str | None, str]:
    """Decode a cursor made by :func:`encode_cursor`; a malformed one raises ValidationError."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        sort_key, tracking_id = json.loads(raw)
    except (ValueError, TypeError) as e:
        raise ValidationError.single("cursor", "query.cursor_malformed") from e
    if not (sort_key is None or isinstance(sort_key, str)) or not isinstance(tracking_id, str):
        raise ValidationError.single("cursor", "query.cursor_malformed")
    return sort_key, tracking_id


def instant_key(instant: datetime) -> str:
    """A string that sorts like the instant: UTC ISO 8601 to the microsecond."""
    return instant.astimezone(UTC).isoformat(timespec="microseconds")
