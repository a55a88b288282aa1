"""Statistics over complaints: group keys, filters, counting, and what each principal may count.

Counts are grouped by any of :data:`GROUP_KEYS` and narrowed by :class:`StatsFilters`. Stores that can
count by themselves implement :class:`~lapor_core.plugins.StatisticsStore` and answer a :class:`CountQuery`
with :class:`CountRow` values; :func:`count_rows` is the reference answer, computed in Python, which the
in-memory store and the fallback for other stores use.

Which complaints a principal may count follows the access policy (DOMAIN "Anonymous and confidential": the
flags hold in statistics too). Each complaint is, for one principal:

- **shown**: the principal may see it individually (the policy allows its metadata): it counts exactly;
- **pooled**: published and confidential (*rahasia*) but hidden from the principal: it counts only through
  its *pool*, the confidential complaints sharing all eight group keys. A pool of at least
  :data:`SUPPRESSION_THRESHOLD` counts in full; a smaller one counts nowhere and marks every cell it falls
  in as ``suppressed``. Pools are the same whatever the grouping and filters, so no difference between two
  tables can single out fewer than ten confidential complaints;
- **excluded**: unpublished (submitted, on hold, archived) and hidden from the principal: it counts
  nowhere, as it does not exist for them.

Statistics relate principals to complaints as the policy does without the reporter's proof: a reporter or
citizen gets the public's statistics (their own complaint counts as everyone else's does).

Example:
    >>> parse_group_by("province, status")
    ('province', 'status')
    >>> StatsFilters.from_mapping({"status": ["forwarded", "closed"], "region": "3171"}).region
    '31.71'
    >>> parse_group_by("province,colour")
    Traceback (most recent call last):
    lapor_core.errors.ValidationError: invalid input: group_by: unknown key; known: province, regency, ...
"""

from __future__ import annotations

import bisect
import enum
import functools
import itertools
import operator
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone
from types import MappingProxyType
from typing import Any, Final, TypeVar, cast

import attrs

from lapor_core._domain import rules as v
from lapor_core._domain.access import PUBLISHED, Decision, Principal, Subject, decide, relation_at
from lapor_core._domain.complaint import Complaint
from lapor_core._domain.lifecycle import Status
from lapor_core._domain.model import Channel, Kind
from lapor_core._domain.regions import region_code_rule, within
from lapor_core._domain.sla import Clocks, ClockState, SlaEvent, Stage
from lapor_core._domain.topics import topic_id_rule
from lapor_core._i18n import N_
from lapor_core.errors import FieldError, ValidationError

__all__ = [
    "COUNT_KEYS",
    "GROUP_KEYS",
    "SUPPRESSION_THRESHOLD",
    "CountQuery",
    "CountRow",
    "PoolCell",
    "SlaFacts",
    "StatsFilters",
    "StatsPlan",
    "Visibility",
    "count_rows",
    "make_classifier",
    "month_of",
    "parse_group_by",
    "plan_stats",
    "pools_are_uniform",
    "roll_up_pools",
    "sla_facts",
    "summarize_sla",
    "tabulate",
]

GROUP_KEYS: Final = ("province", "regency", "topic", "status", "institution", "kind", "channel", "month")
"""What statistics can be grouped by: region (province ``31``, regency ``31.71``), topic (the category),
status, institution, kind, channel and month of submission (``2026-03``)."""

COUNT_KEYS: Final = (*GROUP_KEYS, "unit", "confidential", "anonymous")
"""What a :class:`CountQuery` can group by: the group keys and the fields the access policy reads."""

SUPPRESSION_THRESHOLD: Final = 10
"""The smallest pool of hidden confidential complaints that statistics count (issue 9, LAPOR! rahasia)."""

DEFAULT_UTC_OFFSET_MINUTES: Final = 420
"""Months run on WIB (UTC+7), the national LAPOR! admin's time (Keppres 41/1987); Indonesia has no DST."""

_T = TypeVar("_T")

KeyValue = str | bool | None
"""One value of a row's key: text for group keys, a flag for ``confidential`` and ``anonymous``."""

_REGENCY_LENGTH: Final = 5
_MAX_VALUE: Final = 64  # the longest code or topic ID a complaint holds


def month_of(instant: datetime, utc_offset_minutes: int = DEFAULT_UTC_OFFSET_MINUTES) -> str:
    """The month (``YYYY-MM``) of an aware instant at a fixed UTC offset (default WIB).

    Raises:
        ValidationError: The instant is naive, or so near the ends of time that the offset overflows
            (code ``instant.out_of_range``, field ``instant``).

    >>> month_of(datetime(2026, 3, 31, 17, 30, tzinfo=UTC))
    '2026-04'
    """
    try:
        local = instant.astimezone(UTC) + timedelta(minutes=utc_offset_minutes)
    except OverflowError:
        _rule(v.instant, "instant", instant)  # raises the rule's own error for an instant beyond its range
        raise
    except (ValueError, TypeError):
        if isinstance(instant, datetime):
            raise ValidationError.single("instant", "instant.naive") from None
        raise
    return f"{local.year:04d}-{local.month:02d}"


def _rule(rule: Callable[[object], _T], field: str, value: object) -> _T:
    """``rule(value)``, its refusal raised as the ValidationError of ``field``."""
    try:
        return rule(value)
    except v.Invalid as invalid:
        raise ValidationError([invalid.at(field)]) from None
    except ValidationError as error:
        raise ValidationError(v.prefixed(field, error.errors)) from None


