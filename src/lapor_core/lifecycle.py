"""The complaint lifecycle: statuses, actions and the state machine that links them.

The machine is declared once with python-statemachine, which validates it when the class is created
(every state reachable, no transition out of a final state). Commands do not instantiate it (that costs
about 0.2 ms); they use :data:`TRANSITIONS`, a frozen table derived from the class, via :func:`next_status`.

>>> next_status(Status.SUBMITTED, Action.FORWARD, complaint_id="X")
<Status.FORWARDED: 'forwarded'>
>>> Status.FORWARDED.summary.label("id")
'Proses'
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

from statemachine import State, StateMachine

from lapor_core import _i18n
from lapor_core._i18n import N_
from lapor_core.errors import TransitionNotAllowed

__all__ = [
    "TRANSITIONS",
    "Action",
    "ComplaintLifecycle",
    "Status",
    "Summary",
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

    def label(self, locale: str = "id") -> str:
        """The status name in ``locale`` (Indonesian unless asked otherwise), from the message catalogue."""
        return _i18n.translate(_STATUS_LABELS[self], locale)

    @property
    def summary(self) -> Summary:
        """The reporter-facing summary of this status."""
        return _SUMMARIES[self]

    @property
    def is_terminal(self) -> bool:
        """True for statuses no action leaves (closed, archived)."""
        return self in (Status.CLOSED, Status.ARCHIVED)


_STATUS_LABELS = {
    Status.SUBMITTED: N_("label.status.submitted"),
    Status.ON_HOLD: N_("label.status.on_hold"),
    Status.FORWARDED: N_("label.status.forwarded"),
    Status.ASSIGNED: N_("label.status.assigned"),
    Status.FOLLOWED_UP: N_("label.status.followed_up"),
    Status.CLOSED: N_("label.status.closed"),
    Status.ARCHIVED: N_("label.status.archived"),
}
_SUMMARIES = {
    Status.SUBMITTED: Summary.PENDING,
    Status.ON_HOLD: Summary.PENDING,
    Status.FORWARDED: Summary.IN_PROCESS,
    Status.ASSIGNED: Summary.IN_PROCESS,
    Status.FOLLOWED_UP: Summary.IN_PROCESS,
    Status.CLOSED: Summary.DONE,
    Status.ARCHIVED: Summary.DONE,
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


class ComplaintLifecycle(StateMachine):
    """The LAPOR! flow as a state machine (DOMAIN: "The lifecycle and its service levels").

    ``reply`` has two targets: back to ``assigned`` when a work unit holds the complaint, else ``forwarded``;
    the ``has_unit`` condition picks one.
    """

    submitted = State("Menunggu verifikasi", initial=True, value=Status.SUBMITTED.value)
    on_hold = State("Ditunda", value=Status.ON_HOLD.value)
    forwarded = State("Diteruskan", value=Status.FORWARDED.value)
    assigned = State("Didisposisikan", value=Status.ASSIGNED.value)
    followed_up = State("Ditindaklanjuti", value=Status.FOLLOWED_UP.value)
    closed = State("Selesai", final=True, value=Status.CLOSED.value)
    archived = State("Diarsipkan", final=True, value=Status.ARCHIVED.value)

    # Verification by the LAPOR! admin: forward within 3 working days, hold (tunda) or archive.
    forward = submitted.to(forwarded)
    request_info = submitted.to(on_hold)
    provide_info = on_hold.to(submitted)
    archive = submitted.to(archived) | on_hold.to(archived)
    # The institution: disposition to a unit, "bukan wewenang" back to the admin, follow-up (tindak lanjut).
    assign = forwarded.to(assigned) | assigned.to(assigned)
    decline = forwarded.to(submitted) | assigned.to(submitted)
    follow_up = forwarded.to(followed_up) | assigned.to(followed_up)
    # A reply by the reporter or the admin reopens; closing after 10 quiet working days or on confirmation.
    reply = followed_up.to(assigned, cond="has_unit") | followed_up.to(forwarded, unless="has_unit")
    close = followed_up.to(closed)


def _derive_table() -> Mapping[tuple[Status, Action, bool], Status]:
    table: dict[tuple[Status, Action, bool], Status] = {}
    for state in ComplaintLifecycle.states:
        for transition in state.transitions:
            source = Status(transition.source.value)
            action = Action(str(transition.event))
            target = Status(transition.target.value)
            conditions = {str(c) for c in transition.cond}
            for has_unit in (False, True):
                if "has_unit" in conditions and not has_unit:
                    continue
                if "!has_unit" in conditions and has_unit:
                    continue
                table[(source, action, has_unit)] = target
    return MappingProxyType(table)


TRANSITIONS: Mapping[tuple[Status, Action, bool], Status] = _derive_table()
"""``(status, action, has_unit) -> next status``, derived from :class:`ComplaintLifecycle`."""

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
    }
)


def next_status(status: Status, action: Action, *, complaint_id: str, has_unit: bool = False) -> Status:
    """Return the status after ``action``, or raise :class:`~lapor_core.TransitionNotAllowed`.

    ``rate``, ``support``, ``breach``, ``remind`` and the identity records annotate a complaint without
    moving it; they return ``status`` unchanged when allowed.
    """
    allowed_in = _ANNOTATIONS.get(action)
    if allowed_in is not None:
        if status in allowed_in:
            return status
    else:
        target = TRANSITIONS.get((status, action, has_unit))
        if target is not None:
            return target
    raise TransitionNotAllowed(complaint_id=complaint_id, action=action.value, state=status.value)


def allowed_actions(status: Status, *, has_unit: bool = False) -> frozenset[Action]:
    """Every lifecycle action allowed from ``status``."""
    moves = {
        action for (source, action, unit), _ in TRANSITIONS.items() if source == status and unit == has_unit
    }
    moves |= {action for action, statuses in _ANNOTATIONS.items() if status in statuses}
    return frozenset(moves)
