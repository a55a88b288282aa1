"""The complaint commands: load, authorise, transition, recompute deadlines, save with events and outbox.

Every command validates its input before it reads anything, and saves its new state, its history event and
its notifications in one :class:`~lapor_core.plugins.Changeset` guarded by the version it read, so a failure
at
any point leaves nothing behind.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from lapor_core._application.context import DeskContext, next_attention
from lapor_core._domain import rules as _validation
from lapor_core._domain.access import Decision, Principal, Relation, Role, Subject, decide, relation_of
from lapor_core._domain.complaint import Complaint, OutboxMessage, ReporterIdentity
from lapor_core._domain.history import Actor, Event
from lapor_core._domain.ids import time_ordered_id
from lapor_core._domain.keys import StoredKey, new_access_key
from lapor_core._domain.lifecycle import Action, Status, next_status
from lapor_core._domain.model import Submission
from lapor_core._domain.ports import Changeset
from lapor_core._domain.regions import RegionTable
from lapor_core._domain.sla import Clocks
from lapor_core._domain.tracking import TrackingId
from lapor_core.errors import (
    ConcurrencyConflict,
    ConfigurationError,
    InvalidTrackingId,
    NotAllowed,
    NotFound,
    TooManyAttempts,
    ValidationError,
)

__all__ = [
    "Receipt",
    "Recorded",
    "authorise",
    "canonical_id",
    "execute",
    "execute_loaded",
    "load_for",
    "submit",
    "visible_relation",
]

MAX_MESSAGE = 4000
MAX_REASON = 1000


@attrs.frozen
class Receipt:
    """What the reporter gets back from a submission.

    Attributes:
        tracking_id: The public handle to look the complaint up.
        access_key: The secret that proves being the reporter; shown once, stored only as a keyed hash.
    """

    tracking_id: str
    access_key: str = attrs.field(repr=False)


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


def actor_of(principal: Principal) -> Actor:
    """How a principal is recorded in history (reporters and citizens by role only)."""
    if principal.role in (Role.REPORTER, Role.CITIZEN, Role.PUBLIC):
        return Actor(principal.role.value)
    return Actor(principal.role.value, principal.user_id, principal.institution_code, principal.unit_code)


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
    if relation is None or decision_for(complaint, relation)(Subject.METADATA) is not Decision.ALLOW:
        raise NotFound(kind="complaint", key=complaint.tracking_id if key is None else key)
    return relation


def decision_for(complaint: Complaint, relation: Relation | None) -> Callable[[Subject], Decision]:
    """The policy bound to one complaint and relation; a failing lookup (or no relation) denies."""

    def decision(subject: Subject) -> Decision:
        if relation is None:
            return Decision.DENY
        try:
            return decide(
                relation,
                subject,
                anonymous=complaint.anonymous,
                confidential=complaint.confidential,
                status=complaint.status,
            )
        except Exception:  # noqa: BLE001 - deny by default, whatever went wrong in the lookup
            return Decision.DENY

    return decision


def authorise(complaint: Complaint, relation: Relation, action: Action) -> None:
    """Raise NotAllowed unless the relation may perform ``action`` on this complaint."""
    if decision_for(complaint, relation)(Subject(action.value)) is not Decision.ALLOW:
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


def _outbox(
    complaint: Complaint, action: Action, recipients: Sequence[tuple[str, str | None]], now: datetime
) -> tuple[OutboxMessage, ...]:
    return tuple(
        OutboxMessage(
            id=time_ordered_id(now),
            tracking_id=complaint.tracking_id,
            event=action,
            recipient_role=role,
            recipient_ref=ref,
            created_at=now,
            context={"status": complaint.status.value},
        )
        for role, ref in recipients
    )


@attrs.frozen
class Recorded:
    """What a command saved: the complaint as stored, its whole history, and its clocks at that instant.

    The desk builds the view it returns from these instead of reading the complaint back and computing its
    clocks a second time.
    """

    complaint: Complaint
    events: tuple[Event, ...]
    clocks: Clocks


def record(
    ctx: DeskContext,
    complaint: Complaint,
    history: Sequence[Event],
    entries: Sequence[tuple[Command, Actor]],
    now: datetime,
    identity: ReporterIdentity | None = None,
) -> Recorded:
    """Append the commands' events, recompute deadlines and save everything in one changeset."""
    events = list(history)
    new_events: list[Event] = []
    outbox: list[OutboxMessage] = []
    updated = complaint
    for command, actor in entries:
        status = next_status(
            updated.status,
            command.action,
            complaint_id=updated.tracking_id,
            has_unit=updated.unit is not None,
        )
        event = events[-1].next(command.action, actor, now, command.payload)
        events.append(event)
        new_events.append(event)
        updated = attrs.evolve(command.mutate(updated), status=status, updated_at=now)
        outbox.extend(_outbox(updated, command.action, command.notify, now))
    clocks = ctx.clocks(events, now)
    updated = attrs.evolve(
        updated,
        version=complaint.version + len(new_events),
        next_due_at=next_attention(clocks, events) if not updated.status.is_terminal else None,
    )
    ctx.store.save(Changeset(updated, complaint.version, tuple(new_events), tuple(outbox), identity))
    return Recorded(updated, tuple(events), clocks)


