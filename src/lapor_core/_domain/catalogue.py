"""The notification catalogue: every notification's texts, per locale, from gettext catalogues.

The texts are data, in the gettext domain ``notifications`` (:data:`DOMAIN`), maintained with Babel like
every other text of lapor_core. lapor_core ships ``_i18n/locale/<locale>/LC_MESSAGES/notifications.po`` for
Indonesian (``id``, the default) and English (``en``), compiled to ``notifications.mo`` by
``make messages-compile``; :meth:`Catalogue.default` reads the compiled files. An integrator loads their own
files (their wording, another language) with :meth:`Catalogue.load`. As with ``msgfmt``, entries marked
``fuzzy`` and empty translations are left out.

Each entry has a context (``msgctxt``) and an ID (``msgid``):

- a notification template is the context ``<event>.<recipient role>`` (``forward.reporter``) with the four
  parts ``subject``, ``text`` (plain-text e-mail), ``html`` (the HTML e-mail's body) and ``short`` (SMS and
  other short channels);
- ``layout`` holds the frame around every ``text`` and ``html`` body (``${content}`` is the body);
- ``label`` holds the words the renderer fills in (``withheld``, ``anonymous``, stage names...).

Texts use ``${name}`` placeholders (:class:`string.Template`); the allowed names are
:data:`CONTEXT_FIELDS`. A catalogue is validated when it is built: every locale must have every entry of
every other locale, and every placeholder must be known, so a gap is found at start-up, not at delivery.

>>> catalogue = Catalogue.default()
>>> catalogue.locales
('en', 'id')
>>> catalogue.label("withheld", "en")
'[withheld]'
"""

from __future__ import annotations

import functools
import html
import io
import re
import string
import struct
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

import attrs

from lapor_core import _i18n
from lapor_core._domain import rules as v
from lapor_core.errors import FieldError, ValidationError

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

__all__ = [
    "CONTEXT_FIELDS",
    "DEFAULT_LOCALE",
    "DOMAIN",
    "LAYOUT_FIELDS",
    "PARTS",
    "SHORT_LIMIT",
    "Catalogue",
    "RenderedMessage",
    "locale_rule",
]

DOMAIN: Final = "notifications"
"""The gettext domain: the catalogue files are named ``notifications.po`` and ``notifications.mo``."""

DEFAULT_LOCALE: Final = _i18n.DEFAULT_LOCALE
"""Messages are in Indonesian unless an address asks for another locale."""

PARTS = ("subject", "text", "html", "short")
"""The parts of a notification template."""

SHORT_LIMIT = 160
"""The length of one SMS (GSM 03.38, 7-bit); a short text is cut to it."""

CONTEXT_FIELDS = frozenset(
    {
        "tracking_id",
        "kind",
        "title",
        "status",
        "summary",
        "institution",
        "unit",
        "reporter_name",
        "message",
        "reason",
        "declined_by",
        "stage",
        "due_at",
        "due_day",
        "queued_at",
        "merged_into",
    }
)
"""The placeholders a template may use; the renderer fills every one (see the notifications docs)."""

LAYOUT_FIELDS = frozenset({"content", "lang", "tracking_id"})
"""The placeholders of the ``layout`` entries."""

_LAYOUT = "layout"
_LABEL = "label"
_MAX_CATALOGUE_BYTES = 2_000_000
_MAX_CATALOGUE_MB = _MAX_CATALOGUE_BYTES // 1_000_000
_MAX_LOCALE = 20
# A locale code as gettext folders name them: a language, then optional region, script or variant parts.
_LOCALE: Final = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{1,8})*")

PoKey = tuple[str | None, str]
"""An entry's (msgctxt, msgid)."""


