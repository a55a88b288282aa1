"""Working-day calendars: Indonesian public holidays, cuti bersama, work weeks and time zones.

A :class:`WorkingCalendar` knows which days are working days over a fixed range of years and answers the
questions service levels ask ("the 3rd working day after", "working days between", "when does it end here")
with a few list look-ups: when it is built it numbers every day once (a dense cumulative index), so no
operation walks day by day.

>>> from datetime import date, datetime
>>> from zoneinfo import ZoneInfo
>>> cal = WorkingCalendar.indonesia()
>>> cal.add_working_days(date(2026, 3, 17), 3)  # Nyepi, Idul Fitri and cuti bersama in between
datetime.date(2026, 3, 27)
>>> cal.working_days_between(date(2026, 3, 17), date(2026, 4, 8))
10
>>> cal.due_at(datetime(2026, 3, 17, 10, tzinfo=ZoneInfo("Asia/Jakarta")), 3).isoformat()
'2026-03-28T00:00:00+07:00'
>>> cal.holiday_name(date(2026, 3, 18)), cal.holiday_name(date(2026, 3, 18), lang="en")
('Cuti Bersama Hari Suci Nyepi', 'Day of Silence Joint Holiday')
"""

from __future__ import annotations

import enum
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta, timezone
from itertools import accumulate, compress, islice
from typing import Any, Final, Literal, cast
from zoneinfo import ZoneInfo

import attrs

from lapor_core._domain import precomputed
from lapor_core._domain.rules import Invalid, type_name
from lapor_core.errors import DateOutOfRange, FieldError, ValidationError

__all__ = [
    "DEFAULT_FIRST_YEAR",
    "DEFAULT_LAST_YEAR",
    "Holiday",
    "HolidayKind",
    "WorkingCalendar",
    "deadline_day",
    "format_workweek",
    "parse_workweek",
    "timezone_rule",
    "workweek_rule",
]

DEFAULT_FIRST_YEAR: Final = 2015
"""First year a calendar covers unless told otherwise (fixed, so results never depend on today's date)."""

DEFAULT_LAST_YEAR: Final = 2040
"""Last year a calendar covers unless told otherwise."""

MIN_YEAR: Final = 1
MAX_YEAR: Final = 9998
"""A calendar's range must lie in ``MIN_YEAR .. MAX_YEAR``: the day after its last date must exist."""

# SKB 3 Menteri on cuti bersama (collective leave) exist since 2002: years before cannot lack a decree.
COLLECTIVE_LEAVE_SINCE: Final = 2002

Lang = Literal["id", "en"]

_MIDNIGHT: Final = time(0)
_fromordinal: Final = date.fromordinal
_combine: Final = datetime.combine
_ONE_DAY: Final = timedelta(days=1)
_JUST_BEFORE: Final = timedelta(microseconds=1)
_ADDED_NAME: Final = {"id": "Hari libur tambahan", "en": "Additional holiday"}
_PACKAGE_LANGUAGE: Final = {"id": "id", "en": "en_US"}
_WEEKDAY_ABBR: Final = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "id": ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"),
}
_DAY_WORDS: Final = {
    **{name.lower(): i for names in _WEEKDAY_ABBR.values() for i, name in enumerate(names)},
    **{
        word: i
        for words in (
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
            ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu"),
        )
        for i, word in enumerate(words)
    },
}
# Offsets that never return None; anything else is asked through utcoffset() (PEP 495 naive-ness).
_ALWAYS_AWARE: Final = frozenset({ZoneInfo, timezone})


class HolidayKind(enum.StrEnum):
    """Why a day is a holiday."""

    PUBLIC = "public"
    """A national public holiday (*libur nasional*), from the holidays package's ``public`` category."""
    COLLECTIVE_LEAVE = "collective_leave"
    """Collective leave (*cuti bersama*) set by the SKB 3 Menteri, the package's ``government`` category."""
    ADDITIONAL = "additional"
    """Added by the deployment: an ad hoc national holiday, a regional closure, an amended decree."""

    def label(self, lang: Lang = "id") -> str:
        """The kind as people say it, in Indonesian or English.

        >>> HolidayKind.COLLECTIVE_LEAVE.label(), HolidayKind.COLLECTIVE_LEAVE.label("en")
        ('cuti bersama', 'collective leave')
        """
        return _KIND_LABELS[lang][self]


_KIND_LABELS: Final = {
    "id": {
        HolidayKind.PUBLIC: "libur nasional",
        HolidayKind.COLLECTIVE_LEAVE: "cuti bersama",
        HolidayKind.ADDITIONAL: "libur tambahan",
    },
    "en": {
        HolidayKind.PUBLIC: "public holiday",
        HolidayKind.COLLECTIVE_LEAVE: "collective leave",
        HolidayKind.ADDITIONAL: "additional holiday",
    },
}


@attrs.frozen
class Holiday:
    """One holiday of a calendar.

    Attributes:
        date: The day.
        name: Its name in the language asked for (names added by a deployment are returned as given).
        kind: Public holiday, collective leave or additional.
        estimated: True when the source marks the date as an estimate (future Islamic, Chinese or Buddhist
            dates in the holidays package).
    """

    date: date
    name: str
    kind: HolidayKind
    estimated: bool


_MAX_WORKWEEK_TEXT: Final = 100
_MAX_WORKWEEK_ITEMS: Final = 64
_MAX_ZONE_NAME: Final = 64
_ZONE_NAME: Final = re.compile(r"[A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+)*")


