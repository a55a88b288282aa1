from __future__ import annotations

import pickle
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lapor_core._domain import rules as v
from lapor_core._domain.calendar import HolidayKind, WorkingCalendar
from lapor_core._domain.rules import Invalid
from lapor_core._domain.sla import (
    DEFAULT_CLASSES,
    Clocks,
    ClockState,
    SlaEvent,
    SlaPolicy,
    Stage,
    StageClock,
    StageDays,
    Step,
    compute_clocks,
)
from lapor_core.errors import DateOutOfRange, FieldError, ValidationError

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")
ADMIN = WorkingCalendar.indonesia()
INSTITUTIONS = {
    "31.71": ADMIN,
    "73.71": ADMIN.with_timezone("Asia/Makassar"),
    "91.71": ADMIN.with_timezone("Asia/Jayapura"),
}
POLICY = SlaPolicy()
SUBMITTED = datetime(2026, 3, 17, 10, tzinfo=WIB)  # Tuesday, just before Nyepi and Idul Fitri 2026


def at(day: int, hour: int = 10, minute: int = 0, *, month: int = 3, tz: ZoneInfo = WIB) -> datetime:
    """An instant in 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=tz)


def clocks_of(
    events: Sequence[SlaEvent],
    now: datetime,
    *,
    policy: SlaPolicy = POLICY,
    admin: WorkingCalendar = ADMIN,
    institutions: Mapping[str, WorkingCalendar] = INSTITUTIONS,
) -> Clocks:
    """Clocks of a history with the default policy and calendars."""
    return compute_clocks(
        events, policy=policy, admin_calendar=admin, calendar_for=institutions.__getitem__, now=now
    )


def submit(when: datetime = SUBMITTED, kind: object = "pengaduan") -> Step:
    """A submission event."""
    return Step("submit", when, {"kind": kind})


def forward(when: datetime, institution: str = "31.71", **extra: object) -> Step:
    """A forward event."""
    return Step("forward", when, {"institution": institution, **extra})


def summary(clocks: Clocks) -> list[tuple[str, str, str]]:
    """(stage, due instant, state) of every clock."""
    return [(c.stage.value, c.due_at.isoformat(), c.state.value) for c in clocks]


# -- the LAPOR! scenario on real 2026 dates ------------------------------------------------------------


def test_submission_starts_a_three_working_day_verification_clock() -> None:
    """Tue 17 March 10:00 WIB: verification is due when Friday 27 March ends (Nyepi and cuti bersama skip)."""
    clocks = clocks_of([submit()], at(20))
    (clock,) = clocks
    assert clock.stage is Stage.VERIFICATION
    assert clock.due_at.isoformat() == "2026-03-28T00:00:00+07:00"
    assert clock.warn_at.isoformat() == "2026-03-27T00:00:00+07:00"
    assert (clock.state, clock.ended_at, clock.institution, clock.index, clock.length) == (
        ClockState.RUNNING,
        None,
        None,
        0,
        3,
    )
    assert not clock.provisional


def test_forward_and_follow_up_the_same_day_gives_the_closing_deadline() -> None:
    """Forwarded and followed up on 17 March: closing runs 10 working days, due 2026-04-09 00:00 WIB."""
    events = [submit(), forward(at(17, 11)), Step("follow_up", at(17, 14))]
    clocks = clocks_of(events, at(18))
    assert summary(clocks) == [
        ("verification", "2026-03-28T00:00:00+07:00", "met"),
        ("follow_up", "2026-04-01T00:00:00+07:00", "met"),
        ("closing", "2026-04-09T00:00:00+07:00", "running"),
    ]
    assert [c.index for c in clocks] == [0, 1, 2]
    assert clocks.next_deadline == datetime(2026, 4, 9, tzinfo=WIB)


def test_an_institution_in_makassar_is_due_at_midnight_wita() -> None:
    """The follow-up and closing clocks run on the institution's calendar: 00:00 WITA."""
    events = [submit(), forward(at(17, 11), "73.71"), Step("follow_up", at(17, 14))]
    clocks = clocks_of(events, at(18))
    follow_up, closing = clocks.clocks[1:]
    assert follow_up.due_at.isoformat() == "2026-04-01T00:00:00+08:00"
    assert closing.due_at.isoformat() == "2026-04-09T00:00:00+08:00"
    assert (follow_up.institution, closing.institution) == ("73.71", "73.71")


