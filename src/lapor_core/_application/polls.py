"""The poll commands: create, edit, open, extend and close a poll, vote, and read results.

Who may do what:

- An institution's officers create polls for their institution and manage them (edit a draft, open,
  extend, close); LAPOR! administrators may manage any poll. A draft is known only to them: for everyone
  else it does not exist (:class:`~lapor_core.NotFound`, as for an unknown ID).
- Verified citizens in the poll's audience vote while it is open. The person is stored only as keyed hashes
  of (poll, person) under the deployment pepper, in a record kept apart from the ballot.
- A voter may read back their own ballot's choices (:func:`my_vote`), and nobody else may: the ballot is
  found only through the seal computed from the person and the deployment pepper, so the store alone
  cannot link a person to a ballot, and the function takes no person but the principal's own.
- Results are public once the poll's rule allows: ``live`` polls from opening, ``after_close`` polls only
  when voting has ended; until then they are hidden from everyone, the owner and admins included.

Every command validates its input before it reads anything and changes nothing when it fails.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import attrs

from lapor_core._application.context import DeskContext
from lapor_core._application.kernel import actor_of
from lapor_core._domain import rules as v
from lapor_core._domain.access import Principal, Role
from lapor_core._domain.history import Actor
from lapor_core._domain.polls import (
    DEFAULT_THRESHOLD,
    MAX_OPTIONS,
    NOT_YET_OPEN,
    Ballot,
    BallotCast,
    CastOutcome,
    Poll,
    PollDraft,
    PollResults,
    PollState,
    _each,
    _items,
    check_poll_id,
    check_threshold,
    coarse_region,
    compute_results,
)
from lapor_core._domain.ports import PollStore
from lapor_core._i18n import N_
from lapor_core.errors import (
    ConfigurationError,
    FieldError,
    NotFound,
    PollConflict,
    PollNotAllowed,
    PollTransitionNotAllowed,
    ValidationError,
)

__all__ = [
    "PollAudit",
    "VoteReceipt",
    "close_poll",
    "create_poll",
    "edit_poll",
    "extend_poll",
    "get_poll",
    "list_polls",
    "my_vote",
    "open_poll",
    "poll_results",
    "verify_poll",
    "vote",
]

# A vote is checked against the poll it read; when the poll changed meanwhile (extended, closed) the vote
# is checked again against the new poll, a few times at most.
_CAST_ATTEMPTS = 5
_CREATE_ATTEMPTS = 5
_SEAL_HEX_DIGITS = 16

T = TypeVar("T")


@attrs.frozen
class VoteReceipt:
    """What a voter gets back: what was recorded, and whether it replaced an earlier ballot.

    Attributes:
        poll_id: The poll.
        choices: The labels of the chosen options, in option order.
        replaced: True when this ballot replaced the voter's earlier one.
    """

    poll_id: str
    choices: tuple[str, ...]
    replaced: bool


@attrs.frozen
class PollAudit:
    """The outcome of recounting a closed poll's ballots against its counters.

    Attributes:
        poll_id: The poll.
        ok: True when the recount equals the counters, option by option and region by region.
        checked_at: When the check ran.
    """

    poll_id: str
    ok: bool
    checked_at: datetime


def _store(ctx: DeskContext) -> PollStore:
    if ctx.polls is None:
        raise ConfigurationError("this desk has no poll store (pass poll_store= to ComplaintDesk)")
    return ctx.polls


def _manages(principal: Principal, poll: Poll) -> bool:
    if principal.role is Role.ADMIN:
        return True
    return principal.role is Role.INSTITUTION and principal.institution == poll.institution


def _load(ctx: DeskContext, principal: Principal, poll_id: object) -> Poll:
    """The poll if the principal may know it exists, else NotFound exactly as for an unknown ID."""
    pid = check_poll_id(poll_id)
    try:
        poll = _store(ctx).get(pid)
    except NotFound:
        raise NotFound(kind="poll", key=pid) from None
    if poll.state is PollState.DRAFT and not _manages(principal, poll):
        raise NotFound(kind="poll", key=pid)
    return poll


def _load_to_manage(ctx: DeskContext, principal: Principal, poll_id: object, action: str) -> Poll:
    poll = _load(ctx, principal, poll_id)
    if not _manages(principal, poll):
        raise PollNotAllowed(poll_id=poll.id, action=action, reason=N_("poll.manage_not_owner"))
    return poll


def _save(ctx: DeskContext, before: Poll, after: Poll) -> Poll:
    if after is not before:
        _store(ctx).save(after, expected_version=before.version)
    return after


def _argument(field: str, rule: Callable[[object], T], value: object) -> T:
    """``value`` read by ``rule``; a refusal is the ValidationError of the command's argument ``field``."""
    try:
        return rule(value)
    except v.Invalid as invalid:
        raise ValidationError([invalid.at(field)]) from None
    except ValidationError as nested:
        raise ValidationError(v.prefixed(field, nested.errors)) from None


