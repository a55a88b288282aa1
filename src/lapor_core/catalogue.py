"""The message catalogue: every notification's texts, per locale, read from gettext ``.po`` files.

The texts are data. lapor_core ships ``locale/<locale>/LC_MESSAGES/lapor_core.po`` for Indonesian (``id``,
the default) and English (``en``), and an integrator can load their own files (their wording, another
language) with :meth:`Catalogue.load`. The files are read by a small parser of the ``.po`` format, so no
compilation step and no dependency is needed; entries marked ``fuzzy`` and empty translations are left out,
as ``msgfmt`` does.

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
import re
import string
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import attrs

from lapor_core.errors import FieldError, ValidationError

__all__ = [
    "CONTEXT_FIELDS",
    "DEFAULT_LOCALE",
    "DOMAIN",
    "LAYOUT_FIELDS",
    "PARTS",
    "SHORT_LIMIT",
    "Catalogue",
    "RenderedMessage",
    "parse_po",
]

DOMAIN = "lapor_core"
"""The gettext domain: the catalogue files are named ``lapor_core.po``."""

DEFAULT_LOCALE = "id"
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
        "queued_at",
    }
)
"""The placeholders a template may use; the renderer fills every one (see the notifications docs)."""

LAYOUT_FIELDS = frozenset({"content", "lang", "tracking_id"})
"""The placeholders of the ``layout`` entries."""

_LAYOUT = "layout"
_LABEL = "label"
_MAX_CATALOGUE_BYTES = 2_000_000

PoKey = tuple[str | None, str]
"""An entry's (msgctxt, msgid); the header is ``(None, "")``."""


# --- the .po format ---------------------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_ESCAPE = re.compile(r"\\(.)")
_KEYWORDS = ("msgctxt", "msgid", "msgstr")


def _unquote(token: str, line: int, errors: list[FieldError]) -> str:
    if len(token) < 2 or not token.startswith('"') or not token.endswith('"'):  # noqa: PLR2004
        errors.append(FieldError(f"line {line}", "expected a string in double quotes"))
        return ""
    body = token[1:-1]
    if re.search(r'(?<!\\)(?:\\\\)*"', body):
        errors.append(FieldError(f"line {line}", "unescaped double quote inside a string"))
        return ""

    def replace(match: re.Match[str]) -> str:
        char = match.group(1)
        if char not in _ESCAPES:
            errors.append(FieldError(f"line {line}", f"unknown escape sequence \\{char}"))
            return ""
        return _ESCAPES[char]

    return _ESCAPE.sub(replace, body)


@attrs.define
class _Entry:
    start: int
    fuzzy: bool = False
    parts: dict[str, list[str]] = attrs.field(factory=dict)
    last: str | None = None


@attrs.define
class _PoReader:
    """Reads a ``.po`` file line by line into entries, collecting every error."""

    entries: dict[PoKey, str] = attrs.field(factory=dict)
    errors: list[FieldError] = attrs.field(factory=list)
    current: _Entry = attrs.field(factory=lambda: _Entry(start=1))

    def finish(self, next_start: int) -> None:
        entry, self.current = self.current, _Entry(start=next_start)
        parts = entry.parts
        if not parts:
            return
        if "msgid" not in parts or "msgstr" not in parts:
            self.errors.append(FieldError(f"line {entry.start}", "an entry needs msgid and msgstr"))
            return
        context = "".join(parts["msgctxt"]) if "msgctxt" in parts else None
        key = (context, "".join(parts["msgid"]))
        if key in self.entries:
            self.errors.append(FieldError(f"line {entry.start}", f"duplicate entry {key[0]!r} {key[1]!r}"))
            return
        value = "".join(parts["msgstr"])
        if value and not entry.fuzzy:
            self.entries[key] = value

    def comment(self, number: int, line: str) -> None:
        if "msgstr" in self.current.parts:
            self.finish(number)
        if line.startswith("#,") and "fuzzy" in (flag.strip() for flag in line[2:].split(",")):
            self.current.fuzzy = True

    def continuation(self, number: int, line: str) -> None:
        if self.current.last is None:
            self.errors.append(FieldError(f"line {number}", "a string outside an entry"))
        else:
            self.current.parts[self.current.last].append(_unquote(line, number, self.errors))

    def keyword(self, number: int, line: str) -> None:
        keyword, _, rest = line.partition(" ")
        if keyword not in _KEYWORDS:
            reason = "plural forms are not supported" if keyword.startswith("msg") else "unknown keyword"
            self.errors.append(FieldError(f"line {number}", f"{reason}: {keyword[:20]}"))
            self.current.last = None
            return
        if keyword in ("msgctxt", "msgid") and "msgstr" in self.current.parts:
            self.finish(number)
        if keyword in self.current.parts:
            self.errors.append(FieldError(f"line {number}", f"{keyword} repeated within one entry"))
            return
        if not self.current.parts:
            self.current.start = number
        self.current.parts[keyword] = [_unquote(rest.strip(), number, self.errors)]
        self.current.last = keyword


