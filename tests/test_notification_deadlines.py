"""Deadlines in notifications: "paling lambat Selasa, 31 Mar 2026", the last allowed day on its own calendar.

A deadline is due at 00:00 after its last allowed working day, so a notice names the day before that instant,
read in the zone of the calendar the deadline runs on (the institution's for follow-up, the admins' for
verification), whoever reads it: the rule the example portal shows on its pages.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lapor_core as lc
from desk_support import ADMIN, WIB, make_desk, submission
from lapor_core import _i18n
from lapor_core._domain.access import Relation
from lapor_core._domain.calendar import deadline_day
from lapor_core._domain.complaint import OutboxMessage
from lapor_core._domain.notifications import Address, Notification, NotificationRenderer, Recipient
from lapor_core.errors import DateOutOfRange

WITA = ZoneInfo("Asia/Makassar")
ZONES = ("Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura")
EMAIL = Address.parse("mailto:tujuan@example.id")
ENGLISH = Address.parse("mailto:to@example.id", locale="en")


def _forwarded_and_swept(institution: str, *, at: datetime) -> lc.ComplaintDesk:
    """A complaint forwarded to ``institution`` on Tue 17 Mar 2026, then swept at ``at``."""
    desk, clock = make_desk()
    tid = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tid, institution=institution)
    clock.set(at)
    desk.sweep(at)
    return desk


def _queued(desk: lc.ComplaintDesk, template: str) -> OutboxMessage:
    return next(m for m in desk.store.pending_outbox() if f"{m.event}.{m.recipient_role}" == template)


def _render(desk: lc.ComplaintDesk, template: str, address: Address = EMAIL, **options: Any) -> Notification:
    message = _queued(desk, template)
    renderer = NotificationRenderer(directory=lc.InstitutionDirectory.default(), **options)
    complaint = desk.store.get(message.tracking_id)
    notification = renderer.render(message, complaint, desk.store.history(message.tracking_id), None, address)
    assert isinstance(notification, Notification)
    return notification


def _follow_up_due(desk: lc.ComplaintDesk) -> datetime:
    tid = desk.store.pending_outbox()[0].tracking_id
    due = next(d for d in desk.view(ADMIN, tid).deadlines if d.stage == "follow_up").due_at
    assert due is not None
    return due


def test_a_makassar_institution_is_reminded_of_its_last_day_in_wita() -> None:
    """Kota Makassar's follow-up is due 00:00 WITA on Wed 1 Apr: the reminder says Tuesday 31 March."""
    desk = _forwarded_and_swept("73.71", at=datetime(2026, 3, 31, 10, tzinfo=WITA))
    assert _follow_up_due(desk) == datetime(2026, 4, 1, tzinfo=WITA)
    reminder = _render(desk, "remind.institution")
    assert reminder.context["due_day"] == "Selasa, 31 Mar 2026"
    assert "paling lambat Selasa, 31 Mar 2026." in reminder.message.text
    assert "paling lambat Selasa, 31 Mar 2026." in reminder.message.short
    assert "paling lambat Selasa, 31 Mar 2026." in reminder.message.html
    assert "00:00" not in reminder.message.text
    english = _render(desk, "remind.institution", ENGLISH)
    assert "due by Tuesday, Mar 31, 2026." in english.message.text
    assert english.message.short.isascii()


def test_a_jakarta_institutions_breach_names_its_last_day_in_wib_for_every_reader() -> None:
    """Jakarta Pusat's follow-up ends 00:00 WIB on 1 Apr, 01:00 in Makassar: still Tuesday 31 March to all.

    Admins who read their times in WITA see when the notice was queued in WITA, and the deadline's day on
    the institution's calendar, not the WITA date of the instant (which is already Wednesday).
    """
    desk = _forwarded_and_swept("31.71", at=datetime(2026, 4, 1, 9, tzinfo=WIB))
    due = _follow_up_due(desk)
    assert due == datetime(2026, 4, 1, tzinfo=WIB)
    assert due.astimezone(WITA).date() == date(2026, 4, 1)
    for template in ("breach.admin", "breach.superior"):
        wib = _render(desk, template)
        wita = _render(desk, template, timezone="Asia/Makassar")
        assert wib.context["due_day"] == wita.context["due_day"] == "Selasa, 31 Mar 2026"
        assert "paling lambat Selasa, 31 Mar 2026" in wita.message.text
    breach = _render(desk, "breach.admin", ENGLISH, timezone="Asia/Makassar")
    assert breach.context["queued_at"].endswith(" WITA")
    assert "Deadline: by Tuesday, Mar 31, 2026\n" in breach.message.text
    assert "(due by Tuesday, Mar 31, 2026)" in breach.message.short