def test_an_institution_in_jayapura_counts_from_its_own_local_date() -> None:
    """Forwarded 23:30 WIB on 17 March is 18 March 01:30 WIT: five working days from the 18th, 00:00 WIT."""
    clocks = clocks_of([submit(), forward(at(17, 23, 30), "91.71")], at(18, tz=WIT))
    follow_up = clocks.clocks[1]
    assert follow_up.due_at == datetime(2026, 4, 1, tzinfo=WIT)
    assert follow_up.due_at.isoformat() == "2026-04-01T00:00:00+09:00"


# -- breaches and the instant of the due ---------------------------------------------------------------


def test_a_running_clock_is_breached_exactly_at_its_due_instant() -> None:
    """A clock judged at exactly due_at is breached; one second earlier it still runs."""
    due = datetime(2026, 3, 28, tzinfo=WIB)
    assert clocks_of([submit()], due - timedelta(seconds=1)).clocks[0].state is ClockState.RUNNING
    breached = clocks_of([submit()], due)
    assert breached.clocks[0].state is ClockState.BREACHED
    assert breached.current == breached.clocks
    assert breached.next_deadline is None


def test_forwarding_before_due_is_met_and_after_due_is_breached() -> None:
    """The verification clock ends with the forward: met before 28 March 00:00 WIB, breached from then."""
    met = clocks_of([submit(), forward(at(27, 23, 59))], at(30))
    late = clocks_of([submit(), forward(datetime(2026, 3, 28, tzinfo=WIB))], at(30))
    assert met.clocks[0].state is ClockState.MET
    assert late.clocks[0].state is ClockState.BREACHED
    assert late.clocks[0].ended_at == datetime(2026, 3, 28, tzinfo=WIB)


def test_a_follow_up_clock_past_due_is_breached_and_a_closing_clock_expires() -> None:
    """Open clocks are judged at now: follow-up breached, closing expired."""
    follow_up = clocks_of([submit(), forward(at(17, 11))], at(1, month=4))
    assert follow_up.clocks[1].state is ClockState.BREACHED
    closing = clocks_of([submit(), forward(at(17, 11)), Step("follow_up", at(17, 14))], at(9, 0, month=4))
    assert closing.clocks[2].state is ClockState.EXPIRED
    assert closing.clocks[2].is_open


# -- holds ---------------------------------------------------------------------------------------------


def test_hold_and_resume_on_one_day_costs_nothing() -> None:
    """(hold date, resume date] is empty when both are the same day."""
    events = [submit(), Step("request_info", at(25, 9)), Step("provide_info", at(25, 15))]
    (clock,) = clocks_of(events, at(26))
    assert clock.paused_working_days == 0
    assert clock.due_at == datetime(2026, 3, 28, tzinfo=WIB)


def test_a_hold_moves_the_due_day_by_the_working_days_in_the_hold() -> None:
    """Held Wed 25 March, resumed Mon 30 March: 26, 27 and 30 March are added, due 2 April 00:00."""
    events = [submit(), Step("request_info", at(25, 9)), Step("provide_info", at(30, 15))]
    (clock,) = clocks_of(events, at(31))
    assert clock.paused_working_days == 3
    assert clock.due_at == datetime(2026, 4, 2, tzinfo=WIB)
    assert clock.state is ClockState.RUNNING


def test_a_clock_on_hold_is_paused_with_its_due_as_if_resumed_now() -> None:
    """While held it cannot breach; its due moves with every working day of the hold so far."""
    events = [submit(), Step("request_info", at(25, 9))]
    (clock,) = clocks_of(events, at(27, 16))
    assert clock.state is ClockState.PAUSED
    assert clock.paused_working_days == 2
    assert clock.due_at == datetime(2026, 4, 1, tzinfo=WIB)
    (later,) = clocks_of(events, at(15, month=4))
    assert later.state is ClockState.PAUSED
    assert clocks_of(events, at(27, 16)).next_deadline is None


def test_holding_a_clock_already_past_due_does_not_pause_it() -> None:
    """A hold after the deadline leaves the verification breached."""
    events = [submit(), Step("request_info", at(30, 9)), Step("provide_info", at(31, 9))]
    (clock,) = clocks_of(events, at(31, 12))
    assert clock.paused_working_days == 0
    assert clock.state is ClockState.BREACHED


def test_only_the_first_hold_counts_and_a_resume_without_hold_does_nothing() -> None:
    """A repeated hold keeps the first hold date; a stray resume adds nothing."""
    events = [
        submit(),
        Step("provide_info", at(18)),
        Step("request_info", at(25, 9)),
        Step("request_info", at(27, 9)),
        Step("provide_info", at(30, 15)),
    ]
    (clock,) = clocks_of(events, at(31))
    assert clock.paused_working_days == 3


