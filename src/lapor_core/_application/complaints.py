"""The LAPOR! complaint commands, one function each, on top of :mod:`lapor_core._application.kernel`.

Each function validates its arguments first (nothing is read or written for bad input), then runs one
command; see DOMAIN.md, "The lifecycle and its service levels", for the rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

import attrs

from lapor_core._application.context import DeskContext
from lapor_core._application.kernel import (
    MAX_MESSAGE,
    MAX_REASON,
    Command,
    Recipients,
    Recorded,
    actor_of,
    authorise,
    check_text,
    execute,
    execute_loaded,
    execute_once,
    load_for,
    owner_hash_of,
    record,
    require_principal,
)
from lapor_core._domain import rules as _validation
from lapor_core._domain.access import Principal, Role
from lapor_core._domain.complaint import Complaint
from lapor_core._domain.idempotency import check_idempotency_key
from lapor_core._domain.lifecycle import Action, next_status
from lapor_core._domain.views import ReporterView
from lapor_core._i18n import N_
from lapor_core.errors import FieldError, NotFound, ValidationError

__all__ = [
    "archive",
    "assign",
    "close",
    "decline",
    "erase_identity",
    "follow_up",
    "forward",
    "provide_info",
    "rate",
    "reply",
    "request_info",
    "reveal_identity",
    "support",
]

# LAPOR! asks for a rating of 1 to 5 stars after closing.
_rating: Final = _validation.whole_number(1, 5, code=N_("rating.out_of_range"))
MAX_RATING_COMMENT: Final = 500
"""The longest comment a rating takes."""
_rating_comment: Final = _validation.text(required=False, max_length=MAX_RATING_COMMENT, multiline=True)
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def _code(field: str, value: object) -> str:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise ValidationError.single(field, "code.malformed")
    return value


def _flag_change(complaint: Complaint, name: str, value: bool | None) -> bool | None:
    """The new value of a privacy flag at verification: flags can be set, never cleared."""
    current: bool = getattr(complaint, name)
    if value is None or value == current:
        return None
    if value is False:
        who = "the reporter" if name in complaint.reporter_flags else "verification"
        raise ValidationError.single(name, "flag.cannot_clear", by=who)
    return True


def forward(
    ctx: DeskContext,
    principal: Principal,
    tracking_id: object,
    *,
    institution: object,
    category: object = None,
    anonymous: object = None,
    confidential: object = None,
    sla_class: object = None,
) -> Recorded:
    """Verify a submitted complaint and forward it to the competent institution (within 3 working days)."""
    errors: list[FieldError] = []
    if not isinstance(institution, str) or institution not in ctx.directory:
        errors.append(FieldError("institution", "institution.unknown"))
    if category is not None and category not in ctx.topics:
        errors.append(FieldError("category", "topic.unknown"))
    for name, value in (("anonymous", anonymous), ("confidential", confidential)):
        if value is not None and not isinstance(value, bool):
            errors.append(FieldError(name, "flag.not_boolean_or_omitted"))
    if sla_class is not None and (not isinstance(sla_class, str) or sla_class not in ctx.sla.classes):
        errors.append(FieldError("sla_class", "value.not_choice", {"choices": sorted(ctx.sla.classes)}))
    if errors:
        raise ValidationError(errors)
    assert isinstance(institution, str)  # noqa: S101 - narrowed by the checks above
    complaint, relation = load_for(ctx, principal, tracking_id)
    authorise(complaint, relation, Action.FORWARD)
    next_status(complaint.status, Action.FORWARD, complaint_id=complaint.tracking_id)
    set_anonymous = _flag_change(complaint, "anonymous", anonymous)  # type: ignore[arg-type]
    set_confidential = _flag_change(complaint, "confidential", confidential)  # type: ignore[arg-type]
    payload: dict[str, Any] = {"institution": institution}
    if set_anonymous:
        payload["anonymous"] = True
    if set_confidential:
        payload["confidential"] = True
    if category is not None:
        payload["category"] = category
    if sla_class is not None:
        payload["sla_class"] = sla_class

    def mutate(c: Complaint) -> Complaint:
        return attrs.evolve(
            c,
            institution=institution,
            unit=None,
            category=category if isinstance(category, str) else c.category,
            published_at=c.published_at or ctx.clock.now(),
            anonymous=c.anonymous or bool(set_anonymous),
            confidential=c.confidential or bool(set_confidential),
        )

    command = Command(Action.FORWARD, payload, mutate, (("reporter", None), ("institution", institution)))
    return record(ctx, complaint, [(command, actor_of(principal))], ctx.clock.now())


def request_info(ctx: DeskContext, principal: Principal, tracking_id: object, message: object) -> Recorded:
    """Hold the complaint (tunda) asking the reporter for more information; pauses the verification clock."""
    text = check_text("message", message, limit=MAX_MESSAGE)
    command = Command(Action.REQUEST_INFO, {"message": text}, notify=(("reporter", None),))
    return execute(ctx, principal, tracking_id, command)


def provide_info(
    ctx: DeskContext,
    principal: Principal,
    tracking_id: object,
    message: object,
    *,
    idempotency_key: object = None,
) -> Recorded:
    """The reporter answers a hold; the complaint returns to verification and its clock resumes.

    ``idempotency_key``: recorded once per key, see :func:`_once_per_key`.
    """
    text = check_text("message", message, limit=MAX_MESSAGE)
    command = Command(Action.PROVIDE_INFO, {"message": text}, notify=(("admin", None),))
    return _once_per_key(ctx, principal, tracking_id, lambda _complaint: command, text, idempotency_key)


def _once_per_key(
    ctx: DeskContext,
    principal: Principal,
    tracking_id: object,
    build: Callable[[Complaint], Command],
    text: str,
    idempotency_key: object,
) -> Recorded:
    """Run the command ``build`` makes of the complaint; with a key (a channel's message ID), once per key.

    The key's record is saved with the message's event, so the message is recorded once across processes
    (:func:`~lapor_core._application.kernel.execute_once`); its text is what a repeat must repeat.
    """
    if idempotency_key is not None:
        key = check_idempotency_key(idempotency_key)
        return execute_once(ctx, principal, tracking_id, build, key, {"message": text})
    complaint, relation = load_for(ctx, principal, tracking_id)
    return execute_loaded(ctx, principal, complaint, relation, build(complaint))


def archive(ctx: DeskContext, principal: Principal, tracking_id: object, reason: object) -> Recorded:
    """Archive at verification (out of scope, duplicate, not a public-service matter); terminal."""
    text = check_text("reason", reason, limit=MAX_REASON)
    command = Command(Action.ARCHIVE, {"reason": text}, notify=(("reporter", None),))
    return execute(ctx, principal, tracking_id, command)


def assign(ctx: DeskContext, principal: Principal, tracking_id: object, unit: object) -> Recorded:
    """Dispose the complaint to one of the institution's work units (unit kerja)."""
    code = _code("unit", unit)
    complaint, relation = load_for(ctx, principal, tracking_id)
    authorise(complaint, relation, Action.ASSIGN)  # before the unit check: outsiders learn no unit codes
    known = ctx.directory.units_of(complaint.institution) if complaint.institution else ()
    if known and code not in {u.code for u in known}:
        raise ValidationError.single("unit", "unit.not_of_institution")
    command = Command(
        Action.ASSIGN,
        {"unit": code},
        lambda c: attrs.evolve(c, unit=code),
        (("unit", f"{complaint.institution}/{code}"),),
    )
    return execute_loaded(ctx, principal, complaint, relation, command)


def decline(ctx: DeskContext, principal: Principal, tracking_id: object, reason: object) -> Recorded:
    """Answer "not our authority" (bukan wewenang): back to the admin, who re-routes; access is lost."""
    text = check_text("reason", reason, limit=MAX_REASON)
    institution = require_principal(principal).institution

    def mutate(c: Complaint) -> Complaint:
        declined = (*c.declined_by, c.institution) if c.institution else c.declined_by
        return attrs.evolve(c, institution=None, unit=None, declined_by=declined)

    command = Command(
        Action.DECLINE, {"reason": text, "institution": institution}, mutate, (("admin", None),)
    )
    return execute(ctx, principal, tracking_id, command)


def follow_up(ctx: DeskContext, principal: Principal, tracking_id: object, message: object) -> Recorded:
    """The institution's answer (tindak lanjut); starts the 10-working-day closing clock."""
    text = check_text("message", message, limit=MAX_MESSAGE)
    command = Command(Action.FOLLOW_UP, {"message": text}, notify=(("reporter", None),))
    return execute(ctx, principal, tracking_id, command)


def reply(
    ctx: DeskContext,
    principal: Principal,
    tracking_id: object,
    message: object,
    *,
    idempotency_key: object = None,
) -> Recorded:
    """A reply by the reporter or an admin; reopens the complaint for another follow-up.

    ``idempotency_key``: recorded once per key, see :func:`_once_per_key`.
    """
    text = check_text("message", message, limit=MAX_MESSAGE)
    by = "admin" if require_principal(principal).role is Role.ADMIN else "reporter"

    def command(complaint: Complaint) -> Command:
        notify: Recipients = (("institution", complaint.institution),)
        if complaint.unit is not None:
            notify += (("unit", f"{complaint.institution}/{complaint.unit}"),)
        return Command(Action.REPLY, {"message": text, "by": by}, notify=notify)

    return _once_per_key(ctx, principal, tracking_id, command, text, idempotency_key)


def close(ctx: DeskContext, principal: Principal, tracking_id: object) -> Recorded:
    """The reporter confirms the follow-up settled the matter; the complaint is closed."""
    complaint, relation = load_for(ctx, principal, tracking_id)
    command = Command(Action.CLOSE, {"by": "reporter"}, notify=(("institution", complaint.institution),))
    return execute_loaded(ctx, principal, complaint, relation, command)


def rate(
    ctx: DeskContext, principal: Principal, tracking_id: object, rating: object, comment: object = None
) -> Recorded:
    """The reporter rates the handling once, 1 to 5 with an optional comment, after closing.

    The comment is the rating's message on the timeline, shown where the reporter's replies are. A rating
    once given stays: a second one is refused (``rating.already_given``), so that it cannot be talked up.
    """
    errors: list[FieldError] = []
    stars = text = None
    try:
        stars = _rating(rating)
    except _validation.Invalid as invalid:
        errors.append(invalid.at("rating"))
    try:
        text = _rating_comment(comment)
    except _validation.Invalid as invalid:
        errors.append(invalid.at("comment"))
    if errors:
        raise ValidationError(errors)
    complaint, relation = load_for(ctx, principal, tracking_id)
    authorise(complaint, relation, Action.RATE)
    if complaint.rating is not None:
        raise ValidationError.single("rating", "rating.already_given")
    payload: dict[str, Any] = {"rating": stars}
    if text is not None:
        payload["message"] = text
    command = Command(Action.RATE, payload, lambda c: attrs.evolve(c, rating=stars))
    return execute_loaded(ctx, principal, complaint, relation, command)


def support(ctx: DeskContext, principal: Principal, tracking_id: object) -> Recorded | None:
    """A signed-in citizen supports a public complaint; once per person (again records nothing: None)."""
    complaint, relation = load_for(ctx, principal, tracking_id)
    supporter = owner_hash_of(ctx, principal)
    if supporter is not None:
        supporter = ctx.keyed_hash("support", complaint.tracking_id, supporter)
        if supporter in complaint.supporters:
            return None
    command = Command(
        Action.SUPPORT,
        {"supporter": supporter},
        lambda c: attrs.evolve(c, supporters=c.supporters | {supporter}) if supporter else c,
    )
    return execute_loaded(ctx, principal, complaint, relation, command)


def reveal_identity(
    ctx: DeskContext, principal: Principal, tracking_id: object, reason: object
) -> ReporterView:
    """An admin reads an anonymous reporter's identity; the read is recorded in the history with why."""
    text = check_text("reason", reason, limit=MAX_REASON)
    complaint, relation = load_for(ctx, principal, tracking_id)
    authorise(complaint, relation, Action.REVEAL_IDENTITY)
    identity = ctx.store.identity(complaint.identity_ref) if complaint.identity_ref else None
    command = Command(Action.REVEAL_IDENTITY, {"reason": text})
    record(ctx, complaint, [(command, actor_of(principal))], ctx.clock.now())
    if identity is None:
        return ReporterView(name=None)
    return ReporterView(
        name=identity.name,
        email=identity.email,
        phone=identity.phone,
        nik=identity.nik,
        account_id=identity.account_id,
    )


def erase_identity(
    ctx: DeskContext,
    principal: Principal,
    tracking_id: object,
    reason: object,
    *,
    attachments: object = False,
) -> Recorded:
    """Erase the reporter's identity (UU PDP 27/2022); history and statistics stay intact.

    With ``attachments``, the files the reporter attached go too (a photo can identify its author): the
    event lists their IDs, listings leave them out, and their bytes are deleted once it is saved.
    """
    text = check_text("reason", reason, limit=MAX_REASON)
    if not isinstance(attachments, bool):
        raise ValidationError.single("attachments", "flag.not_boolean_or_omitted")
    complaint, relation = load_for(ctx, principal, tracking_id)
    authorise(complaint, relation, Action.ERASE_IDENTITY)
    if complaint.identity_ref is None:
        raise NotFound(kind="reporter identity", key=complaint.tracking_id)
    identity = ctx.store.identity(complaint.identity_ref)
    erased = identity.erase() if identity is not None else None
    payload: dict[str, Any] = {"reason": text}
    files: tuple[Any, ...] = ()
    if attachments:
        from lapor_core._application import attachments as uploads  # noqa: PLC0415 - loads on first use

        files = uploads.reporter_files(ctx, complaint)
        payload["attachments"] = [file.id for file in files]
    command = Command(Action.ERASE_IDENTITY, payload, lambda c: attrs.evolve(c, owner_hash=None))
    recorded = record(ctx, complaint, [(command, actor_of(principal))], ctx.clock.now(), erased)
    if files:
        uploads.delete_files(ctx, complaint.tracking_id, files)
    return recorded