def _month_start(month: str, utc_offset_minutes: int) -> datetime:
    year, number = int(month[:4]), int(month[5:7])
    zone = timezone(timedelta(minutes=utc_offset_minutes))
    return datetime(year, number, 1, tzinfo=zone).astimezone(UTC)


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def _province(c: Complaint, _offset: int) -> str | None:
    region = c.region
    return region[:2] if region else None


def _regency(c: Complaint, _offset: int) -> str | None:
    region = c.region
    return region[:_REGENCY_LENGTH] if region and len(region) >= _REGENCY_LENGTH else None


_KEY_OF: Final[Mapping[str, Callable[[Complaint, int], KeyValue]]] = MappingProxyType(
    {
        "province": _province,
        "regency": _regency,
        "topic": lambda c, _: c.category,
        "status": lambda c, _: c.status.value,
        "institution": lambda c, _: c.institution,
        "kind": lambda c, _: c.kind.value,
        "channel": lambda c, _: c.channel.value,
        "month": lambda c, offset: month_of(c.submitted_at, offset),
        "unit": lambda c, _: c.unit,
        "confidential": lambda c, _: c.confidential,
        "anonymous": lambda c, _: c.anonymous,
    }
)


def _group_keys(known: tuple[str, ...]) -> Callable[[object], tuple[str, ...]]:
    """The rule of group keys: a list or tuple of keys from ``known``, none repeated; returns a tuple.

    Every unknown key is one error (never echoing it: it may be junk) and any repeat one more, all at once.
    """

    def rule(value: object) -> tuple[str, ...]:
        if not isinstance(value, list | tuple):
            raise v.Invalid("stats.group_by_not_keys", type=v.type_name(value))
        names: list[object] = list(value)
        errors = [
            FieldError(v.ROOT, "stats.group_key_unknown", {"known": known})
            for name in names
            if not isinstance(name, str) or name not in known
        ]
        found = [name for name in names if isinstance(name, str) and name in known]
        if len(set(found)) != len(found):
            errors.append(FieldError(v.ROOT, "stats.group_key_repeated"))
        if errors:
            raise ValidationError(errors)
        return tuple(cast("list[str]", names))

    return rule


def _value_set(value: object) -> frozenset[str] | None:
    """The rule of a count filter: None (any) or a set of texts (values, codes, topic IDs)."""
    if value is None:
        return None
    if not isinstance(value, frozenset | set) or not all(isinstance(item, str) for item in value):
        raise v.Invalid("stats.filter_not_values")
    return frozenset(value)


def _optional(rule: Callable[[object], _T]) -> Callable[[object], _T | None]:
    return lambda value: None if value is None else rule(value)


_bound_instant = _optional(v.instant)
_MAX_OFFSET_MINUTES: Final = 24 * 60
_utc_offset = v.whole_number(-_MAX_OFFSET_MINUTES, _MAX_OFFSET_MINUTES, code=N_("number.out_of_range"))


@functools.lru_cache(maxsize=4096)  # regions repeat: each pair is decided once
def _in_region(region: str | None, prefix: str) -> bool:
    """:func:`lapor_core._domain.regions.within`, for a stored region: one that is no code lies nowhere."""
    try:
        return within(region, prefix)
    except ValidationError:
        return False


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class CountQuery:
    """What :meth:`~lapor_core._domain.ports.StatisticsStore.count_complaints` counts, and how it groups them.

    It counts the complaints matching every filter (``None`` means "any"), grouped by ``group_by``. A row's
    key has one value per ``group_by`` key, in its order: ``province`` the first two characters of the
    region code, ``regency`` its first five when the region is a regency or below (else None), ``topic``
    the category, ``status``/``kind``/``channel`` their enum values, ``institution`` and ``unit`` the codes,
    ``month`` ``YYYY-MM`` of ``submitted_at`` at ``utc_offset_minutes``, ``confidential`` and
    ``anonymous`` the flags (booleans). A complaint without a value gives None.

    Validated and normalised when made, so no store sees junk and every store answers alike.

    Attributes:
        group_by: Keys from :data:`COUNT_KEYS` as a list or tuple, no repeats (may be empty: one row with
            the total); kept as a tuple.
        statuses: Only these status values.
        institutions: Only complaints currently at one of these institutions.
        region_prefix: Only regions equal to this code or inside it (``"31"`` matches ``"31.71.01"``); given
            dotted or not, kept dotted (:func:`lapor_core._domain.regions.region_code_rule`).
        categories: Only these categories (topic IDs).
        kinds: Only these kind values.
        channels: Only these channel values.
        confidential: Only complaints with this confidential flag.
        submitted_from: Submitted at or after this instant.
        submitted_before: Submitted strictly before this instant.
        utc_offset_minutes: The offset months are read at.

    Raises:
        ValidationError: Listing every bad field: a key unknown or repeated, a filter that is not a set of
            texts, a region prefix that is no region code, a flag that is not a boolean, a bound that is not
            an aware instant in :func:`lapor_core._domain.rules.instant`'s range, or an offset that is not a
            whole number of minutes within a day.

    >>> CountQuery(("province", "status"), statuses=frozenset({"forwarded"})).group_by
    ('province', 'status')
    >>> CountQuery([], region_prefix="3171").region_prefix
    '31.71'
    """

    group_by: tuple[str, ...] = attrs.field(metadata=v.rule(_group_keys(COUNT_KEYS)))
    statuses: frozenset[str] | None = attrs.field(default=None, metadata=v.rule(_value_set))
    institutions: frozenset[str] | None = attrs.field(default=None, metadata=v.rule(_value_set))
    region_prefix: str | None = attrs.field(default=None, metadata=v.rule(region_code_rule))
    categories: frozenset[str] | None = attrs.field(default=None, metadata=v.rule(_value_set))
    kinds: frozenset[str] | None = attrs.field(default=None, metadata=v.rule(_value_set))
    channels: frozenset[str] | None = attrs.field(default=None, metadata=v.rule(_value_set))
    confidential: bool | None = attrs.field(default=None, metadata=v.rule(_optional(v.flag)))
    submitted_from: datetime | None = attrs.field(default=None, metadata=v.rule(_bound_instant))
    submitted_before: datetime | None = attrs.field(default=None, metadata=v.rule(_bound_instant))
    utc_offset_minutes: int = attrs.field(default=DEFAULT_UTC_OFFSET_MINUTES, metadata=v.rule(_utc_offset))

    def matches(self, c: Complaint) -> bool:
        """Whether ``c`` passes every filter."""
        return (
            (self.statuses is None or c.status.value in self.statuses)
            and (self.institutions is None or c.institution in self.institutions)
            and (self.region_prefix is None or _in_region(c.region, self.region_prefix))
            and (self.categories is None or c.category in self.categories)
            and (self.kinds is None or c.kind.value in self.kinds)
            and (self.channels is None or c.channel.value in self.channels)
            and (self.confidential is None or c.confidential is self.confidential)
            and (self.submitted_from is None or c.submitted_at >= self.submitted_from)
            and (self.submitted_before is None or c.submitted_at < self.submitted_before)
        )

    def key_of(self, c: Complaint) -> tuple[KeyValue, ...]:
        """The values of ``group_by`` for ``c``."""
        offset = self.utc_offset_minutes
        return tuple(_KEY_OF[key](c, offset) for key in self.group_by)