def execute(ctx: DeskContext, principal: Principal, tracking_id: object, command: Command) -> Recorded:
    """Run one lifecycle command for ``principal``: NotFound, NotAllowed or TransitionNotAllowed, or saved."""
    complaint, relation = load_for(ctx, principal, tracking_id)
    return execute_loaded(ctx, principal, complaint, relation, command)


def execute_loaded(
    ctx: DeskContext, principal: Principal, complaint: Complaint, relation: Relation, command: Command
) -> Recorded:
    """:func:`execute` on a complaint the caller has loaded with :func:`load_for` (not read again)."""
    authorise(complaint, relation, command.action)
    next_status(
        complaint.status,
        command.action,
        complaint_id=complaint.tracking_id,
        has_unit=complaint.unit is not None,
    )
    history = ctx.store.history(complaint.tracking_id)
    return record(ctx, complaint, history, [(command, actor_of(principal))], ctx.clock.now())


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
            next_due_at=None,
            rating=None,
            supporters=frozenset(),
        )
        complaint = attrs.evolve(complaint, next_due_at=next_attention(ctx.clocks([first], now), [first]))
        outbox = _outbox(complaint, Action.SUBMIT, [("reporter", None), ("admin", None)], now)
        try:
            ctx.store.save(Changeset(complaint, 0, (first,), outbox, identity))
        except ConcurrencyConflict:
            continue
        return Receipt(tracking_id=tid, access_key=key)
    raise RuntimeError("could not draw a free tracking ID")  # pragma: no cover - 2**-250 odds


MAX_CLIENT_KEY = 256
"""The longest client key :func:`authenticate` takes (a hex SHA-256 is 64 characters)."""


def _at_least_one(_instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"{attribute.name} must be a whole number of at least 1")


