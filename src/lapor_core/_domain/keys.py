"""Reporter access keys: the secret an anonymous reporter needs to follow up a complaint.

A tracking ID is a public handle; the access key, shown once at submission, proves being the reporter.
It is 80 random bits from :mod:`secrets` written as 16 Crockford base32 symbols in groups of four
(``XXXX-XXXX-XXXX-XXXX``), read back with the same forgiving rules as tracking IDs (any case, spaces or
hyphens anywhere, ``O`` for ``0``, ``I``/``L`` for ``1``).

Only a keyed hash is stored (:class:`StoredKey`): HMAC-SHA256 under a deployment secret (the *pepper*,
kept outside the store) of a per-key random salt and the normalised key.

Why not a slow password hash (bcrypt, scrypt, Argon2)?
    Slow hashes protect low-entropy secrets that people choose. An access key is drawn at random with 80 bits:
    even at 10^12 guesses a second, exhausting half the space of *one* key takes 19,000 years, so a slow hash
    buys nothing, while it would cost every submission and every login tens of milliseconds of CPU (and make
    login floods cheap denial of service). The pepper adds that a stolen database alone cannot even test a
    guess; the salt makes equal keys (there are none in practice) store differently.

Example:
    >>> key = new_access_key()
    >>> stored = StoredKey.create(key, pepper=b"a deployment secret of 16+ bytes")
    >>> stored.verify(key.lower().replace("-", " "), pepper=b"a deployment secret of 16+ bytes")
    True
    >>> stored.verify("not the key", pepper=b"a deployment secret of 16+ bytes")
    False
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final

import attrs

from lapor_core._domain import text as _text
from lapor_core.errors import ConfigurationError, FieldError, ValidationError

__all__ = ["KEY_BITS", "StoredKey", "derived_access_key", "new_access_key", "normalize_access_key"]

#: Random bits in an access key (DOMAIN.md: at least 80).
KEY_BITS: Final = 80
_SYMBOLS: Final = KEY_BITS // 5
_GROUPS: Final = (4, 4, 4, 4)
_SALT_BYTES: Final = 16
_DIGEST_BYTES: Final = hashlib.sha256().digest_size
# Longer input is not a key however it is spaced; refusing it early keeps verification cheap.
_MAX_INPUT: Final = 64


def new_access_key() -> str:
    """Return a fresh access key: 80 bits from :func:`secrets.randbits`, as ``XXXX-XXXX-XXXX-XXXX``.

    Example:
        >>> key = new_access_key()
        >>> len(key), key.count("-"), normalize_access_key(key) == key
        (19, 3, True)
    """
    return _text.group(_text.encode(secrets.randbits(KEY_BITS), _SYMBOLS), _GROUPS)


def derived_access_key(pepper: bytes, purpose: str, secret: str) -> str:
    """Return the access key derived from a secret: 80 bits of HMAC-SHA256(pepper, purpose, secret).

    For a submission with an idempotency key, so that its repeat computes the same access key again (only
    a keyed hash of the key is stored). As strong as the secret: it must itself be unguessable.

    Raises:
        ConfigurationError: ``pepper`` is empty or not bytes.

    Example:
        >>> pepper = b"a deployment secret of 16+ bytes"
        >>> key = derived_access_key(pepper, "idempotency", "form-7Qx2")
        >>> key == derived_access_key(pepper, "idempotency", "form-7Qx2"), normalize_access_key(key) == key
        (True, True)
    """
    if not isinstance(pepper, bytes) or not pepper:
        raise ConfigurationError("the access-key pepper must be non-empty bytes")
    digest = hmac.digest(pepper, f"{purpose}\x1f{secret}".encode(), hashlib.sha256)
    bits = int.from_bytes(digest[: KEY_BITS // 8], "big")
    return _text.group(_text.encode(bits, _SYMBOLS), _GROUPS)


def normalize_access_key(text: object) -> str | None:
    """Return the canonical form of a typed access key, or ``None`` if ``text`` cannot be one.

    Junk gives ``None`` rather than an error: the only safe answer about a wrong secret is "no", and
    callers (:meth:`StoredKey.verify`) must not branch differently on why it is wrong.

    Example:
        >>> normalize_access_key(" 0123 4567 89ab cdef ")
        '0123-4567-89AB-CDEF'
        >>> normalize_access_key("o123-4567-89ab-cdeu") is None  # U is never a symbol
        True
    """
    if not isinstance(text, str) or len(text) > _MAX_INPUT:
        return None
    digits = text.translate(_text.TO_B32HEX)
    if len(digits) != _SYMBOLS or not (digits.isascii() and digits.isalnum()):
        return None
    return _text.group(digits.translate(_text.FROM_B32HEX), _GROUPS)


def _digest(normalized: str, salt: bytes, pepper: bytes) -> bytes:
    if not isinstance(pepper, bytes) or not pepper:
        raise ConfigurationError("the access-key pepper must be non-empty bytes")
    return hmac.digest(pepper, salt + normalized.encode("ascii"), hashlib.sha256)


def _exact_bytes(_instance: object, attribute: attrs.Attribute[bytes], value: object) -> None:
    expected = _SALT_BYTES if attribute.name == "salt" else _DIGEST_BYTES
    if not isinstance(value, bytes) or len(value) != expected:
        raise ValidationError([FieldError(attribute.name, "key.wrong_byte_length", {"expected": expected})])


@attrs.frozen
class StoredKey:
    """What the store keeps of an access key: a random salt and HMAC-SHA256(pepper, salt || key).

    Attributes:
        salt: 16 random bytes, different for every key.
        digest: The 32-byte HMAC-SHA256 of the salt and the normalised key under the pepper.

    Raises:
        ValidationError: ``salt`` or ``digest`` is not bytes of the right length (for example when loaded
            from a damaged row).
    """

    salt: bytes = attrs.field(validator=_exact_bytes, repr=False)
    digest: bytes = attrs.field(validator=_exact_bytes, repr=False)

    @classmethod
    def create(cls, key: str, *, pepper: bytes) -> StoredKey:
        """Hash ``key`` (as given by :func:`new_access_key`, or typed loosely) with a fresh salt.

        Raises:
            ValidationError: ``key`` is not an access key.
            ConfigurationError: ``pepper`` is empty or not bytes.

        Example:
            >>> StoredKey.create("not a key", pepper=b"pepper")
            Traceback (most recent call last):
            lapor_core.errors.ValidationError: invalid input: access_key: must be 16 symbols ...
        """
        normalized = normalize_access_key(key)
        if normalized is None:
            raise ValidationError.single("access_key", "key.malformed")
        salt = secrets.token_bytes(_SALT_BYTES)
        return cls(salt=salt, digest=_digest(normalized, salt, pepper))

    def verify(self, key: object, *, pepper: bytes) -> bool:
        """Tell, in constant time, whether ``key`` is the access key this was created from.

        Any junk (not a string, wrong length, bad characters) is simply ``False``.

        Raises:
            ConfigurationError: ``pepper`` is empty or not bytes (a deployment error, not a wrong key).
        """
        normalized = normalize_access_key(key)
        if normalized is None:
            _digest("", self.salt, pepper)  # same pepper check and roughly the same work as a real attempt
            return False
        return hmac.compare_digest(_digest(normalized, self.salt, pepper), self.digest)