def test_forwarding_while_held_counts_the_hold_up_to_the_forward() -> None:
    """A clock ended while paused includes the paused working days up to the ending event."""
    events = [submit(), Step("request_info", at(25, 9)), forward(at(31, 9))]
    verification = clocks_of(events, at(31, 12)).clocks[0]
    assert verification.paused_working_days == 4
    assert verification.state is ClockState.MET


def test_pausing_actions_and_stages_are_policy_data() -> None:
    """A policy can pause the follow-up stage on another action name."""
    policy = SlaPolicy(pausing="tunda", resuming={"lanjut"}, pausable={Stage.FOLLOW_UP})
    events = [submit(), forward(at(17, 11)), Step("tunda", at(25, 9)), Step("lanjut", at(30, 9))]
    follow_up = clocks_of(events, at(31), policy=policy).clocks[1]
    assert follow_up.paused_working_days == 3
    held = [submit(), Step("request_info", at(25, 9))]
    assert clocks_of(held, at(27), policy=policy).clocks[0].state is ClockState.RUNNING


# -- routing, reopening, closing -----------------------------------------------------------------------


def test_decline_cancels_the_follow_up_and_restarts_verification() -> None:
    """'Bukan wewenang' on 25 March: the follow-up is cancelled and the admin has 3 new working days."""
    events = [submit(), forward(at(17, 11)), Step("assign", at(18)), Step("decline", at(25, 10))]
    clocks = clocks_of(events, at(26))
    assert summary(clocks) == [
        ("verification", "2026-03-28T00:00:00+07:00", "met"),
        ("follow_up", "2026-04-01T00:00:00+07:00", "cancelled"),
        ("verification", "2026-03-31T00:00:00+07:00", "running"),
    ]
    assert clocks.clocks[2].index == 3
    assert clocks.clocks[2].institution is None


def test_decline_after_the_follow_up_was_due_records_a_breach() -> None:
    """Declining too late does not erase the institution's breach."""
    events = [submit(), forward(at(17, 11)), Step("decline", at(2, month=4))]
    assert clocks_of(events, at(2, 12, month=4)).clocks[1].state is ClockState.BREACHED


def test_a_reply_reopens_the_report_on_the_same_institution_and_class() -> None:
    """Reply on 27 March ends the closing clock and starts 5 new working days at the same institution."""
    events = [
        submit(),
        forward(at(17, 11), "73.71", sla_class="simple"),
        Step("follow_up", at(25, 10, tz=WITA)),
        Step("reply", at(27, 10)),
    ]
    clocks = clocks_of(events, at(27, 12))
    assert [c.state for c in clocks] == [
        ClockState.MET,
        ClockState.MET,
        ClockState.CANCELLED,
        ClockState.RUNNING,
    ]
    reopened = clocks.clocks[3]
    assert (reopened.stage, reopened.institution, reopened.length) == (Stage.FOLLOW_UP, "73.71", 5)
    assert reopened.due_at == datetime(2026, 4, 7, tzinfo=WITA)
    assert clocks.latest(Stage.FOLLOW_UP) is reopened
    assert clocks.latest(Stage.CLOSING) is clocks.clocks[2]


def test_a_reply_without_an_open_closing_clock_changes_nothing() -> None:
    """A reporter's message during the follow-up does not extend the institution's deadline."""
    events = [submit(), forward(at(17, 11)), Step("reply", at(25))]
    assert len(clocks_of(events, at(26))) == 2


def test_a_reply_after_the_closing_clock_expired_marks_it_expired() -> None:
    """The report was already finished by time; the new follow-up still starts."""
    events = [submit(), forward(at(17, 11)), Step("follow_up", at(17, 14)), Step("reply", at(10, month=4))]
    clocks = clocks_of(events, at(10, 12, month=4))
    assert clocks.clocks[2].state is ClockState.EXPIRED
    assert clocks.clocks[3].state is ClockState.RUNNING


def test_another_follow_up_restarts_the_closing_clock() -> None:
    """Closing counts from the latest follow-up."""
    events = [submit(), forward(at(17, 11)), Step("follow_up", at(17, 14)), Step("follow_up", at(25))]
    clocks = clocks_of(events, at(26))
    assert [c.state for c in clocks][2:] == [ClockState.CANCELLED, ClockState.RUNNING]
    assert clocks.clocks[3].due_at == datetime(2026, 4, 10, tzinfo=WIB)


