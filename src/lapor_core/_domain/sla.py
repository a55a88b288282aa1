"""Service levels: the LAPOR! stage deadlines, derived from a complaint's history.

Clocks are never stored as counters. :func:`compute_clocks` replays the history (a sequence of timestamped
events) over working-day calendars, so recomputing after a holiday-decree amendment gives the new deadlines,
and the same history and calendars always give the same clocks.

The stages (DOMAIN "The lifecycle and its service levels"; every length is a :class:`SlaPolicy` default):

- **verification**, on the national admin's calendar: from submission until the admin forwards (or archives);
  3 working days. A hold waiting for the reporter pauses it.
- **follow-up**, on the institution's calendar: from forwarding, and again from each reopening, until the
  institution's follow-up; 5 working days, or the length of the complaint's SLA class.
- **closing**, on the institution's calendar: after the latest follow-up; 10 working days with no reply
  from reporter nor admin, then the report is finished.

A clock ends at its ``due_at`` instant, the end (00:00 local time of the next day) of the last working day
allowed: a verification or follow-up clock still running at or after it is *breached*, a closing clock has
*expired*.

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> from lapor_core._domain.calendar import WorkingCalendar
>>> wib = ZoneInfo("Asia/Jakarta")
>>> cal = WorkingCalendar.indonesia(first_year=2026, last_year=2026)
>>> history = [Step("submit", datetime(2026, 3, 17, 10, tzinfo=wib), {"kind": "pengaduan"})]
>>> clocks = compute_clocks(history, policy=SlaPolicy(), admin_calendar=cal,
...                         calendar_for=lambda code: cal, now=datetime(2026, 3, 20, tzinfo=wib))
>>> [(c.stage.value, c.due_at.isoformat(), c.state.value) for c in clocks]
[('verification', '2026-03-28T00:00:00+07:00', 'running')]
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final, Protocol, cast

import attrs

from lapor_core._domain import rules as v
from lapor_core._domain.calendar import WorkingCalendar
from lapor_core._i18n import N_
from lapor_core.errors import FieldError, ValidationError

__all__ = [
    "DEFAULT_CLASSES",
    "ClockRun",
    "ClockState",
    "Clocks",
    "KeptClock",
    "SlaEvent",
    "SlaPolicy",
    "SlaState",
    "Stage",
    "StageClock",
    "StageDays",
    "Step",
    "compute_clocks",
    "continue_clocks",
    "replay_state",
]


class Stage(enum.StrEnum):
    """A service-level stage of a complaint."""

    VERIFICATION = "verification"
    """The LAPOR! admin verifies and forwards the report."""
    FOLLOW_UP = "follow_up"
    """The institution coordinates and posts its follow-up (*tindak lanjut*)."""
    CLOSING = "closing"
    """After a follow-up: the report closes unless the reporter or the admin replies."""


class ClockState(enum.StrEnum):
    """Where a stage clock stands (at the end of its stage, or at ``now`` while it is open)."""

    RUNNING = "running"
    """Open and not yet due."""
    PAUSED = "paused"
    """Open and stopped: the complaint is on hold waiting for the reporter."""
    MET = "met"
    """The stage was completed before its due instant."""
    BREACHED = "breached"
    """A verification or follow-up clock reached its due instant before the stage was completed."""
    EXPIRED = "expired"
    """A closing clock reached its due instant: the report is finished."""
    CANCELLED = "cancelled"
    """The stage ended early for another reason (declined, replied, closed) before its due instant."""


DEFAULT_CLASSES: Final[Mapping[str, int]] = MappingProxyType(
    {
        # PermenPANRB 62/2018 (now 5/2025): information requests and simple complaints, 5 working days.
        "information": 5,
        "simple": 5,
        # PermenPANRB 62/2018 (now 5/2025): cases needing no field examination, 14 working days.
        "no_field_exam": 14,
        # PermenPANRB 62/2018 (now 5/2025): cases needing a field examination, 60 working days.
        "field_exam": 60,
    }
)
"""The optional SLA classes (follow-up length in working days) LAPOR! publishes."""


_MAX_DAYS: Final = 3650  # ten working years is absurd enough for any stage


_days = v.whole_number(1, _MAX_DAYS, code=N_("sla.days_out_of_range"))
_days_or_default = v.whole_number(1, _MAX_DAYS, code=N_("sla.days_out_of_range"), required=False)


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class StageDays:
    """Stage lengths that override the policy's defaults (for one report kind); None keeps the default.

    Raises:
        ValidationError: Listing every length that is not a whole number of working days from 1 to 3,650.

    >>> StageDays(follow_up=5)
    StageDays(verification=None, follow_up=5, closing=None)
    """

    verification: int | None = attrs.field(default=None, metadata=v.rule(_days_or_default))
    follow_up: int | None = attrs.field(default=None, metadata=v.rule(_days_or_default))
    closing: int | None = attrs.field(default=None, metadata=v.rule(_days_or_default))

    def get(self, stage: Stage) -> int | None:
        """The override for ``stage``, or None."""
        value: int | None = getattr(self, stage.value)
        return value


def _stage_days(value: object) -> StageDays:
    """The rule of one ``by_kind`` entry: a :class:`StageDays`, or a mapping of its fields."""
    if value is None:
        raise v.Invalid("value.required")
    found = _nested_stage_days(value)
    assert found is not None  # noqa: S101 - None was refused above
    return found


_nested_stage_days = v.nested(StageDays, functools.partial(v.structure, StageDays))


def _named(entry: v.Rule, empty_name: str) -> Callable[[object], Mapping[str, Any]]:
    """The rule for a mapping of names to entries: each name non-empty text, each entry passing ``entry``.

    ``empty_name`` is the code of a name that is not text or is empty; entry errors are named by the
    entry's name (``classes.simple``), every one of them at once.
    """

    def check(value: object) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise v.Invalid("value.not_mapping", type=v.type_name(value))
        result: dict[str, object] = {}
        errors: list[FieldError] = []
        for name, item in value.items():
            if not isinstance(name, str) or not name:
                errors.append(FieldError(v.ROOT, empty_name))
                continue
            try:
                result[name] = entry(item)
            except v.Invalid as invalid:
                errors.append(invalid.at(name))
            except ValidationError as error:
                errors.extend(v.prefixed(name, error.errors))
        if errors:
            raise ValidationError(errors)
        return MappingProxyType(result)

    return check


_by_kind = _named(_stage_days, N_("sla.kind_name_empty"))
_classes = _named(_days, N_("sla.class_name_empty"))


def _actions(value: object) -> frozenset[str]:
    """The rule of an action set: action names (non-empty text); one name alone is a set of one."""
    items: object = (value,) if isinstance(value, str) else value
    if isinstance(items, bytes | Mapping) or not isinstance(items, Iterable):
        raise v.Invalid("sla.actions_invalid")
    names = list(items)
    if not all(isinstance(name, str) and name for name in names):
        raise v.Invalid("sla.actions_invalid")
    return frozenset(cast("list[str]", names))


_stage = v.choice(Stage)


def _stages(value: object) -> frozenset[Stage]:
    """The rule of a stage set: stages or their values (``"verification"``)."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise v.Invalid("value.not_choice", choices=tuple(stage.value for stage in Stage))
    return frozenset(_stage(item) for item in value)