def locale_rule(value: object) -> str:
    """The locale rule (the one owner of it): a code such as ``id``, ``en`` or ``en_AU``.

    A language of two or three letters, then optional region, script or variant parts, as gettext folders
    are named; 20 characters at most. Catalogues, addresses, address books and the renderer use it.

    Raises:
        Invalid: ``value.not_string`` or ``locale.malformed``.

    >>> locale_rule("en_AU")
    'en_AU'
    >>> locale_rule("../en")
    Traceback (most recent call last):
    lapor_core._domain.rules.Invalid: locale.malformed
    """
    if not isinstance(value, str):
        raise v.Invalid("value.not_string", type=v.type_name(value))
    if len(value) > _MAX_LOCALE or not _LOCALE.fullmatch(value):
        raise v.Invalid("locale.malformed")
    return value


# --- reading gettext catalogues with Babel ----------------------------------------------------------------


def _entries(catalog: Catalog, where: str, errors: list[FieldError]) -> dict[PoKey, str]:
    """The translated entries of a Babel catalogue: no header, no fuzzy entry, no empty translation."""
    entries: dict[PoKey, str] = {}
    for message in catalog:
        if not message.id:
            continue  # the header
        if not isinstance(message.id, str) or not isinstance(message.string, str):
            errors.append(FieldError(where, "catalogue.plural_forms"))
            continue
        if message.string and not message.fuzzy:
            entries[(message.context, message.id)] = message.string
    return entries


def _language_errors(catalog: Catalog, locale: str, where: str) -> list[FieldError]:
    language = catalog.locale_identifier
    if language and language.replace("-", "_").split("_")[0] != locale.replace("-", "_").split("_")[0]:
        return [FieldError(where, "catalogue.language_mismatch")]
    return []


def _read_po_text(text: str, locale: str, errors: list[FieldError]) -> dict[PoKey, str] | None:
    """The entries of one ``.po`` file's text, or None after adding its errors to ``errors``."""
    from babel.messages.pofile import PoFileError, read_po  # noqa: PLC0415 - Babel loads only when used

    try:
        catalog = read_po(io.StringIO(text), domain=DOMAIN, abort_invalid=True)
    except PoFileError as e:
        errors.append(FieldError(f"{locale}:line {e.lineno + 1}", "catalogue.po_malformed"))
        return None
    except (ValueError, LookupError):  # a header Babel cannot read (Plural-Forms, a date...)
        errors.append(FieldError(f"{locale}:header", "catalogue.header_malformed"))
        return None
    found = len(errors)
    entries = _entries(catalog, locale, errors)
    errors.extend(_language_errors(catalog, locale, f"{locale}:header"))
    return entries if len(errors) == found else None


def _read_mo_bytes(data: bytes, locale: str, errors: list[FieldError]) -> dict[PoKey, str] | None:
    """The entries of one compiled ``.mo`` file, or None after adding its errors to ``errors``."""
    from babel.messages.mofile import read_mo  # noqa: PLC0415 - Babel loads only when used

    try:
        catalog = read_mo(io.BytesIO(data))
    except (OSError, struct.error, ValueError):  # bad magic, truncated tables, text that is not UTF-8
        errors.append(FieldError(locale, "catalogue.mo_malformed"))
        return None
    found = len(errors)
    entries = _entries(catalog, locale, errors)
    errors.extend(_language_errors(catalog, locale, f"{locale}:header"))
    return entries if len(errors) == found else None


def _read_files(files: Mapping[str, Path]) -> dict[str, dict[PoKey, str]]:
    """The entries of each locale's ``.mo`` or ``.po`` file.

    Raises:
        ValidationError: A file cannot be read, is too large or is malformed; fields are the locales.
    """
    errors: list[FieldError] = []
    parsed: dict[str, dict[PoKey, str]] = {}
    for locale, path in files.items():
        try:
            with path.open("rb") as file:
                data = file.read(_MAX_CATALOGUE_BYTES + 1)
        except OSError:
            errors.append(FieldError(locale, "catalogue.unreadable"))
            continue
        if len(data) > _MAX_CATALOGUE_BYTES:
            errors.append(FieldError(locale, "catalogue.too_large", {"max": _MAX_CATALOGUE_MB}))
            continue
        if path.suffix == ".mo":
            entries = _read_mo_bytes(data, locale, errors)
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                errors.append(FieldError(locale, "catalogue.not_utf8"))
                continue
            entries = _read_po_text(text, locale, errors)
        if entries is not None:
            parsed[locale] = entries
    if errors:
        raise ValidationError(errors)
    return parsed