def test_forwarding_again_cancels_the_open_follow_up() -> None:
    """Re-routing without a decline ends the first institution's clock."""
    events = [submit(), forward(at(17, 11)), forward(at(18, 11), "73.71")]
    clocks = clocks_of(events, at(19))
    assert [c.state for c in clocks] == [ClockState.MET, ClockState.CANCELLED, ClockState.RUNNING]
    assert clocks.clocks[2].institution == "73.71"


@pytest.mark.parametrize(
    ("closed", "state"),
    [(datetime(2026, 4, 9, tzinfo=WIB), ClockState.EXPIRED), (at(1, month=4), ClockState.CANCELLED)],
)
def test_close_ends_the_closing_clock_expired_or_cancelled(closed: datetime, state: ClockState) -> None:
    """Closing at the due instant is expiry; an early close by the admin cancels."""
    events = [submit(), forward(at(17, 11)), Step("follow_up", at(17, 14)), Step("close", closed)]
    clocks = clocks_of(events, closed + timedelta(days=30))
    assert clocks.clocks[2].state is state
    assert clocks.current == ()
    assert clocks.next_deadline is None


def test_archive_completes_verification_and_close_cancels_it() -> None:
    """Archiving is a verification outcome (met); closing during verification cancels."""
    assert clocks_of([submit(), Step("archive", at(18))], at(19)).clocks[0].state is ClockState.MET
    assert clocks_of([submit(), Step("close", at(18))], at(19)).clocks[0].state is ClockState.CANCELLED
    late = clocks_of([submit(), Step("archive", at(30))], at(31))
    assert late.clocks[0].state is ClockState.BREACHED


def test_archive_and_close_end_every_open_clock() -> None:
    """After close or archive nothing is open."""
    events = [submit(), forward(at(17, 11)), Step("archive", at(18))]
    clocks = clocks_of(events, at(20, month=4))
    assert [c.state for c in clocks] == [ClockState.MET, ClockState.CANCELLED]
    assert clocks.current == ()


@pytest.mark.parametrize(
    "action", ["assign", "rate", "support", "breach", "remind", "reveal_identity", "zzz"]
)
def test_other_actions_have_no_effect(action: str) -> None:
    """Actions that are not stage events leave the clocks alone."""
    base = [submit(), forward(at(17, 11))]
    assert clocks_of([*base, Step(action, at(18), {"stage": "follow_up"})], at(19)) == clocks_of(base, at(19))


def test_a_second_submit_does_not_start_a_second_verification() -> None:
    """Duplicate submit events are harmless."""
    assert len(clocks_of([submit(), submit(at(18))], at(19))) == 1


def test_follow_up_without_a_forward_runs_on_the_admin_calendar() -> None:
    """A history missing its forward still yields clocks, on the admin calendar with no institution."""
    clocks = clocks_of([submit(), Step("follow_up", at(18))], at(19))
    assert (clocks.clocks[1].stage, clocks.clocks[1].institution) == (Stage.CLOSING, None)


# -- lengths -------------------------------------------------------------------------------------------


def test_sla_class_sets_the_follow_up_length() -> None:
    """A field-examination case gets 60 working days; an unknown class falls back to 5."""
    field_exam = clocks_of([submit(), forward(at(17, 11), sla_class="field_exam")], at(18)).clocks[1]
    unknown = clocks_of([submit(), forward(at(17, 11), sla_class="zzz")], at(18)).clocks[1]
    not_text = clocks_of([submit(), forward(at(17, 11), sla_class=14)], at(18)).clocks[1]
    assert field_exam.length == 60
    assert ADMIN.working_days_between(date(2026, 3, 17), field_exam.due_at.date() - timedelta(1)) == 60
    assert (unknown.length, not_text.length) == (5, 5)


def test_report_kind_overrides_apply_to_their_kind_only() -> None:
    """An information request can have its own verification length."""
    policy = SlaPolicy(by_kind={"permintaan_informasi": {"verification": 2}})
    info = clocks_of([submit(kind="permintaan_informasi")], at(18), policy=policy).clocks[0]
    other = clocks_of([submit(kind="aspirasi")], at(18), policy=policy).clocks[0]
    odd = clocks_of([submit(kind=None)], at(18), policy=policy).clocks[0]
    assert (info.length, other.length, odd.length) == (2, 3, 3)
    assert info.due_at == datetime(2026, 3, 27, tzinfo=WIB)


