"""The portal's words in Indonesian (the default) and English, and the visitor's choice between them.

The catalogue lives in ``messages.toml`` (see :mod:`lapor_portal.messages`); lapor_core's own values carry
their labels (``Status.label(lang)``, ``Kind.label`` / ``Kind.label_en``, ``Topic.name(lang)``).
"""

from __future__ import annotations

from typing import Final, Literal

import attrs
from starlette.requests import HTTPConnection

from lapor_portal.messages import messages

__all__ = ["LANGUAGES", "LANG_COOKIE", "Lang", "Translator", "language_of"]

Lang = Literal["id", "en"]
LANGUAGES: Final[tuple[Lang, ...]] = ("id", "en")
LANG_COOKIE: Final = "lapor_lang"


@attrs.frozen
class Translator:
    """Looks up a message by key in one language and fills in its ``{placeholders}``.

    >>> Translator("en")("nav.track"), Translator("id")("nav.track")
    ('Track a report', 'Lacak laporan')
    >>> Translator("id")("flash.forwarded", institution="Pemerintah Kota Bandung")
    'Laporan diteruskan kepada Pemerintah Kota Bandung.'
    """

    lang: Lang

    def __call__(self, key: str, **values: object) -> str:
        """The message ``key`` in this language, with ``values`` filled in."""
        indonesian, english = messages()[key]
        text = english if self.lang == "en" else indonesian
        return text.format(**values) if values else text

    def label(self, key: str, fallback: str) -> str:
        """The message for ``key``, or ``fallback`` when the catalogue has none (a field it does not know).

        >>> english = Translator("en")
        >>> english.label("field.title", "title"), english.label("field.sla_class", "sla_class")
        ('Title', 'sla_class')
        """
        return self(key) if key in messages() else fallback


def language_of(connection: HTTPConnection) -> Lang:
    """The visitor's language: their cookie's choice, else Indonesian."""
    return "en" if connection.cookies.get(LANG_COOKIE) == "en" else "id"