def _resuming_apart(
    instance: SlaPolicy, _attribute: attrs.Attribute[frozenset[str]], value: frozenset[str]
) -> None:
    # An action cannot both hold and resume a clock: which would win would depend on the replay's order.
    if instance.pausing & value:
        raise ValidationError.single("resuming", "sla.resuming_overlaps_pausing")


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class SlaPolicy:
    """The service-level rules, as data, with the LAPOR! defaults.

    Attributes:
        verification: Working days the admin has to verify and forward a report.
        follow_up: Working days an institution has for its follow-up, from forwarding and each reopening.
        closing: Working days without a reply after a follow-up before the report is finished.
        warn_before: A clock's ``warn_at`` is this many working days before its due day ends (0: at due).
        by_kind: Overrides per report kind (``{"permintaan_informasi": StageDays(follow_up=5)}``; plain
            mappings such as ``{"follow_up": 5}`` are accepted).
        classes: Follow-up lengths per SLA class, chosen by the ``sla_class`` of a ``forward`` event.
        pausing: Actions that pause the running clocks of ``pausable`` stages (the hold, *tunda*).
        resuming: Actions that resume paused clocks.
        pausable: Stages a hold pauses.

    Raises:
        ValidationError: Listing every bad field.

    >>> policy = SlaPolicy(by_kind={"permintaan_informasi": {"follow_up": 7}})
    >>> policy.days(Stage.FOLLOW_UP, kind="permintaan_informasi"), policy.days(Stage.FOLLOW_UP)
    (7, 5)
    >>> policy.days(Stage.FOLLOW_UP, kind="permintaan_informasi", sla_class="field_exam")
    60
    """

    # PermenPANRB 62/2018 (now 5/2025): the admin verifies and forwards within 3 working days.
    verification: int = attrs.field(default=3, metadata=v.rule(_days))
    # PermenPANRB 62/2018 (now 5/2025): the institution follows up within 5 working days of forwarding.
    follow_up: int = attrs.field(default=5, metadata=v.rule(_days))
    # PermenPANRB 62/2018 (now 5/2025): finished 10 working days after a follow-up with no reply.
    closing: int = attrs.field(default=10, metadata=v.rule(_days))
    warn_before: int = attrs.field(
        default=1, metadata=v.rule(v.whole_number(0, _MAX_DAYS, code=N_("sla.days_out_of_range")))
    )
    by_kind: Mapping[str, StageDays] = attrs.field(factory=dict, metadata=v.rule(_by_kind), hash=False)
    classes: Mapping[str, int] = attrs.field(default=DEFAULT_CLASSES, metadata=v.rule(_classes), hash=False)
    pausing: frozenset[str] = attrs.field(default=frozenset({"request_info"}), metadata=v.rule(_actions))
    resuming: frozenset[str] = attrs.field(
        default=frozenset({"provide_info"}), metadata=v.rule(_actions), validator=_resuming_apart
    )
    pausable: frozenset[Stage] = attrs.field(
        default=frozenset({Stage.VERIFICATION}), metadata=v.rule(_stages)
    )

    def __reduce__(self) -> tuple[Callable[..., SlaPolicy], tuple[dict[str, object]]]:
        # mappingproxy cannot be pickled: hand plain dicts to the constructor, which freezes them again.
        fields = {field.name: getattr(self, field.name) for field in attrs.fields(SlaPolicy)}
        fields["by_kind"] = dict(self.by_kind)
        fields["classes"] = dict(self.classes)
        return _policy, (fields,)

    def days(self, stage: Stage, *, kind: str | None = None, sla_class: str | None = None) -> int:
        """The length of ``stage`` in working days for a report of ``kind`` in ``sla_class``.

        An SLA class (follow-up only) wins over the kind's override, which wins over the default. Unknown
        kinds and classes fall back, so a history stays readable after the policy changes.
        """
        if stage is Stage.FOLLOW_UP and sla_class is not None:
            by_class = self.classes.get(sla_class)
            if by_class is not None:
                return by_class
        if kind is not None:
            override = self.by_kind.get(kind)
            if override is not None:
                value = override.get(stage)
                if value is not None:
                    return value
        length: int = getattr(self, stage.value)
        return length


