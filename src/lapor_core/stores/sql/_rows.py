"""Rows of the SQL store's tables, derived from the schema: columns in table order, values read by name.

Each table's row layout comes from its :mod:`~lapor_core.stores.sql._schema` definition. A column named as a
field of the record (``Complaint.title`` in ``lapor_complaints.title``) holds that field as it is, both ways;
only a column that converts its field (an enum's value, sorted JSON, a location's region) names its
conversion here, in :class:`Encoded` (written) and :class:`Decoded` (read back). So a new complaint field
stored as it is needs a schema column and its migration, nothing here; the tables' own bookkeeping (the
outbox's delivery state) is listed as ``own`` and left out of the records' rows.

Rows are written and read as tuples in table order, built and unpacked by functions generated once per table
from that layout (as attrs generates ``__init__``): a row costs what a hand-written tuple does, one tuple
expression to build and one unpacking to read, with no loop over columns or call per plain column. Values
are Python values before the column types' processing (aware datetimes, bools, bytes).

Rows are tuples, not lists: a tuple of plain values is dropped from the garbage collector's watch at its
first collection, while a list is traversed by every full collection for as long as it lives. A bulk import
holds tens of thousands of rows at once; as lists they made building them two to three times slower.
"""

from __future__ import annotations

import enum
import keyword
import operator
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, Final, Generic, NamedTuple, TypeVar, cast

import attrs
import orjson
import sqlalchemy as sa

from lapor_core._domain.complaint import Complaint, OutboxMessage, ReporterIdentity
from lapor_core._domain.filters import regency_of, searchable
from lapor_core._domain.history import Actor, Event
from lapor_core._domain.idempotency import IdempotencyRecord
from lapor_core._domain.keys import StoredKey
from lapor_core._domain.lifecycle import Action, Escalation, Status
from lapor_core._domain.model import Channel, Kind, Location
from lapor_core._domain.ports import Changeset
from lapor_core._domain.rules import trusted
from lapor_core._domain.sla import SlaState
from lapor_core.errors import StorageError
from lapor_core.stores.sql._schema import complaints, events, identities, outbox

__all__ = [
    "COMPLAINT_COLUMNS",
    "COMPLAINT_ROWS",
    "EVENT_COLUMNS",
    "IDEMPOTENCY_COLUMNS",
    "IDENTITY_COLUMNS",
    "OUTBOX_COLUMNS",
    "ChangesetRows",
    "Decoded",
    "Encoded",
    "Rows",
    "complaint_from",
    "complaint_rows",
    "event_from",
    "idempotency_values",
    "identity_from",
    "outbox_from",
]

R = TypeVar("R")


@attrs.frozen
class Encoded:
    """A column written from the record's ``field`` through ``encode`` (the field's value -> the column's).

    ``field`` may be a tuple of fields: ``encode`` then takes their values, in that order.
    """

    field: str | tuple[str, ...]
    encode: Callable[..., Any]


@attrs.frozen
class Decoded:
    """A field read back from ``columns`` through ``decode`` (their values, in that order -> the field's)."""

    columns: tuple[str, ...]
    decode: Callable[..., Any]


