"""How dates, numbers and service-level clocks read on the pages.

Dates in local time and numbers as a person reading the page's language writes them (Babel); service-level
clocks in working days left or overdue.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

import attrs
from babel import dates, numbers
from markupsafe import Markup

import lapor_core as lc
from lapor_core.errors import DateOutOfRange

__all__ = [
    "Countdown",
    "countdown",
    "format_date",
    "format_datetime",
    "format_day",
    "format_number",
    "format_percent",
    "last_day",
    "without_bidi_controls",
]

# Embeddings, overrides and isolates (U+202A-202E, U+2066-2069): the characters the library's text rules
# refuse ("Trojan Source"); text stored before that rule, or by another system, may still hold them. The
# direction marks (U+200E, U+200F, U+061C) stay, as the library accepts them: Arabic-script names need them,
# and unlike an override a mark never reverses letters (tests/test_bidi_display.py keeps the sets equal).
_BIDI_CONTROLS: Final = re.compile("[\u202a-\u202e\u2066-\u2069]")


def without_bidi_controls(value: object) -> object:
    """A value shown on a page, with any text's bidirectional controls removed so it reads in stored order.

    The Jinja environment's ``finalize``: every ``{{ ... }}`` passes through it. Markup (a macro's output,
    already escaped) and non-text values pass unchanged.

    >>> without_bidi_controls("Pungli di \u202eketol"), without_bidi_controls(3)
    ('Pungli di ketol', 3)
    """
    if isinstance(value, str) and not isinstance(value, Markup):
        return _BIDI_CONTROLS.sub("", value)
    return value


def format_date(instant: datetime, lang: str, zone: ZoneInfo) -> str:
    """The local date in ``lang``'s medium format: ``17 Agu 2026``, ``Aug 17, 2026``.

    >>> from zoneinfo import ZoneInfo
    >>> when = datetime.fromisoformat("2026-08-16T20:00:00+00:00")
    >>> format_date(when, "id", ZoneInfo("Asia/Jakarta")), format_date(when, "en", ZoneInfo("Asia/Jakarta"))
    ('17 Agu 2026', 'Aug 17, 2026')
    """
    return str(dates.format_date(instant.astimezone(zone).date(), format="medium", locale=lang))


def format_day(day: date, lang: str) -> str:
    """A day with its weekday, in ``lang``'s medium date format: ``Kamis, 10 Des 2026``.

    >>> from datetime import date
    >>> format_day(date(2026, 12, 10), "id"), format_day(date(2026, 12, 10), "en")
    ('Kamis, 10 Des 2026', 'Thursday, Dec 10, 2026')
    """
    pattern = dates.get_date_format("medium", locale=lang).pattern
    return str(dates.format_date(day, format=f"EEEE, {pattern}", locale=lang))


def last_day(due_at: datetime, calendar: lc.WorkingCalendar) -> date:
    """The last day a deadline allows, in its calendar's zone: a deadline is due at 00:00 after it.

    The library owns the rule (:meth:`lapor_core.WorkingCalendar.deadline_day`); its notifications name the
    same day.

    >>> from datetime import timedelta, timezone
    >>> wita = timezone(timedelta(hours=8))
    >>> makassar = lc.WorkingCalendar.indonesia().with_timezone("Asia/Makassar")
    >>> last_day(datetime(2026, 12, 11, tzinfo=wita), makassar)  # 00:00 WITA on the 11th
    datetime.date(2026, 12, 10)
    >>> wib = timezone(timedelta(hours=7))
    >>> last_day(datetime(2026, 12, 11, tzinfo=wib), makassar)  # 01:00 WITA on the 11th
    datetime.date(2026, 12, 11)

    Raises:
        lapor_core.DateOutOfRange: The instant is outside the calendar's years.
    """
    return calendar.deadline_day(due_at)


def format_datetime(instant: datetime, lang: str, zone: ZoneInfo) -> str:
    r"""The local date and time in ``lang``'s formats and the zone's abbreviation: ``17 Mar 2026 10.00 WIB``.

    >>> from zoneinfo import ZoneInfo
    >>> when = datetime.fromisoformat("2026-03-17T03:00:00+00:00")
    >>> format_datetime(when, "id", ZoneInfo("Asia/Jakarta"))
    '17 Mar 2026 10.00 WIB'
    >>> format_datetime(when, "en", ZoneInfo("Asia/Makassar")).replace("\u202f", " ")
    'Mar 17, 2026, 11:00 AM WITA'
    """
    local = instant.astimezone(zone)
    day = dates.format_date(local.date(), format="medium", locale=lang)
    time = dates.format_time(local.time(), format="short", locale=lang)
    both = str(dates.get_datetime_format("medium", locale=lang)).replace("{1}", day).replace("{0}", time)
    return f"{both} {local.tzname()}"


def format_number(value: float, lang: str, digits: int | None = None) -> str:
    """A number as a person reading ``lang`` writes it; ``digits`` fixes the decimals shown.

    >>> format_number(1500, "id"), format_number(1500, "en"), format_number(2.25, "id", 1)
    ('1.500', '1,500', '2,2')
    """
    pattern = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    return str(numbers.format_decimal(value, format=pattern, locale=lang))


def format_percent(share: float, lang: str, digits: int = 0) -> str:
    """A share (0..1) as a percentage in ``lang`` with ``digits`` decimals: ``12,3%``.

    >>> format_percent(0.1234, "id", 1), format_percent(0.1234, "en", 1), format_percent(0.5, "id")
    ('12,3%', '12.3%', '50%')
    """
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return str(numbers.format_percent(share, format=pattern, locale=lang))


@attrs.frozen
class Countdown:
    """Where a service-level clock stands, in working days.

    Attributes:
        stage: ``verification``, ``follow_up`` or ``closing``.
        due_at: When it falls due.
        state: ``left`` (still open, due after today), ``today`` (still open, today is the last day),
            ``overdue`` (still open, past due), ``paused`` (on hold), or for a finished clock its final state
            (``met``, ``breached``, ``expired``, ``cancelled``).
        working_days: Working days left after today (``left``), or working days late (``overdue``).
    """

    stage: str
    due_at: datetime
    state: str
    working_days: int = 0


def countdown(
    deadline: lc.DeadlineView, *, now: datetime, calendar: lc.WorkingCalendar, current: bool
) -> Countdown | None:
    """The countdown of one deadline on the calendar it runs on; None without a due instant.

    ``current`` says the clock is the complaint's present stage (its last clock, while the complaint is not
    closed or archived); any other clock has finished. A deadline is due at 00:00 after its last allowed
    working day; the days left are counted as the service level counts them, after today, so a complaint
    submitted today under a 3-working-day rule has 3 left.

    >>> from datetime import timedelta, timezone
    >>> wib = timezone(timedelta(hours=7))
    >>> clock = lc.DeadlineView(stage="verification", started_at=datetime(2026, 3, 17, 10, tzinfo=wib),
    ...     due_at=datetime(2026, 3, 28, tzinfo=wib), state="running", provisional=False, institution=None)
    >>> calendar = lc.WorkingCalendar.indonesia()
    >>> countdown(clock, now=datetime(2026, 3, 17, 11, tzinfo=wib), calendar=calendar, current=True)
    Countdown(stage='verification', due_at=..., state='left', working_days=3)
    >>> countdown(clock, now=datetime(2026, 3, 27, 9, tzinfo=wib), calendar=calendar, current=True)
    Countdown(stage='verification', due_at=..., state='today', working_days=0)
    >>> countdown(clock, now=datetime(2026, 3, 31, 9, tzinfo=wib), calendar=calendar, current=True)
    Countdown(stage='verification', due_at=..., state='overdue', working_days=2)
    >>> countdown(clock, now=datetime(2026, 3, 31, 9, tzinfo=wib), calendar=calendar, current=False).state
    'running'
    """
    if deadline.due_at is None:
        return None
    due = deadline.due_at
    if not current:
        return Countdown(stage=deadline.stage, due_at=due, state=deadline.state)
    if deadline.state == "paused":
        return Countdown(stage=deadline.stage, due_at=due, state="paused")
    try:
        final = last_day(due, calendar)
        today = calendar.local_date(now)
        if now >= due:
            late = max(calendar.working_days_between(final, today), 0)
            return Countdown(stage=deadline.stage, due_at=due, state="overdue", working_days=late)
        left = calendar.working_days_between(today, final)
    except DateOutOfRange:
        return Countdown(stage=deadline.stage, due_at=due, state=deadline.state)
    return Countdown(
        stage=deadline.stage, due_at=due, state="left" if left > 0 else "today", working_days=left
    )
