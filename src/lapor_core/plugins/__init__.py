"""What plugin authors implement and use: the storage, notifier and clock protocols with their value types.

A third-party store, notifier or clock needs this module, :mod:`lapor_core.errors` (what it raises) and
:mod:`lapor_core.testing` (the contract suite it must pass); nothing private. Each protocol's docstring states
its contract: ordering, atomicity, thread-safety and the errors it may raise.

- Complaints: :class:`ComplaintStore` saves a :class:`Changeset` (the :class:`Complaint`, its new
  :class:`Event` records, :class:`OutboxMessage` rows and a :class:`ReporterIdentity`) atomically, and lists
  complaints by :class:`ComplaintQuery` in :class:`Page` objects whose cursors :func:`encode_cursor` and
  :func:`decode_cursor` make opaque.
- Optional capabilities a complaint store may add, found by ``isinstance``: :class:`OutboxStore` (claims with
  a lease: :class:`OutboxClaim`, :class:`DeadLetter`; its arguments checked by :func:`check_claim` and the
  other ``check_*`` rules every outbox applies), :class:`StatisticsStore` and
  :class:`PoolStatisticsStore` (counting by :class:`CountQuery` into :class:`CountRow` and :class:`PoolCell`),
  :class:`IdempotencyStore` (keeps an :class:`IdempotencyRecord` saved with a ``Changeset``).
- Polls: :class:`PollStore` keeps :class:`Poll` objects and counts each :class:`BallotCast` into a
  :class:`Tally`.
- Delivery: a :class:`Notifier` sends one :class:`Notification` to one :class:`Address`; a
  :class:`RecipientResolver` turns a :class:`Recipient` into addresses.
- Connected institution systems: an :class:`IntegrationStore` keeps each :class:`IntegrationRecord` and the
  IDs of the events they sent (see :mod:`lapor_core.integrations`).
- Attachments: a :class:`BlobStore` keeps bytes by address (every address checked by
  :func:`check_address`).
- Time: a :class:`Clock` (the default is :class:`SystemClock`).

Names load on first use, so a backend module may import this one without importing every domain module.
"""

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing would cost more than this whole module
if TYPE_CHECKING:
    from lapor_core._domain.blobs import BlobStore, check_address
    from lapor_core._domain.catalogue import Catalogue
    from lapor_core._domain.complaint import Complaint, OutboxMessage, ReporterIdentity
    from lapor_core._domain.filters import Filters
    from lapor_core._domain.history import Actor, Event
    from lapor_core._domain.idempotency import IdempotencyRecord
    from lapor_core._domain.integrations import IntegrationRecord, IntegrationStore
    from lapor_core._domain.notifications import (
        Address,
        DeliveryChannel,
        Notification,
        NotificationRenderer,
        Recipient,
        RecipientRole,
    )
    from lapor_core._domain.polls import (
        MAX_FIND,
        Ballot,
        BallotCast,
        CastOutcome,
        Poll,
        RegionCount,
        RevotePolicy,
        Tally,
        check_find_limit,
    )
    from lapor_core._domain.ports import (
        MAX_PAGE,
        Changeset,
        Clock,
        ComplaintQuery,
        ComplaintStore,
        DeadLetter,
        IdempotencyStore,
        Notifier,
        Order,
        OutboxClaim,
        OutboxStore,
        Page,
        PollStore,
        PoolStatisticsStore,
        RecipientResolver,
        StatisticsStore,
        SystemClock,
    )
    from lapor_core._domain.stats import CountQuery, CountRow, PoolCell
    from lapor_core.plugins._cursor import decode_cursor, encode_cursor, instant_key
    from lapor_core.plugins._outbox import (
        MAX_CLAIM,
        MAX_ERROR,
        check_claim,
        check_instant,
        check_limit,
        check_outbox_claim,
        clip_error,
    )