def workweek_rule(value: object) -> frozenset[int]:
    """The rule for a work week, as a field rule: the set of working weekdays (Monday 0, Sunday 6).

    ``value`` is either text, comma-separated days or inclusive day ranges (``"Mon-Fri"``, ``"Mon-Sat"``,
    ``"Sun-Thu"`` wraps around the week, ``"Mon,Wed,Fri"``, ``"Sen-Jum"``; English or Indonesian
    abbreviations or full names, any case, spaces allowed), or an iterable of weekday numbers. This is the
    one work-week rule of lapor_core: institution records and every other input use it.

    Raises:
        Invalid: ``calendar.workweek_unknown_day``, ``calendar.workweek_bad_range``,
            ``calendar.workweek_bad_number``, ``calendar.workweek_not_days``, ``calendar.workweek_empty``
            or ``text.too_long`` (more than 100 characters).

    >>> sorted(workweek_rule("Mon-Thu, Sat")), sorted(workweek_rule("Sen-Jum"))
    ([0, 1, 2, 3, 5], [0, 1, 2, 3, 4])
    >>> workweek_rule("Mon-Funday")
    Traceback (most recent call last):
    lapor_core._domain.rules.Invalid: calendar.workweek_unknown_day
    """
    days: set[int] = set()
    if isinstance(value, str):
        if len(value) > _MAX_WORKWEEK_TEXT:
            raise Invalid("text.too_long", max=_MAX_WORKWEEK_TEXT, actual=len(value))
        for part in value.split(","):
            ends = [_day_number(word) for word in part.split("-")]
            if len(ends) == 1:
                days.add(ends[0])
            elif len(ends) == 2:  # noqa: PLR2004 - a range has two ends
                start, stop = ends
                days.update((start + k) % 7 for k in range((stop - start) % 7 + 1))
            else:
                raise Invalid("calendar.workweek_bad_range")
    elif isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        items = list(islice(value, _MAX_WORKWEEK_ITEMS + 1))
        if len(items) > _MAX_WORKWEEK_ITEMS:
            raise Invalid("calendar.workweek_not_days")
        for item in items:
            if type(item) is not int or not 0 <= item <= 6:  # noqa: PLR2004 - Sunday is 6
                raise Invalid("calendar.workweek_bad_number")
            days.add(item)
    else:
        raise Invalid("calendar.workweek_not_days", type=type_name(value))
    if not days:
        raise Invalid("calendar.workweek_empty")
    return frozenset(days)


def parse_workweek(spec: str | Iterable[int], *, field: str = "workweek") -> frozenset[int]:
    """Turn a work-week spec into the set of working weekdays (Monday is 0, as in :meth:`date.weekday`).

    The spec is what :func:`workweek_rule` reads: text (``"Mon-Fri"``, ``"Sun-Thu"``, ``"Sen-Jum"``) or
    weekday numbers.

    Raises:
        ValidationError: On an unknown day, a number outside 0..6 or an empty week (field ``field``).

    >>> sorted(parse_workweek("Mon-Fri")), sorted(parse_workweek("sun-thu")), sorted(parse_workweek([5, 0]))
    ([0, 1, 2, 3, 4], [0, 1, 2, 3, 6], [0, 5])
    """
    try:
        return workweek_rule(spec)
    except Invalid as invalid:
        raise ValidationError([invalid.at(field)]) from None


def deadline_day(due_at: datetime, zone: ZoneInfo) -> date:
    """The last day a deadline allows, in ``zone``: the day that ends at ``due_at``.

    A deadline falls at 00:00 after its last allowed day (:meth:`WorkingCalendar.due_at`), so the day is
    the date of the instant just before it, read in the zone of the calendar the deadline runs on.

    >>> wita = ZoneInfo("Asia/Makassar")
    >>> deadline_day(datetime(2026, 12, 11, tzinfo=wita), wita)  # 00:00 WITA: the end of the 10th
    datetime.date(2026, 12, 10)
    >>> deadline_day(datetime(2026, 12, 11, tzinfo=ZoneInfo("Asia/Jakarta")), wita)  # 01:00 WITA
    datetime.date(2026, 12, 11)

    Raises:
        ValidationError: ``due_at`` is naive (code ``instant.naive``, field ``due_at``).
    """
    if due_at.tzinfo is None or due_at.utcoffset() is None:
        raise ValidationError.single("due_at", "instant.naive")
    return (due_at - _JUST_BEFORE).astimezone(zone).date()


def timezone_rule(value: object) -> str:
    """The rule for a time zone, as a field rule: an IANA time zone name that exists, returned as given.

    This is the one time-zone rule of lapor_core: calendars, institution records and regions use it.

    Raises:
        Invalid: ``calendar.timezone_not_name`` (not text shaped like ``Area/Location``, or longer than
            64 characters) or ``calendar.timezone_unknown`` (no such zone in the time-zone database).

    >>> timezone_rule("Asia/Makassar")
    'Asia/Makassar'
    >>> timezone_rule("Asia/Bandung")
    Traceback (most recent call last):
    lapor_core._domain.rules.Invalid: calendar.timezone_unknown
    """
    _zone_of(value)
    return cast("str", value)


def _zone_of(value: object) -> ZoneInfo:
    if not isinstance(value, str) or len(value) > _MAX_ZONE_NAME or not _ZONE_NAME.fullmatch(value):
        raise Invalid("calendar.timezone_not_name")
    try:
        return ZoneInfo(value)
    except (ValueError, LookupError, OSError):  # not found is a KeyError; a folder (``Asia``) an OSError
        raise Invalid("calendar.timezone_unknown") from None


def format_workweek(days: Iterable[int]) -> str:
    """Write a set of weekdays as compact text, the inverse of :func:`parse_workweek`.

    >>> format_workweek({0, 1, 2, 3, 4}), format_workweek({6, 0, 1, 2, 3}), format_workweek({0, 2, 4})
    ('Mon-Fri', 'Sun-Thu', 'Mon,Wed,Fri')
    """
    present = sorted(set(days))
    if len(present) == 7:  # noqa: PLR2004 - the whole week
        return "Mon-Sun"
    # Start each run after a gap so a run wrapping over Sunday->Monday stays in one piece.
    start = next(d for d in range(7) if d in present and (d - 1) % 7 not in present)
    parts: list[str] = []
    run: list[int] = []
    for k in range(7):
        d = (start + k) % 7
        if d in present:
            run.append(d)
            continue
        if run:
            parts.append(_run_text(run))
            run = []
    return ",".join(parts)  # the cycle ends on a missing day, so the last run was flushed


def _run_text(run: list[int]) -> str:
    names = _WEEKDAY_ABBR["en"]
    return names[run[0]] if len(run) == 1 else f"{names[run[0]]}-{names[run[-1]]}"