def test_the_verification_deadline_is_read_on_the_admins_calendar() -> None:
    """The admins' verification clock (3 working days from Tue 17 Mar past Lebaran, WIB) ends on Fri 27."""
    desk, clock = make_desk()
    tid = desk.submit(submission()).tracking_id
    clock.set(datetime(2026, 3, 27, 9, tzinfo=WIB))
    desk.sweep()
    due = next(d for d in desk.view(ADMIN, tid).deadlines if d.stage == "verification").due_at
    assert due == datetime(2026, 3, 28, tzinfo=WIB)
    reminder = _render(desk, "remind.admin")
    assert reminder.context["due_day"] == "Jumat, 27 Mar 2026"
    assert "sudah dekat: paling lambat Jumat, 27 Mar 2026." in reminder.message.text


def test_a_deadline_the_renderer_cannot_read_has_no_day() -> None:
    """A payload without an aware ISO instant gives '-' for the day, as for the instant itself."""
    desk = _forwarded_and_swept("31.71", at=datetime(2026, 4, 1, 9, tzinfo=WIB))
    message = _queued(desk, "breach.admin")
    complaint = desk.store.get(message.tracking_id)
    events = list(desk.store.history(message.tracking_id))
    trigger = next(i for i, e in enumerate(events) if e.action is lc.Action.BREACH)
    renderer = NotificationRenderer()
    for bad in ("soon", "2026-04-01T00:00:00", None):
        payload = {**events[trigger].payload, "due_at": bad}
        changed = [*events[:trigger], attrs.evolve(events[trigger], payload=payload), *events[trigger + 1 :]]
        context = renderer.context(
            message, complaint, changed, None, Recipient.of(message), Relation.ADMIN, "id"
        )
        assert context["due_day"] == "-"
    without = [e for e in events if e.action is not lc.Action.BREACH]  # its event lost: nothing to tell
    context = renderer.context(message, complaint, without, None, Recipient.of(message), Relation.ADMIN, "id")
    assert (context["due_day"], context["stage"]) == ("-", "-")


@given(
    day=st.dates(min_value=date(2016, 1, 1), max_value=date(2039, 12, 30)),
    into=st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=1)),
    zone=st.sampled_from(ZONES),
)
def test_every_instant_after_a_midnight_up_to_the_next_belongs_to_that_day(
    day: date, into: timedelta, zone: str
) -> None:
    """A deadline in ``(00:00 of d, 00:00 of d+1]`` local allows day ``d``: the next midnight included."""
    tz = ZoneInfo(zone)
    due = datetime.combine(day, time(0), tz) + into
    assert deadline_day(due, tz) == day
    assert deadline_day(due.astimezone(ZoneInfo("UTC")), tz) == day


@given(day=st.dates(min_value=date(2016, 1, 1), max_value=date(2039, 12, 30)), zone=st.sampled_from(ZONES))
def test_the_calendars_deadline_day_undoes_due_at(day: date, zone: str) -> None:
    """``deadline_day(due_at(d, 0))`` is ``d`` when ``d`` is a working day, else the next working day."""
    calendar = lc.WorkingCalendar.indonesia(zone)
    start = datetime.combine(day, time(9), ZoneInfo(zone))
    assert calendar.deadline_day(calendar.due_at(start, 0)) == calendar.add_working_days(day, 0)


def test_the_calendars_deadline_day_refuses_naive_and_out_of_range_instants() -> None:
    """A naive instant is ``instant.naive``; a day outside the calendar's years is DateOutOfRange."""
    calendar = lc.WorkingCalendar.indonesia()
    with pytest.raises(lc.ValidationError) as caught:
        calendar.deadline_day(datetime(2026, 4, 1))  # noqa: DTZ001 - the naive instant under test
    assert [(e.field, e.code) for e in caught.value.errors] == [("due_at", "instant.naive")]
    with pytest.raises(DateOutOfRange):
        calendar.deadline_day(datetime(2051, 1, 2, tzinfo=WIB))


@pytest.mark.parametrize(
    ("locale", "expected"), [("id", "Rabu, 30 Sep 2026"), ("en", "Wednesday, Sep 30, 2026")]
)
def test_a_day_is_told_with_its_weekday_in_plain_ascii(locale: str, expected: str) -> None:
    """The weekday and the medium date, as the portal writes them; ASCII, so an SMS keeps 160 characters."""
    assert _i18n.format_day(date(2026, 9, 30), locale) == expected
    assert all(_i18n.format_day(date(2026, 9, d), locale).isascii() for d in range(1, 31))
