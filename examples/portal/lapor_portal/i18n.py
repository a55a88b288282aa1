"""The portal's words in Indonesian (the default) and English, and the visitor's choice between them.

The portal's own page texts are a gettext catalogue of their own, domain ``lapor_portal``
(``locale/<lang>/LC_MESSAGES/lapor_portal.po``, compiled to ``.mo`` beside it), maintained with Babel like
the library's: ``make portal-messages`` extracts every key from the Python code and the Jinja templates,
merges the keys into the Indonesian and English catalogues and compiles them. A key is found where it is
written literally: the first argument of ``t("...")`` (in Python and in templates), the second of
``flash(request, "...")``, or wrapped as ``N_("...")``. Keys a page puts together at run time (an action's
value, a field's path) are listed below with ``N_``.

Everything the library says comes from the library's catalogue and is never copied here: validation messages
(``FieldError.message(lang)``), error descriptions (``LaporError.describe(lang)``) and the labels of its
values (``Status.label(lang)``, ``Topic.name(lang)``...). What the portal adds to a library message is the
form's name of the field it is about (:meth:`Translator.field`).

Texts use ``${name}`` placeholders, as the library's do; numbers filled into them are written as a person
reading the page's language writes them (Babel: ``1.500`` in Indonesian, ``1,500`` in English).
"""

from __future__ import annotations

import functools
import gettext
import re
import string
from pathlib import Path
from typing import Final, Literal

import attrs
from babel.numbers import format_decimal
from starlette.requests import HTTPConnection

__all__ = [
    "COMPOSED_KEYS",
    "DOMAIN",
    "FIELD_KEYS",
    "LANGUAGES",
    "LANG_COOKIE",
    "LOCALE_DIR",
    "N_",
    "Lang",
    "Translator",
    "accepted_language",
    "language_of",
    "shown",
]

Lang = Literal["id", "en"]
LANGUAGES: Final[tuple[Lang, ...]] = ("id", "en")
LANG_COOKIE: Final = "lapor_lang"
DOMAIN: Final = "lapor_portal"
"""The gettext domain of the portal's page texts."""
LOCALE_DIR: Final = Path(__file__).resolve().parent / "locale"
"""The folder holding ``<lang>/LC_MESSAGES/lapor_portal.mo``."""
_ITEM = re.compile(r"(?P<base>.*)\[(?P<index>\d+)\]")


def N_(key: str) -> str:  # noqa: N802 - the gettext convention extraction looks for
    """Mark ``key`` as a message key for extraction and return it unchanged."""
    return key


FIELD_KEYS: Final = frozenset(
    {
        N_("field.$"),
        N_("field.access_key"),
        N_("field.address"),
        N_("field.anonymous"),
        N_("field.audience"),
        N_("field.body"),
        N_("field.category"),
        N_("field.channel"),
        N_("field.choices"),
        N_("field.closes_at"),
        N_("field.comment"),
        N_("field.conclusion"),
        N_("field.confidential"),
        N_("field.description"),
        N_("field.district"),
        N_("field.email"),
        N_("field.findings"),
        N_("field.flags"),
        N_("field.institution"),
        N_("field.into"),
        N_("field.kind"),
        N_("field.lampiran"),
        N_("field.lat"),
        N_("field.location"),
        N_("field.lon"),
        N_("field.max_choices"),
        N_("field.message"),
        N_("field.name"),
        N_("field.nik"),
        N_("field.note"),
        N_("field.opens_at"),
        N_("field.options"),
        N_("field.phone"),
        N_("field.province"),
        N_("field.question"),
        N_("field.rating"),
        N_("field.reason"),
        N_("field.regency"),
        N_("field.region"),
        N_("field.results"),
        N_("field.revote"),
        N_("field.sla_class"),
        N_("field.status"),
        N_("field.submitted_at"),
        N_("field.support_count"),
        N_("field.title"),
        N_("field.topic"),
        N_("field.tracking_id"),
        N_("field.unit"),
        N_("field.updated_at"),
    }
)
"""The form's names for the library's field paths (``field.<path>``), read by :meth:`Translator.field`."""

