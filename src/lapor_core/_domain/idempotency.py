"""Idempotent submission: a submission repeated with the same key makes one complaint.

A form posted twice, a reloaded receipt page, a gateway that retries its webhook: each sends the same
submission again. Given an *idempotency key* (a form's one-time key, a gateway's message ID), the desk stores
the first submission with a record of the key, and answers a repeat with the same key and the same content
with the first receipt; the same key with other content is refused
(:class:`~lapor_core.errors.IdempotencyConflict`).

What is stored of a key (:class:`IdempotencyRecord`) is never the key itself: its keyed hash (HMAC-SHA256
under the desk's pepper), the keyed fingerprint of the submission's content, the tracking ID it made and when.

A reporter's reply or answer to a hold can carry a key too (an SMS or e-mail delivered twice, to two
processes): the record is saved with the reply's event, in the same changeset, so one key records one reply
(:func:`command_fingerprint`).

Why the key must be secret:
    The access key is stored only as a keyed hash, so a repeat cannot read it back. Instead the access key of
    a submission with an idempotency key is derived from the key (HMAC under the pepper,
    :func:`lapor_core._domain.keys.derived_access_key`): the repeat computes the same access key again.
    Whoever knows an idempotency key and the content submitted with it therefore gets the receipt, access key
    included. A key must be as unguessable as an access key (at least 80 random bits: a form's one-time key
    from :mod:`secrets`, a gateway's random message ID), and never a counter, a phone number or a timestamp.

Example:
    >>> pepper = b"a deployment secret of 16+ bytes"
    >>> check_idempotency_key("  form-7Qx2  ")
    '  form-7Qx2  '
    >>> key_hash(pepper, "form-7Qx2") == key_hash(pepper, "form-7Qx2") != key_hash(pepper, "form-7Qx3")
    True
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

import attrs

from lapor_core._domain import rules as v
from lapor_core._domain.model import Submission
from lapor_core._i18n import N_
from lapor_core.errors import ValidationError

__all__ = [
    "DEFAULT_WINDOW",
    "MAX_KEY_LENGTH",
    "IdempotencyRecord",
    "check_idempotency_key",
    "command_fingerprint",
    "key_hash",
    "submission_fingerprint",
]

MAX_KEY_LENGTH: Final = 200
"""The longest idempotency key accepted, in characters (a UUID is 36, a gateway's message ID rarely 100)."""

DEFAULT_WINDOW: Final = timedelta(days=7)
"""How long a desk keeps idempotency keys by default: far longer than any client retries."""

_KEY_PURPOSE: Final = "idempotency-key"
_FINGERPRINT_PURPOSE: Final = "idempotency-fingerprint"
_COMMAND_PURPOSE: Final = "idempotency-command"


def _hash(pepper: bytes, purpose: str, text: str) -> str:
    return hmac.new(pepper, f"{purpose}\x1f{text}".encode(), hashlib.sha256).hexdigest()


def check_idempotency_key(value: object) -> str:
    """Return ``value`` if it can be an idempotency key: a non-blank printable string, at most 200 characters.

    The key is kept exactly as given (not trimmed, not folded): two keys are the same only if equal.

    Raises:
        ValidationError: Naming ``idempotency_key``: not a string, blank, too long, or holding control
            characters or unpaired surrogates.

    Example:
        >>> check_idempotency_key(" ")
        Traceback (most recent call last):
        lapor_core.errors.ValidationError: invalid input: idempotency_key: must not be empty
    """
    field = "idempotency_key"
    if not isinstance(value, str):
        raise ValidationError.single(field, "value.not_string", type=v.type_name(value))
    if not value.strip():
        raise ValidationError.single(field, "text.empty")
    if len(value) > MAX_KEY_LENGTH:
        raise ValidationError.single(field, "text.too_long", max=MAX_KEY_LENGTH, actual=len(value))
    if not value.isprintable():
        raise ValidationError.single(field, N_("idempotency.key_malformed"))
    return value


def key_hash(pepper: bytes, key: str) -> str:
    """The keyed hash of an idempotency key (HMAC-SHA256 under the pepper, hex): what a store keeps of it."""
    return _hash(pepper, _KEY_PURPOSE, key)


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return value + 0.0  # -0.0 equals 0.0: equal submissions must have one fingerprint
    if isinstance(value, dict):
        return {k: _plain(item) for k, item in value.items()}
    if isinstance(value, enum.Enum):
        return value.value
    return value


def submission_fingerprint(
    pepper: bytes,
    submission: Submission,
    account: str | None = None,
    attachments: Sequence[tuple[str, str]] = (),
) -> str:
    """The keyed fingerprint of what was submitted: equal submissions by the same account, equal fingerprints.

    Every field of the submission counts, the reporter's details too, the citizen account that submitted
    it (None for a submission without one) and its attachments as ``(filename, sha256)`` pairs in order
    (none: the fingerprint of the submission alone). Keyed (HMAC-SHA256 under the pepper, hex) so that a
    stored fingerprint cannot be matched against guessed contents, such as an identity number.

    Example:
        >>> pepper = b"a deployment secret of 16+ bytes"
        >>> form = {"kind": "aspirasi", "channel": "web", "title": "Taman", "body": "Bangku."}
        >>> first, same = Submission.from_dict(form), Submission.from_dict(dict(form))
        >>> submission_fingerprint(pepper, first) == submission_fingerprint(pepper, same)
        True
        >>> submission_fingerprint(pepper, first) == submission_fingerprint(pepper, first, "citizen-7")
        False
    """
    content = _plain(attrs.asdict(submission, recurse=True))
    basis: dict[str, Any] = {"submission": content, "account": account}
    if attachments:
        basis["attachments"] = [list(pair) for pair in attachments]
    document = json.dumps(basis, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return _hash(pepper, _FINGERPRINT_PURPOSE, document)


def command_fingerprint(
    pepper: bytes, tracking_id: str, actor: Mapping[str, Any], content: Mapping[str, Any]
) -> str:
    """The keyed fingerprint of a message on one complaint: the same message again, the same fingerprint.

    The complaint, who acts (as recorded in its history) and the content count. The content is what a repeat
    must repeat: for a reporter's message its text, not whether it answered a hold or replied to a follow-up
    (a message delivered again after the first delivery ended the hold is the same message). Keyed like
    :func:`submission_fingerprint`, so a stored fingerprint cannot be matched against guessed texts.

    Example:
        >>> pepper, tid = b"a deployment secret of 16+ bytes", "7K3M-9QXF-2HJ-Q"
        >>> reporter = {"role": "reporter"}
        >>> first = command_fingerprint(pepper, tid, reporter, {"message": "Lampu belum menyala"})
        >>> first == command_fingerprint(pepper, tid, reporter, {"message": "Lampu belum menyala"})
        True
        >>> first == command_fingerprint(pepper, tid, reporter, {"message": "Sudah menyala"})
        False
    """
    basis = {"complaint": tracking_id, "actor": _plain(dict(actor)), "content": _plain(dict(content))}
    document = json.dumps(basis, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return _hash(pepper, _COMMAND_PURPOSE, document)


@attrs.frozen
class IdempotencyRecord:
    """What a store keeps of one idempotency key, saved with the complaint it made.

    Attributes:
        key_hash: The key's keyed hash (:func:`key_hash`), 64 hexadecimal digits; unique in a store.
        fingerprint: The keyed fingerprint of the submission made with it (:func:`submission_fingerprint`).
        tracking_id: The complaint the submission made.
        created_at: When it was submitted; the sweep prunes records older than the desk's window.
    """

    key_hash: str
    fingerprint: str
    tracking_id: str
    created_at: datetime
