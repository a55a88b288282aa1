"""A reporter proves who they are with (tracking ID, access key); wrong keys are limited per client."""

from __future__ import annotations

import hmac
import threading
from collections import OrderedDict, deque
from datetime import datetime

import attrs

from lapor_core._application.context import DeskContext
from lapor_core._application.kernel import canonical_id, reporter_proof
from lapor_core._domain import rules as _validation
from lapor_core._domain.access import Principal
from lapor_core._domain.complaint import Complaint
from lapor_core._domain.keys import StoredKey
from lapor_core.errors import (
    ConfigurationError,
    InvalidTrackingId,
    NotFound,
    TooManyAttempts,
    ValidationError,
)

__all__ = ["CONTACT_KINDS", "MAX_CLIENT_KEY", "AttemptLimiter", "authenticate", "authenticate_contact"]


MAX_CLIENT_KEY = 256
"""The longest client key :func:`authenticate` takes (a hex SHA-256 is 64 characters)."""


def _at_least_one(_instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"{attribute.name} must be a whole number of at least 1")


@attrs.define
class AttemptLimiter:
    """Counts wrong access keys per client across every tracking ID, and says when a client is over its limit.

    A *client* is the opaque key the embedder passes to :func:`authenticate` (for example a keyed hash of
    the remote address); callers that pass none are not counted (see :func:`authenticate`). Failures are not
    counted per tracking ID: tracking IDs of public complaints are listed publicly, and counting per ID let
    any stranger lock a reporter out of their own complaint. Only failures count, and a success forgives
    nothing (else a client holding one valid key could reset its count between guesses).

    Memory is bounded: at most ``max_failures`` instants per client and ``max_clients`` clients, the client
    whose last failure is oldest forgotten first; clients whose failures have all expired are dropped as
    new failures arrive. Client keys are kept in memory only. Thread-safe.

    Example:
        >>> from datetime import UTC, datetime
        >>> limiter = AttemptLimiter(max_failures=2, window_seconds=60)
        >>> now = datetime(2026, 3, 17, tzinfo=UTC)
        >>> limiter.failed("client-a", now); limiter.failed("client-a", now)
        >>> limiter.failed("client-a", now)
        Traceback (most recent call last):
        lapor_core.errors.TooManyAttempts: too many failed attempts; retry in 60 s
        >>> limiter.failed("client-b", now)
    """

    max_failures: int = attrs.field(default=5, validator=_at_least_one)
    window_seconds: int = attrs.field(default=900, validator=_at_least_one)
    max_clients: int = attrs.field(default=10_000, validator=_at_least_one)
    _failures: OrderedDict[str, deque[datetime]] = attrs.field(factory=OrderedDict, init=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False)

    def _expired(self, at: datetime, now: datetime) -> bool:
        return (now - at).total_seconds() >= self.window_seconds

    def failed(self, client: str, now: datetime) -> None:
        """Count one wrong key from ``client``, or raise TooManyAttempts if it is already at its limit.

        A refused attempt is not counted, so the limit lifts ``window_seconds`` after the oldest counted
        failure however often the client keeps trying.
        """
        with self._lock:
            while self._failures:
                oldest = next(iter(self._failures))
                if not self._expired(self._failures[oldest][-1], now):
                    break
                del self._failures[oldest]
            times = self._failures.get(client)
            if times is None:
                times = self._failures[client] = deque(maxlen=self.max_failures)
            while times and self._expired(times[0], now):
                times.popleft()
            if len(times) >= self.max_failures:
                elapsed = int((now - times[0]).total_seconds())
                retry = min(max(self.window_seconds - elapsed, 1), self.window_seconds)
                raise TooManyAttempts(retry_after_seconds=retry)
            times.append(now)
            self._failures.move_to_end(client)
            while len(self._failures) > self.max_clients:
                self._failures.popitem(last=False)

    def tracked(self) -> int:
        """How many clients currently have failures on record."""
        with self._lock:
            return len(self._failures)


def _client_key(client: object) -> str | None:
    if client is None:
        return None
    try:
        return _validation.text(required=True, max_length=MAX_CLIENT_KEY, strip=False)(client)
    except _validation.Invalid as e:
        raise ValidationError([e.at("client")]) from None


