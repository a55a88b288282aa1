"""A complaint's attachments: attach (checked, stripped, stored, recorded), list and read, per the policy.

The bytes go to the desk's :class:`~lapor_core.plugins.BlobStore` under their SHA-256; the complaint's
hash-chained history records an ``attach`` event with the digest and the reference (never the bytes), in the
same compare-and-set save as every command. The blob is stored first: if the save then fails, an unreferenced
blob may remain (no read reaches it), never a reference to missing bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

import attrs

from lapor_core._application.context import DeskContext, next_attention
from lapor_core._application.kernel import (
    Command,
    actor_of,
    authorise,
    load_for,
    record,
)
from lapor_core._domain.access import Decision, Principal, Relation, Subject, policy_for
from lapor_core._domain.attachments import (
    Attachment,
    AttachmentLimits,
    Prepared,
    prepare,
    recorded_attachments,
    sanitise_filename,
)
from lapor_core._domain.blobs import BlobStore, blob_address, chunked
from lapor_core._domain.complaint import Complaint
from lapor_core._domain.history import Actor, Event
from lapor_core._domain.ids import time_ordered_id
from lapor_core._domain.lifecycle import Action, next_status
from lapor_core._domain.ports import Changeset
from lapor_core._i18n import N_
from lapor_core.errors import FieldError, NotFound, StorageError, ValidationError

__all__ = [
    "attach",
    "attach_prepared",
    "attachments",
    "check_files",
    "delete_files",
    "limits_of",
    "prepare_uploads",
    "read_attachment",
    "reporter_files",
    "store_uploads",
    "with_attachments",
]


def limits_of(ctx: DeskContext) -> AttachmentLimits:
    """The desk's attachment limits (the defaults when it was given none)."""
    return ctx.attachment_limits or AttachmentLimits()


def _stored(
    blobs: BlobStore, tracking_id: str, file: Prepared, now: datetime, by: str, *, anonymous: bool
) -> Attachment:
    """Store ``file`` (and its thumbnail) for complaint ``tracking_id``; the attachment recording it.

    An anonymous reporter's file is recorded under a plain name (``lampiran.jpg``): the name a phone or a
    person gave it (``KTP_Budi.jpg``) can identify them, and the history is read by staff.
    """
    blobs.put(blob_address(tracking_id, file.sha256), chunked(file.data))
    thumbnail = None
    if file.thumbnail is not None:
        thumbnail = hashlib.sha256(file.thumbnail).hexdigest()
        blobs.put(blob_address(tracking_id, thumbnail), chunked(file.thumbnail))
    return Attachment(
        id=time_ordered_id(now),
        content_type=file.content_type,
        size=file.size,
        sha256=file.sha256,
        filename=sanitise_filename("", file.content_type)
        if anonymous and by == "reporter"
        else file.filename,
        attached_at=now,
        attached_by=by,
        thumbnail_sha256=thumbnail,
    )


def check_files(filename: object, data: object) -> None:
    """Refuse, before any I/O, a file name that is not text or data that is not bytes or a binary file."""
    errors: list[FieldError] = []
    if not isinstance(filename, str):
        errors.append(FieldError("filename", N_("attachment.filename_bad")))
    if not isinstance(data, bytes | bytearray | memoryview) and not callable(getattr(data, "read", None)):
        errors.append(FieldError("data", N_("attachment.data_not_bytes"), {"type": type(data).__name__}))
    if errors:
        raise ValidationError(errors)


def attach_prepared(
    ctx: DeskContext,
    blobs: BlobStore,
    principal: Principal,
    file: Prepared,
    known: Sequence[Attachment],
    *,
    tracking_id: str,
    anonymous: bool = False,
    relation: Relation | None = None,
) -> tuple[Attachment, bool]:
    """The attachment for ``file`` on ``complaint``, and whether it is new (to be recorded).

    The same bytes attached again are the attachment already recorded (a retried upload stores nothing
    twice). A new one is refused past the desk's ``max_files``; its bytes are stored in ``blobs``.
    """
    for existing in known:
        if existing.sha256 == file.sha256:
            return existing, False
    limit = limits_of(ctx).max_files
    if len(known) >= limit:
        raise ValidationError.single("data", N_("attachment.too_many"), max=limit)
    now = ctx.clock.now()
    by = actor_of(principal, relation).role
    return _stored(blobs, tracking_id, file, now, by, anonymous=anonymous), True