def _day_number(word: str) -> int:
    number = _DAY_WORDS.get(word.strip().lower())
    if number is None:
        raise Invalid("calendar.workweek_unknown_day")
    return number


def _zone(key: object, field: str = "tz") -> ZoneInfo:
    try:
        return _zone_of(key)
    except Invalid as invalid:
        raise ValidationError([invalid.at(field)]) from None


def _dates(values: Iterable[date], field: str) -> list[date]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):  # type: ignore[unreachable]
        raise ValidationError.single(field, "calendar.dates_not_iterable", type=type_name(values))
    items = list(values)
    bad = [i for i, d in enumerate(items) if not isinstance(d, date) or isinstance(d, datetime)]
    if bad:
        raise ValidationError([FieldError(f"{field}[{i}]", "calendar.not_a_date") for i in bad])
    return items


def _named_dates(values: Iterable[date] | Mapping[date, str], field: str) -> dict[date, str | None]:
    if isinstance(values, Mapping):
        days = _dates(values.keys(), field)
        errors = [
            FieldError(f"{field}[{d.isoformat()}]", "calendar.holiday_name_empty")
            for d in days
            if not isinstance(values[d], str) or not values[d].strip()
        ]
        if errors:
            raise ValidationError(errors)
        return {d: values[d].strip() for d in days}
    return dict.fromkeys(_dates(values, field))


def _year(value: object, field: str, errors: list[FieldError]) -> int | None:
    if type(value) is not int or not MIN_YEAR <= value <= MAX_YEAR:
        errors.append(
            FieldError(field, "calendar.year_out_of_range", {"min": str(MIN_YEAR), "max": str(MAX_YEAR)})
        )
        return None
    return value


def _checked(
    first_year: object, last_year: object, checks: Mapping[str, Callable[[], object]]
) -> tuple[int, int, dict[str, Any]]:
    """Run every check, collecting all their field errors into one :class:`ValidationError`."""
    errors: list[FieldError] = []
    first = _year(first_year, "first_year", errors)
    last = _year(last_year, "last_year", errors)
    if first is not None and last is not None and first > last:
        errors.append(FieldError("last_year", "calendar.ends_before_start", {"start": "first_year"}))
    parsed: dict[str, Any] = {}
    for field, check in checks.items():
        try:
            parsed[field] = check()
        except ValidationError as e:
            errors.extend(e.errors)
    if errors or first is None or last is None:
        raise ValidationError(errors)
    return first, last, parsed


def _package_holidays(
    country: str, years: range, category: str, language: str
) -> tuple[dict[date, str], str]:
    """Holidays of one category from the holidays package, and the marker it puts on estimated names.

    Indonesia's in Indonesian come from the table shipped with lapor_core when it covers ``years`` and the
    installed package is the one it was made from (:mod:`lapor_core._domain.precomputed`): the same data
    without the 150 ms the package takes to compute it.
    """
    if country == "ID" and language == "id" and category in ("public", "government"):
        table = precomputed.holiday_table(years)
        if table is not None:
            names = table["public"] if category == "public" else table["government"]
            return {d: name for d, name in names.items() if d.year in years}, table["estimated_marker"]
    return _live_holidays(country, years, category, language)


def _live_holidays(country: str, years: range, category: str, language: str) -> tuple[dict[date, str], str]:
    """Holidays of one category computed by the holidays package, and the marker of estimated names."""
    import holidays  # noqa: PLC0415 - loading its country data costs time; only calendar builders pay it

    found = holidays.country_holidays(country, years=years, categories=(category,), language=language)
    # The package appends its translated ``estimated_label`` ("%s (perkiraan)") to estimated dates; its own
    # observed-holiday code recognises them by that text, and so do we.
    label = str(found.tr(getattr(found, "estimated_label", "") or ""))
    token = label.replace("%s", "").strip(" ()\uff08\uff09")
    return dict(found), f"({token})" if token else ""


def _copy_names(names: Mapping[date, str]) -> dict[date, str]:
    return dict(names)


def _copy_kinds(kinds: Mapping[date, HolidayKind]) -> dict[date, HolidayKind]:
    return dict(kinds)


@attrs.frozen
class _Holidays:
    """The holiday data of a calendar while it is being changed (the constructor's ``names`` ... fields)."""

    names: Mapping[date, str]
    kinds: Mapping[date, HolidayKind]
    added: frozenset[date]
    working_days: frozenset[date]
    estimated: frozenset[date]

    def add(self, days: Mapping[date, str | None], kind: HolidayKind, *, estimated: bool) -> _Holidays:
        if not days:
            return self
        names = dict(self.names)
        kinds = dict(self.kinds)
        for d, name in days.items():
            names[d] = name or names.get(d) or _ADDED_NAME["id"]
            if kind is HolidayKind.PUBLIC:
                kinds.pop(d, None)
            else:
                kinds[d] = kind
        named = {d for d, name in days.items() if name is not None}
        return _Holidays(
            names,
            kinds,
            self.added.union(named),
            self.working_days.difference(days),
            self.estimated.union(days) if estimated else self.estimated.difference(days),
        )

    def remove(self, days: Iterable[date]) -> _Holidays:
        gone = set(days)
        return _Holidays(
            {d: n for d, n in self.names.items() if d not in gone},
            {d: k for d, k in self.kinds.items() if d not in gone},
            self.added - gone,
            self.working_days,
            self.estimated - gone,
        )

    def make_working(self, days: Iterable[date]) -> _Holidays:
        working = set(days)
        if not working:
            return self
        without = self.remove(working)
        return attrs.evolve(without, working_days=self.working_days | working)

    def fields(self) -> dict[str, Any]:
        return {
            "names": self.names,
            "kinds": self.kinds,
            "added": self.added,
            "working_days": self.working_days,
            "estimated": self.estimated,
        }