@attrs.frozen
class Rows(Generic[R]):
    """One table's rows of one record class: the columns, in table order, and the two generated functions.

    Attributes:
        table: The table's name.
        columns: The columns a record's row holds, in table order (the table's own columns left out).
        values: The row of a record: a tuple in ``columns`` order.
        read: The record stored in a row read in ``columns`` order.
    """

    table: str
    columns: tuple[str, ...]
    values: Callable[[R], tuple[Any, ...]]
    read: Callable[[Sequence[Any]], R]

    @classmethod
    def derive(
        cls,
        table: sa.Table,
        record: type[R],
        *,
        encoded: Mapping[str, Encoded] | None = None,
        decoded: Mapping[str, Decoded] | None = None,
        own: Collection[str] = (),
    ) -> Rows[R]:
        """The rows of ``record`` in ``table``: every column not in ``own`` is a field or in ``encoded``.

        Args:
            table: The table, as the schema defines it.
            record: An attrs class; its fields are the keyword arguments its rows are read back with.
            encoded: Columns not written as the field of their name, by column.
            decoded: Fields not read as the column of their name, by field.
            own: Columns the store keeps itself (not part of a record's row).

        Raises:
            ValueError: A column neither names a field nor is encoded or own, or a field has no column to be
                read from: the schema and the record disagree (found when the store's module is imported).
        """
        encoded = dict(encoded or {})
        decoded = dict(decoded or {})
        fields = {field.name: field.alias for field in attrs.fields(cast("Any", record))}
        columns = tuple(column.name for column in table.columns if column.name not in own)
        for name in columns:
            if not name.isidentifier() or keyword.iskeyword(name):
                raise ValueError(f"column {table.name}.{name} is not a Python name")
            if name not in encoded and name not in fields:
                what = f"column {table.name}.{name} is no field of {record.__name__}"
                raise ValueError(f"{what}: encode it or list it as own")
        for field, how in decoded.items():
            missing = [name for name in how.columns if name not in columns]
            if field not in fields or missing:
                raise ValueError(f"{record.__name__}.{field} cannot be read from {table.name}: {missing}")
        unread = [field for field in fields if field not in decoded and field not in columns]
        if unread:
            raise ValueError(f"no column of {table.name} holds {record.__name__}.{', '.join(unread)}")
        return cls(
            table.name,
            columns,
            _values_function(table.name, columns, encoded),
            _read_function(table.name, record, columns, fields, decoded),
        )


def _compiled(name: str, source: str, namespace: dict[str, Any]) -> Any:
    # The source is built from column and field names checked to be identifiers, nothing else.
    code = compile(source, f"<rows of {name}>", "exec")
    exec(code, namespace)  # noqa: S102 - generated from the schema, as attrs generates __init__
    return namespace["generated"]


def _values_function(
    name: str, columns: tuple[str, ...], encoded: Mapping[str, Encoded]
) -> Callable[[Any], tuple[Any, ...]]:
    namespace: dict[str, Any] = {}
    items = []
    for column in columns:
        how = encoded.get(column)
        if how is None:
            items.append(f"r.{column}")
        else:
            namespace[f"encode_{column}"] = how.encode
            read = (how.field,) if isinstance(how.field, str) else how.field
            items.append(f"encode_{column}({', '.join(f'r.{field}' for field in read)})")
    source = "def generated(r):\n    return (" + ", ".join(items) + ",)\n"
    return cast("Callable[[Any], tuple[Any, ...]]", _compiled(name, source, namespace))


def _read_function(
    name: str,
    record: type[R],
    columns: tuple[str, ...],
    fields: Mapping[str, str],
    decoded: Mapping[str, Decoded],
) -> Callable[[Sequence[Any]], R]:
    namespace: dict[str, Any] = {"record": record}
    variable = {column: f"c{index}" for index, column in enumerate(columns)}
    arguments = []
    for field, alias in fields.items():
        how = decoded.get(field)
        if how is None:
            arguments.append(f"{alias}={variable[field]}")
        else:
            namespace[f"decode_{field}"] = how.decode
            given = ", ".join(variable[column] for column in how.columns)
            arguments.append(f"{alias}=decode_{field}({given})")
    source = (
        "def generated(row):\n"
        f"    ({', '.join(variable.values())},) = row\n"
        f"    return record({', '.join(arguments)})\n"
    )
    return cast("Callable[[Sequence[Any]], R]", _compiled(name, source, namespace))


_EMPTY_JSON_LIST: Final = "[]"


class _ByValue(dict[object, Any]):
    """Members of an enum by value; an unknown value raises ValueError, as calling the enum does.

    Its bound ``__getitem__`` is the reading function: a dictionary look-up, ten times cheaper than calling
    the enum on every read.
    """

    def __init__(self, members: type[enum.Enum]) -> None:
        super().__init__((member.value, member) for member in members)
        self._enum = members

    def __missing__(self, value: object) -> Any:
        return self._enum(value)


def _member(members: type[enum.Enum]) -> Callable[[Any], Any]:
    return _ByValue(members).__getitem__


# Enum values are read as ``_value_``: ``.value`` is a Python-level descriptor, a microsecond a call here.
_value: Final = operator.attrgetter("_value_")


def _optional_value(member: enum.Enum | None) -> Any:
    return None if member is None else member.value


def _optional_member(members: type[enum.Enum]) -> Callable[[Any], Any]:
    read = _member(members)
    return lambda value: None if value is None else read(value)


