"""Submitting a complaint: checked, stored with its first event and notifications, answered with a receipt."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import attrs

from lapor_core._application.context import DeskContext, next_attention
from lapor_core._application.kernel import keyed_store, outbox_messages
from lapor_core._domain.access import Principal, Role
from lapor_core._domain.complaint import Complaint, ReporterIdentity
from lapor_core._domain.history import Actor, Event
from lapor_core._domain.idempotency import (
    IdempotencyRecord,
    check_idempotency_key,
    key_hash,
    submission_fingerprint,
)
from lapor_core._domain.ids import time_ordered_id
from lapor_core._domain.keys import StoredKey, derived_access_key, new_access_key
from lapor_core._domain.lifecycle import Action, Status
from lapor_core._domain.model import Submission
from lapor_core._domain.ports import Changeset, IdempotencyStore
from lapor_core._domain.regions import RegionTable
from lapor_core._domain.sla import SlaState
from lapor_core.errors import (
    ConcurrencyConflict,
    IdempotencyConflict,
    StorageError,
    ValidationError,
)

if TYPE_CHECKING:
    from lapor_core._domain.attachments import Attachment, Prepared

__all__ = ["Receipt", "prune_idempotency_keys", "submit"]

_ACCESS_KEY_PURPOSE: Final = "idempotency-access-key"


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


def _checked(ctx: DeskContext, submission: Submission, principal: Principal | None) -> None:
    if not isinstance(submission, Submission):
        raise ValidationError.single("submission", "submission.wrong_type")
    if principal is not None and principal.role not in (Role.CITIZEN, Role.PUBLIC):
        raise ValidationError.single("principal", "submission.principal_not_citizen")
    if submission.category is not None and submission.category not in ctx.topics:
        raise ValidationError.single("category", "topic.unknown")
    location = submission.location
    if location is not None and location.region is not None:
        regions = RegionTable.default()
        regions.resolve(location.region, field="location.region")
        if location.lat is not None and location.lon is not None:
            regions.check_point(location.region, location.lat, location.lon)


def _account(principal: Principal | None) -> str | None:
    return principal.user_id if principal is not None and principal.role is Role.CITIZEN else None


def _changeset(
    ctx: DeskContext, submission: Submission, account: str | None, key: str, tid: str, now: datetime
) -> Changeset:
    """The changeset storing ``submission`` as complaint ``tid``, with access key ``key``."""
    reporter = submission.reporter
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
    flags = frozenset(
        name
        for name, on in (("anonymous", submission.anonymous), ("confidential", submission.confidential))
        if on
    )
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
    return Changeset(complaint, 0, (first,), outbox, identity)


def submit(
    ctx: DeskContext,
    submission: Submission,
    principal: Principal | None = None,
    *,
    idempotency_key: str | None = None,
    attachments: object = (),
) -> Receipt:
    """Store a new complaint and return its receipt (tracking ID and the access key, shown once).

    With an ``idempotency_key``, a repeat of the same submission (same content, same account) returns the
    first receipt, access key included, and stores nothing; other content under the key is refused.
    See :mod:`lapor_core._domain.idempotency` for why the key must be secret. ``attachments`` are
    ``(filename, data)`` pairs, checked and stripped before anything is stored and recorded in the same
    save as the complaint (their names and contents count as content for an idempotency key: a repeat with the
    same files returns the first receipt and stores none, other files under the key are a conflict).

    Raises:
        ValidationError: A bad submission, principal or idempotency key.
        IdempotencyConflict: The key made a complaint from other content (or for another account).
        ConfigurationError: An idempotency key was given and the store cannot keep one.
    """
    _checked(ctx, submission, principal)
    files = _uploads(ctx, attachments)
    if idempotency_key is not None:
        return _submit_once(ctx, submission, principal, check_idempotency_key(idempotency_key), files)
    account = _account(principal)
    key = new_access_key()
    now = ctx.clock.now()
    for _ in range(5):  # 55 random bits: a collision is astronomically rare, but never overwrite
        tid = str(ctx.new_tracking_id())
        stored = _store(ctx, tid, files, now, anonymous=submission.anonymous)
        try:
            ctx.store.save(_attached(ctx, _changeset(ctx, submission, account, key, tid, now), stored, now))
        except ConcurrencyConflict:
            continue
        return Receipt(tracking_id=tid, access_key=key)
    raise RuntimeError("could not draw a free tracking ID")  # pragma: no cover - 2**-250 odds


# A save refused for the key is answered from the key's record; one refused for the tracking ID draws another.
# Each refusal means another writer committed (or, on MariaDB/PostgreSQL, lost a deadlock): a few suffice.
_ATTEMPTS: Final = 8


def _uploads(ctx: DeskContext, attachments: object) -> Sequence[Prepared]:
    if isinstance(attachments, tuple) and not attachments:
        return ()
    from lapor_core._application import attachments as files  # noqa: PLC0415 - loads with the first upload

    return files.prepare_uploads(ctx, attachments)


def _store(
    ctx: DeskContext, tid: str, files: Sequence[Prepared], now: datetime, *, anonymous: bool
) -> Sequence[Attachment]:
    if not files:
        return ()
    from lapor_core._application import attachments as uploads  # noqa: PLC0415 - loads with the first upload

    return uploads.store_uploads(ctx, tid, files, now, anonymous=anonymous)


def _attached(ctx: DeskContext, changes: Changeset, stored: Sequence[Attachment], now: datetime) -> Changeset:
    if not stored:
        return changes
    from lapor_core._application import attachments as uploads  # noqa: PLC0415 - loads with the first upload

    return uploads.with_attachments(ctx, changes, stored, now)


def _submit_once(
    ctx: DeskContext, submission: Submission, principal: Principal | None, key: str, files: Sequence[Prepared]
) -> Receipt:
    store = keyed_store(ctx, "submit")
    account = _account(principal)
    hashed = key_hash(ctx.pepper, key)
    fingerprint = submission_fingerprint(
        ctx.pepper, submission, account, [(f.filename, f.sha256) for f in files]
    )
    access_key = derived_access_key(ctx.pepper, _ACCESS_KEY_PURPOSE, key)
    for _ in range(_ATTEMPTS):
        found = store.find_idempotency_key(hashed)
        if found is not None:
            if not hmac.compare_digest(found.fingerprint, fingerprint):
                raise IdempotencyConflict(first_used_at=found.created_at)
            return Receipt(tracking_id=found.tracking_id, access_key=access_key)
        now = ctx.clock.now()
        tid = str(ctx.new_tracking_id())
        record = IdempotencyRecord(key_hash=hashed, fingerprint=fingerprint, tracking_id=tid, created_at=now)
        changes = attrs.evolve(_changeset(ctx, submission, account, access_key, tid, now), idempotency=record)
        changes = _attached(ctx, changes, _store(ctx, tid, files, now, anonymous=submission.anonymous), now)
        try:
            ctx.store.save(changes)
        except ConcurrencyConflict:
            continue
        return Receipt(tracking_id=tid, access_key=access_key)
    cause = f"{_ATTEMPTS} saves in a row refused"
    raise StorageError(
        detail="storage.operation_failed",
        params={"operation": "submitting under an idempotency key", "cause": cause},
    )


def prune_idempotency_keys(ctx: DeskContext, now: datetime | None = None) -> int:
    """Forget the idempotency keys older than the desk's window (at ``now``); return how many.

    The sweep calls it; a store without idempotency keys has none to forget (0).
    """
    store = ctx.store
    if not isinstance(store, IdempotencyStore):
        return 0
    instant = ctx.clock.now() if now is None else now
    return store.prune_idempotency_keys(instant - ctx.idempotency_window)
