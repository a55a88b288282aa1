"""Statistics over complaints: group keys, filters, counting, and what each principal may count.

Counts are grouped by any of :data:`GROUP_KEYS` (each key defined once, in :data:`STAT_KEYS`) and narrowed by
:class:`~lapor_core._domain.filters.Filters`, the value a listing uses too. Stores that can count by
themselves implement :class:`~lapor_core.plugins.StatisticsStore` and answer a :class:`CountQuery` with
:class:`CountRow` values; :func:`count_rows` is the one count in Python (the in-memory store, the desk's
fallback for other stores) and the reference every store must agree with.

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
    >>> filters = Filters.from_dict({"status": "forwarded", "region": "3171"})
    >>> CountQuery(["province", "status"], filters=filters).filters.region
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
from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any, Final, TypeVar, cast

import attrs

from lapor_core._domain import rules as v
from lapor_core._domain.access import PUBLISHED, Decision, Principal, Subject, decide, relation_at
from lapor_core._domain.complaint import Complaint
from lapor_core._domain.filters import Filters, with_keywords
from lapor_core._domain.lifecycle import Status
from lapor_core._domain.sla import Clocks, ClockState, SlaEvent, Stage
from lapor_core._i18n import N_
from lapor_core.errors import FieldError, ValidationError

__all__ = [
    "COUNT_KEYS",
    "GROUP_KEYS",
    "STAT_KEYS",
    "SUPPRESSION_THRESHOLD",
    "AsStored",
    "CountQuery",
    "CountRow",
    "Flag",
    "Month",
    "PoolCell",
    "Prefix",
    "SlaFacts",
    "StatKey",
    "StatsFilters",
    "StatsPlan",
    "Visibility",
    "count_rows",
    "key_reader",
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

SUPPRESSION_THRESHOLD: Final = 10
"""The smallest pool of hidden confidential complaints that statistics count (issue 9, LAPOR! rahasia)."""

DEFAULT_UTC_OFFSET_MINUTES: Final = 420
"""Months run on WIB (UTC+7), the national LAPOR! admin's time (Keppres 41/1987); Indonesia has no DST."""

_T = TypeVar("_T")

KeyValue = str | bool | None
"""One value of a row's key: text for group keys, a flag for ``confidential`` and ``anonymous``."""


# --- the statistics keys: each defined once, read by the in-memory count and the SQL count alike ----------


@attrs.frozen
class AsStored:
    """A key whose value is its column's stored value (an enum by its value)."""

    def narrow(self, _utc_offset_minutes: int) -> Callable[[Any], Any] | None:
        """Nothing to do per complaint: distinct values are few."""
        return None

    def row_expression(self, value: str, _utc_offset_minutes: int, _names: dict[str, object]) -> str:
        """The Python expression a count evaluates per complaint: the value itself."""
        return value

    def label(self, value: object) -> KeyValue:
        """The stored value as a key value."""
        return str(value.value) if isinstance(value, enum.Enum) else cast("KeyValue", value)


@attrs.frozen
class Flag:
    """A key whose value is its boolean column (``confidential``, ``anonymous``)."""

    def narrow(self, _utc_offset_minutes: int) -> Callable[[Any], Any] | None:
        """Nothing to do per complaint: a flag has two values."""
        return None

    def row_expression(self, value: str, _utc_offset_minutes: int, _names: dict[str, object]) -> str:
        """The Python expression a count evaluates per complaint: the value itself."""
        return value

    def label(self, value: object) -> KeyValue:
        """The flag as a boolean (a database may hand back 0 and 1)."""
        return bool(value)


