"""A complaint's append-only, hash-chained history.

Every event stores the SHA-256 of the previous event, and its own hash covers its sequence number, action,
actor, time, payload and that previous hash, serialised canonically (sorted-key compact JSON, times in UTC
to the microsecond, so a store that gives times back in another offset still verifies). Editing,
inserting, dropping or reordering a stored event breaks the chain at that point, and :func:`verify_chain`
names the first event that fails.

Reporter identity never enters the history (it lives in its own record, which may be erased under UU PDP
27/2022); so erasing it leaves the chain intact.

>>> from datetime import datetime, timezone
>>> t = datetime(2026, 3, 17, 3, 0, tzinfo=timezone.utc)
>>> first = Event.first("7K3M9QXF2HJQ", Action.SUBMIT, Actor.reporter(), t, {"kind": "pengaduan"})
>>> second = first.followed_by(Action.FORWARD, Actor.admin("adm-1"), t, {"institution": "31.71"})
>>> verify_chain("7K3M9QXF2HJQ", [first, second]).ok
True
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs

from lapor_core._domain.lifecycle import Action

__all__ = ["GENESIS_HASH", "Actor", "Event", "HistoryReport", "event_hash", "verify_chain"]

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of a complaint's first event."""


@attrs.frozen
class Actor:
    """Who did something, as recorded in history: a role and, for staff, their user ID and organisation.

    A reporter is recorded by role only, so the history never identifies an anonymous reporter.
    """

    role: str
    user_id: str | None = None
    institution: str | None = None
    unit: str | None = None

    @classmethod
    def reporter(cls) -> Actor:
        """The complaint's reporter."""
        return cls("reporter")

    @classmethod
    def admin(cls, user_id: str) -> Actor:
        """A LAPOR! administrator."""
        return cls("admin", user_id)

    @classmethod
    def system(cls) -> Actor:
        """lapor_core itself (the sweep)."""
        return cls("system")

    def to_json(self) -> dict[str, str]:
        """The actor as a JSON object without empty fields."""
        fields = (
            ("role", self.role),
            ("user_id", self.user_id),
            ("institution", self.institution),
            ("unit", self.unit),
        )
        return {name: value for name, value in fields if value is not None}


class _Frozen(dict[str, Any]):
    """A payload mapping that refuses changes; built only by :func:`_freeze`, so deep-frozen throughout.

    A ``dict`` underneath, so the JSON encoder hashes it as it is (no copy to thaw it first), and freezing
    an already frozen payload returns it unchanged.
    """

    __slots__ = ()

    def _read_only(self, *_args: object, **_kwargs: object) -> Any:
        raise TypeError("an event's payload is read-only")

    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only

    def __reduce__(self) -> tuple[type[_Frozen], tuple[dict[str, Any]]]:
        return _Frozen, (dict(self),)


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _freeze(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS or kind is _Frozen:
        return value
    if kind is dict or isinstance(value, Mapping):
        return _Frozen({str(k): _freeze(v) for k, v in value.items()})
    if kind is list or kind is tuple or isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


def _plain(value: object) -> object:
    """What the JSON encoder writes for a mapping that is not a dict (a payload frozen by other means)."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_plain
)
"""Sorted-key compact JSON: the canonical form every event hash is taken of (tuples written as lists)."""


def event_hash(
    complaint_id: str,
    seq: int,
    action: str,
    actor: Actor,
    at: datetime,
    payload: Mapping[str, Any],
    prev_hash: str,
) -> str:
    """The SHA-256 (hex) of one event's canonical form."""
    body = {
        "complaint": complaint_id,
        "seq": seq,
        "action": action,
        "actor": actor.to_json(),
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "payload": payload,
        "prev": prev_hash,
    }
    canonical = _CANONICAL.encode(body)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@attrs.frozen
class Event:
    """One entry of a complaint's history.

    Attributes:
        complaint_id: The complaint's tracking ID (canonical string without separators).
        seq: Position in the history, from 0.
        action: What happened.
        actor: Who did it.
        at: When (timezone-aware).
        payload: JSON-ready details (messages, institution, reason, ...); read-only.
        prev_hash: ``hash`` of the previous event, or :data:`GENESIS_HASH`.
        hash: This event's hash.
    """

    complaint_id: str
    seq: int
    action: Action
    actor: Actor
    at: datetime
    payload: Mapping[str, Any] = attrs.field(converter=_freeze)
    prev_hash: str
    hash: str

    @classmethod
    def first(
        cls, complaint_id: str, action: Action, actor: Actor, at: datetime, payload: Mapping[str, Any]
    ) -> Event:
        """The first event of a history."""
        return cls.create(complaint_id, 0, action, actor, at, payload, GENESIS_HASH)

    @classmethod
    def create(
        cls,
        complaint_id: str,
        seq: int,
        action: Action,
        actor: Actor,
        at: datetime,
        payload: Mapping[str, Any],
        prev_hash: str,
    ) -> Event:
        """Build an event and compute its hash."""
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("event time must be timezone-aware")
        frozen = _freeze(payload)
        digest = event_hash(complaint_id, seq, action.value, actor, at, frozen, prev_hash)
        return cls(complaint_id, seq, action, actor, at, frozen, prev_hash, digest)

    def followed_by(self, action: Action, actor: Actor, at: datetime, payload: Mapping[str, Any]) -> Event:
        """The event that follows this one."""
        return Event.create(self.complaint_id, self.seq + 1, action, actor, at, payload, self.hash)

    def next(self, action: Action, actor: Actor, at: datetime, payload: Mapping[str, Any]) -> Event:
        """Deprecated name of :meth:`followed_by` (removed in 0.3)."""
        warnings.warn("Event.next(...) is now Event.followed_by(...)", DeprecationWarning, stacklevel=2)
        return self.followed_by(action, actor, at, payload)

    def payload_dict(self) -> dict[str, Any]:
        """A mutable, JSON-ready copy of the payload."""
        result: dict[str, Any] = _thaw(self.payload)
        return result


@attrs.frozen
class HistoryReport:
    """The result of :func:`verify_chain`.

    Attributes:
        ok: True when every event's hash and link are intact.
        first_bad: Index of the first event that fails, or None.
        length: Number of events checked.
        reason: Why ``first_bad`` failed, or an empty string.
    """

    ok: bool
    first_bad: int | None
    length: int
    reason: str = ""


def verify_chain(complaint_id: str, events: Sequence[Event]) -> HistoryReport:
    """Recompute the chain of ``events`` and report the first event that does not verify."""
    prev = GENESIS_HASH
    for index, event in enumerate(events):
        reason = ""
        if event.complaint_id != complaint_id:
            reason = "belongs to another complaint"
        elif event.seq != index:
            reason = f"sequence number {event.seq}, expected {index}"
        elif event.prev_hash != prev:
            reason = "does not link to the previous event"
        elif event.hash != event_hash(
            complaint_id, event.seq, event.action.value, event.actor, event.at, event.payload, prev
        ):
            reason = "content does not match its hash"
        if reason:
            return HistoryReport(ok=False, first_bad=index, length=len(events), reason=reason)
        prev = event.hash
    return HistoryReport(ok=True, first_bad=None, length=len(events))