@attrs.frozen
class CountRow:
    """One group of a count: its key values (in the query's ``group_by`` order) and how many complaints."""

    key: tuple[KeyValue, ...]
    count: int


def _sort_key(key: tuple[KeyValue, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((value is None, str(value)) for value in key)


def count_rows(complaints: Iterable[Complaint], query: CountQuery) -> list[CountRow]:
    """Count ``complaints`` that match ``query``, by its keys; the reference any store must agree with.

    There is one row per non-empty group, in no particular order. The result is what counting
    ``query.key_of(c)`` for every ``c`` with ``query.matches(c)`` gives; it is computed faster, by counting
    raw attribute values first and deriving the keys once per distinct value.

    >>> from lapor_core.testing.builders import complaint, location
    >>> rows = count_rows([complaint(location=location("31.71.01")), complaint()], CountQuery(["regency"]))
    >>> {row.key: row.count for row in rows}
    {('31.71',): 1, (None,): 1}
    """
    items: Iterable[Complaint] = complaints
    for predicate in _predicates(query):
        items = filter(predicate, items)
    raw, finish = _raw_key(query)
    counts: Counter[tuple[KeyValue, ...]] = Counter()
    for value, count in Counter(map(raw, items)).items():
        counts[finish(value)] += count
    return [CountRow(key, count) for key, count in counts.items()]


@attrs.frozen
class PoolCell:
    """Confidential pools rolled up to one cell of a table and one month (see :func:`roll_up_pools`).

    Attributes:
        key: The cell: the pools' values of the requested keys, in their order.
        month: The pools' month (``YYYY-MM``): whether it lies whole inside the filters decides if they count.
        counted: Complaints in this cell's pools of at least :data:`SUPPRESSION_THRESHOLD`.
        small: How many of this cell's pools are smaller than that.
    """

    key: tuple[KeyValue, ...]
    month: str
    counted: int
    small: int


def roll_up_pools(pools: Iterable[CountRow], cell_keys: Sequence[str]) -> list[PoolCell]:
    """Roll pools up to the cells of ``cell_keys`` by month; the reference a pool-counting store must match.

    ``pools`` are rows of a count grouped by exactly :data:`GROUP_KEYS`: one row per pool.

    >>> rows = [CountRow(("31", "31.71", None, "closed", "31.71", "pengaduan", "web", "2026-03"), 12),
    ...         CountRow(("31", "31.74", None, "closed", "31.74", "pengaduan", "web", "2026-03"), 2)]
    >>> roll_up_pools(rows, ["province"])
    [PoolCell(key=('31',), month='2026-03', counted=12, small=1)]
    """
    project = [GROUP_KEYS.index(key) for key in cell_keys]
    month = GROUP_KEYS.index("month")
    cells: dict[tuple[tuple[KeyValue, ...], str], list[int]] = {}
    for row in pools:
        entry = cells.setdefault((tuple([row.key[i] for i in project]), str(row.key[month])), [0, 0])
        if row.count >= SUPPRESSION_THRESHOLD:
            entry[0] += row.count
        else:
            entry[1] += 1
    return [PoolCell(cell, month_, counted, small) for (cell, month_), (counted, small) in cells.items()]


_Predicate = Callable[[Complaint], bool]


def _predicates(q: CountQuery) -> list[_Predicate]:
    """One test per filter in use, the cheapest first; enum members compare equal to their values."""
    tests: list[_Predicate] = []
    if q.confidential is not None:
        flag = q.confidential
        tests.append(lambda c: c.confidential is flag)
    for attribute, values in (
        ("status", q.statuses),
        ("kind", q.kinds),
        ("channel", q.channels),
        ("institution", q.institutions),
        ("category", q.categories),
    ):
        if values is not None:
            tests.append(_member_of(operator.attrgetter(attribute), values))
    if q.submitted_from is not None:
        start = q.submitted_from
        tests.append(lambda c: c.submitted_at >= start)
    if q.submitted_before is not None:
        end = q.submitted_before
        tests.append(lambda c: c.submitted_at < end)
    if q.region_prefix is not None:
        prefix = q.region_prefix
        tests.append(lambda c: _in_region(c.region, prefix))
    return tests


def _member_of(get: Callable[[Complaint], object], allowed: frozenset[str]) -> _Predicate:
    return lambda c: get(c) in allowed


_RAW_ATTRIBUTE: Final = MappingProxyType(
    {
        "topic": "category",
        "status": "status",
        "institution": "institution",
        "kind": "kind",
        "channel": "channel",
        "unit": "unit",
        "confidential": "confidential",
        "anonymous": "anonymous",
    }
)
_RawKey = tuple[object, str | None, str | None]


def _raw_key(
    q: CountQuery,
) -> tuple[Callable[[Complaint], _RawKey], Callable[[_RawKey], tuple[KeyValue, ...]]]:
    """A cheap key of raw values (attributes, region, month) and the function giving the row key from it."""
    plain = tuple(dict.fromkeys(_RAW_ATTRIBUTE[key] for key in q.group_by if key in _RAW_ATTRIBUTE))
    get = operator.attrgetter(*plain) if plain else None
    wants_region = bool({"province", "regency"} & set(q.group_by))
    month = _month_labels(q.utc_offset_minutes) if "month" in q.group_by else None

    def raw(c: Complaint) -> _RawKey:
        area = None
        if wants_region and c.location is not None and c.location.region:
            area = c.location.region[:_REGENCY_LENGTH]  # all the two region keys read; fewer distinct values
        return (
            get(c) if get is not None else None,
            area,
            month(c.submitted_at) if month is not None else None,
        )

    extract = [_extractor(name, plain) for name in q.group_by]

    def finish(value: _RawKey) -> tuple[KeyValue, ...]:
        return tuple([get_value(value) for get_value in extract])

    return raw, finish


def _extractor(name: str, plain: tuple[str, ...]) -> Callable[[_RawKey], KeyValue]:
    """How one row key value is read from a raw key (see ``_raw_key``)."""
    if name == "province":
        return lambda v: v[1][:2] if v[1] else None
    if name == "regency":
        return lambda v: v[1] if v[1] and len(v[1]) == _REGENCY_LENGTH else None
    if name == "month":
        return lambda v: v[2]
    index = plain.index(_RAW_ATTRIBUTE[name])
    many = len(plain) > 1

    def attribute(v: _RawKey) -> KeyValue:
        item = cast("tuple[object, ...]", v[0])[index] if many else v[0]
        return str(item.value) if isinstance(item, enum.Enum) else cast("KeyValue", item)

    return attribute


@functools.lru_cache(maxsize=8)
def _month_labels(utc_offset_minutes: int) -> Callable[[datetime], str]:
    """``month_of`` at one offset, by bisecting precomputed month starts (1970 to 2199)."""
    labels = [f"{year:04d}-{month:02d}" for year in range(1970, 2200) for month in range(1, 13)]
    starts = [_month_start(label, utc_offset_minutes).timestamp() for label in labels]

    def label_of(instant: datetime) -> str:
        index = bisect.bisect_right(starts, instant.timestamp()) - 1
        if 0 <= index < len(labels) - 1:
            return labels[index]
        return month_of(instant, utc_offset_minutes)

    return label_of


# --- filters and group keys --------------------------------------------------------------------------------


def _filter_values(item: Callable[[str], object]) -> Callable[[object], frozenset[Any] | None]:
    """The rule of one filter: None (any), or one value or a non-empty list of them, as a set.

    Each value is non-empty text of at most 64 characters, stripped, then read by ``item`` (a choice of an
    enum, the topic ID rule, or kept as it is).
    """

    def rule(value: object) -> frozenset[Any] | None:
        if value is None:
            return None
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list | tuple | set | frozenset) or not items:
            raise v.Invalid("stats.filter_not_values")
        values: set[object] = set()
        for raw in items:
            if not isinstance(raw, str) or not raw.strip() or len(raw) > _MAX_VALUE:
                raise v.Invalid("stats.filter_value_bad", max=_MAX_VALUE)
            values.add(item(raw.strip()))  # a StrEnum member strips to its value
        return frozenset(values)

    return rule


_statuses = _filter_values(v.choice(Status))
_institutions = _filter_values(str)
_categories = _filter_values(topic_id_rule)
_kinds = _filter_values(v.choice(Kind))
_channels = _filter_values(v.choice(Channel))

_DATE_LENGTH: Final = len("YYYY-MM-DD")
_WIB: Final = timezone(timedelta(minutes=DEFAULT_UTC_OFFSET_MINUTES))


def _bound(raw: object, *, end: bool) -> datetime | None:
    """A period bound, checked by the shared rules of :mod:`lapor_core._domain.rules`.

    An aware datetime (or ISO 8601 text with an offset) is taken as it is; a date (or ``YYYY-MM-DD``
    text) is the start of that day in WIB, of the next day for ``end``. The rules' ranges keep every bound
    where stores can hold it and months can be counted without overflow.
    """
    if raw is None:
        return None
    is_day = isinstance(raw, date) and not isinstance(raw, datetime)
    if is_day or (isinstance(raw, str) and len(raw.strip()) == _DATE_LENGTH):
        day = v.calendar_date(raw)
        return datetime.combine(day + timedelta(days=1) if end else day, time(), _WIB)
    if isinstance(raw, datetime | str):
        return v.instant(raw)
    raise v.Invalid("stats.period_bound_bad", type=v.type_name(raw))


def _in_order(start: datetime | None, end: datetime | None) -> None:
    """Refuse a period whose end is not after its start (either side may be open)."""
    if start is not None and end is not None and not start < end:
        raise v.Invalid("stats.period_reversed")


def _period(value: object) -> tuple[datetime | None, datetime | None]:
    """The rule of the ``period`` filter: ``(start, end)`` read as :func:`_bound` says, in order."""
    if value is None:
        return None, None
    if not isinstance(value, list | tuple) or len(value) != 2:  # noqa: PLR2004 - (start, end)
        raise v.Invalid("stats.period_not_pair")
    bounds: list[datetime | None] = []
    errors: list[FieldError] = []
    for raw, end in zip(value, (False, True), strict=True):
        try:
            bounds.append(_bound(raw, end=end))
        except v.Invalid as invalid:
            errors.append(invalid.at(v.ROOT))  # both bounds may be bad: each is reported
    if errors:
        raise ValidationError(errors)
    start, end_ = bounds
    _in_order(start, end_)
    return start, end_


def _after_start(
    instance: StatsFilters, _attribute: attrs.Attribute[datetime | None], end: datetime | None
) -> None:
    try:
        _in_order(instance.submitted_from, end)
    except v.Invalid as invalid:
        raise ValidationError([invalid.at("submitted_before")]) from None


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class StatsFilters:
    """Which complaints statistics, maps and exports consider; ``None`` means "any" for every field.

    Build it with :meth:`from_mapping` from the ``filters=`` argument of the desk, or directly: each field
    takes what that argument's key takes (one value or several), and the bounds take aware instants.

    Attributes:
        statuses: Only these statuses.
        institutions: Only complaints currently at one of these institutions.
        region: Only locations in this region (any level; given dotted or not, kept dotted).
        categories: Only these topic IDs (pass ``TopicTree.subtree_ids(...)`` for a whole branch).
        kinds: Only these report kinds.
        channels: Only these intake channels.
        submitted_from: Submitted at or after this instant.
        submitted_before: Submitted strictly before this instant (after ``submitted_from``).

    Raises:
        ValidationError: Listing every bad field.

    >>> filters = StatsFilters(statuses="forwarded", region="3171")
    >>> filters.statuses, filters.region
    (frozenset({<Status.FORWARDED: 'forwarded'>}), '31.71')
    """

    statuses: frozenset[Status] | None = attrs.field(default=None, metadata=v.rule(_statuses))
    institutions: frozenset[str] | None = attrs.field(default=None, metadata=v.rule(_institutions))
    region: str | None = attrs.field(default=None, metadata=v.rule(region_code_rule))
    categories: frozenset[str] | None = attrs.field(default=None, metadata=v.rule(_categories))
    kinds: frozenset[Kind] | None = attrs.field(default=None, metadata=v.rule(_kinds))
    channels: frozenset[Channel] | None = attrs.field(default=None, metadata=v.rule(_channels))
    submitted_from: datetime | None = attrs.field(default=None, metadata=v.rule(_bound_instant))
    submitted_before: datetime | None = attrs.field(
        default=None, metadata=v.rule(_bound_instant), validator=_after_start
    )

    @classmethod
    def from_mapping(cls, filters: Mapping[str, object] | None) -> StatsFilters:
        """Read the ``filters=`` mapping of the desk's statistics, maps and exports.

        Keys (each optional): ``status``, ``institution``, ``category``, ``kind``, ``channel`` (one value or
        a list), ``region`` (a region code, dotted or not) and ``period``: ``(start, end)``, each a date
        (whole days in WIB, ``end`` included), an aware datetime (``end`` excluded) or None (open).

        Raises:
            ValidationError: Naming every unknown key and every bad value (``filters.<key>``).

        >>> StatsFilters.from_mapping({"kind": "aspirasi", "colour": "red"})
        Traceback (most recent call last):
        lapor_core.errors.ValidationError: invalid input: filters.colour: unknown field
        >>> StatsFilters.from_mapping({"period": ("2026-03-01", "9999-12-31")}).submitted_from
        Traceback (most recent call last):
        lapor_core.errors.ValidationError: invalid input: filters.period: must lie between ...
        """
        if filters is None:
            return cls()
        try:
            given = v.structure(_FiltersArgument, filters)
        except ValidationError as error:
            raise ValidationError(v.prefixed("filters", error.errors)) from None
        start, end = given.period
        return cls(
            statuses=given.status,
            institutions=given.institution,
            region=given.region,
            categories=given.category,
            kinds=given.kind,
            channels=given.channel,
            submitted_from=start,
            submitted_before=end,
        )

    def count_query(
        self, group_by: Sequence[str], utc_offset_minutes: int = DEFAULT_UTC_OFFSET_MINUTES
    ) -> CountQuery:
        """The store query counting these filters' complaints by ``group_by``."""
        return CountQuery(
            tuple(group_by),
            statuses=_values_of(self.statuses),
            institutions=self.institutions,
            region_prefix=self.region,
            categories=self.categories,
            kinds=_values_of(self.kinds),
            channels=_values_of(self.channels),
            submitted_from=self.submitted_from,
            submitted_before=self.submitted_before,
            utc_offset_minutes=utc_offset_minutes,
        )


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class _FiltersArgument:
    """The ``filters=`` mapping as :meth:`StatsFilters.from_mapping` reads it: its keys, the same rules."""

    status: frozenset[Status] | None = attrs.field(default=None, metadata=v.rule(_statuses))
    institution: frozenset[str] | None = attrs.field(default=None, metadata=v.rule(_institutions))
    region: str | None = attrs.field(default=None, metadata=v.rule(region_code_rule))
    period: tuple[datetime | None, datetime | None] = attrs.field(
        default=(None, None), metadata=v.rule(_period)
    )
    category: frozenset[str] | None = attrs.field(default=None, metadata=v.rule(_categories))
    kind: frozenset[Kind] | None = attrs.field(default=None, metadata=v.rule(_kinds))
    channel: frozenset[Channel] | None = attrs.field(default=None, metadata=v.rule(_channels))


def _values_of(
    values: frozenset[Status] | frozenset[Kind] | frozenset[Channel] | None,
) -> frozenset[str] | None:
    return None if values is None else frozenset(str(member.value) for member in values)


_group_by_rule = _group_keys(GROUP_KEYS)


def parse_group_by(group_by: str | Sequence[str]) -> tuple[str, ...]:
    """The group keys of ``"province,status"`` or ``["province", "status"]``, checked.

    Raises:
        ValidationError: Naming every unknown key (field ``group_by``), or a repeated one.
    """
    names = (
        [part.strip() for part in group_by.split(",") if part.strip()]
        if isinstance(group_by, str)
        else group_by
    )
    return _rule(_group_by_rule, "group_by", names)


# --- who may count what ------------------------------------------------------------------------------------


class Visibility(enum.Enum):
    """How one complaint counts in one principal's statistics (see the module docstring)."""

    SHOWN = "shown"
    POOLED = "pooled"
    EXCLUDED = "excluded"


Classifier = Callable[[object, object, object, object, object], Visibility]
"""``classify(status, confidential, anonymous, institution, unit)`` -> how such a complaint counts."""


def make_classifier(principal: Principal) -> Classifier:
    """How complaints count for ``principal``, from the access policy; anything unexpected is excluded.

    The result is memoised per combination, so classifying a million rows costs a dictionary lookup each.

    >>> classify = make_classifier(Principal.public())
    >>> classify("forwarded", True, False, "31.71", None), classify("submitted", False, False, None, None)
    (<Visibility.POOLED: 'pooled'>, <Visibility.EXCLUDED: 'excluded'>)
    """
    memo: dict[tuple[object, ...], Visibility] = {}

    def classify(
        status: object, confidential: object, anonymous: object, institution: object, unit: object
    ) -> Visibility:
        key = (status, confidential, anonymous, institution, unit)
        found = memo.get(key)
        if found is None:
            found = memo[key] = _classify(principal, *key)
        return found

    return classify


def _classify(
    principal: Principal,
    status: object,
    confidential: object,
    anonymous: object,
    institution: object,
    unit: object,
) -> Visibility:
    try:
        state = Status(str(status))
        flags = (bool(confidential), bool(anonymous))
        code = institution if isinstance(institution, str) else None
        relation = relation_at(principal, code, unit if isinstance(unit, str) else None)
        decision = decide(relation, Subject.METADATA, anonymous=flags[1], confidential=flags[0], status=state)
    except Exception:  # noqa: BLE001 - deny by default: what cannot be classified is not counted
        return Visibility.EXCLUDED
    if decision is Decision.ALLOW:
        return Visibility.SHOWN
    if flags[0] and state in PUBLISHED:
        return Visibility.POOLED
    return Visibility.EXCLUDED


_POLICY_FIELDS: Final = ("status", "confidential", "anonymous", "institution", "unit")


def _policy_keys(principal: Principal, classify: Classifier) -> tuple[str, ...]:
    """The count keys the principal's classification reads; none when every complaint is shown.

    A field counts when changing it alone changes how some complaint counts. Staff relate to a complaint
    only while it is at their institution or unit (``relation_at``), so for the institution and unit it is
    enough to compare "theirs" with "another" (None).
    """
    domains: dict[str, tuple[object, ...]] = {
        "status": tuple(status.value for status in Status),
        "confidential": (False, True),
        "anonymous": (False, True),
        "institution": tuple(dict.fromkeys((None, principal.institution_code))),
        "unit": tuple(dict.fromkeys((None, principal.unit_code))),
    }
    grid = [dict(zip(domains, values, strict=True)) for values in itertools.product(*domains.values())]
    if all(classify(*(cell[name] for name in _POLICY_FIELDS)) is Visibility.SHOWN for cell in grid):
        return ()

    def matters(field: str) -> bool:
        for cell in grid:
            seen = {
                classify(*({**cell, field: value}[name] for name in _POLICY_FIELDS))
                for value in domains[field]
            }
            if len(seen) > 1:
                return True
        return False

    return tuple(field for field in _POLICY_FIELDS if matters(field))


def pools_are_uniform(principal: Principal, classify: Classifier) -> bool:
    """Whether every published confidential complaint is pooled for ``principal``, whatever else it is.

    Then a pool is counted or suppressed on its size alone, so a store can roll pools up to cells itself
    (:class:`~lapor_core.plugins.PoolStatisticsStore`). True for the public and citizens; false for staff,
    who see their own institution's confidential complaints.

    >>> pools_are_uniform(Principal.public(), make_classifier(Principal.public()))
    True
    """
    confidential = True
    return all(
        classify(status.value, confidential, anonymous, institution, unit) is Visibility.POOLED
        for status in PUBLISHED
        for anonymous in (False, True)
        for institution in dict.fromkeys((None, principal.institution_code))
        for unit in dict.fromkeys((None, principal.unit_code))
    )


@attrs.frozen
class StatsPlan:
    """How to answer one statistics request: the store queries to run and how to read their rows.

    Attributes:
        group_by: The requested group keys.
        filters: The requested filters.
        policy_keys: Count keys the classification needs besides ``group_by`` (none when the principal
            may see every complaint).
        utc_offset_minutes: Months are read at this offset.
    """

    group_by: tuple[str, ...]
    filters: StatsFilters
    policy_keys: tuple[str, ...]
    utc_offset_minutes: int = DEFAULT_UTC_OFFSET_MINUTES

    @property
    def shown_query(self) -> CountQuery:
        """Counts by the requested keys and the policy keys, with the exact filters."""
        extra = tuple(key for key in self.policy_keys if key not in self.group_by)
        return self.filters.count_query((*self.group_by, *extra), self.utc_offset_minutes)

    @property
    def pooled_query(self) -> CountQuery | None:
        """Counts of published confidential complaints by pool, with filters widened to whole pools.

        None when the principal may see every complaint.
        """
        if not self.policy_keys:
            return None
        extra = tuple(key for key in self.policy_keys if key not in GROUP_KEYS)
        base = self.filters.count_query((*GROUP_KEYS, *extra), self.utc_offset_minutes)
        published = frozenset(s.value for s in PUBLISHED)
        start, end = self._whole_months()
        return attrs.evolve(
            base,
            statuses=published if base.statuses is None else base.statuses & published,
            region_prefix=None if self.filters.region is None else self.filters.region[:_REGENCY_LENGTH],
            confidential=True,
            submitted_from=start,
            submitted_before=end,
        )

    @property
    def pools_query(self) -> CountQuery | None:
        """The pooled count with one row per pool (grouped by exactly :data:`GROUP_KEYS`), for a roll-up.

        Only valid when :func:`pools_are_uniform` holds: the policy keys then cannot split a pool.
        """
        pooled = self.pooled_query
        return None if pooled is None else attrs.evolve(pooled, group_by=GROUP_KEYS)

    def _whole_months(self) -> tuple[datetime | None, datetime | None]:
        offset = self.utc_offset_minutes
        start, end = self.filters.submitted_from, self.filters.submitted_before
        if start is not None:
            start = _storable(_month_start(month_of(start, offset), offset))
        if end is not None:
            last = month_of(end - timedelta(microseconds=1), offset)
            end = _storable(_month_start(_next_month(last), offset))
        return start, end

    def pool_is_whole(self, month: str) -> bool:
        """Whether a pool of ``month`` lies inside the filters whole (else it only marks cells suppressed)."""
        if self.filters.region is not None and len(self.filters.region) > _REGENCY_LENGTH:
            return False
        offset = self.utc_offset_minutes
        start, end = self.filters.submitted_from, self.filters.submitted_before
        return (start is None or _month_start(month, offset) >= start) and (
            end is None or _month_start(_next_month(month), offset) <= end
        )


def _storable(bound: datetime) -> datetime | None:
    """A widened bound, or None (open) when it passes the earliest or latest instant any store holds."""
    try:
        return v.instant(bound)
    except v.Invalid:
        return None


def plan_stats(
    principal: Principal,
    group_by: str | Sequence[str],
    filters: Mapping[str, object] | None,
    *,
    utc_offset_minutes: int = DEFAULT_UTC_OFFSET_MINUTES,
) -> StatsPlan:
    """Check the request and plan its store queries.

    Raises:
        ValidationError: Naming every bad group key and filter.
    """
    errors: list[FieldError] = []
    keys: tuple[str, ...] = ()
    parsed = StatsFilters()
    try:
        keys = parse_group_by(group_by)
    except ValidationError as e:
        errors += e.errors
    try:
        parsed = StatsFilters.from_mapping(filters)
    except ValidationError as e:
        errors += e.errors
    if errors:
        raise ValidationError(errors)
    return StatsPlan(keys, parsed, _policy_keys(principal, make_classifier(principal)), utc_offset_minutes)


def _field(names: Sequence[str], key: tuple[KeyValue, ...], name: str) -> KeyValue:
    return key[names.index(name)] if name in names else None


def _classifier_for(
    names: Sequence[str], classify: Classifier
) -> Callable[[tuple[KeyValue, ...]], Visibility]:
    """How a row counts, from the policy fields among its key values (memoised on just those values)."""
    present = [field for field in _POLICY_FIELDS if field in names]
    pick = operator.itemgetter(*(names.index(field) for field in present)) if present else (lambda _: ())
    memo: dict[object, Visibility] = {}

    def of(key: tuple[KeyValue, ...]) -> Visibility:
        picked = pick(key)
        found = memo.get(picked)
        if found is None:
            values = dict(zip(present, picked if len(present) > 1 else (picked,), strict=True))
            found = memo[picked] = classify(*(values.get(field) for field in _POLICY_FIELDS))
        return found

    return of


def _pools_of(pooled: CountQuery, classify: Classifier, pooled_rows: Iterable[CountRow]) -> list[CountRow]:
    """One row per pool of the complaints pooled for the principal, from the rows of the ``pooled`` count."""
    of = _classifier_for(pooled.group_by, classify)
    pools: Counter[tuple[KeyValue, ...]] = Counter()
    width = len(GROUP_KEYS)
    for row in pooled_rows:
        if of(row.key) is Visibility.POOLED:
            pools[row.key[:width]] += row.count
    return [CountRow(pool, size) for pool, size in pools.items()]


def tabulate(
    plan: StatsPlan,
    classify: Classifier,
    shown_rows: Iterable[CountRow],
    pooled_rows: Iterable[CountRow] = (),
    *,
    pool_cells: Iterable[PoolCell] | None = None,
) -> list[dict[str, object]]:
    """The rows a principal receives: group keys, ``count`` and ``suppressed``, sorted by key.

    ``shown_rows`` answer ``plan.shown_query``; ``pooled_rows`` answer ``plan.pooled_query``, or, when the
    pools are uniform for the principal (:func:`pools_are_uniform`), ``pool_cells`` give them already rolled
    up (:func:`roll_up_pools` of ``plan.pools_query`` by ``plan.group_by``) and ``pooled_rows`` are ignored.
    """
    width = len(plan.group_by)
    counts: Counter[tuple[KeyValue, ...]] = Counter()
    suppressed: set[tuple[KeyValue, ...]] = set()
    if plan.policy_keys:
        of = _classifier_for(plan.shown_query.group_by, classify)
        for row in shown_rows:
            if of(row.key) is Visibility.SHOWN:
                counts[row.key[:width]] += row.count
    else:
        for row in shown_rows:
            counts[row.key[:width]] += row.count
    pooled = plan.pooled_query
    if pooled is not None:
        if pool_cells is None:
            pool_cells = roll_up_pools(_pools_of(pooled, classify, pooled_rows), plan.group_by)
        whole = functools.cache(plan.pool_is_whole)
        for cell in pool_cells:
            if not whole(cell.month):
                suppressed.add(cell.key)  # a pool the filters cut counts nowhere: it only marks its cell
                continue
            if cell.counted:
                counts[cell.key] += cell.counted
            if cell.small:
                suppressed.add(cell.key)
    cells = sorted(counts.keys() | suppressed, key=_sort_key)
    return [
        {
            **dict(zip(plan.group_by, cell, strict=True)),
            "count": counts[cell],
            "suppressed": cell in suppressed,
        }
        for cell in cells
    ]


# --- service levels per group ------------------------------------------------------------------------------

_ENDS_FOLLOW_UP: Final = frozenset({"forward", "decline", "follow_up", "close", "archive"})
_ENDS_VERIFICATION: Final = frozenset({"forward", "archive", "close"})


@attrs.frozen
class SlaFacts:
    """What one complaint's clocks say about service levels (LAPOR!: forward in 3, follow up in 5 days).

    Attributes:
        forwards_due: Verification clocks ended by a forward, or still open and already breached.
        forwards_on_time: Of those, forwarded before the deadline.
        follow_ups_due: Follow-up clocks ended by a follow-up, or still open and already breached.
        follow_ups_on_time: Of those, followed up before the deadline.
        days_to_follow_up: Working days from forwarding (or reopening) to each follow-up.
        open_breach: A clock is open and past its deadline.
    """

    forwards_due: int = 0
    forwards_on_time: int = 0
    follow_ups_due: int = 0
    follow_ups_on_time: int = 0
    days_to_follow_up: tuple[int, ...] = ()
    open_breach: bool = False


def _ending_action(
    events: Sequence[SlaEvent], after: int, at: datetime, actions: frozenset[str]
) -> str | None:
    for event in events[after + 1 :]:
        action = str(event.action)
        if action in actions and event.at == at:
            return action
    return None


def sla_facts(
    clocks: Clocks, events: Sequence[SlaEvent], working_days: Callable[[str | None, datetime, datetime], int]
) -> SlaFacts:
    """Summarise one complaint's clocks (``clocks`` computed from ``events``).

    ``working_days(institution, start, end)`` counts working days between two instants on the calendar of
    the institution the clock ran on.
    """
    forwards = [0, 0]
    follow_ups = [0, 0]
    days: list[int] = []
    open_breach = False
    for clock in clocks:
        if clock.stage is Stage.CLOSING:
            continue
        if clock.ended_at is None:
            if clock.state is ClockState.BREACHED:
                open_breach = True
                tally = forwards if clock.stage is Stage.VERIFICATION else follow_ups
                tally[0] += 1
            continue
        if clock.stage is Stage.VERIFICATION:
            if _ending_action(events, clock.index, clock.ended_at, _ENDS_VERIFICATION) == "forward":
                forwards[0] += 1
                forwards[1] += clock.state is ClockState.MET
        elif _ending_action(events, clock.index, clock.ended_at, _ENDS_FOLLOW_UP) == "follow_up":
            follow_ups[0] += 1
            follow_ups[1] += clock.state is ClockState.MET
            days.append(working_days(clock.institution, clock.started_at, clock.ended_at))
    return SlaFacts(forwards[0], forwards[1], follow_ups[0], follow_ups[1], tuple(days), open_breach)


SLA_FIELDS: Final = (
    "sla_count",
    "forwarded_on_time",
    "followed_up_on_time",
    "median_days_to_follow_up",
    "open_breaches",
)
"""The service-level fields of a statistics row asked ``include_sla=True``."""


def summarize_sla(facts: Iterable[SlaFacts]) -> dict[str, object]:
    """Service levels of a group: shares on time (None without data), median working days, open breaches.

    >>> summarize_sla([SlaFacts(1, 1, 1, 0, (7,)), SlaFacts(1, 0, 1, 1, (2,), open_breach=True)])
    {'sla_count': 2, 'forwarded_on_time': 0.5, 'followed_up_on_time': 0.5, 'median_days_to_follow_up': 4.5, \
'open_breaches': 1}
    """
    items = list(facts)
    forwards_due = sum(f.forwards_due for f in items)
    follow_ups_due = sum(f.follow_ups_due for f in items)
    days = [d for f in items for d in f.days_to_follow_up]
    return {
        "sla_count": len(items),
        "forwarded_on_time": sum(f.forwards_on_time for f in items) / forwards_due if forwards_due else None,
        "followed_up_on_time": (
            sum(f.follow_ups_on_time for f in items) / follow_ups_due if follow_ups_due else None
        ),
        "median_days_to_follow_up": float(statistics.median(days)) if days else None,
        "open_breaches": sum(f.open_breach for f in items),
    }
