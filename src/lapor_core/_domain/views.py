"""What a principal gets to read: redacted views of a complaint, built from the policy decisions.

:func:`build_view` is pure: given a complaint, its history, its reporter identity and the decisions for the
principal's relation, it returns a :class:`ComplaintView` holding only what those decisions allow. Fields a
principal may not see are ``None`` (or empty) and their group is named in ``withheld``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import attrs

from lapor_core._domain.access import Decision, Subject
from lapor_core._domain.complaint import Complaint, ReporterIdentity
from lapor_core._domain.history import Event
from lapor_core._domain.lifecycle import Action, Status, Summary
from lapor_core._domain.model import Channel, Kind, Location

__all__ = [
    "ANONYMOUS_NAME",
    "ComplaintView",
    "DeadlineView",
    "ReporterView",
    "TimelineEntry",
    "build_view",
]

ANONYMOUS_NAME = "Anonim"
"""The name shown in place of an anonymous (or withheld) reporter's."""

# About 100 m: three decimals of a degree is 111 m of latitude.
_ROUNDING_DECIMALS = 3

_TIMELINE_ACTIONS = frozenset(
    {
        Action.SUBMIT,
        Action.FORWARD,
        Action.REQUEST_INFO,
        Action.PROVIDE_INFO,
        Action.ASSIGN,
        Action.FOLLOW_UP,
        Action.REPLY,
        Action.CLOSE,
        Action.ARCHIVE,
        Action.DECLINE,
    }
)
_INTERNAL_ACTIONS = frozenset({Action.BREACH, Action.REMIND, Action.REVEAL_IDENTITY, Action.ERASE_IDENTITY})
# The payload's "reason" is an internal note: shown only to principals allowed INTERNAL (see _timeline).
_TIMELINE_KEYS = ("message", "institution", "unit")


@attrs.frozen
class ReporterView:
    """The reporter fields a principal may see; the others are None."""

    name: str | None
    email: str | None = None
    phone: str | None = None
    nik: str | None = None
    account_id: str | None = None


@attrs.frozen
class TimelineEntry:
    """One public step of a complaint: who (by role), what, when, and its message if any."""

    at: datetime
    action: Action
    actor_role: str
    message: str | None = None
    institution: str | None = None
    unit: str | None = None
    reason: str | None = None


@attrs.frozen
class DeadlineView:
    """One service-level clock as a principal sees it."""

    stage: str
    started_at: datetime
    due_at: datetime | None
    state: str
    provisional: bool
    institution: str | None


@attrs.frozen
class ComplaintView:
    """A complaint as one principal may see it.

    Attributes:
        tracking_id: The public handle.
        status: The lifecycle status value (``"forwarded"``...).
        summary: The reporter-facing word (``pending``, ``in_process``, ``done``; see ``Summary.label``).
        kind: Report kind.
        channel: Intake channel.
        category: Topic ID.
        region: Region code of the location.
        institution: Institution it is at.
        unit: Work unit it is assigned to.
        anonymous: The anonymous flag.
        confidential: The confidential flag.
        submitted_at: When it was submitted.
        updated_at: When it last changed.
        published_at: When it was first forwarded.
        rating: The reporter's rating.
        support_count: How many citizens support it.
        title: Title, when content is visible.
        body: Text, when content is visible.
        location: Location; unless precise location is allowed, coordinates rounded to about 100 m and no
            street address.
        reporter: Reporter fields, when any is visible; the name is ``"Anonim"`` when withheld.
        timeline: The steps, with messages.
        deadlines: The service-level clocks.
        withheld: The field groups (:class:`~lapor_core._domain.access.Subject` values) withheld or redacted.
    """

    tracking_id: str
    status: Status
    summary: Summary
    kind: Kind
    channel: Channel
    category: str | None
    region: str | None
    institution: str | None
    unit: str | None
    anonymous: bool
    confidential: bool
    submitted_at: datetime
    updated_at: datetime
    published_at: datetime | None
    rating: int | None
    support_count: int
    title: str | None
    body: str | None
    location: Location | None
    reporter: ReporterView | None
    timeline: tuple[TimelineEntry, ...]
    deadlines: tuple[DeadlineView, ...]
    withheld: frozenset[str]


