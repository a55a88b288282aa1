"""Every error lapor_core raises, under one root.

Each error carries structured fields (``complaint_id``, ``expected_version``, ...) besides its message, and
also subclasses the builtin a caller would naturally catch::

    LaporError
    ├── ValidationError (ValueError)            .errors: every bad field with a reason
    ├── DomainError
    │   ├── TransitionNotAllowed                .complaint_id, .action, .state
    │   │   └── PollTransitionNotAllowed        .poll_id, .action, .state
    │   ├── EscalationNotAllowed                .complaint_id, .reason (a code)
    │   ├── InvalidTrackingId (ValueError)      .text, .problem (a code), .params
    │   ├── DateOutOfRange (ValueError)         .value, .first, .last
    │   └── IdempotencyConflict (ValueError)    .field, .first_used_at
    ├── AccessError
    │   ├── NotFound (LookupError)              .kind, .key   (also what a principal may not know exists)
    │   ├── NotAllowed (PermissionError)        .action, .complaint_id
    │   │   └── PollNotAllowed                  .poll_id, .action, .reason (a code)
    │   └── TooManyAttempts (PermissionError)   .retry_after_seconds
    ├── StorageError
    │   └── ConcurrencyConflict                 .complaint_id, .expected_version, .actual_version
    │       └── PollConflict                    .poll_id, .expected_version, .actual_version
    ├── ConfigurationError (RuntimeError)
    │   └── PluginError                         .scheme, .known
    └── NotificationError                       .permanent
        ├── TemporaryNotificationError
        └── PermanentNotificationError

Messages never contain a reporter's personal data or the text of a complaint: errors end up in logs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from lapor_core import _i18n
from lapor_core._i18n import N_

__all__ = [
    "AccessError",
    "ConcurrencyConflict",
    "ConfigurationError",
    "DateOutOfRange",
    "DomainError",
    "EscalationNotAllowed",
    "FieldError",
    "IdempotencyConflict",
    "InvalidTrackingId",
    "LaporError",
    "NotAllowed",
    "NotFound",
    "NotificationError",
    "PermanentNotificationError",
    "PluginError",
    "PollConflict",
    "PollNotAllowed",
    "PollTransitionNotAllowed",
    "StorageError",
    "TemporaryNotificationError",
    "TooManyAttempts",
    "TransitionNotAllowed",
    "ValidationError",
]


_SHOWN = 40  # characters of rejected input echoed in a message: enough to recognise, not to flood logs


def _rebuild(cls: type[LaporError], fields: dict[str, Any]) -> LaporError:
    return cls(**fields)


def _rebuild_plain(
    cls: type[LaporError], message: str, detail: str | None, params: dict[str, object]
) -> LaporError:
    return cls(message, detail=detail, params=params)


class LaporError(Exception):
    """The root of every error lapor_core raises on purpose.

    Subclasses declare their structured fields as keyword-only ``__init__`` parameters; ``fields`` returns
    them as a mapping, which is also how errors survive pickling (for example across worker processes).
    Errors without structured fields (storage, configuration, notification) name what went wrong with a
    catalogue code, ``StorageError(detail="storage.operation_failed", params={...})``: their English text
    is the message, and :meth:`describe` renders the code in the reader's language.
    """

    code: ClassVar[str] = N_("error.lapor")
    """A stable identifier of the kind of error, and the catalogue's message ID of :meth:`describe`."""

    _field_names: tuple[str, ...] = ()

    def __init__(
        self, message: str = "", *, detail: str | None = None, params: Mapping[str, object] | None = None
    ) -> None:
        self.detail = detail
        self.params: Mapping[str, object] = MappingProxyType(dict(params or {}))
        if detail is not None and not message:
            message = _i18n.translate(detail, "en", self.params)
        super().__init__(message)

    def describe(self, locale: str = "id") -> str:
        """One line for a person, in ``locale`` (Indonesian unless asked otherwise), from the catalogue.

        The structured fields fill the text's placeholders; ``${detail}`` is the ``detail`` code's text, or
        the English message for an error built from a backend's own words (a driver, a server).

        >>> NotFound(kind="complaint", key="7K3M-9QXF-2HJ-Q").describe()
        'Tidak ditemukan: 7K3M-9QXF-2HJ-Q'
        >>> params = {"operation": "saving", "cause": "OSError"}
        >>> error = StorageError(detail="storage.operation_failed", params=params)
        >>> str(error), error.describe()
        ('saving failed: OSError', "Penyimpanan gagal: operasi 'saving' gagal: OSError")
        """
        detail = self.message if self.detail is None else _i18n.translate(self.detail, locale, self.params)
        return _i18n.translate(self.code, locale, {**self.fields, "detail": detail})

    @property
    def message(self) -> str:
        """The human-readable message (the same as ``str(error)``)."""
        return str(self.args[0]) if self.args else ""

    @property
    def fields(self) -> Mapping[str, Any]:
        """The structured fields of this error, by name."""
        return {name: getattr(self, name) for name in self._field_names}

    def __reduce__(self) -> tuple[Any, ...]:
        if self._field_names:
            fields = {
                name: dict(value) if isinstance(value, MappingProxyType) else value
                for name, value in self.fields.items()
            }
            return (_rebuild, (type(self), fields))
        return (_rebuild_plain, (type(self), self.message, self.detail, dict(self.params)))