@attrs.define
class AttemptLimiter:
    """Counts wrong access keys per client across every tracking ID, and says when a client is over its limit.

    A *client* is the opaque key the embedder passes to :func:`authenticate` (for example a keyed hash of
    the remote address); callers that pass none are not counted (see :func:`authenticate`). Failures are not
    counted per tracking ID: tracking IDs of public complaints are listed publicly, and counting per ID let
    any stranger lock a reporter out of their own complaint. Only failures count, and a success forgives
    nothing (else a client holding one valid key could reset its count between guesses).

    Memory is bounded: at most ``max_failures`` instants per client and ``max_clients`` clients, the client
    whose last failure is oldest forgotten first; clients whose failures have all expired are dropped as
    new failures arrive. Client keys are kept in memory only. Thread-safe.

    Example:
        >>> from datetime import UTC, datetime
        >>> limiter = AttemptLimiter(max_failures=2, window_seconds=60)
        >>> now = datetime(2026, 3, 17, tzinfo=UTC)
        >>> limiter.failed("client-a", now); limiter.failed("client-a", now)
        >>> limiter.failed("client-a", now)
        Traceback (most recent call last):
        lapor_core.errors.TooManyAttempts: too many failed attempts; retry in 60 s
        >>> limiter.failed("client-b", now)
    """

    max_failures: int = attrs.field(default=5, validator=_at_least_one)
    window_seconds: int = attrs.field(default=900, validator=_at_least_one)
    max_clients: int = attrs.field(default=10_000, validator=_at_least_one)
    _failures: OrderedDict[str, deque[datetime]] = attrs.field(factory=OrderedDict, init=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False)

    def _expired(self, at: datetime, now: datetime) -> bool:
        return (now - at).total_seconds() >= self.window_seconds

    def failed(self, client: str, now: datetime) -> None:
        """Count one wrong key from ``client``, or raise TooManyAttempts if it is already at its limit.

        A refused attempt is not counted, so the limit lifts ``window_seconds`` after the oldest counted
        failure however often the client keeps trying.
        """
        with self._lock:
            while self._failures:
                oldest = next(iter(self._failures))
                if not self._expired(self._failures[oldest][-1], now):
                    break
                del self._failures[oldest]
            times = self._failures.get(client)
            if times is None:
                times = self._failures[client] = deque(maxlen=self.max_failures)
            while times and self._expired(times[0], now):
                times.popleft()
            if len(times) >= self.max_failures:
                elapsed = int((now - times[0]).total_seconds())
                retry = min(max(self.window_seconds - elapsed, 1), self.window_seconds)
                raise TooManyAttempts(retry_after_seconds=retry)
            times.append(now)
            self._failures.move_to_end(client)
            while len(self._failures) > self.max_clients:
                self._failures.popitem(last=False)

    def tracked(self) -> int:
        """How many clients currently have failures on record."""
        with self._lock:
            return len(self._failures)


def _client_key(client: object) -> str | None:
    if client is None:
        return None
    try:
        return _validation.text(required=True, max_length=MAX_CLIENT_KEY, strip=False)(client)
    except _validation.Invalid as e:
        raise ValidationError([e.at("client")]) from None


def authenticate(
    ctx: DeskContext,
    limiter: AttemptLimiter,
    tracking_id: object,
    access_key: object,
    *,
    client: object = None,
) -> Principal:
    """The reporter's principal for a valid (tracking ID, access key), else NotFound as for an unknown ID.

    A correct key always opens, whatever the client's count. A wrong key (or a malformed tracking ID) counts
    one failure for ``client``; a client already over its limit gets TooManyAttempts instead of NotFound.
    Known and unknown tracking IDs take the same path: one keyed hash, the same count, the same answer.

    Without a client nothing is counted: the desk cannot tell such callers apart, and counting them
    together would let one stranger's wrong keys make everybody's look refused (and tell a reporter who
    mistyped to wait). An embedder serving the public passes ``client``.

    Raises:
        ValidationError: ``client`` is neither None nor a non-blank string of at most 256 characters.
        NotFound: The tracking ID is unknown or malformed, or the key is wrong.
        TooManyAttempts: The key is wrong and ``client`` (not None) is over its limit.
    """
    key = _client_key(client)
    now = ctx.clock.now()
    try:
        tid = canonical_id(tracking_id)
    except (ValidationError, InvalidTrackingId):
        if key is not None:
            limiter.failed(key, now)
        raise NotFound(kind="complaint", key=str(tracking_id)[:40]) from None
    try:
        complaint: Complaint | None = ctx.store.get(tid)
    except NotFound:
        complaint = None
    # An unknown ID costs the same HMAC as a wrong key, so timing does not tell whether the ID exists.
    stored = complaint.access_key if complaint is not None else _NO_KEY
    if stored.verify(access_key, pepper=ctx.pepper) and complaint is not None:
        return Principal.reporter(tid, proof=reporter_proof(ctx, complaint))
    if key is not None:
        limiter.failed(key, now)
    raise NotFound(kind="complaint", key=tid)


_NO_KEY = StoredKey(salt=bytes(16), digest=bytes(32))