def _coarse(location: Location) -> Location:
    """The location without what pinpoints it: coordinates rounded to about 100 m, no street address."""
    lat = round(location.lat, _ROUNDING_DECIMALS) if location.lat is not None else None
    lon = round(location.lon, _ROUNDING_DECIMALS) if location.lon is not None else None
    return attrs.evolve(location, lat=lat, lon=lon, address=None)


def _reporter(identity: ReporterIdentity | None, name: Decision, contact: Decision) -> ReporterView | None:
    if name is Decision.DENY and contact is Decision.DENY:
        return None
    if identity is None:
        return ReporterView(name=ANONYMOUS_NAME) if name is Decision.REDACT else None
    shown_name = identity.name if name is Decision.ALLOW else ANONYMOUS_NAME
    if contact is not Decision.ALLOW:
        return ReporterView(name=shown_name)
    return ReporterView(
        name=shown_name,
        email=identity.email,
        phone=identity.phone,
        nik=identity.nik,
        account_id=identity.account_id,
    )


def _timeline(events: Sequence[Event], *, internal: bool) -> tuple[TimelineEntry, ...]:
    entries = []
    for event in events:
        if event.action in _INTERNAL_ACTIONS and not internal:
            continue
        if event.action not in _TIMELINE_ACTIONS and event.action not in _INTERNAL_ACTIONS:
            continue
        payload = event.payload
        values = {key: payload.get(key) for key in _TIMELINE_KEYS}
        reason = payload.get("reason") if internal else None
        entries.append(
            TimelineEntry(
                at=event.at,
                action=event.action,
                actor_role=event.actor.role,
                message=values["message"] if isinstance(values["message"], str) else None,
                institution=values["institution"] if isinstance(values["institution"], str) else None,
                unit=values["unit"] if isinstance(values["unit"], str) else None,
                reason=reason if isinstance(reason, str) else None,
            )
        )
    return tuple(entries)


def build_view(
    complaint: Complaint,
    events: Sequence[Event],
    identity: ReporterIdentity | None,
    deadlines: Sequence[DeadlineView],
    decision: Callable[[Subject], Decision],
) -> ComplaintView:
    """Build the view allowed by ``decision`` (the policy, bound to one principal and complaint).

    The caller has already checked that :attr:`Subject.METADATA` is allowed.
    """
    d = {subject: decision(subject) for subject in _READ_SUBJECTS}
    content = d[Subject.CONTENT] is Decision.ALLOW
    location = complaint.location if content else None
    if location is not None and d[Subject.PRECISE_LOCATION] is not Decision.ALLOW:
        location = _coarse(location)
    timeline = (
        _timeline(events, internal=d[Subject.INTERNAL] is Decision.ALLOW)
        if d[Subject.TIMELINE] is Decision.ALLOW
        else ()
    )
    return ComplaintView(
        tracking_id=complaint.tracking_id,
        status=complaint.status,
        summary=complaint.status.summary,
        kind=complaint.kind,
        channel=complaint.channel,
        category=complaint.category,
        region=complaint.region,
        institution=complaint.institution,
        unit=complaint.unit,
        anonymous=complaint.anonymous,
        confidential=complaint.confidential,
        submitted_at=complaint.submitted_at,
        updated_at=complaint.updated_at,
        published_at=complaint.published_at,
        rating=complaint.rating,
        support_count=len(complaint.supporters),
        title=complaint.title if content else None,
        body=complaint.body if content else None,
        location=location,
        reporter=_reporter(identity, d[Subject.REPORTER_NAME], d[Subject.REPORTER_CONTACT]),
        timeline=timeline,
        deadlines=tuple(deadlines),
        withheld=frozenset(s.value for s, v in d.items() if v is not Decision.ALLOW),
    )


_READ_SUBJECTS = (
    Subject.CONTENT,
    Subject.PRECISE_LOCATION,
    Subject.TIMELINE,
    Subject.REPORTER_NAME,
    Subject.REPORTER_CONTACT,
    Subject.INTERNAL,
    Subject.HISTORY,
)
