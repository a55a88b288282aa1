"""The ports: what lapor_core needs from the outside world, as small Protocols.

Integrators implement these for their own database or clock; lapor_core ships adapters for each
(:mod:`lapor_core.stores`) and a contract test suite a third-party adapter must pass
(:mod:`lapor_core.testing`). The core keeps every invariant (authorisation, transitions, deadlines,
history chaining); a store only stores, atomically.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final, Protocol, TypeVar, runtime_checkable

import attrs

from lapor_core._domain import rules as v
from lapor_core._domain.complaint import Complaint, OutboxMessage, ReporterIdentity
from lapor_core._domain.filters import Filters, with_keywords
from lapor_core._domain.history import Event
from lapor_core._domain.idempotency import IdempotencyRecord
from lapor_core._domain.lifecycle import Status
from lapor_core._domain.model import Kind
from lapor_core._i18n import N_
from lapor_core.errors import FieldError, ValidationError

T = TypeVar("T")

__all__ = [
    "MAX_PAGE",
    "Changeset",
    "Clock",
    "ComplaintQuery",
    "ComplaintStore",
    "Filters",
    "FrozenClock",
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


class FrozenClock:
    """A :class:`~lapor_core.plugins.Clock` that stands still until told to move.

    >>> from datetime import datetime, timedelta, timezone
    >>> clock = FrozenClock(datetime(2026, 3, 17, 10, tzinfo=timezone(timedelta(hours=7))))
    >>> clock.advance(hours=2).hour
    12
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError("FrozenClock needs a timezone-aware start")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The instant the clock stands at."""
        with self._lock:
            return self._now

    def set(self, instant: datetime) -> datetime:
        """Move to ``instant`` (aware; may go backwards) and return it."""
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("FrozenClock needs timezone-aware instants")
        with self._lock:
            self._now = instant
            return instant

    def advance(self, **delta: float) -> datetime:
        """Move forward by ``timedelta(**delta)`` and return the new instant."""
        with self._lock:
            self._now += timedelta(**delta)
            return self._now


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
        idempotency: The idempotency key's record to insert with a new complaint, or None (only a store
            with the :class:`IdempotencyStore` capability is given one).
    """

    complaint: Complaint
    expected_version: int
    events: tuple[Event, ...]
    outbox: tuple[OutboxMessage, ...] = ()
    identity: ReporterIdentity | None = None
    idempotency: IdempotencyRecord | None = None


class Order(enum.StrEnum):
    """Orderings a query may ask for; ties break on the tracking ID."""

    SUBMITTED_ASC = "submitted_at"
    SUBMITTED_DESC = "-submitted_at"
    DUE_ASC = "next_due_at"


MAX_PAGE: Final = 1000
"""The largest page a query may ask for."""
_CURSOR_MAX: Final = 512


_limit: Final = v.whole_number(1, MAX_PAGE, code=N_("query.limit_out_of_range"))


def _cursor(value: object) -> str | None:
    # A cursor is opaque and kept as given; the store decodes it (and refuses one it did not make).
    if value is None:
        return None
    if not isinstance(value, str):
        raise v.Invalid("value.not_string", type=v.type_name(value))
    if not value or len(value) > _CURSOR_MAX:
        raise v.Invalid("query.cursor_malformed")
    return value


_PAGING: Final = (("order", v.choice(Order)), ("limit", _limit), ("cursor", _cursor))


def _one(values: frozenset[T] | None, name: str) -> T | None:
    """The one value of a filter, for the single-value reading of a query (None: the filter is not used)."""
    if values is None:
        return None
    if len(values) != 1:
        raise ValueError(f"this query filters on {len(values)} {name} values: read query.filters instead")
    return next(iter(values))