def _jsonable(value: object) -> object:
    if isinstance(value, Mapping):  # an event's read-only payload (a mappingproxy)
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not a JSON value")


# Datetimes and dataclasses are not JSON values here (json refuses them; orjson would write them as text).
_OPTIONS: Final = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _dumps(value: object) -> str:
    # Sorted keys, compact, UTF-8 as is: what json.dumps(sort_keys=True, separators=(",", ":"),
    # ensure_ascii=False) writes, about ten times faster (a fifth of a bulk import's Python time).
    # orjson writes NaN and infinities as null where json refuses them: event payloads never hold one (their
    # hash is computed with allow_nan=False when they are created), nor do locations (validated finite).
    return orjson.dumps(value, default=_jsonable, option=_OPTIONS).decode()


_loads: Final = orjson.loads


def _dumps_strings(values: Iterable[str]) -> str:
    ordered = sorted(values)
    return _dumps(ordered) if ordered else _EMPTY_JSON_LIST


def _string_list(values: Iterable[str]) -> str:
    return _dumps(list(values)) if values else _EMPTY_JSON_LIST


def _string_set(text: str) -> frozenset[str]:
    # Most complaints have no supporters, flags or declines: skip the JSON parser for them.
    return frozenset() if text == _EMPTY_JSON_LIST else frozenset(_loads(text))


def _string_tuple(text: str) -> tuple[str, ...]:
    return () if text == _EMPTY_JSON_LIST else tuple(_loads(text))


def _region_of(location: Location | None) -> str | None:
    return location.region if location is not None else None


def _regency_of(location: Location | None) -> str | None:
    return regency_of(location.region) if location is not None else None


def _location_json(location: Location | None) -> str | None:
    if location is None:
        return None
    return _dumps(
        {"region": location.region, "lat": location.lat, "lon": location.lon, "address": location.address}
    )


# A stored location was validated when it was built; validating it again on every read would cost more than
# the indexed lookup itself, so it is rebuilt without its rules.
def _location(text: str | None) -> Location | None:
    return trusted(Location, _loads(text)) if text is not None else None


def _stored_key(salt: bytes, digest: bytes) -> StoredKey:
    return StoredKey(salt=bytes(salt), digest=bytes(digest))


def _actor_json(actor: Actor) -> str:
    who = {"role": actor.role, "user_id": actor.user_id, "institution": actor.institution, "unit": actor.unit}
    return _dumps({key: value for key, value in who.items() if value is not None})


def _actor(text: str) -> Actor:
    return Actor(**_loads(text))


def _sla_json(state: SlaState | None) -> str | None:
    return _dumps(state.to_json()) if state is not None else None


def _sla_state(text: str | None) -> SlaState | None:
    # A kept state that does not parse is as good as none: the kernel replays the history, which is the truth.
    if text is None:
        return None
    try:
        return SlaState.from_json(_loads(text))
    except (ValueError, orjson.JSONDecodeError):
        return None


def complaint_rows(table: sa.Table, record: type[Complaint]) -> Rows[Complaint]:
    """The rows of complaints in ``table``: ``lapor_complaints``, or a copy of it with more columns.

    The conversions below are the complaint columns' only rules; every other column is written and read as
    the field of its name. The ``region`` column is the location's, for filtering, and is not read back.
    """
    return Rows.derive(
        table,
        record,
        encoded={
            "status": Encoded("status", _value),
            "kind": Encoded("kind", _value),
            "channel": Encoded("channel", _value),
            "region": Encoded("location", _region_of),
            "location": Encoded("location", _location_json),
            "reporter_flags": Encoded("reporter_flags", _dumps_strings),
            "access_salt": Encoded("access_key", operator.attrgetter("salt")),
            "access_digest": Encoded("access_key", operator.attrgetter("digest")),
            "declined_by": Encoded("declined_by", _string_list),
            "supporters": Encoded("supporters", _dumps_strings),
            "sla_state": Encoded("sla_state", _sla_json),
            "escalation": Encoded("escalation", _optional_value),
            "search_text": Encoded(("title", "body"), searchable),
            "regency": Encoded("location", _regency_of),
        },
        decoded={
            "status": Decoded(("status",), _member(Status)),
            "kind": Decoded(("kind",), _member(Kind)),
            "channel": Decoded(("channel",), _member(Channel)),
            "location": Decoded(("location",), _location),
            "anonymous": Decoded(("anonymous",), bool),
            "confidential": Decoded(("confidential",), bool),
            "reporter_flags": Decoded(("reporter_flags",), _string_set),
            "access_key": Decoded(("access_salt", "access_digest"), _stored_key),
            "declined_by": Decoded(("declined_by",), _string_tuple),
            "supporters": Decoded(("supporters",), _string_set),
            "sla_state": Decoded(("sla_state",), _sla_state),
            "escalation": Decoded(("escalation",), _optional_member(Escalation)),
        },
    )


