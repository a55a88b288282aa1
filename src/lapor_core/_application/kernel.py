"""The command kernel: load a complaint for a principal, authorise, transition, recompute deadlines, save.

Every command validates its input before it reads anything, and saves its new state, its history event and
its notifications in one :class:`~lapor_core.plugins.Changeset` guarded by the version it read, so a failure
at any point leaves nothing behind. The commands themselves are one short function each, in
:mod:`~lapor_core._application.complaints` (the lifecycle), :mod:`~lapor_core._application.submissions` and
:mod:`~lapor_core._application.sweep`; who may know a complaint exists is
:func:`lapor_core._domain.access.is_visible`, asked here for every load.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import attrs

from lapor_core._application.context import DeskContext, next_attention
from lapor_core._domain import rules as _validation
from lapor_core._domain.access import (
    Decision,
    Principal,
    Relation,
    Role,
    Subject,
    is_visible,
    policy_for,
    relation_of,
)
from lapor_core._domain.complaint import Complaint, OutboxMessage, ReporterIdentity
from lapor_core._domain.history import Actor, Event
from lapor_core._domain.idempotency import IdempotencyRecord, command_fingerprint, key_hash
from lapor_core._domain.ids import time_ordered_id
from lapor_core._domain.lifecycle import Action, Status, next_status
from lapor_core._domain.ports import Changeset, IdempotencyStore
from lapor_core._domain.sla import ClockRun, Clocks, SlaState
from lapor_core._domain.tracking import TrackingId
from lapor_core.errors import (
    ConcurrencyConflict,
    ConfigurationError,
    IdempotencyConflict,
    NotAllowed,
    NotFound,
    StorageError,
    ValidationError,
)

__all__ = [
    "MAX_MESSAGE",
    "MAX_REASON",
    "Command",
    "Mutation",
    "Recipients",
    "Recorded",
    "actor_of",
    "authorise",
    "canonical_id",
    "changes_for",
    "check_text",
    "execute",
    "execute_loaded",
    "execute_once",
    "kept_state",
    "keyed_store",
    "load_for",
    "outbox_messages",
    "owner_hash_of",
    "record",
    "relation_for",
    "reporter_proof",
    "require_principal",
    "unchanged",
    "visible_relation",
]

MAX_MESSAGE = 4000
"""The longest follow-up, reply or information text a command takes."""
MAX_REASON = 1000
"""The longest reason (archiving, declining, revealing an identity) a command takes."""


def canonical_id(tracking_id: object) -> str:
    """The canonical string of a tracking ID given as text or :class:`TrackingId`."""
    if isinstance(tracking_id, TrackingId):
        return str(tracking_id)
    if not isinstance(tracking_id, str):
        got = _validation.type_name(tracking_id)
        raise ValidationError.single("tracking_id", "value.not_string", type=got)
    return str(TrackingId.parse(tracking_id))


def check_text(field: str, value: object, *, limit: int) -> str:
    """Return ``value`` stripped, or raise ValidationError naming ``field`` if it is not acceptable text.

    The same rule as a submission's body (:func:`lapor_core._domain.rules.text`): required, at most ``limit``
    characters, tab and line breaks allowed, other control characters and unpaired surrogates refused.
    """
    try:
        text = _validation.text(required=True, max_length=limit, multiline=True)(value)
    except _validation.Invalid as e:
        raise ValidationError([e.at(field)]) from None
    assert text is not None  # noqa: S101 - a required rule never returns None
    return text


def actor_of(principal: Principal, relation: Relation | None = None) -> Actor:
    """How a principal is recorded in history (reporters and citizens by role only).

    With ``relation`` :attr:`Relation.REPORTER`, a citizen acting on the complaint their account submitted is
    recorded as its reporter, as with the access key: the history tells the same story either way, and the
    rules on the reporter's files (a plain name when anonymous, the staff's warning, erasure with the
    identity) hold for both.
    """
    if relation is Relation.REPORTER:
        return Actor(Role.REPORTER.value)
    if principal.role in (Role.REPORTER, Role.CITIZEN, Role.PUBLIC):
        return Actor(principal.role.value)
    return Actor(principal.role.value, principal.user_id, principal.institution, principal.unit)


def owner_hash_of(ctx: DeskContext, principal: Principal) -> str | None:
    """The keyed hash of a citizen principal's account, or None."""
    if principal.role is Role.CITIZEN and principal.user_id is not None:
        return ctx.keyed_hash("account", principal.user_id)
    return None


