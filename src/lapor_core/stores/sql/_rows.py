"""Mapping between lapor_core's records and the SQL store's rows (plain dictionaries and tuples).

Rows are written and read as sequences in the column order this module fixes (each ``*_COLUMNS``), so
building a row is one tuple and reading one is one tuple unpacking. Values are Python values before
the column types' processing (aware datetimes, bools, bytes); sets and sequences are stored as sorted JSON.

Rows are tuples, not lists: a tuple of plain values is dropped from the garbage collector's watch at its
first collection, while a list is traversed by every full collection for as long as it lives. A bulk import
holds tens of thousands of rows at once; as lists they made building them two to three times slower.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, NamedTuple

import orjson

from lapor_core._domain.complaint import Complaint, OutboxMessage, ReporterIdentity
from lapor_core._domain.history import Actor, Event
from lapor_core._domain.keys import StoredKey
from lapor_core._domain.lifecycle import Action, Status
from lapor_core._domain.model import Channel, Kind, Location
from lapor_core._domain.ports import Changeset
from lapor_core._domain.rules import trusted
from lapor_core.errors import StorageError

__all__ = [
    "COMPLAINT_COLUMNS",
    "EVENT_COLUMNS",
    "IDENTITY_COLUMNS",
    "OUTBOX_COLUMNS",
    "ChangesetRows",
    "complaint_from",
    "event_from",
    "identity_from",
    "outbox_from",
]

COMPLAINT_COLUMNS: Final = (
    "tracking_id",
    "version",
    "status",
    "kind",
    "channel",
    "title",
    "body",
    "category",
    "region",
    "location",
    "anonymous",
    "confidential",
    "reporter_flags",
    "identity_ref",
    "owner_hash",
    "access_salt",
    "access_digest",
    "institution",
    "unit",
    "declined_by",
    "submitted_at",
    "updated_at",
    "published_at",
    "next_due_at",
    "rating",
    "supporters",
)
EVENT_COLUMNS: Final = ("complaint_id", "seq", "action", "actor", "at", "payload", "prev_hash", "hash")
IDENTITY_COLUMNS: Final = ("ref", "name", "email", "phone", "nik", "account_id", "erased")
OUTBOX_COLUMNS: Final = (
    "id",
    "tracking_id",
    "event",
    "recipient_role",
    "recipient_ref",
    "created_at",
    "context",
)
_EMPTY_JSON_LIST: Final = "[]"
# Enum members by value: a dictionary look-up is ten times cheaper than calling the enum on every read.
_STATUSES: Final = {member.value: member for member in Status}
_KINDS: Final = {member.value: member for member in Kind}
_CHANNELS: Final = {member.value: member for member in Channel}


def _jsonable(value: object) -> object:
    if isinstance(value, Mapping):  # an event's read-only payload (a mappingproxy)
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not a JSON value")


# Datetimes and dataclasses are not JSON values here (json refuses them; orjson would write them as text).
_OPTIONS: Final = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _dumps(value: object) -> str:
    # Sorted keys, compact, UTF-8 as is: what json.dumps(sort_keys=True, separators=(",", ":"),
    # ensure_ascii=False) writes, about ten times faster (a fifth of a bulk import's Python time).
    # orjson writes NaN and infinities as null where json refuses them: event payloads never hold one (their
    # hash is computed with allow_nan=False when they are created), nor do locations (validated finite).
    return orjson.dumps(value, default=_jsonable, option=_OPTIONS).decode()


_loads: Final = orjson.loads


def _dumps_strings(values: Iterable[str]) -> str:
    ordered = sorted(values)
    return _dumps(ordered) if ordered else _EMPTY_JSON_LIST


def _strings(text: str) -> list[str]:
    # Most complaints have no supporters, flags or declines: skip the JSON parser for them.
    return [] if text == _EMPTY_JSON_LIST else list(_loads(text))


# A stored location was validated when it was built; validating it again on every read would cost more than
# the indexed lookup itself, so it is rebuilt without its rules.
def _stored_location(text: str) -> Location:
    return trusted(Location, _loads(text))


def complaint_values(c: Complaint) -> tuple[Any, ...]:
    """The ``lapor_complaints`` row of a complaint, in :data:`COMPLAINT_COLUMNS` order."""
    # Enum values are read as ``_value_``: ``.value`` is a Python-level descriptor, a microsecond a call here.
    location = c.location
    return (
        c.tracking_id,
        c.version,
        c.status._value_,
        c.kind._value_,
        c.channel._value_,
        c.title,
        c.body,
        c.category,
        location.region if location is not None else None,
        _dumps(
            {"region": location.region, "lat": location.lat, "lon": location.lon, "address": location.address}
        )
        if location is not None
        else None,
        c.anonymous,
        c.confidential,
        _dumps_strings(c.reporter_flags),
        c.identity_ref,
        c.owner_hash,
        c.access_key.salt,
        c.access_key.digest,
        c.institution,
        c.unit,
        _dumps(list(c.declined_by)) if c.declined_by else _EMPTY_JSON_LIST,
        c.submitted_at,
        c.updated_at,
        c.published_at,
        c.next_due_at,
        c.rating,
        _dumps_strings(c.supporters),
    )


def complaint_from(values: Sequence[Any]) -> Complaint:
    """The complaint stored in a row read in :data:`COMPLAINT_COLUMNS` order."""
    (
        tracking_id,
        version,
        status,
        kind,
        channel,
        title,
        body,
        category,
        _region,
        location,
        anonymous,
        confidential,
        reporter_flags,
        identity_ref,
        owner_hash,
        access_salt,
        access_digest,
        institution,
        unit,
        declined_by,
        submitted_at,
        updated_at,
        published_at,
        next_due_at,
        rating,
        supporters,
    ) = values
    return Complaint(
        tracking_id=tracking_id,
        version=version,
        status=_STATUSES.get(status) or Status(status),
        kind=_KINDS.get(kind) or Kind(kind),
        channel=_CHANNELS.get(channel) or Channel(channel),
        title=title,
        body=body,
        category=category,
        location=_stored_location(location) if location is not None else None,
        anonymous=bool(anonymous),
        confidential=bool(confidential),
        reporter_flags=frozenset(_strings(reporter_flags)),
        identity_ref=identity_ref,
        owner_hash=owner_hash,
        access_key=StoredKey(salt=bytes(access_salt), digest=bytes(access_digest)),
        institution=institution,
        unit=unit,
        declined_by=tuple(_strings(declined_by)),
        submitted_at=submitted_at,
        updated_at=updated_at,
        published_at=published_at,
        next_due_at=next_due_at,
        rating=rating,
        supporters=frozenset(_strings(supporters)),
    )


def event_values(e: Event) -> tuple[Any, ...]:
    """The ``lapor_events`` row of an event, in :data:`EVENT_COLUMNS` order."""
    actor = e.actor
    who = {"role": actor.role, "user_id": actor.user_id, "institution": actor.institution, "unit": actor.unit}
    return (
        e.complaint_id,
        e.seq,
        e.action._value_,
        _dumps({key: value for key, value in who.items() if value is not None}),
        e.at,
        _dumps(e.payload),
        e.prev_hash,
        e.hash,
    )


def event_from(values: Sequence[Any]) -> Event:
    """The event stored in a row read in :data:`EVENT_COLUMNS` order (its stored hash, not a new one)."""
    complaint_id, seq, action, actor, at, payload, prev_hash, digest = values
    return Event(
        complaint_id=complaint_id,
        seq=seq,
        action=Action(action),
        actor=Actor(**_loads(actor)),
        at=at,
        payload=_loads(payload),
        prev_hash=prev_hash,
        hash=digest,
    )


def identity_values(i: ReporterIdentity) -> tuple[Any, ...]:
    """The ``lapor_identities`` row of a reporter identity, in :data:`IDENTITY_COLUMNS` order."""
    return (i.ref, i.name, i.email, i.phone, i.nik, i.account_id, i.erased)


def identity_from(values: Sequence[Any]) -> ReporterIdentity:
    """The reporter identity stored in a row read in :data:`IDENTITY_COLUMNS` order."""
    ref, name, email, phone, nik, account_id, erased = values
    return ReporterIdentity(
        ref=ref, name=name, email=email, phone=phone, nik=nik, account_id=account_id, erased=bool(erased)
    )


def outbox_values(m: OutboxMessage) -> tuple[Any, ...]:
    """The ``lapor_outbox`` row of a message, in :data:`OUTBOX_COLUMNS` order (the database numbers it)."""
    return (
        m.id,
        m.tracking_id,
        m.event._value_,
        m.recipient_role,
        m.recipient_ref,
        m.created_at,
        _dumps(m.context),
    )


def outbox_from(values: Sequence[Any]) -> OutboxMessage:
    """The message stored in a row read in :data:`OUTBOX_COLUMNS` order."""
    message_id, tracking_id, event, recipient_role, recipient_ref, created_at, context = values
    return OutboxMessage(
        id=message_id,
        tracking_id=tracking_id,
        event=Action(event),
        recipient_role=recipient_role,
        recipient_ref=recipient_ref,
        created_at=created_at,
        context=_loads(context),
    )


class ChangesetRows(NamedTuple):
    """One changeset as rows in column order, built (and checked to be storable) before any transaction."""

    tracking_id: str
    expected_version: int
    complaint: tuple[Any, ...]
    events: tuple[tuple[Any, ...], ...]
    identity: tuple[Any, ...] | None
    outbox: tuple[tuple[Any, ...], ...]

    @classmethod
    def of(cls, changes: Changeset) -> ChangesetRows:
        """The rows of ``changes``.

        Raises:
            StorageError: A value cannot be stored (a payload or context that is not JSON).
        """
        c = changes.complaint
        try:
            return cls(
                c.tracking_id,
                changes.expected_version,
                complaint_values(c),
                tuple(event_values(e) for e in changes.events),
                identity_values(changes.identity) if changes.identity is not None else None,
                tuple(outbox_values(m) for m in changes.outbox),
            )
        except (TypeError, ValueError) as e:
            raise StorageError(f"cannot store complaint {c.tracking_id}: {e}") from e
