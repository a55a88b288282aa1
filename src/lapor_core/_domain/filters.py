"""Which complaints a listing or a count reads: one :class:`Filters` value, its test, its ``filters=`` reader.

A :class:`~lapor_core._domain.ports.ComplaintQuery` (listing) and a
:class:`~lapor_core._domain.stats.CountQuery` (counting) both hold a :class:`Filters`; the desk's
``filters=`` argument of statistics, maps and exports is read into one by :meth:`Filters.from_dict`.
:meth:`Filters.matches` is the one test in Python (the in-memory store, the desk's paged fallback, the
reference every store must agree with); the SQL store turns the same value into one ``WHERE`` clause.

Two filters serve listings only, never counts: ``text`` (keywords in the title or body) and ``owner_hash``
(the complaints of one signed-in citizen, set by :meth:`~lapor_core.ComplaintDesk.my_complaints`). The
``filters=`` reader takes neither: counts include confidential complaints, and a count of the complaints
holding a word would tell whether a confidential one holds it.

Example:
    >>> filters = Filters(statuses={"forwarded"}, region="3171", categories={"waste"})
    >>> filters.region, sorted(filters.statuses)
    ('31.71', [<Status.FORWARDED: 'forwarded'>])
    >>> Filters.from_dict({"status": "forwarded", "region": "3171", "category": "waste"}) == filters
    True
"""

from __future__ import annotations

import functools
import operator
import warnings
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Final, TypeVar

import attrs

from lapor_core._domain import rules as v
from lapor_core._domain.complaint import Complaint
from lapor_core._domain.lifecycle import Escalation, Status
from lapor_core._domain.model import Channel, Kind
from lapor_core._domain.regions import region_code_rule, within
from lapor_core._domain.text import search_words
from lapor_core._domain.topics import topic_id_rule
from lapor_core.errors import FieldError, ValidationError

__all__ = [
    "MAX_FILTER_VALUE",
    "MAX_TEXT_LENGTH",
    "MAX_TEXT_WORDS",
    "Filters",
    "in_region",
    "regency_of",
    "searchable",
]

_T = TypeVar("_T")

MAX_FILTER_VALUE: Final = 64
"""The longest value a filter holds: a code or a topic ID."""

MAX_TEXT_LENGTH: Final = 200
"""The longest keyword query :attr:`Filters.text` takes, in characters."""

MAX_TEXT_WORDS: Final = 10
"""The most distinct words a keyword query holds: each is one more ``LIKE`` for a store to run."""

_WIB: Final = timezone(timedelta(hours=7))  # whole days of ``filters=`` run on WIB, the national admin's time
_DATE_LENGTH: Final = len("YYYY-MM-DD")
_REGENCY_PARTS: Final = 2

Test = Callable[[Complaint], bool]
"""One filter's test of a complaint."""


@functools.lru_cache(maxsize=4096)  # regions repeat: each pair is decided once
def in_region(region: str | None, prefix: str) -> bool:
    """Whether a stored region lies in ``prefix`` (:func:`~lapor_core._domain.regions.within`).

    A stored value that is no region code lies nowhere. The SQL store's one expression of the same test is
    a byte range (``region = p OR region >= 'p.' AND region < 'p/'``).

    >>> in_region("31.71.01", "31"), in_region("31.7", "31"), in_region(None, "31")
    (True, False, False)
    """
    try:
        return within(region, prefix)
    except ValidationError:
        return False


def regency_of(region: str | None) -> str | None:
    """The regency or city a stored region lies in: its first two parts, or None for a province or no region.

    ``in_region(region, r)`` for a regency code ``r`` is ``regency_of(region) == r``: the SQL store keeps this
    value in its ``regency`` column, so a regency's complaints are one equality on an index in listing order
    rather than a range of the region index read whole and sorted.

    >>> [regency_of(region) for region in ("32.73.16", "32.73.16.1001", "32.73", "32", None)]
    ['32.73', '32.73', '32.73', None, None]
    """
    if region is None:
        return None
    parts = region.split(".", 2)
    return None if len(parts) < _REGENCY_PARTS else f"{parts[0]}.{parts[1]}"


