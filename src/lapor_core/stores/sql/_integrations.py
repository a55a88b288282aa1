"""Connected institution systems in the SQL database: the :class:`SqlIntegrationStore`.

Registrations live in ``lapor_integrations``, handled event IDs in ``lapor_integration_events`` (revision
0010). A claim is an insert: the primary key on (institution, event ID) lets only one of two concurrent
deliveries of an event through, in one process or in several; the loser reads the answer stored for it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs
import sqlalchemy as sa

from lapor_core._domain.integrations import IntegrationRecord
from lapor_core.errors import StorageError
from lapor_core.plugins._outbox import check_instant
from lapor_core.stores.sql._driver import Driver, Prepared
from lapor_core.stores.sql._outbox import _failure
from lapor_core.stores.sql._schema import UtcDateTime, integration_events, integrations
from lapor_core.stores.sql._sharing import SharingStore

__all__ = ["SqlIntegrationStore"]

_R = integrations.c
_E = integration_events.c
_RECORD = ("institution", "endpoint", "salt", "previous_salt", "created_at", "rotated_at")
_INSTITUTION = sa.bindparam("b_institution", type_=sa.String)
_EVENT = sa.bindparam("b_event", type_=sa.String)
_OF_EVENT = sa.and_(_E.institution == _INSTITUTION, _E.event_id == _EVENT)


@attrs.frozen
class _Statements:
    """The integration statements, compiled once for the store's dialect."""

    insert: Prepared
    one: Prepared
    every: Prepared
    delete: Prepared
    delete_events: Prepared
    claim: Prepared
    answer: Prepared
    settle: Prepared
    release: Prepared
    prune: Prepared

    @classmethod
    def compile(cls, driver: Driver) -> _Statements:
        record = sa.select(*(_R[name] for name in _RECORD))
        return cls(
            insert=driver.prepare(integrations.insert(), keys=_RECORD, insert=True),
            one=driver.prepare(record.where(_R.institution == _INSTITUTION), keys=("b_institution",)),
            every=driver.prepare(record.order_by(_R.institution), keys=()),
            delete=driver.prepare(
                integrations.delete().where(_R.institution == _INSTITUTION), keys=("b_institution",)
            ),
            delete_events=driver.prepare(
                integration_events.delete().where(_E.institution == _INSTITUTION), keys=("b_institution",)
            ),
            claim=driver.prepare(
                integration_events.insert(),
                keys=("institution", "event_id", "claimed_at", "answer"),
                insert=True,
            ),
            answer=driver.prepare(sa.select(_E.answer).where(_OF_EVENT), keys=("b_institution", "b_event")),
            settle=driver.prepare(
                integration_events.update().where(_OF_EVENT).values(answer=sa.bindparam("b_answer")),
                keys=("b_answer", "b_institution", "b_event"),
            ),
            release=driver.prepare(
                integration_events.delete().where(_OF_EVENT, _E.answer == sa.bindparam("b_unsettled")),
                keys=("b_institution", "b_event", "b_unsettled"),
            ),
            prune=driver.prepare(
                integration_events.delete().where(
                    _E.claimed_at < sa.bindparam("b_before", type_=UtcDateTime)
                ),
                keys=("b_before",),
            ),
        )


class SqlIntegrationStore(SharingStore):
    """A :class:`~lapor_core.plugins.IntegrationStore` in the lapor_core SQL schema (revision 0010).

    Args:
        source: A database URL (a store of its own, closed with it), or a :class:`SqlComplaintStore` whose
            connections it shares (left open when this store closes).
        options: The options of :class:`SqlComplaintStore`, for a URL.
    """

    @functools.cached_property
    def _sql(self) -> _Statements:
        return _Statements.compile(self._driver)

    def _write(self, operation: str, prepared: Prepared, values: Sequence[Any]) -> int:
        try:
            with self._driver.writing() as session:
                return session.execute(prepared, values)
        except sa.exc.SQLAlchemyError as e:
            raise _failure(operation, e) from e

    def _read(self, operation: str, prepared: Prepared, values: Sequence[Any]) -> list[Sequence[Any]]:
        try:
            return self._driver.fetch(prepared, values)
        except sa.exc.SQLAlchemyError as e:
            raise _failure(operation, e) from e

    def put_integration(self, record: IntegrationRecord) -> None:
        """Insert or replace the registration of ``record.institution`` (one transaction)."""
        check_instant("created_at", record.created_at)
        check_instant("rotated_at", record.rotated_at)
        values = [getattr(record, name) for name in _RECORD]
        try:
            with self._driver.writing() as session:
                session.execute(self._sql.delete, (record.institution,))
                session.execute(self._sql.insert, values)
        except sa.exc.SQLAlchemyError as e:
            raise _failure("saving an integration", e) from e

    def integration(self, institution: str) -> IntegrationRecord | None:
        """The institution's registration, or None."""
        rows = self._read("reading an integration", self._sql.one, (institution,))
        return IntegrationRecord(*rows[0]) if rows else None

    def integrations(self) -> tuple[IntegrationRecord, ...]:
        """Every registration, by institution code."""
        rows = self._read("listing integrations", self._sql.every, ())
        return tuple(IntegrationRecord(*row) for row in rows)

    def remove_integration(self, institution: str) -> bool:
        """Remove a registration and its handled event IDs (one transaction); True if there was one."""
        try:
            with self._driver.writing() as session:
                session.execute(self._sql.delete_events, (institution,))
                return session.execute(self._sql.delete, (institution,)) > 0
        except sa.exc.SQLAlchemyError as e:
            raise _failure("removing an integration", e) from e

    def claim_event(self, institution: str, event_id: str, at: datetime) -> str | None:
        """Claim an event ID: None when this call claimed it; else the stored answer ("" while unsettled)."""
        check_instant("at", at)
        try:
            self._write("claiming an event", self._sql.claim, (institution, event_id, at, ""))
        except StorageError as e:
            if not isinstance(e.__cause__, sa.exc.IntegrityError):
                raise
            rows = self._read("reading an event", self._sql.answer, (institution, event_id))
            return str(rows[0][0]) if rows else ""
        return None

    def settle_event(self, institution: str, event_id: str, answer: str) -> None:
        """Store the answer of a claimed event."""
        self._write("settling an event", self._sql.settle, (answer, institution, event_id))

    def release_event(self, institution: str, event_id: str) -> None:
        """Forget an unsettled claim."""
        self._write("releasing an event", self._sql.release, (institution, event_id, ""))

    def prune_events(self, before: datetime) -> int:
        """Forget the events claimed before ``before``; return how many."""
        check_instant("before", before)
        return self._write("pruning events", self._sql.prune, (before,))
