"""The stored records of a complaint: its current state and, apart from it, the reporter's identity.

:class:`Complaint` is the projection of a complaint's history that stores keep for queries; the history
(:mod:`lapor_core._domain.history`) is the source of truth. The reporter's identity is a separate
:class:`ReporterIdentity` referenced by ``identity_ref``, so it can be erased or pseudonymised (UU PDP)
without touching the history chain or the statistics.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from lapor_core._domain.keys import StoredKey
from lapor_core._domain.lifecycle import Action, Escalation, Status
from lapor_core._domain.model import Channel, Kind, Location
from lapor_core._domain.sla import SlaState

__all__ = ["Complaint", "OutboxMessage", "ReporterIdentity"]


@attrs.frozen
class ReporterIdentity:
    """Who reported, kept apart from the complaint.

    Attributes:
        ref: Random reference held by the complaint.
        name: Display name, or None.
        email: E-mail address, or None.
        phone: Phone number (``+628...``), or None.
        nik: National identity number (16 digits), or None.
        account_id: The portal account that submitted the complaint, or None.
        erased: True once the data subject's identity was erased; every other field is then None.
    """

    ref: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    nik: str | None = None
    account_id: str | None = None
    erased: bool = False

    def erase(self) -> ReporterIdentity:
        """The same reference with every personal field removed."""
        return ReporterIdentity(ref=self.ref, erased=True)


@attrs.frozen
class Complaint:
    """The current state of one complaint (a projection of its history).

    Attributes:
        tracking_id: Canonical tracking ID (``str(TrackingId)``, e.g. ``7K3M-9QXF-2HJ-Q``); the key.
        version: Number of history events; a save must name the version it read.
        status: Lifecycle status.
        kind: Report kind.
        channel: Intake channel.
        title: Title (the admin may edit it at verification).
        body: The report's text.
        category: Topic ID, or None.
        location: Where, or None.
        anonymous: Identity hidden from the institution, its units, supervisors and the public.
        confidential: Content hidden from the public.
        reporter_flags: The flags the reporter set (``"anonymous"``, ``"confidential"``); never cleared.
        identity_ref: Reference of the :class:`ReporterIdentity`, or None when nothing identifies anyone.
        owner_hash: Keyed hash of the submitting account, or None; lets that account act as the reporter.
        access_key: The keyed hash of the reporter's access key.
        institution: Code of the institution it is forwarded to, or None.
        unit: Code of the work unit it is assigned to, or None.
        declined_by: Institutions that answered "not our authority" (bukan wewenang).
        submitted_at: When it was submitted.
        updated_at: When it last changed.
        published_at: When it was first forwarded (published unless confidential), or None.
        next_due_at: The next instant the sweep must look at it (reminder, breach or closing), or None.
        rating: The reporter's rating 1-5 after closing, or None.
        supporters: Keyed hashes of the citizens who supported it.
        head_hash: The hash of its last history event, or None when the store did not keep it.
        sla_state: Its open service-level clocks as the last event left them
            (:class:`~lapor_core._domain.sla.SlaState`), or None when the store did not keep it.
        merged_into: For a merged duplicate (status ``merged``): the tracking ID of the original; else None.
        escalation: Its escalation to the Ombudsman (:class:`~lapor_core._domain.lifecycle.Escalation`),
            or None when never escalated.

    ``head_hash`` and ``sla_state`` let a command append an event and continue the clocks without reading
    the history: the kernel writes them with every event, in the same changeset. A store that does not keep
    them (a row written before 0.2, a plugin that maps only some fields) gives None, and the kernel then
    replays the history instead: slower, never wrong.
    """

    tracking_id: str
    version: int
    status: Status
    kind: Kind
    channel: Channel
    title: str
    body: str
    category: str | None
    location: Location | None
    anonymous: bool
    confidential: bool
    reporter_flags: frozenset[str]
    identity_ref: str | None
    owner_hash: str | None
    access_key: StoredKey
    institution: str | None
    unit: str | None
    declined_by: tuple[str, ...]
    submitted_at: datetime
    updated_at: datetime
    published_at: datetime | None
    next_due_at: datetime | None
    rating: int | None
    supporters: frozenset[str]
    head_hash: str | None = None
    sla_state: SlaState | None = None
    merged_into: str | None = None
    escalation: Escalation | None = None

    @property
    def is_open(self) -> bool:
        """True until the complaint is closed, archived or merged."""
        return not self.status.is_terminal

    @property
    def region(self) -> str | None:
        """The region code of its location, or None."""
        return self.location.region if self.location is not None else None


@attrs.frozen
class OutboxMessage:
    """A notification waiting in the outbox, written in the same transaction as the change that caused it.

    The recipient is a role and a reference, resolved to an address only at delivery, and the message is
    rendered then, under the complaint's flags at that moment.

    Attributes:
        id: Unique ID; also the idempotency key receivers deduplicate on.
        tracking_id: The complaint concerned.
        event: What happened (an :class:`~lapor_core._domain.lifecycle.Action` value).
        recipient_role: ``reporter``, ``admin``, ``institution``, ``unit`` or ``superior``.
        recipient_ref: The institution or unit code, or None for the reporter and admins.
        created_at: When it was queued.
        context: Template context (never personal data; that is looked up at delivery).
    """

    id: str
    tracking_id: str
    event: Action
    recipient_role: str
    recipient_ref: str | None
    created_at: datetime
    context: Mapping[str, Any] = attrs.field(factory=dict)