def test_policy_days_prefers_class_then_kind_then_default() -> None:
    """Resolution order of lengths."""
    policy = SlaPolicy(by_kind={"aspirasi": StageDays(follow_up=7, closing=12)})
    assert policy.days(Stage.FOLLOW_UP, kind="aspirasi", sla_class="no_field_exam") == 14
    assert policy.days(Stage.FOLLOW_UP, kind="aspirasi") == 7
    assert policy.days(Stage.VERIFICATION, kind="aspirasi") == 3
    assert policy.days(Stage.CLOSING, kind="aspirasi", sla_class="field_exam") == 12
    assert policy.days(Stage.CLOSING) == 10


def test_default_policy_carries_the_lapor_numbers() -> None:
    """3 / 5 / 10 working days, warn 1 day before, and the published SLA classes."""
    assert (POLICY.verification, POLICY.follow_up, POLICY.closing, POLICY.warn_before) == (3, 5, 10, 1)
    assert dict(POLICY.classes) == {"information": 5, "simple": 5, "no_field_exam": 14, "field_exam": 60}
    assert POLICY.classes == DEFAULT_CLASSES
    assert POLICY.pausing == frozenset({"request_info"})


def test_warn_at_follows_warn_before_and_never_precedes_the_start() -> None:
    """warn_before=0 warns at due; a warning window longer than the stage starts at the start."""
    assert clocks_of([submit()], at(18), policy=SlaPolicy(warn_before=0)).clocks[0].warn_at == datetime(
        2026, 3, 28, tzinfo=WIB
    )
    wide = clocks_of([submit()], at(18), policy=SlaPolicy(warn_before=5)).clocks[0]
    assert wide.warn_at == SUBMITTED


# -- calendars -----------------------------------------------------------------------------------------


def test_recomputing_with_an_amended_calendar_gives_the_new_deadlines() -> None:
    """A decree adds cuti bersama on 30 March: the same history now closes a day later."""
    events = [submit(), forward(at(17, 11)), Step("follow_up", at(17, 14))]
    amended = ADMIN.with_holidays(
        {date(2026, 3, 30): "Cuti bersama (amended)"}, kind=HolidayKind.COLLECTIVE_LEAVE
    )
    before = clocks_of(events, at(18))
    after = clocks_of(events, at(18), admin=amended, institutions={"31.71": amended})
    assert before.clocks[2].due_at == datetime(2026, 4, 9, tzinfo=WIB)
    assert after.clocks[2].due_at == datetime(2026, 4, 10, tzinfo=WIB)
    assert after == clocks_of(events, at(18), admin=amended, institutions={"31.71": amended})


def test_deadlines_across_estimated_days_are_provisional() -> None:
    """Verification over Idul Fitri 2027 (estimated by the holidays package) is provisional."""
    clock = clocks_of(
        [submit(datetime(2027, 3, 8, 10, tzinfo=WIB))], datetime(2027, 3, 9, tzinfo=WIB)
    ).clocks[0]
    assert clock.provisional
    assert clock.due_at == datetime(2027, 3, 19, tzinfo=WIB)


def test_institution_closures_shape_only_their_clocks() -> None:
    """A regional closure at the institution moves its follow-up, not the admin's verification."""
    closed = ADMIN.with_holidays({date(2026, 3, 25): "Libur daerah"})
    events = [submit(at(16)), forward(at(17, 11), "99.01")]
    clocks = clocks_of(events, at(18), institutions={"99.01": closed})
    assert clocks.clocks[0].due_at == datetime(2026, 3, 27, tzinfo=WIB)
    assert clocks.clocks[1].due_at == datetime(2026, 4, 2, tzinfo=WIB)


def test_calendar_for_is_asked_once_per_forward() -> None:
    """Institution calendars are looked up when forwarded, and reused by follow-up and reply."""
    asked: list[str] = []

    def lookup(code: str) -> WorkingCalendar:
        asked.append(code)
        return INSTITUTIONS[code]

    events = [submit(), forward(at(17, 11), "73.71"), Step("follow_up", at(18)), Step("reply", at(25))]
    compute_clocks(events, policy=POLICY, admin_calendar=ADMIN, calendar_for=lookup, now=at(26))
    assert asked == ["73.71"]


# -- bad input -----------------------------------------------------------------------------------------