def searchable(title: str, body: str) -> str:
    """The words keyword search looks in: those of ``title`` and ``body``, each once, joined by spaces.

    The SQL store keeps this text in its ``search_text`` column and tests each query word with ``LIKE``;
    :meth:`Filters.matches` tests the same text, so every store answers alike. A query word (never holding
    a space) lies in this text exactly when it lies inside a word of the title or of the body.

    >>> searchable("Lampu jalan MATI", "Lampu di Jl. Melati mati sejak Senin.")
    'lampu jalan mati di jl melati sejak senin'

    A value that is no text (a broken record handed to a store) has no words, so the store's own check of
    the column (NOT NULL) is what refuses it.
    """
    words = (search_words(part) if isinstance(part, str) else () for part in (title, body))
    return " ".join(dict.fromkeys(word for found in words for word in found))


# --- the rules: one per kind of value, shared by the constructor and the ``filters=`` reader ---------------


def _item(kind: Callable[[str], _T]) -> Callable[[object], _T]:
    """One filter value: non-empty text of at most 64 characters, stripped, then read by ``kind``."""

    def rule(raw: object) -> _T:
        if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_FILTER_VALUE:
            raise v.Invalid("filter.value_bad", max=MAX_FILTER_VALUE)
        return kind(raw.strip())  # a StrEnum member strips to its value

    return rule


def _code(text: str) -> str:
    return text


def _topic(text: str) -> str:
    found = topic_id_rule(text)
    assert found is not None  # noqa: S101 - the text is not blank
    return found


_ITEMS: Final[Mapping[str, Callable[[object], Any]]] = {
    "statuses": _item(v.choice(Status)),
    "institutions": _item(_code),
    "units": _item(_code),
    "categories": _item(_topic),
    "kinds": _item(v.choice(Kind)),
    "channels": _item(v.choice(Channel)),
    "escalations": _item(v.choice(Escalation)),
}


def _collection(item: Callable[[object], _T]) -> Callable[[object], frozenset[_T] | None]:
    """A filter of several values built in code: None (any) or a collection (empty: matches nothing)."""

    def rule(value: object) -> frozenset[_T] | None:
        if value is None:
            return None
        if not isinstance(value, list | tuple | set | frozenset):
            raise v.Invalid("filter.not_collection", type=v.type_name(value))
        return frozenset(item(raw) for raw in value)

    return rule


def _given(item: Callable[[object], _T]) -> Callable[[object], frozenset[_T] | None]:
    """A filter of the ``filters=`` argument: None (any), one value, or a non-empty list of them."""

    def rule(value: object) -> frozenset[_T] | None:
        if value is None:
            return None
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list | tuple | set | frozenset) or not items:
            raise v.Invalid("filter.not_values")
        return frozenset(item(raw) for raw in items)

    return rule