# --- the catalogue ----------------------------------------------------------------------------------------


@attrs.frozen
class RenderedMessage:
    """One notification rendered for one locale.

    Attributes:
        subject: One line, for an e-mail subject or a webhook title.
        text: The plain-text body, with the layout's footer.
        html: A complete HTML document (every filled-in value escaped).
        short: At most :data:`SHORT_LIMIT` characters, on one line, for SMS.
    """

    subject: str
    text: str
    html: str
    short: str


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_SPACES = re.compile(r"\s+")


def _one_line(text: str) -> str:
    return _CONTROL.sub(" ", text).strip()


def _short(text: str) -> str:
    flat = _SPACES.sub(" ", _one_line(text))
    return flat if len(flat) <= SHORT_LIMIT else flat[: SHORT_LIMIT - 1].rstrip() + "…"


def _placeholders(template: string.Template) -> set[str]:
    return set(template.get_identifiers())


def _checked_locales(locales: object) -> dict[str, dict[tuple[str, str], str]]:
    """The entries with a context, per locale, after checking the shape of untrusted ``locales``."""
    if not isinstance(locales, Mapping):
        raise ValidationError.single("locales", "value.not_mapping", type=v.type_name(locales))
    errors: list[FieldError] = []
    entries: dict[str, dict[tuple[str, str], str]] = {}
    for locale, items in locales.items():
        try:
            name = locale_rule(locale)
        except v.Invalid as invalid:
            errors.append(invalid.at("locales"))
            continue
        if not isinstance(items, Mapping):
            errors.append(FieldError(name, "value.not_mapping", {"type": v.type_name(items)}))
            continue
        kept: dict[tuple[str, str], str] = {}
        for key, text in items.items():
            if not _is_entry(key, text):
                errors.append(FieldError(name, "catalogue.entry_malformed"))
                break
            context, msgid = key
            if context is not None:
                kept[(context, msgid)] = text
        entries[name] = kept
    if errors:
        raise ValidationError(errors)
    return entries


def _is_entry(key: object, text: object) -> bool:
    return (
        isinstance(key, tuple)
        and len(key) == 2  # noqa: PLR2004 - (msgctxt, msgid)
        and (key[0] is None or isinstance(key[0], str))
        and isinstance(key[1], str)
        and isinstance(text, str)
    )


