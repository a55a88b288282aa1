"""Submitting a complaint: checked, stored with its first event and notifications, answered with a receipt."""

from __future__ import annotations

from typing import Any

import attrs

from lapor_core._application.context import DeskContext, next_attention
from lapor_core._application.kernel import outbox_messages
from lapor_core._domain.access import Principal, Role
from lapor_core._domain.complaint import Complaint, ReporterIdentity
from lapor_core._domain.history import Actor, Event
from lapor_core._domain.ids import time_ordered_id
from lapor_core._domain.keys import StoredKey, new_access_key
from lapor_core._domain.lifecycle import Action, Status
from lapor_core._domain.model import Submission
from lapor_core._domain.ports import Changeset
from lapor_core._domain.regions import RegionTable
from lapor_core._domain.sla import SlaState
from lapor_core.errors import ConcurrencyConflict, ValidationError

__all__ = ["Receipt", "submit"]


@attrs.frozen
class Receipt:
    """What the reporter gets back from a submission.

    Attributes:
        tracking_id: The public handle to look the complaint up.
        access_key: The secret that proves being the reporter; shown once, stored only as a keyed hash.
    """

    tracking_id: str
    access_key: str = attrs.field(repr=False)


def _submission_payload(submission: Submission) -> dict[str, Any]:
    location = submission.location
    return {
        "kind": submission.kind.value,
        "channel": submission.channel.value,
        "title": submission.title,
        "body": submission.body,
        "category": submission.category,
        "location": None if location is None else attrs.asdict(location),
        "anonymous": submission.anonymous,
        "confidential": submission.confidential,
    }


def submit(ctx: DeskContext, submission: Submission, principal: Principal | None = None) -> Receipt:
    """Store a new complaint and return its receipt (tracking ID and the access key, shown once)."""
    if not isinstance(submission, Submission):
        raise ValidationError.single("submission", "submission.wrong_type")
    if principal is not None and principal.role not in (Role.CITIZEN, Role.PUBLIC):
        raise ValidationError.single("principal", "submission.principal_not_citizen")
    if submission.category is not None and submission.category not in ctx.topics:
        raise ValidationError.single("category", "topic.unknown")
    if submission.location is not None and submission.location.region is not None:
        RegionTable.default().resolve(submission.location.region, field="location.region")
    now = ctx.clock.now()
    reporter = submission.reporter
    account = principal.user_id if principal is not None and principal.role is Role.CITIZEN else None
    has_identity = account is not None or (
        reporter is not None and any((reporter.name, reporter.email, reporter.phone, reporter.nik))
    )
    identity = (
        ReporterIdentity(
            ref=time_ordered_id(now),
            name=reporter.name if reporter else None,
            email=reporter.email if reporter else None,
            phone=reporter.phone if reporter else None,
            nik=reporter.nik if reporter else None,
            account_id=account,
        )
        if has_identity
        else None
    )
    key = new_access_key()
    flags = frozenset(
        name
        for name, on in (("anonymous", submission.anonymous), ("confidential", submission.confidential))
        if on
    )
    for _ in range(5):  # 55 random bits: a collision is astronomically rare, but never overwrite
        tid = str(ctx.new_tracking_id())
        first = Event.first(tid, Action.SUBMIT, Actor.reporter(), now, _submission_payload(submission))
        clocks, state = ctx.continue_clocks(SlaState(), (first,), start=0, now=now)
        complaint = Complaint(
            tracking_id=tid,
            version=1,
            status=Status.SUBMITTED,
            kind=submission.kind,
            channel=submission.channel,
            title=submission.title,
            body=submission.body,
            category=submission.category,
            location=submission.location,
            anonymous=submission.anonymous,
            confidential=submission.confidential,
            reporter_flags=flags,
            identity_ref=identity.ref if identity else None,
            owner_hash=ctx.keyed_hash("account", account) if account else None,
            access_key=StoredKey.create(key, pepper=ctx.pepper),
            institution=None,
            unit=None,
            declined_by=(),
            submitted_at=now,
            updated_at=now,
            published_at=None,
            next_due_at=next_attention(clocks, state),
            rating=None,
            supporters=frozenset(),
            head_hash=first.hash,
            sla_state=state,
        )
        outbox = outbox_messages(complaint, Action.SUBMIT, [("reporter", None), ("admin", None)], now)
        try:
            ctx.store.save(Changeset(complaint, 0, (first,), outbox, identity))
        except ConcurrencyConflict:
            continue
        return Receipt(tracking_id=tid, access_key=key)
    raise RuntimeError("could not draw a free tracking ID")  # pragma: no cover - 2**-250 odds
