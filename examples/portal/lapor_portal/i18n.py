"""The portal's words in Indonesian (the default) and English, and the visitor's choice between them.

The portal's own page texts live in ``messages.toml`` (see :mod:`lapor_portal.messages`). Everything the
library says comes from the library's catalogue and is never copied here: validation messages
(``FieldError.message(lang)``), error descriptions (``LaporError.describe(lang)``) and the labels of its
values (``Status.label(lang)``, ``Topic.name(lang)``...). What the portal adds to a library message is the
form's name of the field it is about (:meth:`Translator.field`).
"""

from __future__ import annotations

import re
from typing import Final, Literal

import attrs
from starlette.requests import HTTPConnection

from lapor_portal.messages import messages

__all__ = ["LANGUAGES", "LANG_COOKIE", "Lang", "Translator", "accepted_language", "language_of"]

Lang = Literal["id", "en"]
LANGUAGES: Final[tuple[Lang, ...]] = ("id", "en")
LANG_COOKIE: Final = "lapor_lang"
_ITEM = re.compile(r"(?P<base>.*)\[(?P<index>\d+)\]")


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
        >>> english.label("field.title", "title"), english.label("field.surprise", "surprise")
        ('Title', 'surprise')
        """
        return self(key) if key in messages() else fallback

    def field(self, path: str) -> str:
        """The form's name for a library field path (``field.<path>``, else ``field.<last part>``).

        An item of a list (``options[1]``) is named after its list and counted from 1; a path the
        catalogue does not know is shown as it is.

        >>> indonesian = Translator("id")
        >>> indonesian.field("title"), indonesian.field("location.lat"), indonesian.field("options[1]")
        ('Judul', 'Lintang', 'Pilihan jawaban ke-2')
        >>> Translator("en").field("closes_at"), indonesian.field("$"), indonesian.field("sla.x")
        ('Closing time', 'Isian', 'sla.x')
        """
        item = _ITEM.fullmatch(path)
        if item is not None:
            whole = self.field(item["base"]) if item["base"] else self("field.$")
            return self("field.item", label=whole, number=int(item["index"]) + 1)
        for key in (f"field.{path}", f"field.{path.rsplit('.', 1)[-1]}"):
            if key in messages():
                return self(key)
        return path


def language_of(connection: HTTPConnection) -> Lang:
    """The visitor's language: their cookie's choice, else Indonesian."""
    return "en" if connection.cookies.get(LANG_COOKIE) == "en" else "id"


def _quality(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return 0.0
    return value if 0.0 <= value <= 1.0 else 0.0


def accepted_language(header: str | None) -> Lang:
    """The language an API caller asks for in ``Accept-Language`` (RFC 9110): English or Indonesian.

    The portal speaks ``id`` and ``en``; the one with the higher quality wins, Indonesian on a tie, when
    neither is named, or without the header.

    >>> accepted_language("en-US,en;q=0.9"), accepted_language("id, en;q=0.5"), accepted_language(None)
    ('en', 'id', 'id')
    >>> accepted_language("fr, en;q=0.3, id;q=0.2"), accepted_language("jv, *;q=0.1")
    ('en', 'id')
    """
    best: dict[Lang, float] = {"id": 0.0, "en": 0.0}
    for part in (header or "").split(",")[:20]:
        tag, _, parameters = part.strip().partition(";")
        quality = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip().lower() == "q":
            quality = _quality(value.strip())
        primary = tag.strip().lower().split("-")[0]
        for lang in LANGUAGES:
            if primary == lang:
                best[lang] = max(best[lang], quality)
    return "en" if best["en"] > best["id"] else "id"