@attrs.frozen
class Prefix:
    """A key whose value is a code's first ``length`` characters; None when it is shorter than ``at_least``.

    ``Prefix(2, 1)`` is a region code's province; ``Prefix(5, 5)`` its regency (None above regency level).
    """

    length: int
    at_least: int

    def narrow(self, _utc_offset_minutes: int) -> Callable[[Any], Any] | None:
        """Cut each code to ``length`` (fewer distinct values to count; ``label`` decides the rest)."""
        length = self.length
        return lambda value: value[:length] if value else value

    def row_expression(self, value: str, _utc_offset_minutes: int, _names: dict[str, object]) -> str:
        """The cut of :meth:`narrow`, written inline (``value`` is a variable name)."""
        return f"({value}[:{int(self.length)}] if {value} else {value})"

    def label(self, value: object) -> KeyValue:
        """The prefix of ``value`` (already cut to ``length`` or shorter), or None when it is too short."""
        if not isinstance(value, str) or len(value) < self.at_least:
            return None
        return value[: self.length]


@attrs.frozen
class Month:
    """A key whose value is the month (``YYYY-MM``) of its instant at the query's UTC offset."""

    def narrow(self, utc_offset_minutes: int) -> Callable[[Any], Any] | None:
        """The month of each complaint's instant (instants are nearly all distinct, months few)."""
        return _month_labels(utc_offset_minutes)

    def row_expression(self, value: str, utc_offset_minutes: int, names: dict[str, object]) -> str:
        """A call of :meth:`narrow`'s function, named in ``names``."""
        name = f"_month_{len(names)}"
        names[name] = self.narrow(utc_offset_minutes)
        return f"{name}({value})"

    def label(self, value: object) -> KeyValue:
        """The month, already read by :meth:`narrow`."""
        return cast("str", value)


Bucket = AsStored | Flag | Prefix | Month
"""How a key's value is made from its column: as stored, a flag, a code's prefix, or an instant's month."""


@attrs.frozen
class StatKey:
    """One key statistics can group by: its name, the column it reads and how the column becomes its value.

    The column is both the :class:`~lapor_core._domain.complaint.Complaint` attribute (``region`` is the
    location's) and the SQL column of the same name; the in-memory count applies ``bucket`` in Python and
    the SQL store writes the same bucket as an expression (:mod:`lapor_core.stores.sql._statistics`).

    Attributes:
        name: The key, as ``group_by`` names it and rows carry it.
        column: The stored column it is read from.
        bucket: How the column's value becomes the key's value.
        grouping: Whether the desk's ``group_by`` offers it (the others only serve the access policy).
    """

    name: str
    column: str
    bucket: Bucket = AsStored()
    grouping: bool = True

    def read(self, complaint: Complaint, utc_offset_minutes: int = DEFAULT_UTC_OFFSET_MINUTES) -> KeyValue:
        """The key's value for ``complaint``.

        >>> from lapor_core.testing.builders import complaint, location
        >>> STAT_KEYS["regency"].read(complaint(location=location("31.71.01")))
        '31.71'
        """
        value = getattr(complaint, self.column)
        narrow = self.bucket.narrow(utc_offset_minutes)
        return self.bucket.label(narrow(value) if narrow is not None else value)


_REGENCY_LENGTH: Final = 5

STAT_KEYS: Final[Mapping[str, StatKey]] = MappingProxyType(
    {
        key.name: key
        for key in (
            StatKey("province", "region", Prefix(2, 1)),
            StatKey("regency", "region", Prefix(_REGENCY_LENGTH, _REGENCY_LENGTH)),
            StatKey("topic", "category"),
            StatKey("status", "status"),
            StatKey("institution", "institution"),
            StatKey("kind", "kind"),
            StatKey("channel", "channel"),
            StatKey("month", "submitted_at", Month()),
            StatKey("unit", "unit", grouping=False),
            StatKey("confidential", "confidential", Flag(), grouping=False),
            StatKey("anonymous", "anonymous", Flag(), grouping=False),
        )
    }
)
"""Every statistics key, in order: the one definition the in-memory and the SQL counts derive from.

``province`` is the region code's first two characters, ``regency`` its first five when the region is a
regency or below (else None), ``topic`` the category, ``status``/``kind``/``channel`` their enum values,
``institution`` and ``unit`` the codes, ``month`` ``YYYY-MM`` of ``submitted_at`` at the query's UTC offset,
``confidential`` and ``anonymous`` the flags. A complaint without a value gives None.
"""