def authenticate(
    ctx: DeskContext,
    limiter: AttemptLimiter,
    tracking_id: object,
    access_key: object,
    *,
    client: object = None,
) -> Principal:
    """The reporter's principal for a valid (tracking ID, access key), else NotFound as for an unknown ID.

    A correct key always opens, whatever the client's count. A wrong key (or a malformed tracking ID) counts
    one failure for ``client``; a client already over its limit gets TooManyAttempts instead of NotFound.
    Known and unknown tracking IDs take the same path: one keyed hash, the same count, the same answer.

    Without a client nothing is counted: the desk cannot tell such callers apart, and counting them
    together would let one stranger's wrong keys make everybody's look refused (and tell a reporter who
    mistyped to wait). An embedder serving the public passes ``client``.

    Raises:
        ValidationError: ``client`` is neither None nor a non-blank string of at most 256 characters.
        NotFound: The tracking ID is unknown or malformed, or the key is wrong.
        TooManyAttempts: The key is wrong and ``client`` (not None) is over its limit.
    """
    key = _client_key(client)
    now = ctx.clock.now()
    try:
        tid = canonical_id(tracking_id)
    except (ValidationError, InvalidTrackingId):
        if key is not None:
            limiter.failed(key, now)
        raise NotFound(kind="complaint", key=str(tracking_id)[:40]) from None
    try:
        complaint: Complaint | None = ctx.store.get(tid)
    except NotFound:
        complaint = None
    # An unknown ID costs the same HMAC as a wrong key, so timing does not tell whether the ID exists.
    stored = complaint.access_key if complaint is not None else _NO_KEY
    if stored.verify(access_key, pepper=ctx.pepper) and complaint is not None:
        return Principal.reporter(tid, proof=reporter_proof(ctx, complaint))
    if key is not None:
        limiter.failed(key, now)
    raise NotFound(kind="complaint", key=tid)


_NO_KEY = StoredKey(salt=bytes(16), digest=bytes(32))


CONTACT_KINDS = frozenset({"phone", "email", "account"})


def authenticate_contact(
    ctx: DeskContext,
    limiter: AttemptLimiter,
    tracking_id: object,
    *,
    kind: object,
    address: object,
    client: object = None,
) -> Principal:
    """The reporter's principal when ``address`` equals the contact stored with the complaint, else NotFound.

    For channels that authenticate the sender themselves (an SMS sender's number delivered by the operator):
    the stored ``phone`` (or ``email``, or ``account``: a chat account such as ``telegram:5501``) of the
    complaint's reporter identity is compared in constant time with ``address``, given in the stored form
    (``+628...``; an e-mail address as :func:`email_rule` gives it, the domain lower-cased). A complaint
    without an identity, with an erased one or with no such contact, and an unknown ID, all give the same
    NotFound; failures count for ``client`` as wrong keys do.

    Raises:
        ValidationError: ``kind`` is not ``phone``, ``email`` or ``account``, or ``client`` is malformed.
        NotFound: No complaint with that ID has that contact.
        TooManyAttempts: The contact does not match and ``client`` (not None) is over its limit.
    """
    key = _client_key(client)
    if kind not in CONTACT_KINDS:
        raise ValidationError.single("kind", "contact.kind_unknown")
    now = ctx.clock.now()
    complaint: Complaint | None = None
    stored: str | None = None
    try:
        tid = canonical_id(tracking_id)
        complaint = ctx.store.get(tid)
    except (ValidationError, InvalidTrackingId, NotFound):
        tid = str(tracking_id)[:40]
    if complaint is not None and complaint.identity_ref is not None:
        identity = ctx.store.identity(complaint.identity_ref)
        if identity is not None and not identity.erased:
            stored = {"phone": identity.phone, "email": identity.email, "account": identity.account_id}[kind]
    given = address if isinstance(address, str) else ""
    matches = stored is not None and hmac.compare_digest(stored.encode("utf-8"), given.encode("utf-8"))
    if matches and complaint is not None:
        return Principal.reporter(complaint.tracking_id, proof=reporter_proof(ctx, complaint))
    if key is not None:
        limiter.failed(key, now)
    raise NotFound(kind="complaint", key=tid)
