"""Idempotency keys in the SQL store: the ``IdempotencyStore`` capability of ``SqlComplaintStore``.

A record is inserted by ``save`` in the complaint's own transaction (see ``_complaints._apply``), where the
table's primary key on ``key_hash`` refuses a second one: of two writers with one key, in one process or in
several, the second waits for the first's transaction and then fails on the key, so only one complaint is
ever stored. This mixin reads records and prunes them by age.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs
import sqlalchemy as sa

from lapor_core._domain.idempotency import IdempotencyRecord
from lapor_core.plugins._outbox import check_instant
from lapor_core.stores.sql._driver import Driver, Prepared
from lapor_core.stores.sql._outbox import _failure
from lapor_core.stores.sql._rows import IDEMPOTENCY_COLUMNS
from lapor_core.stores.sql._schema import UtcDateTime, idempotency_keys

__all__ = ["SqlIdempotency"]

_K = idempotency_keys.c
_FIND = sa.select(*(_K[name] for name in IDEMPOTENCY_COLUMNS)).where(
    _K.key_hash == sa.bindparam("b_key", type_=sa.String)
)
_PRUNE = idempotency_keys.delete().where(_K.created_at < sa.bindparam("before", type_=UtcDateTime))


@attrs.frozen
class _IdempotencyStatements:
    """The idempotency statements, compiled once for the store's dialect."""

    find: Prepared
    prune: Prepared

    @classmethod
    def compile(cls, driver: Driver) -> _IdempotencyStatements:
        return cls(
            find=driver.prepare(_FIND, keys=("b_key",)),
            prune=driver.prepare(_PRUNE, keys=("before",)),
        )


class SqlIdempotency:
    """Reading and pruning the SQL store's idempotency keys (a mixin; see the module docs)."""

    _driver: Driver

    @functools.cached_property
    def _idempotency_sql(self) -> _IdempotencyStatements:
        return _IdempotencyStatements.compile(self._driver)

    def find_idempotency_key(self, key_hash: str) -> IdempotencyRecord | None:
        """The idempotency record saved with this key hash, or None.

        Raises:
            StorageError: The database failed, or the stored row cannot be read.
        """
        try:
            found: Sequence[Sequence[Any]] = self._driver.fetch(self._idempotency_sql.find, (key_hash,))
        except sa.exc.SQLAlchemyError as e:
            raise _failure("reading an idempotency key", e) from e
        if not found:
            return None
        stored_hash, fingerprint, tracking_id, created_at = found[0]
        return IdempotencyRecord(
            key_hash=stored_hash, fingerprint=fingerprint, tracking_id=tracking_id, created_at=created_at
        )

    def prune_idempotency_keys(self, before: datetime) -> int:
        """Delete the idempotency records created before ``before``; return how many.

        Raises:
            ValidationError: ``before`` is not an aware datetime.
            StorageError: The database failed; nothing was deleted.
        """
        check_instant("before", before)
        try:
            with self._driver.writing() as session:
                return session.execute(self._idempotency_sql.prune, (before,))
        except sa.exc.SQLAlchemyError as e:
            raise _failure("pruning idempotency keys", e) from e