def _policy(fields: dict[str, object]) -> SlaPolicy:
    return SlaPolicy(**fields)  # type: ignore[arg-type]  # the fields of a SlaPolicy, see __reduce__


class SlaEvent(Protocol):
    """What :func:`compute_clocks` reads from a history event (the history's ``Event`` satisfies it).

    ``action`` is the action name (``"submit"``, ``"forward"``...; a ``str`` enum works), ``at`` an aware
    datetime, and ``payload`` the event's details: ``kind`` on ``submit``, ``institution`` and optionally
    ``sla_class`` on ``forward``.
    """

    @property
    def action(self) -> str:
        """The action name."""
        ...

    @property
    def at(self) -> datetime:
        """When it happened (timezone-aware)."""
        ...

    @property
    def payload(self) -> Mapping[str, object]:
        """The event's details."""
        ...


def _frozen_payload(payload: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(payload))


@attrs.frozen
class Step:
    """A minimal :class:`SlaEvent`, for tests, examples and what-if computations.

    >>> from datetime import datetime, timezone
    >>> Step("forward", datetime(2026, 3, 17, tzinfo=timezone.utc), {"institution": "31.71"}).action
    'forward'
    """

    action: str
    at: datetime
    payload: Mapping[str, object] = attrs.field(factory=dict, converter=_frozen_payload)


