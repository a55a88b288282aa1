"""Policy-opinion polls (Opini Kebijakan): the poll, its ballots' counts and its published results.

An institution drafts a poll (:class:`PollDraft`), opens it, may extend it or close it early, and every
change is appended to the poll's history. Verified citizens in the poll's audience vote while it is open;
each ballot moves per-option counters (a :class:`Tally`) in the same store operation, so results are read
from the counters and a full recount (:func:`count_ballots`) always gives the same numbers.

Results (:func:`compute_results`) give each option's votes, share and Wilson 95% interval, and breakdowns
by province and regency in which every cell under the threshold (default 10) is suppressed, along with
enough other cells that a suppressed one cannot be worked out by subtraction from its row or column.

Everything here is pure: no I/O, no clock; the application layer (:mod:`lapor_core._application.polls`)
supplies the time, the principal and the store.

Example:
    >>> draft = PollDraft.from_dict({
    ...     "question": "Setujukah Anda jam belajar sekolah dimulai pukul 08.00?",
    ...     "options": ["Setuju", "Tidak setuju", "Ragu-ragu"],
    ...     "audience": ["31", "3273"],
    ...     "opens_at": "2026-04-01T08:00:00+07:00",
    ...     "closes_at": "2026-04-15T08:00:00+07:00",
    ...     "results": "live",
    ... })
    >>> draft.audience, draft.max_choices, draft.results
    (('31', '32.73'), 1, <ResultVisibility.LIVE: 'live'>)
    >>> draft.admits("31.71.01"), draft.admits("32.04"), draft.admits(None)
    (True, False, False)
"""

from __future__ import annotations

import collections
import enum
import functools
import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from statistics import NormalDist
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, TypeGuard

import attrs

from lapor_core import _i18n
from lapor_core._domain import rules as v
from lapor_core._domain.history import Actor, _freeze, _thaw
from lapor_core._domain.regions import RegionTable, normalize_code
from lapor_core._i18n import N_
from lapor_core.errors import (
    FieldError,
    NotFound,
    PollTransitionNotAllowed,
    ValidationError,
)

if TYPE_CHECKING:
    from statemachine import StateMachine

__all__ = [
    "DEFAULT_THRESHOLD",
    "MAX_FIND",
    "NATIONAL",
    "NOT_YET_OPEN",
    "TRANSITIONS",
    "Ballot",
    "BallotCast",
    "CastOutcome",
    "OptionResult",
    "Poll",
    "PollAction",
    "PollChange",
    "PollDraft",
    "PollLifecycle",
    "PollResults",
    "PollState",
    "RegionCount",
    "RegionResult",
    "ResultVisibility",
    "RevotePolicy",
    "Tally",
    "check_find_limit",
    "check_poll_id",
    "check_threshold",
    "coarse_region",
    "compute_results",
    "count_ballots",
    "suppressed_cells",
    "wilson_interval",
]

QUESTION_MAX: Final = 300
DESCRIPTION_MAX: Final = 4000
OPTION_MAX: Final = 200
MIN_OPTIONS: Final = 2
MAX_OPTIONS: Final = 20
LINK_MAX: Final = 500
MAX_LINKS: Final = 10
MAX_AUDIENCE: Final = 1000
MAX_FIND: Final = 1000
"""The most polls one :meth:`~lapor_core._domain.ports.PollStore.find` returns."""
DEFAULT_THRESHOLD: Final = 10
"""Breakdown cells with fewer ballots or votes than this are suppressed."""
Z_95: Final = NormalDist().inv_cdf(0.975)
"""The standard normal quantile of a two-sided 95% interval (1.959963984540054)."""

_POLL_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
_LINK: Final = re.compile(r"https?://[^\s<>\"'\x00-\x1f\x7f]+", re.IGNORECASE)
_MAX_REGION_TEXT: Final = 64
_MAX_VOTER: Final = 64  # a keyed hash in hex; the SQL stores' column is this wide
_SEAL_LIMIT: Final = 1 << 63  # a seal is XORed with a 63-bit reference kept in a signed BIGINT
_PROVINCE: Final = re.compile(r"[0-9]{2}")
_REGENCY: Final = re.compile(r"[0-9]{2}\.[0-9]{2}")
_PROVINCE_LENGTH: Final = 2
_REGENCY_LENGTH: Final = 5
_BALLOTS: Final = -1  # the column of a breakdown row holding its ballot count
# A national audience is None; drafts written before the converter owned the dictionary form say "national".
_NATIONAL_SPELLING: Final = "national"


class ResultVisibility(enum.StrEnum):
    """When a poll's results are published."""

    LIVE = "live"
    AFTER_CLOSE = "after_close"

    def label(self, locale: str = "id") -> str:
        """The rule as a person reads it, in ``locale`` (Indonesian unless asked otherwise).

        >>> ResultVisibility.LIVE.label(), ResultVisibility.AFTER_CLOSE.label("en")
        ('langsung selama pemungutan suara', 'after closing')
        """
        return _i18n.translate(_RESULT_LABELS[self], locale)


class RevotePolicy(enum.StrEnum):
    """What a second vote by the same person does while the poll is open."""

    REPLACE = "replace"
    REFUSE = "refuse"

    def label(self, locale: str = "id") -> str:
        """The policy as a person reads it, in ``locale`` (Indonesian unless asked otherwise).

        >>> RevotePolicy.REPLACE.label(), RevotePolicy.REFUSE.label("en")
        ('suara baru menggantikan suara sebelumnya', 'a second vote is refused')
        """
        return _i18n.translate(_REVOTE_LABELS[self], locale)


class PollState(enum.StrEnum):
    """The recorded state of a poll: draft -> open -> closed."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"

    def label(self, locale: str = "id") -> str:
        """The state's name in ``locale`` (Indonesian unless asked otherwise).

        >>> PollState.OPEN.label(), PollState.CLOSED.label("en")
        ('Dibuka', 'Closed')
        """
        return _i18n.translate(_STATE_LABELS[self], locale)


class PollAction(enum.StrEnum):
    """What a poll's history records."""

    CREATE = "create"
    EDIT = "edit"
    OPEN = "open"
    EXTEND = "extend"
    CLOSE = "close"

    def label(self, locale: str = "id") -> str:
        """The action's name in ``locale`` (Indonesian unless asked otherwise).

        >>> PollAction.EXTEND.label(), PollAction.EXTEND.label("en")
        ('Diperpanjang', 'Extended')
        """
        return _i18n.translate(_ACTION_LABELS[self], locale)