def reporter_proof(ctx: DeskContext, complaint: Complaint) -> str:
    """The proof ``authenticate`` gives the key-holding reporter of ``complaint``.

    Keyed by the pepper and bound to the stored access-key hash, so it cannot be made from the public
    tracking ID alone.
    """
    return ctx.keyed_hash("reporter", complaint.tracking_id, complaint.access_key.digest.hex())


def relation_for(ctx: DeskContext, principal: Principal, complaint: Complaint) -> Relation | None:
    """The principal's relation to ``complaint``, or None (deny everything) when working it out fails."""
    try:
        proof = reporter_proof(ctx, complaint) if principal.role is Role.REPORTER else None
        return relation_of(
            principal, complaint, owner_hash=owner_hash_of(ctx, principal), reporter_proof=proof
        )
    except Exception:  # noqa: BLE001 - deny by default: a failing policy lookup yields no access
        return None


def require_principal(principal: object) -> Principal:
    """``principal`` itself, or ValidationError when it is not a :class:`Principal` (a wrong Python value)."""
    if not isinstance(principal, Principal):
        got = _validation.type_name(principal)
        raise ValidationError.single("principal", "principal.wrong_type", type=got)
    return principal


def load_for(ctx: DeskContext, principal: Principal, tracking_id: object) -> tuple[Complaint, Relation]:
    """Load a complaint the principal may know exists, or raise NotFound exactly as for an unknown ID."""
    require_principal(principal)
    tid = canonical_id(tracking_id)
    try:
        complaint = ctx.store.get(tid)
    except NotFound:
        raise NotFound(kind="complaint", key=tid) from None
    return complaint, visible_relation(ctx, principal, complaint, key=tid)


def visible_relation(
    ctx: DeskContext, principal: Principal, complaint: Complaint, *, key: str | None = None
) -> Relation:
    """The principal's relation to a complaint it may know exists, else NotFound as for an unknown ID.

    ``key`` is the ID the NotFound names (default: the complaint's): what the caller asked for.
    """
    relation = relation_for(ctx, principal, complaint)
    if relation is None or not is_visible(relation, complaint):
        raise NotFound(kind="complaint", key=complaint.tracking_id if key is None else key)
    return relation


def authorise(complaint: Complaint, relation: Relation, action: Action) -> None:
    """Raise NotAllowed unless the relation may perform ``action`` on this complaint."""
    if policy_for(relation, complaint)(Subject(action.value)) is not Decision.ALLOW:
        raise NotAllowed(action=action.value, complaint_id=complaint.tracking_id)


Mutation = Callable[[Complaint], Complaint]
Recipients = tuple[tuple[str, str | None], ...]


def unchanged(complaint: Complaint) -> Complaint:
    """The mutation of commands that only record an event."""
    return complaint


@attrs.frozen
class Command:
    """One lifecycle command, ready to execute: what to record and how the complaint changes."""

    action: Action
    payload: Mapping[str, Any]
    mutate: Mutation = unchanged
    notify: Recipients = ()


def outbox_messages(
    complaint: Complaint,
    action: Action,
    recipients: Sequence[tuple[str, str | None]],
    now: datetime,
    *,
    status: Status | None = None,
) -> tuple[OutboxMessage, ...]:
    """The messages a command queues for ``recipients`` (role, reference) about ``complaint`` as it now is.

    ``status`` is the complaint's status after the command (default: ``complaint.status``).
    """
    status = complaint.status if status is None else status
    return tuple(
        OutboxMessage(
            id=time_ordered_id(now),
            tracking_id=complaint.tracking_id,
            event=action,
            recipient_role=role,
            recipient_ref=ref,
            created_at=now,
            context={"status": status.value},
        )
        for role, ref in recipients
    )