def _aware(value: object) -> datetime | None:
    """A bound built in code: None (open) or an aware datetime in the range of the instant rule."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise v.Invalid("value.not_datetime", type=v.type_name(value))
    return v.instant(value)


_QUERY_TEXT: Final = v.text(required=True, max_length=MAX_TEXT_LENGTH)


def _keywords(value: object) -> str | None:
    """A keyword query: None (any), or one line of at most 200 characters holding 1 to 10 distinct words.

    Kept as its folded words (:func:`~lapor_core._domain.text.search_words`), once each, joined by spaces;
    those must fit in 200 characters too (a ligature or ``"\ufdfa"`` folds into several letters), so the
    kept value passes this rule again unchanged (``attrs.evolve`` runs it).
    """
    if value is None:
        return None
    text = _QUERY_TEXT(value)
    assert text is not None  # noqa: S101 - a required rule never returns None
    words = tuple(dict.fromkeys(search_words(text)))
    if not words:
        raise v.Invalid("filter.text_no_words")
    if len(words) > MAX_TEXT_WORDS:
        raise v.Invalid("filter.text_too_many_words", max=MAX_TEXT_WORDS, actual=len(words))
    folded = " ".join(words)
    if len(folded) > MAX_TEXT_LENGTH:
        raise v.Invalid("text.too_long", max=MAX_TEXT_LENGTH, actual=len(folded))
    return folded


def _owner(value: object) -> str | None:
    return None if value is None else _item(_code)(value)


def _optional_flag(value: object) -> bool | None:
    return None if value is None else v.flag(value)


def _in_order(start: datetime | None, end: datetime | None) -> None:
    """Refuse a period whose end is not after its start (either side may be open)."""
    if start is not None and end is not None and not start < end:
        raise v.Invalid("filter.period_reversed")


def _bound(raw: object, *, end: bool) -> datetime | None:
    """A period bound of ``filters=``, checked by the shared rules of :mod:`lapor_core._domain.rules`.

    An aware datetime (or ISO 8601 text with an offset) is taken as it is; a date (or ``YYYY-MM-DD`` text)
    is the start of that day in WIB, of the next day for ``end``.

    The rules' ranges keep every bound where stores can hold it and months can be counted without overflow.
    """
    if raw is None:
        return None
    is_day = isinstance(raw, date) and not isinstance(raw, datetime)
    if is_day or (isinstance(raw, str) and len(raw.strip()) == _DATE_LENGTH):
        day = v.calendar_date(raw)
        return datetime.combine(day + timedelta(days=1) if end else day, time(), _WIB)
    if isinstance(raw, datetime | str):
        return v.instant(raw)
    raise v.Invalid("filter.period_bound_bad", type=v.type_name(raw))


def _period(value: object) -> tuple[datetime | None, datetime | None]:
    """The ``period`` of ``filters=``: ``(start, end)`` read as :func:`_bound` says, in order."""
    if value is None:
        return None, None
    if not isinstance(value, list | tuple) or len(value) != 2:  # noqa: PLR2004 - (start, end)
        raise v.Invalid("filter.period_not_pair")
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


# --- the value ---------------------------------------------------------------------------------------------


def _field(name: str) -> Any:
    return attrs.field(default=None, metadata=v.rule(_collection(_ITEMS[name])))


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class Filters:
    """Which complaints a listing or a count reads; ``None`` means "any" for every field.

    Each field of several values takes a collection (a list, tuple or set; an empty one matches nothing) of
    values or, for statuses, kinds and channels, their enum members; each value is a code or ID of at most
    64 characters. Filters built in code may select nothing (an empty collection, an empty period); the
    ``filters=`` reader refuses both as a person's slip. Validated and normalised when made, so every
    store reads the same filters alike.

    Attributes:
        statuses: Only these statuses.
        institutions: Only complaints currently at one of these institutions.
        units: Only complaints currently assigned to one of these units.
        region: Only locations whose region code is this code or lies inside it (``"31"`` holds
            ``"31.71.01"``); given dotted or not, kept dotted.
        categories: Only these topic IDs (pass ``TopicTree.subtree_ids(...)`` for a whole branch).
        kinds: Only these report kinds.
        channels: Only these intake channels.
        confidential: Only complaints with this confidential flag.
        submitted_from: Submitted at or after this aware instant.
        submitted_before: Submitted strictly before this aware instant (one at or before
            ``submitted_from`` matches nothing).
        escalations: Only complaints whose escalation to the Ombudsman is in one of these states (``open``,
            ``concluded``): the Ombudsman's inbox. A listing filter only: the ``filters=`` argument of
            statistics does not take it, since it would cut the pools that keep confidential counts whole.
        text: Only complaints whose title or body holds every word of this keyword query, inside a word
            (``"lampu"`` finds ``"lampunya"``), whatever the case, accents and punctuation: at most
            :data:`MAX_TEXT_LENGTH` characters and :data:`MAX_TEXT_WORDS` distinct words, kept as its
            folded words (``"Lampu  JALAN!"`` is ``"lampu jalan"``). A listing filter only: the desk lists
            what the principal may see among the matches, so a hidden complaint's words find nothing.
        owner_hash: Only complaints submitted by the portal account with this keyed hash
            (``Complaint.owner_hash``). A listing filter the desk sets for
            :meth:`~lapor_core.ComplaintDesk.my_complaints`; ``desk.complaints`` refuses it from callers.

    Raises:
        ValidationError: Listing every bad field.

    >>> Filters(kinds=["aspirasi"], region="3171")
    Filters(statuses=None, institutions=None, units=None, region='31.71', categories=None, \
kinds=frozenset({<Kind.ASPIRASI: 'aspirasi'>}), channels=None, confidential=None, submitted_from=None, \
submitted_before=None, escalations=None, text=None, owner_hash=None)
    >>> Filters(text="Lampu  JALAN! lampu").text
    'lampu jalan'
    """

    statuses: frozenset[Status] | None = _field("statuses")
    institutions: frozenset[str] | None = _field("institutions")
    units: frozenset[str] | None = _field("units")
    region: str | None = attrs.field(default=None, metadata=v.rule(region_code_rule))
    categories: frozenset[str] | None = _field("categories")
    kinds: frozenset[Kind] | None = _field("kinds")
    channels: frozenset[Channel] | None = _field("channels")
    confidential: bool | None = attrs.field(default=None, metadata=v.rule(_optional_flag))
    submitted_from: datetime | None = attrs.field(default=None, metadata=v.rule(_aware))
    submitted_before: datetime | None = attrs.field(default=None, metadata=v.rule(_aware))
    escalations: frozenset[Escalation] | None = _field("escalations")
    text: str | None = attrs.field(default=None, metadata=v.rule(_keywords))
    owner_hash: str | None = attrs.field(default=None, metadata=v.rule(_owner))
    _tests: tuple[Test, ...] = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_tests", _tests_of(self))

    @property
    def tests(self) -> tuple[Test, ...]:
        """One test per filter in use, the cheapest first (none: every complaint matches).

        Chaining ``filter(test, ...)`` over them is how the in-memory counts read a million complaints.
        """
        return self._tests

    def matches(self, complaint: Complaint) -> bool:
        """Whether ``complaint`` passes every filter: the reference every store's answer must agree with.

        >>> from lapor_core.testing.builders import complaint, location
        >>> Filters(region="31").matches(complaint(location=location("31.71.01")))
        True
        """
        for test in self._tests:  # noqa: SIM110 - a loop, not all(): listings call this per stored complaint
            if not test(complaint):
                return False
        return True

    @classmethod
    def from_dict(cls, filters: Mapping[str, object] | None) -> Filters:
        """Read the ``filters=`` argument of the desk's statistics, maps and exports.

        Keys (each optional): ``status``, ``institution``, ``category``, ``kind``, ``channel`` (one value or
        a non-empty list), ``region`` (a region code, dotted or not) and ``period``: ``(start, end)``, each
        a date (whole days in WIB, ``end`` included), an aware datetime (``end`` excluded), ISO 8601 text of
        either, or None (open).

        Raises:
            ValidationError: Naming every unknown key and every bad value (``filters.<key>``).

        >>> Filters.from_dict({"kind": "aspirasi", "colour": "red"})
        Traceback (most recent call last):
        lapor_core.errors.ValidationError: invalid input: filters.colour: unknown field
        >>> Filters.from_dict({"period": ("2026-03-01", "9999-12-31")}).submitted_from
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

    @classmethod
    def from_mapping(cls, filters: Mapping[str, object] | None) -> Filters:
        """Deprecated spelling of :meth:`from_dict` (``StatsFilters.from_mapping``), removed in 0.3."""
        warnings.warn(
            "StatsFilters.from_mapping is deprecated: use lapor_core Filters.from_dict",
            DeprecationWarning,
            stacklevel=2,
        )
        return cls.from_dict(filters)