@attrs.frozen
class StageClock:
    """One stage's clock, as derived from history.

    Attributes:
        stage: Which stage.
        started_at: The instant of the event that started it.
        due_at: When the stage's last allowed working day ends (00:00 local of the next day on the clock's
            calendar), including paused working days. For a clock paused at ``now``: as if resumed at ``now``.
        warn_at: When to warn: the end of the working day ``warn_before`` working days before the due day
            (never before ``started_at``).
        ended_at: The instant of the event that ended it; None while open.
        paused_working_days: Working days added by holds: those in ``(hold date, resume date]``, dates on
            the clock's calendar (holding and resuming on one day costs nothing).
        state: See :class:`ClockState`.
        provisional: True when a day in ``(start date, due date]`` is estimated on the calendar used
            (:meth:`WorkingCalendar.is_estimated`): the deadline may move.
        institution: The institution whose calendar it runs on (None for verification).
        index: Position in the history of the event that started it; stable, so it identifies the clock
            (for example to record one breach per clock).
        length: Working days allowed before pauses (from the policy).
    """

    stage: Stage
    started_at: datetime
    due_at: datetime
    warn_at: datetime
    ended_at: datetime | None
    paused_working_days: int
    state: ClockState
    provisional: bool
    institution: str | None
    index: int
    length: int

    @property
    def is_open(self) -> bool:
        """True while no event has ended the clock (it may be running, paused, breached or expired)."""
        return self.ended_at is None


@attrs.frozen
class Clocks:
    """Every stage clock of a complaint, in the order they started.

    Attributes:
        clocks: The clocks.
        now: The instant open clocks were judged at.
    """

    clocks: tuple[StageClock, ...]
    now: datetime

    def __iter__(self) -> Iterator[StageClock]:
        return iter(self.clocks)

    def __len__(self) -> int:
        return len(self.clocks)

    @property
    def current(self) -> tuple[StageClock, ...]:
        """The open clocks (not ended by an event): running, paused, or past due awaiting action."""
        return tuple(clock for clock in self.clocks if clock.ended_at is None)

    @property
    def next_deadline(self) -> datetime | None:
        """The earliest ``due_at`` among the clocks running at ``now``, or None."""
        return min((c.due_at for c in self.clocks if c.state is ClockState.RUNNING), default=None)

    def latest(self, stage: Stage) -> StageClock | None:
        """The most recently started clock of ``stage``, or None."""
        return next((c for c in reversed(self.clocks) if c.stage is stage), None)


@attrs.frozen
class KeptClock:
    """An open stage clock as a complaint's state row keeps it (see :class:`SlaState`).

    A command continues the clocks from it without replaying the history.

    Attributes:
        stage: Which stage.
        index: Position in the history of the event that started it.
        started_at: The instant of that event.
        length: Working days allowed before pauses.
        institution: The institution whose calendar it runs on (None: the admin's calendar).
        paused: Working days added by completed holds.
        held_since: The instant of the hold that pauses it now, or None.
        reminded: A reminder was recorded for it.
        breached: A breach was recorded for it.
    """

    stage: Stage
    index: int
    started_at: datetime
    length: int
    institution: str | None
    paused: int = 0
    held_since: datetime | None = None
    reminded: bool = False
    breached: bool = False