def test_naive_now_or_event_times_are_refused() -> None:
    """Without a time zone there is no local date: ValidationError ``instant.naive`` naming the value."""
    with pytest.raises(ValidationError) as caught:
        clocks_of([submit()], datetime(2026, 3, 18))  # noqa: DTZ001 - the naive value is the point
    assert caught.value.fields_by_name == {"now": ("instant.naive",)}
    with pytest.raises(ValidationError) as caught:
        clocks_of([submit(), Step("request_info", datetime(2026, 3, 17, 12))], at(18))  # noqa: DTZ001
    assert caught.value.fields_by_name == {"events[1].at": ("instant.naive",)}
    with pytest.raises(ValidationError) as caught:
        clocks_of([submit()], "2026-03-18T00:00+07:00")  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {"now": ("value.not_datetime",)}


def test_instants_no_store_could_hold_are_refused_by_the_shared_rule() -> None:
    """``now`` and event times outside the instant rule's range: a ValidationError, never an OverflowError."""
    with pytest.raises(ValidationError) as caught:
        clocks_of([submit()], datetime.max.replace(tzinfo=UTC))
    assert caught.value.fields_by_name == {"now": ("instant.out_of_range",)}
    with pytest.raises(ValidationError) as caught:
        clocks_of([submit(datetime.min.replace(tzinfo=UTC))], at(18))
    assert caught.value.fields_by_name == {"events[0].at": ("instant.out_of_range",)}


def test_a_history_beyond_the_calendar_raises_date_out_of_range() -> None:
    """A submission in 9998 on a calendar ending in 2026 is out of range, never an OverflowError."""
    with pytest.raises(DateOutOfRange):
        clocks_of([submit(datetime(9998, 12, 31, 23, tzinfo=UTC))], datetime(9998, 12, 31, 23, tzinfo=UTC))


@pytest.mark.parametrize("payload", [{}, {"institution": ""}, {"institution": 3171}])
def test_a_forward_without_an_institution_is_refused_naming_the_event(payload: dict[str, object]) -> None:
    """The history is corrupt: ValidationError points at the event."""
    with pytest.raises(ValidationError) as caught:
        clocks_of([submit(), Step("forward", at(17, 11), payload)], at(18))
    assert caught.value.fields_by_name == {
        "events[1].payload.institution": ("sla.forward_without_institution",)
    }


def test_policy_lists_every_bad_field() -> None:
    """Zero, text, bool and negative lengths are all reported at once."""
    with pytest.raises(ValidationError) as caught:
        SlaPolicy(verification=0, follow_up="5", closing=True, warn_before=-1)  # type: ignore[arg-type]
    assert set(caught.value.fields_by_name) == {"verification", "follow_up", "closing", "warn_before"}
    assert {error.code for error in caught.value.errors} == {"sla.days_out_of_range"}
    assert caught.value.errors[-1].params == {"min": 0, "max": 3650}
    assert (
        caught.value.messages("en")[0]
        == "verification: must be a whole number of working days from 1 to 3,650"
    )
    assert (
        caught.value.messages()[0]
        == "verification: harus berupa bilangan bulat hari kerja dari 1 sampai 3.650"
    )


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"by_kind": {"": {"follow_up": 5}}}, "by_kind", "sla.kind_name_empty"),
        ({"by_kind": {"aspirasi": {"follow_up": 0}}}, "by_kind.aspirasi.follow_up", "sla.days_out_of_range"),
        ({"by_kind": {"aspirasi": {"weeks": 2}}}, "by_kind.aspirasi.weeks", "field.unknown"),
        ({"by_kind": {"aspirasi": 5}}, "by_kind.aspirasi", "value.not_mapping"),
        ({"by_kind": {"aspirasi": None}}, "by_kind.aspirasi", "value.required"),
        ({"classes": {"simple": 5.0}}, "classes.simple", "sla.days_out_of_range"),
        ({"warn_before": None}, "warn_before", "sla.days_out_of_range"),
        ({"by_kind": [1]}, "by_kind", "value.not_mapping"),
        ({"classes": {"field_exam": 10_000}}, "classes.field_exam", "sla.days_out_of_range"),
        ({"classes": {3: 5}}, "classes", "sla.class_name_empty"),
        ({"classes": ["simple"]}, "classes", "value.not_mapping"),
        ({"pausing": {""}}, "pausing", "sla.actions_invalid"),
        ({"resuming": {None}}, "resuming", "sla.actions_invalid"),
        ({"resuming": 5}, "resuming", "sla.actions_invalid"),
        ({"pausing": [["hold"]]}, "pausing", "sla.actions_invalid"),
        ({"pausing": {"tunda"}, "resuming": {"tunda"}}, "resuming", "sla.resuming_overlaps_pausing"),
        ({"pausable": {"verification_stage"}}, "pausable", "value.not_choice"),
        ({"pausable": 3}, "pausable", "value.not_choice"),
        ({"pausable": [{}]}, "pausable", "value.not_choice"),
    ],
)
def test_policy_rejects_bad_overrides_naming_the_field_and_the_rule(
    kwargs: dict[str, object], field: str, code: str
) -> None:
    """Overrides, classes and action sets are validated; junk never escapes as a TypeError."""
    with pytest.raises(ValidationError) as caught:
        SlaPolicy(**kwargs)  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {field: (code,)}