GROUP_KEYS: Final = tuple(name for name, key in STAT_KEYS.items() if key.grouping)
"""What statistics can be grouped by: region (province ``31``, regency ``31.71``), topic (the category),
status, institution, kind, channel and month of submission (``2026-03``)."""

COUNT_KEYS: Final = tuple(STAT_KEYS)
"""What a :class:`CountQuery` can group by: the group keys and the fields the access policy reads."""


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


_MAX_OFFSET_MINUTES: Final = 24 * 60
_utc_offset = v.whole_number(-_MAX_OFFSET_MINUTES, _MAX_OFFSET_MINUTES, code=N_("number.out_of_range"))
_COUNT_RULES: Final = (("group_by", _group_keys(COUNT_KEYS)), ("utc_offset_minutes", _utc_offset))


@attrs.frozen(init=False)
class CountQuery:
    """What :meth:`~lapor_core._domain.ports.StatisticsStore.count_complaints` counts, and how it groups them.

    It counts the complaints matching ``filters`` (the value a listing uses too), grouped by ``group_by``. A
    row's key has one value per ``group_by`` key, in its order, as :data:`STAT_KEYS` defines it (months at
    ``utc_offset_minutes``). Validated and normalised when made, so no store sees junk and every store
    answers alike.

    Besides ``filters=``, the constructor takes the shorthands ``statuses``, ``institutions``,
    ``region_prefix``, ``categories``, ``kinds``, ``channels``, ``confidential``, ``submitted_from`` and
    ``submitted_before``, which set those filters (``region_prefix`` sets ``region``).

    Attributes:
        group_by: Keys from :data:`COUNT_KEYS` as a list or tuple, no repeats (may be empty: one row with
            the total); kept as a tuple.
        filters: Which complaints are counted.
        utc_offset_minutes: The offset months are read at.

    Raises:
        ValidationError: Listing every bad field: a key unknown or repeated, a bad filter (named by the
            keyword it was given as), or an offset that is not a whole number of minutes within a day.

    >>> CountQuery(("province", "status"), statuses={"forwarded"}).group_by
    ('province', 'status')
    >>> CountQuery([], region_prefix="3171").filters.region
    '31.71'
    """

    group_by: tuple[str, ...]
    filters: Filters
    utc_offset_minutes: int

    def __init__(
        self,
        group_by: Sequence[str],
        *,
        filters: Filters | None = None,
        statuses: Iterable[str] | None = None,
        institutions: Iterable[str] | None = None,
        region_prefix: str | None = None,
        categories: Iterable[str] | None = None,
        kinds: Iterable[str] | None = None,
        channels: Iterable[str] | None = None,
        confidential: bool | None = None,
        submitted_from: datetime | None = None,
        submitted_before: datetime | None = None,
        utc_offset_minutes: int = DEFAULT_UTC_OFFSET_MINUTES,
    ) -> None:
        shorthands = {
            "statuses": ("statuses", statuses),
            "institutions": ("institutions", institutions),
            "region_prefix": ("region", region_prefix),
            "categories": ("categories", categories),
            "kinds": ("kinds", kinds),
            "channels": ("channels", channels),
            "confidential": ("confidential", confidential),
            "submitted_from": ("submitted_from", submitted_from),
            "submitted_before": ("submitted_before", submitted_before),
        }
        errors: list[FieldError] = []
        chosen = _ANY
        try:
            chosen = with_keywords(filters, shorthands)
        except ValidationError as error:
            errors += error.errors
        cleaned, bad = v.apply_rules(
            _COUNT_RULES, {"group_by": group_by, "utc_offset_minutes": utc_offset_minutes}
        )
        errors = bad + errors
        if errors:
            raise ValidationError(errors)
        object.__setattr__(self, "group_by", cleaned["group_by"])
        object.__setattr__(self, "filters", chosen)
        object.__setattr__(self, "utc_offset_minutes", cleaned["utc_offset_minutes"])

    def matches(self, c: Complaint) -> bool:
        """Whether ``c`` passes every filter (:meth:`Filters.matches`)."""
        return self.filters.matches(c)

    def key_of(self, c: Complaint) -> tuple[KeyValue, ...]:
        """The values of ``group_by`` for ``c``, as :func:`count_rows` reads them (see :func:`key_reader`)."""
        return key_reader(self)(c)