_RESULT_LABELS: Final = {
    ResultVisibility.LIVE: N_("poll.results.live"),
    ResultVisibility.AFTER_CLOSE: N_("poll.results.after_close"),
}
_REVOTE_LABELS: Final = {
    RevotePolicy.REPLACE: N_("poll.revote.replace"),
    RevotePolicy.REFUSE: N_("poll.revote.refuse"),
}
_STATE_LABELS: Final = {
    PollState.DRAFT: N_("poll.status.draft"),
    PollState.OPEN: N_("poll.status.open"),
    PollState.CLOSED: N_("poll.status.closed"),
}
_ACTION_LABELS: Final = {
    PollAction.CREATE: N_("poll.action.create"),
    PollAction.EDIT: N_("poll.action.edit"),
    PollAction.OPEN: N_("poll.action.open"),
    PollAction.EXTEND: N_("poll.action.extend"),
    PollAction.CLOSE: N_("poll.action.close"),
}
NOT_YET_OPEN: Final = "not yet open"
"""The ``state`` of :class:`~lapor_core.errors.PollTransitionNotAllowed` for a vote before an opened poll's
window; its label is the catalogue's ``poll.status.not_yet_open``, as a state's is ``poll.status.<state>``."""
_NOT_YET_OPEN_LABEL: Final = N_("poll.status.not_yet_open")


# --- the lifecycle ------------------------------------------------------------------------------------------


def _machine() -> type[StateMachine]:
    from statemachine import StateMachine  # noqa: PLC0415 - the machine loads on the first transition
    from statemachine.states import States  # noqa: PLC0415

    class PollLifecycle(StateMachine):
        """A poll's flow as a state machine: draft -> open -> closed.

        The states are :class:`PollState`, listed once; the events are :class:`PollAction` values (``create``
        is the initial ``draft`` itself). A draft is edited, then opened; an open poll is extended while its
        closing time is ahead (the ``closing_ahead`` condition of the model) and closed, early or late.
        """

        _ = States.from_enum(PollState, initial=PollState.DRAFT, final=[PollState.CLOSED])

        edit = _.DRAFT.to.itself()
        open = _.DRAFT.to(_.OPEN)
        extend = _.OPEN.to.itself(cond="closing_ahead")
        close = _.OPEN.to(_.CLOSED)

    return PollLifecycle


@attrs.define
class _Position:
    """The model the machine runs on while the table is derived: where it is and whether closing is ahead."""

    closing_ahead: bool
    state: PollState | None = None


def _derive_table(machine: type[StateMachine]) -> Mapping[tuple[PollState, PollAction, bool], PollState]:
    # Run the machine through its public API from every state, before and after the closing time, for every
    # event it enables there: the table is what the machine does, not a reading of its internals.
    table: dict[tuple[PollState, PollAction, bool], PollState] = {}
    for state in PollState:
        for closing_ahead in (False, True):
            enabled = machine(_Position(closing_ahead), start_value=state).enabled_events()
            for event in enabled:
                run = machine(_Position(closing_ahead), start_value=state)
                run.send(event.id)
                table[(state, PollAction(event.id), closing_ahead)] = PollState(run.current_state_value)
    return MappingProxyType(table)


@functools.cache
def _lifecycle() -> tuple[type[StateMachine], Mapping[tuple[PollState, PollAction, bool], PollState]]:
    machine = _machine()
    return machine, _derive_table(machine)


def __getattr__(name: str) -> object:
    # PollLifecycle and TRANSITIONS are built on first use: python-statemachine (and asyncio, which it
    # imports) stays out of `import lapor_core`.
    if name == "PollLifecycle":
        return _lifecycle()[0]
    if name == "TRANSITIONS":
        return _lifecycle()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    PollLifecycle: type[StateMachine]
    TRANSITIONS: Mapping[tuple[PollState, PollAction, bool], PollState]
    """``(state, action, closing_ahead) -> next state``, derived by running :class:`PollLifecycle`."""


# --- the draft ----------------------------------------------------------------------------------------------

_question = v.text(required=True, max_length=QUESTION_MAX)
_description = v.text(required=False, max_length=DESCRIPTION_MAX, multiline=True)
_label = v.text(required=True, max_length=OPTION_MAX)


def _items(value: object, *, codes: tuple[str, str], low: int, high: int) -> Sequence[object]:
    """``value`` as a list of ``low`` to ``high`` items; ``codes`` name the two refusals (type, length)."""
    not_a_list, wrong_length = codes
    if not isinstance(value, (list, tuple)):
        raise v.Invalid(not_a_list, min=low, max=high)
    if not low <= len(value) <= high:
        raise v.Invalid(wrong_length, min=low, max=high, actual=len(value))
    return value


def _each(items: Sequence[object], rule: v.Rule) -> tuple[list[tuple[int, Any]], list[FieldError]]:
    """Run ``rule`` on every item: the (index, value) of the good ones, and an error for each bad one."""
    cleaned: list[tuple[int, Any]] = []
    errors: list[FieldError] = []
    for index, item in enumerate(items):
        try:
            cleaned.append((index, rule(item)))
        except v.Invalid as invalid:
            errors.append(invalid.at(f"[{index}]"))
        except ValidationError as nested:
            errors.extend(v.prefixed(f"[{index}]", nested.errors))
    return cleaned, errors


def _options(value: object) -> tuple[str, ...]:
    if value is None:
        raise v.Invalid("value.required")
    codes = (N_("poll.options_not_list"), N_("poll.options_count"))
    labels, errors = _each(_items(value, codes=codes, low=MIN_OPTIONS, high=MAX_OPTIONS), _label)
    seen: dict[str, int] = {}
    for index, label in labels:
        key = label.casefold()
        if key in seen:
            errors.append(FieldError(f"[{index}]", "poll.option_repeated", {"first": seen[key]}))
        seen.setdefault(key, index)
    if errors:
        raise ValidationError(errors)
    return tuple(label for _, label in labels)


def _link(value: object) -> str:
    if not isinstance(value, str):
        raise v.Invalid("value.not_string", type=v.type_name(value))
    link = value.strip()
    if len(link) > LINK_MAX:
        raise v.Invalid("text.too_long", max=LINK_MAX, actual=len(link))
    if not _LINK.fullmatch(link):
        raise v.Invalid("poll.link_invalid")
    return link