@attrs.frozen
class SlaState:
    """What the service-level engine needs to continue a complaint's clocks after its last event.

    The open clocks and what the last events said (report kind, institution, SLA class). A replay of the
    whole history from ``SlaState()`` gives the same state (:func:`replay_state`); the command kernel keeps
    it on the complaint's state row, in the same transaction as each event, and continues from it
    (:func:`continue_clocks`), so a command costs the same with 5 events or 500.

    Attributes:
        clocks: The open clocks, in the order they started.
        kind: The report kind the submission named (it picks :attr:`SlaPolicy.by_kind`), or None.
        institution: The institution of the latest forward, or None.
        sla_class: The SLA class of the latest forward, or None.
    """

    clocks: tuple[KeptClock, ...] = ()
    kind: str | None = None
    institution: str | None = None
    sla_class: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A compact JSON-ready form (what the SQL store writes)."""
        return {
            "clocks": [
                [
                    c.stage.value,
                    c.index,
                    c.started_at.isoformat(),
                    c.length,
                    c.institution,
                    c.paused,
                    c.held_since.isoformat() if c.held_since is not None else None,
                    c.reminded,
                    c.breached,
                ]
                for c in self.clocks
            ],
            "kind": self.kind,
            "institution": self.institution,
            "sla_class": self.sla_class,
        }

    @classmethod
    def from_json(cls, data: object) -> SlaState:
        """The state :meth:`to_json` wrote.

        Raises:
            ValueError: ``data`` is not such a form (a store then replays the history instead).
        """
        try:
            assert isinstance(data, dict)  # noqa: S101 - caught below, as every other malformation
            clocks = tuple(
                KeptClock(
                    stage=Stage(stage),
                    index=_whole(index),
                    started_at=_aware(started_at),
                    length=_whole(length),
                    institution=_optional_text(institution),
                    paused=_whole(paused),
                    held_since=None if held_since is None else _aware(held_since),
                    reminded=reminded is True,
                    breached=breached is True,
                )
                for stage, index, started_at, length, institution, paused, held_since, reminded, breached in (
                    data["clocks"]
                )
            )
            return cls(
                clocks=clocks,
                kind=_optional_text(data["kind"]),
                institution=_optional_text(data["institution"]),
                sla_class=_optional_text(data["sla_class"]),
            )
        except (AssertionError, KeyError, TypeError, ValueError) as e:
            raise ValueError(f"not a kept SLA state: {e}") from None


def _whole(value: object) -> int:
    if type(value) is not int or value < 0:
        raise ValueError(f"{value!r} is not a whole number")
    return value


def _aware(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not an instant")  # noqa: TRY004 - from_json's one error type
    instant = datetime.fromisoformat(value)
    if instant.utcoffset() is None:
        raise ValueError(f"{value!r} is naive")
    return instant


def _optional_text(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    return value


class _Clock:
    """A clock being replayed (mutable, local to one :func:`compute_clocks` call)."""

    __slots__ = (
        "breached",
        "calendar",
        "ended_at",
        "held_since",
        "index",
        "institution",
        "length",
        "paused",
        "reminded",
        "stage",
        "start_day",
        "started_at",
        "state",
    )

    def __init__(
        self,
        stage: Stage,
        event: SlaEvent,
        *,
        index: int,
        calendar: WorkingCalendar,
        length: int,
        institution: str | None,
    ) -> None:
        self.stage = stage
        self.started_at = event.at
        self.start_day = calendar.local_date(event.at)
        self.index = index
        self.calendar = calendar
        self.length = length
        self.institution = institution
        self.paused = 0
        self.held_since: datetime | None = None
        self.ended_at: datetime | None = None
        self.state = ClockState.RUNNING
        self.reminded = False
        self.breached = False

    @classmethod
    def resumed(cls, kept: KeptClock, calendar: WorkingCalendar) -> _Clock:
        """The open clock a :class:`KeptClock` saved, on ``calendar``."""
        clock = cls.__new__(cls)
        clock.stage = kept.stage
        clock.started_at = kept.started_at
        clock.start_day = calendar.local_date(kept.started_at)
        clock.index = kept.index
        clock.calendar = calendar
        clock.length = kept.length
        clock.institution = kept.institution
        clock.ended_at = None
        clock.state = ClockState.RUNNING
        clock.paused = kept.paused
        clock.held_since = kept.held_since
        clock.reminded = kept.reminded
        clock.breached = kept.breached
        return clock

    def kept(self) -> KeptClock:
        """This open clock as the complaint's state row keeps it."""
        return KeptClock(
            stage=self.stage,
            index=self.index,
            started_at=self.started_at,
            length=self.length,
            institution=self.institution,
            paused=self.paused,
            held_since=self.held_since,
            reminded=self.reminded,
            breached=self.breached,
        )

    def due_at(self) -> datetime:
        return self.calendar.end_of_day(
            self.calendar.add_working_days(self.start_day, self.length + self.paused)
        )

    def hold(self, at: datetime) -> None:
        if self.held_since is None and at < self.due_at():
            self.held_since = at

    def resume(self, at: datetime) -> None:
        if self.held_since is not None:
            cal = self.calendar
            self.paused += max(
                0, cal.working_days_between(cal.local_date(self.held_since), cal.local_date(at))
            )
            self.held_since = None

    def end(self, at: datetime, *, completed: bool) -> None:
        """End the clock: met/breached when ``completed``; else cancelled (expired/breached when past due)."""
        self.resume(at)
        self.ended_at = at
        late = at >= self.due_at()
        if self.stage is Stage.CLOSING:
            self.state = ClockState.EXPIRED if late else ClockState.CANCELLED
        elif late:
            self.state = ClockState.BREACHED
        else:
            self.state = ClockState.MET if completed else ClockState.CANCELLED

    def freeze(self, policy: SlaPolicy, now: datetime) -> StageClock:
        cal = self.calendar
        paused = self.paused
        state = self.state
        if self.ended_at is None and self.held_since is not None:
            state = ClockState.PAUSED
            paused += max(0, cal.working_days_between(cal.local_date(self.held_since), cal.local_date(now)))
        due_day = cal.add_working_days(self.start_day, self.length + paused)
        due_at = cal.end_of_day(due_day)
        if state is ClockState.RUNNING and now >= due_at:
            state = ClockState.EXPIRED if self.stage is Stage.CLOSING else ClockState.BREACHED
        warn_at = (
            cal.end_of_day(cal.add_working_days(due_day, -policy.warn_before))
            if policy.warn_before
            else due_at
        )
        return StageClock(
            stage=self.stage,
            started_at=self.started_at,
            due_at=due_at,
            warn_at=max(warn_at, self.started_at),
            ended_at=self.ended_at,
            paused_working_days=paused,
            state=state,
            provisional=cal.has_estimated_between(self.start_day, due_day),
            institution=self.institution,
            index=self.index,
            length=self.length,
        )