@attrs.frozen(eq=False)
class _Index:
    """The day index of a calendar and what it was built from (so a derived calendar can check reuse).

    Attributes:
        source: (first, last, workweek, holiday dates, make-up days) it was built from.
        origin: Ordinal of the first day.
        flags: One byte per day, 1 for a working day.
        cum: ``cum[i]``: working days among the first ``i`` days (so ``len(flags) + 1`` entries).
        ranks: Ordinals of the working days, in order.
    """

    source: tuple[date, date, frozenset[int], frozenset[date], frozenset[date]]
    origin: int
    flags: bytes
    cum: list[int]
    ranks: list[int]

    @classmethod
    def build(cls, calendar: WorkingCalendar) -> _Index:
        first, last = calendar.first, calendar.last
        origin = first.toordinal()
        size = last.toordinal() - origin + 1
        flags = bytearray(b"\x01") * size
        weekday = first.weekday()
        for off in ((day - weekday) % 7 for day in range(7) if day not in calendar.workweek):
            flags[off::7] = bytes(len(range(off, size, 7)))
        holidays, working = frozenset(calendar._names), calendar._working_days
        for d in holidays:
            flags[d.toordinal() - origin] = 0
        for d in working:
            flags[d.toordinal() - origin] = 1
        cum = list(accumulate(flags, initial=0))
        if cum[-1] == 0:
            raise ValidationError.single("workweek", "calendar.workweek_no_working_day")
        ranks = list(compress(range(origin, origin + size), flags))
        return cls((first, last, calendar.workweek, holidays, working), origin, bytes(flags), cum, ranks)

    def fits(self, calendar: WorkingCalendar) -> bool:
        first, last, workweek, holidays, working = self.source
        return (
            (first, last, workweek) == (calendar.first, calendar.last, calendar.workweek)
            and working == calendar._working_days
            and holidays == calendar._names.keys()
        )