@attrs.frozen(init=False)
class ComplaintQuery:
    """A filtered, ordered, paginated listing: :class:`~lapor_core._domain.filters.Filters`, order, page.

    The filters are the same value a count uses (:class:`~lapor_core._domain.stats.CountQuery`); a store
    answers ``filters.matches`` (the reference) for every complaint it returns. Validated and normalised
    when made, so every store answers the same query the same way: statuses and kinds given as their values
    become the enums, region codes are dotted (``"3171"`` is ``"31.71"``), datetimes must be aware, the
    limit lies in 1 .. 1,000.

    Besides ``filters=``, the constructor takes the shorthands ``statuses``, ``institution``, ``unit``,
    ``region_prefix``, ``category``, ``kind``, ``submitted_from``, ``submitted_before`` and ``text`` (each
    one value, ``statuses`` a collection), which set those filters; they read back as properties while the
    filter holds at most one value (a store written for them keeps working; new stores read ``filters``).
    ``text`` is a keyword query (:attr:`Filters.text <lapor_core._domain.filters.Filters.text>`): the words
    must all lie in the title or body, whatever the case, accents and punctuation.

    Attributes:
        filters: Which complaints (None in a field means "any").
        order: The ordering.
        limit: Page size (1 to 1,000).
        cursor: The ``next_cursor`` of the previous page, or None for the first page.

    Raises:
        ValidationError: Listing every bad filter (named by the keyword it was given as).

    Example:
        >>> q = ComplaintQuery(statuses={"forwarded"}, region_prefix="3171")
        >>> sorted(q.statuses), q.region_prefix, q.filters.region
        ([<Status.FORWARDED: 'forwarded'>], '31.71', '31.71')
        >>> ComplaintQuery(filters=Filters(categories={"waste", "health"}), limit=20).filters.categories
        frozenset({...})
        >>> ComplaintQuery(text="Lampu jalan mati!").text
        'lampu jalan mati'
    """

    filters: Filters
    order: Order
    limit: int
    cursor: str | None

    def __init__(
        self,
        *,
        filters: Filters | None = None,
        statuses: Iterable[Status | str] | None = None,
        institution: str | None = None,
        unit: str | None = None,
        region_prefix: str | None = None,
        category: str | None = None,
        kind: Kind | str | None = None,
        submitted_from: datetime | None = None,
        submitted_before: datetime | None = None,
        text: str | None = None,
        order: Order | str = Order.SUBMITTED_ASC,
        limit: int = 100,
        cursor: str | None = None,
    ) -> None:
        shorthands = {
            "statuses": ("statuses", statuses),
            "institution": ("institutions", None if institution is None else [institution]),
            "unit": ("units", None if unit is None else [unit]),
            "region_prefix": ("region", region_prefix),
            "category": ("categories", None if category is None else [category]),
            "kind": ("kinds", None if kind is None else [kind]),
            "submitted_from": ("submitted_from", submitted_from),
            "submitted_before": ("submitted_before", submitted_before),
            "text": ("text", text),
        }
        errors: list[FieldError] = []
        chosen = Filters()
        try:
            chosen = with_keywords(filters, shorthands)
        except ValidationError as error:
            errors += error.errors
        paging, bad = v.apply_rules(_PAGING, {"order": order, "limit": limit, "cursor": cursor})
        errors += bad
        if errors:
            raise ValidationError(errors)
        object.__setattr__(self, "filters", chosen)
        for name, value in paging.items():
            object.__setattr__(self, name, value)

    @property
    def statuses(self) -> frozenset[Status] | None:
        """``filters.statuses``."""
        return self.filters.statuses

    @property
    def institution(self) -> str | None:
        """The one institution filtered on, or None (raises ValueError when the filter holds several)."""
        return _one(self.filters.institutions, "institution")

    @property
    def unit(self) -> str | None:
        """The one unit filtered on, or None (raises ValueError when the filter holds several)."""
        return _one(self.filters.units, "unit")

    @property
    def region_prefix(self) -> str | None:
        """``filters.region``."""
        return self.filters.region

    @property
    def category(self) -> str | None:
        """The one topic filtered on, or None (raises ValueError when the filter holds several)."""
        return _one(self.filters.categories, "category")

    @property
    def kind(self) -> Kind | None:
        """The one kind filtered on, or None (raises ValueError when the filter holds several)."""
        return _one(self.filters.kinds, "kind")

    @property
    def submitted_from(self) -> datetime | None:
        """``filters.submitted_from``."""
        return self.filters.submitted_from

    @property
    def submitted_before(self) -> datetime | None:
        """``filters.submitted_before``."""
        return self.filters.submitted_before

    @property
    def text(self) -> str | None:
        """``filters.text``: the keyword query's folded words, joined by spaces."""
        return self.filters.text


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
        """One page of the complaints ``query.filters.matches``, in ``query.order``, from ``query.cursor``."""
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


# --- idempotent submission: a capability every built-in store has ------------------------------------------

__all__ += ["IdempotencyStore"]