__all__ = [
    "MAX_CLAIM",
    "MAX_ERROR",
    "MAX_FIND",
    "MAX_PAGE",
    "Actor",
    "Address",
    "Ballot",
    "BallotCast",
    "BlobStore",
    "CastOutcome",
    "Catalogue",
    "Changeset",
    "Clock",
    "Complaint",
    "ComplaintQuery",
    "ComplaintStore",
    "CountQuery",
    "CountRow",
    "DeadLetter",
    "DeliveryChannel",
    "Event",
    "Filters",
    "IdempotencyRecord",
    "IdempotencyStore",
    "IntegrationRecord",
    "IntegrationStore",
    "Notification",
    "NotificationRenderer",
    "Notifier",
    "Order",
    "OutboxClaim",
    "OutboxMessage",
    "OutboxStore",
    "Page",
    "Poll",
    "PollStore",
    "PoolCell",
    "PoolStatisticsStore",
    "Recipient",
    "RecipientResolver",
    "RecipientRole",
    "RegionCount",
    "ReporterIdentity",
    "RevotePolicy",
    "StatisticsStore",
    "SystemClock",
    "Tally",
    "check_address",
    "check_claim",
    "check_find_limit",
    "check_instant",
    "check_limit",
    "check_outbox_claim",
    "clip_error",
    "decode_cursor",
    "encode_cursor",
    "instant_key",
]

# Where each exported name is defined (private modules: this table is the one place that knows them).
_HOMES = {
    "MAX_CLAIM": "lapor_core.plugins._outbox",
    "MAX_ERROR": "lapor_core.plugins._outbox",
    "MAX_FIND": "lapor_core._domain.polls",
    "MAX_PAGE": "lapor_core._domain.ports",
    "Actor": "lapor_core._domain.history",
    "Address": "lapor_core._domain.notifications",
    "Ballot": "lapor_core._domain.polls",
    "BallotCast": "lapor_core._domain.polls",
    "BlobStore": "lapor_core._domain.blobs",
    "CastOutcome": "lapor_core._domain.polls",
    "Changeset": "lapor_core._domain.ports",
    "Clock": "lapor_core._domain.ports",
    "Complaint": "lapor_core._domain.complaint",
    "ComplaintQuery": "lapor_core._domain.ports",
    "Filters": "lapor_core._domain.filters",
    "Catalogue": "lapor_core._domain.catalogue",
    "NotificationRenderer": "lapor_core._domain.notifications",
    "ComplaintStore": "lapor_core._domain.ports",
    "CountQuery": "lapor_core._domain.stats",
    "CountRow": "lapor_core._domain.stats",
    "DeadLetter": "lapor_core._domain.ports",
    "DeliveryChannel": "lapor_core._domain.notifications",
    "Event": "lapor_core._domain.history",
    "IdempotencyRecord": "lapor_core._domain.idempotency",
    "IdempotencyStore": "lapor_core._domain.ports",
    "IntegrationRecord": "lapor_core._domain.integrations",
    "IntegrationStore": "lapor_core._domain.integrations",
    "Notification": "lapor_core._domain.notifications",
    "Notifier": "lapor_core._domain.ports",
    "Order": "lapor_core._domain.ports",
    "OutboxClaim": "lapor_core._domain.ports",
    "OutboxMessage": "lapor_core._domain.complaint",
    "OutboxStore": "lapor_core._domain.ports",
    "Page": "lapor_core._domain.ports",
    "Poll": "lapor_core._domain.polls",
    "PollStore": "lapor_core._domain.ports",
    "PoolCell": "lapor_core._domain.stats",
    "PoolStatisticsStore": "lapor_core._domain.ports",
    "Recipient": "lapor_core._domain.notifications",
    "RecipientResolver": "lapor_core._domain.ports",
    "RecipientRole": "lapor_core._domain.notifications",
    "RegionCount": "lapor_core._domain.polls",
    "ReporterIdentity": "lapor_core._domain.complaint",
    "RevotePolicy": "lapor_core._domain.polls",
    "StatisticsStore": "lapor_core._domain.ports",
    "SystemClock": "lapor_core._domain.ports",
    "Tally": "lapor_core._domain.polls",
    "check_address": "lapor_core._domain.blobs",
    "check_claim": "lapor_core.plugins._outbox",
    "check_find_limit": "lapor_core._domain.polls",
    "check_instant": "lapor_core.plugins._outbox",
    "check_limit": "lapor_core.plugins._outbox",
    "check_outbox_claim": "lapor_core.plugins._outbox",
    "clip_error": "lapor_core.plugins._outbox",
    "decode_cursor": "lapor_core.plugins._cursor",
    "encode_cursor": "lapor_core.plugins._cursor",
    "instant_key": "lapor_core.plugins._cursor",
}


# Hidden from type checkers, so that a misspelt name is an error for them rather than an ``object``.
if not TYPE_CHECKING:  # pragma: no branch - always true when running

    def __getattr__(name: str) -> object:
        """Import an exported name on first use, and keep it for the next lookups."""
        import importlib  # noqa: PLC0415 - only on first use of a name

        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value: object = getattr(importlib.import_module(home), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