def _frozen_params(params: Mapping[str, object] | None) -> Mapping[str, object]:
    return MappingProxyType(dict(params or {}))


@attrs.frozen
class FieldError:
    """One bad field of a :class:`ValidationError`.

    Attributes:
        field: Dotted path of the field (``"location.lat"``, ``"reporter.email"``); ``"$"`` is the input as a
            whole.
        code: A stable snake_case identifier of the rule that refused it (``"text.empty"``,
            ``"location.incomplete"``): what programs compare. Every code is listed, with its texts, in the
            docs page "Error codes".
        params: What the message needs besides the field (``{"max": 150, "actual": 151}``); never the
            refused value itself, since errors end up in logs.

    Example:
        >>> error = FieldError("title", "text.too_long", {"max": 150, "actual": 151})
        >>> error.message()
        'paling banyak 150 karakter, diberikan 151'
        >>> error.message("en")
        'must be at most 150 characters, got 151'
    """

    field: str
    code: str
    params: Mapping[str, object] = attrs.field(factory=dict, converter=_frozen_params, hash=False)

    def message(self, locale: str = "id") -> str:
        """The reason in ``locale`` (Indonesian unless asked otherwise), from the message catalogue."""
        return _i18n.translate(self.code, locale, self.params)

    @property
    def reason(self) -> str:
        """The reason in English (the same as ``message("en")``).

        For logs and for programs written before codes existed; compare :attr:`code` instead.
        """
        return self.message("en")

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FieldError, (self.field, self.code, dict(self.params)))


class ValidationError(LaporError, ValueError):
    """Input was refused; ``errors`` lists every bad field at once.

    ``str(error)`` is English, for logs; :meth:`messages` gives the reasons in the language a person reads.

    Example:
        >>> err = ValidationError([FieldError("title", "text.empty")])
        >>> err.errors[0].field, err.errors[0].code, str(err)
        ('title', 'text.empty', 'invalid input: title: must not be empty')
        >>> err.messages()
        ('title: tidak boleh kosong',)
    """

    code = N_("error.validation")
    _field_names = ("errors",)

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors: tuple[FieldError, ...] = tuple(errors)
        detail = "; ".join(str(e) for e in self.errors) or "no detail"
        super().__init__(f"invalid input: {detail}")

    @classmethod
    def single(cls, field: str, code: str, **params: object) -> ValidationError:
        """Build the error for one bad field."""
        return cls([FieldError(field, code, params)])

    def messages(self, locale: str = "id") -> tuple[str, ...]:
        """Every bad field as ``"<field>: <reason>"`` in ``locale`` (Indonesian unless asked otherwise)."""
        return tuple(f"{error.field}: {error.message(locale)}" for error in self.errors)

    def describe(self, locale: str = "id") -> str:
        """One line for a person: every bad field with its reason in ``locale``."""
        detail = "; ".join(self.messages(locale))
        return _i18n.translate("error.validation", locale, {"detail": detail})

    @property
    def fields_by_name(self) -> Mapping[str, tuple[str, ...]]:
        """The codes grouped by field path."""
        grouped: dict[str, list[str]] = {}
        for error in self.errors:
            grouped.setdefault(error.field, []).append(error.code)
        return {name: tuple(codes) for name, codes in grouped.items()}


class DomainError(LaporError):
    """A rule of the complaint domain refused the request."""

    code = N_("error.domain")


class TransitionNotAllowed(DomainError):
    """The complaint's current state does not allow this action."""

    code = N_("error.transition_not_allowed")

    _field_names = ("complaint_id", "action", "state")

    def __init__(self, *, complaint_id: str, action: str, state: str) -> None:
        self.complaint_id = complaint_id
        self.action = action
        self.state = state
        super().__init__(f"complaint {complaint_id}: cannot {action} while {state}")


class InvalidTrackingId(DomainError, ValueError):
    """Text that is not a valid tracking ID; ``problem`` is the code of what is wrong, ``reason`` the text."""

    code = N_("error.invalid_tracking_id")

    _field_names = ("text", "problem", "params")

    def __init__(self, *, text: str, problem: str, params: Mapping[str, object] | None = None) -> None:
        shown = text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."
        reason = _i18n.translate(problem, "en", params)
        super().__init__(f"invalid tracking ID {shown!r}: {reason}", params=params)
        self.text = text
        self.problem = problem

    @property
    def reason(self) -> str:
        """What is wrong, in English (``problem`` is its code)."""
        return _i18n.translate(self.problem, "en", self.params)

    def describe(self, locale: str = "id") -> str:
        """One line for a person: what is wrong with the tracking ID, in ``locale``."""
        detail = _i18n.translate(self.problem, locale, self.params)
        return _i18n.translate(self.code, locale, {"detail": detail})