def compute_clocks(
    events: Sequence[SlaEvent],
    *,
    policy: SlaPolicy,
    admin_calendar: WorkingCalendar,
    calendar_for: Callable[[str], WorkingCalendar],
    now: datetime,
) -> Clocks:
    """Replay a complaint's history and return its stage clocks, judged at ``now``.

    Events are read in sequence order. Each action's effect:

    ==================  ===================================================================================
    ``submit``          starts a verification clock on ``admin_calendar`` (``payload["kind"]`` picks
                        :attr:`SlaPolicy.by_kind`), unless one is open.
    ``request_info``    (``policy.pausing``) pauses open clocks of ``policy.pausable`` stages that are not
                        yet due; a clock already past due stays breached.
    ``provide_info``    (``policy.resuming``) resumes them: the due day moves by the working days in
                        ``(hold date, resume date]``.
    ``forward``         completes verification (met, or breached when at/after due); cancels any open
                        follow-up or closing clock; starts a follow-up clock on
                        ``calendar_for(payload["institution"])``, whose length ``payload["sla_class"]``
                        may set (:attr:`SlaPolicy.classes`).
    ``decline``         cancels the open follow-up (breached if already past due) and closing clocks; starts
                        a new verification clock on ``admin_calendar`` (the admin re-routes).
    ``follow_up``       completes the follow-up clock (met / breached); cancels an open closing clock; starts
                        a closing clock on the institution's calendar.
    ``reply``           when a closing clock is open: cancels it (expired if already due) and starts a new
                        follow-up clock on the same institution's calendar and SLA class; else nothing.
    ``archive``         completes an open verification (met / breached) and ends every other open clock.
    ``close``           ends every open clock: closing expired when due, else cancelled (or breached when
                        a verification/follow-up was past due).
    ``breach``          marks the open clock its payload names (``stage``, and ``clock``: its index) as
                        breached, so the sweep records one breach per clock; deadlines unchanged.
    ``remind``          the same for a reminder.
    anything else       (``assign``, ``rate``, ``support``...) no effect.
    ==================  ===================================================================================

    An open clock is judged at ``now``: a running verification or follow-up clock with ``now >= due_at``
    is breached, a closing clock expired; a held clock is paused (its due as if resumed at ``now``).

    Args:
        events: The history, oldest first.
        policy: The service-level rules.
        admin_calendar: The national LAPOR! admin's calendar (verification clocks).
        calendar_for: The calendar of an institution code (follow-up and closing clocks).
        now: The instant to judge open clocks at (aware).

    Raises:
        ValidationError: An event time (``events[i].at``) or ``now`` is not a datetime (code
            ``value.not_datetime``), is naive (``instant.naive``) or lies outside the years any store
            holds (``instant.out_of_range``, see :func:`lapor_core._domain.rules.instant`); a ``forward``
            without an institution code.
        DateOutOfRange: A date beyond a calendar's range.
    """
    clocks, _ = continue_clocks(
        SlaState(), events, policy=policy, admin_calendar=admin_calendar, calendar_for=calendar_for, now=now
    )
    return clocks


def continue_clocks(
    state: SlaState,
    events: Sequence[SlaEvent],
    *,
    start: int = 0,
    policy: SlaPolicy,
    admin_calendar: WorkingCalendar,
    calendar_for: Callable[[str], WorkingCalendar],
    now: datetime,
) -> tuple[Clocks, SlaState]:
    """Continue the clocks kept in ``state`` over ``events`` (history positions ``start`` on).

    The constant-cost path of :func:`compute_clocks`: ``state`` is what a replay of the history before
    ``start`` left (:func:`replay_state`), and the result is what a replay of the whole history gives for the
    clocks still open at ``start`` and those started since, with the state to keep for the next events.
    ``continue_clocks(SlaState(), history, ...)`` is the full replay.

    Raises:
        ValidationError, DateOutOfRange: As :func:`compute_clocks`.
    """
    _check_aware("now", now)
    run = ClockRun(
        state, start=start, policy=policy, admin_calendar=admin_calendar, calendar_for=calendar_for
    )
    run.apply(events)
    return run.judge(now), run.state()