def _draft(value: object) -> PollDraft:
    """The rule of a command's draft: a :class:`PollDraft`, which validated itself when it was built."""
    if isinstance(value, PollDraft):
        return value
    raise v.Invalid("poll.draft_type", type=v.type_name(value))


# The institution filter reads like a complaint query's (lapor_core._domain.ports.ComplaintQuery.institution).
_institution = v.text(required=False, max_length=64)


def _choice(value: object) -> int | str:
    """The rule of one requested choice: an option's index (a whole number) or its label (text)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise v.Invalid("poll.choice_wrong_type", type=v.type_name(value))
    return value


def _choices(value: object) -> tuple[int | str, ...]:
    """The rule of a vote's choices, checked before anything is read: a short list of indexes or labels."""
    codes = (N_("poll.choices_not_list"), N_("poll.choices_too_many"))
    found, errors = _each(_items(value, codes=codes, low=0, high=MAX_OPTIONS), _choice)
    if errors:
        raise ValidationError(errors)
    return tuple(choice for _, choice in found)


def create_poll(ctx: DeskContext, principal: Principal, draft: PollDraft) -> str:
    """Store a new draft poll owned by the officer's institution and return its ID."""
    draft = _argument("draft", _draft, draft)
    if principal.role is not Role.INSTITUTION or principal.institution is None:
        raise PollNotAllowed(poll_id="(new)", action="create", reason=N_("poll.create_not_officer"))
    store = _store(ctx)
    now = ctx.clock.now()
    attempts = 0
    while True:
        # 64 random bits: a repeat is astronomically rare, and the store refuses it rather than overwrite.
        poll = Poll.create(secrets.token_hex(8), principal.institution, draft, actor_of(principal), now)
        try:
            store.save(poll, expected_version=0)
        except PollConflict:
            attempts += 1
            if attempts == _CREATE_ATTEMPTS:
                raise
            continue
        return poll.id


def edit_poll(ctx: DeskContext, principal: Principal, poll_id: object, draft: PollDraft) -> Poll:
    """Replace a draft's definition; the change is recorded field by field."""
    draft = _argument("draft", _draft, draft)
    poll = _load_to_manage(ctx, principal, poll_id, "edit")
    return _save(ctx, poll, poll.edited(draft, actor_of(principal), ctx.clock.now()))


def open_poll(ctx: DeskContext, principal: Principal, poll_id: object) -> Poll:
    """Open a draft for voting from its ``opens_at`` to its ``closes_at``."""
    poll = _load_to_manage(ctx, principal, poll_id, "open")
    return _save(ctx, poll, poll.opened(actor_of(principal), ctx.clock.now()))


def extend_poll(ctx: DeskContext, principal: Principal, poll_id: object, closes_at: datetime | str) -> Poll:
    """Move an open poll's closing time later (an aware datetime or ISO 8601 text with an offset)."""
    poll = _load_to_manage(ctx, principal, poll_id, "extend")
    return _save(ctx, poll, poll.extended(closes_at, actor_of(principal), ctx.clock.now()))


def close_poll(ctx: DeskContext, principal: Principal, poll_id: object) -> Poll:
    """Close an open poll now (or record the closing of one whose time has passed)."""
    poll = _load_to_manage(ctx, principal, poll_id, "close")
    return _save(ctx, poll, poll.closed(actor_of(principal), ctx.clock.now()))


