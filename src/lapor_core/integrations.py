"""Connect an institution's own case system: signed events in, signed notifications out.

LAPOR!'s *integrasi*: a ministry or a city handles complaints in its own system, and LAPOR! shows the result.
An institution is registered once (:meth:`Integrations.add`, or ``lapor integrations add``); it gets a secret,
shown once, that both sides sign with the Standard Webhooks way (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``).

- **In**: its system POSTs events (a follow-up, a decline, an assignment to a unit, a status query) that
  :meth:`Integrations.receive` verifies (signature under the current or, during a rotation, the previous
  secret; timestamp at most 5 minutes away either way), deduplicates by the sender's event ID (the
  ``webhook-id``: a repeat gets the first answer and changes nothing) and runs as the desk command an officer
  of that institution would run: the same checks, the same history. A complaint of another institution is
  answered exactly as an unknown one.
- **Out**: :meth:`Integrations.recipients` adds the registered endpoint to the institution's addresses and
  :meth:`Integrations.notifier` signs what goes there with the institution's own secret, rendered at delivery
  under the policy like every notification.

Secrets are not stored: a registration keeps a random salt, and the secret is derived from it under the
desk's pepper (so changing the pepper invalidates every secret: rotate them all after).

Example:
    >>> import lapor_core as lc
    >>> from lapor_core.integrations import Integrations
    >>> desk = lc.ComplaintDesk.open("memory://", pepper="doctest pepper 0123456789")
    >>> integrations = Integrations(desk)
    >>> credentials = integrations.add("31.71", endpoint="https://sipp.jakarta.example/lapor")
    >>> credentials.secret.startswith("whsec_"), [i.institution for i in integrations.list()]
    (True, ['31.71'])
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from lapor_core._domain import standard_webhooks
from lapor_core._domain.access import Principal
from lapor_core._domain.integrations import (
    MAX_EVENT_ID,
    EventType,
    InboundEvent,
    IntegrationRecord,
    IntegrationStore,
    derive_secret,
    new_salt,
)
from lapor_core._domain.notifications import (
    Address,
    DeliveryChannel,
    Notification,
    Recipient,
    RecipientRole,
)
from lapor_core._i18n import N_
from lapor_core._serialization import to_dict
from lapor_core.errors import (
    AccessError,
    DomainError,
    InvalidTrackingId,
    LaporError,
    NotFound,
    PermanentNotificationError,
    StorageError,
    ValidationError,
)

if TYPE_CHECKING:
    from lapor_core._domain.complaint import ReporterIdentity
    from lapor_core._domain.ports import Notifier, RecipientResolver
    from lapor_core.desk import ComplaintDesk
    from lapor_core.notifiers.webhook import WebhookNotifier

__all__ = [
    "SYSTEM_OFFICER",
    "Credentials",
    "EventAnswer",
    "EventType",
    "Integration",
    "Integrations",
]

SYSTEM_OFFICER = "integrasi"
"""The actor recorded in the history when an event names no ``officer``."""

_MAX_INSTITUTION = 100
_STATUS: dict[type[LaporError], int] = {
    NotFound: 404,
    AccessError: 403,
    ValidationError: 422,
    InvalidTrackingId: 422,
    DomainError: 409,
}


@attrs.frozen
class Integration:
    """A registered institution system, as listed (no secret).

    Attributes:
        institution: The institution's code.
        endpoint: Where its notifications go, or None.
        created_at: When it was registered.
        rotated_at: When its secret last changed.
        rotating: True while a rotation is not finished: the previous secret is still accepted.
    """

    institution: str
    endpoint: str | None
    created_at: datetime
    rotated_at: datetime
    rotating: bool


@attrs.frozen
class Credentials:
    """What to hand to the institution once: its secret (``whsec_...``). Never printed or logged again.

    Attributes:
        institution: The institution's code.
        secret: The secret its system signs and verifies with.
        endpoint: Where its notifications go, or None.
    """

    institution: str
    secret: str = attrs.field(repr=False)
    endpoint: str | None


@attrs.frozen
class EventAnswer:
    """The answer to a received event: an HTTP status and a JSON body.

    Attributes:
        status: 200 done (or answered); 401 not authentic or not fresh; 404 unknown complaint (or one the
            institution may not know); 403 not allowed; 409 not allowed in the complaint's state, or the same
            event still being handled; 422 a malformed event; 503 try again later.
        body: ``event_id``, ``type`` and ``complaint`` (the institution's view) on success;
            ``error`` (a code) and ``message`` (Indonesian, or the locale asked for) otherwise, and ``fields``
            for a malformed event.
        replayed: True when this is the stored answer to an event ID seen before (nothing was done again).
    """

    status: int
    body: Mapping[str, Any]
    replayed: bool = False

    def json(self) -> bytes:
        """The body as UTF-8 JSON."""
        return json.dumps(self.body, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _store_for(desk: ComplaintDesk) -> IntegrationStore:
    # A SQL store was made by lapor_core.stores.sql, so that module is loaded; a memory desk never loads it.
    sql = sys.modules.get("lapor_core.stores.sql")
    if sql is not None and isinstance(desk.store, sql.SqlComplaintStore):
        store: IntegrationStore = sql.SqlIntegrationStore(desk.store)
        return store
    from lapor_core.stores.memory import InMemoryIntegrationStore  # noqa: PLC0415 - adapters load lazily

    return InMemoryIntegrationStore()


def _error(error: LaporError, locale: str) -> tuple[int, dict[str, Any]] | None:
    """The answer to an error of the sender's making, or None for one of the deployment's (re-raised)."""
    status = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), None)
    if status is None:
        return None
    body: dict[str, Any] = {"error": error.code, "message": error.describe(locale)}
    if isinstance(error, ValidationError):
        body["fields"] = [
            {"field": f.field, "code": f.code, "message": f.message(locale)} for f in error.errors
        ]
    return status, body


def _refusal(code: str, locale: str, status: int = 401) -> EventAnswer:
    from lapor_core import _i18n  # noqa: PLC0415 - loaded with the desk already

    return EventAnswer(status, {"error": code, "message": _i18n.translate(code, locale, {})})


class Integrations:
    """The institution systems connected to a desk: their credentials and the events they send.

    Args:
        desk: The desk whose commands events run as, and whose pepper derives the secrets.
        store: Where registrations and handled event IDs live (default: the desk's SQL database for a desk
            on a SQL store, else in memory, kept by this object).
        tolerance: How many seconds a signed timestamp may be away from the desk's clock (default 300).

    Thread-safe: one object serves every request of a process.
    """

    def __init__(
        self, desk: ComplaintDesk, *, store: IntegrationStore | None = None, tolerance: float = 300.0
    ) -> None:
        self._desk = desk
        self._ctx = desk._ctx
        self.store: IntegrationStore = store if store is not None else _store_for(desk)
        self._tolerance = tolerance

    # --- credentials ---------------------------------------------------------------------------------------
    def now(self) -> datetime:
        """The desk's clock (events are claimed and pruned by it)."""
        return self._ctx.clock.now()

    def _secret(self, institution: str, salt: str) -> str:
        return derive_secret(self._ctx.pepper, institution, salt)

    def _record(self, institution: object) -> IntegrationRecord:
        found = self.store.integration(institution) if isinstance(institution, str) else None
        if found is None:
            raise NotFound(kind="integration", key=str(institution)[:_MAX_INSTITUTION])
        return found

    def add(self, institution: str, *, endpoint: str | None = None) -> Credentials:
        """Register an institution's system; return its secret (show it once, it is not kept).

        Raises:
            ValidationError: An institution not in the desk's directory (``integration.institution_unknown``),
                one registered already (``integration.exists``), or an endpoint that is not an http(s) URL.
        """
        errors = []
        try:
            self._ctx.directory.get(institution)
        except (NotFound, TypeError, ValueError):
            errors.append(("institution", N_("integration.institution_unknown")))
        else:
            if self.store.integration(institution) is not None:
                errors.append(("institution", N_("integration.exists")))
        if errors:
            raise ValidationError.single(*errors[0])
        target = self._endpoint(endpoint)
        now, salt = self.now(), new_salt()
        self.store.put_integration(IntegrationRecord(institution, target, salt, None, now, now))
        return Credentials(institution, self._secret(institution, salt), target)

    @staticmethod
    def _endpoint(endpoint: str | None) -> str | None:
        if endpoint is None:
            return None
        try:
            address = Address.parse(endpoint)
        except ValidationError as error:
            raise ValidationError.single("endpoint", error.errors[0].code) from None
        if address.channel is not DeliveryChannel.WEBHOOK:
            raise ValidationError.single("endpoint", N_("integration.endpoint_not_http"))
        return address.target

    def rotate(self, institution: str, *, finish: bool = False) -> Credentials | None:
        """Start a rotation (a new secret, the previous one still accepted), or ``finish`` it.

        Returns:
            The new secret's credentials; None when finishing (the previous secret is then refused).

        Raises:
            NotFound: The institution is not registered.
        """
        record = self._record(institution)
        if finish:
            self.store.put_integration(attrs.evolve(record, previous_salt=None))
            return None
        salt = new_salt()
        rotated = attrs.evolve(record, salt=salt, previous_salt=record.salt, rotated_at=self.now())
        self.store.put_integration(rotated)
        return Credentials(institution, self._secret(institution, salt), record.endpoint)

    def list(self) -> tuple[Integration, ...]:
        """Every registered institution system, by code (no secret)."""
        return tuple(
            Integration(r.institution, r.endpoint, r.created_at, r.rotated_at, r.previous_salt is not None)
            for r in self.store.integrations()
        )

    def remove(self, institution: str) -> None:
        """Disconnect an institution: its secrets stop working at once.

        Raises:
            NotFound: The institution is not registered.
        """
        self._record(institution)
        self.store.remove_integration(institution)

    def prune_events(self, before: datetime) -> int:
        """Forget the event IDs received before ``before`` (run it with the sweep; keep a day or more)."""
        return self.store.prune_events(before)

    # --- inbound -------------------------------------------------------------------------------------------
    def receive(
        self, institution: str, headers: Mapping[str, str], body: bytes, *, locale: str = "id"
    ) -> EventAnswer:
        """Verify, deduplicate and run one event an institution's system sent.

        Args:
            institution: The institution the request is addressed to (the URL's ``{institution}``).
            headers: The request's headers (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``).
            body: The raw body, exactly as received.
            locale: The language of error messages.

        Returns:
            The answer; never raises for anything the sender did (see :class:`EventAnswer`).

        Raises:
            StorageError: The integration store failed (claiming or settling the event); it may be sent again.
            ConfigurationError: The deployment is set up wrongly; the event is left unclaimed.
        """
        valid = isinstance(institution, str) and 0 < len(institution) <= _MAX_INSTITUTION
        record = self.store.integration(institution) if valid else None
        if record is None or not isinstance(body, bytes) or not isinstance(headers, Mapping):
            return _refusal(N_("webhook.signature_mismatch"), locale)
        salts = [record.salt] + ([record.previous_salt] if record.previous_salt else [])
        keys = [standard_webhooks.secret_key(self._secret(institution, salt)) for salt in salts]
        now = self.now()
        problem = standard_webhooks.signature_problem(
            keys, headers, body, now=now.timestamp(), tolerance=self._tolerance
        )
        if problem is not None:
            return _refusal(problem, locale)
        event_id = standard_webhooks.header(headers, standard_webhooks.ID_HEADER)
        if event_id is None or len(event_id) > MAX_EVENT_ID:  # pragma: no cover - refused above already
            return _refusal(N_("webhook.headers_missing"), locale)
        prior = self.store.claim_event(institution, event_id, now)
        if prior == "":
            return _refusal(N_("integration.event_in_progress"), locale, 409)
        if prior is not None:
            stored = json.loads(prior)
            return EventAnswer(int(stored["status"]), stored["body"], replayed=True)
        try:
            answer = self._apply(institution, event_id, body, locale)
        except StorageError:
            self.store.release_event(institution, event_id)
            return _refusal(N_("integration.try_later"), locale, 503)
        except BaseException:
            self.store.release_event(institution, event_id)
            raise
        self.store.settle_event(
            institution, event_id, json.dumps({"status": answer.status, "body": answer.body})
        )
        return answer

    def _apply(self, institution: str, event_id: str, body: bytes, locale: str) -> EventAnswer:
        try:
            event = InboundEvent.from_json(body)
            officer = Principal.institution_officer(event.officer or SYSTEM_OFFICER, institution=institution)
            desk = self._desk
            seen = desk.view(officer, event.tracking_id)
            if seen.institution != institution:  # public, or handled elsewhere: not this system's business
                raise NotFound(kind="complaint", key=str(seen.tracking_id))
            if event.type is EventType.DECLINE:
                desk.decline(officer, event.tracking_id, event.text)
                complaint: dict[str, Any] | None = None
            elif event.type is EventType.FOLLOW_UP:
                complaint = to_dict(desk.follow_up(officer, event.tracking_id, event.text))
            elif event.type is EventType.ASSIGN:
                complaint = to_dict(desk.assign(officer, event.tracking_id, event.text))
            else:
                complaint = to_dict(seen)
        except StorageError:
            raise
        except LaporError as error:
            refused = _error(error, locale)
            if refused is None:  # a configuration error: not the sender's to hear about, nor to store
                raise
            status, answer = refused
            return EventAnswer(status, {"event_id": event_id, **answer})
        return EventAnswer(200, {"event_id": event_id, "type": event.type.value, "complaint": complaint})

    # --- outbound ------------------------------------------------------------------------------------------
    def recipients(self, book: RecipientResolver) -> RecipientResolver:
        """``book``, with each registered endpoint added to its institution's (and its units') addresses."""
        return _IntegrationRecipients(self, book)

    def notifier(self, fallback: Notifier | None = None, **webhook_options: Any) -> Notifier:
        """A notifier signing what goes to a registered endpoint with that institution's secret.

        Args:
            fallback: Sends every other notification (e-mail, other webhooks...); None refuses them.
            webhook_options: Options of :class:`~lapor_core.notifiers.WebhookNotifier` (``timeout``, ...).
        """
        return _IntegrationNotifier(self, fallback, webhook_options)

    def _institution_of(self, recipient: Recipient) -> str | None:
        if recipient.role is RecipientRole.INSTITUTION:
            return recipient.ref
        if recipient.role is RecipientRole.UNIT and recipient.ref:
            return recipient.ref.partition("/")[0]
        return None


@attrs.frozen
class _IntegrationRecipients:
    """A resolver adding registered endpoints to another resolver's addresses."""

    integrations: Integrations
    book: RecipientResolver

    def resolve(self, recipient: Recipient, identity: ReporterIdentity | None) -> Sequence[Address]:
        addresses = tuple(self.book.resolve(recipient, identity))
        institution = self.integrations._institution_of(recipient)
        record = self.integrations.store.integration(institution) if institution else None
        if record is None or record.endpoint is None:
            return addresses
        endpoint = Address(DeliveryChannel.WEBHOOK, record.endpoint)
        return (endpoint, *(a for a in addresses if a.target != record.endpoint))


class _IntegrationNotifier:
    """Signs notifications to a registered endpoint with its institution's current secret."""

    def __init__(
        self, integrations: Integrations, fallback: Notifier | None, options: Mapping[str, Any]
    ) -> None:
        self._integrations = integrations
        self._fallback = fallback
        self._options = dict(options)
        self._signers: dict[tuple[str, str], WebhookNotifier] = {}
        self._lock = threading.Lock()

    def _signer(self, record: IntegrationRecord) -> WebhookNotifier:
        from lapor_core.notifiers.webhook import WebhookNotifier  # noqa: PLC0415 - loaded with the first send

        with self._lock:
            key = (record.institution, record.salt)
            if key not in self._signers:
                secret = self._integrations._secret(record.institution, record.salt)
                self._signers[key] = WebhookNotifier(secret=secret, **self._options)
            return self._signers[key]

    def send(self, notification: Notification) -> None:
        institution = self._integrations._institution_of(notification.recipient)
        record = self._integrations.store.integration(institution) if institution else None
        if (
            record is not None
            and notification.channel is DeliveryChannel.WEBHOOK
            and notification.address.target == record.endpoint
        ):
            self._signer(record).send(notification)
            return
        if self._fallback is None:
            raise PermanentNotificationError(
                detail=N_("notification.no_route"),
                params={
                    "channel": notification.channel.value,
                    "role": notification.recipient.role.value,
                },
            )
        self._fallback.send(notification)
