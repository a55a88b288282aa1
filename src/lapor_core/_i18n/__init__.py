"""The one translation mechanism: gettext catalogues (maintained with Babel) and Babel's formatting.

Every text a person reads comes from here, Indonesian (``id``) first and English (``en``) second:

- ``lapor_core`` (``locale/<locale>/LC_MESSAGES/lapor_core.po``): error codes (``text.empty``), labels of
  statuses, kinds and topics, and the CLI's lines. The message ID *is* the stable code; ``make messages``
  extracts every ID from the source (the calls :func:`N_`, ``Invalid(...)``, ``FieldError(field, ...)`` and
  ``ValidationError.single(field, ...)``), updates both catalogues and compiles them.
- ``notifications``: the notification templates, read by :class:`lapor_core._domain.catalogue.Catalogue`.

Texts use ``${name}`` placeholders. Numbers and dates filled into them are formatted for the locale with
Babel (``2,5`` and ``10 Des 2026`` in Indonesian). The compiled ``.mo`` files ship in the wheel and are read
with the standard :mod:`gettext` module; Babel itself is imported only when a number or date is formatted.

Internal: the public face of this module is ``FieldError.message(locale)``, ``LaporError.describe(locale)``
and the labels' ``label(locale)`` methods.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import math
import string
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Final

__all__ = [
    "DEFAULT_LOCALE",
    "DOMAIN",
    "LOCALES",
    "N_",
    "format_date",
    "format_day",
    "format_number",
    "locale_dir",
    "locale_for",
    "messages",
    "messages_markdown",
    "translate",
]

DOMAIN: Final = "lapor_core"
"""The gettext domain of codes, labels and CLI lines."""

DEFAULT_LOCALE: Final = "id"
"""Indonesian unless a caller asks for another locale."""

LOCALES: Final = ("id", "en")
"""The locales lapor_core ships, default first."""


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention extraction tools look for
    """Mark ``msgid`` as a message ID for extraction and return it unchanged."""
    return msgid


def locale_dir() -> Path:
    """The folder holding ``<locale>/LC_MESSAGES/*.mo`` (inside the installed package)."""
    return Path(str(resources.files(__name__) / "locale"))


def locale_for(requested: str | None) -> str:
    """The shipped locale for ``requested``: itself, its language (``en`` for ``en_AU``), or ``id``.

    >>> locale_for("en-AU"), locale_for("jv"), locale_for(None)
    ('en', 'id', 'id')
    """
    if requested:
        wanted = requested.replace("-", "_")
        for candidate in (wanted, wanted.split("_")[0]):
            if candidate in LOCALES:
                return candidate
    return DEFAULT_LOCALE


@functools.cache
def _translations(locale: str, domain: str = DOMAIN) -> gettext.GNUTranslations:
    with (locale_dir() / locale / "LC_MESSAGES" / f"{domain}.mo").open("rb") as file:
        return gettext.GNUTranslations(file)


def format_number(value: float, locale: str = DEFAULT_LOCALE) -> str:
    """A number as a person in ``locale`` writes it.

    >>> format_number(2.5), format_number(1500, "id"), format_number(1500, "en")
    ('2,5', '1.500', '1,500')
    """
    from babel.numbers import format_decimal  # noqa: PLC0415 - Babel loads only when a number is shown

    try:
        return str(format_decimal(value, locale=locale_for(locale)))
    except (ArithmeticError, ValueError):  # beyond the decimal context Babel formats with (1e300)
        return str(value)


def format_date(value: dt.date, locale: str = DEFAULT_LOCALE) -> str:
    """A date as a person in ``locale`` reads it (Babel's medium format).

    >>> format_date(dt.date(2026, 12, 10)), format_date(dt.date(2026, 12, 10), "en")
    ('10 Des 2026', 'Dec 10, 2026')
    """
    from babel.dates import format_date as babel_format_date  # noqa: PLC0415 - loads only when used

    return str(babel_format_date(value, format="medium", locale=locale_for(locale)))


def format_day(value: dt.date, locale: str = DEFAULT_LOCALE) -> str:
    """A day with its weekday, as a deadline is told: the full weekday name, then the medium date.

    >>> format_day(dt.date(2026, 12, 10)), format_day(dt.date(2026, 12, 10), "en")
    ('Kamis, 10 Des 2026', 'Thursday, Dec 10, 2026')
    """
    from babel.dates import format_date as babel_format_date  # noqa: PLC0415 - loads only when used
    from babel.dates import get_date_format  # noqa: PLC0415 - loads only when used

    lang = locale_for(locale)
    pattern = get_date_format("medium", locale=lang).pattern
    return str(babel_format_date(value, format=f"EEEE, {pattern}", locale=lang))


def _shown(value: object, locale: str) -> str:
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return format_number(value, locale)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return format_date(value, locale)
    if isinstance(value, (list, tuple, frozenset, set)):
        return ", ".join(_shown(item, locale) for item in value)
    return str(value)


# The JSON type names a message may give for a refused value (``type`` param), in words a citizen reads.
_TYPE_NAMES: Final = frozenset(
    {
        N_("type.null"),
        N_("type.boolean"),
        N_("type.number"),
        N_("type.string"),
        N_("type.list"),
        N_("type.object"),
    }
)


def _type_word(value: object, locale: str) -> str:
    msgid = f"type.{value}"
    return _translations(locale).gettext(msgid) if msgid in _TYPE_NAMES else str(value)


def translate(
    msgid: str, locale: str | None = DEFAULT_LOCALE, params: Mapping[str, object] | None = None
) -> str:
    """The text of ``msgid`` in ``locale`` with ``params`` filled in (numbers and dates formatted).

    An ID the catalogue lacks comes back as itself (a test keeps every ID in both catalogues); a
    placeholder without a value is left as written.

    >>> translate("text.too_long", "id", {"max": 1500, "actual": 1501})
    'paling banyak 1.500 karakter, diberikan 1.501'
    """
    lang = locale_for(locale)
    text = _translations(lang).gettext(msgid)
    if not params:
        return text
    shown = {
        name: _type_word(value, lang) if name == "type" else _shown(value, lang)
        for name, value in params.items()
    }
    return string.Template(text).safe_substitute(shown)


def messages(domain: str = DOMAIN) -> dict[str, dict[str, str]]:
    """Every message of ``domain`` as ``{msgid: {locale: text}}``, read from the compiled catalogues.

    Messages with a context (``msgctxt``) are keyed ``"<context>|<msgid>"``.
    """
    from babel.messages.mofile import read_mo  # noqa: PLC0415 - only tests and the docs list every message

    found: dict[str, dict[str, str]] = {}
    for locale in LOCALES:
        with (locale_dir() / locale / "LC_MESSAGES" / f"{domain}.mo").open("rb") as file:
            catalog = read_mo(file)
        for message in catalog:
            if not message.id:
                continue
            key = str(message.id) if message.context is None else f"{message.context}|{message.id}"
            found.setdefault(key, {})[locale] = str(message.string)
    return dict(sorted(found.items()))


def messages_markdown() -> str:
    """The table of every code and its Indonesian and English texts, for the docs page "Error codes"."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        "| code | Bahasa Indonesia | English |",
        "| --- | --- | --- |",
    ]
    lines.extend(
        f"| `{code}` | {cell(texts.get('id', ''))} | {cell(texts.get('en', ''))} |"
        for code, texts in messages().items()
    )
    return "\n".join(lines) + "\n"
