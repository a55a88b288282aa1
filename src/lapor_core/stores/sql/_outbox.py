"""The outbox side of the SQL store (:class:`~lapor_core.plugins.OutboxStore`): leases, retries, dead letters.

:class:`SqlOutbox` is a mixin of :class:`~lapor_core.stores.sql.SqlComplaintStore`. The delivery state lives
in the ``lapor_outbox`` row itself (schema revision 0002): ``attempts``, ``retry_at``, ``lease_token``,
``lease_until``, ``last_error`` and ``dead_at``. How each operation keeps the contract:

- **Claim**: one write transaction selects the free rows in queue order (``position``) and leases each with
  a compare-and-set ``UPDATE`` that repeats the free-row conditions, so a row is handed to one claim only.
  On PostgreSQL and MariaDB the select is ``FOR UPDATE SKIP LOCKED``: concurrent claimers lock disjoint
  rows and never wait for each other. On SQLite the transaction starts with ``BEGIN IMMEDIATE``: the
  database's single write lock serialises claimers, and each sees the leases of the one before.
- **Acknowledge** deletes the row, whoever holds it now (it was delivered); deleting twice deletes nothing.
- **Reschedule** and **dead-letter** are ``UPDATE ... WHERE id = ? AND lease_token = ?``: they change
  nothing once another claim holds the row, and report it by their row count.
- A **dead letter** is a row with ``dead_at`` set; claims and ``pending_outbox`` skip such rows. Retrying
  one clears ``dead_at`` and its attempts, so it is due again in its old place in the queue.

The statements are written once in SQLAlchemy Core and run through the store's driver, like ``save``.
"""

from __future__ import annotations

import contextlib
import functools
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs
import sqlalchemy as sa

from lapor_core._domain.complaint import OutboxMessage
from lapor_core._domain.ports import DeadLetter, OutboxClaim
from lapor_core._i18n import N_
from lapor_core.errors import StorageError
from lapor_core.plugins._outbox import check_claim, check_instant, check_limit, check_outbox_claim, clip_error
from lapor_core.stores.sql._driver import Driver, Prepared, Session
from lapor_core.stores.sql._rows import OUTBOX_COLUMNS, outbox_from
from lapor_core.stores.sql._schema import UtcDateTime, outbox

__all__ = ["SqlOutbox"]

_O = outbox.c
_MESSAGE = tuple(_O[name] for name in OUTBOX_COLUMNS)
_NOW = sa.bindparam("now", type_=UtcDateTime)
_ID = sa.bindparam("b_id", type_=sa.String)
_TOKEN = sa.bindparam("b_token", type_=sa.String)
_ERROR = sa.bindparam("b_error", type_=sa.Text)
_NULL = sa.null()
# Literal SQL, not bound values: every parameter of a prepared statement is one the caller passes.
_ONE_MORE = _O.attempts + sa.literal_column("1")
_LIMIT = sa.bindparam("limit", type_=sa.Integer)
# SQLite's compiler adds an OFFSET to every LIMIT; naming it keeps the parameters known to the driver.
_OFFSET = sa.bindparam("offset", type_=sa.Integer)
# Pending (no dead letter), due (never failed, or its retry time has come) and free (no running lease).
_FREE = (
    _O.dead_at.is_(None),
    sa.or_(_O.retry_at.is_(None), _O.retry_at <= _NOW),
    sa.or_(_O.lease_until.is_(None), _O.lease_until <= _NOW),
)

