"""Builders of valid store values, for tests of stores and of code that embeds lapor_core.

A store test needs complaints, hash-chained events and changesets that respect the
:class:`~lapor_core.plugins.ComplaintStore` rules (version = events so far, ``seq`` from the expected version,
events linked by hash) without going through the whole desk. These functions build them with plausible
defaults; every field can be overridden by keyword.

>>> changes = new_complaint(title="Jalan berlubang")
>>> changes.complaint.version, changes.expected_version, len(changes.events)
(1, 0, 1)
>>> later = next_changeset(changes.complaint, changes.events, status=Status.FORWARDED, institution="31.71")
>>> later.expected_version, later.complaint.version, later.events[0].prev_hash == changes.events[0].hash
(1, 2, True)
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from lapor_core._domain.complaint import Complaint, OutboxMessage, ReporterIdentity
from lapor_core._domain.history import Actor, Event
from lapor_core._domain.ids import time_ordered_id
from lapor_core._domain.keys import StoredKey
from lapor_core._domain.lifecycle import Action, Status
from lapor_core._domain.model import Channel, Kind, Location
from lapor_core._domain.ports import Changeset
from lapor_core._domain.tracking import TrackingId

__all__ = [
    "DEFAULT_TIME",
    "complaint",
    "location",
    "new_complaint",
    "new_tracking_id",
    "next_changeset",
    "outbox_message",
]

DEFAULT_TIME = datetime(2026, 3, 17, 3, 0, tzinfo=UTC)
"""Tuesday 17 March 2026, 10:00 WIB: when built complaints are submitted unless told otherwise."""


def new_tracking_id(value: int | None = None) -> str:
    """A canonical tracking ID: random, or the one whose data bits are ``value``.

    >>> new_tracking_id(0)
    '0000-0000-000-0'
    """
    tid = TrackingId.new() if value is None else TrackingId.from_int(value)
    return str(tid)


def complaint(tracking_id: str | None = None, **fields: Any) -> Complaint:
    """A valid complaint at version 1, just submitted at :data:`DEFAULT_TIME`; ``fields`` override.

    >>> complaint(status=Status.FORWARDED, institution="31.71").institution
    '31.71'
    """
    at = fields.pop("submitted_at", DEFAULT_TIME)
    base = Complaint(
        tracking_id=tracking_id or new_tracking_id(),
        version=1,
        status=Status.SUBMITTED,
        kind=Kind.PENGADUAN,
        channel=Channel.WEB,
        title="Lampu jalan mati",
        body="Lampu jalan di depan sekolah mati sejak Senin.",
        category=None,
        location=None,
        anonymous=False,
        confidential=False,
        reporter_flags=frozenset(),
        identity_ref=None,
        owner_hash=None,
        access_key=StoredKey(salt=secrets.token_bytes(16), digest=secrets.token_bytes(32)),
        institution=None,
        unit=None,
        declined_by=(),
        submitted_at=at,
        updated_at=at,
        published_at=None,
        next_due_at=None,
        rating=None,
        supporters=frozenset(),
    )
    return attrs.evolve(base, **fields)


def outbox_message(
    tracking_id: str,
    *,
    event: Action = Action.SUBMIT,
    recipient_role: str = "admin",
    recipient_ref: str | None = None,
    created_at: datetime = DEFAULT_TIME,
    context: Mapping[str, Any] | None = None,
    id: str | None = None,  # noqa: A002  # the field's name
) -> OutboxMessage:
    """An outbox message about ``tracking_id``; its ID is a fresh time-ordered one unless ``id`` is given."""
    return OutboxMessage(
        id=id or time_ordered_id(created_at),
        tracking_id=tracking_id,
        event=event,
        recipient_role=recipient_role,
        recipient_ref=recipient_ref,
        created_at=created_at,
        context=dict(context) if context is not None else {"tracking_id": tracking_id},
    )


def new_complaint(
    tracking_id: str | None = None,
    *,
    payload: Mapping[str, Any] | None = None,
    outbox: int = 1,
    identity: bool | ReporterIdentity = True,
    **fields: Any,
) -> Changeset:
    """The changeset of a submission: a complaint at version 1, its ``submit`` event, messages, identity.

    Args:
        tracking_id: The complaint's tracking ID (default: a random one).
        payload: The submit event's payload (default: kind and title).
        outbox: How many outbox messages to queue.
        identity: True for a generated reporter identity, False for none, or the identity to store.
        **fields: Overrides for :func:`complaint` (``submitted_at`` also stamps the event and messages).
    """
    ref: ReporterIdentity | None
    if identity is True:
        at = fields.get("submitted_at", DEFAULT_TIME)
        ref = ReporterIdentity(ref=time_ordered_id(at), name="Siti Rahayu", email="siti@example.id")
    else:
        ref = identity or None
    if ref is not None:
        fields.setdefault("identity_ref", ref.ref)
    built = complaint(tracking_id, **fields)
    first = Event.first(
        built.tracking_id,
        Action.SUBMIT,
        Actor.reporter(),
        built.submitted_at,
        payload if payload is not None else {"kind": built.kind.value, "title": built.title},
    )
    messages = tuple(outbox_message(built.tracking_id, created_at=built.submitted_at) for _ in range(outbox))
    return Changeset(complaint=built, expected_version=0, events=(first,), outbox=messages, identity=ref)


def next_changeset(
    current: Complaint,
    history: Sequence[Event],
    action: Action = Action.FORWARD,
    *,
    at: datetime | None = None,
    actor: Actor | None = None,
    payload: Mapping[str, Any] | None = None,
    events: int = 1,
    outbox: int = 1,
    identity: ReporterIdentity | None = None,
    **fields: Any,
) -> Changeset:
    """The changeset of a command on ``current`` (whose stored history is ``history``).

    Args:
        current: The complaint as read from the store.
        history: Its events as read from the store.
        action: The action of the new events.
        at: When (default: one minute after the last event).
        actor: Who (default: an admin).
        payload: The events' payload (default: empty).
        events: How many events the command appends.
        outbox: How many outbox messages it queues.
        identity: A reporter identity to insert or replace.
        **fields: New values of the complaint's fields (``updated_at`` defaults to ``at``).
    """
    last = history[-1]
    when = at or last.at + timedelta(minutes=1)
    new_events: list[Event] = []
    for _ in range(events):
        new_events.append(
            (new_events[-1] if new_events else last).followed_by(
                action, actor or Actor.admin("adm-1"), when, payload or {}
            )
        )
    fields.setdefault("updated_at", when)
    updated = attrs.evolve(current, version=current.version + events, **fields)
    messages = tuple(
        outbox_message(current.tracking_id, event=action, created_at=when) for _ in range(outbox)
    )
    return Changeset(
        complaint=updated,
        expected_version=current.version,
        events=tuple(new_events),
        outbox=messages,
        identity=identity,
    )


def location(region: str = "31.71.01", **fields: Any) -> Location:
    """A valid location in ``region`` (default: a district of Jakarta Pusat).

    >>> location(lat=-6.18, lon=106.83).region
    '31.71.01'
    """
    return Location(region=region, **fields)