@runtime_checkable
class IdempotencyStore(Protocol):
    """A complaint store that keeps submissions' idempotency keys, for ``desk.submit(idempotency_key=...)``.

    Optional for a third-party store: a desk on a store without it refuses a submission with an idempotency
    key (:class:`~lapor_core.ConfigurationError`) instead of ignoring the key. Every built-in store has it.

    Contract (pinned down by :class:`lapor_core.testing.StoreContract`):

    - ``save`` of a changeset whose ``idempotency`` is set stores the record in the same atomic operation as
      the complaint: both or neither. When a record with the same ``key_hash`` exists (saved by any thread
      or process), ``save`` raises :class:`~lapor_core.ConcurrencyConflict` and changes nothing; so of N
      concurrent saves with one key exactly one succeeds.
    - ``find_idempotency_key`` returns the record saved with ``key_hash`` (equal to what was saved), or None;
      a record is kept until ``prune_idempotency_keys`` removes it.
    - ``prune_idempotency_keys(before)`` deletes every record whose ``created_at`` is before ``before``
      (strictly), keeps every other, and returns how many it deleted. It never touches complaints.
    - Every method is safe to call from several threads at once; backend failures raise
      :class:`~lapor_core.StorageError`.
    """

    def find_idempotency_key(self, key_hash: str) -> IdempotencyRecord | None:
        """The record saved with this key hash, or None."""
        ...

    def prune_idempotency_keys(self, before: datetime) -> int:
        """Delete the records created before ``before``; return how many."""
        ...


# --- statistics: an optional capability of a store ----------------------------------------------------------

if TYPE_CHECKING:
    from lapor_core._domain.stats import CountQuery, CountRow, PoolCell

__all__ += ["PoolStatisticsStore", "StatisticsStore"]


@runtime_checkable
class StatisticsStore(Protocol):
    """A store that counts complaints by groups itself (``GROUP BY`` in SQL), for statistics at scale.

    Optional: the desk uses it when a store provides it, and otherwise pages through
    :meth:`ComplaintStore.query` and counts in Python (:func:`lapor_core._domain.stats.count_rows`, which is
    also the reference every implementation must agree with, row for row).

    Contract: ``count_complaints`` counts the complaints ``query.filters.matches`` (the filters a listing
    uses too), keyed as :data:`lapor_core._domain.stats.STAT_KEYS` defines each key (a column and how it
    becomes the key's value); it reads one consistent snapshot, returns one row per non-empty group in any
    order, is safe to call from several threads, and raises only :class:`~lapor_core.StorageError` for
    backend failures. It knows nothing of principals: the desk decides what each principal may count from
    the rows.
    """

    def count_complaints(self, query: CountQuery) -> Sequence[CountRow]:
        """How many complaints match ``query``'s filters, per group of its ``group_by`` keys."""
        ...


@runtime_checkable
class PoolStatisticsStore(StatisticsStore, Protocol):
    """A counting store that also rolls confidential pools up to table cells itself (optional).

    A public table over a million complaints holds tens of thousands of confidential pools (nearly every
    confidential complaint is one); rolling them up in the database sends a few hundred cells instead.
    The desk asks only when every pooled complaint counts the same way for the principal
    (:func:`lapor_core._domain.stats.pools_are_uniform`), and otherwise uses ``count_complaints``.

    Contract: ``count_pool_cells(query, cell_keys)`` with ``query.group_by`` equal to
    :data:`~lapor_core._domain.stats.GROUP_KEYS` returns the cells
    :func:`lapor_core._domain.stats.roll_up_pools` computes
    from ``count_complaints(query)`` and ``cell_keys`` (in any order), reading one consistent snapshot, with
    the threading and error rules of :class:`StatisticsStore`.
    """

    def count_pool_cells(self, query: CountQuery, cell_keys: Sequence[str]) -> Sequence[PoolCell]:
        """The pools of ``query`` (one per group) rolled up to the cells of ``cell_keys`` by month."""
        ...


# --- policy-opinion polls -----------------------------------------------------------------------------------

if TYPE_CHECKING:
    from lapor_core._domain.polls import Ballot, BallotCast, CastOutcome, Poll, Tally

__all__ += ["PollStore"]


