r"""Tracking IDs: short public handles that people read aloud, type on a phone and check for typos.

Format
    Eleven data symbols (55 random bits drawn from :mod:`secrets`) and one check symbol, all from Crockford's
    base32 alphabet (digits and letters without I, L, O and U), shown as ``XXXX-XXXX-XXX-C``: 15 characters,
    the check symbol alone at the end. With 55 bits, a collision among a million IDs is a one in 72,000
    event (the store's unique key catches it anyway) and guessing a valid ID is pointless; the ID is a public
    handle, not a secret (the reporter's secret is the access key, see :mod:`lapor_core._domain.keys`).

Parsing
    :meth:`TrackingId.parse` accepts what people actually type: any case, spaces or hyphens (and the dashes
    phones substitute) anywhere, ``O`` for ``0`` and ``I`` or ``L`` for ``1``. It refuses anything else with
    :class:`~lapor_core.errors.InvalidTrackingId`, whose ``reason`` names the wrong length, the bad character
    and its position, or the failed check.

The check symbol
    Crockford's own check symbol is the value modulo 37, which needs five extra symbols (``* ~ $ = U``) that
    are awkward to say, to type in an SMS and to put in a URL. Here the check symbol comes from the same 32
    symbols, computed with the Damm algorithm over the quasigroup of order 32

    .. math:: x \circ y = a \cdot x \oplus y \quad\text{in } GF(2^5) = GF(2)[t]/(t^5 + t^2 + 1),
              \ a = t^3 + t^2 + t.

    Damm's algorithm folds the symbols through the table starting from 0 (``r = r ∘ d``) and picks the check
    symbol that brings the fold back to 0. It detects every single substitution and every adjacent
    transposition when the quasigroup is *totally anti-symmetric*: ``(c∘x)∘y = (c∘y)∘x`` only if ``x = y``.
    Here ``(c∘x)∘y ⊕ (c∘y)∘x = (a ⊕ 1)(x ⊕ y)``, which is 0 only if ``x = y`` because ``a ∉ {0, 1}``.

    Unrolled, the fold over the 12 symbols ``d1 .. d12`` is ``a¹¹·d1 ⊕ a¹⁰·d2 ⊕ ... ⊕ d12``, a linear map,
    which gives a short proof and a fast implementation:

    * a substitution at position ``i`` changes the fold by ``a^k·(d ⊕ d')``, never 0 in a field;
    * swapping the symbols at distance ``j`` changes it by ``a^k·(a^j ⊕ 1)·(x ⊕ y)``; the multiplicative
      group has prime order 31, so every ``a ∉ {0, 1}`` generates it and ``a^j ≠ 1`` for ``0 < j < 31``:
      every swap of two different symbols, adjacent or not, is detected, the check symbol included;
    * because the map is linear over GF(2), the fold of the 60-bit number is the XOR of five table look-ups
      of 12 bits each, so parsing never loops over symbols in Python.

    Any ``a ∉ {0, 1}`` has these properties; ``t^3 + t^2 + t`` is the one that makes the example in the
    specification, ``7K3M-9QXF-2HJ-Q``, a valid ID. :data:`DAMM_TABLE` publishes the operation table so
    other implementations (a form's JavaScript, an SMS gateway) can validate IDs the same way.

Example:
    >>> tid = TrackingId.parse("7k3m 9qxf 2hj q")
    >>> str(tid)
    '7K3M-9QXF-2HJ-Q'
    >>> TrackingId.parse("7K3M-9QXF-2HJ-R")
    Traceback (most recent call last):
    lapor_core.errors.InvalidTrackingId: invalid tracking ID '7K3M-9QXF-2HJ-R': check symbol does not match...
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, Final, final

from attrs.exceptions import FrozenInstanceError

from lapor_core._domain import text as _text
from lapor_core._i18n import N_
from lapor_core.errors import InvalidTrackingId

__all__ = ["DAMM_TABLE", "DATA_BITS", "SYMBOLS", "TrackingId"]

#: Random bits in a tracking ID (eleven data symbols of five bits).
DATA_BITS: Final = 55
#: Symbols in a tracking ID, the check symbol included.
SYMBOLS: Final = 12
# Longer input is refused before any other work: even generous spacing stays far below this.
_MAX_INPUT: Final = 64

_MODULUS: Final = 0b100101  # t^5 + t^2 + 1, irreducible over GF(2)
_A: Final = 0b01110  # t^3 + t^2 + t: not 0 or 1, hence a generator of GF(32)* (see the module docstring)


def _gf_mul(x: int, y: int) -> int:
    product = 0
    while y:
        if y & 1:
            product ^= x
        y >>= 1
        x <<= 1
        if x & 0b100000:
            x ^= _MODULUS
    return product


#: The Damm operation table, row-major: ``DAMM_TABLE[32 * x + y]`` is ``x ∘ y = a·x ⊕ y`` in GF(32).
DAMM_TABLE: Final[tuple[int, ...]] = tuple(_gf_mul(_A, x) ^ y for x in range(32) for y in range(32))


def _fold_tables() -> tuple[tuple[int, ...], ...]:
    # Bit b of the 60-bit number belongs to the symbol at power a^(b // 5) of the unrolled fold.
    powers = [1]
    for _ in range(SYMBOLS - 1):
        powers.append(_gf_mul(powers[-1], _A))
    contribution = [_gf_mul(powers[bit // 5], 1 << (bit % 5)) for bit in range(5 * SYMBOLS)]
    tables = []
    for chunk in range(5):
        # Each table is linear: the entry of a 12-bit chunk is the XOR of its set bits' contributions.
        table = [0]
        for bit in range(12):
            part = contribution[12 * chunk + bit]
            table += [entry ^ part for entry in table]
        tables.append(tuple(table))
    return tuple(tables)


_F0, _F1, _F2, _F3, _F4 = _fold_tables()


def _fold(n: int) -> int:
    """Return the Damm fold of the 12 symbols packed in ``n`` (0 means the check symbol matches)."""
    return (
        _F4[n >> 48] ^ _F3[(n >> 36) & 4095] ^ _F2[(n >> 24) & 4095] ^ _F1[(n >> 12) & 4095] ^ _F0[n & 4095]
    )


_PAIRS: Final = tuple(_text.CROCKFORD[p >> 5] + _text.CROCKFORD[p & 31] for p in range(1024))
_LAST_PAIRS: Final = tuple(_text.CROCKFORD[p >> 5] + "-" + _text.CROCKFORD[p & 31] for p in range(1024))


@final
class TrackingId:
    """A tracking ID: eleven random Crockford base32 symbols and a check symbol, ``XXXX-XXXX-XXX-C``.

    Immutable, hashable and ordered (by the canonical text). Equal only to another ``TrackingId``: comparing
    with the text of an ID is ``False``, so parse text first. ``TrackingId(text)`` is the same as
    :meth:`parse`.

    Example:
        >>> a = TrackingId.parse("7K3M-9QXF-2HJ-Q")
        >>> a == TrackingId("7k3m9qxf2hjq"), a == "7K3M-9QXF-2HJ-Q"
        (True, False)
        >>> a
        TrackingId('7K3M-9QXF-2HJ-Q')
    """

    __slots__ = ("_n",)
    _n: int  # the 12 symbols packed in 60 bits: 55 data bits, then the 5-bit check symbol

    def __new__(cls, text: str) -> TrackingId:
        """Parse ``text``; see :meth:`parse`."""
        return cls.parse(text)

    @classmethod
    def new(cls) -> TrackingId:
        """Return a fresh random tracking ID (55 bits from :func:`secrets.randbits`).

        Example:
            >>> TrackingId.new() != TrackingId.new()
            True
        """
        n = _randbits(DATA_BITS) << 5
        return _make(n | _fold(n))

    @classmethod
    def parse(cls, text: str) -> TrackingId:
        """Read a tracking ID as people type it.

        Case, spaces and hyphens do not matter; ``O`` reads as ``0``, ``I`` and ``L`` as ``1``.

        Raises:
            InvalidTrackingId: ``text`` is not a string, is too long or too short, holds a character that
                is not a symbol (``reason`` names it and its position), or fails the check symbol.

        Example:
            >>> TrackingId.parse(" 7k3m-9qxf-2hj-q ")
            TrackingId('7K3M-9QXF-2HJ-Q')
            >>> TrackingId.parse("7K3M-9QXF-2HJ")
            Traceback (most recent call last):
            lapor_core.errors.InvalidTrackingId: invalid tracking ID '7K3M-9QXF-2HJ': wrong length: ...
        """
        if not isinstance(text, str):
            raise InvalidTrackingId(
                text="", problem=N_("tracking.not_string"), params={"type": type(text).__name__}
            )
        if len(text) > _MAX_INPUT:
            raise InvalidTrackingId(text=text, problem=N_("tracking.too_long"), params={"actual": len(text)})
        digits = text.translate(_text.TO_B32HEX)
        if len(digits) != SYMBOLS or not (digits.isascii() and digits.isalnum()):
            raise _diagnose(text)
        n = int(digits, 32)
        if _fold(n):
            raise InvalidTrackingId(text=text, problem=N_("tracking.check_mismatch"))
        return _make(n)

    @classmethod
    def is_valid(cls, text: object) -> bool:
        """Tell whether :meth:`parse` would accept ``text``.

        Example:
            >>> [TrackingId.is_valid(text) for text in ("7K3M-9QXF-2HJ-Q", "7K3M-9QXF-2HJ-R", 5)]
            [True, False, False]
        """
        try:
            cls.parse(text)  # type: ignore[arg-type]  # non-str input is part of the question
        except InvalidTrackingId:
            return False
        return True

    @classmethod
    def from_int(cls, value: int) -> TrackingId:
        """Return the tracking ID whose 55 data bits are ``value`` (for fixtures and deterministic tests).

        Raises:
            InvalidTrackingId: ``value`` is not an integer in ``0 .. 2**55 - 1``.

        Example:
            >>> TrackingId.from_int(0)
            TrackingId('0000-0000-000-0')
            >>> TrackingId.from_int(2**55 - 1).value == 2**55 - 1
            True
        """
        if type(value) is not int or not 0 <= value < 1 << DATA_BITS:
            raise InvalidTrackingId(text=repr(value)[:40], problem=N_("tracking.data_out_of_range"))
        n = value << 5
        return _make(n | _fold(n))

    @property
    def value(self) -> int:
        """The 55 data bits as an integer (the inverse of :meth:`from_int`)."""
        return self._n >> 5

    def __str__(self) -> str:
        n = self._n
        return (
            f"{_PAIRS[n >> 50]}{_PAIRS[(n >> 40) & 1023]}-{_PAIRS[(n >> 30) & 1023]}"
            f"{_PAIRS[(n >> 20) & 1023]}-{_PAIRS[(n >> 10) & 1023]}{_LAST_PAIRS[n & 1023]}"
        )

    def __repr__(self) -> str:
        return f"TrackingId('{self}')"

    def __hash__(self) -> int:
        return hash(self._n)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TrackingId):
            return self._n == other._n
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        if isinstance(other, TrackingId):
            return self._n != other._n
        return NotImplemented

    def __lt__(self, other: object) -> bool:
        if isinstance(other, TrackingId):
            return self._n < other._n
        return NotImplemented

    def __le__(self, other: object) -> bool:
        if isinstance(other, TrackingId):
            return self._n <= other._n
        return NotImplemented

    def __gt__(self, other: object) -> bool:
        if isinstance(other, TrackingId):
            return self._n > other._n
        return NotImplemented

    def __ge__(self, other: object) -> bool:
        if isinstance(other, TrackingId):
            return self._n >= other._n
        return NotImplemented

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError

    def __reduce__(self) -> tuple[Any, ...]:
        return (TrackingId, (str(self),))


_randbits: Final = secrets.randbits
_new_instance: Final = object.__new__
# Writing the slot through its descriptor skips the frozen __setattr__ and is faster than object.__setattr__.
_set_n: Final[Callable[[TrackingId, int], None]] = TrackingId.__dict__["_n"].__set__


def _make(n: int) -> TrackingId:
    tracking_id: TrackingId = _new_instance(TrackingId)
    _set_n(tracking_id, n)
    return tracking_id


def _diagnose(text: str) -> InvalidTrackingId:
    bad = _text.bad_symbol(text)
    if bad is not None:
        position, char = bad
        if char in "Uu":
            return InvalidTrackingId(
                text=text, problem=N_("tracking.letter_u"), params={"char": repr(char), "position": position}
            )
        return InvalidTrackingId(
            text=text, problem=N_("tracking.bad_character"), params={"char": repr(char), "position": position}
        )
    count = _text.count_symbols(text)
    return InvalidTrackingId(
        text=text, problem=N_("tracking.wrong_length"), params={"expected": SYMBOLS, "actual": count}
    )