class DateOutOfRange(DomainError, ValueError):
    """A date falls outside the range a working-day calendar was built for."""

    code = N_("error.date_out_of_range")

    _field_names = ("value", "first", "last")

    def __init__(self, *, value: object, first: object, last: object) -> None:
        self.value = value
        self.first = first
        self.last = last
        super().__init__(f"{value} is outside the calendar's range {first} .. {last}")


class IdempotencyConflict(DomainError, ValueError):
    """An idempotency key was already used for other content: another submission, account, reply or complaint.

    A repeat with the same key must repeat the same submission (or the same reply, by the same actor, to the
    same complaint); something else under a used key is refused, never stored. Neither the key nor the first
    complaint is named: only that the key is taken, since when.

    Attributes:
        field: The input that holds the key (``"idempotency_key"``, or the portal's header or field name).
        first_used_at: When the key was first used.
    """

    code = N_("error.idempotency_conflict")

    _field_names = ("field", "first_used_at")

    def __init__(self, *, field: str = "idempotency_key", first_used_at: datetime) -> None:
        self.field = field
        self.first_used_at = first_used_at
        super().__init__(f"{field}: already used on {first_used_at.isoformat()} for different content")


class EscalationNotAllowed(DomainError):
    """The reporter may not escalate the complaint to the Ombudsman now (issue 22).

    ``reason`` is a code: ``escalation.no_breach`` (it is open and no stage deadline was missed) or
    ``escalation.too_late`` (it closed longer ago than the desk's escalation window).

    Example:
        >>> error = EscalationNotAllowed(complaint_id="7K3M-9QXF-2HJ-Q", reason="escalation.too_late")
        >>> error.message
        'complaint 7K3M-9QXF-2HJ-Q cannot be escalated: it closed longer ago than escalation allows'
    """

    code = N_("error.escalation_not_allowed")
    _field_names = ("complaint_id", "reason")

    def __init__(self, *, complaint_id: str, reason: str) -> None:
        self.complaint_id = complaint_id
        self.reason = reason
        super().__init__(self.describe("en"))

    def describe(self, locale: str = "id") -> str:
        """One line for a person in ``locale``, the reason rendered from its code."""
        why = _i18n.translate(self.reason, locale)
        return _i18n.translate(self.code, locale, {**self.fields, "reason": why})


class AccessError(LaporError):
    """The principal may not read or do this."""

    code = N_("error.access")


class NotFound(AccessError, LookupError):
    """Nothing of that kind and key exists, or the principal may not know that it does.

    Both cases raise exactly this error with the same message and fields, so a caller cannot tell a hidden
    complaint from a missing one.
    """

    code = N_("error.not_found")
    _field_names = ("kind", "key")

    def __init__(self, *, kind: str, key: str) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"{kind} not found: {key}")


class NotAllowed(AccessError, PermissionError):
    """The principal may see the complaint but may not perform this action on it."""

    code = N_("error.not_allowed")
    _field_names = ("action", "complaint_id")

    def __init__(self, *, action: str, complaint_id: str) -> None:
        self.action = action
        self.complaint_id = complaint_id
        super().__init__(f"not allowed to {action} complaint {complaint_id}")