def _links(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    codes = (N_("poll.links_not_list"), N_("poll.links_count"))
    links, errors = _each(_items(value, codes=codes, low=0, high=MAX_LINKS), _link)
    if errors:
        raise ValidationError(errors)
    return tuple(link for _, link in links)


def _max_choices(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise v.Invalid("value.not_integer", type=v.type_name(value))
    if not 1 <= value <= MAX_OPTIONS:
        raise v.Invalid("number.out_of_range", min=1, max=MAX_OPTIONS)
    return value


def _audience_code(value: object) -> str:
    if not isinstance(value, str):
        raise v.Invalid("value.not_string", type=v.type_name(value))
    region = RegionTable.default().resolve(value, field=v.ROOT)
    if len(value.strip().replace(".", "")) > len(region.undotted):
        raise v.Invalid("poll.audience_village")
    return region.code


def _audience(value: object) -> tuple[str, ...] | None:
    if value is None or (isinstance(value, str) and value == _NATIONAL_SPELLING):
        return None
    if isinstance(value, str):
        raise v.Invalid("poll.audience_invalid")
    codes = (N_("poll.audience_not_list"), N_("poll.audience_count"))
    found, errors = _each(_items(value, codes=codes, low=1, high=MAX_AUDIENCE), _audience_code)
    if errors:
        raise ValidationError(errors)
    unique = sorted({code for _, code in found})
    # A code inside another listed code adds nobody: keep the smallest set that admits the same people.
    return tuple(c for c in unique if not any(c != o and c.startswith(o + ".") for o in unique))


def _closes_after_opens(draft: PollDraft, _: attrs.Attribute[datetime], closes_at: datetime) -> None:
    if closes_at <= draft.opens_at:
        raise ValidationError.single("closes_at", "poll.closes_before_opens")


def _within_options(draft: PollDraft, _: attrs.Attribute[int], max_choices: int) -> None:
    if max_choices > len(draft.options):
        raise ValidationError.single(
            "max_choices", "poll.max_choices_over_options", options=len(draft.options)
        )


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class PollDraft:
    """What an institution asks and how: the definition of a poll, validated whenever it is built.

    Attributes:
        question: One line, 1 to 300 characters.
        options: 2 to 20 labels, each one line of 1 to 200 characters, all different (ignoring case).
        opens_at: When voting starts (aware; from year 1000 to the end of 9998 in UTC, which every store
            holds).
        closes_at: When voting ends (aware, in the same range), after ``opens_at``; the instant itself is
            outside the window.
        description: Background for voters, up to 4,000 characters with line breaks, or None.
        links: Up to 10 ``http(s)://`` addresses of background documents.
        max_choices: 1 for a single choice; otherwise how many options a ballot may tick, at most
            the number of options.
        audience: Dotted region codes (province, regency/city or district) whose residents may vote, or
            None for a national poll (``"national"`` is read as None). Codes inside another listed code
            are dropped; the rest are sorted.
        results: ``live`` (published while voting) or ``after_close`` (hidden from everyone, owner and
            admins included, until the poll closes). Default ``after_close``.
        revote: What a second vote by the same person does: ``replace`` the first (default) or ``refuse``.

    Raises:
        ValidationError: Listing every bad field (``options[2]``, ``audience[0]``...) with its code
            (``poll.option_repeated``...). When every field is good on its own, the rules across fields
            (``closes_at`` after ``opens_at``, ``max_choices`` at most the number of options) are checked
            and each one broken is listed.

    Example:
        >>> PollDraft("Perlu jalur sepeda?", ["Ya", "Tidak"], "2026-04-01T00:00:00+07:00",
        ...           "2026-04-30T00:00:00+07:00").options
        ('Ya', 'Tidak')
        >>> PollDraft("", ["Ya", "ya"], "2026-04-01T00:00:00+07:00", "2026-04-30T00:00:00+07:00")
        Traceback (most recent call last):
        lapor_core.errors.ValidationError: invalid input: question: must not be empty; options[1]: repeats
        option 0 (labels must differ)
        >>> PollDraft("Perlu?", ["Ya", "Tidak"], "2026-04-30T00:00:00+07:00", "2026-04-01T00:00:00+07:00",
        ...           max_choices=3)
        Traceback (most recent call last):
        lapor_core.errors.ValidationError: invalid input: closes_at: must be after opens_at; max_choices: ...
        >>> try:
        ...     PollDraft("Perlu?", ["Ya", "ya"], "2026-04-01T00:00:00+07:00", "9999-12-31T23:00:00+07:00")
        ... except ValidationError as error:
        ...     error.fields_by_name, error.messages()
        ({'options[1]': ('poll.option_repeated',), 'closes_at': ('instant.out_of_range',)},
         ('options[1]: mengulang pilihan 0 (setiap pilihan harus berbeda)', 'closes_at: ...'))
    """

    question: str = attrs.field(metadata=v.rule(_question))
    options: tuple[str, ...] = attrs.field(metadata=v.rule(_options))
    opens_at: datetime = attrs.field(metadata=v.rule(v.instant))
    closes_at: datetime = attrs.field(metadata=v.rule(v.instant), validator=_closes_after_opens)
    description: str | None = attrs.field(default=None, kw_only=True, metadata=v.rule(_description))
    links: tuple[str, ...] = attrs.field(default=(), kw_only=True, metadata=v.rule(_links))
    max_choices: int = attrs.field(
        default=1, kw_only=True, metadata=v.rule(_max_choices), validator=_within_options
    )
    audience: tuple[str, ...] | None = attrs.field(default=None, kw_only=True, metadata=v.rule(_audience))
    results: ResultVisibility = attrs.field(
        default=ResultVisibility.AFTER_CLOSE, kw_only=True, metadata=v.rule(v.choice(ResultVisibility))
    )
    revote: RevotePolicy = attrs.field(
        default=RevotePolicy.REPLACE,
        kw_only=True,
        metadata=v.rule(v.choice(RevotePolicy)),
    )

    @classmethod
    def from_dict(cls, data: object) -> PollDraft:
        """Build a draft from untrusted data, such as a decoded JSON request body.

        Keys: ``question``, ``options``, ``opens_at`` and ``closes_at`` (required); ``description``,
        ``links``, ``max_choices`` (default 1), ``audience`` (``null`` or ``"national"``, the default, or a
        list of region codes, dotted or not), ``results`` (``"live"`` or ``"after_close"``, the default),
        ``revote`` (``"replace"``, the default, or ``"refuse"``). Times are ISO 8601 with a UTC offset,
        from year 1000 to the end of 9998 (UTC). ``lc.from_dict(PollDraft, data)`` reads the same way.

        Raises:
            ValidationError: Listing every bad field, every missing required field and every unknown key;
                also when ``data`` is not a mapping. No other exception escapes, whatever ``data`` is.

        Example:
            >>> PollDraft.from_dict({"question": "?", "options": "Ya", "pilihan": 1})
            Traceback (most recent call last):
            lapor_core.errors.ValidationError: invalid input: options: must be a list of 2 to 20 option
            labels; opens_at: is required; closes_at: is required; pilihan: unknown field
        """
        return v.structure(cls, data)

    def to_dict(self) -> dict[str, Any]:
        """The draft in the JSON-ready form :meth:`from_dict` reads: exactly what ``lc.to_dict(draft)`` gives.

        A national poll's ``audience`` is ``None`` (:meth:`from_dict` also reads ``"national"``).

        Example:
            >>> import lapor_core as lc
            >>> draft = PollDraft("Perlu?", ["Ya", "Tidak"], "2026-04-01T00:00:00+07:00",
            ...                   "2026-04-30T00:00:00+07:00", audience=["3171"])
            >>> PollDraft.from_dict(draft.to_dict()) == draft, draft.to_dict()["audience"]
            (True, ['31.71'])
            >>> draft.to_dict() == lc.to_dict(draft)
            True
        """
        # The one converter owns the dictionary form; imported here because it imports the domain modules.
        from lapor_core._serialization import to_dict  # noqa: PLC0415

        data: dict[str, Any] = to_dict(self)
        return data

    def audience_label(self, locale: str = "id") -> str:
        """Who may vote, as a person reads it in ``locale``: all of Indonesia, or the regions' names.

        Example:
            >>> draft = PollDraft("Perlu?", ["Ya", "Tidak"], "2026-04-01T00:00:00+07:00",
            ...                   "2026-04-30T00:00:00+07:00")
            >>> draft.audience_label(), draft.audience_label("en")
            ('seluruh Indonesia', 'all of Indonesia')
            >>> attrs.evolve(draft, audience=("31.71", "32.73")).audience_label()
            'Kota Administrasi Jakarta Pusat, Kota Bandung'
        """
        if self.audience is None:
            return _i18n.translate(N_("poll.audience.national"), locale)
        table = RegionTable.default()
        names = []
        for code in self.audience:
            region = table.find(code)
            names.append(region.name if region is not None else code)
        return ", ".join(names)

    @property
    def single_choice(self) -> bool:
        """True when a ballot ticks exactly one option."""
        return self.max_choices == 1

    def admits(self, region: str | None) -> bool:
        """Whether someone living in ``region`` (a dotted or undotted code, or None) belongs to the audience.

        Everyone belongs to a national poll; a regional poll admits codes equal to or inside one of its
        codes (by shape: ``32.04.99`` is inside ``32.04`` even if the table does not know it), and nobody
        whose region is unknown or malformed.
        """
        if self.audience is None:
            return True
        code = _dotted_or_none(region)
        return code is not None and any(code == a or code.startswith(a + ".") for a in self.audience)

    def changes_from(self, other: PollDraft) -> dict[str, dict[str, Any]]:
        """The fields that differ from ``other``, as ``{field: {"from": old, "to": new}}`` (JSON-ready)."""
        mine, theirs = self.to_dict(), other.to_dict()
        return {name: {"from": theirs[name], "to": mine[name]} for name in mine if mine[name] != theirs[name]}


def _dotted_or_none(region: object) -> str | None:
    """The dotted form of a region code, or None when there is none or it is malformed.

    Only the shape is checked: a portal's region data may know districts newer than the shipped table, and
    membership of an audience depends only on the code's prefix.
    """
    if not isinstance(region, str) or len(region) > _MAX_REGION_TEXT:
        return None
    try:
        return normalize_code(region)
    except ValidationError:
        return None


def _stored_draft(data: Mapping[str, Any]) -> PollDraft:
    """Rebuild a draft from the dictionary form a store wrote (:meth:`PollDraft.to_dict`), without its rules.

    For stores only: the draft was validated when it was built, and reading it back must neither cost
    validating it again nor fail when the rules (or the region table) changed since.
    """
    audience = data.get("audience")
    return v.trusted(
        PollDraft,
        {
            "question": data["question"],
            "options": tuple(data["options"]),
            "opens_at": datetime.fromisoformat(data["opens_at"]),
            "closes_at": datetime.fromisoformat(data["closes_at"]),
            "description": data.get("description"),
            "links": tuple(data.get("links") or ()),
            "max_choices": data.get("max_choices", 1),
            "audience": None if audience in (None, _NATIONAL_SPELLING) else tuple(audience),
            "results": ResultVisibility(data.get("results", ResultVisibility.AFTER_CLOSE)),
            "revote": RevotePolicy(data.get("revote", RevotePolicy.REPLACE)),
        },
    )


# --- the poll -----------------------------------------------------------------------------------------------


def _count(value: object) -> int:
    """The rule of a version or a position in a history: a whole number from 0."""
    if type(value) is not int or value < 0:
        raise v.Invalid("poll.version_invalid")
    return value


def _actor(value: object) -> Actor:
    """The rule of a history's actor: an :class:`~lapor_core._domain.history.Actor`, or its mapping form."""
    if isinstance(value, Actor):
        return value
    if value is None:
        raise v.Invalid("value.required")
    if not isinstance(value, Mapping):
        raise v.Invalid("value.not_mapping", type=v.type_name(value))
    # Actor's reading is the converter's; imported here because the converter imports the domain modules.
    from lapor_core._serialization import from_dict  # noqa: PLC0415

    return from_dict(Actor, value)


def _payload(value: object) -> Mapping[str, Any]:
    """The rule of a change's details: a mapping, kept read-only."""
    if not isinstance(value, Mapping):
        raise v.Invalid("value.not_mapping", type=v.type_name(value))
    frozen: Mapping[str, Any] = _freeze(value)
    return frozen


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class PollChange:
    """One entry of a poll's history. Ballots never appear here: only what the institution did.

    Attributes:
        seq: Position in the history, from 0.
        action: What happened (a :class:`PollAction` or its value).
        actor: Who did it (staff are recorded by role, user ID and institution).
        at: When: an aware datetime or ISO 8601 text with an offset, in the years 1000 to 9998 in UTC, like
            every stored instant.
        payload: JSON-ready details (the draft at creation, ``{field: {"from", "to"}}`` for edits and
            extensions); read-only.

    Raises:
        ValidationError: Listing every bad field (``at``: ``instant.out_of_range`` for a clock reading no
            store can hold).
    """

    seq: int = attrs.field(metadata=v.rule(_count))
    action: PollAction = attrs.field(metadata=v.rule(v.choice(PollAction)))
    actor: Actor = attrs.field(metadata=v.rule(_actor))
    at: datetime = attrs.field(metadata=v.rule(v.instant))
    payload: Mapping[str, Any] = attrs.field(factory=dict, metadata=v.rule(_payload))

    def payload_dict(self) -> dict[str, Any]:
        """The payload as plain, mutable JSON-ready data."""
        result: dict[str, Any] = _thaw(self.payload)
        return result


def check_poll_id(poll_id: object) -> str:
    """The poll ID as a string, or the error a caller gets for it.

    Raises:
        ValidationError: ``poll_id`` is not a string.
        NotFound: It is a string no poll can have (``kind="poll"``), like an unknown ID.
    """
    if not isinstance(poll_id, str):
        raise ValidationError.single("poll_id", "value.not_string", type=v.type_name(poll_id))
    if not _POLL_ID.fullmatch(poll_id):
        raise NotFound(kind="poll", key=poll_id[:64])
    return poll_id


def check_find_limit(limit: object) -> int:
    """The ``limit`` of a store's ``find``, or the error every store raises for it.

    Raises:
        ValidationError: ``limit`` is not a whole number (``value.not_integer``) or is outside 1 to
            :data:`MAX_FIND` (``number.out_of_range``).
    """
    if type(limit) is not int:
        raise ValidationError.single("limit", "value.not_integer", type=v.type_name(limit))
    if not 1 <= limit <= MAX_FIND:
        raise ValidationError.single("limit", "number.out_of_range", min=1, max=MAX_FIND)
    return limit


@attrs.frozen
class Poll:
    """A poll with its recorded state and history; its ``version`` is the length of its history.

    Build one with :meth:`create` and change it with the transition methods, which return a new poll
    (or raise :class:`~lapor_core.errors.PollTransitionNotAllowed` or :class:`~lapor_core.ValidationError`).

    Attributes:
        id: The poll's public ID.
        institution: Code of the owning institution.
        draft: The poll's definition; its ``closes_at`` moves when the poll is extended.
        state: Draft, open or closed, as recorded (see :meth:`state_at` for the state at an instant).
        history: Every change, in order.
        closed_at: When an open poll was closed by hand; None otherwise.

    Example:
        >>> from datetime import timedelta
        >>> draft = PollDraft("Perlu?", ["Ya", "Tidak"], "2026-04-01T00:00:00+07:00",
        ...                   "2026-04-30T00:00:00+07:00")
        >>> officer = Actor("institution", "off-7", "31.71")
        >>> poll = Poll.create("p1", "31.71", draft, officer, draft.opens_at - timedelta(days=1))
        >>> poll = poll.opened(officer, draft.opens_at - timedelta(hours=1))
        >>> poll.state_at(draft.opens_at), poll.accepts_votes(draft.opens_at), poll.version
        (<PollState.OPEN: 'open'>, True, 2)
        >>> poll.state_at(draft.closes_at)
        <PollState.CLOSED: 'closed'>
    """

    id: str
    institution: str
    draft: PollDraft
    state: PollState
    history: tuple[PollChange, ...]
    closed_at: datetime | None = None

    @classmethod
    def create(cls, poll_id: str, institution: str, draft: PollDraft, actor: Actor, at: datetime) -> Poll:
        """A new draft poll with its creation recorded."""
        change = PollChange(0, PollAction.CREATE, actor, at, draft.to_dict())
        return cls(poll_id, institution, draft, PollState.DRAFT, (change,))

    @property
    def version(self) -> int:
        """How many changes the poll has had; stores compare-and-set on it."""
        return len(self.history)

    @property
    def ends_at(self) -> datetime:
        """When voting ends or ended: the closing time, or earlier if the poll was closed by hand."""
        return self.closed_at if self.closed_at is not None else self.draft.closes_at

    def state_at(self, now: datetime) -> PollState:
        """The state at ``now``: an open poll whose closing time has passed is closed."""
        if self.state is PollState.OPEN and now >= self.draft.closes_at:
            return PollState.CLOSED
        return self.state

    def accepts_votes(self, now: datetime) -> bool:
        """True while the poll is open and ``opens_at`` <= ``now`` < ``closes_at``."""
        return self.state is PollState.OPEN and self.draft.opens_at <= now < self.draft.closes_at

    def results_published(self, now: datetime) -> bool:
        """Whether the results may be read at ``now``: live ones once open, the others once closed."""
        state = self.state_at(now)
        if self.draft.results is ResultVisibility.LIVE:
            return state is not PollState.DRAFT
        return state is PollState.CLOSED

    def _changed(self, action: PollAction, actor: Actor, at: datetime, payload: Mapping[str, Any]) -> Poll:
        return attrs.evolve(
            self, history=(*self.history, PollChange(self.version, action, actor, at, payload))
        )

    def _next_state(self, action: PollAction, at: datetime) -> PollState:
        """The state after ``action`` at ``at``, as :class:`PollLifecycle` moves.

        Raises:
            PollTransitionNotAllowed: The lifecycle has no such move from the recorded state at ``at`` (its
                ``state`` is :meth:`state_at`, so an open poll past its closing time reads ``closed``).
        """
        target = _lifecycle()[1].get((self.state, action, at < self.draft.closes_at))
        if target is None:
            raise PollTransitionNotAllowed(
                poll_id=self.id, action=action.value, state=self.state_at(at).value
            )
        return target

    def edited(self, draft: PollDraft, actor: Actor, at: datetime) -> Poll:
        """The poll with a new definition; only a draft can be edited. Unchanged if nothing differs.

        Raises:
            PollTransitionNotAllowed: The poll is not a draft.
        """
        state = self._next_state(PollAction.EDIT, at)
        changes = draft.changes_from(self.draft)
        if not changes:
            return self
        return attrs.evolve(self._changed(PollAction.EDIT, actor, at, changes), draft=draft, state=state)

    def opened(self, actor: Actor, at: datetime) -> Poll:
        """The poll opened for voting from ``opens_at``; only a draft whose closing time is ahead can open.

        Raises:
            PollTransitionNotAllowed: The poll is not a draft.
            ValidationError: ``closes_at`` is not after ``at`` (field ``closes_at``).
        """
        state = self._next_state(PollAction.OPEN, at)
        if self.draft.closes_at <= at:
            raise ValidationError.single("closes_at", "poll.closing_time_passed")
        return attrs.evolve(self._changed(PollAction.OPEN, actor, at, {}), state=state)

    def extended(self, closes_at: datetime | str, actor: Actor, at: datetime) -> Poll:
        """The open poll with a later closing time.

        Raises:
            PollTransitionNotAllowed: The poll is a draft (edit it instead) or already closed (by hand, or
                its closing time has passed).
            ValidationError: ``closes_at`` is not an aware instant later than the current closing time
                (and at most the end of 9998, UTC).
        """
        state = self._next_state(PollAction.EXTEND, at)
        later = _instant_or_error("closes_at", closes_at)
        if later <= self.draft.closes_at:
            raise ValidationError.single("closes_at", "poll.extension_not_later")
        draft = attrs.evolve(self.draft, closes_at=later)
        return attrs.evolve(
            self._changed(PollAction.EXTEND, actor, at, draft.changes_from(self.draft)),
            draft=draft,
            state=state,
        )

    def closed(self, actor: Actor, at: datetime) -> Poll:
        """The poll closed at ``at`` (or at its closing time, if that passed already).

        Raises:
            PollTransitionNotAllowed: The poll is a draft or closed by hand already.
        """
        state = self._next_state(PollAction.CLOSE, at)
        ended = min(at, self.draft.closes_at)
        payload = {"early": at < self.draft.closes_at, "closed_at": ended.isoformat()}
        return attrs.evolve(self._changed(PollAction.CLOSE, actor, at, payload), state=state, closed_at=ended)


def _instant_or_error(field: str, value: object) -> datetime:
    try:
        return v.instant(value)
    except v.Invalid as invalid:
        raise ValidationError([invalid.at(field)]) from None


# --- ballots and their counts -------------------------------------------------------------------------------


class CastOutcome(enum.StrEnum):
    """What :meth:`~lapor_core._domain.ports.PollStore.cast` did with a ballot."""

    COUNTED = "counted"  # the voter's first ballot in this poll
    REPLACED = "replaced"  # the voter's earlier ballot was taken back out of the counts and replaced
    REFUSED = "refused"  # the voter had voted and the poll refuses second votes: nothing changed


def _choice_indexes(value: object) -> tuple[int, ...]:
    choices = tuple(value) if isinstance(value, list) else value
    if not (
        isinstance(choices, tuple)
        and choices
        and all(type(c) is int and 0 <= c < MAX_OPTIONS for c in choices)
        and all(a < b for a, b in itertools.pairwise(choices))
    ):
        raise v.Invalid("poll.ballot_choices_invalid", max=MAX_OPTIONS - 1)
    return choices


def _province(value: object) -> str | None:
    if value is None or (isinstance(value, str) and _PROVINCE.fullmatch(value)):
        return value
    raise v.Invalid("poll.ballot_province_invalid")


def _regency(value: object) -> str | None:
    if value is None or (isinstance(value, str) and _REGENCY.fullmatch(value)):
        return value
    raise v.Invalid("poll.ballot_regency_invalid")


def _regency_in_province(ballot: Ballot, _: attrs.Attribute[Any], regency: str | None) -> None:
    if regency is not None and (ballot.province is None or not regency.startswith(ballot.province + ".")):
        raise ValidationError.single("regency", "poll.ballot_regency_outside_province")


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class Ballot:
    """The content of one ballot, as a store keeps it: which options, and the voter's coarse region.

    Nothing in a ballot identifies the voter; the store keeps the voter's keyed hash elsewhere.

    Attributes:
        choices: Indexes of the ticked options, ascending, without repeats (a list is kept as a tuple).
        province: The voter's province code (``"31"``), or None when unknown.
        regency: The voter's regency/city code (``"31.71"``) inside ``province``, or None when unknown.

    Raises:
        ValidationError: Listing every field not of that shape (codes ``poll.ballot_*``).

    Example:
        >>> Ballot([0, 2], "31", "31.71")
        Ballot(choices=(0, 2), province='31', regency='31.71')
        >>> Ballot((2, 0), "3171")
        Traceback (most recent call last):
        lapor_core.errors.ValidationError: invalid input: choices: must be a non-empty list of ascending
        option indexes from 0 to 19, without repeats; province: must be null or a two-digit province code (31)
    """

    choices: tuple[int, ...] = attrs.field(metadata=v.rule(_choice_indexes))
    province: str | None = attrs.field(default=None, metadata=v.rule(_province))
    regency: str | None = attrs.field(default=None, metadata=v.rule(_regency), validator=_regency_in_province)


def _poll_id(value: object) -> str:
    if isinstance(value, str) and _POLL_ID.fullmatch(value):
        return value
    raise v.Invalid("poll.id_invalid")


def _voter_hash(value: object) -> str:
    if isinstance(value, str) and 0 < len(value) <= _MAX_VOTER and value.isascii() and value.isalnum():
        return value
    raise v.Invalid("poll.voter_invalid", max=_MAX_VOTER)


def _seal(value: object) -> int:
    if type(value) is int and 0 <= value < _SEAL_LIMIT:
        return value
    raise v.Invalid("poll.seal_invalid")


def _ballot(value: object) -> Ballot:
    if isinstance(value, Ballot):
        return value
    raise v.Invalid("poll.ballot_invalid", type=v.type_name(value))


def _revote(value: object) -> RevotePolicy:
    if isinstance(value, RevotePolicy):
        return value
    raise v.Invalid("value.not_choice", choices=tuple(RevotePolicy))


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class BallotCast:
    """One vote as the application hands it to the store.

    Attributes:
        poll_id: The poll.
        poll_version: The poll version the application checked the vote against; the store refuses the
            cast with :class:`~lapor_core.errors.PollConflict` when the poll changed since (extended, closed).
        voter: Keyed hash (HMAC under the deployment secret) of (poll, person): the only trace of the voter;
            1 to 64 letters and digits (the desk gives 64 hex digits).
        seal: A second keyed value of (poll, person), 63 bits: the store keeps the reference from the voter
            to the ballot only as ``ballot_ref ^ seal``, so the two records cannot be joined without it.
        ballot: What was chosen, and where the voter lives (a :class:`Ballot`).
        revote: Replace an earlier ballot of the same voter, or refuse this one (a :class:`RevotePolicy`).

    Raises:
        ValidationError: Listing every field not of that shape; the error never shows the voter's hash or
            seal.
    """

    poll_id: str = attrs.field(metadata=v.rule(_poll_id))
    poll_version: int = attrs.field(metadata=v.rule(_count))
    voter: str = attrs.field(repr=False, metadata=v.rule(_voter_hash))
    seal: int = attrs.field(repr=False, metadata=v.rule(_seal))
    ballot: Ballot = attrs.field(metadata=v.rule(_ballot))
    revote: RevotePolicy = attrs.field(default=RevotePolicy.REPLACE, metadata=v.rule(_revote))


@attrs.frozen
class RegionCount:
    """Ballots and per-option votes of the voters of one region."""

    ballots: int
    votes: tuple[int, ...]


def _region_items(items: Iterable[tuple[str, RegionCount]]) -> tuple[tuple[str, RegionCount], ...]:
    return tuple(sorted(((code, count) for code, count in items if count.ballots), key=lambda item: item[0]))


@attrs.frozen
class Tally:
    """The counts of a poll: ballots, votes per option, and the same per province and regency.

    Attributes:
        ballots: How many ballots count.
        votes: Votes per option, in option order (a multiple-choice ballot gives one vote to each ticked
            option, so the votes can add up to more than the ballots).
        regions: ``(code, RegionCount)`` pairs sorted by code, for every province (``"31"``) and regency
            (``"31.71"``) with at least one ballot; ballots of voters of unknown region count only above.
    """

    ballots: int
    votes: tuple[int, ...]
    regions: tuple[tuple[str, RegionCount], ...] = attrs.field(default=(), converter=_region_items)

    @classmethod
    def empty(cls, options: int) -> Tally:
        """The tally of a poll with ``options`` options and no ballot."""
        return cls(0, (0,) * options)

    def region(self, code: str) -> RegionCount | None:
        """The counts of one province or regency, or None when it has no ballot."""
        return dict(self.regions).get(code)


def count_ballots(options: int, ballots: Iterable[Ballot]) -> Tally:
    """Count ``ballots`` from scratch: the recount that every store's counters must agree with.

    Example:
        >>> count_ballots(2, [Ballot((0,), "31", "31.71"), Ballot((1,), "31", None), Ballot((0,))])
        Tally(ballots=3, votes=(2, 1), regions=(('31', RegionCount(ballots=2, votes=(1, 1))), ('31.71', ...
    """
    total = 0
    votes = [0] * options
    regions: dict[str, list[int]] = {}
    for ballot in ballots:
        total += 1
        for choice in ballot.choices:
            votes[choice] += 1
        for code in (ballot.province, ballot.regency):
            if code is not None:
                row = regions.setdefault(code, [0] * (options + 1))
                row[0] += 1
                for choice in ballot.choices:
                    row[choice + 1] += 1
    return Tally(
        total, tuple(votes), ((code, RegionCount(row[0], tuple(row[1:]))) for code, row in regions.items())
    )


# --- results ------------------------------------------------------------------------------------------------


def _is_whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def check_threshold(threshold: object) -> int:
    """The suppression threshold of a breakdown, or the error a caller gets for it.

    Raises:
        ValidationError: ``threshold`` is not a whole number of at least 1 (``poll.threshold_invalid``); 0
            would publish every cell.
    """
    if not (_is_whole(threshold) and threshold >= 1):
        raise ValidationError.single("threshold", "poll.threshold_invalid")
    return threshold


def wilson_interval(successes: int, trials: int, *, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion (Wilson 1927), 95% by default.

    Unlike the textbook normal interval it stays inside [0, 1] and is sensible for small counts and for
    proportions near 0 or 1. With no trials it is the whole of [0, 1].

    Raises:
        ValidationError: ``trials`` or ``successes`` is not a whole number, ``trials`` is negative or
            ``successes`` is not within 0..``trials`` (code ``poll.wilson_counts_invalid``).

    Example:
        >>> [round(x, 4) for x in wilson_interval(81, 263)]   # Newcombe (1998), example (a)
        [0.2553, 0.3662]
        >>> wilson_interval(0, 0)
        (0.0, 1.0)
    """
    if not (_is_whole(successes) and _is_whole(trials) and 0 <= successes <= trials):
        raise ValidationError.single("successes", "poll.wilson_counts_invalid")
    if trials == 0:
        return (0.0, 1.0)
    p = successes / trials
    q = (trials - successes) / trials  # not 1 - p, which loses digits when p is near 1
    z2 = z * z
    scale = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / scale
    half = z * math.sqrt(p * q / trials + z2 / (4 * trials * trials)) / scale
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return (low, high)


@attrs.frozen
class OptionResult:
    """The result of one option.

    Attributes:
        index: Position of the option, from 0.
        label: The option's label.
        votes: Ballots that ticked it.
        share: ``votes / total`` ballots (0.0 when there is no ballot).
        ci_low: Lower end of the Wilson 95% interval of the share.
        ci_high: Upper end of the Wilson 95% interval of the share.
    """

    index: int
    label: str
    votes: int
    share: float
    ci_low: float
    ci_high: float


@attrs.frozen
class RegionResult:
    """One row of a breakdown; ``None`` marks a suppressed cell.

    Attributes:
        region: Dotted region code.
        name: The region's official name.
        total: Ballots of the region's voters, or None when suppressed.
        votes: Votes per option, in option order, each None when suppressed.
    """

    region: str
    name: str
    total: int | None
    votes: tuple[int | None, ...]


@attrs.frozen
class PollResults:
    """A poll's published results at one instant.

    Attributes:
        poll_id: The poll.
        question: Its question.
        closed: True when voting has ended (the results are final).
        as_of: When the counts were read.
        total: How many ballots count.
        max_choices: How many options a ballot may tick (shares add up to 1 only when this is 1).
        options: One result per option, in option order.
        by_province: Breakdown rows by the voters' province, by code; rows whose every cell is suppressed
            are left out.
        by_regency: The same by regency/city.
        threshold: Cells under this count are suppressed.
    """

    poll_id: str
    question: str
    closed: bool
    as_of: datetime
    total: int
    max_choices: int
    options: tuple[OptionResult, ...]
    by_province: tuple[RegionResult, ...]
    by_regency: tuple[RegionResult, ...]
    threshold: int


Cell = tuple[str, int]
"""A breakdown cell: (region code, column); column -1 is the row's ballots, 0.. the options.

The national cells have the code ``""``; they are published with the results and never hidden.
"""
NATIONAL: Final = ""


def _lines(tally: Tally, *, single_choice: bool) -> list[list[Cell]]:
    """Every group of cells linked by an addition that a reader could use to work out a hidden cell."""
    columns = range(_BALLOTS, len(tally.votes))
    codes = [code for code, _ in tally.regions]
    provinces = [code for code in codes if len(code) == _PROVINCE_LENGTH]
    regencies = collections.defaultdict(list)
    for code in codes:
        if len(code) == _REGENCY_LENGTH:
            regencies[code[:_PROVINCE_LENGTH]].append(code)
    lines: list[list[Cell]] = []
    for column in columns:
        # The national count is the sum of the provinces' (and of voters of unknown region, taken as none).
        lines.append([(NATIONAL, column), *((p, column) for p in provinces)])
        # A province's count is the sum of its regencies' (and of voters known only by province, likewise).
        lines.extend([(p, column), *((r, column) for r in regencies[p])] for p in provinces if regencies[p])
    if single_choice:
        # Each single-choice ballot gives exactly one vote: a row's ballots are the sum of its votes.
        lines.extend([(code, column) for column in columns] for code in codes)
    return lines


def suppressed_cells(tally: Tally, *, threshold: int, single_choice: bool) -> frozenset[Cell]:
    """The breakdown cells to hide: every cell under ``threshold``, then complementary ones.

    Primary suppression hides each cell (ballots or votes of a region) below the threshold. A hidden cell
    that is the only hidden one in a row or column could be recovered by subtraction from the published
    counts, so secondary suppression hides the smallest visible cell of that line too, until no line has
    exactly one hidden cell (the usual rule of at least two suppressed cells per line). The national cells
    are published and never hidden. A cell that can be worked out from the national counts alone (when
    every ballot came from one province, say) cannot be protected: it is hidden if under the threshold but
    counts as known, so the other lines it belongs to are protected without it, and it is never chosen as
    a partner.

    Voters of unknown region and voters known only by their province are treated as if there were none,
    which can only hide more than needed.

    Example:
        Jakarta Pusat's 3 votes for option 1 are under the threshold; its 12 votes for option 0 are hidden
        too (else 15 - 12 = 3), and so are Jakarta Utara's (else the province's 18 - 15 = 3):

        >>> def ballots(choice, regency, count):
        ...     return [Ballot((choice,), "31", regency)] * count
        >>> tally = count_ballots(2, ballots(0, "31.71", 12) + ballots(1, "31.71", 3)
        ...                          + ballots(0, "31.72", 20) + ballots(1, "31.72", 15))
        >>> sorted(suppressed_cells(tally, threshold=10, single_choice=True))
        [('31.71', 0), ('31.71', 1), ('31.72', 0), ('31.72', 1)]
    """
    values: dict[Cell, int] = {(NATIONAL, _BALLOTS): tally.ballots}
    values.update(((NATIONAL, index), votes) for index, votes in enumerate(tally.votes))
    for code, count in tally.regions:
        values[(code, _BALLOTS)] = count.ballots
        values.update(((code, index), votes) for index, votes in enumerate(count.votes))
    lines = _lines(tally, single_choice=single_choice)
    lines_of: dict[Cell, list[int]] = collections.defaultdict(list)
    for number, line in enumerate(lines):
        for cell in line:
            lines_of[cell].append(number)
    public = _derivable({cell for cell in values if cell[0] == NATIONAL}, lines, lines_of)
    hidden = {cell for cell, value in values.items() if value < threshold and cell not in public}
    pending = collections.deque(range(len(lines)))
    while pending:
        line = lines[pending.popleft()]
        if sum(cell in hidden for cell in line) != 1:
            continue
        # A line with one hidden cell and no other unknown one is in ``public``, so a partner exists.
        # The smallest cell loses the least information; ties break on the cell, for determinism.
        partner = min((c for c in line if c not in hidden and c not in public), key=lambda c: (values[c], c))
        hidden.add(partner)
        pending.extend(lines_of[partner])
    return frozenset(hidden | {cell for cell in public if values[cell] < threshold and cell[0] != NATIONAL})


def _derivable(
    known: set[Cell], lines: Sequence[Sequence[Cell]], lines_of: Mapping[Cell, list[int]]
) -> set[Cell]:
    """Every cell that ``known`` cells give by subtraction, line after line."""
    known = set(known)
    pending = collections.deque(range(len(lines)))
    while pending:
        unknown = [cell for cell in lines[pending.popleft()] if cell not in known]
        if len(unknown) == 1:
            known.add(unknown[0])
            pending.extend(lines_of[unknown[0]])
    return known


def _breakdown(
    tally: Tally, level: int, hidden: frozenset[Cell], table: RegionTable
) -> tuple[RegionResult, ...]:
    rows: list[RegionResult] = []
    for code, count in tally.regions:
        if len(code) != level:
            continue
        total = None if (code, _BALLOTS) in hidden else count.ballots
        votes = tuple(None if (code, i) in hidden else n for i, n in enumerate(count.votes))
        if total is None and all(n is None for n in votes):
            continue
        region = table.find(code)
        rows.append(RegionResult(code, region.name if region is not None else code, total, votes))
    return tuple(rows)


def compute_results(
    poll: Poll,
    tally: Tally,
    *,
    as_of: datetime,
    threshold: int = DEFAULT_THRESHOLD,
    regions: RegionTable | None = None,
) -> PollResults:
    """The results of ``poll`` from its ``tally``: shares, Wilson intervals and suppressed breakdowns.

    Whether the results may be published at all is :meth:`Poll.results_published`'s business.

    Example:
        >>> from datetime import timedelta
        >>> draft = PollDraft("Perlu?", ["Ya", "Tidak"], "2026-04-01T00:00:00+07:00",
        ...                   "2026-04-30T00:00:00+07:00", results="live")
        >>> poll = Poll.create("p1", "31.71", draft, Actor("institution", "off-7", "31.71"), draft.opens_at)
        >>> def ballots(choice, province, count):
        ...     return [Ballot((choice,), province, None)] * count
        >>> tally = count_ballots(2, ballots(0, "31", 25) + ballots(1, "31", 15) + ballots(0, "32", 12)
        ...                          + ballots(1, "32", 14) + ballots(0, "33", 4) + ballots(1, "33", 3))
        >>> results = compute_results(poll, tally, as_of=draft.closes_at)
        >>> first = results.options[0]
        >>> results.total, first.votes, round(first.share, 3), round(first.ci_low, 3), round(first.ci_high, 3)
        (73, 41, 0.562, 0.448, 0.67)

        Jawa Tengah (33) has 7 ballots, under the threshold; Jawa Barat (32) is hidden as well, or its
        counts would give Jawa Tengah's by subtraction from the national ones:

        >>> [(row.region, row.total, row.votes) for row in results.by_province]
        [('31', 40, (25, 15))]
    """
    threshold = check_threshold(threshold)
    table = regions if regions is not None else RegionTable.default()
    options = tuple(
        OptionResult(
            index,
            label,
            votes,
            votes / tally.ballots if tally.ballots else 0.0,
            *wilson_interval(votes, tally.ballots),
        )
        for index, (label, votes) in enumerate(zip(poll.draft.options, tally.votes, strict=True))
    )
    hidden = suppressed_cells(tally, threshold=threshold, single_choice=poll.draft.single_choice)
    return PollResults(
        poll_id=poll.id,
        question=poll.draft.question,
        closed=poll.state_at(as_of) is PollState.CLOSED,
        as_of=as_of,
        total=tally.ballots,
        max_choices=poll.draft.max_choices,
        options=options,
        by_province=_breakdown(tally, _PROVINCE_LENGTH, hidden, table),
        by_regency=_breakdown(tally, _REGENCY_LENGTH, hidden, table),
        threshold=threshold,
    )


def coarse_region(region: str | None, table: RegionTable | None = None) -> tuple[str | None, str | None]:
    """The (province, regency) codes of a voter's region for breakdowns; None for what is not known.

    The province and the regency are the code's prefixes when the region table knows them, so a district
    newer than the table still counts in its regency.

    Example:
        >>> coarse_region("3171010001"), coarse_region("31"), coarse_region("32.04.99"), coarse_region("99")
        (('31', '31.71'), ('31', None), ('32', '32.04'), (None, None))
    """
    code = _dotted_or_none(region)
    if code is None:
        return (None, None)
    regions = table or RegionTable.default()
    province = regions.find(code[:_PROVINCE_LENGTH])
    if province is None:
        return (None, None)
    regency = regions.find(code[:_REGENCY_LENGTH]) if len(code) >= _REGENCY_LENGTH else None
    return (province.code, regency.code if regency is not None else None)