@attrs.frozen
class Recorded:
    """What a command saved: the complaint as stored, the events it appended, and the clocks at that instant.

    ``clocks`` holds the clocks open before the command and those it started (not the ended clocks of
    older events: the command never read them). The desk builds the view it returns from these instead of
    reading the complaint back.
    """

    complaint: Complaint
    events: tuple[Event, ...]
    clocks: Clocks


def kept_state(ctx: DeskContext, complaint: Complaint) -> tuple[str, SlaState]:
    """The hash of the complaint's last event and its SLA state: as its row keeps them, else replayed.

    A row written before the kept state existed (or by a store that does not keep it) costs one history
    read and replay; the command then saves the state, so the next one reads the row alone.
    """
    if complaint.head_hash is not None and complaint.sla_state is not None:
        return complaint.head_hash, complaint.sla_state
    history = ctx.store.history(complaint.tracking_id)
    return history[-1].hash, ctx.replay_state(history)


def changes_for(
    ctx: DeskContext,
    complaint: Complaint,
    entries: Sequence[tuple[Command, Actor]],
    now: datetime,
    identity: ReporterIdentity | None = None,
    run: ClockRun | None = None,
) -> tuple[Changeset, Recorded]:
    """The changeset that appends the commands' events and continues the clocks, and what it records.

    Reads nothing but the complaint's row (see :func:`kept_state`), so a command costs the same whatever the
    length of the history. Event time never runs backwards: each event is stamped ``now`` or, when the
    complaint changed after ``now`` (a long sweep judging at the instant it started), the instant of its
    last change. With no commands the changeset only refreshes the row's deadline (still compare-and-set).
    ``run`` is the complaint's kept clocks already resumed (:meth:`DeskContext.clock_run`), by a caller that
    judged them to decide the commands.
    """
    head, state = kept_state(ctx, complaint)
    now = max(now, complaint.updated_at)
    tid = complaint.tracking_id
    new_events: list[Event] = []
    outbox: list[OutboxMessage] = []
    updated, status = complaint, complaint.status
    for command, actor in entries:
        status = next_status(status, command.action, complaint_id=tid, has_unit=updated.unit is not None)
        event = Event.create(
            tid, complaint.version + len(new_events), command.action, actor, now, command.payload, head
        )
        head = event.hash
        new_events.append(event)
        if command.mutate is not unchanged:
            updated = command.mutate(updated)
        outbox.extend(outbox_messages(updated, command.action, command.notify, now, status=status))
    if run is None:
        run = ctx.clock_run(state, start=complaint.version)
    run.apply(new_events)
    clocks, state = run.judge(now), run.state()
    updated = attrs.evolve(  # one evolve per command: the new state in full
        updated,
        status=status,
        updated_at=now if new_events else complaint.updated_at,
        version=complaint.version + len(new_events),
        next_due_at=next_attention(clocks, state) if not status.is_terminal else None,
        head_hash=head,
        sla_state=state,
    )
    changes = Changeset(updated, complaint.version, tuple(new_events), tuple(outbox), identity)
    return changes, Recorded(updated, tuple(new_events), clocks)


def record(
    ctx: DeskContext,
    complaint: Complaint,
    entries: Sequence[tuple[Command, Actor]],
    now: datetime,
    identity: ReporterIdentity | None = None,
    idempotency: IdempotencyRecord | None = None,
) -> Recorded:
    """Save the changes of :func:`changes_for` (one changeset, compare-and-set on the version read).

    ``idempotency`` is saved in the same changeset: the store refuses it (ConcurrencyConflict) when the key
    is taken, and then nothing is saved.
    """
    changes, recorded = changes_for(ctx, complaint, entries, now, identity)
    if idempotency is not None:
        changes = attrs.evolve(changes, idempotency=idempotency)
    ctx.store.save(changes)
    return recorded