COMPLAINT_ROWS: Final = complaint_rows(complaints, Complaint)
"""The rows of ``lapor_complaints``."""

EVENT_ROWS: Final = Rows.derive(
    events,
    Event,
    encoded={
        "action": Encoded("action", _value),
        "actor": Encoded("actor", _actor_json),
        "payload": Encoded("payload", _dumps),
    },
    decoded={
        "action": Decoded(("action",), _member(Action)),
        "actor": Decoded(("actor",), _actor),
        "payload": Decoded(("payload",), _loads),
    },
)
"""The rows of ``lapor_events``: an event is read back with its stored hash, not a new one."""

IDENTITY_ROWS: Final = Rows.derive(
    identities, ReporterIdentity, decoded={"erased": Decoded(("erased",), bool)}
)
"""The rows of ``lapor_identities``."""

OUTBOX_ROWS: Final = Rows.derive(
    outbox,
    OutboxMessage,
    encoded={"event": Encoded("event", _value), "context": Encoded("context", _dumps)},
    decoded={"event": Decoded(("event",), _member(Action)), "context": Decoded(("context",), _loads)},
    own=("position", "attempts", "retry_at", "lease_token", "lease_until", "last_error", "dead_at"),
)
"""The rows of ``lapor_outbox``: a message's columns; the delivery state is the SQL outbox's own."""

COMPLAINT_COLUMNS: Final = COMPLAINT_ROWS.columns
EVENT_COLUMNS: Final = EVENT_ROWS.columns
IDENTITY_COLUMNS: Final = IDENTITY_ROWS.columns
OUTBOX_COLUMNS: Final = OUTBOX_ROWS.columns
complaint_values: Final = COMPLAINT_ROWS.values
complaint_from: Final = COMPLAINT_ROWS.read
event_values: Final = EVENT_ROWS.values
event_from: Final = EVENT_ROWS.read
identity_values: Final = IDENTITY_ROWS.values
identity_from: Final = IDENTITY_ROWS.read
outbox_values: Final = OUTBOX_ROWS.values
outbox_from: Final = OUTBOX_ROWS.read


IDEMPOTENCY_COLUMNS: Final = ("key_hash", "fingerprint", "tracking_id", "created_at")
"""The columns of an idempotency record, in the order of :func:`idempotency_values`."""


def idempotency_values(record: IdempotencyRecord) -> tuple[Any, ...]:
    """The row of an idempotency record, in :data:`IDEMPOTENCY_COLUMNS` order."""
    return (record.key_hash, record.fingerprint, record.tracking_id, record.created_at)


class ChangesetRows(NamedTuple):
    """One changeset as rows in column order, built (and checked to be storable) before any transaction."""

    tracking_id: str
    expected_version: int
    complaint: tuple[Any, ...]
    events: tuple[tuple[Any, ...], ...]
    identity: tuple[Any, ...] | None
    outbox: tuple[tuple[Any, ...], ...]
    idempotency: tuple[Any, ...] | None = None

    @classmethod
    def of(cls, changes: Changeset) -> ChangesetRows:
        """The rows of ``changes``.

        Raises:
            StorageError: A value cannot be stored (a payload or context that is not JSON).
        """
        c = changes.complaint
        try:
            return cls(
                c.tracking_id,
                changes.expected_version,
                complaint_values(c),
                tuple(event_values(e) for e in changes.events),
                identity_values(changes.identity) if changes.identity is not None else None,
                tuple(outbox_values(m) for m in changes.outbox),
                idempotency_values(changes.idempotency) if changes.idempotency is not None else None,
            )
        except (TypeError, ValueError) as e:
            raise StorageError(f"cannot store complaint {c.tracking_id}: {e}") from e