def attach(
    ctx: DeskContext, principal: Principal, tracking_id: object, *, filename: object, data: object
) -> Attachment:
    """Attach a photo or document to a complaint (see :meth:`lapor_core.ComplaintDesk.attach`)."""
    check_files(filename, data)
    complaint, relation = load_for(ctx, principal, tracking_id)
    authorise(complaint, relation, Action.ATTACH)
    next_status(complaint.status, Action.ATTACH, complaint_id=complaint.tracking_id)
    file = prepare(data, filename, limits=limits_of(ctx))
    known = recorded_attachments(ctx.store.history(complaint.tracking_id), anonymous=complaint.anonymous)
    attachment, new = attach_prepared(
        ctx,
        ctx.blob_store(),
        principal,
        file,
        known,
        tracking_id=complaint.tracking_id,
        anonymous=complaint.anonymous,
        relation=relation,
    )
    if new:
        command = Command(Action.ATTACH, attachment.payload())
        recorded = record(ctx, complaint, [(command, actor_of(principal, relation))], attachment.attached_at)
        attachment = recorded_attachments(recorded.events, anonymous=complaint.anonymous)[0]
    return attachment


def _readable(ctx: DeskContext, principal: Principal, tracking_id: object) -> tuple[Complaint, Relation]:
    complaint, relation = load_for(ctx, principal, tracking_id)
    if not _may_read(relation, complaint):
        # Whoever may not see the attachments gets what an unknown tracking ID gets.
        raise NotFound(kind="complaint", key=complaint.tracking_id)
    return complaint, relation


def _may_read(relation: Relation, complaint: Complaint) -> bool:
    return policy_for(relation, complaint)(Subject.ATTACHMENTS) is Decision.ALLOW


def attachments(ctx: DeskContext, principal: Principal, tracking_id: object) -> tuple[Attachment, ...]:
    """The complaint's attachments, for principals the policy lets see them; NotFound for anyone else."""
    complaint, relation = _readable(ctx, principal, tracking_id)
    found = recorded_attachments(ctx.store.history(complaint.tracking_id), anonymous=complaint.anonymous)
    if policy_for(relation, complaint)(Subject.REPORTER_NAME) is Decision.ALLOW:
        return found
    # Whoever may not see the reporter's name does not see the names their files came with either (a flag
    # set after the file was attached).
    return tuple(
        attrs.evolve(file, filename=sanitise_filename("", file.content_type))
        if file.attached_by == "reporter"
        else file
        for file in found
    )


def read_attachment(
    ctx: DeskContext,
    principal: Principal,
    tracking_id: object,
    attachment_id: object,
    *,
    thumbnail: bool = False,
) -> bytes:
    """The stored bytes of one attachment (or its thumbnail), checked against the digest the history recorded.

    A picture no larger than the thumbnail size, and a PDF, have no thumbnail: their own bytes are returned.

    Raises:
        NotFound: The principal may not see the complaint's attachments (as for an unknown tracking ID), or
            the complaint has no attachment with this ID.
        StorageError: The blob store lost the bytes, or returned bytes whose digest differs.
    """
    complaint, _ = _readable(ctx, principal, tracking_id)
    if not isinstance(attachment_id, str):
        raise NotFound(kind="attachment", key=type(attachment_id).__name__)
    found = next(
        (a for a in recorded_attachments(ctx.store.history(complaint.tracking_id)) if a.id == attachment_id),
        None,
    )
    if found is None:
        raise NotFound(kind="attachment", key=attachment_id[:64])
    digest = found.thumbnail_sha256 if thumbnail and found.thumbnail_sha256 else found.sha256
    try:
        data = b"".join(ctx.blob_store().get(blob_address(complaint.tracking_id, digest)))
    except NotFound as missing:
        raise StorageError(detail=N_("attachment.blob_missing"), params={"attachment": found.id}) from missing
    if hashlib.sha256(data).hexdigest() != digest:
        raise StorageError(detail=N_("attachment.blob_corrupt"), params={"attachment": found.id})
    return data