class Catalogue:
    """Notification texts per locale, validated when built.

    Build one with :meth:`default` (the shipped Indonesian and English texts), :meth:`load` (a directory
    laid out like ``locale/``) or :meth:`from_po` (the ``.po`` texts themselves).

    Args:
        locales: For each locale, its entries by ``(msgctxt, msgid)``; entries without a context are
            ignored.

    Raises:
        ValidationError: ``locales`` is not shaped so, a locale lacks an entry another locale has, a
            placeholder is unknown or malformed, or there is no locale at all; one field error per
            problem, named ``<locale>:<context>.<id>``.
    """

    __slots__ = ("_entries", "_templates")

    def __init__(self, locales: Mapping[str, Mapping[PoKey, str]]) -> None:
        entries = _checked_locales(locales)
        _validate(entries)
        self._entries: Mapping[str, Mapping[tuple[str, str], str]] = MappingProxyType(
            {locale: MappingProxyType(items) for locale, items in sorted(entries.items())}
        )
        self._templates = frozenset(
            str(context)
            for items in entries.values()
            for context, _ in items
            if context not in (_LAYOUT, _LABEL)
        )

    @classmethod
    def default(cls) -> Catalogue:
        """The catalogue shipped with lapor_core: Indonesian (default) and English, from the ``.mo`` files."""
        return _default_catalogue()

    @classmethod
    def from_po(cls, texts: Mapping[str, str]) -> Catalogue:
        """A catalogue from the text of one ``.po`` file per locale (``{"id": "...", "en": "..."}``).

        Raises:
            ValidationError: A file is not text or larger than 2 MB (field ``<locale>``), malformed (field
                ``<locale>:line <n>``), declares another ``Language`` than its locale or has plural forms
                (field ``<locale>:header``, ``<locale>``), or the catalogue is incomplete.
        """
        if not isinstance(texts, Mapping):
            raise ValidationError.single("texts", "value.not_mapping", type=v.type_name(texts))
        errors: list[FieldError] = []
        parsed: dict[str, dict[PoKey, str]] = {}
        for key, text in texts.items():
            try:
                locale = locale_rule(key)
            except v.Invalid as invalid:
                errors.append(invalid.at("texts"))
                continue
            if not isinstance(text, str) or len(text) > _MAX_CATALOGUE_BYTES:
                errors.append(FieldError(locale, "catalogue.not_po_text", {"max": _MAX_CATALOGUE_MB}))
                continue
            entries = _read_po_text(text, locale, errors)
            if entries is not None:
                parsed[locale] = entries
        if errors:
            raise ValidationError(errors)
        return cls(parsed)

    @classmethod
    def load(cls, directory: str | Path) -> Catalogue:
        """The catalogue in ``directory``: ``<locale>/LC_MESSAGES/notifications.mo`` for each locale found.

        A locale without a compiled ``.mo`` file is read from its ``notifications.po``, so wording can be
        tried out before it is compiled (``pybabel compile -D notifications -d DIRECTORY``).

        Raises:
            ValidationError: ``directory`` is not a path, no catalogue file is in it, a file cannot be read,
                or see :meth:`from_po`.
        """
        if not isinstance(directory, (str, Path)):
            raise ValidationError.single("directory", "value.not_string", type=v.type_name(directory))
        return cls(_read_files(_catalogue_files(Path(directory))))

    @property
    def locales(self) -> tuple[str, ...]:
        """The locales, sorted."""
        return tuple(self._entries)

    @property
    def templates(self) -> frozenset[str]:
        """The template keys (``<event>.<role>``) every locale has."""
        return self._templates

    def locale_for(self, requested: str | None) -> str:
        """The locale to use for ``requested``: itself, its language (``en`` for ``en_AU``), or the default.

        >>> Catalogue.default().locale_for("en-AU"), Catalogue.default().locale_for("jv")
        ('en', 'id')
        """
        if isinstance(requested, str) and requested:
            wanted = requested.replace("-", "_")
            for candidate in (wanted, wanted.split("_")[0]):
                if candidate in self._entries:
                    return candidate
        return DEFAULT_LOCALE if DEFAULT_LOCALE in self._entries else self.locales[0]

    def entry(self, context: str, msgid: str, locale: str) -> str | None:
        """The raw text of one entry, or None."""
        return self._entries.get(self.locale_for(locale), {}).get((context, msgid))

    def label(self, name: str, locale: str) -> str:
        """A word the renderer fills in (``withheld``, ``anonymous``, ``stage.verification``...).

        The name itself when the catalogue has no such label.
        """
        return self.entry(_LABEL, name, locale) or name

    def render(self, template: str, locale: str, context: Mapping[str, str]) -> RenderedMessage:
        """Render the template ``template`` (``forward.reporter``) in ``locale`` with ``context``.

        Values are inserted as they are in the subject, text and short parts (control characters removed
        from the one-line parts) and HTML-escaped in the HTML part.

        Raises:
            KeyError: The catalogue has no such template (a :class:`LookupError`).

        >>> context = dict.fromkeys(CONTEXT_FIELDS, "-") | {"tracking_id": "7K3M-9QXF-2HJ-Q"}
        >>> Catalogue.default().render("forward.reporter", "en", context).subject
        'Report 7K3M-9QXF-2HJ-Q has been forwarded'
        """
        if template not in self._templates:
            raise KeyError(template)
        lang = self.locale_for(locale)
        entries = self._entries[lang]
        values = {name: str(context.get(name, "")) for name in CONTEXT_FIELDS}
        escaped = {name: html.escape(value) for name, value in values.items()}

        def fill(part: str, mapping: Mapping[str, str]) -> str:
            return string.Template(entries[(template, part)]).substitute(mapping)

        frame = {"lang": lang, "tracking_id": values["tracking_id"]}
        text = string.Template(entries[(_LAYOUT, "text")]).substitute(
            frame, content=fill("text", values).strip()
        )
        page = string.Template(entries[(_LAYOUT, "html")]).substitute(
            {name: html.escape(value) for name, value in frame.items()}, content=fill("html", escaped).strip()
        )
        return RenderedMessage(
            subject=_one_line(fill("subject", values)),
            text=text.strip() + "\n",
            html=page.strip() + "\n",
            short=_short(fill("short", values)),
        )


