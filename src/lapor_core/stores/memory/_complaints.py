"""The in-memory store: for tests, demos and small embedded uses. Everything is lost when the process ends."""

from __future__ import annotations

import heapq
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime

from lapor_core._domain.complaint import Complaint, OutboxMessage, ReporterIdentity
from lapor_core._domain.history import Event
from lapor_core._domain.idempotency import IdempotencyRecord
from lapor_core._domain.ports import Changeset, ComplaintQuery, Order, Page
from lapor_core.errors import ConcurrencyConflict, NotFound, StorageError, ValidationError
from lapor_core.plugins._cursor import decode_cursor, encode_cursor, instant_key
from lapor_core.plugins._outbox import check_instant
from lapor_core.stores.memory._outbox import InMemoryOutbox
from lapor_core.stores.memory._statistics import InMemoryStatistics

__all__ = ["InMemoryComplaintStore"]

MAX_PAGE = 1000


def _sort_key(complaint: Complaint, order: Order) -> str | None:
    if order is Order.DUE_ASC:
        return instant_key(complaint.next_due_at) if complaint.next_due_at else None
    return instant_key(complaint.submitted_at)


def _full_key(sort_key: str | None, tracking_id: str) -> tuple[bool, str, str]:
    return (sort_key is None, sort_key or "", tracking_id)


class InMemoryComplaintStore(InMemoryOutbox, InMemoryStatistics):
    """A :class:`~lapor_core.plugins.ComplaintStore` (``OutboxStore``, ``IdempotencyStore``) in dictionaries.

    Every method holds one lock.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._complaints: dict[str, Complaint] = {}
        self._histories: dict[str, list[Event]] = {}
        self._identities: dict[str, ReporterIdentity] = {}
        self._outbox: list[OutboxMessage] = []
        self._outbox_ids: set[str] = set()
        self._idempotency: dict[str, IdempotencyRecord] = {}

    def save(self, changes: Changeset) -> None:
        """Store one command's changes atomically (see :class:`~lapor_core.plugins.ComplaintStore`)."""
        self.save_many((changes,))

    def save_many(self, batch: Iterable[Changeset]) -> None:
        """Store many changesets atomically: all of them, or none (the sweep's batches, bulk imports).

        Raises:
            ConcurrencyConflict: For the first changeset whose version check fails (or whose tracking ID
                exists, or appears twice in the batch, or whose idempotency key is taken); nothing was
                changed.
            StorageError: An outbox message ID is queued already; nothing was changed.
        """
        batch = tuple(batch)
        with self._lock:
            versions: dict[str, int] = {}
            new_ids: set[str] = set()
            new_keys: set[str] = set()
            for changes in batch:
                tid = changes.complaint.tracking_id
                key = changes.idempotency
                if key is not None:
                    if key.key_hash in self._idempotency or key.key_hash in new_keys:
                        raise ConcurrencyConflict(
                            complaint_id=tid, expected_version=changes.expected_version, actual_version=None
                        )
                    new_keys.add(key.key_hash)
                current = self._complaints.get(tid)
                actual = versions.get(tid, current.version if current is not None else 0)
                if actual != changes.expected_version:
                    raise ConcurrencyConflict(
                        complaint_id=tid,
                        expected_version=changes.expected_version,
                        actual_version=actual if tid in versions or current is not None else None,
                    )
                versions[tid] = changes.complaint.version
                ids = {m.id for m in changes.outbox}
                if len(ids) != len(changes.outbox) or not (
                    ids.isdisjoint(self._outbox_ids) and ids.isdisjoint(new_ids)
                ):
                    # Outbox IDs are idempotency keys: unique, as the SQL store's unique index makes them.
                    raise StorageError(
                        f"saving complaint {tid} failed: an outbox message ID is already queued"
                    )
                new_ids |= ids
            for changes in batch:
                tid = changes.complaint.tracking_id
                self._complaints[tid] = changes.complaint
                self._histories.setdefault(tid, []).extend(changes.events)
                self._outbox.extend(changes.outbox)
                if changes.identity is not None:
                    self._identities[changes.identity.ref] = changes.identity
                if changes.idempotency is not None:
                    self._idempotency[changes.idempotency.key_hash] = changes.idempotency
            self._outbox_ids |= new_ids

    def find_idempotency_key(self, key_hash: str) -> IdempotencyRecord | None:
        """The idempotency record saved with this key hash, or None."""
        with self._lock:
            return self._idempotency.get(key_hash)

    def prune_idempotency_keys(self, before: datetime) -> int:
        """Forget the idempotency records created before ``before``; return how many.

        Raises:
            ValidationError: ``before`` is not an aware datetime.
        """
        check_instant("before", before)
        with self._lock:
            old = [k for k, record in self._idempotency.items() if record.created_at < before]
            for k in old:
                del self._idempotency[k]
            return len(old)

    def get(self, tracking_id: str) -> Complaint:
        """The complaint with this tracking ID, or NotFound."""
        try:
            return self._complaints[tracking_id]
        except KeyError:
            raise NotFound(kind="complaint", key=tracking_id) from None

    def history(self, tracking_id: str) -> Sequence[Event]:
        """The complaint's events in order, or NotFound."""
        with self._lock:
            if tracking_id not in self._histories:
                raise NotFound(kind="complaint", key=tracking_id)
            return tuple(self._histories[tracking_id])

    def identities(self, refs: Iterable[str]) -> dict[str, ReporterIdentity]:
        """The identities with these references, by reference (missing ones left out)."""
        with self._lock:
            return {ref: self._identities[ref] for ref in set(refs) if ref in self._identities}

    def identity(self, ref: str) -> ReporterIdentity | None:
        """The identity with this reference, or None."""
        return self._identities.get(ref)

    def query(self, query: ComplaintQuery) -> Page:
        """One page of matching complaints."""
        if not 1 <= query.limit <= MAX_PAGE:
            raise ValidationError.single("limit", "query.limit_out_of_range", max=MAX_PAGE)
        after = decode_cursor(query.cursor) if query.cursor is not None else None
        matches = query.filters.matches
        with self._lock:
            rows = [c for c in self._complaints.values() if matches(c)]
        reverse = query.order is Order.SUBMITTED_DESC
        # None sorts last in ascending order: complaints without a deadline come after every due one.
        keyed = sorted(
            ((_full_key(_sort_key(c, query.order), c.tracking_id), c) for c in rows), reverse=reverse
        )
        if after is not None:
            marker = _full_key(*after)
            keyed = [r for r in keyed if (r[0] < marker if reverse else r[0] > marker)]
        page = keyed[: query.limit]
        more = len(keyed) > query.limit
        cursor = encode_cursor(_sort_key(page[-1][1], query.order), page[-1][1].tracking_id) if more else None
        return Page(items=tuple(r[1] for r in page), next_cursor=cursor)

    def due(self, before: datetime, *, limit: int = 1000) -> Sequence[Complaint]:
        """Open complaints with ``next_due_at <= before``, earliest first."""
        with self._lock:
            rows = [
                c
                for c in self._complaints.values()
                if c.next_due_at is not None and c.next_due_at <= before and c.is_open
            ]
        # The earliest ``limit`` without sorting them all: a sweep asks page after page of a large backlog.
        return tuple(heapq.nsmallest(limit, rows, key=lambda c: (c.next_due_at, c.tracking_id)))

    def pending_outbox(self, *, limit: int = 1000) -> Sequence[OutboxMessage]:
        """Queued notifications, oldest first."""
        with self._lock:
            return tuple(self._outbox[:limit])

    def close(self) -> None:
        """Nothing to release."""
