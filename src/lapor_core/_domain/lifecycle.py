"""The complaint lifecycle: statuses, actions and the state machine that links them.

The machine is declared once with python-statemachine over the states of :class:`Status`
(``States.from_enum``), which validates it when the class is created (every state reachable, no transition
out of a final state). Commands do not instantiate it (that costs about 0.2 ms); they use
:data:`TRANSITIONS`, a frozen table derived by running the machine through its public API, via
:func:`next_status`. Both are built on first use, so importing lapor_core does not load the library.

>>> next_status(Status.SUBMITTED, Action.FORWARD, complaint_id="X")
<Status.FORWARDED: 'forwarded'>
>>> Status.FORWARDED.summary.label("id")
'Proses'
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs

from lapor_core import _i18n
from lapor_core._i18n import N_
from lapor_core.errors import TransitionNotAllowed

if TYPE_CHECKING:
    from statemachine import StateMachine

__all__ = [
    "ESCALATION_TRANSITIONS",
    "TRANSITIONS",
    "Action",
    "ComplaintLifecycle",
    "Escalation",
    "EscalationLifecycle",
    "Status",
    "Summary",
    "next_escalation",
    "next_status",
]


class Summary(enum.StrEnum):
    """The three words a reporter sees (LAPOR!: Belum / Proses / Selesai)."""

    PENDING = "pending"
    IN_PROCESS = "in_process"
    DONE = "done"

    def label(self, locale: str = "id") -> str:
        """The label in ``locale`` (Indonesian unless asked otherwise), from the message catalogue."""
        return _i18n.translate(_SUMMARY_LABELS[self], locale)


_SUMMARY_LABELS = {
    Summary.PENDING: N_("label.summary.pending"),
    Summary.IN_PROCESS: N_("label.summary.in_process"),
    Summary.DONE: N_("label.summary.done"),
}


class Status(enum.StrEnum):
    """Where a complaint is in its lifecycle."""

    SUBMITTED = "submitted"
    ON_HOLD = "on_hold"
    FORWARDED = "forwarded"
    ASSIGNED = "assigned"
    FOLLOWED_UP = "followed_up"
    CLOSED = "closed"
    ARCHIVED = "archived"
    MERGED = "merged"

    def label(self, locale: str = "id") -> str:
        """The status name in ``locale`` (Indonesian unless asked otherwise), from the message catalogue."""
        return _i18n.translate(_STATUS_LABELS[self], locale)

    @property
    def summary(self) -> Summary:
        """The reporter-facing summary of this status."""
        return _SUMMARIES[self]

    @property
    def is_terminal(self) -> bool:
        """True for statuses no action leaves (closed, archived, merged)."""
        return self in _TERMINAL


_STATUS_LABELS = {
    Status.SUBMITTED: N_("label.status.submitted"),
    Status.ON_HOLD: N_("label.status.on_hold"),
    Status.FORWARDED: N_("label.status.forwarded"),
    Status.ASSIGNED: N_("label.status.assigned"),
    Status.FOLLOWED_UP: N_("label.status.followed_up"),
    Status.CLOSED: N_("label.status.closed"),
    Status.ARCHIVED: N_("label.status.archived"),
    Status.MERGED: N_("label.status.merged"),
}
_TERMINAL = frozenset({Status.CLOSED, Status.ARCHIVED, Status.MERGED})
_SUMMARIES = {
    Status.SUBMITTED: Summary.PENDING,
    Status.ON_HOLD: Summary.PENDING,
    Status.FORWARDED: Summary.IN_PROCESS,
    Status.ASSIGNED: Summary.IN_PROCESS,
    Status.FOLLOWED_UP: Summary.IN_PROCESS,
    Status.CLOSED: Summary.DONE,
    Status.ARCHIVED: Summary.DONE,
    Status.MERGED: Summary.DONE,
}


class Action(enum.StrEnum):
    """Everything that can be recorded in a complaint's history."""

    SUBMIT = "submit"
    FORWARD = "forward"
    REQUEST_INFO = "request_info"
    PROVIDE_INFO = "provide_info"
    ARCHIVE = "archive"
    ASSIGN = "assign"
    DECLINE = "decline"
    FOLLOW_UP = "follow_up"
    REPLY = "reply"
    CLOSE = "close"
    RATE = "rate"
    SUPPORT = "support"
    BREACH = "breach"
    REMIND = "remind"
    REVEAL_IDENTITY = "reveal_identity"
    ERASE_IDENTITY = "erase_identity"
    ATTACH = "attach"
    MERGE = "merge"
    ABSORB = "absorb"
    ESCALATE = "escalate"
    RECORD_FINDINGS = "record_findings"
    CONCLUDE_ESCALATION = "conclude_escalation"


