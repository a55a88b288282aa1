"""A complaint's attachments: attach (checked, stripped, stored, recorded), list and read, per the policy.

The bytes go to the desk's :class:`~lapor_core.plugins.BlobStore` under their SHA-256; the complaint's
hash-chained history records an ``attach`` event with the digest and the reference (never the bytes), in the
same compare-and-set save as every command. The blob is stored first: if the save then fails, an unreferenced
blob may remain (no read reaches it), never a reference to missing bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from lapor_core._application.context import DeskContext
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
)
from lapor_core._domain.blobs import BlobStore, chunked
from lapor_core._domain.complaint import Complaint
from lapor_core._domain.ids import time_ordered_id
from lapor_core._domain.lifecycle import Action, next_status
from lapor_core._i18n import N_
from lapor_core.errors import NotFound, StorageError, ValidationError

__all__ = ["attach", "attach_prepared", "attachments", "check_files", "limits_of", "read_attachment"]


def limits_of(ctx: DeskContext) -> AttachmentLimits:
    """The desk's attachment limits (the defaults when it was given none)."""
    return ctx.attachment_limits or AttachmentLimits()


def check_files(filename: object, data: object) -> None:
    """Refuse, before any I/O, a file name that is not text or data that is not bytes or a binary file."""
    errors = []
    if not isinstance(filename, str):
        errors.append(ValidationError.single("filename", N_("attachment.filename_bad")).errors[0])
    if not isinstance(data, bytes | bytearray | memoryview) and not callable(getattr(data, "read", None)):
        errors.append(
            ValidationError.single("data", N_("attachment.data_not_bytes"), type=type(data).__name__).errors[
                0
            ]
        )
    if errors:
        raise ValidationError(errors)


def attach_prepared(
    ctx: DeskContext,
    blobs: BlobStore,
    principal: Principal,
    file: Prepared,
    known: Sequence[Attachment],
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
    blobs.put(file.sha256, chunked(file.data))
    now = ctx.clock.now()
    attachment = Attachment(
        id=time_ordered_id(now),
        content_type=file.content_type,
        size=file.size,
        sha256=file.sha256,
        filename=file.filename,
        attached_at=now,
        attached_by=principal.role.value,
    )
    return attachment, True


def attach(
    ctx: DeskContext, principal: Principal, tracking_id: object, *, filename: object, data: object
) -> Attachment:
    """Attach a photo or document to a complaint (see :meth:`lapor_core.ComplaintDesk.attach`)."""
    check_files(filename, data)
    complaint, relation = load_for(ctx, principal, tracking_id)
    authorise(complaint, relation, Action.ATTACH)
    next_status(complaint.status, Action.ATTACH, complaint_id=complaint.tracking_id)
    file = prepare(data, filename, limits=limits_of(ctx))
    known = recorded_attachments(ctx.store.history(complaint.tracking_id))
    attachment, new = attach_prepared(ctx, ctx.blob_store(), principal, file, known)
    if new:
        command = Command(Action.ATTACH, attachment.payload())
        recorded = record(ctx, complaint, [(command, actor_of(principal))], attachment.attached_at)
        attachment = recorded_attachments(recorded.events)[0]
    return attachment


def _readable(ctx: DeskContext, principal: Principal, tracking_id: object) -> Complaint:
    complaint, relation = load_for(ctx, principal, tracking_id)
    if not _may_read(relation, complaint):
        # Whoever may not see the attachments gets what an unknown tracking ID gets.
        raise NotFound(kind="complaint", key=complaint.tracking_id)
    return complaint


def _may_read(relation: Relation, complaint: Complaint) -> bool:
    return policy_for(relation, complaint)(Subject.ATTACHMENTS) is Decision.ALLOW


def attachments(ctx: DeskContext, principal: Principal, tracking_id: object) -> tuple[Attachment, ...]:
    """The complaint's attachments, for principals the policy lets see them; NotFound for anyone else."""
    complaint = _readable(ctx, principal, tracking_id)
    return recorded_attachments(ctx.store.history(complaint.tracking_id))


def read_attachment(
    ctx: DeskContext, principal: Principal, tracking_id: object, attachment_id: object
) -> bytes:
    """The stored bytes of one attachment, checked against the digest its history recorded.

    Raises:
        NotFound: The principal may not see the complaint's attachments (as for an unknown tracking ID), or
            the complaint has no attachment with this ID.
        StorageError: The blob store lost the bytes, or returned bytes whose digest differs.
    """
    complaint = _readable(ctx, principal, tracking_id)
    if not isinstance(attachment_id, str):
        raise NotFound(kind="attachment", key=type(attachment_id).__name__)
    found = next(
        (a for a in recorded_attachments(ctx.store.history(complaint.tracking_id)) if a.id == attachment_id),
        None,
    )
    if found is None:
        raise NotFound(kind="attachment", key=attachment_id[:64])
    try:
        data = b"".join(ctx.blob_store().get(found.sha256))
    except NotFound as missing:
        raise StorageError(detail=N_("attachment.blob_missing"), params={"attachment": found.id}) from missing
    if hashlib.sha256(data).hexdigest() != found.sha256:
        raise StorageError(detail=N_("attachment.blob_corrupt"), params={"attachment": found.id})
    return data