# --- at submission ------------------------------------------------------------------------------------------


def prepare_uploads(ctx: DeskContext, uploads: object) -> tuple[Prepared, ...]:
    """The files of a submission, each checked and stripped, before anything is stored.

    ``uploads`` is a sequence of ``(filename, data)`` pairs. The same bytes twice are one file; more distinct
    files than the desk's ``max_files`` are refused. Every bad file is reported at once, its field named by
    its position (``attachments.1.data``).

    Raises:
        ValidationError: ``uploads`` is not a list or tuple of pairs, or a file is refused.
    """
    if not isinstance(uploads, list | tuple) or not all(
        isinstance(item, list | tuple) and len(item) == 2  # noqa: PLR2004 - a (filename, data) pair
        for item in uploads
    ):
        raise ValidationError.single("attachments", N_("attachment.uploads_bad"))
    limits = limits_of(ctx)
    prepared: list[Prepared] = []
    errors: list[FieldError] = []
    for index, (filename, data) in enumerate(uploads):
        try:
            check_files(filename, data)
            file = prepare(data, filename, limits=limits)
        except ValidationError as refused:
            errors.extend(
                attrs.evolve(error, field=f"attachments.{index}.{error.field}") for error in refused.errors
            )
            continue
        if all(file.sha256 != other.sha256 for other in prepared):
            prepared.append(file)
    if not errors and len(prepared) > limits.max_files:
        errors.append(
            ValidationError.single("attachments", N_("attachment.too_many"), max=limits.max_files).errors[0]
        )
    if errors:
        raise ValidationError(errors)
    return tuple(prepared)


def store_uploads(
    ctx: DeskContext, tracking_id: str, files: Sequence[Prepared], now: datetime, *, anonymous: bool = False
) -> tuple[Attachment, ...]:
    """Store the bytes of a submission's checked files; their attachments, attached by the reporter."""
    if not files:
        return ()
    blobs = ctx.blob_store()
    return tuple(_stored(blobs, tracking_id, file, now, "reporter", anonymous=anonymous) for file in files)


def with_attachments(
    ctx: DeskContext, changes: Changeset, stored: Sequence[Attachment], now: datetime
) -> Changeset:
    """A new complaint's changeset with one ``attach`` event per attachment after its ``submit`` event.

    Saved in the same changeset as the complaint: the complaint and the records of its files are stored
    together or not at all.
    """
    if not stored:
        return changes
    complaint = changes.complaint
    events = list(changes.events)
    head = events[-1].hash
    for attachment in stored:
        event = Event.create(
            complaint.tracking_id,
            len(events),
            Action.ATTACH,
            Actor.reporter(),
            now,
            attachment.payload(),
            head,
        )
        events.append(event)
        head = event.hash
    assert complaint.sla_state is not None  # noqa: S101 - a new complaint's changeset keeps its state
    added = events[len(changes.events) :]
    clocks, state = ctx.continue_clocks(complaint.sla_state, added, start=len(changes.events), now=now)
    complaint = attrs.evolve(
        complaint,
        version=len(events),
        head_hash=head,
        sla_state=state,
        next_due_at=next_attention(clocks, state),
    )
    return attrs.evolve(changes, complaint=complaint, events=tuple(events))


# --- erasure ------------------------------------------------------------------------------------------------


def reporter_files(ctx: DeskContext, complaint: Complaint) -> tuple[Attachment, ...]:
    """The attachments the reporter of ``complaint`` attached (and not erased yet)."""
    return tuple(
        file
        for file in recorded_attachments(ctx.store.history(complaint.tracking_id))
        if file.attached_by == "reporter"
    )


def delete_files(ctx: DeskContext, tracking_id: str, files: Sequence[Attachment]) -> None:
    """Delete the bytes (and thumbnails) of complaint ``tracking_id``'s ``files`` from the blob store.

    Each complaint's blobs have addresses of their own (:func:`~lapor_core._domain.blobs.blob_address`): the
    same bytes attached to another complaint stay.
    """
    blobs = ctx.blob_store()
    for file in files:
        blobs.delete(blob_address(tracking_id, file.sha256))
        if file.thumbnail_sha256 is not None:
            blobs.delete(blob_address(tracking_id, file.thumbnail_sha256))
