"""The :class:`ComplaintDesk` facade: the one object a portal talks to.

It holds the ports and rules of one deployment and delegates every capability to its module under
:mod:`lapor_core._application`; it holds no logic of its own.
"""

from __future__ import annotations

import builtins
import importlib
import os
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, BinaryIO, Final, Self, overload

from lapor_core._application.context import DeskContext
from lapor_core._domain.calendar import WorkingCalendar
from lapor_core._domain.history import Event, HistoryReport
from lapor_core._domain.idempotency import DEFAULT_WINDOW
from lapor_core._domain.institutions import InstitutionDirectory
from lapor_core._domain.model import Submission
from lapor_core._domain.ports import (
    Clock,
    ComplaintQuery,
    ComplaintStore,
    DeadLetter,
    Notifier,
    PollStore,
    RecipientResolver,
    SystemClock,
)
from lapor_core._domain.sla import SlaPolicy
from lapor_core._domain.topics import TopicTree
from lapor_core._domain.tracking import TrackingId
from lapor_core.errors import ConfigurationError

if TYPE_CHECKING:  # the commands, views, polls, statistics, delivery and routing load on first use
    from lapor_core._application import authentication, complaints, reading, submissions, sweep
    from lapor_core._application.authentication import AttemptLimiter
    from lapor_core._application.delivery import DeliveryReport, RetryPolicy
    from lapor_core._application.kernel import Recorded
    from lapor_core._application.polls import PollAudit, VoteReceipt
    from lapor_core._application.reading import ListedPage
    from lapor_core._application.statistics import Progress
    from lapor_core._application.submissions import Receipt
    from lapor_core._application.sweep import SweepProgress, SweepReport
    from lapor_core._domain.access import Principal
    from lapor_core._domain.attachments import Attachment, AttachmentLimits
    from lapor_core._domain.blobs import BlobStore
    from lapor_core._domain.polls import Poll, PollDraft, PollResults
    from lapor_core._domain.routing import RoutingRules, Suggestion
    from lapor_core._domain.similarity import SimilarComplaint
    from lapor_core._domain.views import ComplaintView, ReporterView

__all__ = ["DEVELOPMENT_PEPPER", "ComplaintDesk", "InsecureConfigurationWarning"]

_DEFAULT_ESCALATION_WINDOW: Final = timedelta(days=30)


class _OnFirstUse:
    """A module of :mod:`lapor_core._application`, imported when the desk first calls into it.

    Opening a desk (every ``lapor`` command, every cron run) then loads the store and the rules, not every
    command's module. Attributes are looked up in the module on every call, never cached here, so patching
    the module (as tests do) is seen.
    """

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = f"lapor_core._application.{name}"

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)


if not TYPE_CHECKING:
    authentication = _OnFirstUse("authentication")
    complaints = _OnFirstUse("complaints")
    reading = _OnFirstUse("reading")
    submissions = _OnFirstUse("submissions")
    sweep = _OnFirstUse("sweep")

_MIN_IDEMPOTENCY_WINDOW: Final = timedelta(minutes=1)

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


def _memory_blobs() -> BlobStore:
    """The blob store of a desk given none (and not opened on a SQL URL), made at its first attachment."""
    from lapor_core.stores.memory import InMemoryBlobStore  # noqa: PLC0415 - adapters load lazily

    return InMemoryBlobStore()