def execute(ctx: DeskContext, principal: Principal, tracking_id: object, command: Command) -> Recorded:
    """Run one lifecycle command for ``principal``: NotFound, NotAllowed or TransitionNotAllowed, or saved."""
    complaint, relation = load_for(ctx, principal, tracking_id)
    return execute_loaded(ctx, principal, complaint, relation, command)


def execute_loaded(
    ctx: DeskContext,
    principal: Principal,
    complaint: Complaint,
    relation: Relation,
    command: Command,
    idempotency: IdempotencyRecord | None = None,
) -> Recorded:
    """:func:`execute` on a complaint the caller has loaded with :func:`load_for` (not read again)."""
    authorise(complaint, relation, command.action)
    next_status(
        complaint.status,
        command.action,
        complaint_id=complaint.tracking_id,
        has_unit=complaint.unit is not None,
    )
    actor = actor_of(principal, relation)
    return record(ctx, complaint, [(command, actor)], ctx.clock.now(), idempotency=idempotency)


def keyed_store(ctx: DeskContext, doing: str) -> IdempotencyStore:
    """The desk's store as an :class:`IdempotencyStore`, or ConfigurationError saying what needed it."""
    store = ctx.store
    if not isinstance(store, IdempotencyStore):
        raise ConfigurationError(
            f"the store {type(store).__name__} cannot keep idempotency keys (no find_idempotency_key "
            f"and prune_idempotency_keys): {doing} without idempotency_key, or use a store that can"
        )
    return store


# A keyed command that loses a race to another writer of the complaint is read and tried again: the key
# guarantees it is recorded once. Each refusal means another writer committed; a few suffice.
_KEYED_ATTEMPTS: Final = 5


def execute_once(
    ctx: DeskContext,
    principal: Principal,
    tracking_id: object,
    build: Callable[[Complaint], Command],
    key: str,
    content: Mapping[str, Any],
) -> Recorded:
    """Run the command ``build`` makes of the complaint once per idempotency ``key`` (checked already).

    The key's record is saved with the command's event in one changeset, so a message delivered twice, to
    two processes at once, records one event: the repeat (same key, same ``content`` on the same complaint by
    the same actor) records nothing and gets the complaint as it stands; the key with other content raises
    IdempotencyConflict. A save lost to another writer of the complaint is read again and retried.

    Raises:
        ConfigurationError: The store keeps no idempotency keys.
        IdempotencyConflict: The key recorded other content (another text, complaint or actor).
    """
    store = keyed_store(ctx, "reply")
    hashed = key_hash(ctx.pepper, key)
    for _ in range(_KEYED_ATTEMPTS):
        complaint, relation = load_for(ctx, principal, tracking_id)
        actor = attrs.asdict(actor_of(principal, relation))
        fingerprint = command_fingerprint(ctx.pepper, complaint.tracking_id, actor, content)
        found = store.find_idempotency_key(hashed)
        if found is not None:
            if not hmac.compare_digest(found.fingerprint, fingerprint):
                raise IdempotencyConflict(first_used_at=found.created_at)
            return changes_for(ctx, complaint, (), ctx.clock.now())[1]  # recorded before: nothing new
        now = ctx.clock.now()
        keyed = IdempotencyRecord(
            key_hash=hashed, fingerprint=fingerprint, tracking_id=complaint.tracking_id, created_at=now
        )
        try:
            return execute_loaded(ctx, principal, complaint, relation, build(complaint), idempotency=keyed)
        except ConcurrencyConflict:
            continue
    raise StorageError(
        detail="storage.operation_failed",
        params={
            "operation": "recording under an idempotency key",
            "cause": f"{_KEYED_ATTEMPTS} saves refused",
        },
    )
