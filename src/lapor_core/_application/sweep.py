"""The sweep: closes quiet complaints, records breaches and sends reminders. Idempotent.

Each complaint is handled in its own compare-and-set save; a sweep that loses a race to another sweep (or to a
command) reloads and recomputes, finding nothing left to do. So running it twice, or in two threads at once,
changes nothing more than running it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from lapor_core._application.context import DeskContext, marked_clocks, next_attention
from lapor_core._application.kernel import Command, Recipients, record
from lapor_core._domain.complaint import Complaint
from lapor_core._domain.history import Actor, Event
from lapor_core._domain.lifecycle import Action, Status
from lapor_core._domain.ports import Changeset, ComplaintQuery
from lapor_core._domain.sla import ClockState, Stage
from lapor_core.errors import ConcurrencyConflict, NotFound, ValidationError

__all__ = ["SweepReport", "recompute_deadlines", "sweep"]

_RETRIES = 5
_BATCH = 500


@attrs.frozen
class SweepReport:
    """What one sweep did: the tracking IDs it closed, marked as breached and reminded."""

    closed: tuple[str, ...] = ()
    breached: tuple[str, ...] = ()
    reminded: tuple[str, ...] = ()


def _superior_notice(ctx: DeskContext, institution: str | None) -> tuple[tuple[str, str | None], ...]:
    if institution is None:
        return ()
    try:
        superior = ctx.directory.superior_of(institution)
    except NotFound:
        return ()
    return (("superior", superior),) if superior else ()


def _due_commands(
    ctx: DeskContext, complaint: Complaint, events: Sequence[Event], now: datetime
) -> list[Command]:
    clocks = ctx.clocks(events, now)
    reminded = marked_clocks(events, Action.REMIND.value)
    breached = marked_clocks(events, Action.BREACH.value)
    commands: list[Command] = []
    for clock in clocks.clocks:
        if clock.ended_at is not None:
            continue
        key = (clock.stage.value, clock.index)
        marks = {"stage": clock.stage.value, "clock": clock.index, "due_at": clock.due_at.isoformat()}
        if clock.stage is Stage.CLOSING:
            # DOMAIN 7: finished 10 working days after a follow-up with no reply.
            if clock.state is ClockState.EXPIRED and complaint.status is Status.FOLLOWED_UP:
                closing: Recipients = (("reporter", None), ("institution", complaint.institution))
                commands.append(Command(Action.CLOSE, {"by": "sweep", **marks}, notify=closing))
            continue
        if clock.state is ClockState.BREACHED and key not in breached:
            notify: Recipients = (("admin", None),)
            if clock.stage is Stage.FOLLOW_UP:
                notify += _superior_notice(ctx, clock.institution)
            commands.append(Command(Action.BREACH, marks, notify=notify))
        elif (
            clock.state is ClockState.RUNNING
            and key not in reminded
            and key not in breached
            and now >= clock.warn_at
        ):
            target = ("institution", clock.institution) if clock.stage is Stage.FOLLOW_UP else ("admin", None)
            commands.append(Command(Action.REMIND, marks, notify=(target,)))
    return commands


def _sweep_one(ctx: DeskContext, tracking_id: str, now: datetime, report: dict[Action, list[str]]) -> None:
    for _ in range(_RETRIES):
        complaint = ctx.store.get(tracking_id)
        if complaint.next_due_at is None or complaint.next_due_at > now:
            return
        events = ctx.store.history(tracking_id)
        commands = _due_commands(ctx, complaint, events, now)
        try:
            record(ctx, complaint, events, [(c, Actor.system()) for c in commands], now)
        except ConcurrencyConflict:
            continue
        for command in commands:
            report[command.action].append(tracking_id)
        return


def sweep(ctx: DeskContext, now: datetime) -> SweepReport:
    """Handle every complaint whose next deadline is at or before ``now``."""
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise ValidationError.single("now", "instant.naive")
    report: dict[Action, list[str]] = {Action.CLOSE: [], Action.BREACH: [], Action.REMIND: []}
    seen: set[str] = set()
    while True:
        batch = [c.tracking_id for c in ctx.store.due(now, limit=_BATCH) if c.tracking_id not in seen]
        if not batch:
            break
        for tracking_id in batch:
            seen.add(tracking_id)
            _sweep_one(ctx, tracking_id, now, report)
    return SweepReport(
        closed=tuple(report[Action.CLOSE]),
        breached=tuple(dict.fromkeys(report[Action.BREACH])),
        reminded=tuple(dict.fromkeys(report[Action.REMIND])),
    )


def recompute_deadlines(ctx: DeskContext) -> int:
    """Recompute the stored next deadline of every open complaint (after a calendar amendment).

    Returns how many complaints changed.
    """
    open_statuses = frozenset(s for s in Status if not s.is_terminal)
    changed = 0
    cursor: str | None = None
    now = ctx.clock.now()
    while True:
        page = ctx.store.query(ComplaintQuery(statuses=open_statuses, limit=_BATCH, cursor=cursor))
        for complaint in page.items:
            for _ in range(_RETRIES):
                current = ctx.store.get(complaint.tracking_id)
                events = ctx.store.history(complaint.tracking_id)
                due = next_attention(ctx.clocks(events, now), events)
                if due == current.next_due_at:
                    break
                try:
                    ctx.store.save(_deadline_only(current, due))
                except ConcurrencyConflict:
                    continue
                changed += 1
                break
        if page.next_cursor is None:
            return changed
        cursor = page.next_cursor


def _deadline_only(complaint: Complaint, due: datetime | None) -> Changeset:
    """A changeset refreshing only the projection's deadline: no event, same version (compare-and-set)."""
    return Changeset(attrs.evolve(complaint, next_due_at=due), complaint.version, ())