def _check_attachment_options(blobs: object, limits: object) -> None:
    if limits is not None:
        from lapor_core._domain.attachments import AttachmentLimits  # noqa: PLC0415 - loads on first use

        if not isinstance(limits, AttachmentLimits):
            raise ConfigurationError("attachment_limits must be an AttachmentLimits")
    if blobs is not None:
        from lapor_core._domain.blobs import BlobStore  # noqa: PLC0415 - loads on first use

        if not isinstance(blobs, BlobStore):
            raise ConfigurationError("blobs must be a BlobStore (put, get, exists, delete, close)")


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
        max_key_failures: Wrong access keys one client may try within 15 minutes (see :meth:`authenticate`).
        id_source: Draws tracking IDs (default: ``TrackingId.new``, 55 bits from ``secrets``); the
            demonstration passes a seeded one so its output is reproducible.
        poll_store: Where policy-opinion polls live (default: a new in-memory poll store).
        poll_threshold: Poll breakdown cells under this count are suppressed (default 10).
        topics: The topic tree complaints are filed under (default: the shipped tree,
            ``TopicTree.default()``); a category outside it is refused at submission and forwarding.
        idempotency_window: How long submissions' idempotency keys are kept (default 7 days): a repeat
            within it returns the first receipt; the sweep forgets older keys. At least one minute.
        blobs: Where attachments' bytes live (default: the database of a desk opened on a SQL URL, else
            memory); any :class:`~lapor_core.plugins.BlobStore`, such as
            :class:`~lapor_core.stores.directory.DirectoryBlobStore`.
        attachment_limits: Size, count and pixel limits of attachments (default: 10 MiB a file, 5 files a
            complaint, 50 megapixels: :class:`~lapor_core.AttachmentLimits`).
        escalation_window: How long after a complaint closed its reporter may still escalate it to the
            Ombudsman (default 30 days; see :meth:`escalate`). At least one day.

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
        poll_store: PollStore | None = None,
        poll_threshold: int | None = None,
        notifier: Notifier | None = None,
        recipients: RecipientResolver | None = None,
        retry: RetryPolicy | None = None,
        topics: TopicTree | None = None,
        idempotency_window: timedelta = DEFAULT_WINDOW,
        blobs: BlobStore | None = None,
        attachment_limits: AttachmentLimits | None = None,
        escalation_window: timedelta = _DEFAULT_ESCALATION_WINDOW,
    ) -> None:
        _check_attachment_options(blobs, attachment_limits)
        if store is None:
            from lapor_core.stores.memory import InMemoryComplaintStore  # noqa: PLC0415 - adapters load lazily

            store = InMemoryComplaintStore()
        if poll_store is None:
            from lapor_core.stores.memory import InMemoryPollStore  # noqa: PLC0415 - adapters load lazily

            poll_store = InMemoryPollStore()
        if poll_threshold is not None and (
            isinstance(poll_threshold, bool) or not isinstance(poll_threshold, int) or poll_threshold < 1
        ):
            raise ConfigurationError("poll_threshold must be a whole number of at least 1")
        if not isinstance(idempotency_window, timedelta) or idempotency_window < _MIN_IDEMPOTENCY_WINDOW:
            raise ConfigurationError("idempotency_window must be a timedelta of at least one minute")
        if not isinstance(escalation_window, timedelta) or escalation_window < timedelta(days=1):
            raise ConfigurationError("escalation_window must be a timedelta of at least one day")
        self._poll_threshold = poll_threshold  # None: the polls' default (they load on first use)
        self._ctx = DeskContext(
            store=store,
            clock=clock or SystemClock(),
            calendar=calendar or WorkingCalendar.indonesia(),
            sla=sla or SlaPolicy(),
            directory=directory or InstitutionDirectory.default(),
            pepper=_resolve_pepper(pepper),
            new_tracking_id=id_source or TrackingId.new,
            polls=poll_store,
            topics=TopicTree.default() if topics is None else topics,
            idempotency_window=idempotency_window,
            blobs=blobs,
            blob_factory=_memory_blobs,
            attachment_limits=attachment_limits,
            escalation_window=escalation_window,
        )
        failures = max_key_failures
        if isinstance(failures, bool) or not isinstance(failures, int) or failures < 1:
            raise ConfigurationError("max_failures must be a whole number of at least 1")
        self._max_key_failures = max_key_failures
        self._made_limiter: AttemptLimiter | None = None  # made on first use, with the commands' module
        self._limiter_lock = threading.Lock()
        self._dispatcher = None
        if notifier is not None:
            from lapor_core._application import delivery  # noqa: PLC0415 - only desks that notify need it
            from lapor_core._domain.notifications import AddressBook  # noqa: PLC0415

            book = recipients or AddressBook()
            self._dispatcher = delivery.make_dispatcher(self._ctx, notifier, book, retry=retry)

    @classmethod
    def open(cls, url: str, **options: Any) -> ComplaintDesk:
        """A desk on the store named by ``url``.

        ``url`` is ``memory://``, ``sqlite:///lapor.db``, ``postgresql+psycopg://...``,
        ``mysql+pymysql://...`` or a plugin's scheme. ``options`` are the constructor's keyword arguments
        (``clock``, ``calendar``, ``pepper``...) and the store's: for a SQL URL those of
        :class:`~lapor_core.stores.sql.SqlComplaintStore` (``busy_timeout``, ``cache_mib``, ``pool_size``,
        ``engine_options``...: :data:`~lapor_core.stores.sql.STORE_OPTIONS`), for a plugin the keyword
        parameters of its factory. Polls live in the same database for a SQL URL, else in memory unless
        ``poll_store=`` says otherwise.

        Every option is checked before the store opens, and a store that opened is closed again if the
        desk cannot be made.

        Raises:
            ConfigurationError: An option neither the desk nor the store takes (``desk.option_unknown``,
                naming it and listing the valid ones), a store option of the wrong kind
                (``store.busy_timeout_bad``...), or a desk option the constructor refuses.
            PluginError: No store serves the URL's scheme, or its plugin fails to load.
            StorageError: The database cannot be reached.

        Example:
            >>> import lapor_core as lc
            >>> desk = lc.ComplaintDesk.open("sqlite://", busy_timeout=5, pepper="doctest pepper 0123456789")
            >>> desk.close()
            >>> lc.ComplaintDesk.open("sqlite://", busy_timeuot=5)
            Traceback (most recent call last):
            lapor_core.errors.ConfigurationError: unknown option: busy_timeuot (valid with a sqlite URL: ...)
        """
        import contextlib  # noqa: PLC0415 - opening a desk is rare; the module stays light
        import inspect  # noqa: PLC0415

        from lapor_core._i18n import N_  # noqa: PLC0415
        from lapor_core.stores import SQL_SCHEMES, open_store  # noqa: PLC0415 - SQL loads only when asked for
        from lapor_core.stores._registry import store_options  # noqa: PLC0415

        own = frozenset(inspect.signature(cls.__init__).parameters) - {"self", "store"}
        takes = store_options(url)  # None: the plugin's factory takes any keyword
        unknown = sorted(
            name for name in options if name not in own and takes is not None and name not in takes
        )
        if unknown:
            raise ConfigurationError(
                detail=N_("desk.option_unknown"),
                params={
                    "options": unknown,
                    "scheme": url.partition("://")[0].lower(),
                    "valid": sorted(own | (takes or frozenset())),
                },
            )
        desk_options = {name: value for name, value in options.items() if name in own}
        store = open_store(url, **{name: value for name, value in options.items() if name not in own})
        try:
            if "poll_store" not in desk_options and url.partition("://")[0].lower() in SQL_SCHEMES:
                from lapor_core.stores.sql._shared_polls import SharedSqlPollStore  # noqa: PLC0415 - SQL only

                # A SQL URL opened a SQL complaint store: the polls share its database (opened on first use).
                desk_options["poll_store"] = SharedSqlPollStore(store)  # type: ignore[arg-type]
            if "blobs" not in desk_options and url.partition("://")[0].lower() in SQL_SCHEMES:
                from lapor_core.stores.sql._blobs import SqlBlobStore  # noqa: PLC0415 - SQL only

                # Attachments' bytes live in the same database: durable with no extra setting.
                desk_options["blobs"] = SqlBlobStore(store)  # type: ignore[arg-type]
            return cls(store=store, **desk_options)
        except BaseException:
            with contextlib.suppress(Exception):  # the desk's own failure is the one to report
                store.close()
            raise

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

    @overload
    def close(self) -> None: ...

    @overload
    def close(self, principal: Principal, tracking_id: object) -> ComplaintView: ...

    def close(self, *args: Any, **kwargs: Any) -> ComplaintView | None:
        """Release the store's resources; the desk is not used afterwards.

        Like ``store.close()``: every resource release in lapor_core is ``close()``. The desk is also a
        context manager that closes on leaving the ``with`` block.

        Called with a principal and a tracking ID it is the former name of :meth:`close_complaint`, which
        it forwards to with a :class:`DeprecationWarning` (removed in 0.3).
        """
        if args or kwargs:
            warnings.warn(
                "desk.close(principal, tracking_id) is now desk.close_complaint(principal, tracking_id); "
                "desk.close() releases the store",
                DeprecationWarning,
                stacklevel=2,
            )
            return self.close_complaint(*args, **kwargs)
        self._ctx.store.close()
        return None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def dispose(self) -> None:
        """Deprecated name of :meth:`close` (removed in 0.3)."""
        warnings.warn("desk.dispose() is now desk.close()", DeprecationWarning, stacklevel=2)
        self.close()

    @property
    def _attempts(self) -> AttemptLimiter:
        """The desk's count of wrong access keys per client (one per desk, made on first use)."""
        limiter = self._made_limiter
        if limiter is None:
            with self._limiter_lock:
                if self._made_limiter is None:
                    self._made_limiter = authentication.AttemptLimiter(max_failures=self._max_key_failures)
                limiter = self._made_limiter
        return limiter

    # --- intake and reporter access -------------------------------------------------------------------
    def submit(
        self,
        submission: Submission,
        principal: Principal | None = None,
        *,
        idempotency_key: str | None = None,
        attachments: Sequence[tuple[str, bytes | BinaryIO]] = (),
    ) -> Receipt:
        """Store a new complaint; the receipt's access key is shown once and stored only as a keyed hash.

        Args:
            submission: The report.
            principal: The citizen submitting it (None or a public principal: anonymously).
            idempotency_key: A secret, unguessable key naming this submission (a form's one-time key, a
                gateway's random message ID), at most 200 characters. A repeat with the same key and the
                same content (and account) returns the first receipt, access key included, and stores
                nothing; the access key is derived from the idempotency key, so the key must be as secret
                as the access key. Kept for ``idempotency_window``.
            attachments: Photos and documents as ``(filename, data)`` pairs, each checked and stripped as
                by :meth:`attach` before anything is stored, and recorded in the same save as the
                complaint: it is stored with all of them or not at all.

        Raises:
            ValidationError: A bad submission, principal or idempotency key, or a refused attachment
                (``attachments.N.data``: every bad file at once).
            IdempotencyConflict: The idempotency key already made a complaint from other content.
            ConfigurationError: An idempotency key was given to a desk whose store cannot keep one.

        Example:
            >>> import lapor_core as lc
            >>> desk = lc.ComplaintDesk.open("memory://", pepper="doctest pepper 0123456789")
            >>> report = lc.Submission.from_dict(
            ...     {"kind": "pengaduan", "channel": "sms", "title": "Banjir", "body": "Air setinggi lutut."})
            >>> first = desk.submit(report, idempotency_key="gw-5f0c2a9e71d34b8c")
            >>> desk.submit(report, idempotency_key="gw-5f0c2a9e71d34b8c") == first
            True
        """
        return submissions.submit(
            self._ctx, submission, principal, idempotency_key=idempotency_key, attachments=attachments
        )

    def authenticate(
        self, tracking_id: object, access_key: object, *, client: str | None = None
    ) -> Principal:
        """The reporter's principal for a tracking ID and its access key.

        A correct key always opens. Wrong keys are counted per ``client`` across every tracking ID, never
        per tracking ID: IDs of public complaints are listed publicly, and an 80-bit key cannot be guessed,
        so a per-ID limit protected nothing and let a stranger lock the reporter out of their complaint.

        Args:
            tracking_id: The complaint's tracking ID.
            access_key: The key on the receipt (read loosely: case, spaces, ``O`` for ``0``).
            client: An opaque key for who is asking, chosen by the embedder and kept in this desk's memory
                only, never stored: for example a keyed hash of the remote address
                (``hmac.new(process_secret, address.encode(), "sha256").hexdigest()``). ``None``: not
                counted (scripts and trusted callers); a portal serving the public passes one.

        Raises:
            NotFound: Unknown or malformed tracking ID, or wrong key (the same answer for each).
            TooManyAttempts: A wrong key from a client with ``max_key_failures`` wrong keys in the last
                15 minutes; ``retry_after_seconds`` says when its wrong keys are answered again.
            ValidationError: ``client`` is not None or a non-blank string of at most 256 characters.
        """
        return authentication.authenticate(self._ctx, self._attempts, tracking_id, access_key, client=client)

    def authenticate_contact(
        self, tracking_id: object, *, kind: str, address: str, client: str | None = None
    ) -> Principal:
        """The reporter's principal for a tracking ID and the contact stored with it.

        For intake channels that authenticate the sender themselves (an SMS gateway delivering the
        operator's sender number, a chat platform's user ID): ``address`` in its stored form (``+628...``
        for ``kind="phone"``, the e-mail address for ``kind="email"``, the account such as
        ``telegram:5501`` for ``kind="account"``) equal to the reporter's stored contact proves being the
        reporter, as the access key does. Never pass an address the caller has not verified.

        Raises:
            NotFound: Unknown or malformed tracking ID, no such stored contact, or another one (the same
                answer for each).
            TooManyAttempts: A mismatch from a ``client`` over its limit (shared with :meth:`authenticate`).
            ValidationError: ``kind`` is not ``phone``, ``email`` or ``account``, or ``client`` is malformed.
        """
        return authentication.authenticate_contact(
            self._ctx, self._attempts, tracking_id, kind=kind, address=address, client=client
        )

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
        recorded = complaints.forward(
            self._ctx,
            principal,
            tracking_id,
            institution=institution,
            category=category,
            anonymous=anonymous,
            confidential=confidential,
            sla_class=sla_class,
        )
        return reading.recorded_view(self._ctx, principal, recorded)

    def request_info(self, principal: Principal, tracking_id: object, message: str) -> ComplaintView:
        """Hold (tunda), asking the reporter for more information; the verification clock pauses."""
        return self._run(complaints.request_info, principal, tracking_id, message)

    def provide_info(
        self, principal: Principal, tracking_id: object, message: str, *, idempotency_key: str | None = None
    ) -> ComplaintView:
        """The reporter answers a hold; verification resumes.

        ``idempotency_key`` (an SMS gateway's or mail server's message ID, as for :meth:`submit`): the answer
        is recorded once per key, across processes and under races; a repeat with the same text records
        nothing and returns the complaint as it stands, another text under the key raises
        :class:`~lapor_core.errors.IdempotencyConflict`. A message that answered a hold is the same message
        when it arrives again as a reply (:meth:`reply` with the key).
        """
        recorded = complaints.provide_info(
            self._ctx, principal, tracking_id, message, idempotency_key=idempotency_key
        )
        return reading.recorded_view(self._ctx, principal, recorded)

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
    def reply(
        self, principal: Principal, tracking_id: object, message: str, *, idempotency_key: str | None = None
    ) -> ComplaintView:
        """A reply by the reporter or an admin; reopens for another follow-up.

        ``idempotency_key``: recorded once per key, as for :meth:`provide_info`.

        Raises:
            IdempotencyConflict: The key recorded another message.
            ConfigurationError: A key was given and the store keeps none.
        """
        recorded = complaints.reply(
            self._ctx, principal, tracking_id, message, idempotency_key=idempotency_key
        )
        return reading.recorded_view(self._ctx, principal, recorded)

    def close_complaint(self, principal: Principal, tracking_id: object) -> ComplaintView:
        """The reporter confirms the matter is settled: the complaint is closed."""
        recorded = complaints.close(self._ctx, principal, tracking_id)
        return reading.recorded_view(self._ctx, principal, recorded)

    def rate(
        self, principal: Principal, tracking_id: object, rating: int, *, comment: str | None = None
    ) -> ComplaintView:
        """The reporter rates the handling once, 1-5 with an optional comment (500 characters), after closing.

        Raises:
            ValidationError: A rating outside 1-5, a bad comment, or a rating already given
                (``rating.already_given``).
        """
        recorded = complaints.rate(self._ctx, principal, tracking_id, rating, comment)
        return reading.recorded_view(self._ctx, principal, recorded)

    def support(self, principal: Principal, tracking_id: object) -> ComplaintView:
        """A signed-in citizen supports a public complaint (once)."""
        recorded = complaints.support(self._ctx, principal, tracking_id)
        if recorded is None:  # supported before: nothing changed
            return self.view(principal, tracking_id)
        return reading.recorded_view(self._ctx, principal, recorded)

    # --- identity (UU PDP) ----------------------------------------------------------------------------
    # --- duplicates and the Ombudsman (issue 22) ------------------------------------------------------
    def merge(self, principal: Principal, tracking_id: object, *, into: object) -> ComplaintView:
        """An admin merges the duplicate ``tracking_id`` into the original complaint ``into``.

        The duplicate is closed as ``merged`` (``merged_into`` names the original); its reporter is told and
        follows the original from their own tracking ID (their view's ``original``); the original counts it
        as one supporter. Neither complaint's flags change: a merged duplicate is seen by its reporter and
        the admins only, whatever the original's flags. Both histories record the merge, saved together.

        Raises:
            ValidationError: ``into`` is the duplicate itself (``merge.into_itself``) or a merged complaint
                (``merge.into_merged``).
            NotFound: Either complaint is unknown (or hidden from the principal).
            NotAllowed: The principal is not an admin.
            TransitionNotAllowed: The duplicate is closed, archived or merged, or the original archived.
            ConcurrencyConflict: Either complaint changed meanwhile; nothing was saved.
            ConfigurationError: The store has no all-or-nothing ``save_many``.

        Example:
            >>> import lapor_core as lc
            >>> desk = lc.ComplaintDesk.open("memory://", pepper="doctest pepper 0123456789")
            >>> admin = lc.Principal.admin("adm-1")
            >>> report = lc.Submission.from_dict(
            ...     {"kind": "pengaduan", "channel": "web", "title": "Lampu mati", "body": "Jl. Sudirman."})
            >>> first, second = desk.submit(report), desk.submit(report)
            >>> desk.merge(admin, second.tracking_id, into=first.tracking_id).status
            <Status.MERGED: 'merged'>
        """
        from lapor_core._application import merging  # noqa: PLC0415 - loads on first use

        recorded = merging.merge(self._ctx, principal, tracking_id, into=into)
        return reading.recorded_view(self._ctx, principal, recorded)

    @property
    def escalation_window(self) -> timedelta:
        """How long after closing a reporter may still escalate to the Ombudsman (for pages to explain)."""
        return self._ctx.escalation_window

    def escalate(self, principal: Principal, tracking_id: object, *, reason: str) -> ComplaintView:
        """The reporter escalates the complaint to the Ombudsman (the desk's supervisor principals).

        Allowed once, while the complaint is open and some stage deadline was missed, or within
        ``escalation_window`` (30 days unless configured) after it was closed or archived. The Ombudsman
        then sees the whole case and its history (never an anonymous reporter's identity, never contact
        data); the admins and the institution are told.

        Raises:
            ValidationError: A bad reason.
            NotFound: Unknown complaint, or one the principal may not know exists.
            NotAllowed: The principal is not the complaint's reporter.
            TransitionNotAllowed: The complaint is merged, or already escalated.
            EscalationNotAllowed: No deadline was missed yet, or it closed too long ago.
        """
        from lapor_core._application import escalation  # noqa: PLC0415 - loads on first use

        recorded = escalation.escalate(self._ctx, principal, tracking_id, reason=reason)
        return reading.recorded_view(self._ctx, principal, recorded)

    def record_findings(self, principal: Principal, tracking_id: object, findings: str) -> ComplaintView:
        """The Ombudsman (a supervisor principal) records findings on an open escalation; tells the reporter.

        Raises:
            ValidationError: Bad findings text.
            NotFound: Unknown complaint, or one the principal may not know exists.
            NotAllowed: The principal is not a supervisor, or the complaint is not escalated.
            TransitionNotAllowed: The escalation was concluded.
        """
        from lapor_core._application import escalation  # noqa: PLC0415 - loads on first use

        recorded = escalation.record_findings(self._ctx, principal, tracking_id, findings)
        return reading.recorded_view(self._ctx, principal, recorded)

    def conclude_escalation(
        self, principal: Principal, tracking_id: object, conclusion: str
    ) -> ComplaintView:
        """The Ombudsman concludes the escalation; the reporter, the admins and the institution are told.

        Raises:
            ValidationError: A bad conclusion text.
            NotFound: Unknown complaint, or one the principal may not know exists.
            NotAllowed: The principal is not a supervisor, or the complaint is not escalated.
            TransitionNotAllowed: The escalation was concluded already.
        """
        from lapor_core._application import escalation  # noqa: PLC0415 - loads on first use

        recorded = escalation.conclude_escalation(self._ctx, principal, tracking_id, conclusion)
        return reading.recorded_view(self._ctx, principal, recorded)

    def reveal_identity(self, principal: Principal, tracking_id: object, reason: str) -> ReporterView:
        """An admin reads an anonymous reporter's identity; recorded in the history."""
        return complaints.reveal_identity(self._ctx, principal, tracking_id, reason)

    def erase_identity(
        self, principal: Principal, tracking_id: object, reason: str, *, attachments: bool = False
    ) -> ComplaintView:
        """Erase the reporter's identity; history and statistics stay intact.

        With ``attachments=True`` the files the reporter attached are erased too (a photo can identify its
        author): listings leave them out and their bytes are deleted from the blob store.
        """
        recorded = complaints.erase_identity(
            self._ctx, principal, tracking_id, reason, attachments=attachments
        )
        return reading.recorded_view(self._ctx, principal, recorded)

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

    def complaints(self, principal: Principal, query: ComplaintQuery | None = None) -> ListedPage:
        """One page of complaints the principal may see, redacted row by row."""
        return reading.list_complaints(self._ctx, principal, query or ComplaintQuery())

    def my_complaints(self, principal: Principal, query: ComplaintQuery | None = None) -> ListedPage:
        """One page of the complaints a signed-in citizen submitted, each as their reporter sees it.

        The desk filters on the keyed hash of the principal's own account (``query`` may add any other
        filter, a keyword search too); without a query, the newest come first.

        Raises:
            ValidationError: ``principal`` is no citizen (``principal``, ``query.mine_not_citizen``).

        Example:
            >>> import lapor_core as lc
            >>> desk = lc.ComplaintDesk.open("memory://", pepper="doctest pepper 0123456789")
            >>> citizen = lc.Principal.citizen("warga-1")
            >>> report = lc.Submission.from_dict(
            ...     {"kind": "pengaduan", "channel": "web", "title": "Lampu mati", "body": "Sejak Senin."}
            ... )
            >>> receipt = desk.submit(report, citizen)
            >>> [v.tracking_id for v in desk.my_complaints(citizen).items] == [str(receipt.tracking_id)]
            True
            >>> desk.my_complaints(lc.Principal.citizen("warga-2")).items
            ()
        """
        return reading.my_complaints(self._ctx, principal, query)

    def list(self, principal: Principal, query: ComplaintQuery | None = None) -> ListedPage:
        """Deprecated name of :meth:`complaints` (removed in 0.3)."""
        warnings.warn("desk.list(...) is now desk.complaints(...)", DeprecationWarning, stacklevel=2)
        return self.complaints(principal, query)

    # --- attachments ----------------------------------------------------------------------------------
    def attach(
        self, principal: Principal, tracking_id: object, *, filename: str, data: bytes | BinaryIO
    ) -> Attachment:
        """Attach a photo or document to a complaint: checked by its content, stripped of metadata, stored.

        The type is decided by the bytes, never by ``filename`` or what the client claims: JPEG, PNG, WebP,
        HEIC/HEIF (stored as JPEG) or PDF. Before anything is stored, pictures are turned upright and lose
        their EXIF (GPS position, serial numbers, maker notes, thumbnails), XMP, IPTC, ICC profile and
        comments; PDFs lose their document information and XMP. The complaint's history records an ``attach``
        event with the digest, never the bytes. The same bytes attached again return the attachment already
        recorded (a retried upload stores nothing twice).

        Args:
            principal: The reporter, an admin, or staff of the institution (or unit) handling the complaint.
            tracking_id: The complaint's tracking ID.
            filename: The name the file came with (sanitised; its extension follows the content).
            data: The file: bytes, or a binary file object read in chunks up to the size limit.

        Raises:
            ValidationError: An unaccepted type, a file too large, empty, corrupt or truncated, too many
                pixels, an animated picture, an encrypted PDF or one with active content, the complaint's
                ``max_files`` reached, or a file name that is not text (codes ``attachment.*``).
            NotFound: The principal may not know the complaint exists (as for an unknown tracking ID).
            NotAllowed: The principal may see the complaint but not attach to it (the public, oversight).
            TransitionNotAllowed: The complaint is closed or archived.
        """
        from lapor_core._application import attachments  # noqa: PLC0415 - loads on first use

        return attachments.attach(self._ctx, principal, tracking_id, filename=filename, data=data)

    def attachments(self, principal: Principal, tracking_id: object) -> tuple[Attachment, ...]:
        """The complaint's attachments, oldest first, for principals the policy lets see them.

        The reporter, admins and the handling institution see them; oversight and the public only on a
        published, non-confidential complaint that is not anonymous (a photo can show who took it).

        Raises:
            NotFound: Anyone else, exactly as for an unknown tracking ID.
        """
        from lapor_core._application import attachments  # noqa: PLC0415 - loads on first use

        return attachments.attachments(self._ctx, principal, tracking_id)

    def read_attachment(
        self, principal: Principal, tracking_id: object, attachment_id: object, *, thumbnail: bool = False
    ) -> bytes:
        """The stored bytes of one attachment (stripped), checked against the digest its history recorded.

        With ``thumbnail=True``, a picture's thumbnail instead (a JPEG at most 640 pixels on its longest side,
        made once when it was attached): what a listing or a public page shows. A PDF or a picture no larger
        has none, and its own bytes are returned.

        Raises:
            NotFound: The principal may not see the complaint's attachments (as for an unknown tracking ID),
                or the complaint has no attachment with this ID.
            StorageError: The blob store lost the bytes or returned others.
        """
        from lapor_core._application import attachments  # noqa: PLC0415 - loads on first use

        return attachments.read_attachment(
            self._ctx, principal, tracking_id, attachment_id, thumbnail=thumbnail
        )

    # --- statistics, maps and routing ----------------------------------------------------------------
    def stats(
        self,
        principal: Principal,
        *,
        group_by: str | Sequence[str] = (),
        filters: Mapping[str, object] | None = None,
        include_sla: bool = False,
        progress: Progress | None = None,
    ) -> builtins.list[dict[str, object]]:
        """Complaint counts by group as ``principal`` may receive them; small confidential pools hidden."""
        from lapor_core._application import statistics  # noqa: PLC0415 - loads on first use

        return statistics.stats(
            self._ctx,
            principal,
            group_by=group_by,
            filters=filters,
            include_sla=include_sla,
            progress=progress,
        )

    def geojson(
        self, principal: Principal, *, filters: Mapping[str, object] | None = None
    ) -> dict[str, object]:
        """A GeoJSON FeatureCollection of public complaints, rounded to about 100 m or region centroids."""
        from lapor_core._application import statistics  # noqa: PLC0415 - loads on first use

        return statistics.geojson(self._ctx, principal, filters=filters)

    def choropleth(
        self, principal: Principal, *, level: str = "province", filters: Mapping[str, object] | None = None
    ) -> dict[str, object]:
        """Counts per province or regency as GeoJSON points at the regions' centroids."""
        from lapor_core._application import statistics  # noqa: PLC0415 - loads on first use

        return statistics.choropleth(self._ctx, principal, level=level, filters=filters)

    def suggest_institutions(
        self, submission: Submission, *, rules: RoutingRules | None = None, limit: int = 5
    ) -> tuple[Suggestion, ...]:
        """Institutions ranked as candidates for a submission, from (topic, region) routing rules."""
        from lapor_core._application import statistics  # noqa: PLC0415 - loads on first use

        return statistics.suggest_institutions(self._ctx, submission, rules=rules, limit=limit)

    def similar(
        self, principal: Principal, submission: Submission, *, limit: int = 5, min_score: float = 0.0
    ) -> tuple[SimilarComplaint, ...]:
        """The complaints most like a draft that ``principal`` may see, best first: "is this yours?".

        Similarity weighs the Indonesian text (normalised, abbreviations expanded, stemmed, TF-IDF over
        titles and bodies), the place (district, regency, distance between points), the topic and recency;
        candidates are the newest complaints of the last year in the draft's district, regency and topic.
        Only complaints whose content the principal may read are read into the ranking, so a confidential
        complaint neither appears for the public nor changes its scores. See the "Similar complaints" page.

        Args:
            principal: Who asks (usually the public or the signed-in citizen writing the draft).
            submission: The draft, as it would be submitted.
            limit: At most this many results (1 to 50).
            min_score: Leave out complaints scoring below this (0 to 1).

        Raises:
            ValidationError: A wrong principal or submission type, or a limit or min_score out of range.

        Example:
            >>> import lapor_core as lc
            >>> desk = lc.ComplaintDesk.open("memory://", pepper="doctest pepper 0123456789")
            >>> draft = lc.Submission.from_dict(
            ...     {"kind": "pengaduan", "channel": "web", "title": "Lampu jalan mati", "body": "Gelap."})
            >>> desk.similar(lc.Principal.public(), draft)
            ()
        """
        from lapor_core._application import similarity  # noqa: PLC0415 - loads on first use

        return similarity.similar(self._ctx, principal, submission, limit=limit, min_score=min_score)

    # --- notifications --------------------------------------------------------------------------------
    def deliver(self, limit: int | None = None) -> DeliveryReport:
        """Drain the outbox once: claim, render under the current flags, send, acknowledge or retry later.

        Raises:
            ConfigurationError: The desk was built without a ``notifier``.
        """
        if self._dispatcher is None:
            raise ConfigurationError("this desk has no notifier; pass notifier= (and recipients=) to deliver")
        return self._dispatcher.deliver(limit)

    def dead_letters(self, limit: int = 100) -> tuple[DeadLetter, ...]:
        """Notifications that failed for good, oldest first, with their last error."""
        from lapor_core._application import delivery  # noqa: PLC0415 - loads on first use

        return delivery.dead_letters(self._ctx, limit)

    def retry_dead_letters(self, ids: Iterable[str] | None = None) -> int:
        """Queue dead letters (these IDs, or all) again; returns how many were queued."""
        from lapor_core._application import delivery  # noqa: PLC0415 - loads on first use

        return delivery.retry_dead_letters(self._ctx, ids)

    # --- time -----------------------------------------------------------------------------------------
    def sweep(
        self, now: datetime | None = None, *, progress: Callable[[SweepProgress], None] | None = None
    ) -> SweepReport:
        """Close quiet complaints, record breaches, send reminders, as of ``now``.

        By default the clock, read again for each batch of due complaints. A complaint that cannot be saved
        is named in :attr:`SweepReport.failed` and retried by the next sweep; ``progress`` is called after
        each batch.
        """
        return sweep.sweep(self._ctx, now, progress=progress)

    def amend_calendar(self, calendar: WorkingCalendar) -> int:
        """Use an amended national calendar and recompute every open complaint's deadlines."""
        self._ctx.replace_calendar(calendar)
        return self.recompute_deadlines()

    def recompute_deadlines(self) -> int:
        """Recompute every open complaint's stored deadline; returns how many changed."""
        return sweep.recompute_deadlines(self._ctx)

    def _run(
        self,
        command: Callable[[DeskContext, Principal, object, Any], Recorded],
        principal: Principal,
        tracking_id: object,
        argument: Any,
    ) -> ComplaintView:
        recorded = command(self._ctx, principal, tracking_id, argument)
        return reading.recorded_view(self._ctx, principal, recorded)

    # --- policy-opinion polls ---
    def create_poll(self, principal: Principal, draft: PollDraft) -> str:
        """An institution officer drafts a poll for their institution; returns the new poll's ID."""
        from lapor_core._application import polls as poll_commands  # noqa: PLC0415

        return poll_commands.create_poll(self._ctx, principal, draft)

    def edit_poll(self, principal: Principal, poll_id: object, draft: PollDraft) -> Poll:
        """Replace a draft poll's definition (drafts only); recorded in the poll's history."""
        from lapor_core._application import polls as poll_commands  # noqa: PLC0415

        return poll_commands.edit_poll(self._ctx, principal, poll_id, draft)

    def open_poll(self, principal: Principal, poll_id: object) -> Poll:
        """Open a draft poll; it accepts votes from its ``opens_at`` to its ``closes_at``."""
        from lapor_core._application import polls as poll_commands  # noqa: PLC0415

        return poll_commands.open_poll(self._ctx, principal, poll_id)

    def extend_poll(self, principal: Principal, poll_id: object, closes_at: datetime | str) -> Poll:
        """Move an open poll's closing time later."""
        from lapor_core._application import polls as poll_commands  # noqa: PLC0415

        return poll_commands.extend_poll(self._ctx, principal, poll_id, closes_at)

    def close_poll(self, principal: Principal, poll_id: object) -> Poll:
        """Close an open poll now."""
        from lapor_core._application import polls as poll_commands  # noqa: PLC0415

        return poll_commands.close_poll(self._ctx, principal, poll_id)

    def poll(self, principal: Principal, poll_id: object) -> Poll:
        """The poll with its history; a draft only for its institution and admins (NotFound otherwise)."""
        from lapor_core._application import polls as poll_commands  # noqa: PLC0415

        return poll_commands.get_poll(self._ctx, principal, poll_id)

    def polls(self, principal: Principal, *, institution: str | None = None) -> tuple[Poll, ...]:
        """The polls ``principal`` may see, of one institution or all, by opening time."""
        from lapor_core._application import polls as poll_commands  # noqa: PLC0415

        return poll_commands.list_polls(self._ctx, principal, institution=institution)

    def vote(self, principal: Principal, poll_id: object, choices: object) -> VoteReceipt:
        """A verified citizen in the audience votes (a list of option labels or indexes) while it is open."""
        from lapor_core._application import polls as poll_commands  # noqa: PLC0415

        return poll_commands.vote(self._ctx, principal, poll_id, choices)

    def my_vote(self, principal: Principal, poll_id: object) -> tuple[str, ...] | None:
        """The options a citizen's own ballot chose (labels, in option order), or None before they vote.

        Nobody reads another person's ballot: the ballot is found from the principal alone.
        """
        from lapor_core._application import polls as poll_commands  # noqa: PLC0415

        return poll_commands.my_vote(self._ctx, principal, poll_id)

    def poll_results(self, principal: Principal, poll_id: object) -> PollResults:
        """Shares, Wilson intervals and suppressed breakdowns, when the poll's rule publishes them."""
        from lapor_core._application import polls as poll_commands  # noqa: PLC0415

        if self._poll_threshold is None:
            return poll_commands.poll_results(self._ctx, principal, poll_id)
        return poll_commands.poll_results(self._ctx, principal, poll_id, threshold=self._poll_threshold)

    def verify_poll(self, principal: Principal, poll_id: object) -> PollAudit:
        """Recount a closed poll's ballots and compare them with its counters."""
        from lapor_core._application import polls as poll_commands  # noqa: PLC0415

        return poll_commands.verify_poll(self._ctx, principal, poll_id)
