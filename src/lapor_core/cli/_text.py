"""How ``lapor`` speaks and ends: its exit statuses, its one-line errors, and its texts from the catalogue.

Every line a person reads comes from the ``lapor_core`` catalogue in the locale ``--lang`` asked for
(Indonesian unless ``--lang en``). A command that cannot go on raises :class:`CliError` with a message ID and
the exit status it ends with; :func:`lapor_core.cli.main` prints it as one line on standard error.

Internal: the command line's own plumbing, not a public API.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final, TextIO

import attrs

from lapor_core import _i18n
from lapor_core._i18n import N_

if TYPE_CHECKING:
    from lapor_core.errors import LaporError

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_CONFIGURATION",
    "EXIT_FAILURES",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "CliError",
    "Console",
    "Translated",
    "exit_status_of",
    "finite_number",
    "one_line",
    "whole_number",
]

EXIT_OK: Final = 0
"""The command did what it was asked."""

EXIT_FAILURES: Final = 1
"""The command finished, with failures to look at (a message was dead-lettered)."""

EXIT_USAGE: Final = 2
"""Bad usage or input: unknown options, values out of range, input the library refused."""

EXIT_CONFIGURATION: Final = 3
"""Configuration or storage: a store that cannot be opened or used, a missing secret, a bad address book."""

EXIT_INTERNAL: Final = 4
"""An error lapor_core did not expect: a bug. ``LAPOR_DEBUG=1`` shows its traceback."""

EXIT_INTERRUPTED: Final = 130
"""Interrupted with Ctrl-C (128 + SIGINT, as shells report it)."""

EXIT_BROKEN_PIPE: Final = 141
"""The reader of the output went away (``lapor stats URL | head``): 128 + SIGPIPE, as shells report it."""


class CliError(Exception):
    """A command cannot go on: ``code`` is the catalogue's message ID, ``status`` the exit status.

    ``params`` fill the text's placeholders; a :class:`~lapor_core.errors.LaporError` among them is shown
    with its own text in the same locale (a :class:`~lapor_core.errors.ValidationError` as its bad fields).

    Example:
        >>> error = CliError(N_("cli.not_whole_number"), EXIT_USAGE, name="--limit", min=1, max=1000)
        >>> error.describe(), error.status
        ('--limit harus berupa bilangan bulat dari 1 sampai 1.000', 2)
        >>> error.describe("en")
        '--limit must be a whole number from 1 to 1,000'
    """

    def __init__(self, code: str, status: int = EXIT_USAGE, /, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.params: Mapping[str, object] = params

    def describe(self, locale: str = _i18n.DEFAULT_LOCALE) -> str:
        """The one line a person reads, in ``locale``."""
        shown = {name: _shown(value, locale) for name, value in self.params.items()}
        return _i18n.translate(self.code, locale, shown)


@attrs.frozen
class Translated:
    """A :class:`CliError` parameter that is itself a catalogue text, shown in the error's locale."""

    code: str


def _shown(value: object, locale: str) -> object:
    from lapor_core.errors import LaporError, ValidationError  # noqa: PLC0415 - keep `lapor --help` fast

    if isinstance(value, Translated):
        return _i18n.translate(value.code, locale)
    if isinstance(value, ValidationError):
        return "; ".join(value.messages(locale))
    if isinstance(value, LaporError):
        return value.describe(locale)
    return value


def exit_status_of(error: LaporError) -> int:
    """The exit status a library error ends a command with.

    Refused input (:class:`~lapor_core.errors.ValidationError`, a domain rule, an access check) is bad usage
    (2); configuration, storage and anything else the library raises is 3.
    """
    from lapor_core.errors import AccessError, DomainError, ValidationError  # noqa: PLC0415 - see _shown

    if isinstance(error, ValidationError | DomainError | AccessError):
        return EXIT_USAGE
    return EXIT_CONFIGURATION


def whole_number(text: str, name: str, low: int, high: int) -> int:
    """``text`` as a whole number from ``low`` to ``high``, or :class:`CliError` naming the option ``name``.

    >>> whole_number("42", "N", 0, 3650)
    42
    >>> whole_number("4.2", "N", 0, 3650)
    Traceback (most recent call last):
    ...
    lapor_core.cli._text.CliError: cli.not_whole_number
    """
    stripped = text.strip()
    digits = stripped.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(max(abs(low), abs(high)))):
        raise CliError(N_("cli.not_whole_number"), EXIT_USAGE, name=name, min=low, max=high)
    value = int(stripped)
    if not low <= value <= high:
        raise CliError(N_("cli.not_whole_number"), EXIT_USAGE, name=name, min=low, max=high)
    return value


def finite_number(text: str) -> float | None:
    """``text`` as a finite number, or None when it is not one (``nan``, ``inf``, words).

    >>> finite_number("2.5"), finite_number("nan"), finite_number("soon")
    (2.5, None, None)
    """
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


_BIDI_CONTROLS: Final = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def one_line(text: str) -> str:
    r"""``text`` safe to print as one line: line breaks, control and bidirectional characters escaped.

    Error lines may quote what was typed; a newline there would split the line, a U+202E reorder it.

    >>> one_line("bad\r\nvalue \u202eX")
    'bad\\r\\nvalue \\u202eX'
    """
    return "".join(
        ascii(char)[1:-1]
        if char in _BIDI_CONTROLS or unicodedata.category(char) in {"Cc", "Zl", "Zp"}
        else char
        for char in text
    )


@attrs.frozen
class Console:
    """Where a command writes, and in which locale: results to ``out``, progress and errors to ``err``."""

    out: TextIO
    err: TextIO
    locale: str = _i18n.DEFAULT_LOCALE

    def text(self, code: str, **params: object) -> str:
        """The catalogue's text of ``code`` in this console's locale, with ``params`` filled in."""
        return _i18n.translate(code, self.locale, params)

    def say(self, code: str, **params: object) -> None:
        """Print the text of ``code`` on the output."""
        print(self.text(code, **params), file=self.out)

    def note(self, code: str, **params: object) -> None:
        """Print the text of ``code`` on standard error (progress, warnings about the run itself)."""
        print(self.text(code, **params), file=self.err)

    def number(self, value: float) -> str:
        """A number as a person in this locale writes it (``1.500`` in Indonesian)."""
        return _i18n.format_number(value, self.locale)