class Escalation(enum.StrEnum):
    """Where a complaint's escalation to the Ombudsman is (its own small lifecycle beside :class:`Status`).

    A complaint that was never escalated has no escalation (None). Escalation runs beside the main
    lifecycle rather than in it because a reporter may escalate after closing, and the main machine's
    terminal states have no way out; escalating never moves the complaint itself.
    """

    OPEN = "open"
    CONCLUDED = "concluded"

    def label(self, locale: str = "id") -> str:
        """The escalation's state in ``locale`` (Indonesian unless asked otherwise), from the catalogue."""
        return _i18n.translate(_ESCALATION_LABELS[self], locale)


_ESCALATION_LABELS = {
    Escalation.OPEN: N_("label.escalation.open"),
    Escalation.CONCLUDED: N_("label.escalation.concluded"),
}


def _machine() -> type[StateMachine]:
    from statemachine import StateMachine  # noqa: PLC0415 - the machine loads on the first transition
    from statemachine.states import States  # noqa: PLC0415

    class ComplaintLifecycle(StateMachine):
        """The LAPOR! flow as a state machine (DOMAIN: "The lifecycle and its service levels").

        The states are :class:`Status`, listed once; the events are :class:`Action` values. ``reply`` has two
        targets: back to ``assigned`` when a work unit holds the complaint, else ``forwarded``; the
        ``has_unit`` condition of the model picks one.
        """

        _ = States.from_enum(
            Status, initial=Status.SUBMITTED, final=[Status.CLOSED, Status.ARCHIVED, Status.MERGED]
        )

        # Verification by the LAPOR! admin: forward within 3 working days, hold (tunda) or archive.
        forward = _.SUBMITTED.to(_.FORWARDED)
        request_info = _.SUBMITTED.to(_.ON_HOLD)
        provide_info = _.ON_HOLD.to(_.SUBMITTED)
        archive = _.SUBMITTED.to(_.ARCHIVED) | _.ON_HOLD.to(_.ARCHIVED)
        # The institution: disposition to a unit, "bukan wewenang" back to the admin, follow-up.
        assign = _.FORWARDED.to(_.ASSIGNED) | _.ASSIGNED.to(_.ASSIGNED)
        decline = _.FORWARDED.to(_.SUBMITTED) | _.ASSIGNED.to(_.SUBMITTED)
        follow_up = _.FORWARDED.to(_.FOLLOWED_UP) | _.ASSIGNED.to(_.FOLLOWED_UP)
        # A reply by the reporter or the admin reopens; closing after 10 quiet working days or confirmation.
        reply = _.FOLLOWED_UP.to(_.ASSIGNED, cond="has_unit") | _.FOLLOWED_UP.to(
            _.FORWARDED, unless="has_unit"
        )
        close = _.FOLLOWED_UP.to(_.CLOSED)
        # An admin merges a duplicate into the original complaint (issue 22): from any open state.
        merge = (
            _.SUBMITTED.to(_.MERGED)
            | _.ON_HOLD.to(_.MERGED)
            | _.FORWARDED.to(_.MERGED)
            | _.ASSIGNED.to(_.MERGED)
            | _.FOLLOWED_UP.to(_.MERGED)
        )

    return ComplaintLifecycle


def _escalation_machine() -> type[StateMachine]:
    from statemachine import State, StateMachine  # noqa: PLC0415 - the machine loads on first use

    class EscalationLifecycle(StateMachine):
        """An escalation to the Ombudsman (issue 22): asked by the reporter, concluded by the Ombudsman.

        ``none`` stands for "never escalated" (``Complaint.escalation`` is None); an escalation is concluded
        once, and a complaint is escalated at most once.
        """

        none = State(initial=True)
        opened = State(value=Escalation.OPEN)
        concluded = State(value=Escalation.CONCLUDED, final=True)

        escalate = none.to(opened)
        record_findings = opened.to(opened)
        conclude_escalation = opened.to(concluded)

    return EscalationLifecycle


@attrs.define
class _Position:
    """The model the machine runs on while the table is derived: where it is and whether a unit holds it."""

    has_unit: bool
    state: Status | None = None


def _derive_table(machine: type[StateMachine]) -> Mapping[tuple[Status, Action, bool], Status]:
    # Run the machine through its public API from every state, with and without a unit, for every event it
    # enables there: the table is what the machine does, not a reading of its internals.
    table: dict[tuple[Status, Action, bool], Status] = {}
    for status in Status:
        for has_unit in (False, True):
            enabled = machine(_Position(has_unit), start_value=status).enabled_events()
            for event in enabled:
                run = machine(_Position(has_unit), start_value=status)
                run.send(event.id)
                table[(status, Action(event.id), has_unit)] = Status(run.current_state_value)
    return MappingProxyType(table)