_CLAIMABLE = (
    sa.select(_O.position, _O.attempts, *_MESSAGE)
    .where(*_FREE)
    .order_by(_O.position)
    .limit(_LIMIT)
    .offset(_OFFSET)
)
_LEASE = (
    outbox.update()
    .where(_O.position == sa.bindparam("b_position", type_=sa.BigInteger), *_FREE)
    .values(
        lease_token=sa.bindparam("b_new_token", type_=sa.String),
        lease_until=sa.bindparam("b_until", type_=UtcDateTime),
    )
)
_ACKNOWLEDGE = outbox.delete().where(_O.id == _ID)
_HELD = (_O.id == _ID, _O.lease_token == _TOKEN, _O.dead_at.is_(None))
_RESCHEDULE = (
    outbox.update()
    .where(*_HELD)
    .values(
        attempts=_ONE_MORE,
        retry_at=sa.bindparam("b_retry_at", type_=UtcDateTime),
        last_error=_ERROR,
        lease_token=_NULL,
        lease_until=_NULL,
    )
)
_DEAD_LETTER = (
    outbox.update()
    .where(*_HELD)
    .values(
        attempts=_ONE_MORE,
        last_error=_ERROR,
        dead_at=_NOW,
        retry_at=_NULL,
        lease_token=_NULL,
        lease_until=_NULL,
    )
)
_DEAD_LETTERS = (
    sa.select(_O.attempts, _O.last_error, _O.dead_at, *_MESSAGE)
    .where(_O.dead_at.is_not(None))
    .order_by(_O.dead_at, _O.position)
    .limit(_LIMIT)
    .offset(_OFFSET)
)
_RETRY_DEAD_LETTER = (
    outbox.update()
    .where(_O.id == _ID, _O.dead_at.is_not(None))
    .values(
        attempts=sa.literal_column("0"),
        retry_at=_NOW,
        dead_at=_NULL,
        last_error=_NULL,
        lease_token=_NULL,
        lease_until=_NULL,
    )
)


@attrs.frozen
class _OutboxStatements:
    """The outbox statements, compiled once for the store's dialect."""

    claimable: Prepared
    lease: Prepared
    acknowledge: Prepared
    reschedule: Prepared
    dead_letter: Prepared
    dead_letters: Prepared
    retry_dead_letter: Prepared

    @classmethod
    def compile(cls, driver: Driver) -> _OutboxStatements:
        # SQLite has no row locks (its BEGIN IMMEDIATE serialises claimers); the servers skip locked rows.
        sqlite = driver.dialect.name == "sqlite"
        claimable = _CLAIMABLE if sqlite else _CLAIMABLE.with_for_update(skip_locked=True)
        return cls(
            claimable=driver.prepare(claimable, keys=("now", "limit", "offset")),
            lease=driver.prepare(_LEASE, keys=("b_new_token", "b_until", "b_position", "now")),
            acknowledge=driver.prepare(_ACKNOWLEDGE, keys=("b_id",)),
            reschedule=driver.prepare(_RESCHEDULE, keys=("b_retry_at", "b_error", "b_id", "b_token")),
            dead_letter=driver.prepare(_DEAD_LETTER, keys=("b_error", "now", "b_id", "b_token")),
            dead_letters=driver.prepare(_DEAD_LETTERS, keys=("limit", "offset")),
            retry_dead_letter=driver.prepare(_RETRY_DEAD_LETTER, keys=("now", "b_id")),
        )


def _failure(operation: str, error: BaseException) -> StorageError:
    """A StorageError naming the operation and the driver's error class and code, never the values."""
    cause = error.orig if isinstance(error, sa.exc.DBAPIError) else error
    code = next(
        (
            value
            for name in ("sqlite_errorname", "sqlstate")
            if isinstance(value := getattr(cause, name, None), str) and value
        ),
        None,
    )
    args = getattr(cause, "args", ())
    if code is None and args and isinstance(args[0], int):
        code = str(args[0])
    name = type(cause).__name__ + (f" [{code}]" if code else "")
    return StorageError(detail=N_("storage.operation_failed"), params={"operation": operation, "cause": name})


def _message_of(row: Sequence[Any], operation: str) -> OutboxMessage:
    try:
        return outbox_from(row)
    except (TypeError, ValueError) as e:  # only a row written behind the store's back can be malformed
        raise StorageError(f"{operation} failed: a stored outbox row cannot be read") from e