def parse_po(text: str) -> dict[PoKey, str]:
    r"""The translated entries of a gettext ``.po`` file, by (msgctxt, msgid).

    Supports comments, ``msgctxt``, multi-line strings and the C escapes; skips obsolete (``#~``) and
    ``fuzzy`` entries and empty translations, as ``msgfmt`` does. Plural forms are refused (no message
    needs them).

    Raises:
        ValidationError: Every malformed line, with its line number as the field.

    >>> parse_po('msgctxt "label"\nmsgid "none"\nmsgstr ""\n"-"\n')
    {('label', 'none'): '-'}
    """
    reader = _PoReader()
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            reader.comment(number, line)
        elif line.startswith('"'):
            reader.continuation(number, line)
        else:
            reader.keyword(number, line)
    reader.finish(0)
    if reader.errors:
        raise ValidationError(reader.errors)
    return reader.entries


def _header_language(entries: Mapping[PoKey, str]) -> str | None:
    for line in entries.get((None, ""), "").splitlines():
        name, _, value = line.partition(":")
        if name.strip().lower() == "language":
            return value.strip() or None
    return None


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


class Catalogue:
    """Notification texts per locale, validated when built.

    Build one with :meth:`default` (the shipped Indonesian and English texts), :meth:`load` (a directory
    laid out like ``locale/``) or :meth:`from_po` (the ``.po`` texts themselves).

    Args:
        locales: For each locale, its entries by (msgctxt, msgid), as :func:`parse_po` returns them.

    Raises:
        ValidationError: A locale lacks an entry another locale has, a placeholder is unknown or malformed,
            or there is no locale at all; one field error per problem, named ``<locale>:<context>.<id>``.
    """

    __slots__ = ("_entries", "_templates")

    def __init__(self, locales: Mapping[str, Mapping[PoKey, str]]) -> None:
        entries: dict[str, dict[tuple[str, str], str]] = {
            locale: {(ctx, msgid): text for (ctx, msgid), text in items.items() if ctx is not None}
            for locale, items in locales.items()
        }
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
        """The catalogue shipped with lapor_core: Indonesian (default) and English."""
        return _default_catalogue()

    @classmethod
    def from_po(cls, texts: Mapping[str, str]) -> Catalogue:
        """A catalogue from the text of one ``.po`` file per locale (``{"id": "...", "en": "..."}``).

        Raises:
            ValidationError: A file is malformed (fields ``<locale>:line <n>``), declares another
                ``Language`` than its locale, or the catalogue is incomplete.
        """
        errors: list[FieldError] = []
        parsed: dict[str, dict[PoKey, str]] = {}
        for locale, text in texts.items():
            if not isinstance(text, str) or len(text) > _MAX_CATALOGUE_BYTES:
                errors.append(FieldError(locale, "must be the text of a .po file of at most 2 MB"))
                continue
            try:
                entries = parse_po(text)
            except ValidationError as e:
                errors.extend(FieldError(f"{locale}:{err.field}", err.reason) for err in e.errors)
                continue
            language = _header_language(entries)
            if language is not None and language.replace("-", "_").split("_")[0] != locale.split("_")[0]:
                errors.append(FieldError(f"{locale}:header", "the Language header names another locale"))
            parsed[locale] = entries
        if errors:
            raise ValidationError(errors)
        return cls(parsed)

    @classmethod
    def load(cls, directory: str | Path) -> Catalogue:
        """The catalogue in ``directory``: ``<locale>/LC_MESSAGES/lapor_core.po`` for each locale found.

        Raises:
            ValidationError: No catalogue file was found, or see :meth:`from_po`.
        """
        root = Path(directory)
        texts = {
            path.parent.parent.name: path.read_text(encoding="utf-8")
            for path in sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
        }
        if not texts:
            raise ValidationError.single("directory", f"no <locale>/LC_MESSAGES/{DOMAIN}.po file in it")
        return cls.from_po(texts)

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
        if requested:
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


def _validate(entries: Mapping[str, Mapping[tuple[str, str], str]]) -> None:
    errors: list[FieldError] = []
    if not entries:
        raise ValidationError.single("locales", "a catalogue needs at least one locale")
    every_key = set().union(*(set(items) for items in entries.values()))
    templates = {context for context, _ in every_key if context not in (_LAYOUT, _LABEL)}
    required = {(t, part) for t in templates for part in PARTS} | {(_LAYOUT, "text"), (_LAYOUT, "html")}
    for locale, items in sorted(entries.items()):
        errors.extend(
            FieldError(f"{locale}:{context}.{msgid}", "missing in this locale")
            for context, msgid in sorted((every_key | required) - set(items), key=str)
        )
        for (context, msgid), text in sorted(items.items(), key=str):
            if context == _LABEL:
                continue
            allowed = LAYOUT_FIELDS if context == _LAYOUT else CONTEXT_FIELDS
            where = f"{locale}:{context}.{msgid}"
            if context != _LAYOUT and msgid not in PARTS:
                errors.append(FieldError(where, f"a template part must be one of {', '.join(PARTS)}"))
            template = string.Template(text)
            if not template.is_valid():
                errors.append(FieldError(where, "malformed placeholder (write $$ for a dollar sign)"))
                continue
            unknown = _placeholders(template) - allowed
            if unknown:
                errors.append(FieldError(where, f"unknown placeholders: {', '.join(sorted(unknown))}"))
    if errors:
        raise ValidationError(errors)


def _package_texts() -> dict[str, str]:
    root = resources.files("lapor_core") / "locale"
    texts: dict[str, str] = {}
    for folder in sorted(root.iterdir(), key=lambda p: p.name):
        po = folder / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.is_file():
            texts[folder.name] = po.read_text(encoding="utf-8")
    return texts


@functools.cache
def _default_catalogue() -> Catalogue:
    return Catalogue.from_po(_package_texts())