def _entry_errors(where: str, context: str, msgid: str, text: str) -> Iterable[FieldError]:
    allowed = LAYOUT_FIELDS if context == _LAYOUT else CONTEXT_FIELDS
    if context != _LAYOUT and msgid not in PARTS:
        yield FieldError(where, "catalogue.unknown_part", {"parts": PARTS})
    template = string.Template(text)
    if not template.is_valid():
        yield FieldError(where, "catalogue.malformed_placeholder")
        return
    unknown = _placeholders(template) - allowed
    if unknown:
        yield FieldError(where, "catalogue.unknown_placeholders", {"names": tuple(sorted(unknown))})


def _validate(entries: Mapping[str, Mapping[tuple[str, str], str]]) -> None:
    errors: list[FieldError] = []
    if not entries:
        raise ValidationError.single("locales", "catalogue.no_locale")
    every_key = set().union(*(set(items) for items in entries.values()))
    templates = {context for context, _ in every_key if context not in (_LAYOUT, _LABEL)}
    required = {(t, part) for t in templates for part in PARTS} | {(_LAYOUT, "text"), (_LAYOUT, "html")}
    for locale, items in sorted(entries.items()):
        errors.extend(
            FieldError(f"{locale}:{context}.{msgid}", "catalogue.missing_entry")
            for context, msgid in sorted((every_key | required) - set(items), key=str)
        )
        for (context, msgid), text in sorted(items.items(), key=str):
            if context != _LABEL:
                errors.extend(_entry_errors(f"{locale}:{context}.{msgid}", context, msgid, text))
    if errors:
        raise ValidationError(errors)


def _catalogue_files(root: Path) -> dict[str, Path]:
    """Each locale's ``notifications.mo`` under ``root``, or its ``.po`` where no ``.mo`` was compiled.

    Raises:
        ValidationError: There is none.
    """
    files: dict[str, Path] = {}
    try:
        folders = sorted(root.iterdir()) if root.is_dir() else []
    except OSError:
        folders = []
    for folder in folders:
        try:
            locale_rule(folder.name)
        except v.Invalid:
            continue  # not a locale's folder (__pycache__, .git...)
        for suffix in (".mo", ".po"):
            path = folder / "LC_MESSAGES" / f"{DOMAIN}{suffix}"
            if path.is_file():
                files[folder.name] = path
                break
    if not files:
        raise ValidationError.single("directory", "catalogue.no_files", domain=DOMAIN)
    return files


@functools.cache
def _default_catalogue() -> Catalogue:
    root = _i18n.locale_dir()
    return Catalogue(
        _read_files({locale: root / locale / "LC_MESSAGES" / f"{DOMAIN}.mo" for locale in _i18n.LOCALES})
    )