_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=5),
    st.lists(
        st.one_of(st.none(), st.integers(), st.text(max_size=3), st.lists(st.integers(), max_size=2)),
        max_size=3,
    ),
    st.dictionaries(
        st.one_of(st.text(max_size=3), st.integers()), st.one_of(st.integers(), st.none()), max_size=3
    ),
)


@given(
    st.dictionaries(
        st.sampled_from(
            ["verification", "warn_before", "by_kind", "classes", "pausing", "resuming", "pausable"]
        ),
        _JUNK,
        max_size=4,
    )
)
def test_policy_gives_a_policy_or_a_validation_error_for_any_junk(kwargs: dict[str, object]) -> None:
    """Whatever the fields hold, SlaPolicy is built or raises ValidationError with codes, nothing else."""
    errors: tuple[FieldError, ...] = ()
    try:
        SlaPolicy(**kwargs)  # type: ignore[arg-type]
    except ValidationError as error:
        errors = error.errors or (FieldError("$", "no errors listed"),)
    assert all("." in e.code and e.message() != e.code for e in errors)


def test_pausable_stages_may_be_named_by_their_values() -> None:
    """Configuration files name stages as text; the policy turns them into Stage values."""
    assert SlaPolicy(pausable={"follow_up", Stage.VERIFICATION}).pausable == {
        Stage.FOLLOW_UP,
        Stage.VERIFICATION,
    }


def test_stage_days_validates_and_reads_by_stage() -> None:
    """StageDays refuses non-positive lengths and answers per stage."""
    with pytest.raises(ValidationError):
        StageDays(closing=-1)
    assert StageDays(follow_up=7).get(Stage.FOLLOW_UP) == 7
    assert StageDays(follow_up=7).get(Stage.CLOSING) is None


