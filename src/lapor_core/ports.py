"""The ports: what lapor_core needs from the outside world, as small Protocols.

Integrators implement these for their own database or clock; lapor_core ships adapters for each
(:mod:`lapor_core.stores`) and a contract test suite a third-party adapter must pass
(:mod:`lapor_core.testing`). The core keeps every invariant (authorisation, transitions, deadlines,
history chaining); a store only stores, atomically.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

import attrs

from lapor_core.complaint import Complaint, OutboxMessage, ReporterIdentity
from lapor_core.history import Event
from lapor_core.lifecycle import Status
from lapor_core.model import Kind

__all__ = [
    "Changeset",
    "Clock",
    "ComplaintQuery",
    "ComplaintStore",
    "Order",
    "Page",
    "SystemClock",
]


@runtime_checkable
class Clock(Protocol):
    """Tells the time. Every command stamps its events with ``now()``."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    """The real clock, in UTC."""

    def now(self) -> datetime:
        """The current instant in UTC."""
        return datetime.now(UTC)


@attrs.frozen
class Changeset:
    """Everything one command changes, saved atomically by :meth:`ComplaintStore.save`.

    Attributes:
        complaint: The complaint's new state; its ``version`` is ``expected_version + len(events)``.
        expected_version: The version the command read (0 for a new complaint).
        events: The new history events, with ``seq`` from ``expected_version`` on. May be empty: then only
            the projection is refreshed (``next_due_at`` after a calendar amendment), still compare-and-set.
        outbox: Notifications to queue in the same transaction.
        identity: A reporter identity to insert or replace (at submission, or when erased), or None.
    """

    complaint: Complaint
    expected_version: int
    events: tuple[Event, ...]
    outbox: tuple[OutboxMessage, ...] = ()
    identity: ReporterIdentity | None = None


class Order(enum.StrEnum):
    """Orderings a query may ask for; ties break on the tracking ID."""

    SUBMITTED_ASC = "submitted_at"
    SUBMITTED_DESC = "-submitted_at"
    DUE_ASC = "next_due_at"


@attrs.frozen
class ComplaintQuery:
    """A filtered, ordered, paginated query. ``None`` means "any" for every filter.

    Attributes:
        statuses: Only these statuses.
        institution: Only complaints currently at this institution.
        unit: Only complaints currently assigned to this unit.
        region_prefix: Only locations whose region code equals this code or lies inside it (``"31"``
            matches ``"31.71.01"``).
        category: Only this topic ID.
        kind: Only this report kind.
        submitted_from: Submitted at or after this instant.
        submitted_before: Submitted strictly before this instant.
        order: The ordering.
        limit: Page size (1 to 1,000).
        cursor: The ``next_cursor`` of the previous page, or None for the first page.
    """

    statuses: frozenset[Status] | None = None
    institution: str | None = None
    unit: str | None = None
    region_prefix: str | None = None
    category: str | None = None
    kind: Kind | None = None
    submitted_from: datetime | None = None
    submitted_before: datetime | None = None
    order: Order = Order.SUBMITTED_ASC
    limit: int = 100
    cursor: str | None = None


@attrs.frozen
class Page:
    """One page of query results; ``next_cursor`` is None on the last page."""

    items: tuple[Complaint, ...]
    next_cursor: str | None


@runtime_checkable
class ComplaintStore(Protocol):
    """Where complaints, their histories, reporter identities and the outbox live.

    Contract (pinned down by :class:`lapor_core.testing.StoreContract`):

    - ``save`` is atomic: the complaint's new state, its new events, its outbox rows and its identity are all
      stored, or none is. It is a compare-and-set on the version: when the stored version differs from
      ``expected_version`` (for a new complaint: when the tracking ID exists at all) it raises
      :class:`~lapor_core.ConcurrencyConflict` and changes nothing.
    - Reads return what the last successful save stored, values equal to what was saved (Unicode intact,
      datetimes as the same instants).
    - ``get`` and ``history`` raise :class:`~lapor_core.NotFound` (``kind="complaint"``) for an unknown ID.
    - Every method is safe to call from several threads at once; of N concurrent saves with the same expected
      version exactly one succeeds.
    - Failures of the backend are raised as :class:`~lapor_core.StorageError` (the driver's error chained as
      ``__cause__``); no other exception escapes.
    """

    def save(self, changes: Changeset) -> None:
        """Store one command's changes atomically, or raise without changing anything."""
        ...

    def get(self, tracking_id: str) -> Complaint:
        """The complaint with this canonical tracking ID."""
        ...

    def history(self, tracking_id: str) -> Sequence[Event]:
        """Every event of the complaint, in order."""
        ...

    def identity(self, ref: str) -> ReporterIdentity | None:
        """The reporter identity with this reference, or None."""
        ...

    def query(self, query: ComplaintQuery) -> Page:
        """One page of complaints matching ``query``."""
        ...

    def due(self, before: datetime, *, limit: int = 1000) -> Sequence[Complaint]:
        """Open complaints whose ``next_due_at`` is at or before ``before``, earliest first."""
        ...

    def pending_outbox(self, *, limit: int = 1000) -> Sequence[OutboxMessage]:
        """Queued notifications, oldest first."""
        ...

    def close(self) -> None:
        """Release connections; the store is not used afterwards."""
        ...