def _for_outsiders(poll: Poll) -> Poll:
    """The poll with its history's actors reduced to their role and institution (no staff user IDs)."""
    history = tuple(
        attrs.evolve(change, actor=Actor(change.actor.role, None, change.actor.institution))
        for change in poll.history
    )
    return attrs.evolve(poll, history=history)


def get_poll(ctx: DeskContext, principal: Principal, poll_id: object) -> Poll:
    """The poll as ``principal`` may see it; NotFound for a draft they do not manage."""
    poll = _load(ctx, principal, poll_id)
    return poll if _manages(principal, poll) else _for_outsiders(poll)


def list_polls(ctx: DeskContext, principal: Principal, *, institution: str | None = None) -> tuple[Poll, ...]:
    """The polls ``principal`` may see (of one institution, or all), by opening time.

    ``institution`` is read like a complaint query's filter: one line of text, at most 64 characters; blank
    text means no filter.

    Raises:
        ValidationError: ``institution`` is not such text (field ``institution``).
    """
    institution = _argument("institution", _institution, institution)
    return tuple(
        poll if _manages(principal, poll) else _for_outsiders(poll)
        for poll in _store(ctx).find(institution=institution)
        if poll.state is not PollState.DRAFT or _manages(principal, poll)
    )


def _resolve(poll: Poll, requested: tuple[int | str, ...]) -> tuple[int, ...]:
    """The option indexes ``requested`` names, or a ValidationError naming every bad item."""
    labels = poll.draft.options
    by_label = {label: i for i, label in enumerate(labels)}
    by_folded = {label.casefold(): i for i, label in enumerate(labels)}
    errors: list[FieldError] = []
    chosen: list[int] = []
    for position, item in enumerate(requested):
        if isinstance(item, int):
            index = item if 0 <= item < len(labels) else None
        else:
            text = item.strip()
            index = by_label.get(text, by_folded.get(text.casefold()))
        if index is None:
            errors.append(FieldError(f"choices[{position}]", "poll.choice_unknown"))
        elif index in chosen:
            errors.append(FieldError(f"choices[{position}]", "poll.choice_repeated"))
        else:
            chosen.append(index)
    if not requested:
        errors.append(FieldError("choices", "poll.choices_empty"))
    elif len(requested) > poll.draft.max_choices:
        errors.append(FieldError("choices", "poll.choices_over_max", {"max": poll.draft.max_choices}))
    if errors:
        raise ValidationError(errors)
    return tuple(sorted(chosen))


def _sealed(ctx: DeskContext, poll: Poll, person: str) -> tuple[str, int]:
    """The voter hash and the seal of ``person``'s ballot in ``poll``."""
    voter = ctx.keyed_hash("poll-voter", poll.id, person)
    return voter, int(ctx.keyed_hash("poll-seal", poll.id, person)[:_SEAL_HEX_DIGITS], 16) >> 1


def _voter(principal: Principal, poll: Poll) -> str:
    if principal.role is not Role.CITIZEN or principal.user_id is None:
        raise PollNotAllowed(poll_id=poll.id, action="vote", reason=N_("poll.vote_not_citizen"))
    if not principal.verified:
        raise PollNotAllowed(poll_id=poll.id, action="vote", reason=N_("poll.vote_not_verified"))
    return principal.user_id


def _check_window(poll: Poll, now: datetime) -> None:
    if not poll.accepts_votes(now):
        state = poll.state_at(now)
        shown = NOT_YET_OPEN if state is PollState.OPEN else state.value
        raise PollTransitionNotAllowed(poll_id=poll.id, action="vote", state=shown)


