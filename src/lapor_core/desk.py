"""The :class:`ComplaintDesk` facade: the one object a portal talks to.

It holds the ports and rules of one deployment and delegates every capability to its module under
:mod:`lapor_core.application`; it holds no logic of its own.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from datetime import datetime
from typing import Any

from lapor_core.access import Principal
from lapor_core.application import commands, complaints, reading, sweep
from lapor_core.application.commands import AttemptLimiter, Receipt
from lapor_core.application.context import DeskContext
from lapor_core.application.reading import ListedPage
from lapor_core.application.sweep import SweepReport
from lapor_core.calendar import WorkingCalendar
from lapor_core.errors import ConfigurationError
from lapor_core.history import Event, HistoryReport
from lapor_core.institutions import InstitutionDirectory
from lapor_core.model import Submission
from lapor_core.ports import Clock, ComplaintQuery, ComplaintStore, SystemClock
from lapor_core.sla import SlaPolicy
from lapor_core.tracking import TrackingId
from lapor_core.views import ComplaintView, ReporterView

__all__ = ["DEVELOPMENT_PEPPER", "ComplaintDesk", "InsecureConfigurationWarning"]

DEVELOPMENT_PEPPER = b"lapor_core development pepper - never use in production"
"""The pepper used when none is configured; a warning says so."""

PEPPER_ENV = "LAPOR_PEPPER"


class InsecureConfigurationWarning(UserWarning):
    """The desk runs with a setting that is fine for development and unsafe in production."""


def _resolve_pepper(pepper: str | bytes | None) -> bytes:
    if pepper is None:
        pepper = os.environ.get(PEPPER_ENV) or None
    if pepper is None:
        warnings.warn(
            f"no pepper configured (pepper= or {PEPPER_ENV}): using the fixed development pepper",
            InsecureConfigurationWarning,
            stacklevel=3,
        )
        return DEVELOPMENT_PEPPER
    raw = pepper.encode("utf-8") if isinstance(pepper, str) else pepper
    if not isinstance(raw, bytes) or len(raw) < 16:  # noqa: PLR2004
        raise ConfigurationError("the pepper must be at least 16 bytes of secret")
    return raw


class ComplaintDesk:
    """Complaint handling for one deployment: submit, route, follow up, close, read, sweep.

    Args:
        store: Where complaints live (default: a new in-memory store).
        clock: Stamps events (default: the system clock).
        calendar: The national admin's working-day calendar (default: ``WorkingCalendar.indonesia()``).
        sla: Service-level rules (default: the LAPOR! defaults).
        directory: Institutions by code (default: every provincial, regency and city government).
        pepper: Deployment secret for keyed hashes (default: ``$LAPOR_PEPPER``, else a development pepper
            with a warning). Keep it outside the store: with it, access-key hashes cannot be attacked offline.
        max_key_failures: Failed access-key attempts per tracking ID before a 15-minute lock-out.
        id_source: Draws tracking IDs (default: ``TrackingId.new``, 55 bits from ``secrets``); the
            demonstration passes a seeded one so its output is reproducible.

    Example:
        >>> import lapor_core as lc
        >>> desk = lc.ComplaintDesk.open("memory://", pepper="doctest pepper 0123456789")
        >>> receipt = desk.submit(lc.Submission.from_dict(
        ...     {"kind": "pengaduan", "channel": "web", "title": "Lampu jalan mati", "body": "Sejak Senin."}))
        >>> desk.view(desk.authenticate(receipt.tracking_id, receipt.access_key), receipt.tracking_id).status
        <Status.SUBMITTED: 'submitted'>
    """

    def __init__(
        self,
        *,
        store: ComplaintStore | None = None,
        clock: Clock | None = None,
        calendar: WorkingCalendar | None = None,
        sla: SlaPolicy | None = None,
        directory: InstitutionDirectory | None = None,
        pepper: str | bytes | None = None,
        max_key_failures: int = 5,
        id_source: Callable[[], TrackingId] | None = None,
    ) -> None:
        if store is None:
            from lapor_core.stores.memory import InMemoryComplaintStore  # noqa: PLC0415 - adapters load lazily

            store = InMemoryComplaintStore()
        self._ctx = DeskContext(
            store=store,
            clock=clock or SystemClock(),
            calendar=calendar or WorkingCalendar.indonesia(),
            sla=sla or SlaPolicy(),
            directory=directory or InstitutionDirectory.default(),
            pepper=_resolve_pepper(pepper),
            new_tracking_id=id_source or TrackingId.new,
        )
        self._limiter = AttemptLimiter(max_failures=max_key_failures)

    @classmethod
    def open(cls, url: str, **options: Any) -> ComplaintDesk:
        """A desk on the store named by ``url``.

        ``url`` is ``memory://``, ``sqlite:///lapor.db``, ``postgresql+psycopg://...``,
        ``mysql+pymysql://...`` or a plugin's scheme. ``options`` are the constructor's keyword arguments
        (``clock``, ``calendar``, ``pepper``...).
        """
        from lapor_core.stores import open_store  # noqa: PLC0415 - SQL drivers load only when asked for

        return cls(store=open_store(url), **options)

    @property
    def store(self) -> ComplaintStore:
        """The store this desk uses."""
        return self._ctx.store

    @property
    def calendar(self) -> WorkingCalendar:
        """The national working-day calendar."""
        return self._ctx.calendar

    def calendar_for(self, institution: str) -> WorkingCalendar:
        """The working-day calendar of one institution."""
        return self._ctx.calendar_for(institution)

    def dispose(self) -> None:
        """Release the store's resources; the desk is not used afterwards."""
        self._ctx.store.close()

    # --- intake and reporter access -------------------------------------------------------------------
    def submit(self, submission: Submission, principal: Principal | None = None) -> Receipt:
        """Store a new complaint; the receipt's access key is shown once and stored only as a keyed hash."""
        return commands.submit(self._ctx, submission, principal)

    def authenticate(self, tracking_id: object, access_key: object) -> Principal:
        """The reporter's principal, or NotFound (the same as an unknown ID); repeated failures lock out."""
        return commands.authenticate(self._ctx, self._limiter, tracking_id, access_key)

    # --- verification by the LAPOR! admin -------------------------------------------------------------
    def forward(
        self,
        principal: Principal,
        tracking_id: object,
        *,
        institution: str,
        category: str | None = None,
        anonymous: bool | None = None,
        confidential: bool | None = None,
        sla_class: str | None = None,
    ) -> ComplaintView:
        """Verify and forward to the competent institution; flags can be set (True), never cleared."""
        complaints.forward(
            self._ctx,
            principal,
            tracking_id,
            institution=institution,
            category=category,
            anonymous=anonymous,
            confidential=confidential,
            sla_class=sla_class,
        )
        return self.view(principal, tracking_id)

    def request_info(self, principal: Principal, tracking_id: object, message: str) -> ComplaintView:
        """Hold (tunda), asking the reporter for more information; the verification clock pauses."""
        return self._run(complaints.request_info, principal, tracking_id, message)

    def provide_info(self, principal: Principal, tracking_id: object, message: str) -> ComplaintView:
        """The reporter answers a hold; verification resumes."""
        return self._run(complaints.provide_info, principal, tracking_id, message)

    def archive(self, principal: Principal, tracking_id: object, reason: str) -> ComplaintView:
        """Archive at verification (terminal)."""
        return self._run(complaints.archive, principal, tracking_id, reason)

    # --- the institution ------------------------------------------------------------------------------
    def assign(self, principal: Principal, tracking_id: object, unit: str) -> ComplaintView:
        """Dispose to a work unit."""
        return self._run(complaints.assign, principal, tracking_id, unit)

    def decline(self, principal: Principal, tracking_id: object, reason: str) -> None:
        """Not our authority (bukan wewenang): back to the admin for re-routing.

        Returns nothing: the declining institution loses access to the complaint at once.
        """
        complaints.decline(self._ctx, principal, tracking_id, reason)

    def follow_up(self, principal: Principal, tracking_id: object, message: str) -> ComplaintView:
        """The institution's follow-up; starts the closing clock."""
        return self._run(complaints.follow_up, principal, tracking_id, message)

    # --- the reporter ---------------------------------------------------------------------------------
    def reply(self, principal: Principal, tracking_id: object, message: str) -> ComplaintView:
        """A reply by the reporter or an admin; reopens for another follow-up."""
        return self._run(complaints.reply, principal, tracking_id, message)

    def close(self, principal: Principal, tracking_id: object) -> ComplaintView:
        """The reporter confirms the matter is settled."""
        complaints.close(self._ctx, principal, tracking_id)
        return self.view(principal, tracking_id)

    def rate(self, principal: Principal, tracking_id: object, rating: int) -> ComplaintView:
        """The reporter rates the handling, 1-5, after closing."""
        return self._run(complaints.rate, principal, tracking_id, rating)

    def support(self, principal: Principal, tracking_id: object) -> ComplaintView:
        """A signed-in citizen supports a public complaint (once)."""
        complaints.support(self._ctx, principal, tracking_id)
        return self.view(principal, tracking_id)

    # --- identity (UU PDP) ----------------------------------------------------------------------------
    def reveal_identity(self, principal: Principal, tracking_id: object, reason: str) -> ReporterView:
        """An admin reads an anonymous reporter's identity; recorded in the history."""
        return complaints.reveal_identity(self._ctx, principal, tracking_id, reason)

    def erase_identity(self, principal: Principal, tracking_id: object, reason: str) -> ComplaintView:
        """Erase the reporter's identity; history and statistics stay intact."""
        return self._run(complaints.erase_identity, principal, tracking_id, reason)

    # --- reads ----------------------------------------------------------------------------------------
    def view(self, principal: Principal, tracking_id: object) -> ComplaintView:
        """The complaint as ``principal`` may see it; NotFound when they may not know it exists."""
        return reading.view(self._ctx, principal, tracking_id)

    def history(self, principal: Principal, tracking_id: object) -> tuple[Event, ...]:
        """The event log, for principals allowed to read it."""
        return reading.history(self._ctx, principal, tracking_id)

    def verify_history(self, tracking_id: object) -> HistoryReport:
        """Recompute the complaint's hash chain; ``ok`` and ``first_bad`` tell the result."""
        return reading.verify_history(self._ctx, tracking_id)

    def list(self, principal: Principal, query: ComplaintQuery | None = None) -> ListedPage:
        """One page of complaints the principal may see, redacted row by row."""
        return reading.list_complaints(self._ctx, principal, query or ComplaintQuery())

    # --- time -----------------------------------------------------------------------------------------
    def sweep(self, now: datetime | None = None) -> SweepReport:
        """Close quiet complaints, record breaches, send reminders, as of ``now`` (default: the clock)."""
        return sweep.sweep(self._ctx, now or self._ctx.clock.now())

    def amend_calendar(self, calendar: WorkingCalendar) -> int:
        """Use an amended national calendar and recompute every open complaint's deadlines."""
        self._ctx.replace_calendar(calendar)
        return self.recompute_deadlines()

    def recompute_deadlines(self) -> int:
        """Recompute every open complaint's stored deadline; returns how many changed."""
        return sweep.recompute_deadlines(self._ctx)

    def _run(
        self,
        command: Callable[[DeskContext, Principal, object, Any], object],
        principal: Principal,
        tracking_id: object,
        argument: Any,
    ) -> ComplaintView:
        command(self._ctx, principal, tracking_id, argument)
        return self.view(principal, tracking_id)
