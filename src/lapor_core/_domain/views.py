"""What a principal gets to read: redacted views of a complaint, built from the policy decisions.

:func:`build_view` is pure: given a complaint, its history, its reporter identity and the decisions for the
principal's relation, it returns a :class:`ComplaintView` holding only what those decisions allow. Fields a
principal may not see are ``None`` (or empty) and their group is named in ``withheld``.

A view's ``timeline`` and ``deadlines`` are :class:`OnDemand` sequences: the desk reads the history they come
from on first use, so a view (and a listing page of them) costs the same whatever the length of the history
until a caller looks at them. ``current_deadlines`` (the open clocks) comes from the complaint's row.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar, overload

import attrs

from lapor_core._domain.access import Decision, Subject
from lapor_core._domain.complaint import Complaint, ReporterIdentity
from lapor_core._domain.history import Event
from lapor_core._domain.lifecycle import Action, Escalation, Status, Summary
from lapor_core._domain.model import Channel, Kind, Location

__all__ = [
    "ANONYMOUS_NAME",
    "ComplaintView",
    "DeadlineView",
    "OnDemand",
    "ReporterView",
    "TimelineEntry",
    "build_view",
    "coarse",
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
        Action.RATE,  # its message is the rating's comment
        Action.ARCHIVE,
        Action.DECLINE,
        Action.MERGE,
        Action.ESCALATE,
        Action.RECORD_FINDINGS,
        Action.CONCLUDE_ESCALATION,
    }
)
_INTERNAL_ACTIONS = frozenset(
    {Action.BREACH, Action.REMIND, Action.REVEAL_IDENTITY, Action.ERASE_IDENTITY, Action.ATTACH}
)
# The payload's "reason" is an internal note: shown only to principals allowed INTERNAL (see _timeline).
_TIMELINE_KEYS = ("message", "institution", "unit")


T = TypeVar("T")


class OnDemand(Sequence[T]):
    """A read-only sequence computed on first use, then kept (a view's timeline and full deadlines).

    It compares equal to any sequence with the same items (a tuple included), hashes as the tuple of its
    items, and pickles as that tuple. Its source is read at most once per view: a view whose history is
    never looked at never reads it. The source is the desk's store, so read it while the desk is open.

    >>> lazy = OnDemand(lambda: (1, 2, 3))
    >>> len(lazy), lazy[-1], lazy == (1, 2, 3), list(lazy[:2])
    (3, 3, True, [1, 2])
    """

    __slots__ = ("_items", "_load", "_lock")

    def __init__(self, load: Callable[[], Sequence[T]]) -> None:
        self._load: Callable[[], Sequence[T]] | None = load
        self._items: tuple[T, ...] = ()
        self._lock = threading.Lock()

    def _resolved(self) -> tuple[T, ...]:
        if self._load is not None:
            with self._lock:
                if self._load is not None:
                    self._items = tuple(self._load())
                    self._load = None
        return self._items

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...
    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        return self._resolved()[index]

    def __len__(self) -> int:
        return len(self._resolved())

    def __iter__(self) -> Iterator[T]:
        return iter(self._resolved())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, OnDemand | tuple | list):
            return self._resolved() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._resolved())

    def __repr__(self) -> str:
        return repr(self._resolved()) if self._load is None else "OnDemand(<not read yet>)"

    def __reduce__(self) -> tuple[Any, ...]:
        return tuple, (self._resolved(),)


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
        timeline: The steps, with messages (read from the history on first use: :class:`OnDemand`).
        deadlines: Every service-level clock, ended ones included (replayed on first use: :class:`OnDemand`).
        withheld: The field groups (:class:`~lapor_core._domain.access.Subject` values) withheld or redacted.
        current_deadlines: The open clocks (running, paused, or past due awaiting action), from the
            complaint's row: what a queue shows, at no history read.
        merged_into: For a merged duplicate: the tracking ID of the complaint it was merged into.
        original: For a merged duplicate: the complaint it now follows (the end of the merges from it) as
            the public sees it, or None when the public may not see that complaint.
        escalation: Its escalation to the Ombudsman (``open``, ``concluded``), or None.
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
    timeline: Sequence[TimelineEntry]
    deadlines: Sequence[DeadlineView]
    withheld: frozenset[str]
    current_deadlines: tuple[DeadlineView, ...] = ()
    merged_into: str | None = None
    original: ComplaintView | None = None
    escalation: Escalation | None = None


def coarse(location: Location) -> Location:
    """The location without what pinpoints it: coordinates rounded to about 100 m, no street address.

    What a principal who may not see the precise location is shown (and compared by, in similar complaints).

    >>> coarse(Location(region="31.71.01", lat=-6.175392, lon=106.827153, address="Jl. Medan Merdeka"))
    Location(region='31.71.01', lat=-6.175, lon=106.827, address=None)
    """
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
    *,
    current_deadlines: Sequence[DeadlineView] = (),
) -> ComplaintView:
    """Build the view allowed by ``decision`` (the policy, bound to one principal and complaint).

    ``events`` is read only when the view's timeline is (pass an :class:`OnDemand` to defer reading it);
    ``deadlines`` and ``current_deadlines`` are taken as they are. The caller has already checked that
    :attr:`Subject.METADATA` is allowed.
    """
    d = {subject: decision(subject) for subject in _READ_SUBJECTS}
    content = d[Subject.CONTENT] is Decision.ALLOW
    location = complaint.location if content else None
    if location is not None and d[Subject.PRECISE_LOCATION] is not Decision.ALLOW:
        location = coarse(location)
    internal = d[Subject.INTERNAL] is Decision.ALLOW
    timeline: Sequence[TimelineEntry] = (
        OnDemand(lambda: _timeline(events, internal=internal))
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
        deadlines=deadlines,
        withheld=frozenset(s.value for s, v in d.items() if v is not Decision.ALLOW),
        current_deadlines=tuple(current_deadlines),
        merged_into=complaint.merged_into,
        escalation=complaint.escalation,
    )


_READ_SUBJECTS = (
    Subject.CONTENT,
    Subject.PRECISE_LOCATION,
    Subject.TIMELINE,
    Subject.REPORTER_NAME,
    Subject.REPORTER_CONTACT,
    Subject.INTERNAL,
    Subject.HISTORY,
    Subject.ATTACHMENTS,
)