@runtime_checkable
class PollStore(Protocol):
    """Where polls, their ballots, their voters' keyed hashes and their counters live.

    Contract (pinned down by :class:`lapor_core.testing.poll_contracts.PollStoreContract`):

    - ``save`` is a compare-and-set on the poll's version: for a new poll (``expected_version`` 0) it raises
      :class:`~lapor_core.errors.PollConflict` when the ID exists; otherwise when the stored version differs.
      A refused save changes nothing. What ``get`` and ``find`` return equals what was saved.
    - ``cast`` is one atomic operation: it checks that the stored poll still has ``poll_version`` (else
      :class:`~lapor_core.errors.PollConflict`), looks the voter's hash up, and then either stores a first
      ballot, replaces the voter's earlier ballot, or (``revote`` refuse) changes nothing, moving the
      counters read by ``tally`` in the same operation. Of N concurrent casts with the same voter hash
      exactly one is counted first; the poll ends with exactly one ballot for that voter.
    - Ballots are kept apart from voters: the record of a ballot holds its choices and coarse region and
      nothing derived from the voter; the voter's record holds the voter hash and the ballot's reference
      only as ``reference ^ seal``. Neither record holds a time.
    - ``tally`` reads the counters (its cost does not grow with the number of ballots); ``recount`` counts
      the stored ballots from scratch; both read one consistent snapshot and always agree.
    - ``ballot_of`` reads back the ballot a voter hash refers to, opened with the same seal ``cast`` was
      given (so only whoever can compute the seal, the desk holding the pepper, links a voter to a ballot);
      None when that hash has not voted. It changes nothing and takes no lock a cast waits for long.
    - ``get``, ``cast``, ``ballot_of``, ``tally`` and ``recount`` raise :class:`~lapor_core.NotFound`
      (``kind="poll"``) for an unknown poll ID; ``cast`` raises :class:`~lapor_core.ValidationError` for a
      choice outside the poll's options.
    - Every method is safe to call from several threads at once. Backend failures are raised as
      :class:`~lapor_core.StorageError` (the driver's error chained as ``__cause__``).
    """

    def save(self, poll: Poll, *, expected_version: int) -> None:
        """Store the poll if its stored version is ``expected_version`` (0: it must not exist yet)."""
        ...

    def get(self, poll_id: str) -> Poll:
        """The poll with this ID."""
        ...

    def find(self, *, institution: str | None = None, limit: int = 1000) -> Sequence[Poll]:
        """Polls (of one institution, or all), by opening time then ID, at most ``limit`` (1 to 1,000)."""
        ...

    def cast(self, cast: BallotCast) -> CastOutcome:
        """Count, replace or refuse one ballot atomically, with its counters."""
        ...

    def ballot_of(self, poll_id: str, voter: str, seal: int) -> Ballot | None:
        """The ballot of the voter hash ``voter``, opened with ``seal``; None when that hash has not voted."""
        ...

    def tally(self, poll_id: str) -> Tally:
        """The poll's counts, read from its counters."""
        ...

    def recount(self, poll_id: str) -> Tally:
        """The poll's counts, recounted from its stored ballots."""
        ...

    def close(self) -> None:
        """Release resources; the store is not used afterwards."""
        ...


# --- notifications: the notifier, recipient resolution and outbox delivery ---------------------------------

if TYPE_CHECKING:
    from datetime import timedelta

    from lapor_core._domain.notifications import Address, Notification, Recipient

__all__ += ["DeadLetter", "Notifier", "OutboxClaim", "OutboxStore", "RecipientResolver"]


@runtime_checkable
class Notifier(Protocol):
    """Sends rendered notifications: by e-mail, SMS, a webhook, into a log...

    Contract (pinned down by :class:`lapor_core.testing.notifier_contracts.NotifierContract`):

    - ``send`` delivers one notification to ``notification.address`` and returns only once the receiving
      end accepted it (an SMTP server queued it, a webhook answered 2xx); otherwise it raises.
    - It raises only :class:`~lapor_core.NotificationError` subclasses:
      :class:`~lapor_core.TemporaryNotificationError` when trying again later may succeed (timeouts, refused
      connections, HTTP 5xx, SMTP 4xx replies) and :class:`~lapor_core.PermanentNotificationError` when it
      never will as addressed (HTTP 4xx, a refused mailbox, a channel it does not serve). The dispatcher
      retries the first with backoff and dead-letters the second.
    - Delivery is at least once: after a crash or a lost acknowledgement the same notification is sent
      again. Every message carries ``notification.idempotency_key`` (as the SMTP ``Message-ID``, a webhook
      header...) so that the receiver can drop repeats.
    - It is safe to call from several threads at once, and its error messages never contain the address
      or the text of the message: they are stored with dead letters and end up in logs.
    """

    def send(self, notification: Notification) -> None:
        """Deliver ``notification`` or raise a NotificationError saying whether a retry can help."""
        ...