def vote(ctx: DeskContext, principal: Principal, poll_id: object, choices: object) -> VoteReceipt:
    """Record a verified citizen's ballot; a second one replaces the first or is refused, per the poll.

    Raises:
        ValidationError: Bad choices (not a list, unknown option, repeated, too many, none).
        NotFound: No such poll, or a draft.
        PollNotAllowed: Not a verified citizen, outside the audience, or already voted in a poll that
            refuses second votes.
        PollTransitionNotAllowed: The poll is not accepting votes now (not yet open, or closed).
    """
    check_poll_id(poll_id)
    requested = _argument("choices", _choices, choices)
    store = _store(ctx)
    attempts = 0
    while True:
        poll = _load(ctx, principal, poll_id)
        person = _voter(principal, poll)
        _check_window(poll, ctx.clock.now())
        if not poll.draft.admits(principal.region):
            raise PollNotAllowed(poll_id=poll.id, action="vote", reason=N_("poll.vote_outside_audience"))
        chosen = _resolve(poll, requested)
        voter, seal = _sealed(ctx, poll, person)
        cast = BallotCast(
            poll_id=poll.id,
            poll_version=poll.version,
            voter=voter,
            seal=seal,
            ballot=Ballot(chosen, *coarse_region(principal.region)),
            revote=poll.draft.revote,
        )
        try:
            outcome = store.cast(cast)
        except PollConflict:
            attempts += 1
            if attempts == _CAST_ATTEMPTS:
                raise
            continue
        if outcome is CastOutcome.REFUSED:
            raise PollNotAllowed(poll_id=poll.id, action="vote", reason=N_("poll.vote_already_cast"))
        labels = tuple(poll.draft.options[i] for i in chosen)
        return VoteReceipt(poll.id, labels, replaced=outcome is CastOutcome.REPLACED)


def my_vote(ctx: DeskContext, principal: Principal, poll_id: object) -> tuple[str, ...] | None:
    """The labels of the options the principal's own recorded ballot chose, in option order; None if none.

    Only a signed-in citizen reads a ballot, and only their own: nobody can ask for another person's.
    Whether the poll is open or closed, and whether results are published yet, does not matter: a voter
    sees their own choice, never anybody else's.

    Raises:
        NotFound: No such poll, or a draft.
        PollNotAllowed: The principal is not a signed-in citizen (``poll.own_ballot_only``).
        ConfigurationError: The poll store has no ``ballot_of``.
    """
    check_poll_id(poll_id)
    poll = _load(ctx, principal, poll_id)
    if principal.role is not Role.CITIZEN or principal.user_id is None:
        raise PollNotAllowed(poll_id=poll.id, action="read a ballot", reason=N_("poll.own_ballot_only"))
    voter, seal = _sealed(ctx, poll, principal.user_id)
    # A store written before 0.2 may lack the method: say so rather than fail on an attribute.
    read_back: Callable[[str, str, int], Ballot | None] | None = getattr(_store(ctx), "ballot_of", None)
    if read_back is None:
        raise ConfigurationError("this poll store cannot read a ballot back (it has no ballot_of)")
    ballot = read_back(poll.id, voter, seal)
    if ballot is None:
        return None
    return tuple(poll.draft.options[i] for i in ballot.choices)


def poll_results(
    ctx: DeskContext, principal: Principal, poll_id: object, *, threshold: int = DEFAULT_THRESHOLD
) -> PollResults:
    """The results, when the poll's rule publishes them; nobody reads ``after_close`` results earlier.

    Raises:
        NotFound: No such poll, or a draft the principal does not manage.
        PollTransitionNotAllowed: The poll is a draft (it has no results).
        PollNotAllowed: ``after_close`` results of a poll still open; the same for every principal.
        ValidationError: ``threshold`` is not a whole number of at least 1.
    """
    threshold = check_threshold(threshold)
    poll = _load(ctx, principal, poll_id)
    now = ctx.clock.now()
    if not poll.results_published(now):
        if poll.state is PollState.DRAFT:
            raise PollTransitionNotAllowed(poll_id=poll.id, action="read results", state="draft")
        raise PollNotAllowed(poll_id=poll.id, action="read results", reason=N_("poll.results_hidden"))
    return compute_results(poll, _store(ctx).tally(poll.id), as_of=now, threshold=threshold)


def verify_poll(ctx: DeskContext, principal: Principal, poll_id: object) -> PollAudit:
    """Recount a closed poll's ballots and compare with its counters (owner and admins)."""
    poll = _load_to_manage(ctx, principal, poll_id, "verify")
    now = ctx.clock.now()
    if poll.state_at(now) is not PollState.CLOSED:
        raise PollTransitionNotAllowed(poll_id=poll.id, action="verify", state=poll.state_at(now).value)
    store = _store(ctx)
    return PollAudit(poll.id, store.tally(poll.id) == store.recount(poll.id), now)