_ANY: Final = Filters()


@attrs.frozen
class CountRow:
    """One group of a count: its key values (in the query's ``group_by`` order) and how many complaints."""

    key: tuple[KeyValue, ...]
    count: int


def _sort_key(key: tuple[KeyValue, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((value is None, str(value)) for value in key)


def count_rows(complaints: Iterable[Complaint], query: CountQuery) -> list[CountRow]:
    """Count ``complaints`` that match ``query``, by its keys: the one count in Python, and the reference.

    The in-memory store, the desk's paged fallback and the tests use it; every store must agree with it. There
    is one row per non-empty group, in no particular order. It reads each complaint's columns once, counts the
    distinct combinations, and makes the key values (:data:`STAT_KEYS`) once per combination.

    >>> from lapor_core.testing.builders import complaint, location
    >>> rows = count_rows([complaint(location=location("31.71.01")), complaint()], CountQuery(["regency"]))
    >>> {row.key: row.count for row in rows}
    {('31.71',): 1, (None,): 1}
    """
    items: Iterable[Complaint] = complaints
    for test in query.filters.tests:
        items = filter(test, items)
    read, finish = _reader(query)
    counts: Counter[tuple[KeyValue, ...]] = Counter()
    for value, count in Counter(map(read, items)).items():
        counts[finish(value)] += count
    return [CountRow(key, count) for key, count in counts.items()]


def _reader(query: CountQuery) -> tuple[Callable[[Complaint], Any], Callable[[Any], tuple[KeyValue, ...]]]:
    """How a count reads a complaint (its keys' columns, cut where a bucket says) and makes the key.

    ``read`` gives one value per distinct cell the keys need (the value itself when there is one), cheap
    to count; ``finish`` turns such a value into the row key once per distinct value. ``read`` runs a
    million times per table, so it is compiled from the keys' definitions into one function (like the
    methods attrs writes): one Python call per complaint instead of one per key. Only the fixed definitions
    of :data:`STAT_KEYS` reach the generated code, never a request's values.
    """
    keys = [STAT_KEYS[name] for name in query.group_by]
    offset = query.utc_offset_minutes
    names: dict[str, object] = {}
    columns = list(dict.fromkeys(key.column for key in keys))
    variables = {column: f"_c{index}" for index, column in enumerate(columns)}
    cell_of = [key.bucket.row_expression(variables[key.column], offset, names) for key in keys]
    cells = list(dict.fromkeys(cell_of))
    if not cells:
        return _nothing, lambda _value: ()
    assignments = "".join(f"    {variables[column]} = c.{column}\n" for column in columns)
    body = cells[0] if len(cells) == 1 else f"({', '.join(cells)},)"
    source = f"def read(c):\n{assignments}    return {body}\n"
    exec(compile(source, f"<count reader {', '.join(query.group_by)}>", "exec"), names)  # noqa: S102
    read = cast("Callable[[Complaint], Any]", names["read"])
    parts = [(cells.index(cell), key.bucket.label) for key, cell in zip(keys, cell_of, strict=True)]
    if len(cells) == 1:
        return read, lambda value: tuple([label(value) for _, label in parts])
    return read, lambda value: tuple([label(value[index]) for index, label in parts])


def key_reader(query: CountQuery) -> Callable[[Complaint], tuple[KeyValue, ...]]:
    """The row key of one complaint for ``query``, read as :func:`count_rows` reads it."""
    read, finish = _reader(query)
    return lambda c: finish(read(c))


def _nothing(_c: Complaint) -> None:
    return None


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


StatsFilters = Filters
"""Deprecated name of :class:`~lapor_core._domain.filters.Filters` (statistics filter as listings do)."""


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


class Visibility(enum.StrEnum):
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
        "institution": tuple(dict.fromkeys((None, principal.institution))),
        "unit": tuple(dict.fromkeys((None, principal.unit))),
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
        for institution in dict.fromkeys((None, principal.institution))
        for unit in dict.fromkeys((None, principal.unit))
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
    filters: Filters
    policy_keys: tuple[str, ...]
    utc_offset_minutes: int = DEFAULT_UTC_OFFSET_MINUTES

    @property
    def shown_query(self) -> CountQuery:
        """Counts by the requested keys, the status and the policy keys, with the exact filters.

        The status is always among the keys: merged duplicates are told apart from the other complaints
        by it (issue 22), so that each matter counts once.
        """
        wanted = dict.fromkeys(("status", *self.policy_keys))
        extra = tuple(key for key in wanted if key not in self.group_by)
        return CountQuery(
            (*self.group_by, *extra), filters=self.filters, utc_offset_minutes=self.utc_offset_minutes
        )

    @property
    def pooled_query(self) -> CountQuery | None:
        """Counts of published confidential complaints by pool, with filters widened to whole pools.

        None when the principal may see every complaint.
        """
        if not self.policy_keys:
            return None
        extra = tuple(key for key in self.policy_keys if key not in GROUP_KEYS)
        given = self.filters
        start, end = self._whole_months()
        widened = attrs.evolve(
            given,
            statuses=PUBLISHED if given.statuses is None else given.statuses & PUBLISHED,
            region=None if given.region is None else given.region[:_REGENCY_LENGTH],
            confidential=True,
            submitted_from=start,
            submitted_before=end,
        )
        return CountQuery((*GROUP_KEYS, *extra), filters=widened, utc_offset_minutes=self.utc_offset_minutes)

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
    parsed = Filters()
    try:
        keys = parse_group_by(group_by)
    except ValidationError as e:
        errors += e.errors
    try:
        parsed = Filters.from_dict(filters)
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
    """The rows a principal receives: group keys, ``count``, ``merged`` and ``suppressed``, sorted by key.

    A merged duplicate (status ``merged``) is the same matter as its original, which counts already: it adds
    to ``merged``, never to ``count`` (issue 22).

    ``shown_rows`` answer ``plan.shown_query``; ``pooled_rows`` answer ``plan.pooled_query``, or, when the
    pools are uniform for the principal (:func:`pools_are_uniform`), ``pool_cells`` give them already rolled
    up (:func:`roll_up_pools` of ``plan.pools_query`` by ``plan.group_by``) and ``pooled_rows`` are ignored.
    """
    width = len(plan.group_by)
    counts: Counter[tuple[KeyValue, ...]] = Counter()
    merged: Counter[tuple[KeyValue, ...]] = Counter()
    suppressed: set[tuple[KeyValue, ...]] = set()
    names = plan.shown_query.group_by
    status_at = names.index("status")
    of = _classifier_for(names, classify) if plan.policy_keys else None
    for row in shown_rows:
        if of is not None and of(row.key) is not Visibility.SHOWN:
            continue
        tally = merged if row.key[status_at] == _MERGED else counts
        tally[row.key[:width]] += row.count
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
    cells = sorted(counts.keys() | merged.keys() | suppressed, key=_sort_key)
    return [
        {
            **dict(zip(plan.group_by, cell, strict=True)),
            "count": counts[cell],
            "merged": merged[cell],
            "suppressed": cell in suppressed,
        }
        for cell in cells
    ]


_MERGED: Final = Status.MERGED.value


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