def _tests_of(f: Filters) -> tuple[Test, ...]:
    """The tests of the filters in use, the cheapest first; enum members compare equal to their values."""
    tests: list[Test] = []
    if f.confidential is not None:
        flag = f.confidential
        tests.append(lambda c: c.confidential is flag)
    for attribute, values in (
        ("status", f.statuses),
        ("kind", f.kinds),
        ("channel", f.channels),
        ("institution", f.institutions),
        ("unit", f.units),
        ("category", f.categories),
        ("escalation", f.escalations),
    ):
        if values is not None:
            tests.append(_member_of(operator.attrgetter(attribute), values))
    if f.submitted_from is not None:
        start = f.submitted_from
        tests.append(lambda c: c.submitted_at >= start)
    if f.submitted_before is not None:
        end = f.submitted_before
        tests.append(lambda c: c.submitted_at < end)
    if f.owner_hash is not None:
        owner = f.owner_hash
        tests.insert(0, lambda c: c.owner_hash == owner)
    if f.region is not None:
        prefix = f.region
        tests.append(lambda c: in_region(c.region, prefix))
    if f.text is not None:  # the dearest: it folds the whole text of each complaint it is asked about
        words = f.text.split(" ")
        tests.append(lambda c: _holds_all(searchable(c.title, c.body), words))
    return tuple(tests)