class ClockRun:
    """The clocks kept in a state, resumed once: judged, continued over new events, judged again.

    :func:`continue_clocks` in steps, for a caller that decides from the clocks before adding the events
    its decision makes (the sweep judges a complaint's clocks, then records breaches and continues them).

    Raises:
        ValidationError, DateOutOfRange: As :func:`compute_clocks` (from :meth:`apply` and :meth:`judge`).
    """

    __slots__ = ("_next", "_policy", "_replay")

    def __init__(
        self,
        state: SlaState,
        *,
        start: int,
        policy: SlaPolicy,
        admin_calendar: WorkingCalendar,
        calendar_for: Callable[[str], WorkingCalendar],
    ) -> None:
        self._policy = policy
        self._replay = _Replay.resumed(state, policy, admin_calendar, calendar_for)
        self._next = start

    def apply(self, events: Sequence[SlaEvent]) -> None:
        """Continue the clocks over ``events``, the history's next positions."""
        for event in events:
            _check_aware(f"events[{self._next}].at", event.at)
            self._replay.apply(self._next, event)
            self._next += 1

    def judge(self, now: datetime) -> Clocks:
        """The clocks open at the kept state and those started since, judged at ``now``."""
        _check_aware("now", now)
        return Clocks(clocks=tuple(clock.freeze(self._policy, now) for clock in self._replay.clocks), now=now)

    def state(self) -> SlaState:
        """What to keep to continue after the events applied so far."""
        return self._replay.state()


def replay_state(
    events: Sequence[SlaEvent],
    *,
    policy: SlaPolicy,
    admin_calendar: WorkingCalendar,
    calendar_for: Callable[[str], WorkingCalendar],
) -> SlaState:
    """The state a replay of the whole history leaves: what :func:`continue_clocks` continues from.

    Raises:
        ValidationError, DateOutOfRange: As :func:`compute_clocks`.
    """
    now = events[-1].at if events else datetime(2000, 1, 1, tzinfo=UTC)
    _, state = continue_clocks(
        SlaState(), events, policy=policy, admin_calendar=admin_calendar, calendar_for=calendar_for, now=now
    )
    return state


def _check_aware(field: str, value: object) -> None:
    """Refuse ``value`` unless it is a datetime the shared instant rule accepts (aware, storable)."""
    if not isinstance(value, datetime):
        raise ValidationError.single(field, "value.not_datetime", type=v.type_name(value))
    try:
        v.instant(value)
    except v.Invalid as invalid:
        raise ValidationError([invalid.at(field)]) from None