class TooManyAttempts(AccessError, PermissionError):
    """Too many failed attempts; try again after ``retry_after_seconds``.

    Raised the same way whether or not the tracking ID exists.
    """

    code = N_("error.too_many_attempts")
    _field_names = ("retry_after_seconds",)

    def __init__(self, *, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__(f"too many failed attempts; retry in {retry_after_seconds} s")


class StorageError(LaporError):
    """The store failed; the original driver error is chained as ``__cause__``."""

    code = N_("error.storage")


class ConcurrencyConflict(StorageError):
    """Somebody else changed the complaint first; reload and try again."""

    code = N_("error.concurrency_conflict")

    _field_names = ("complaint_id", "expected_version", "actual_version")

    def __init__(self, *, complaint_id: str, expected_version: int, actual_version: int | None) -> None:
        self.complaint_id = complaint_id
        self.expected_version = expected_version
        self.actual_version = actual_version
        super().__init__(
            f"complaint {complaint_id}: expected version {expected_version}, store has {actual_version}"
        )


class ConfigurationError(LaporError, RuntimeError):
    """lapor_core is set up wrongly (bad option, schema out of date, missing extra)."""

    code = N_("error.configuration")


class PluginError(ConfigurationError):
    """No plugin is registered for this scheme, or a plugin failed to load."""

    code = N_("error.plugin")

    _field_names = ("scheme", "known")

    def __init__(self, *, scheme: str, known: Iterable[str], detail: str = "") -> None:
        self.scheme = scheme
        self.known = tuple(sorted(known))
        suffix = f" ({detail})" if detail else ""
        super().__init__(f"no store for scheme {scheme!r}{suffix}; known: {', '.join(self.known)}")


class NotificationError(LaporError):
    """A notification could not be delivered; ``permanent`` tells whether retrying can help."""

    code = N_("error.notification")

    permanent: bool = False


class TemporaryNotificationError(NotificationError):
    """Delivery failed for now (timeout, 5xx, connection refused); retry later."""

    permanent = False


class PermanentNotificationError(NotificationError):
    """Delivery can never succeed as addressed (4xx, rejected recipient); do not retry."""

    permanent = True


# --- polls (policy-opinion polls, lapor_core._domain.polls) ------------------------------------------------


def _poll_state_label(state: str, locale: str) -> str:
    """The catalogue's label of a poll state (``poll.status.<state>``, spaces as ``_``); other text as is."""
    msgid = "poll.status." + state.replace(" ", "_")
    label = _i18n.translate(msgid, locale)
    return state if label == msgid else label


class PollTransitionNotAllowed(TransitionNotAllowed):
    """The poll's state or voting window does not allow this action (editing an open poll, voting late).

    A :class:`TransitionNotAllowed` whose ``complaint_id`` field holds the poll ID, so code that catches the
    general error also catches this one. ``state`` is a poll state's value (``draft``, ``open``, ``closed``),
    or ``"not yet open"`` for a vote before an opened poll's window; :meth:`describe` names it by its label.

    Example:
        >>> error = PollTransitionNotAllowed(poll_id="a1b2", action="vote", state="closed")
        >>> error.message
        'poll a1b2: cannot vote while closed'
        >>> error.describe()
        'Jajak pendapat a1b2 tidak dapat diproses (vote) selagi berstatus Ditutup'
    """

    code = N_("poll.transition_not_allowed")
    _field_names = ("poll_id", "action", "state")

    def __init__(self, *, poll_id: str, action: str, state: str) -> None:
        super().__init__(complaint_id=poll_id, action=action, state=state)
        self.poll_id = poll_id
        # The message (for logs) keeps the state's value; describe() names it for a person.
        self.args = (_i18n.translate(self.code, "en", self.fields),)

    def describe(self, locale: str = "id") -> str:
        """One line for a person in ``locale``, the state named by its label."""
        label = _poll_state_label(self.state, locale)
        return _i18n.translate(self.code, locale, {**self.fields, "state": label})


class PollNotAllowed(NotAllowed):
    """The principal may see the poll but not do this (vote outside the audience, read hidden results).

    ``reason`` is a code saying why (``poll.vote_not_verified``...) in words that never name the voter;
    :meth:`describe` renders it in the reader's language and ``message`` in English.

    Example:
        >>> error = PollNotAllowed(poll_id="a1b2", action="vote", reason="poll.vote_not_verified")
        >>> error.message
        'not allowed to vote in poll a1b2: the account is not verified'
        >>> error.describe()
        'Tidak diizinkan (vote) pada jajak pendapat a1b2: akun belum terverifikasi'
    """

    code = N_("poll.not_allowed")
    # NotAllowed's two fields were inferred as a pair; this error has three.
    _field_names = ("poll_id", "action", "reason")  # type: ignore[assignment]

    def __init__(self, *, poll_id: str, action: str, reason: str) -> None:
        super().__init__(action=action, complaint_id=poll_id)
        self.poll_id = poll_id
        self.reason = reason
        self.args = (self.describe("en"),)

    def describe(self, locale: str = "id") -> str:
        """One line for a person in ``locale``, the reason rendered from its code."""
        why = _i18n.translate(self.reason, locale)
        return _i18n.translate(self.code, locale, {**self.fields, "reason": why})


class PollConflict(ConcurrencyConflict):
    """Somebody changed the poll first (saving it, or casting on a stale version); reload and try again.

    Example:
        >>> PollConflict(poll_id="a1b2", expected_version=2, actual_version=3).message
        'poll a1b2: expected version 2, store has 3'
    """

    code = N_("poll.conflict")
    _field_names = ("poll_id", "expected_version", "actual_version")

    def __init__(self, *, poll_id: str, expected_version: int, actual_version: int | None) -> None:
        super().__init__(
            complaint_id=poll_id, expected_version=expected_version, actual_version=actual_version
        )
        self.poll_id = poll_id
        self.args = (f"poll {poll_id}: expected version {expected_version}, store has {actual_version}",)