def _holds_all(text: str, words: list[str]) -> bool:
    return all(word in text for word in words)


def _member_of(get: Callable[[Complaint], object], allowed: frozenset[Any]) -> Test:
    return lambda c: get(c) in allowed


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class _FiltersArgument:
    """The ``filters=`` mapping as :meth:`Filters.from_dict` reads it: its keys, the same value rules."""

    status: frozenset[Status] | None = attrs.field(default=None, metadata=v.rule(_given(_ITEMS["statuses"])))
    institution: frozenset[str] | None = attrs.field(
        default=None, metadata=v.rule(_given(_ITEMS["institutions"]))
    )
    region: str | None = attrs.field(default=None, metadata=v.rule(region_code_rule))
    period: tuple[datetime | None, datetime | None] = attrs.field(
        default=(None, None), metadata=v.rule(_period)
    )
    category: frozenset[str] | None = attrs.field(default=None, metadata=v.rule(_given(_ITEMS["categories"])))
    kind: frozenset[Kind] | None = attrs.field(default=None, metadata=v.rule(_given(_ITEMS["kinds"])))
    channel: frozenset[Channel] | None = attrs.field(
        default=None, metadata=v.rule(_given(_ITEMS["channels"]))
    )


def with_keywords(filters: object, keywords: Mapping[str, tuple[str, object]]) -> Filters:
    """``filters`` (a :class:`Filters` or None) with fields set by the shorthand keywords of a query.

    ``keywords`` maps each keyword to the field it sets and its value (None: not given); a query's
    constructor uses it so that ``ComplaintQuery(category="waste")`` and ``CountQuery(..., kinds=...)`` keep
    working beside ``filters=``.

    Raises:
        ValidationError: ``filters`` is no Filters (field ``filters``, ``filter.wrong_type``), or a keyword's
            value is bad (each named by its keyword).
    """
    if filters is not None and not isinstance(filters, Filters):
        raise ValidationError.single("filters", "filter.wrong_type", type=v.type_name(filters))
    base = filters if filters is not None else _ANY
    given = {keyword: change for keyword, change in keywords.items() if change[1] is not None}
    if not given:
        return base
    keyword_of = {field: keyword for keyword, (field, _) in given.items()}
    changes: dict[str, Any] = dict(given.values())
    try:
        return attrs.evolve(base, **changes)
    except ValidationError as error:
        raise ValidationError(
            [
                FieldError(keyword_of.get(e.field.split(".")[0], e.field), e.code, e.params)
                for e in error.errors
            ]
        ) from None


_ANY: Final = Filters()