@runtime_checkable
class RecipientResolver(Protocol):
    """Turns a recipient (a role and a reference) into addresses, at delivery time.

    Contract: ``resolve`` is called for each queued message just before it is sent, so a changed address
    book applies to messages already queued. ``identity`` is the reporter's identity record for the
    reporter and None for everybody else; a resolver must not keep it. An empty result means the recipient
    has no address: a message to the reporter is then dropped (an anonymous reporter who left no contact),
    any other is dead-lettered so the gap shows. An exception counts as a temporary delivery failure.
    :class:`lapor_core._domain.notifications.AddressBook` is the built-in one.
    """

    def resolve(self, recipient: Recipient, identity: ReporterIdentity | None) -> Sequence[Address]:
        """The addresses to send ``recipient``'s message to (none, one or several)."""
        ...


@attrs.frozen
class OutboxClaim:
    """A queued message leased to one dispatcher for delivery.

    Attributes:
        message: The queued message.
        token: The claim's unique token; failures are recorded only while it still holds the message.
        attempts: Failed delivery attempts before this one.
        lease_until: When the lease ends and another dispatcher may claim the message again.
    """

    message: OutboxMessage
    token: str
    attempts: int
    lease_until: datetime


@attrs.frozen
class DeadLetter:
    """A message given up on: permanently refused, or temporarily failing too often.

    Attributes:
        message: The queued message.
        attempts: Failed delivery attempts, the last one included.
        last_error: Why the last attempt failed (no personal data).
        dead_at: When it was given up on.
    """

    message: OutboxMessage
    attempts: int
    last_error: str
    dead_at: datetime


@runtime_checkable
class OutboxStore(Protocol):
    """The delivery side of a store's outbox: the rows :meth:`ComplaintStore.save` queues.

    Contract (pinned down by :class:`lapor_core.testing.outbox_contracts.OutboxStoreContract`):

    - ``claim_outbox`` atomically leases, to a new token, up to ``limit`` messages (1 to 1,000) that are
      pending (neither acknowledged nor dead-lettered), due (never failed, or ``retry_at <= now``) and free
      (never leased, or ``lease_until <= now``), oldest first. While a lease runs no other claim returns the
      message, so two dispatchers never send the same message at once (PostgreSQL: ``FOR UPDATE SKIP
      LOCKED``; elsewhere a compare-and-set on the lease).
    - ``acknowledge_outbox`` removes a delivered message for good, even when the claim's lease ran out
      meanwhile (it was delivered all the same); acknowledging twice is harmless.
    - ``reschedule_outbox`` and ``dead_letter_outbox`` act only while the claim's token still holds the
      message, and otherwise return False and change nothing. Rescheduling counts a failed attempt, keeps
      the error and frees the message from ``retry_at`` on; dead-lettering counts the attempt and moves the
      message out of the pending outbox into the dead letters. Errors longer than 1,000 characters are cut.
    - ``dead_letters`` lists dead letters, oldest first; ``retry_dead_letter`` makes one pending and due at
      ``now`` again with its attempts reset, and returns False for an ID that is no dead letter.
    - ``pending_outbox`` (of :class:`ComplaintStore`) lists the pending messages, leased or not, never a
      dead letter.
    - Every method is safe to call from several threads (and processes, for a shared database) at once;
      backend failures raise :class:`~lapor_core.StorageError`; bad arguments
      :class:`~lapor_core.ValidationError`.
    """

    def claim_outbox(self, now: datetime, *, lease: timedelta, limit: int = 100) -> Sequence[OutboxClaim]:
        """Lease up to ``limit`` due, free, pending messages until ``now + lease``, oldest first."""
        ...

    def acknowledge_outbox(self, claim: OutboxClaim) -> None:
        """Remove the delivered message of ``claim`` from the outbox."""
        ...

    def reschedule_outbox(self, claim: OutboxClaim, *, error: str, retry_at: datetime) -> bool:
        """Record a failed attempt and free the message from ``retry_at`` on; False if the lease was lost."""
        ...

    def dead_letter_outbox(self, claim: OutboxClaim, *, error: str, now: datetime) -> bool:
        """Record a last failed attempt and dead-letter the message; False if the lease was lost."""
        ...

    def dead_letters(self, *, limit: int = 100) -> Sequence[DeadLetter]:
        """The dead letters, oldest first, at most ``limit`` (1 to 1,000)."""
        ...

    def retry_dead_letter(self, message_id: str, *, now: datetime) -> bool:
        """Queue a dead letter again, due at ``now``; False when no dead letter has this ID."""
        ...
