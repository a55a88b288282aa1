"""Connected institution systems: their registration, their secrets and the events they send. Pure rules.

An institution whose own case system must stay in step with LAPOR! (LAPOR!'s *integrasi*, KepmenPANRB
680/2020) is registered once: an optional endpoint (an ``https://`` URL its events are delivered to) and a
secret both sides sign with. The secret is never stored: a registration keeps a random *salt*, and the secret
is ``whsec_`` and the base64 of HMAC-SHA256 under the deployment's pepper of the institution and the salt. A
copy of the database alone therefore yields no secret (as a copy of it yields no access key), and rotating
draws a new salt while the previous one stays valid until the rotation is finished (two secrets at once).

An event is a JSON object: ``type`` (``follow_up``, ``decline``, ``assign`` or ``status``), ``tracking_id``,
the command's text (``message`` for a follow-up, ``reason`` for a decline, ``unit`` for an assignment) and
optionally ``officer``, the user ID in the institution's system of the person who acted (recorded in the
complaint's history as the actor, as when that person acts in a LAPOR! portal).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

import attrs

from lapor_core._domain.standard_webhooks import SECRET_PREFIX
from lapor_core._i18n import N_
from lapor_core.errors import FieldError, ValidationError

__all__ = [
    "MAX_EVENT_BYTES",
    "MAX_EVENT_ID",
    "EventType",
    "InboundEvent",
    "IntegrationRecord",
    "IntegrationStore",
    "derive_secret",
    "new_salt",
]

MAX_EVENT_BYTES = 65_536
"""The largest event body accepted (a follow-up is at most a few thousand characters)."""
MAX_EVENT_ID = 200
"""The longest sender's event ID (the ``webhook-id`` header) accepted."""
_MAX_OFFICER = 100
_MAX_TEXT = 10_000
_OFFICER = re.compile(r"[^\x00-\x1f\x7f]{1,100}")
_SALT = re.compile(r"[0-9a-f]{64}")
_CONTEXT = b"lapor_core integration secret\x00"


class EventType(StrEnum):
    """What an institution's system asks: the desk command a person of that institution would run."""

    FOLLOW_UP = "follow_up"
    DECLINE = "decline"
    ASSIGN = "assign"
    STATUS = "status"


_TYPES = frozenset(t.value for t in EventType)
_TEXT_FIELD = {EventType.FOLLOW_UP: "message", EventType.DECLINE: "reason", EventType.ASSIGN: "unit"}


def new_salt() -> str:
    """A fresh salt: 32 random bytes as 64 hexadecimal digits."""
    return secrets.token_hex(32)


def derive_secret(pepper: bytes, institution: str, salt: str) -> str:
    """The secret of an institution's registration: ``whsec_`` + base64 of a keyed hash under the pepper.

    >>> derive_secret(b"a pepper of 16+ bytes", "31.71", "00" * 32)[:12]
    'whsec_ycj8hm'
    """
    if not _SALT.fullmatch(salt):
        raise ValueError("a salt is 64 hexadecimal digits")
    message = _CONTEXT + institution.encode("utf-8") + b"\x00" + bytes.fromhex(salt)
    key = hmac.new(pepper, message, hashlib.sha256).digest()
    return SECRET_PREFIX + base64.b64encode(key).decode("ascii")


@attrs.frozen
class IntegrationRecord:
    """One institution's registration, as stored (no secret in it).

    Attributes:
        institution: The institution's code (``31.71``).
        endpoint: The URL its events are delivered to, or None (it only sends).
        salt: Derives the current secret (see :func:`derive_secret`).
        previous_salt: Derives the previous secret while a rotation is not finished, else None.
        created_at: When it was registered.
        rotated_at: When its secret last changed (``created_at`` until the first rotation).
    """

    institution: str
    endpoint: str | None
    salt: str = attrs.field(repr=False)
    previous_salt: str | None = attrs.field(repr=False)
    created_at: datetime
    rotated_at: datetime