def test_stage_days_report_every_bad_field_at_once_built_directly_or_in_a_policy() -> None:
    """The same rule runs for ``StageDays(...)`` and for a ``by_kind`` mapping, each bad length named."""
    bad = {"verification": 0, "follow_up": 2.5, "closing": "10"}
    with pytest.raises(ValidationError) as direct:
        StageDays(**bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as nested:
        SlaPolicy(by_kind={"aspirasi": bad})
    assert direct.value.fields_by_name == dict.fromkeys(bad, ("sla.days_out_of_range",))
    assert nested.value.fields_by_name == {
        f"by_kind.aspirasi.{name}": codes for name, codes in direct.value.fields_by_name.items()
    }


def test_policy_reports_every_bad_field_at_once_and_each_entry_of_its_mappings() -> None:
    """Lengths, overrides, classes, action sets and stages: one error listing each."""
    with pytest.raises(ValidationError) as caught:
        SlaPolicy(
            verification=0,
            by_kind={"aspirasi": {"follow_up": 0}, "": {}},  # type: ignore[dict-item]
            classes={"simple": 0, "field_exam": -1},
            pausing={""},
            pausable={"later"},  # type: ignore[arg-type]
        )
    assert caught.value.fields_by_name == {
        "verification": ("sla.days_out_of_range",),
        "by_kind.aspirasi.follow_up": ("sla.days_out_of_range",),
        "by_kind": ("sla.kind_name_empty",),
        "classes.simple": ("sla.days_out_of_range",),
        "classes.field_exam": ("sla.days_out_of_range",),
        "pausing": ("sla.actions_invalid",),
        "pausable": ("value.not_choice",),
    }


def test_policy_fields_are_normalised_when_made() -> None:
    """One action name is a set of one, stage values become stages, mappings are frozen."""
    policy = SlaPolicy(pausing="tunda", resuming=["lanjut"], pausable=["follow_up"], classes={"simple": 4})  # type: ignore[arg-type]
    assert policy.pausing == {"tunda"}
    assert policy.resuming == {"lanjut"}
    assert policy.pausable == {Stage.FOLLOW_UP}
    assert dict(policy.classes) == {"simple": 4}
    with pytest.raises(TypeError):
        policy.classes["simple"] = 9  # type: ignore[index]


@given(st.one_of(st.integers(), st.floats(), st.booleans(), st.none(), st.text(max_size=3)), st.booleans())
def test_whole_number_accepts_exactly_the_ints_in_its_range(value: object, required: bool) -> None:
    """``whole_number`` keeps an int in range as it is; anything else is refused with its code and limits."""
    check = v.whole_number(0, 100, code="sla.days_out_of_range", required=required)
    accepted = (type(value) is int and 0 <= value <= 100) or (value is None and not required)
    if accepted:
        assert check(value) == value
    else:
        with pytest.raises(Invalid) as caught:
            check(value)
        assert (caught.value.code, caught.value.params) == ("sla.days_out_of_range", {"min": 0, "max": 100})


def test_policies_are_values_that_pickle() -> None:
    """Equal policies compare and hash equal and survive pickling."""
    policy = SlaPolicy(by_kind={"aspirasi": {"follow_up": 7}}, classes={"simple": 5})
    assert policy == SlaPolicy(by_kind={"aspirasi": StageDays(follow_up=7)}, classes={"simple": 5})
    assert hash(policy) == hash(SlaPolicy(by_kind={"aspirasi": {"follow_up": 7}}))
    assert pickle.loads(pickle.dumps(policy)) == policy  # noqa: S301 - our own data


# -- the history's Event satisfies SlaEvent ------------------------------------------------------------


def test_history_events_can_be_replayed_directly() -> None:
    """lapor_core._domain.history.Event (with a str enum action) works as an SlaEvent."""
    from lapor_core._domain.history import Actor, Event
    from lapor_core._domain.lifecycle import Action

    first = Event.first("7K3M9QXF2HJQ", Action.SUBMIT, Actor.reporter(), SUBMITTED, {"kind": "pengaduan"})
    second = first.followed_by(Action.FORWARD, Actor.admin("adm-1"), at(17, 11), {"institution": "73.71"})
    clocks = clocks_of([first, second], at(18))
    assert summary(clocks) == [
        ("verification", "2026-03-28T00:00:00+07:00", "met"),
        ("follow_up", "2026-04-01T00:00:00+08:00", "running"),
    ]


# -- properties ----------------------------------------------------------------------------------------

ACTIONS = st.sampled_from(
    ["submit", "forward", "request_info", "provide_info", "decline", "follow_up", "reply", "close", "assign"]
)


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Step], datetime]:
    """A random history (increasing times from 2026) and a judging instant after it."""
    moment = datetime(2026, 1, 5, 9, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 60 * 24 * 300)))
    events: list[Step] = []
    for action in draw(st.lists(ACTIONS, max_size=12)):
        moment += timedelta(minutes=draw(st.integers(0, 60 * 24 * 20)))
        payload = {"institution": draw(st.sampled_from(sorted(INSTITUTIONS))), "kind": "pengaduan"}
        events.append(Step(action, moment, payload))
    return events, moment + timedelta(minutes=draw(st.integers(0, 60 * 24 * 30)))


@settings(max_examples=150)
@given(histories())
def test_clocks_are_deterministic_and_consistent(case: tuple[list[Step], datetime]) -> None:
    """Any history replays twice to the same clocks, with at most one open clock per stage and sane times."""
    events, now = case
    clocks = clocks_of(events, now)
    assert clocks == clocks_of(events, now)
    open_stages = [c.stage for c in clocks.current]
    assert len(open_stages) == len(set(open_stages))
    for clock in clocks:
        assert isinstance(clock, StageClock)
        assert clock.started_at <= clock.warn_at <= clock.due_at
        assert clock.due_at > clock.started_at
        assert clock.paused_working_days >= 0
        if clock.ended_at is None:
            assert clock.state in {
                ClockState.RUNNING,
                ClockState.PAUSED,
                ClockState.BREACHED,
                ClockState.EXPIRED,
            }
            assert (clock.state is ClockState.RUNNING) is (
                clock.state is not ClockState.PAUSED and now < clock.due_at
            )
        else:
            assert clock.state in {
                ClockState.MET,
                ClockState.BREACHED,
                ClockState.EXPIRED,
                ClockState.CANCELLED,
            }
            assert clock.ended_at >= clock.started_at
            if clock.state in {ClockState.BREACHED, ClockState.EXPIRED}:
                assert clock.ended_at >= clock.due_at
            else:
                assert clock.ended_at < clock.due_at
    running = [c.due_at for c in clocks if c.state is ClockState.RUNNING]
    assert clocks.next_deadline == (min(running) if running else None)
