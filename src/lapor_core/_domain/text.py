"""Text helpers shared by the modules that read what people type.

Two concerns live here because several modules need exactly the same rules:

* Crockford base32 symbols (tracking IDs, access keys): the alphabet, the forgiving normalisation of typed
  input and the diagnosis of what is wrong with it.
* Characters that free text may not contain (control characters, NUL, unpaired surrogates).
* The words of a text as keyword search compares them (:func:`search_words`).

Internal: nothing here is part of the public API.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = [
    "CROCKFORD",
    "FROM_B32HEX",
    "SEPARATORS",
    "TO_B32HEX",
    "bad_symbol",
    "count_symbols",
    "encode",
    "group",
    "has_bidi_controls",
    "has_forbidden_characters",
    "search_words",
]

#: Crockford's base32 alphabet (https://www.crockford.com/base32.html): digits and letters without I, L, O, U.
CROCKFORD: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# Python's int(text, 32) reads the "base32hex" digits 0-9A-V; mapping each Crockford symbol to the base32hex
# digit of the same value lets the C implementation of int() do the decoding.
_B32HEX: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUV"

#: What people type between symbols and what phones substitute for a hyphen; dropped wherever it appears.
SEPARATORS: Final = frozenset(
    " \t\n\r\v\f\u00a0\u2007\u202f\u3000"  # spaces, including the non-breaking ones phones insert
    "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"  # hyphen and the dashes autocorrect makes of it
)

# Letters Crockford reads as digits because they look alike.
_ALIASES: Final = {"O": 0, "I": 1, "L": 1}


def _typed_input_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for value, symbol in enumerate(CROCKFORD):
        table[ord(symbol)] = table[ord(symbol.lower())] = _B32HEX[value]
    for letter, value in _ALIASES.items():
        table[ord(letter)] = table[ord(letter.lower())] = _B32HEX[value]
    # U and u must not fall through unchanged: "U" is a valid base32hex digit for int().
    table[ord("U")] = table[ord("u")] = "!"
    for separator in SEPARATORS:
        table[ord(separator)] = None
    return table


#: ``str.translate`` table: typed input -> base32hex digits, separators removed, anything else left as is
#: (and therefore not a base32hex digit, or not ASCII).
TO_B32HEX: Final = _typed_input_table()

#: ``str.translate`` table turning base32hex digits back into Crockford symbols.
FROM_B32HEX: Final = str.maketrans(_B32HEX, CROCKFORD)


def encode(value: int, length: int) -> str:
    """Return ``value`` as exactly ``length`` Crockford symbols, most significant first.

    Example:
        >>> encode(31, 3)
        '00Z'
    """
    symbols = []
    for _ in range(length):
        symbols.append(CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(symbols))


def group(symbols: str, sizes: tuple[int, ...]) -> str:
    """Join ``symbols`` in hyphen-separated groups of the given sizes.

    Example:
        >>> group("ABCDEFG", (4, 3))
        'ABCD-EFG'
    """
    parts = []
    start = 0
    for size in sizes:
        parts.append(symbols[start : start + size])
        start += size
    return "-".join(parts)


def bad_symbol(text: str) -> tuple[int, str] | None:
    """Return the first character of ``text`` that is neither a symbol nor a separator, with its position.

    The position counts from 1, as people do.

    Example:
        >>> bad_symbol("7K3M-9QUF")
        (8, 'U')
        >>> bad_symbol("7k3m 9qxf") is None
        True
    """
    for position, char in enumerate(text, start=1):
        if char in SEPARATORS:
            continue
        mapped = TO_B32HEX.get(ord(char))
        if mapped is None or mapped == "!":
            return position, char
    return None


def count_symbols(text: str) -> int:
    """Return how many characters of ``text`` are not separators."""
    return sum(1 for char in text if char not in SEPARATORS)


# Cc (C0, DEL, C1) and surrogates; the multi-line variant lets tab, line feed and carriage return through.
_FORBIDDEN_SINGLE_LINE: Final = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_FORBIDDEN_MULTI_LINE: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def has_forbidden_characters(text: str, *, multiline: bool) -> bool:
    r"""Tell whether ``text`` holds a control character, a NUL or an unpaired surrogate.

    With ``multiline`` the tab, line feed and carriage return are allowed.

    Example:
        >>> [has_forbidden_characters("a\nb", multiline=m) for m in (True, False)]
        [False, True]
    """
    pattern = _FORBIDDEN_MULTI_LINE if multiline else _FORBIDDEN_SINGLE_LINE
    return pattern.search(text) is not None


# Bidirectional embedding, override and isolate controls (U+202A-202E, U+2066-2069): they can make text show
# in another order than it is stored ("Trojan Source", CVE-2021-42574), so a title could read as something
# else to the officer than what was filed.
_BIDI_CONTROLS: Final = re.compile("[\u202a-\u202e\u2066-\u2069]")


def has_bidi_controls(text: str) -> bool:
    """Tell whether ``text`` holds a bidirectional embedding, override or isolate control.

    Example:
        >>> has_bidi_controls("abc\u202edcb"), has_bidi_controls("Jalan")
        (True, False)
    """
    return _BIDI_CONTROLS.search(text) is not None


# A word: letters and digits of any script; everything else (punctuation, symbols, "_", combining marks left
# after folding) separates words.
_SEARCH_WORD: Final = re.compile(r"[^\W_]+")


def _fold(text: str) -> str:
    if text.isascii():  # nearly every complaint: nothing to decompose
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    # Fold again: compatibility decomposition can make capitals ("\u3392" is "MHz") and final sigmas.
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_words(text: str) -> tuple[str, ...]:
    """The words of ``text`` as keyword search compares them: case, accents and punctuation folded away.

    Folding is Unicode case folding, then compatibility decomposition without the combining marks (so
    ``"Café"`` is ``"cafe"`` and full-width letters are plain ones); a word is a run of
    letters and digits, so a word never holds a space, ``%``, ``_``, a backslash or a quote. Stores keep the
    words of a complaint's title and body (:func:`lapor_core._domain.filters.searchable`) and look for
    each query word inside them.

    Example:
        >>> search_words("Lampu jalan MATI!! di Jl.Sudirman (café 24-jam)")
        ('lampu', 'jalan', 'mati', 'di', 'jl', 'sudirman', 'cafe', '24', 'jam')
    """
    return tuple(_SEARCH_WORD.findall(_fold(text)))