@attrs.frozen(repr=False)
class WorkingCalendar:
    """Which days are working days, over a fixed range of dates, in one time zone.

    Immutable, so one calendar can be shared by every thread and request.

    A day is a working day when it is listed in ``working_days`` (a make-up day), or when its weekday is
    in the work week and it is not a holiday. Build calendars with :meth:`indonesia` or :meth:`custom`
    and derive variants with the ``with_*`` methods; the constructor takes already-normalised values.

    Exact semantics (``d`` a date, ``n`` an int; the start day itself is never counted):

    - :meth:`add_working_days`: for ``n >= 1`` the ``n``-th working day strictly after ``d``; for
      ``n <= -1`` the ``|n|``-th working day strictly before ``d``; for ``n == 0``, ``d`` itself when it is a
      working day, else the next working day.
    - :meth:`working_days_between`: the number of working days in ``(a, b]``, negative when ``b < a``; so
      ``working_days_between(d, add_working_days(d, n)) == n`` for every ``n >= 1``.
    - :meth:`due_at`: the instant the ``n``-th working day after an aware datetime's local date ends
      (00:00 local time of the following day).

    Every date argument and result must lie in ``first .. last``; otherwise :class:`DateOutOfRange`.

    Attributes:
        first: First day covered (1 January of the first year).
        last: Last day covered (31 December of the last year).
        workweek: Working weekdays, Monday = 0.
        tz: IANA time zone of the calendar's offices (``Asia/Jakarta`` is WIB, Keppres 41/1987).
        name: A label for people and logs.
        decreed_through: The last year whose holiday decree is final; every day of a later year is
            :meth:`estimated <is_estimated>`. ``None`` means no year is provisional.
    """

    first: date
    last: date
    workweek: frozenset[int] = attrs.field(converter=parse_workweek)
    tz: str = "Asia/Jakarta"
    name: str = "custom"
    # Private copies, never handed out, so the calendar stays immutable (and picklable, unlike mappingproxy).
    _names: dict[date, str] = attrs.field(factory=dict, converter=_copy_names, hash=False, alias="names")
    _kinds: dict[date, HolidayKind] = attrs.field(
        factory=dict, converter=_copy_kinds, hash=False, alias="kinds"
    )
    _added: frozenset[date] = attrs.field(default=frozenset(), converter=frozenset, alias="added")
    _working_days: frozenset[date] = attrs.field(
        default=frozenset(), converter=frozenset, alias="working_days"
    )
    _estimated: frozenset[date] = attrs.field(default=frozenset(), converter=frozenset, alias="estimated")
    decreed_through: int | None = None
    _country: str | None = attrs.field(default=None, alias="country")

    # Calendars that differ only in zone, name or estimates (``with_timezone``...) share one day index.
    _index: _Index | None = attrs.field(default=None, eq=False, hash=False, repr=False, alias="index")

    _zone: ZoneInfo = attrs.field(init=False, eq=False, hash=False)
    _origin: int = attrs.field(init=False, eq=False, hash=False)
    _size: int = attrs.field(init=False, eq=False, hash=False)
    _flags: bytes = attrs.field(init=False, eq=False, hash=False)
    _cum: list[int] = attrs.field(init=False, eq=False, hash=False)
    _ranks: list[int] = attrs.field(init=False, eq=False, hash=False)
    _count: int = attrs.field(init=False, eq=False, hash=False)
    _estimated_ordinals: tuple[int, ...] = attrs.field(init=False, eq=False, hash=False)
    _provisional_from: int = attrs.field(init=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        zone = self._validated_zone()
        first, last = self.first, self.last
        for group in (self._names.keys(), self._working_days, self._estimated):
            if group:
                low, high = min(group), max(group)
                if low < first or high > last:
                    raise DateOutOfRange(value=low if low < first else high, first=first, last=last)
        index = self._index
        if index is None or not index.fits(self):
            index = _Index.build(self)
        through = self.decreed_through
        origin, size = index.origin, len(index.flags)
        provisional_from = origin + size
        if through is not None and through < last.year:
            provisional_from = (
                max(origin, date(through + 1, 1, 1).toordinal()) if through >= first.year else origin
            )
        setter = object.__setattr__
        setter(self, "_index", index)
        setter(self, "_zone", zone)
        setter(self, "_origin", origin)
        setter(self, "_size", size)
        setter(self, "_flags", index.flags)
        setter(self, "_cum", index.cum)
        setter(self, "_ranks", index.ranks)
        setter(self, "_count", index.cum[-1])
        setter(self, "_estimated_ordinals", tuple(sorted(d.toordinal() for d in self._estimated)))
        setter(self, "_provisional_from", provisional_from)

    def _validated_zone(self) -> ZoneInfo:
        errors: list[FieldError] = []
        for field, value in (("first", self.first), ("last", self.last)):
            if not isinstance(value, date) or isinstance(value, datetime):
                errors.append(FieldError(field, "calendar.not_a_date"))
            elif not MIN_YEAR <= value.year <= MAX_YEAR:
                errors.append(
                    FieldError(
                        field, "calendar.year_out_of_range", {"min": str(MIN_YEAR), "max": str(MAX_YEAR)}
                    )
                )
        if not errors and self.first > self.last:
            errors.append(FieldError("last", "calendar.ends_before_start", {"start": "first"}))
        if self.decreed_through is not None and type(self.decreed_through) is not int:
            errors.append(FieldError("decreed_through", "calendar.not_a_year"))
        try:
            zone = _zone(self.tz)
        except ValidationError as e:
            errors.extend(e.errors)
        if errors:
            raise ValidationError(errors)
        return zone

    # -- building ---------------------------------------------------------------------------------------

    @classmethod
    def indonesia(
        cls,
        tz: str = "Asia/Jakarta",
        *,
        collective_leave: bool = True,
        workweek: str | Iterable[int] = "Mon-Fri",
        extra_holidays: Iterable[date] | Mapping[date, str] = (),
        extra_working_days: Iterable[date] = (),
        first_year: int = DEFAULT_FIRST_YEAR,
        last_year: int = DEFAULT_LAST_YEAR,
        decreed_through: int | None = None,
        name: str = "Indonesia",
    ) -> WorkingCalendar:
        """The Indonesian government calendar: public holidays and, by default, cuti bersama.

        Holidays come from the ``holidays`` package (category ``public``: *libur nasional*, including
        election days; category ``government``: *cuti bersama*), both set each year by the SKB 3 Menteri.

        Args:
            tz: IANA time zone of the offices: ``Asia/Jakarta`` (WIB), ``Asia/Makassar`` (WITA) or
                ``Asia/Jayapura`` (WIT) per Keppres 41/1987, or any other.
            collective_leave: Whether cuti bersama are days off (they are for civil servants).
            workweek: Working weekdays; Perpres 21/2023 sets Monday-Friday, units serving the public
                directly may keep another pattern (``"Mon-Sat"``).
            extra_holidays: Ad hoc closures (election days not yet in the package, regional holidays), as
                dates or as ``{date: name}``.
            extra_working_days: Make-up working days, even on a weekend or holiday.
            first_year: First year covered (default :data:`DEFAULT_FIRST_YEAR`).
            last_year: Last year covered (default :data:`DEFAULT_LAST_YEAR`).
            decreed_through: The last year whose decree is final. Default: the latest year in range for
                which the package lists cuti bersama (years before 2002, when cuti bersama began, are final).
                Every day of a later year :meth:`is estimated <is_estimated>`.
            name: A label for the calendar.

        Raises:
            ValidationError: Listing every bad argument.
            DateOutOfRange: An extra date outside the years covered.

        >>> cal = WorkingCalendar.indonesia(first_year=2026, last_year=2026)
        >>> cal.count_working_days(date(2026, 1, 1), date(2026, 12, 31))
        240
        """
        if not isinstance(collective_leave, bool):
            raise ValidationError.single(
                "collective_leave", "value.not_boolean", type=type_name(collective_leave)
            )
        first, last, parsed = _checked(
            first_year,
            last_year,
            {
                "tz": lambda: _zone(tz),
                "workweek": lambda: parse_workweek(workweek),
                "extra_holidays": lambda: _named_dates(extra_holidays, "extra_holidays"),
                "extra_working_days": lambda: _dates(extra_working_days, "extra_working_days"),
            },
        )
        years = range(first, last + 1)
        public, marker = _package_holidays("ID", years, "public", "id")
        leave, _ = _package_holidays("ID", years, "government", "id")
        names, kinds = public, {}
        if collective_leave:  # a public holiday keeps its name and kind when cuti bersama falls on it too
            names = {**leave, **public}
            kinds = dict.fromkeys(leave.keys() - public.keys(), HolidayKind.COLLECTIVE_LEAVE)
        estimated = [d for d, text in names.items() if marker and marker in text]
        if decreed_through is None:
            decreed = {d.year for d in leave}
            decreed_through = (
                max(decreed) if decreed else (last if last < COLLECTIVE_LEAVE_SINCE else first - 1)
            )
        holidays = _Holidays(names, kinds, frozenset(), frozenset(), frozenset(estimated))
        holidays = holidays.add(parsed["extra_holidays"], HolidayKind.ADDITIONAL, estimated=False)
        holidays = holidays.make_working(parsed["extra_working_days"])
        return cls(
            first=date(first, 1, 1),
            last=date(last, 12, 31),
            workweek=parsed["workweek"],
            tz=tz,
            name=name,
            decreed_through=decreed_through,
            country="ID",
            **holidays.fields(),
        )

    @classmethod
    def custom(
        cls,
        *,
        workweek: str | Iterable[int] = "Mon-Fri",
        holidays: Iterable[date] | Mapping[date, str] = (),
        working_days: Iterable[date] = (),
        estimated: Iterable[date] = (),
        first_year: int = DEFAULT_FIRST_YEAR,
        last_year: int = DEFAULT_LAST_YEAR,
        tz: str = "Asia/Jakarta",
        name: str = "custom",
        decreed_through: int | None = None,
    ) -> WorkingCalendar:
        """A calendar from your own data: a work week, holidays (kind ``additional``) and make-up days.

        Args:
            workweek: Working weekdays, see :func:`parse_workweek`.
            holidays: Days off, as dates or ``{date: name}``.
            working_days: Make-up working days.
            estimated: Days whose status is not final yet.
            first_year: First year covered.
            last_year: Last year covered.
            tz: IANA time zone.
            name: A label.
            decreed_through: Last final year, see the class attributes; ``None``: all final.

        Raises:
            ValidationError: Listing every bad argument.
            DateOutOfRange: A date outside the years covered.

        >>> cal = WorkingCalendar.custom(workweek="Sun-Thu", first_year=2026, last_year=2026)
        >>> cal.add_working_days(date(2026, 3, 19), 1)  # a Thursday; Friday and Saturday are off
        datetime.date(2026, 3, 22)
        """
        first, last, parsed = _checked(
            first_year,
            last_year,
            {
                "tz": lambda: _zone(tz),
                "workweek": lambda: parse_workweek(workweek),
                "holidays": lambda: _named_dates(holidays, "holidays"),
                "working_days": lambda: _dates(working_days, "working_days"),
                "estimated": lambda: _dates(estimated, "estimated"),
            },
        )
        data = _Holidays({}, {}, frozenset(), frozenset(), frozenset(parsed["estimated"]))
        data = data.add(parsed["holidays"], HolidayKind.ADDITIONAL, estimated=False)
        data = data.make_working(parsed["working_days"])
        return cls(
            first=date(first, 1, 1),
            last=date(last, 12, 31),
            workweek=parsed["workweek"],
            tz=tz,
            name=name,
            decreed_through=decreed_through,
            **data.fields(),
        )

    # -- deriving ---------------------------------------------------------------------------------------

    def with_holidays(
        self,
        days: Iterable[date] | Mapping[date, str],
        *,
        kind: HolidayKind = HolidayKind.ADDITIONAL,
        estimated: bool = False,
    ) -> WorkingCalendar:
        """A copy where ``days`` are holidays (named, when given as ``{date: name}``).

        The days stop being make-up working days; a name given here replaces the package's. Use it for ad
        hoc closures and decree amendments (18 August 2025 was added in August 2025).

        Args:
            days: Dates, or ``{date: name}``.
            kind: Recorded kind, :attr:`HolidayKind.ADDITIONAL` by default.
            estimated: Whether these dates are still estimates (default: they are settled).

        Raises:
            ValidationError: A value that is not a date, or an empty name.
            DateOutOfRange: A date outside the calendar.

        >>> cal = WorkingCalendar.indonesia(first_year=2026, last_year=2026)
        >>> amended = cal.with_holidays({date(2026, 3, 30): "Cuti bersama (amended)"})
        >>> cal.add_working_days(date(2026, 3, 17), 5), amended.add_working_days(date(2026, 3, 17), 5)
        (datetime.date(2026, 3, 31), datetime.date(2026, 4, 1))
        """
        added = _named_dates(days, "days")
        if kind not in set(HolidayKind):
            raise ValidationError.single("kind", "value.not_choice", choices=tuple(HolidayKind))
        holidays = self._holidays().add(added, HolidayKind(kind), estimated=estimated)
        return attrs.evolve(self, **holidays.fields())

    def without_holidays(self, days: Iterable[date]) -> WorkingCalendar:
        """A copy where ``days`` are no longer holidays: each follows the work week again.

        Dates that are not holidays are ignored.

        Raises:
            ValidationError: A value that is not a date.
            DateOutOfRange: A date outside the calendar.
        """
        removed = _dates(days, "days")
        outside = [d for d in removed if not self.first <= d <= self.last]
        if outside:
            raise DateOutOfRange(value=outside[0], first=self.first, last=self.last)
        return attrs.evolve(self, **self._holidays().remove(removed).fields())

    def with_working_days(self, days: Iterable[date]) -> WorkingCalendar:
        """A copy where ``days`` are working days whatever they were (make-up days, weekend duty).

        A holiday on such a day is dropped and the day is no longer estimated.

        Raises:
            ValidationError: A value that is not a date.
            DateOutOfRange: A date outside the calendar.
        """
        added = _dates(days, "days")
        return attrs.evolve(self, **self._holidays().make_working(added).fields())

    def _holidays(self) -> _Holidays:
        return _Holidays(self._names, self._kinds, self._added, self._working_days, self._estimated)

    def with_workweek(self, workweek: str | Iterable[int]) -> WorkingCalendar:
        """A copy with another work week (see :func:`parse_workweek`); holidays and make-up days stay."""
        return attrs.evolve(self, workweek=parse_workweek(workweek))

    def with_timezone(self, tz: str) -> WorkingCalendar:
        """A copy whose instants (:meth:`due_at`, :meth:`local_date`) are in the IANA time zone ``tz``.

        >>> WorkingCalendar.indonesia("Asia/Jakarta", first_year=2026, last_year=2026).with_timezone(
        ...     "Asia/Jayapura").tz
        'Asia/Jayapura'
        """
        _zone(tz)
        return attrs.evolve(self, tz=tz)

    def with_name(self, name: str) -> WorkingCalendar:
        """A copy with another label."""
        return attrs.evolve(self, name=name)

    def with_decreed_through(self, year: int | None) -> WorkingCalendar:
        """A copy whose days up to the end of ``year`` are final (after applying that year's decree)."""
        if year is not None and type(year) is not int:
            raise ValidationError.single("year", "calendar.not_a_year")
        return attrs.evolve(self, decreed_through=year)

    # -- arithmetic (the hot path: keep it to look-ups) --------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day.

        >>> cal = WorkingCalendar.indonesia()
        >>> cal.is_working_day(date(2026, 3, 17)), cal.is_working_day(date(2026, 3, 18))
        (True, False)
        """
        try:
            i = day.toordinal() - self._origin
        except AttributeError:
            raise _not_a_date("day", day) from None
        if 0 <= i < self._size:
            return self._flags[i] == 1
        raise DateOutOfRange(value=day, first=self.first, last=self.last)

    def add_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (before it when ``n`` is negative); see the class doc.

        Raises:
            DateOutOfRange: ``day`` or the result falls outside the calendar.
            TypeError: ``day`` is not a date or ``n`` not an int.

        >>> cal = WorkingCalendar.indonesia()
        >>> [cal.add_working_days(date(2026, 3, 17), n).isoformat() for n in (3, 5, 10, 0, -1)]
        ['2026-03-27', '2026-03-31', '2026-04-08', '2026-03-17', '2026-03-16']
        >>> cal.add_working_days(date(2026, 3, 21), 0)  # a Saturday in the Idul Fitri break
        datetime.date(2026, 3, 25)
        """
        try:
            i = day.toordinal() - self._origin
        except AttributeError:
            raise _not_a_date("day", day) from None
        if 0 <= i < self._size:
            j = self._cum[i + 1] + n - 1 if n > 0 else self._cum[i] + n
            if 0 <= j < self._count:
                return _fromordinal(self._ranks[j])
            raise self._result_outside(day, n)
        raise DateOutOfRange(value=day, first=self.first, last=self.last)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]``; when ``end < start``, minus those in ``(end, start]``.

        >>> cal = WorkingCalendar.indonesia()
        >>> cal.working_days_between(date(2026, 3, 17), date(2026, 3, 27))
        3
        >>> cal.working_days_between(date(2026, 3, 27), date(2026, 3, 17))
        -3
        """
        try:
            i = start.toordinal() - self._origin
            j = end.toordinal() - self._origin
        except AttributeError:
            raise _not_a_date("start/end", start if not hasattr(start, "toordinal") else end) from None
        size = self._size
        if 0 <= i < size and 0 <= j < size:
            return self._cum[j + 1] - self._cum[i + 1]
        raise DateOutOfRange(value=start if not 0 <= i < size else end, first=self.first, last=self.last)

    def count_working_days(self, start: date, end: date) -> int:
        """The number of working days in ``[start, end]`` (both ends included; 0 when ``end < start``).

        >>> WorkingCalendar.indonesia().count_working_days(date(2025, 1, 1), date(2025, 12, 31))
        237
        """
        if end < start:
            return 0
        return self.working_days_between(start, end) + self.is_working_day(start)

    def local_date(self, instant: datetime) -> date:
        """The date of an aware ``instant`` in the calendar's time zone.

        Raises:
            ValidationError: ``instant`` is naive (code ``instant.naive``, field ``instant``).
            DateOutOfRange: Its local date falls outside the calendar.
            TypeError: ``instant`` is not a datetime.

        >>> from zoneinfo import ZoneInfo
        >>> late = datetime(2026, 3, 17, 23, tzinfo=ZoneInfo("Asia/Jakarta"))
        >>> WorkingCalendar.indonesia("Asia/Jayapura").local_date(late)
        datetime.date(2026, 3, 18)
        """
        return _fromordinal(self._origin + self._local_index(instant, "instant"))

    def deadline_day(self, due_at: datetime) -> date:
        """The last day a deadline due at ``due_at`` allows, in the calendar's zone: :meth:`due_at` undone.

        A deadline falls at 00:00 after its last allowed day, so 00:00 WITA on 11 December is the end of the
        10th in Makassar. Notifications name the same day (``due_day``), and so does the example portal.

        >>> from zoneinfo import ZoneInfo
        >>> makassar = WorkingCalendar.indonesia("Asia/Makassar")
        >>> due = makassar.due_at(datetime(2026, 12, 7, 9, tzinfo=ZoneInfo("Asia/Makassar")), 3)
        >>> due.isoformat(), makassar.deadline_day(due)
        ('2026-12-11T00:00:00+08:00', datetime.date(2026, 12, 10))

        Raises:
            ValidationError: ``due_at`` is naive (code ``instant.naive``, field ``due_at``).
            DateOutOfRange: The day falls outside the calendar.
        """
        day = deadline_day(due_at, self._zone)
        if not self.first <= day <= self.last:
            raise DateOutOfRange(value=day, first=self.first, last=self.last)
        return day

    def _local_index(self, instant: datetime, field: str) -> int:
        """The index of ``instant``'s local date in the day index, checked to lie in the calendar."""
        try:
            tzinfo = instant.tzinfo
        except AttributeError:
            raise _not_a_date(field, instant, "an aware datetime") from None
        zone = self._zone
        if tzinfo is zone:  # already local: its wall-clock date is the local date, no conversion needed
            i = instant.toordinal() - self._origin
        elif tzinfo is None or (type(tzinfo) not in _ALWAYS_AWARE and instant.utcoffset() is None):
            raise ValidationError.single(field, "instant.naive")
        else:
            try:
                i = instant.astimezone(zone).toordinal() - self._origin
            except OverflowError:  # within a day of datetime.min or max: far outside any calendar
                i = -1
        if 0 <= i < self._size:
            return i
        raise DateOutOfRange(value=instant, first=self.first, last=self.last)

    def end_of_day(self, day: date) -> datetime:
        """The aware instant ``day`` ends in the calendar's time zone: 00:00 local of the following day.

        Raises:
            DateOutOfRange: ``day`` falls outside the calendar.
            TypeError: ``day`` is not a date.

        >>> WorkingCalendar.indonesia("Asia/Makassar").end_of_day(date(2026, 3, 27)).isoformat()
        '2026-03-28T00:00:00+08:00'
        """
        try:
            i = day.toordinal() - self._origin
        except AttributeError:
            raise _not_a_date("day", day) from None
        if 0 <= i < self._size:  # the calendar's last day is at most 9998-12-31: the next day exists
            return _combine(_fromordinal(self._origin + i + 1), _MIDNIGHT, self._zone)
        raise DateOutOfRange(value=day, first=self.first, last=self.last)

    def due_at(self, start: datetime, n: int) -> datetime:
        """When the ``n``-th working day after ``start``'s local date ends, as an aware local datetime.

        ``start`` is converted to the calendar's time zone and its date taken; the result is 00:00 local
        time of the day after ``add_working_days(that date, n)`` (wall-clock midnight, also across DST).
        A ``start`` already in the calendar's zone (the same ``ZoneInfo``) skips the conversion.

        Raises:
            ValidationError: ``start`` is naive (code ``instant.naive``, field ``start``).
            TypeError: ``start`` is not a datetime.
            DateOutOfRange: The date or the result falls outside the calendar.

        >>> from zoneinfo import ZoneInfo
        >>> wib = datetime(2026, 3, 17, 10, tzinfo=ZoneInfo("Asia/Jakarta"))
        >>> WorkingCalendar.indonesia("Asia/Jayapura").due_at(wib, 3).isoformat()
        '2026-03-28T00:00:00+09:00'
        """
        i = self._local_index(start, "start")
        j = self._cum[i + 1] + n - 1 if n > 0 else self._cum[i] + n
        if 0 <= j < self._count:
            return _combine(_fromordinal(self._ranks[j] + 1), _MIDNIGHT, self._zone)
        raise self._result_outside(_fromordinal(self._origin + i), n)

    def _result_outside(self, day: date, n: int) -> DateOutOfRange:
        where = "after" if n > 0 else "from" if n == 0 else "before"
        return DateOutOfRange(value=f"{abs(n)} working days {where} {day}", first=self.first, last=self.last)

    # -- uncertainty ------------------------------------------------------------------------------------

    def is_estimated(self, day: date) -> bool:
        """Whether ``day``'s status may still change.

        True when the holiday on ``day`` is an estimate in the source (the holidays package marks future
        Islamic, Chinese and Buddhist dates "perkiraan"), or when ``day``'s year comes after
        :attr:`decreed_through` (its SKB 3 Menteri, and so its cuti bersama, is not in the data yet).
        A day next to an estimated holiday is not flagged, although the real holiday may move onto it.

        >>> cal = WorkingCalendar.indonesia()
        >>> cal.is_estimated(date(2026, 3, 17)), cal.is_estimated(date(2028, 2, 28))
        (False, True)
        """
        self.is_working_day(day)
        return day.toordinal() >= self._provisional_from or day in self._estimated

    def has_estimated_between(self, start: date, end: date) -> bool:
        """Whether any day in ``(start, end]`` (or ``(end, start]``) :meth:`is estimated <is_estimated>`.

        A deadline counted over such a span is provisional.

        >>> cal = WorkingCalendar.indonesia()
        >>> cal.has_estimated_between(date(2026, 3, 17), date(2026, 4, 8))
        False
        >>> cal.has_estimated_between(date(2027, 3, 1), date(2027, 3, 17))  # Idul Fitri 1448 H
        True
        """
        low, high = (start, end) if start <= end else (end, start)
        self.working_days_between(low, high)
        lo, hi = low.toordinal(), high.toordinal()
        marks = self._estimated_ordinals
        return hi >= self._provisional_from or bisect_right(marks, hi) > bisect_right(marks, lo)

    # -- names (kept out of the hot path) ---------------------------------------------------------------

    def holiday(self, day: date, lang: Lang = "id") -> Holiday | None:
        """The holiday on ``day`` with its name in ``lang`` (``"id"`` or ``"en"``), or None.

        >>> WorkingCalendar.indonesia().holiday(date(2026, 3, 19), lang="en")
        Holiday(date=datetime.date(2026, 3, 19), name='Day of Silence', kind=<HolidayKind.PUBLIC: 'public'>,
                estimated=False)
        """
        self.is_working_day(day)
        lang = _lang(lang)
        name = self._names.get(day)
        if name is None:
            return None
        return self._holiday(day, name, self._translations(day.year, lang))

    def holiday_name(self, day: date, lang: Lang = "id") -> str | None:
        """The name of the holiday on ``day`` in ``lang`` (``"id"`` or ``"en"``), or None."""
        found = self.holiday(day, lang)
        return None if found is None else found.name

    def holidays_in(self, year: int, lang: Lang = "id") -> tuple[Holiday, ...]:
        """Every holiday of ``year`` (weekends included), by date, named in ``lang``.

        >>> cal = WorkingCalendar.indonesia()
        >>> leave = [h.date for h in cal.holidays_in(2026) if h.kind is HolidayKind.COLLECTIVE_LEAVE]
        >>> [d.day for d in leave if d.month == 3]
        [18, 20, 23, 24]
        """
        if type(year) is not int or not self.first.year <= year <= self.last.year:
            raise DateOutOfRange(value=year, first=self.first, last=self.last)
        lang = _lang(lang)
        translated = self._translations(year, lang)
        return tuple(
            self._holiday(d, name, translated) for d, name in sorted(self._names.items()) if d.year == year
        )

    def _holiday(self, day: date, name: str, translated: Mapping[date, str]) -> Holiday:
        kind = self._kinds.get(day, HolidayKind.PUBLIC)
        if day not in self._added:
            name = translated.get(day, name)
        return Holiday(date=day, name=name, kind=kind, estimated=day in self._estimated)

    def _translations(self, year: int, lang: Lang) -> Mapping[date, str]:
        if lang == "id":
            return {}
        if self._country is None:
            return dict.fromkeys(
                (d for d, n in self._names.items() if n == _ADDED_NAME["id"]), _ADDED_NAME[lang]
            )
        language = _PACKAGE_LANGUAGE[lang]
        public, _ = _package_holidays(self._country, range(year, year + 1), "public", language)
        leave, _ = _package_holidays(self._country, range(year, year + 1), "government", language)
        merged = {**leave, **public}
        for d, name in self._names.items():
            if name == _ADDED_NAME["id"]:
                merged[d] = _ADDED_NAME[lang]
        return merged

    # -- presentation -----------------------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone object."""
        return self._zone

    @property
    def working_days(self) -> frozenset[date]:
        """The make-up working days (working whatever their weekday or holiday)."""
        return self._working_days

    def __repr__(self) -> str:
        workweek = format_workweek(self.workweek)
        return (
            f"WorkingCalendar(name={self.name!r}, tz={self.tz!r}, workweek={workweek!r}, "
            f"first={self.first.isoformat()}, last={self.last.isoformat()}, holidays={len(self._names)}, "
            f"decreed_through={self.decreed_through})"
        )


def _lang(lang: object) -> Lang:
    if lang == "id":
        return "id"
    if lang == "en":
        return "en"
    raise ValidationError.single("lang", "value.not_choice", choices=("id", "en"))


def _not_a_date(field: str, value: object, expected: str = "a date") -> TypeError:
    return TypeError(f"{field} must be {expected}, not {type(value).__name__}")