def _derive_escalations(machine: type[StateMachine]) -> Mapping[tuple[Escalation | None, Action], Escalation]:
    # As _derive_table: run the machine from every state through its public API.
    table: dict[tuple[Escalation | None, Action], Escalation] = {}
    for state in (None, *Escalation):
        start = "none" if state is None else state
        for event in machine(start_value=start).enabled_events():
            run = machine(start_value=start)
            run.send(event.id)
            table[(state, Action(event.id))] = Escalation(run.current_state_value)
    return MappingProxyType(table)


@functools.cache
def _escalations() -> tuple[type[StateMachine], Mapping[tuple[Escalation | None, Action], Escalation]]:
    machine = _escalation_machine()
    return machine, _derive_escalations(machine)


@functools.cache
def _lifecycle() -> tuple[type[StateMachine], Mapping[tuple[Status, Action, bool], Status]]:
    machine = _machine()
    return machine, _derive_table(machine)


def __getattr__(name: str) -> object:
    # ComplaintLifecycle and TRANSITIONS are built on first use: python-statemachine (and asyncio, which
    # it imports) stays out of `import lapor_core`.
    if name == "ComplaintLifecycle":
        return _lifecycle()[0]
    if name == "TRANSITIONS":
        return _lifecycle()[1]
    if name == "EscalationLifecycle":
        return _escalations()[0]
    if name == "ESCALATION_TRANSITIONS":
        return _escalations()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    ComplaintLifecycle: type[StateMachine]
    TRANSITIONS: Mapping[tuple[Status, Action, bool], Status]
    """``(status, action, has_unit) -> next status``, derived by running :class:`ComplaintLifecycle`."""
    EscalationLifecycle: type[StateMachine]
    ESCALATION_TRANSITIONS: Mapping[tuple[Escalation | None, Action], Escalation]
    """``(escalation, action) -> next escalation``, derived by running :class:`EscalationLifecycle`."""


_ANNOTATIONS: Mapping[Action, frozenset[Status]] = MappingProxyType(
    {
        # Rating follows closing; support is for published complaints (LAPOR! "dukung").
        Action.RATE: frozenset({Status.CLOSED}),
        Action.SUPPORT: frozenset({Status.FORWARDED, Status.ASSIGNED, Status.FOLLOWED_UP, Status.CLOSED}),
        # Records that never move a complaint: the sweep's breach and reminder marks, identity access.
        Action.BREACH: frozenset(s for s in Status if not s.is_terminal),
        Action.REMIND: frozenset(s for s in Status if not s.is_terminal),
        Action.REVEAL_IDENTITY: frozenset(Status),
        Action.ERASE_IDENTITY: frozenset(Status),
        # A photo or document is added while the complaint is handled, not after it ended.
        Action.ATTACH: frozenset(s for s in Status if not s.is_terminal),
        # The original of a merge takes in a duplicate while open, or closed (its reporter then sees how it
        # ended); never an archived or merged one (issue 22).
        Action.ABSORB: frozenset(s for s in Status if not s.is_terminal) | {Status.CLOSED},
        # Escalation has its own lifecycle (next_escalation); a merged duplicate is escalated through its
        # original.
        Action.ESCALATE: frozenset(Status) - {Status.MERGED},
        Action.RECORD_FINDINGS: frozenset(Status),
        Action.CONCLUDE_ESCALATION: frozenset(Status),
    }
)


def next_status(status: Status, action: Action, *, complaint_id: str, has_unit: bool = False) -> Status:
    """Return the status after ``action``, or raise :class:`~lapor_core.TransitionNotAllowed`.

    ``rate``, ``support``, ``breach``, ``remind``, ``attach`` and the identity records annotate a complaint
    without moving it; they return ``status`` unchanged when allowed.
    """
    allowed_in = _ANNOTATIONS.get(action)
    if allowed_in is not None:
        if status in allowed_in:
            return status
    else:
        target = _lifecycle()[1].get((status, action, has_unit))
        if target is not None:
            return target
    raise TransitionNotAllowed(complaint_id=complaint_id, action=action.value, state=status.value)


def next_escalation(escalation: Escalation | None, action: Action, *, complaint_id: str) -> Escalation:
    """Return the escalation state after ``action``, or raise :class:`~lapor_core.TransitionNotAllowed`.

    >>> next_escalation(None, Action.ESCALATE, complaint_id="X")
    <Escalation.OPEN: 'open'>
    """
    target = _escalations()[1].get((escalation, action))
    if target is None:
        state = "none" if escalation is None else escalation.value
        raise TransitionNotAllowed(
            complaint_id=complaint_id, action=action.value, state=f"escalation {state}"
        )
    return target


def allowed_actions(status: Status, *, has_unit: bool = False) -> frozenset[Action]:
    """Every lifecycle action allowed from ``status``."""
    moves = {
        action
        for (source, action, unit), _ in _lifecycle()[1].items()
        if source == status and unit == has_unit
    }
    moves |= {action for action, statuses in _ANNOTATIONS.items() if status in statuses}
    return frozenset(moves)