class SqlOutbox:
    """Leases, retries and dead letters for the SQL store's outbox table (a mixin; see the module docs)."""

    _driver: Driver

    @functools.cached_property
    def _outbox_sql(self) -> _OutboxStatements:
        return _OutboxStatements.compile(self._driver)

    @contextlib.contextmanager
    def _outbox_write(self, operation: str) -> Iterator[Session]:
        try:
            with self._driver.writing() as session:
                yield session
        except sa.exc.SQLAlchemyError as e:
            raise _failure(operation, e) from e

    def claim_outbox(self, now: datetime, *, lease: timedelta, limit: int = 100) -> Sequence[OutboxClaim]:
        """Lease up to ``limit`` due, free, pending messages until ``now + lease``, oldest first.

        Raises:
            ValidationError: A naive ``now``, a lease that is not positive, or a limit outside 1 to 1,000.
            StorageError: The database failed; nothing was leased.
        """
        check_claim(now, lease, limit)
        token = uuid.uuid4().hex
        until = now + lease
        sql = self._outbox_sql
        claims: list[OutboxClaim] = []
        with self._outbox_write("claiming the outbox") as session:
            for position, attempts, *message in session.fetch(sql.claimable, (now, limit, 0)):
                # The row locks (SQLite: the write lock) make this hold; the compare-and-set is the guard
                # should a database ever hand the same row to two claims.
                if session.execute(sql.lease, (token, until, position, now)) == 1:  # pragma: no branch
                    parsed = _message_of(message, "claiming the outbox")
                    claims.append(OutboxClaim(parsed, token, attempts, until))
        return tuple(claims)

    def acknowledge_outbox(self, claim: OutboxClaim) -> None:
        """Delete the delivered message's row, whoever holds it now; a second call deletes nothing.

        Raises:
            ValidationError: ``claim`` is not an OutboxClaim.
            StorageError: The database failed.
        """
        message_id = check_outbox_claim(claim).message.id
        with self._outbox_write("acknowledging a message") as session:
            session.execute(self._outbox_sql.acknowledge, (message_id,))

    def reschedule_outbox(self, claim: OutboxClaim, *, error: str, retry_at: datetime) -> bool:
        """Count a failed attempt and free the message from ``retry_at`` on; False if the lease was lost.

        Raises:
            ValidationError: ``claim`` is not an OutboxClaim, or ``retry_at`` is naive.
            StorageError: The database failed.
        """
        claim = check_outbox_claim(claim)
        check_instant("retry_at", retry_at)
        values = (retry_at, clip_error(error), claim.message.id, claim.token)
        with self._outbox_write("rescheduling a message") as session:
            return session.execute(self._outbox_sql.reschedule, values) == 1

    def dead_letter_outbox(self, claim: OutboxClaim, *, error: str, now: datetime) -> bool:
        """Count a last failed attempt and dead-letter the message; False if the lease was lost.

        Raises:
            ValidationError: ``claim`` is not an OutboxClaim, or ``now`` is naive.
            StorageError: The database failed.
        """
        claim = check_outbox_claim(claim)
        check_instant("now", now)
        values = (clip_error(error), now, claim.message.id, claim.token)
        with self._outbox_write("dead-lettering a message") as session:
            return session.execute(self._outbox_sql.dead_letter, values) == 1

    def dead_letters(self, *, limit: int = 100) -> Sequence[DeadLetter]:
        """The dead letters, oldest first (by when they were given up on, then queue order).

        Raises:
            ValidationError: ``limit`` is outside 1 to 1,000.
            StorageError: The database failed.
        """
        check_limit(limit)
        operation = "listing dead letters"
        try:
            rows = self._driver.fetch(self._outbox_sql.dead_letters, (limit, 0))
        except sa.exc.SQLAlchemyError as e:
            raise _failure(operation, e) from e
        return tuple(
            DeadLetter(_message_of(message, operation), attempts, last_error or "", dead_at)
            for attempts, last_error, dead_at, *message in rows
        )

    def retry_dead_letter(self, message_id: str, *, now: datetime) -> bool:
        """Make a dead letter pending and due at ``now`` with no attempts; False when none has this ID.

        Raises:
            ValidationError: ``now`` is naive.
            StorageError: The database failed.
        """
        check_instant("now", now)
        key: object = message_id  # callers pass IDs read from anywhere: anything but a string is no ID
        if not isinstance(key, str):
            return False
        with self._outbox_write("retrying a dead letter") as session:
            return session.execute(self._outbox_sql.retry_dead_letter, (now, key)) == 1