@runtime_checkable
class IntegrationStore(Protocol):
    """Where registrations and the IDs of events already handled are kept.

    Every method is atomic and safe to call from several threads (and, for a database, several processes).
    Errors: :class:`~lapor_core.errors.StorageError` when the backend fails, nothing else.

    An event is *claimed* before its command runs: of two deliveries of one event ID by one institution only
    one claim succeeds, whatever the timing. The claim is then *settled* with the answer that is given again
    for every repeat, or *released* when the command failed for a reason a retry may cure (a busy database).
    """

    def put_integration(self, record: IntegrationRecord) -> None:
        """Insert or replace the registration of ``record.institution``."""
        ...

    def integration(self, institution: str) -> IntegrationRecord | None:
        """The institution's registration, or None."""
        ...

    def integrations(self) -> tuple[IntegrationRecord, ...]:
        """Every registration, by institution code."""
        ...

    def remove_integration(self, institution: str) -> bool:
        """Remove a registration (and the IDs of its handled events); True if there was one."""
        ...

    def claim_event(self, institution: str, event_id: str, at: datetime) -> str | None:
        """Claim an event ID: None when this call claimed it; else the stored answer ("" while unsettled)."""
        ...

    def settle_event(self, institution: str, event_id: str, answer: str) -> None:
        """Store the answer of a claimed event."""
        ...

    def release_event(self, institution: str, event_id: str) -> None:
        """Forget an unsettled claim, so the event can be delivered again."""
        ...

    def prune_events(self, before: datetime) -> int:
        """Forget the events claimed before ``before``; return how many."""
        ...


def _text(data: Mapping[str, Any], name: str, errors: list[FieldError], *, limit: int = _MAX_TEXT) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        errors.append(FieldError(name, N_("integration.field_missing")))
        return ""
    if len(value) > limit:
        errors.append(FieldError(name, N_("integration.field_too_long"), {"max": limit}))
        return ""
    return value.strip()


@attrs.frozen
class InboundEvent:
    """An event an institution's system sent, parsed and checked (not yet authorised).

    Attributes:
        type: What it asks.
        tracking_id: The complaint it is about, as sent (the desk parses it).
        text: The follow-up's message, the decline's reason or the unit's code; "" for a status query.
        officer: Who acted, in the institution's system; None when not said.
    """

    type: EventType
    tracking_id: str
    text: str
    officer: str | None

    @classmethod
    def from_json(cls, body: bytes) -> InboundEvent:
        """Parse an event body.

        Raises:
            ValidationError: Not a JSON object, an unknown ``type``, a missing or oversized field; every bad
                field is listed (codes ``integration.*``).

        >>> event = InboundEvent.from_json(b'{"type": "assign", "tracking_id": "7K3M", "unit": "dinas-pu"}')
        >>> event.type, event.tracking_id, event.text, event.officer
        (<EventType.ASSIGN: 'assign'>, '7K3M', 'dinas-pu', None)
        """
        if len(body) > MAX_EVENT_BYTES:
            raise ValidationError.single("body", N_("integration.body_too_large"), max=MAX_EVENT_BYTES)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise ValidationError.single("body", N_("integration.body_not_json")) from None
        if not isinstance(data, dict):
            raise ValidationError.single("body", N_("integration.body_not_json"))
        errors: list[FieldError] = []
        kind = data.get("type")
        event_type = EventType(kind) if isinstance(kind, str) and kind in _TYPES else None
        if event_type is None:
            errors.append(FieldError("type", N_("integration.type_unknown")))
        tracking_id = _text(data, "tracking_id", errors, limit=40)
        field = _TEXT_FIELD.get(event_type) if event_type is not None else None
        text = _text(data, field, errors) if field is not None else ""
        officer = data.get("officer")
        if officer is not None and (not isinstance(officer, str) or not _OFFICER.fullmatch(officer)):
            errors.append(FieldError("officer", N_("integration.officer_malformed"), {"max": _MAX_OFFICER}))
        if errors:
            raise ValidationError(errors)
        assert event_type is not None  # noqa: S101 - an unknown type is among the errors
        return cls(type=event_type, tracking_id=tracking_id, text=text, officer=officer)
