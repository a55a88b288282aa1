"""A lapor_core complaint store on Redis: an example third-party storage plugin.

It uses only lapor_core's public API: the protocol and records of :mod:`lapor_core.plugins`
(:class:`~lapor_core.plugins.Complaint` and friends), their JSON form (:func:`lapor_core.to_dict` /
:func:`lapor_core.from_dict`) and the errors. Saves are optimistic Redis
transactions: ``WATCH`` the complaint (and the set of queued message IDs), check the version, then
``MULTI`` ... ``EXEC``, which Redis refuses if a watched key changed meanwhile; the store then looks again.

Keys, under a prefix (``lapor`` unless the URL says ``?prefix=...``)::

    {prefix}:complaint:{tracking_id}   the complaint (JSON)
    {prefix}:history:{tracking_id}     its events (a list of JSON)
    {prefix}:identity:{ref}            a reporter identity (JSON)
    {prefix}:complaints                every tracking ID (a set)
    {prefix}:due                       open complaints with a deadline (a sorted set scored by it)
    {prefix}:outbox, {prefix}:outbox-ids   queued messages (a list) and their IDs (a set)
    {prefix}:idempotency:{key_hash}   a submission's idempotency record (JSON), written with its complaint
    {prefix}:idempotency-created      every record's key hash (a sorted set scored by its creation time)

A save with an idempotency record also ``WATCH``es the record's key: a second writer of one key finds it
(or has its ``EXEC`` refused and then finds it) and raises ``ConcurrencyConflict``. Pruning is one Lua script,
so no record is deleted that a writer adds meanwhile.

Queries load the complaints and filter them in Python: fine for the tens of thousands a small portal holds,
not for a national deployment (use PostgreSQL there).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis

import lapor_core as lc
from lapor_core import ComplaintQuery, Order
from lapor_core.plugins import (
    Changeset,
    Complaint,
    Event,
    IdempotencyRecord,
    OutboxMessage,
    Page,
    ReporterIdentity,
)

__all__ = ["RedisComplaintStore", "open_store"]

MAX_PAGE = 1000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# Deletes the records created before ARGV[1] (microseconds) and their index entries, atomically.
_PRUNE = """
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
for _, key_hash in ipairs(old) do
    redis.call('DEL', ARGV[2] .. key_hash)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