class _Replay:
    """The state of a history replay: clocks so far, the open ones, and what the last events said."""

    def __init__(
        self,
        policy: SlaPolicy,
        admin_calendar: WorkingCalendar,
        calendar_for: Callable[[str], WorkingCalendar],
    ) -> None:
        self.policy = policy
        self.admin_calendar = admin_calendar
        self.calendar_for = calendar_for
        self.clocks: list[_Clock] = []
        self.open: dict[Stage, _Clock] = {}
        self.kind: str | None = None
        self.institution: str | None = None
        self.institution_calendar = admin_calendar
        self.sla_class: str | None = None

    @classmethod
    def resumed(
        cls,
        state: SlaState,
        policy: SlaPolicy,
        admin_calendar: WorkingCalendar,
        calendar_for: Callable[[str], WorkingCalendar],
    ) -> _Replay:
        """The replay as it stood when ``state`` was kept."""
        replay = cls(policy, admin_calendar, calendar_for)
        replay.kind, replay.institution, replay.sla_class = state.kind, state.institution, state.sla_class
        if state.institution is not None:
            replay.institution_calendar = calendar_for(state.institution)
        for kept in state.clocks:
            on_admin = kept.stage is Stage.VERIFICATION or kept.institution is None
            calendar = admin_calendar if on_admin else calendar_for(kept.institution)  # type: ignore[arg-type]
            clock = _Clock.resumed(kept, calendar)
            replay.clocks.append(clock)
            replay.open[kept.stage] = clock
        return replay

    def state(self) -> SlaState:
        """What to keep to continue from here: the open clocks and what the last events said."""
        return SlaState(
            clocks=tuple(clock.kept() for clock in self.clocks if clock.ended_at is None),
            kind=self.kind,
            institution=self.institution,
            sla_class=self.sla_class,
        )

    def apply(self, index: int, event: SlaEvent) -> None:
        action = str(event.action)
        if action in self.policy.pausing:
            for stage in self.policy.pausable & self.open.keys():
                self.open[stage].hold(event.at)
        elif action in self.policy.resuming:
            for clock in self.open.values():
                clock.resume(event.at)
        else:
            handler = _HANDLERS.get(action)
            if handler is not None:
                handler(self, index, event)

    def start(self, stage: Stage, index: int, event: SlaEvent) -> None:
        if stage is Stage.VERIFICATION:
            calendar, institution = self.admin_calendar, None
        else:
            calendar, institution = self.institution_calendar, self.institution
        sla_class = self.sla_class if stage is Stage.FOLLOW_UP else None
        length = self.policy.days(stage, kind=self.kind, sla_class=sla_class)
        clock = _Clock(stage, event, index=index, calendar=calendar, length=length, institution=institution)
        self.clocks.append(clock)
        self.open[stage] = clock

    def end(self, at: datetime, *stages: Stage, completed: bool = False) -> None:
        for stage in stages:
            clock = self.open.pop(stage, None)
            if clock is not None:
                clock.end(at, completed=completed)

    def submit(self, index: int, event: SlaEvent) -> None:
        kind = event.payload.get("kind")
        self.kind = kind if isinstance(kind, str) else None
        if Stage.VERIFICATION not in self.open:
            self.start(Stage.VERIFICATION, index, event)

    def forward(self, index: int, event: SlaEvent) -> None:
        self.institution = _institution(event.payload, index)
        sla_class = event.payload.get("sla_class")
        self.sla_class = sla_class if isinstance(sla_class, str) else None
        self.institution_calendar = self.calendar_for(self.institution)
        self.end(event.at, Stage.VERIFICATION, completed=True)
        self.end(event.at, Stage.FOLLOW_UP, Stage.CLOSING)
        self.start(Stage.FOLLOW_UP, index, event)

    def decline(self, index: int, event: SlaEvent) -> None:
        self.end(event.at, Stage.FOLLOW_UP, Stage.CLOSING)
        if Stage.VERIFICATION not in self.open:
            self.start(Stage.VERIFICATION, index, event)

    def follow_up(self, index: int, event: SlaEvent) -> None:
        self.end(event.at, Stage.FOLLOW_UP, completed=True)
        self.end(event.at, Stage.CLOSING)
        self.start(Stage.CLOSING, index, event)

    def reply(self, index: int, event: SlaEvent) -> None:
        if Stage.CLOSING in self.open:
            self.end(event.at, Stage.CLOSING)
            self.start(Stage.FOLLOW_UP, index, event)

    def archive(self, _index: int, event: SlaEvent) -> None:
        self.end(event.at, Stage.VERIFICATION, completed=True)
        self.end(event.at, Stage.FOLLOW_UP, Stage.CLOSING)

    def close(self, _index: int, event: SlaEvent) -> None:
        self.end(event.at, Stage.VERIFICATION, Stage.FOLLOW_UP, Stage.CLOSING)

    def breach(self, _index: int, event: SlaEvent) -> None:
        clock = self.marked(event)
        if clock is not None:
            clock.breached = True

    def remind(self, _index: int, event: SlaEvent) -> None:
        clock = self.marked(event)
        if clock is not None:
            clock.reminded = True

    def marked(self, event: SlaEvent) -> _Clock | None:
        """The open clock a breach or reminder event names (payload ``stage`` and ``clock``), or None."""
        stage, index = event.payload.get("stage"), str(event.payload.get("clock"))
        return next((c for c in self.open.values() if c.stage.value == stage and str(c.index) == index), None)


_HANDLERS: Final[Mapping[str, Callable[[_Replay, int, SlaEvent], None]]] = MappingProxyType(
    {
        "submit": _Replay.submit,
        "forward": _Replay.forward,
        "decline": _Replay.decline,
        "follow_up": _Replay.follow_up,
        "reply": _Replay.reply,
        "archive": _Replay.archive,
        "close": _Replay.close,
        "merge": _Replay.close,  # a merged duplicate's clocks end as a closed complaint's (issue 22)
        "breach": _Replay.breach,
        "remind": _Replay.remind,
    }
)


def _institution(payload: Mapping[str, object], index: int) -> str:
    value = payload.get("institution")
    if not isinstance(value, str) or not value:
        raise ValidationError.single(
            f"events[{index}].payload.institution", "sla.forward_without_institution"
        )
    return value
