"""What every application service needs: the ports, the rules and the deployment's secrets."""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import attrs

from lapor_core._domain.calendar import WorkingCalendar
from lapor_core._domain.history import Event
from lapor_core._domain.idempotency import DEFAULT_WINDOW
from lapor_core._domain.institutions import InstitutionDirectory
from lapor_core._domain.ports import Clock, ComplaintStore, PollStore
from lapor_core._domain.sla import (
    ClockRun,
    Clocks,
    ClockState,
    SlaPolicy,
    SlaState,
    Stage,
    compute_clocks,
    continue_clocks,
    replay_state,
)
from lapor_core._domain.topics import TopicTree
from lapor_core._domain.tracking import TrackingId
from lapor_core.errors import ConfigurationError, NotFound

if TYPE_CHECKING:
    from lapor_core._domain.attachments import AttachmentLimits
    from lapor_core._domain.blobs import BlobStore

__all__ = ["DeskContext", "next_attention"]


@attrs.define
class DeskContext:
    """The ports, rules and secrets of one desk; shared by the application services.

    Attributes:
        store: Where complaints live.
        clock: Stamps every event.
        calendar: The national LAPOR! admin's working-day calendar (verification clocks).
        sla: Service-level rules.
        directory: Institutions by code (time zone, closures, superior, units).
        pepper: The deployment secret keying access-key hashes and account hashes.
        new_tracking_id: Draws tracking IDs (default: 55 bits from ``secrets``).
        polls: Where policy-opinion polls live, or None when the desk runs no polls.
        topics: The topic tree; a complaint's category must be one of its topics.
        idempotency_window: How long submissions' idempotency keys are kept before the sweep prunes them.
        escalation_window: How long after closing (or archiving) its reporter may escalate a complaint to
            the Ombudsman (default 30 days).
    """

    store: ComplaintStore
    clock: Clock
    calendar: WorkingCalendar
    sla: SlaPolicy
    directory: InstitutionDirectory
    pepper: bytes
    new_tracking_id: Callable[[], TrackingId] = TrackingId.new
    polls: PollStore | None = None
    topics: TopicTree = attrs.field(factory=TopicTree.default)
    blobs: BlobStore | None = None
    blob_factory: Callable[[], BlobStore] | None = None
    attachment_limits: AttachmentLimits | None = None
    idempotency_window: timedelta = DEFAULT_WINDOW
    escalation_window: timedelta = timedelta(days=30)
    _calendars: dict[str, WorkingCalendar] = attrs.field(factory=dict, init=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False)

    def calendar_for(self, institution: str) -> WorkingCalendar:
        """The working-day calendar of an institution: its time zone, work week and closures."""
        cached = self._calendars.get(institution)
        if cached is not None:
            return cached
        try:
            info = self.directory.get(institution)
        except NotFound:
            return self.calendar
        calendar = self.calendar.with_timezone(info.timezone)
        if info.workweek:
            calendar = calendar.with_workweek(info.workweek)
        if info.extra_holidays:
            calendar = calendar.with_holidays(info.extra_holidays)
        if info.extra_working_days:
            calendar = calendar.with_working_days(info.extra_working_days)
        with self._lock:
            self._calendars[institution] = calendar
        return calendar

    def blob_store(self) -> BlobStore:
        """The blob store, made by ``blob_factory`` on first use when the desk was given none."""
        if self.blobs is None:
            if self.blob_factory is None:
                raise ConfigurationError("this desk has no blob store: pass blobs= to keep attachments")
            with self._lock:
                if self.blobs is None:
                    self.blobs = self.blob_factory()
        return self.blobs

    def replace_calendar(self, calendar: WorkingCalendar) -> None:
        """Use an amended national calendar; institution calendars are derived again on demand."""
        with self._lock:
            self.calendar = calendar
            self._calendars.clear()

    def keyed_hash(self, purpose: str, *parts: str) -> str:
        """HMAC-SHA256 under the pepper of ``purpose`` and ``parts`` (hex); links without revealing."""
        message = "\x1f".join((purpose, *parts)).encode("utf-8")
        return hmac.new(self.pepper, message, hashlib.sha256).hexdigest()

    def clocks(self, events: Sequence[Event], now: datetime) -> Clocks:
        """The service-level clocks of a whole history at ``now`` (the replay: verification, statistics)."""
        return compute_clocks(
            events, policy=self.sla, admin_calendar=self.calendar, calendar_for=self.calendar_for, now=now
        )

    def continue_clocks(
        self, state: SlaState, events: Sequence[Event], *, start: int, now: datetime
    ) -> tuple[Clocks, SlaState]:
        """The clocks kept in ``state`` continued over ``events`` (history positions ``start`` on)."""
        return continue_clocks(
            state,
            events,
            start=start,
            policy=self.sla,
            admin_calendar=self.calendar,
            calendar_for=self.calendar_for,
            now=now,
        )

    def clock_run(self, state: SlaState, *, start: int) -> ClockRun:
        """The clocks kept in ``state`` (history positions ``start`` on), resumed to judge and continue."""
        return ClockRun(
            state, start=start, policy=self.sla, admin_calendar=self.calendar, calendar_for=self.calendar_for
        )

    def replay_state(self, events: Sequence[Event]) -> SlaState:
        """The SLA state a replay of the whole history leaves (what a complaint's row keeps)."""
        return replay_state(
            events, policy=self.sla, admin_calendar=self.calendar, calendar_for=self.calendar_for
        )


def next_attention(clocks: Clocks, state: SlaState) -> datetime | None:
    """The next instant the sweep must look at a complaint, from its open clocks and what it recorded.

    ``state`` says which open clocks already have a reminder or a breach recorded.
    """
    marks = {(kept.stage, kept.index): kept for kept in state.clocks}
    candidates: list[datetime] = []
    for clock in clocks.clocks:
        if clock.ended_at is not None or clock.state in (ClockState.PAUSED, ClockState.CANCELLED):
            continue
        if clock.stage is Stage.CLOSING:
            candidates.append(clock.due_at)
            continue
        kept = marks.get((clock.stage, clock.index))
        breached = kept is not None and kept.breached
        if not breached and not (kept is not None and kept.reminded):
            candidates.append(clock.warn_at)
        if not breached:
            candidates.append(clock.due_at)
    return min(candidates, default=None)
