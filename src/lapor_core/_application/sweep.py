"""The sweep: closes quiet complaints, records breaches and sends reminders. Idempotent.

It reads the due complaints a batch at a time (their rows hold everything it decides on: the open clocks and
which of them already have a breach or reminder recorded), decides each against the sweep's instant, and
saves the batch's changes in one transaction when the store can (``save_many``), else one by one. When a
batch loses a race to a command (or to another sweep), the complaint that lost is set aside and the rest of
the batch saved again; the one set aside is reloaded and decided again alone, finding nothing left to do
where the other got there first. So running it twice, or in two processes at once, changes nothing more
than running it once.

A batch that fails for another reason is redone complaint by complaint; a complaint whose save still fails
(the database refused its row, a history that does not replay) is named in :attr:`SweepReport.failed` and
left for the next run; the others proceed. Complaints left due that way come first in the due order, so the
sweep reads past them rather than stopping at them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import attrs

from lapor_core._application.context import DeskContext, next_attention
from lapor_core._application.kernel import Command, Recipients, changes_for, kept_state
from lapor_core._application.submissions import prune_idempotency_keys
from lapor_core._domain.complaint import Complaint
from lapor_core._domain.history import Actor
from lapor_core._domain.lifecycle import Action, Status
from lapor_core._domain.ports import Changeset, ComplaintQuery
from lapor_core._domain.sla import Clocks, ClockState, SlaState, Stage
from lapor_core.errors import ConcurrencyConflict, LaporError, NotFound, ValidationError

__all__ = ["SweepProgress", "SweepReport", "recompute_deadlines", "sweep"]

_RETRIES = 5
_BATCH = 500


@attrs.frozen
class SweepReport:
    """What one sweep did: the tracking IDs it closed, marked as breached, reminded, and could not handle.

    Attributes:
        closed: Complaints closed (10 working days after a follow-up nobody answered).
        breached: Complaints with a breach recorded.
        reminded: Complaints with a reminder sent.
        failed: Complaints the sweep could not save (named with the error's code); the next sweep retries.
        handled: How many due complaints it looked at.
    """

    closed: tuple[str, ...] = ()
    breached: tuple[str, ...] = ()
    reminded: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()
    handled: int = 0


@attrs.frozen
class SweepProgress:
    """How far a sweep is, handed to its ``progress`` callback after each batch."""

    handled: int
    closed: int
    breached: int
    reminded: int
    failed: int


def _superior_notice(ctx: DeskContext, institution: str | None) -> tuple[tuple[str, str | None], ...]:
    if institution is None:
        return ()
    try:
        superior = ctx.directory.superior_of(institution)
    except NotFound:
        return ()
    return (("superior", superior),) if superior else ()


def _due_commands(
    ctx: DeskContext, complaint: Complaint, state: SlaState, clocks: Clocks, now: datetime
) -> list[Command]:
    """What the sweep records for one complaint at ``now``, from its kept clocks (no history read)."""
    marks = {(kept.stage, kept.index): kept for kept in state.clocks}
    commands: list[Command] = []
    for clock in clocks.clocks:
        if clock.ended_at is not None:
            continue
        kept = marks.get((clock.stage, clock.index))
        reminded = kept is not None and kept.reminded
        breached = kept is not None and kept.breached
        payload = {"stage": clock.stage.value, "clock": clock.index, "due_at": clock.due_at.isoformat()}
        if clock.stage is Stage.CLOSING:
            # DOMAIN 7: finished 10 working days after a follow-up with no reply.
            if clock.state is ClockState.EXPIRED and complaint.status is Status.FOLLOWED_UP:
                closing: Recipients = (("reporter", None), ("institution", complaint.institution))
                commands.append(Command(Action.CLOSE, {"by": "sweep", **payload}, notify=closing))
            continue
        if clock.state is ClockState.BREACHED and not breached:
            notify: Recipients = (("admin", None),)
            if clock.stage is Stage.FOLLOW_UP:
                notify += _superior_notice(ctx, clock.institution)
            commands.append(Command(Action.BREACH, payload, notify=notify))
        elif clock.state is ClockState.RUNNING and not reminded and not breached and now >= clock.warn_at:
            target = ("institution", clock.institution) if clock.stage is Stage.FOLLOW_UP else ("admin", None)
            commands.append(Command(Action.REMIND, payload, notify=(target,)))
    return commands


def _changes(ctx: DeskContext, complaint: Complaint, now: datetime) -> tuple[Changeset | None, list[Action]]:
    """The changeset the sweep saves for one complaint (None: nothing due), and the actions it records."""
    if complaint.next_due_at is None or complaint.next_due_at > now or complaint.status.is_terminal:
        return None, []
    _, state = kept_state(ctx, complaint)
    run = ctx.clock_run(state, start=complaint.version)  # judged to decide, then continued over the events
    commands = _due_commands(ctx, complaint, state, run.judge(now), now)
    changes, _ = changes_for(ctx, complaint, [(c, Actor.system()) for c in commands], now, run=run)
    return changes, [c.action for c in commands]


class _Tally:
    """What a sweep did so far."""

    def __init__(self) -> None:
        self.actions: dict[Action, list[str]] = {Action.CLOSE: [], Action.BREACH: [], Action.REMIND: []}
        self.failed: dict[str, str] = {}
        self.handled = 0

    def done(self, tracking_id: str, actions: Sequence[Action]) -> None:
        for action in actions:
            self.actions[action].append(tracking_id)

    def progress(self) -> SweepProgress:
        return SweepProgress(
            handled=self.handled,
            closed=len(self.actions[Action.CLOSE]),
            breached=len(self.actions[Action.BREACH]),
            reminded=len(self.actions[Action.REMIND]),
            failed=len(self.failed),
        )

    def report(self) -> SweepReport:
        return SweepReport(
            closed=tuple(self.actions[Action.CLOSE]),
            breached=tuple(dict.fromkeys(self.actions[Action.BREACH])),
            reminded=tuple(dict.fromkeys(self.actions[Action.REMIND])),
            failed=tuple(self.failed.items()),
            handled=self.handled,
        )


def _sweep_one(
    ctx: DeskContext, tracking_id: str, loaded: Complaint | None, now: datetime, tally: _Tally
) -> None:
    """Handle one complaint alone (``loaded``, else read), reloading it after each lost race.

    A failure is tallied, not raised.
    """
    try:
        complaint = loaded if loaded is not None else ctx.store.get(tracking_id)
        for _ in range(_RETRIES):
            changes, actions = _changes(ctx, complaint, now)
            if changes is None:
                return
            try:
                ctx.store.save(changes)
            except ConcurrencyConflict:
                complaint = ctx.store.get(tracking_id)
                continue
            tally.done(tracking_id, actions)
            return
        tally.failed[tracking_id] = ConcurrencyConflict.code
    except LaporError as error:
        tally.failed[tracking_id] = error.code


_Planned = dict[str, tuple[Complaint, Changeset, list[Action]]]
_Alone = list[tuple[str, Complaint | None]]  # a complaint to handle by itself, with its row unless stale


def _plan(ctx: DeskContext, batch: Sequence[Complaint], now: datetime) -> tuple[_Planned, _Alone]:
    """The changes to save for each complaint of ``batch``, and those whose deciding failed (to try alone)."""
    planned: _Planned = {}
    alone: _Alone = []
    for complaint in batch:
        try:
            changes, actions = _changes(ctx, complaint, now)
        except LaporError:
            alone.append((complaint.tracking_id, complaint))  # tried again alone, where its failure is named
            continue
        if changes is not None:
            planned[complaint.tracking_id] = (complaint, changes, actions)
    return planned, alone


def _save_together(
    save_many: Callable[[Sequence[Changeset]], None], planned: _Planned, tally: _Tally
) -> _Alone:
    """Save the planned changes in one transaction; return the complaints left to handle one by one.

    A complaint that lost a race is set aside (to be read again) and the rest saved again, a few times at
    most; any other failure sends every complaint of the batch one by one.
    """
    alone: _Alone = []
    for _ in range(_RETRIES):
        if not planned:
            return alone
        try:
            save_many([changes for _, changes, _ in planned.values()])
        except ConcurrencyConflict as conflict:
            if planned.pop(conflict.complaint_id, None) is None:
                break
            alone.append((conflict.complaint_id, None))
        except LaporError:
            break  # a failing row or a failing database: sort it out complaint by complaint
        else:
            for tracking_id, (_, _, actions) in planned.items():
                tally.done(tracking_id, actions)
            return alone
    return alone + [(tracking_id, complaint) for tracking_id, (complaint, _, _) in planned.items()]


def _sweep_batch(ctx: DeskContext, batch: Sequence[Complaint], now: datetime, tally: _Tally) -> None:
    """Save a batch's changes in one transaction when the store can; what that cannot save, one by one."""
    save_many: Callable[[Sequence[Changeset]], None] | None = getattr(ctx.store, "save_many", None)
    if save_many is None:
        alone: _Alone = [(complaint.tracking_id, complaint) for complaint in batch]
    else:
        planned, alone = _plan(ctx, batch, now)
        alone += _save_together(save_many, planned, tally)
    for tracking_id, loaded in alone:
        _sweep_one(ctx, tracking_id, loaded, now, tally)


def sweep(
    ctx: DeskContext,
    now: datetime | None = None,
    *,
    progress: Callable[[SweepProgress], None] | None = None,
) -> SweepReport:
    """Handle every complaint whose next deadline is at or before the sweep's instant.

    Args:
        ctx: The desk's context.
        now: The instant to judge deadlines at; by default the clock, read again for each batch (a long
            sweep judges each complaint when it reaches it). Events are stamped with it, or with the
            complaint's last change when that is later, so a history's time never runs backwards. The
            submissions' idempotency keys older than the desk's window (at this instant) are forgotten first.
        progress: Called after each batch with the totals so far.
    """
    if now is not None and (not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None):
        raise ValidationError.single("now", "instant.naive")
    prune_idempotency_keys(ctx, now)  # submissions' keys older than the desk's window
    tally = _Tally()
    seen: set[str] = set()
    # Complaints this sweep looked at that are still due (failed, or left alone by a race) come first in the
    # due order: ask for that many more, so they never hide the complaints behind them.
    still_due = 0
    while True:
        instant = now if now is not None else ctx.clock.now()
        limit = _BATCH + still_due
        found = ctx.store.due(instant, limit=limit)
        batch = [c for c in found if c.tracking_id not in seen]
        still_due = len(found) - len(batch)
        if not batch:
            if len(found) < limit:
                return tally.report()
            continue  # only complaints already looked at so far: read past them
        seen.update(c.tracking_id for c in batch)
        tally.handled += len(batch)
        _sweep_batch(ctx, batch, instant, tally)
        if progress is not None:
            progress(tally.progress())


def recompute_deadlines(ctx: DeskContext) -> int:
    """Replay every open complaint's history and store its deadline and SLA state again.

    The verification path of the kept state, and what a calendar amendment needs (paused working days and
    deadlines move with the calendar). Also fills in the kept state of rows written before it existed.
    Returns how many complaints' next deadline changed.
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
                clocks, state = ctx.continue_clocks(SlaState(), events, start=0, now=now)
                replayed = attrs.evolve(
                    current,
                    next_due_at=next_attention(clocks, state),
                    head_hash=events[-1].hash,
                    sla_state=state,
                )
                if replayed == current:
                    break
                try:
                    # No event, same version: compare-and-set on the row alone.
                    ctx.store.save(Changeset(replayed, current.version, ()))
                except ConcurrencyConflict:
                    continue
                changed += replayed.next_due_at != current.next_due_at
                break
        if page.next_cursor is None:
            return changed
        cursor = page.next_cursor