return #old
"""


def open_store(url: str, **options: Any) -> RedisComplaintStore:
    """Open the store at ``redis://host:port/db?prefix=name``: the factory the entry point names.

    ``options`` go to :meth:`redis.Redis.from_url` (``socket_timeout``, ``password``...).
    """
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    prefix = query.pop("prefix", "lapor")
    client_url = urlunsplit(parts._replace(query=urlencode(query)))
    return RedisComplaintStore(redis.Redis.from_url(client_url, **options), prefix=prefix)


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _json(value: object) -> str:
    return json.dumps(lc.to_dict(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _micros(instant: datetime) -> int:
    return (instant - _EPOCH) // _MICROSECOND


def _cursor(sort_key: int | None, tracking_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([sort_key, tracking_id]).encode()).decode()


def _uncursor(cursor: str) -> tuple[int | None, str]:
    try:
        sort_key, tracking_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError, binascii.Error) as e:
        raise lc.ValidationError.single("cursor", "malformed cursor") from e
    if not (sort_key is None or isinstance(sort_key, int)) or not isinstance(tracking_id, str):
        raise lc.ValidationError.single("cursor", "malformed cursor")
    return sort_key, tracking_id


def _matches(c: Complaint, q: ComplaintQuery) -> bool:
    # The query's filters test a complaint themselves: the same answer every store must give.
    return q.filters.matches(c)


def _position(c: Complaint, order: Order) -> tuple[int | None, str]:
    if order is Order.DUE_ASC:
        return (_micros(c.next_due_at) if c.next_due_at is not None else None), c.tracking_id
    return _micros(c.submitted_at), c.tracking_id


def _sortable(position: tuple[int | None, str]) -> tuple[bool, int, str]:
    # Complaints without a deadline sort after every other one.
    sort_key, tracking_id = position
    return sort_key is None, sort_key or 0, tracking_id


class RedisComplaintStore:
    """A :class:`~lapor_core.plugins.ComplaintStore` (and ``IdempotencyStore``) on one Redis database.

    Args:
        client: A connected client (thread-safe: it holds a connection pool).
        prefix: Prefix of every key this store uses.
    """

    def __init__(self, client: redis.Redis, *, prefix: str = "lapor") -> None:
        self._redis = client
        self._p = prefix
        self._prune = client.register_script(_PRUNE)

    def _key(self, *parts: str) -> str:
        return ":".join((self._p, *parts))

    def save(self, changes: Changeset) -> None:
        """Store one command's changes in one Redis transaction, if the version is still the expected one."""
        complaint = changes.complaint
        tid = complaint.tracking_id
        ids = [m.id for m in changes.outbox]
        if len(set(ids)) != len(ids):
            raise lc.StorageError(f"saving complaint {tid} failed: an outbox message ID is repeated")
        try:
            rows = self._rows(changes)
            with self._redis.pipeline() as pipe:
                while True:
                    try:
                        self._save_once(pipe, changes, ids, rows)
                    except redis.WatchError:
                        continue  # a watched key changed before EXEC: nothing was written, look again
                    return
        except (TypeError, ValueError) as e:
            raise lc.StorageError(f"cannot store complaint {tid}: {type(e).__name__}") from e
        except redis.RedisError as e:
            raise lc.StorageError(f"saving complaint {tid} failed: {type(e).__name__}") from e

    def _rows(self, changes: Changeset) -> dict[str, Any]:
        return {
            "complaint": _json(changes.complaint),
            "events": [_json(e) for e in changes.events],
            "identity": _json(changes.identity) if changes.identity is not None else None,
            "outbox": [_json(m) for m in changes.outbox],
            "idempotency": _json(changes.idempotency) if changes.idempotency is not None else None,
        }

    def _save_once(self, pipe: Any, changes: Changeset, ids: list[str], rows: dict[str, Any]) -> None:
        complaint = changes.complaint
        tid = complaint.tracking_id
        key = self._key("complaint", tid)
        record = changes.idempotency
        idempotency = self._key("idempotency", record.key_hash) if record is not None else None
        pipe.watch(key, self._key("outbox-ids"), *([idempotency] if idempotency else []))
        stored = pipe.get(key)
        actual = json.loads(stored)["version"] if stored is not None else None
        if (actual or 0) != changes.expected_version or (idempotency and pipe.exists(idempotency)):
            raise lc.ConcurrencyConflict(
                complaint_id=tid, expected_version=changes.expected_version, actual_version=actual
            )
        if ids and any(pipe.smismember(self._key("outbox-ids"), ids)):
            raise lc.StorageError(f"saving complaint {tid} failed: an outbox message ID is already queued")
        pipe.multi()
        pipe.set(key, rows["complaint"])
        pipe.sadd(self._key("complaints"), tid)
        if rows["events"]:
            pipe.rpush(self._key("history", tid), *rows["events"])
        if changes.identity is not None:
            pipe.set(self._key("identity", changes.identity.ref), rows["identity"])
        if ids:
            pipe.rpush(self._key("outbox"), *rows["outbox"])
            pipe.sadd(self._key("outbox-ids"), *ids)
        if record is not None and idempotency is not None:
            pipe.set(idempotency, rows["idempotency"])
            pipe.zadd(self._key("idempotency-created"), {record.key_hash: _micros(record.created_at)})
        if complaint.is_open and complaint.next_due_at is not None:
            pipe.zadd(self._key("due"), {tid: _micros(complaint.next_due_at)})
        else:
            pipe.zrem(self._key("due"), tid)
        pipe.execute()

    def find_idempotency_key(self, key_hash: str) -> IdempotencyRecord | None:
        """The idempotency record saved with this key hash, or None."""
        try:
            raw = self._redis.get(self._key("idempotency", key_hash))
        except redis.RedisError as e:
            raise lc.StorageError(f"reading an idempotency key failed: {type(e).__name__}") from e
        return None if raw is None else lc.from_dict(IdempotencyRecord, json.loads(raw))

    def prune_idempotency_keys(self, before: datetime) -> int:
        """Delete the idempotency records created before ``before`` (one Lua script); return how many."""
        if before.tzinfo is None or before.utcoffset() is None:
            raise lc.ValidationError.single("before", "instant.naive")
        try:
            keys = [self._key("idempotency-created")]
            pruned = self._prune(keys=keys, args=[_micros(before), self._key("idempotency", "")])
        except redis.RedisError as e:
            raise lc.StorageError(f"pruning idempotency keys failed: {type(e).__name__}") from e
        return int(pruned)

    def _load(self, tids: Sequence[str]) -> Iterator[Complaint]:
        if not tids:
            return
        for raw in self._redis.mget([self._key("complaint", tid) for tid in tids]):
            if raw is not None:
                yield lc.from_dict(Complaint, json.loads(raw))

    def get(self, tracking_id: str) -> Complaint:
        """The complaint with this tracking ID, or NotFound."""
        try:
            raw = self._redis.get(self._key("complaint", tracking_id))
        except redis.RedisError as e:
            raise lc.StorageError(f"reading a complaint failed: {type(e).__name__}") from e
        if raw is None:
            raise lc.NotFound(kind="complaint", key=tracking_id)
        return lc.from_dict(Complaint, json.loads(raw))

    def history(self, tracking_id: str) -> Sequence[Event]:
        """The complaint's events in order, or NotFound."""
        try:
            raws = self._redis.lrange(self._key("history", tracking_id), 0, -1)
            if not raws and not self._redis.exists(self._key("complaint", tracking_id)):
                raise lc.NotFound(kind="complaint", key=tracking_id)
        except redis.RedisError as e:
            raise lc.StorageError(f"reading a history failed: {type(e).__name__}") from e
        return tuple(lc.from_dict(Event, json.loads(raw)) for raw in raws)

    def identity(self, ref: str) -> ReporterIdentity | None:
        """The reporter identity with this reference, or None."""
        try:
            raw = self._redis.get(self._key("identity", ref))
        except redis.RedisError as e:
            raise lc.StorageError(f"reading an identity failed: {type(e).__name__}") from e
        return None if raw is None else lc.from_dict(ReporterIdentity, json.loads(raw))

    def query(self, query: ComplaintQuery) -> Page:
        """One page of matching complaints, filtered and ordered in Python."""
        if not 1 <= query.limit <= MAX_PAGE:
            raise lc.ValidationError.single("limit", f"must be between 1 and {MAX_PAGE}")
        after = _uncursor(query.cursor) if query.cursor is not None else None
        try:
            members = self._redis.smembers(self._key("complaints"))
            tids = sorted(_text(t) for t in members)
            found = [c for c in self._load(tids) if _matches(c, query)]
        except redis.RedisError as e:
            raise lc.StorageError(f"querying complaints failed: {type(e).__name__}") from e
        reverse = query.order is Order.SUBMITTED_DESC
        keyed = sorted(((_sortable(_position(c, query.order)), c) for c in found), reverse=reverse)
        if after is not None:
            marker = _sortable(after)
            keyed = [(key, c) for key, c in keyed if (key < marker if reverse else key > marker)]
        found = [c for _, c in keyed]
        page = found[: query.limit]
        more = len(found) > query.limit
        cursor = _cursor(*_position(page[-1], query.order)) if more else None
        return Page(items=tuple(page), next_cursor=cursor)

    def due(self, before: datetime, *, limit: int = 1000) -> Sequence[Complaint]:
        """Open complaints due at or before ``before``, earliest first (a sorted-set range)."""
        try:
            tids = self._redis.zrangebyscore(self._key("due"), "-inf", _micros(before), start=0, num=limit)
            return tuple(self._load([_text(t) for t in tids]))
        except redis.RedisError as e:
            raise lc.StorageError(f"finding due complaints failed: {type(e).__name__}") from e

    def pending_outbox(self, *, limit: int = 1000) -> Sequence[OutboxMessage]:
        """Queued notifications, oldest first."""
        if limit < 1:
            return ()
        try:
            raws = self._redis.lrange(self._key("outbox"), 0, limit - 1)
        except redis.RedisError as e:
            raise lc.StorageError(f"reading the outbox failed: {type(e).__name__}") from e
        return tuple(lc.from_dict(OutboxMessage, json.loads(raw)) for raw in raws)

    def close(self) -> None:
        """Close the client's connections."""
        self._redis.close()