COMPOSED_KEYS: Final = frozenset(
    {
        # a timeline entry's action (lapor_core.Action)
        N_("action.archive"),
        N_("action.attach"),
        N_("action.assign"),
        N_("action.breach"),
        N_("action.close"),
        N_("action.decline"),
        N_("action.erase_identity"),
        N_("action.follow_up"),
        N_("action.forward"),
        N_("action.provide_info"),
        N_("action.rate"),
        N_("action.remind"),
        N_("action.reply"),
        N_("action.request_info"),
        N_("action.reveal_identity"),
        N_("action.submit"),
        N_("action.support"),
        # issue 22: duplicates merged, escalation to the Ombudsman
        N_("action.merge"),
        N_("action.absorb"),
        N_("action.escalate"),
        N_("action.record_findings"),
        N_("action.conclude_escalation"),
        # who acted (lapor_core.Role, and the system's sweep)
        N_("role.admin"),
        N_("role.citizen"),
        N_("role.institution"),
        N_("role.public"),
        N_("role.reporter"),
        N_("role.supervisor"),
        N_("role.system"),
        N_("role.unit"),
        # a service-level stage (lapor_core.Stage) and where a finished clock ended (lapor_core.ClockState)
        N_("stage.closing"),
        N_("stage.follow_up"),
        N_("stage.verification"),
        N_("clock.state.breached"),
        N_("clock.state.cancelled"),
        N_("clock.state.expired"),
        N_("clock.state.met"),
        N_("clock.state.paused"),
        N_("clock.state.running"),
        # the words of a rating (issue 21)
        N_("rating.1"),
        N_("rating.2"),
        N_("rating.3"),
        N_("rating.4"),
        N_("rating.5"),
    }
)
"""Keys a page builds from a group and a value (``action.<value>``), read by :meth:`Translator.value`."""


def shown(value: object, lang: Lang) -> str:
    """A value as it is filled into a text: numbers written for ``lang`` (Babel), anything else as a string.

    >>> shown(1500, "id"), shown(1500, "en"), shown(2.5, "id"), shown("31.71", "id"), shown(True, "en")
    ('1.500', '1,500', '2,5', '31.71', 'True')
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(format_decimal(value, locale=lang))
    return str(value)


@functools.cache
def _catalogue(lang: Lang) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang``, read once."""
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])


@attrs.frozen
class Translator:
    """Looks up a message by key in one language and fills in its ``${placeholders}``.

    >>> Translator("en")("nav.track"), Translator("id")("nav.track")
    ('Track a report', 'Lacak laporan')
    >>> Translator("id")("staff.inbox_title", institution="Pemerintah Kota Bandung")
    'Kotak masuk Pemerintah Kota Bandung'
    >>> Translator("id")("poll.total", total=1500), Translator("en")("poll.total", total=1500)
    ('1.500 suara', '1,500 ballots')
    """

    lang: Lang

    def __call__(self, key: str, **values: object) -> str:
        """The message ``key`` in this language with ``values`` filled in; a key it lacks comes back as is."""
        text = _catalogue(self.lang).gettext(key)
        if not values:
            return text
        filled = {name: shown(value, self.lang) for name, value in values.items()}
        return string.Template(text).safe_substitute(filled)

    def value(self, group: str, value: object) -> str:
        """The page's word for a value of a group (``action``, ``role``, ``stage``, ``clock.state``).

        A value the portal has no word for is shown as it is.

        >>> indonesian = Translator("id")
        >>> indonesian.value("action", "forward"), indonesian.value("role", "admin")
        ('Diverifikasi dan diteruskan', 'admin LAPOR!')
        >>> Translator("en").value("clock.state", "met"), indonesian.value("action", "teleport")
        ('met', 'teleport')
        """
        key = f"{group}.{value}"
        return self(key) if key in COMPOSED_KEYS else str(value)

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
            return self(N_("field.item"), label=whole, number=int(item["index"]) + 1)
        for key in (f"field.{path}", f"field.{path.rsplit('.', 1)[-1]}"):
            if key in FIELD_KEYS:
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
