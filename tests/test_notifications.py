from __future__ import annotations

import gettext
import io
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lapor_core as lc
from desk_support import ADMIN, WIB, make_desk, officer, submission
from lapor_core import _i18n
from lapor_core._domain import catalogue as catalogue_module
from lapor_core._domain.access import Relation
from lapor_core._domain.catalogue import CONTEXT_FIELDS, DOMAIN, PARTS, SHORT_LIMIT, Catalogue, locale_rule
from lapor_core._domain.complaint import OutboxMessage, ReporterIdentity
from lapor_core._domain.notifications import (
    TEMPLATE_KEYS,
    Address,
    AddressBook,
    DeliveryChannel,
    Notification,
    NotificationRenderer,
    Recipient,
    RecipientRole,
    Withheld,
    recipient_relation,
)
from lapor_core._domain.rules import Invalid
from lapor_core.errors import PermanentNotificationError

CATALOGUE = Catalogue.default()
EMAIL = Address.parse("mailto:tujuan@example.id")
LOCALE_DIR = _i18n.locale_dir()


def _context(**overrides: str) -> dict[str, str]:
    values = {name: f"<{name}>" for name in CONTEXT_FIELDS}
    return values | overrides


def _po_path(locale: str, suffix: str = ".po") -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def _po_text(locale: str) -> str:
    return _po_path(locale).read_text(encoding="utf-8")


def _translated(catalog: Catalog) -> dict[tuple[str | None, str], str]:
    """What gettext serves from a Babel catalogue: every translated, non-fuzzy entry but the header."""
    return {(m.context, m.id): m.string for m in catalog if m.id and m.string and not m.fuzzy}


def _codes(error: lc.ValidationError) -> dict[str, str]:
    return {e.field: e.code for e in error.errors}


def _from_row(role: object, ref: object = None) -> Recipient:
    """The recipient of an outbox message with these ``recipient_role`` and ``recipient_ref`` columns."""
    at = datetime(2026, 3, 17, tzinfo=WIB)
    queued = OutboxMessage("m-1", "7K3M9QXF2HJQ", lc.Action.FORWARD, role, ref, at)  # type: ignore[arg-type]
    return Recipient.of(queued)


def _outcome(build: Any) -> Any:
    """What ``build()`` returns, or the ValidationError it raises (any other exception propagates)."""
    try:
        return build()
    except lc.ValidationError as error:
        return error


# --- the catalogue ------------------------------------------------------------------------------------------


def test_the_shipped_catalogue_is_indonesian_and_english():
    """Two locales ship, in the gettext domain 'notifications'; Indonesian is the default."""
    assert DOMAIN == "notifications"
    assert CATALOGUE.locales == ("en", "id")
    assert CATALOGUE.locale_for(None) == "id"


@pytest.mark.parametrize("locale", ["id", "en"])
def test_the_shipped_mo_file_is_the_compiled_po_file(locale):
    """Each notifications.mo in the package holds exactly what compiling its .po gives: a stale .mo fails.

    Run ``make messages-compile`` after editing a .po file.
    """
    with _po_path(locale).open("rb") as file:
        source = read_po(file, locale=locale, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, source)
    compiled.seek(0)
    with _po_path(locale, ".mo").open("rb") as file:
        shipped = read_mo(file)
    assert len(_translated(source)) > 80
    assert _translated(shipped) == _translated(read_mo(compiled)) == _translated(source)
    assert shipped.locale_identifier == locale


def test_the_default_catalogue_reads_the_compiled_files():
    """Catalogue.default() serves what the .mo files hold, entry for entry."""
    for locale in CATALOGUE.locales:
        with _po_path(locale, ".mo").open("rb") as file:
            compiled = _translated(read_mo(file))
        for (context, msgid), text in compiled.items():
            assert CATALOGUE.entry(str(context), msgid, locale) == text


def test_every_queued_event_has_a_template_in_every_locale():
    """Each <event>.<role> the core queues has subject, text, html and short in both locales, non-empty."""
    assert CATALOGUE.templates == TEMPLATE_KEYS
    for key in TEMPLATE_KEYS:
        for locale in CATALOGUE.locales:
            for part in PARTS:
                assert (CATALOGUE.entry(key, part, locale) or "").strip(), (key, locale, part)


@pytest.mark.parametrize("locale", ["id", "en"])
@pytest.mark.parametrize("key", sorted(TEMPLATE_KEYS))
def test_every_template_renders_with_its_context(key, locale):
    """Every placeholder a part uses is filled with its context value, and no placeholder is left."""
    context = _context()
    message = CATALOGUE.render(key, locale, context)
    for part in PARTS:
        raw = CATALOGUE.entry(key, part, locale) or ""
        rendered = getattr(message, part)
        assert "${" not in rendered
        for name in CONTEXT_FIELDS:
            if "${" + name + "}" in raw:
                shown = context[name] if part != "html" else f"&lt;{name}&gt;"
                assert shown in rendered, (key, part, name)
    assert message.html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{locale}">' in message.html
    assert message.text.endswith("\n")


@pytest.mark.parametrize("key", sorted(TEMPLATE_KEYS))
def test_short_texts_fit_one_sms_in_plain_ascii(key):
    """With the longest real values, every short text is at most 160 ASCII characters, uncut."""
    longest_status = max((s.label(lang) for s in lc.Status for lang in ("id", "en")), key=len)
    context = _context(
        tracking_id="7K3M-9QXF-2HJ-Q",
        status=longest_status,
        summary="In process",
        stage="tindak lanjut",
        due_at="2026-03-27 00:00 WITA",
        due_day="Wednesday, Sep 30, 2026",
    )
    for locale in CATALOGUE.locales:
        short = CATALOGUE.render(key, locale, context).short
        assert len(short) <= SHORT_LIMIT
        assert short.isascii()
        assert not short.endswith("…")


def test_html_escapes_every_filled_in_value():
    """Markup in a complaint's title reaches the HTML part escaped, and the text part as written."""
    title = '<script>alert("x")</script> & <b>'
    message = CATALOGUE.render("forward.reporter", "id", _context(title=title))
    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in message.html
    assert title in message.text


def test_the_subject_and_short_text_stay_on_one_line():
    """Line breaks in values (a header injection attempt) never reach the subject or the SMS."""
    message = CATALOGUE.render(
        "forward.institution", "id", _context(institution="Kota\r\nBcc: evil@example.com\u2028x")
    )
    for one_line in (message.subject, message.short):
        assert not any(c in one_line for c in "\r\n\u2028")


def test_a_long_short_text_is_cut_at_160_characters():
    """A catalogue whose short text overflows is cut to one SMS, ending in an ellipsis."""
    message = CATALOGUE.render("follow_up.reporter", "id", _context(tracking_id="X" * 300))
    assert len(message.short) == SHORT_LIMIT
    assert message.short.endswith("…")


def test_rendering_an_unknown_template_raises_key_error():
    """A template the catalogue lacks is a LookupError."""
    with pytest.raises(KeyError):
        CATALOGUE.render("rate.reporter", "id", _context())


def test_a_locale_is_chosen_by_language_with_indonesian_as_fallback():
    """en_AU and en-GB read English; an unknown, empty or non-text locale reads Indonesian."""
    assert [CATALOGUE.locale_for(x) for x in ("en_AU", "en-GB", "en", "jv", "", None, 5)] == [  # type: ignore[misc]
        "en",
        "en",
        "en",
        "id",
        "id",
        "id",
        "id",
    ]


def test_labels_are_translated_and_unknown_labels_are_their_names():
    """label() reads the catalogue and falls back to the label's name."""
    assert CATALOGUE.label("anonymous", "id") == "Anonim"
    assert CATALOGUE.label("stage.follow_up", "en") == "follow-up"
    assert CATALOGUE.label("no.such.label", "en") == "no.such.label"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
@pytest.mark.parametrize("locale", ["id", "en"])
def test_gnu_msgfmt_compiles_the_shipped_files_to_what_the_catalogue_serves(locale, tmp_path):
    """GNU msgfmt --check accepts each file, and every entry it compiles is what the catalogue renders."""
    compiled = tmp_path / f"{DOMAIN}.mo"
    command = ["msgfmt", "--check", "-o", str(compiled), str(_po_path(locale))]
    subprocess.run(command, check=True, capture_output=True)
    with compiled.open("rb") as f:
        gnu = gettext.GNUTranslations(f)
    with _po_path(locale).open("rb") as file:
        entries = _translated(read_po(file))
    assert len(entries) > 80
    for context, msgid in entries:
        assert gnu.pgettext(str(context), msgid) == CATALOGUE.entry(str(context), msgid, locale)


PO_SAMPLE = r"""
# translator comment
msgid ""
msgstr ""
"Language: id\n"

#. extracted comment
#: source.py:1
msgctxt "greet"
msgid "hello"
msgstr ""
"Halo,\n"
"\t\"dunia\" \\ selesai"

#, fuzzy
msgctxt "greet"
msgid "fuzzy"
msgstr "tidak dipakai"

msgctxt "greet"
msgid "empty"
msgstr ""

#~ msgctxt "greet"
#~ msgid "obsolete"
#~ msgstr "usang"

msgid "no context"
msgstr "tanpa konteks"
"""


def test_a_po_text_is_read_with_contexts_and_escapes_leaving_out_what_msgfmt_leaves_out():
    """Entries keep their context and escapes; fuzzy, empty and obsolete entries are left out."""
    errors: list[lc.FieldError] = []
    entries = catalogue_module._read_po_text(PO_SAMPLE, "id", errors)
    assert errors == []
    assert entries == {
        ("greet", "hello"): 'Halo,\n\t"dunia" \\ selesai',
        (None, "no context"): "tanpa konteks",
    }


def _written(entries: dict[tuple[str, str], str], locale: str = "id") -> Catalog:
    catalog = Catalog(locale=locale, domain=DOMAIN)
    for (context, msgid), text in entries.items():
        catalog.add(msgid, text, context=context)
    return catalog


_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from('\n\t"\\$'), max_size=40)


@settings(max_examples=150)
@given(st.dictionaries(st.tuples(_TEXT.filter(bool), _TEXT.filter(bool)), _TEXT.filter(bool), max_size=8))
def test_whatever_babel_writes_is_read_back_unchanged_from_po_and_mo(entries):
    """Entries written by Babel as .po text and as a compiled .mo read back the same, contexts kept."""
    po, mo = io.BytesIO(), io.BytesIO()
    write_po(po, _written(entries))
    write_mo(mo, _written(entries))
    errors: list[lc.FieldError] = []
    assert catalogue_module._read_po_text(po.getvalue().decode("utf-8"), "id", errors) == entries
    assert catalogue_module._read_mo_bytes(mo.getvalue(), "id", errors) == entries
    assert errors == []


def _texts(**changes: str) -> dict[str, str]:
    return {"id": _po_text("id"), "en": _po_text("en")} | changes


def test_a_catalogue_missing_an_entry_in_one_locale_is_refused():
    """Dropping one English part is reported as missing there, by name."""
    english = _po_text("en").replace('msgctxt "close.institution"\nmsgid "short"', 'msgctxt "x"\nmsgid "y"')
    with pytest.raises(lc.ValidationError) as caught:
        Catalogue.from_po(_texts(en=english))
    codes = _codes(caught.value)
    assert codes["en:close.institution.short"] == "catalogue.missing_entry"
    assert codes["id:x.y"] == "catalogue.missing_entry"


def test_a_catalogue_with_unknown_or_malformed_placeholders_is_refused():
    """A placeholder outside CONTEXT_FIELDS and a stray dollar sign are both reported, with their codes."""
    indonesian = (
        _po_text("id")
        .replace("Laporan ${tracking_id} telah diterima", "Laporan ${nik} telah diterima")
        .replace("LAPOR! Laporan ${tracking_id} telah ditutup.", "Biaya $ 5")
    )
    with pytest.raises(lc.ValidationError) as caught:
        Catalogue.from_po(_texts(id=indonesian))
    errors = {e.field: e for e in caught.value.errors}
    unknown = errors["id:submit.reporter.subject"]
    assert (unknown.code, dict(unknown.params)) == ("catalogue.unknown_placeholders", {"names": ("nik",)})
    assert unknown.message("en") == "unknown placeholders: nik"
    assert errors["id:close.institution.short"].code == "catalogue.malformed_placeholder"


def test_a_template_part_outside_the_four_parts_is_refused():
    """A template entry must be subject, text, html or short."""
    extra = '\nmsgctxt "submit.admin"\nmsgid "body"\nmsgstr "x"\n'
    with pytest.raises(lc.ValidationError) as caught:
        Catalogue.from_po(_texts(id=_po_text("id") + extra, en=_po_text("en") + extra))
    assert _codes(caught.value) == {
        "en:submit.admin.body": "catalogue.unknown_part",
        "id:submit.admin.body": "catalogue.unknown_part",
    }


def test_a_catalogue_file_declaring_another_language_is_refused():
    """The Language header must match the locale folder."""
    with pytest.raises(lc.ValidationError) as caught:
        Catalogue.from_po(_texts(en=_po_text("id")))
    assert _codes(caught.value) == {"en:header": "catalogue.language_mismatch"}


def test_a_catalogue_needs_a_locale_and_text():
    """No locale at all, a file that is not text, or a locale that is not a locale code is refused."""
    with pytest.raises(lc.ValidationError) as caught:
        Catalogue({})
    assert _codes(caught.value) == {"locales": "catalogue.no_locale"}
    with pytest.raises(lc.ValidationError) as caught:
        Catalogue.from_po({"id": b"bytes"})  # type: ignore[dict-item]
    assert _codes(caught.value) == {"id": "catalogue.not_po_text"}
    with pytest.raises(lc.ValidationError) as caught:
        Catalogue.from_po({"../id": _po_text("id")})
    assert _codes(caught.value) == {"texts": "locale.malformed"}


def test_a_catalogue_file_with_plural_forms_is_refused():
    """No notification needs plural forms; an entry with them is named by its locale."""
    plural = '\nmsgid "one"\nmsgid_plural "many"\nmsgstr[0] "satu"\nmsgstr[1] "banyak"\n'
    with pytest.raises(lc.ValidationError) as caught:
        Catalogue.from_po(_texts(en=_po_text("en") + plural))
    assert _codes(caught.value) == {"en": "catalogue.plural_forms"}


def test_a_catalogue_file_without_a_language_header_is_accepted_and_a_broken_one_named():
    """The Language header is optional; a malformed file is named by its locale and line."""
    without = _po_text("en").replace('"Language: en\\n"\n', "")
    assert Catalogue.from_po(_texts(en=without)).locales == ("en", "id")
    broken = _po_text("en") + '\nmsgid "x"\nbogus "y"\n'
    with pytest.raises(lc.ValidationError) as caught:
        Catalogue.from_po(_texts(en=broken))
    (error,) = caught.value.errors
    assert error.code == "catalogue.po_malformed"
    assert error.field == f"en:line {broken.count(chr(10))}"
    bad_header = 'msgid ""\nmsgstr "Plural-Forms: nplurals=x;\\n"\n'
    with pytest.raises(lc.ValidationError) as caught:
        Catalogue.from_po(_texts(en=bad_header))
    assert _codes(caught.value) == {"en:header": "catalogue.header_malformed"}


@pytest.mark.parametrize(
    "junk",
    [
        None,
        5,
        "text",
        ["id"],
        {5: {}},
        {"id": None},
        {"id": {"k": "v"}},
        {"id": {("a", 5): "v"}},
        {"id": {("a", "b"): 1}},
    ],
)
def test_a_catalogue_built_from_junk_entries_is_refused(junk):
    """The constructor checks the shape of what it is given: a ValidationError, never a TypeError."""
    with pytest.raises(lc.ValidationError):
        Catalogue(junk)


def _catalogue_dir(root: Path, suffix: str, edit: Any = lambda text: text) -> Path:
    for locale in ("id", "en"):
        folder = root / locale / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        text = edit(_po_text(locale))
        if suffix == ".po":
            (folder / f"{DOMAIN}.po").write_text(text, encoding="utf-8")
        else:
            with (folder / f"{DOMAIN}.mo").open("wb") as file:
                write_mo(file, read_po(io.StringIO(text)))
    return root


def test_an_integrator_loads_their_own_compiled_wording_from_a_directory(tmp_path):
    """Catalogue.load reads <locale>/LC_MESSAGES/notifications.mo files, and renders their text."""
    _catalogue_dir(tmp_path, ".mo", lambda text: text.replace("telah diteruskan", "sudah kami teruskan"))
    catalogue = Catalogue.load(tmp_path)
    subject = catalogue.render("forward.reporter", "id", _context(tracking_id="T-1")).subject
    assert subject == "Laporan T-1 sudah kami teruskan"


def test_a_po_file_is_read_where_no_mo_file_was_compiled_and_a_mo_file_wins_over_it(tmp_path):
    """Wording can be tried out uncompiled; once compiled, the .mo file is what counts."""
    _catalogue_dir(tmp_path, ".po", lambda text: text.replace("telah diteruskan", "diteruskan (po)"))
    (tmp_path / "__pycache__").mkdir()  # not a locale: ignored
    assert Catalogue.load(str(tmp_path)).render("forward.reporter", "id", _context()).subject.endswith("(po)")
    _catalogue_dir(tmp_path, ".mo", lambda text: text.replace("telah diteruskan", "diteruskan (mo)"))
    assert Catalogue.load(tmp_path).render("forward.reporter", "id", _context()).subject.endswith("(mo)")


def test_loading_a_directory_without_catalogue_files_is_refused(tmp_path):
    """An empty or missing directory, or one with only the old lapor_core.po name, is refused."""
    with pytest.raises(lc.ValidationError) as caught:
        Catalogue.load(tmp_path)
    assert _codes(caught.value) == {"directory": "catalogue.no_files"}
    assert (
        caught.value.errors[0].message("en") == "no <locale>/LC_MESSAGES/notifications.mo or .po file in it"
    )
    old = tmp_path / "id" / "LC_MESSAGES"
    old.mkdir(parents=True)
    (old / "lapor_core.po").write_text(_po_text("id"), encoding="utf-8")
    for directory in (tmp_path, tmp_path / "missing", tmp_path / "id" / "LC_MESSAGES" / "lapor_core.po"):
        with pytest.raises(lc.ValidationError):
            Catalogue.load(directory)
    with pytest.raises(lc.ValidationError) as caught:
        Catalogue.load(42)  # type: ignore[arg-type]
    assert _codes(caught.value) == {"directory": "value.not_string"}


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        (f"{DOMAIN}.mo", b"not a compiled catalogue", "catalogue.mo_malformed"),
        (f"{DOMAIN}.mo", b"\xde\x12\x04\x95" + b"\x00" * 8, "catalogue.mo_malformed"),
        (f"{DOMAIN}.po", b"\xff\xfe msgid", "catalogue.not_utf8"),
        (f"{DOMAIN}.po", b" " * 2_000_001, "catalogue.too_large"),
    ],
)
def test_a_malformed_catalogue_file_is_named_by_its_locale(tmp_path, name, content, code):
    """A file Babel cannot read, that is not UTF-8 or is too large is a ValidationError for its locale."""
    _catalogue_dir(tmp_path, ".po")
    (tmp_path / "en" / "LC_MESSAGES" / name).write_bytes(content)
    with pytest.raises(lc.ValidationError) as caught:
        Catalogue.load(tmp_path)
    assert _codes(caught.value) == {"en": code}


def test_an_unreadable_catalogue_file_is_a_validation_error(tmp_path, monkeypatch):
    """A catalogue file the system refuses to open is refused by locale, not an OSError."""
    _catalogue_dir(tmp_path, ".po")
    refused = tmp_path / "en" / "LC_MESSAGES" / f"{DOMAIN}.po"
    real_open = Path.open

    def guarded_open(path: Path, *args: Any, **kwargs: Any) -> Any:
        if path == refused:
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(Path, "open", guarded_open)
    with pytest.raises(lc.ValidationError) as caught:
        Catalogue.load(tmp_path)
    assert _codes(caught.value) == {"en": "catalogue.unreadable"}


_PO_JUNK = st.lists(
    st.sampled_from(
        [
            "msgid ",
            "msgstr ",
            "msgctxt ",
            "msgid_plural ",
            "msgstr[0] ",
            '"',
            "\\",
            "\n",
            "#, fuzzy\n",
            "#~ ",
            '"Language: zz\\n"',
            '"Plural-Forms: nplurals=x;\\n"',
            '"POT-Creation-Date: later\\n"',
            'msgid ""\n',
            'msgstr ""\n',
            "${",
            "$",
        ]
    )
    | st.text(max_size=4),
    max_size=30,
).map("".join)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.one_of(st.sampled_from(["id", "en"]), st.text(max_size=5)), _PO_JUNK, max_size=3))
def test_junk_po_texts_raise_only_validation_errors(texts):
    """Whatever text is given as .po files, from_po builds a catalogue or raises ValidationError."""
    outcome = _outcome(lambda: Catalogue.from_po(texts))
    assert isinstance(outcome, Catalogue) or outcome.errors


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.binary(max_size=64) | st.binary(max_size=40).map(lambda tail: b"\xde\x12\x04\x95" + tail))
def test_junk_mo_files_raise_only_validation_errors(tmp_path, data):
    """Whatever bytes a .mo file holds, load raises ValidationError naming its locale."""
    folder = tmp_path / "id" / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{DOMAIN}.mo").write_bytes(data)
    with pytest.raises(lc.ValidationError) as caught:
        Catalogue.load(tmp_path)
    assert {e.field.split(":")[0] for e in caught.value.errors} <= {"id", "locales"}


# --- addresses and recipients ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "channel", "target"),
    [
        ("mailto:pengaduan@jakarta.go.id", DeliveryChannel.EMAIL, "pengaduan@jakarta.go.id"),
        ("sms:+6281234567890", DeliveryChannel.SMS, "+6281234567890"),
        ("tel:0812-3456-7890", DeliveryChannel.SMS, "+6281234567890"),
        ("mailto:Pengaduan@Jakarta.GO.ID", DeliveryChannel.EMAIL, "Pengaduan@jakarta.go.id"),
        ("https://pemkot.example/lapor?x=1", DeliveryChannel.WEBHOOK, "https://pemkot.example/lapor?x=1"),
        ("http://127.0.0.1:8080/hook", DeliveryChannel.WEBHOOK, "http://127.0.0.1:8080/hook"),
    ],
)
def test_addresses_parse_from_their_uri_forms(text, channel, target):
    """mailto:, sms:, tel: and http(s) URLs make addresses, normalised by the e-mail and phone rules."""
    address = Address.parse(text)
    assert (address.channel, address.target) == (channel, target)


@pytest.mark.parametrize(
    ("text", "field", "code"),
    [
        ("mailto:no-at-sign", "target", "email.malformed"),
        ("mailto:a@b@c", "target", "email.malformed"),
        ("mailto:two words@example.id", "target", "email.malformed"),
        ("mailto:x@example.id\r\nBcc: y@example.id", "target", "text.not_one_line"),
        ("mailto:x@example.id\u202e", "target", "text.bidi_control"),
        ("mailto:", "target", "text.empty"),
        ("sms:12ab", "target", "phone.malformed"),
        ("sms:+62", "target", "phone.malformed"),
        ("sms:+4915112345678", "target", "phone.malformed"),
        ("ftp://example.id/x", "address", "address.unknown_scheme"),
        ("https://", "target", "address.webhook_malformed"),
        ("https://example.id:99999999/x", "target", "address.webhook_malformed"),
        ("https://exa mple.id/x", "target", "address.webhook_malformed"),
        ("javascript:alert(1)", "address", "address.unknown_scheme"),
        ("https://example.id/" + "a" * 3000, "target", "text.too_long"),
        ("", "address", "address.unknown_scheme"),
    ],
)
def test_malformed_addresses_are_refused_with_a_code(text, field, code):
    """Targets that do not fit their channel, control characters and unknown schemes are refused by code."""
    with pytest.raises(lc.ValidationError) as caught:
        Address.parse(text)
    assert _codes(caught.value) == {field: code}


def test_an_address_refuses_a_non_string_and_a_bad_locale():
    """Wrong types are ValidationErrors too."""
    with pytest.raises(lc.ValidationError) as caught:
        Address.parse(42)  # type: ignore[arg-type]
    assert _codes(caught.value) == {"address": "value.not_string"}
    for locale in ("x" * 50, "../en", 5, ""):
        with pytest.raises(lc.ValidationError) as caught:
            Address(DeliveryChannel.EMAIL, "a@example.id", locale=locale)  # type: ignore[arg-type]
        assert list(_codes(caught.value)) == ["locale"]
    assert Address("email", "a@example.id", locale="en_AU").locale == "en_AU"  # type: ignore[arg-type]


def test_an_address_refuses_an_unknown_channel_as_a_validation_error():
    """A channel that is not email, sms, webhook or chat is a ValidationError listing the choices."""
    with pytest.raises(lc.ValidationError) as caught:
        Address("pigeon", "a@example.id")  # type: ignore[arg-type]
    (error,) = caught.value.errors
    assert (error.field, error.code) == ("channel", "value.not_choice")
    assert error.params["choices"] == ("email", "sms", "webhook", "chat")


def test_an_address_keeps_its_target_out_of_repr():
    """A reporter's e-mail never appears in the repr of an address (reprs reach logs)."""
    address = Address.parse("mailto:rahasia.sekali@example.id")
    assert "rahasia" not in repr(address)


def test_recipients_of_queued_messages_read_roles_and_references():
    """Roles that name an organisation need its code; the reporter and admins need none."""
    assert _from_row("unit", "31.71/dinas-pu") == Recipient(RecipientRole.UNIT, "31.71/dinas-pu")
    assert _from_row("reporter") == Recipient(RecipientRole.REPORTER)
    refused = {
        ("institution", None): {"recipient_ref": "notification.ref_required"},
        ("ombudsman", "x"): {"recipient_role": "value.not_choice"},
        (None, None): {"recipient_role": "value.required"},
        ("admin", ""): {"recipient_ref": "notification.ref_malformed"},
        ("admin", 5): {"recipient_ref": "notification.ref_malformed"},
        ("unit", "x" * 201): {"recipient_ref": "notification.ref_malformed"},
        ("unit", "31.71\n/x"): {"recipient_ref": "notification.ref_malformed"},
    }
    for (role, ref), codes in refused.items():
        with pytest.raises(lc.ValidationError) as caught:
            _from_row(role, ref)
        assert _codes(caught.value) == codes, (role, ref)


def test_a_locale_is_a_language_code_with_optional_parts():
    """The one locale rule: two or three letters, then region, script or variant parts; 20 characters."""
    for good in ("id", "en", "en_AU", "en-AU", "zh_Hant_TW", "jv"):
        assert locale_rule(good) == good
    refused = {
        "": "locale.malformed",
        "e": "locale.malformed",
        "../en": "locale.malformed",
        "en_" + "A" * 18: "locale.malformed",
        "en AU": "locale.malformed",
        5: "value.not_string",
        None: "value.not_string",
    }
    for value, code in refused.items():
        with pytest.raises(Invalid) as caught:
            locale_rule(value)
        assert caught.value.code == code, value


@settings(max_examples=300)
@given(st.text(max_size=24) | st.from_regex(r"[a-z]{2,3}([_-][A-Za-z0-9]{1,8}){0,2}", fullmatch=True))
def test_addresses_books_and_renderers_refuse_exactly_the_locales_the_catalogue_rule_refuses(text):
    """Every locale field uses the catalogue's rule: each refuses a text exactly when the rule does."""
    try:
        locale_rule(text)
    except Invalid as invalid:
        refusal: str | None = invalid.code
    else:
        refusal = None
    builds = {
        "locale": lambda: Address(DeliveryChannel.EMAIL, "a@example.id", text),
        "reporter_locale": lambda: AddressBook(reporter_locale=text),
        "default_locale": lambda: NotificationRenderer(default_locale=text),
    }
    for field, build in builds.items():
        outcome = _outcome(build)
        got = _codes(outcome) if isinstance(outcome, lc.ValidationError) else {}
        assert got == ({} if refusal is None else {field: refusal}), field


def test_a_directly_built_address_is_normalised_like_a_parsed_one():
    """The constructor runs the channel's rule too: phones become +628..., e-mail domains lower case."""
    assert Address("sms", "0812-3456-7890").target == "+6281234567890"  # type: ignore[arg-type]
    assert Address(DeliveryChannel.EMAIL, "Warga@Contoh.GO.ID").target == "Warga@contoh.go.id"
    assert Address("sms", "0812-3456-7890") == Address.parse("tel:0812-3456-7890")  # type: ignore[arg-type]
    with pytest.raises(lc.ValidationError) as caught:
        Address(DeliveryChannel.WEBHOOK, "mailto:a@example.id")
    assert _codes(caught.value) == {"target": "address.webhook_malformed"}


def test_a_directly_built_address_reports_every_bad_field_at_once():
    """A bad channel, a target that is not one line and a bad locale are listed together."""
    with pytest.raises(lc.ValidationError) as caught:
        Address("pigeon", "a@example.id\n", locale="../en")  # type: ignore[arg-type]
    assert _codes(caught.value) == {
        "channel": "value.not_choice",
        "target": "text.not_one_line",
        "locale": "locale.malformed",
    }
    with pytest.raises(lc.ValidationError) as caught:
        Address(None, None)  # type: ignore[arg-type]
    assert _codes(caught.value) == {"channel": "value.required", "target": "value.required"}


def test_a_directly_built_recipient_is_checked_like_a_parsed_one():
    """The constructor refuses what ``Recipient.of`` refuses; ``of`` names the outbox row's columns."""
    assert Recipient("unit", "31.71/dinas-pu") == _from_row("unit", "31.71/dinas-pu")  # type: ignore[arg-type]
    assert Recipient("unit", " 31.71/dinas-pu ").ref == "31.71/dinas-pu"  # type: ignore[arg-type]
    cases = [
        (("institution", None), {"ref": "notification.ref_required"}),
        (("ombudsman", ""), {"role": "value.not_choice", "ref": "notification.ref_malformed"}),
        ((None, 5), {"role": "value.required", "ref": "notification.ref_malformed"}),
    ]
    for (role, ref), codes in cases:
        with pytest.raises(lc.ValidationError) as caught:
            Recipient(role, ref)  # type: ignore[arg-type]
        assert _codes(caught.value) == codes, (role, ref)
        with pytest.raises(lc.ValidationError) as parsed:
            _from_row(role, ref)
        assert _codes(parsed.value) == {f"recipient_{field}": code for field, code in codes.items()}


# --- the address book ---------------------------------------------------------------------------------------

BOOK = AddressBook.from_dict(
    {
        "admin": ["mailto:admin@lapor.go.id", "https://lapor.example/admin-hook"],
        "institutions": {"31.71": "mailto:pengaduan@jakarta.go.id", "31": "mailto:prov@jakarta.go.id"},
        "units": {"31.71/dinas-pu": {"address": "mailto:pu@jakarta.go.id", "locale": "en"}},
        "superiors": {"kemendagri": "mailto:itjen@kemendagri.go.id"},
    }
)


def test_the_address_book_resolves_each_role():
    """Admins, institutions, units and superiors get their entries; an unknown code gets none."""

    def targets(role: str, ref: str | None = None) -> list[str]:
        return [a.target for a in BOOK.resolve(_from_row(role, ref), None)]

    assert targets("admin") == ["admin@lapor.go.id", "https://lapor.example/admin-hook"]
    assert targets("institution", "31.71") == ["pengaduan@jakarta.go.id"]
    assert targets("unit", "31.71/dinas-pu") == ["pu@jakarta.go.id"]
    assert BOOK.resolve(_from_row("unit", "31.71/dinas-pu"), None)[0].locale == "en"
    assert targets("superior", "kemendagri") == ["itjen@kemendagri.go.id"]
    assert targets("superior", "31") == ["prov@jakarta.go.id"]
    assert targets("institution", "73.71") == []


def test_the_reporter_is_reached_on_the_first_channel_they_gave():
    """E-mail first by default, the phone when there is no e-mail, nothing for an erased identity."""
    reporter = Recipient(RecipientRole.REPORTER)
    both = ReporterIdentity(ref="r", email="siti@example.id", phone="+6281234567890")
    phone = ReporterIdentity(ref="r", phone="+6281234567890")
    assert [a.channel for a in BOOK.resolve(reporter, both)] == [DeliveryChannel.EMAIL]
    assert [a.channel for a in BOOK.resolve(reporter, phone)] == [DeliveryChannel.SMS]
    assert BOOK.resolve(reporter, both.erase()) == ()
    assert BOOK.resolve(reporter, None) == ()
    sms_first = AddressBook(
        reporter_channels=(DeliveryChannel.SMS, DeliveryChannel.EMAIL), reporter_locale="en"
    )
    (address,) = sms_first.resolve(reporter, both)
    assert (address.channel, address.locale) == (DeliveryChannel.SMS, "en")


def test_a_stored_contact_that_is_no_longer_valid_is_skipped():
    """An identity whose e-mail fails today's validation is reached by phone instead."""
    legacy = ReporterIdentity(ref="r", email="not an address", phone="+6281234567890")
    (address,) = BOOK.resolve(Recipient(RecipientRole.REPORTER), legacy)
    assert address.channel is DeliveryChannel.SMS


def test_a_bad_address_book_reports_every_bad_entry():
    """Unknown keys, bad addresses and bad channels are all listed, by path."""
    with pytest.raises(lc.ValidationError) as caught:
        AddressBook.from_dict(
            {
                "admin": "fax:123",
                "institutions": {"31.71": ["mailto:ok@example.id", "mailto:broken"], "31": 5},
                "units": [],
                "reporter_channels": ["pigeon"],
                "reporter_locale": 3,
                "colour": "blue",
            }
        )
    assert _codes(caught.value) == {
        "admin[0]": "address.unknown_scheme",
        "institutions.31.71[1]": "email.malformed",
        "institutions.31": "address.entry_malformed",
        "units": "value.not_mapping",
        "reporter_channels[0]": "value.not_choice",
        "reporter_locale": "value.not_string",
        "colour": "field.unknown",
    }
    with pytest.raises(lc.ValidationError) as caught:
        AddressBook.from_dict(["not", "a", "mapping"])  # type: ignore[arg-type]
    assert _codes(caught.value) == {"$": "value.not_mapping"}


@pytest.mark.parametrize(
    ("data", "codes"),
    [
        ({"reporter_channels": None}, {"reporter_channels": "address.channels_not_list"}),
        ({"reporter_channels": "email"}, {"reporter_channels": "address.channels_not_list"}),
        ({"reporter_channels": ["webhook"]}, {"reporter_channels[0]": "value.not_choice"}),
        ({"reporter_channels": [None, "sms"]}, {"reporter_channels[0]": "value.not_choice"}),
        ({"reporter_locale": "english please"}, {"reporter_locale": "locale.malformed"}),
        ({"admin": None}, {"admin": "address.entry_malformed"}),
        ({"admin": {"locale": "en"}}, {"admin[0]": "value.required"}),
        ({"admin": {"address": "mailto:a@example.id", "lang": "en"}}, {"admin[0]": "field.unknown"}),
        ({"admin": [["mailto:a@example.id"]]}, {"admin[0]": "address.item_malformed"}),
        ({"institutions": None}, {"institutions": "value.not_mapping"}),
        (
            {"institutions": {5: "mailto:a@example.id", "": "mailto:a@example.id"}},
            {"institutions": "address.codes_malformed"},
        ),
        ({None: 1}, {"$": "field.unknown_more"}),
    ],
)
def test_address_book_entries_of_the_wrong_shape_are_refused_by_path(data, codes):
    """Wrong shapes (``{"reporter_channels": None}`` once raised TypeError) are ValidationErrors by path."""
    with pytest.raises(lc.ValidationError) as caught:
        AddressBook.from_dict(data)
    assert _codes(caught.value) == codes


def test_junk_keys_of_an_address_table_are_counted_not_named():
    """A key that is not a code may hold anything; the error counts such keys without showing them."""
    with pytest.raises(lc.ValidationError) as caught:
        AddressBook.from_dict({"units": {"Siti\n0812 3456 7890": "mailto:a@example.id", 7: []}})
    (error,) = caught.value.errors
    assert (error.field, error.code, dict(error.params)) == (
        "units",
        "address.codes_malformed",
        {"count": 2, "max": 200},
    )
    assert "Siti" not in str(caught.value)


def test_an_address_book_reads_reporter_settings_and_address_mappings():
    """Channels in order, the reporter's locale, and {address, locale} items are kept."""
    book = AddressBook.from_dict(
        {
            "admin": {"address": "mailto:admin@example.id", "locale": "en"},
            "reporter_channels": ["sms"],
            "reporter_locale": "en",
        }
    )
    assert book.reporter_channels == (DeliveryChannel.SMS,)
    assert book.reporter_locale == "en"
    assert [(a.target, a.locale) for a in book.admin] == [("admin@example.id", "en")]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_ADDRESS_TEXT = st.sampled_from(
    ["mailto:a@example.id", "sms:081234567890", "https://h.example/x", "tel:+62", "mailto:", "x:"]
) | st.text(max_size=20)
_ADDRESS_ITEM = (
    _ADDRESS_TEXT | st.fixed_dictionaries({"address": _JSON | _ADDRESS_TEXT, "locale": _JSON}) | _JSON
)
_BOOK_JUNK = st.fixed_dictionaries(
    {},
    optional={
        "admin": _ADDRESS_ITEM | st.lists(_ADDRESS_ITEM, max_size=3),
        "institutions": st.dictionaries(st.text(max_size=8) | st.integers(), _ADDRESS_ITEM, max_size=3)
        | _JSON,
        "units": _JSON,
        "superiors": st.dictionaries(st.text(max_size=8), st.lists(_ADDRESS_ITEM, max_size=2)) | _JSON,
        "reporter_channels": st.lists(st.sampled_from(["email", "sms", "webhook"]) | _JSON, max_size=3)
        | _JSON,
        "reporter_locale": st.sampled_from(["id", "en_AU", "x" * 30]) | _JSON,
        "colour": _JSON,
    },
)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(_BOOK_JUNK | _JSON)
def test_junk_address_books_raise_only_validation_errors(data):
    """Whatever JSON-like data is given, from_dict builds a book or raises ValidationError."""
    outcome = _outcome(lambda: AddressBook.from_dict(data))
    if not isinstance(outcome, AddressBook):
        assert outcome.errors
        assert all("." in e.code for e in outcome.errors)


def test_a_directly_built_address_book_reads_what_from_dict_reads():
    """The constructor's fields take the data form too, through the same rules: the two books are equal."""
    data: dict[str, Any] = {
        "admin": ["mailto:admin@lapor.go.id", {"address": "https://lapor.example/hook", "locale": "en"}],
        "institutions": {"31.71": "mailto:pengaduan@jakarta.go.id"},
        "units": {"31.71/dinas-pu": ["sms:0812-3456-7890"]},
        "superiors": {},
        "reporter_channels": ["sms"],
        "reporter_locale": "en",
    }
    book = AddressBook(**data)
    assert book == AddressBook.from_dict(data)
    assert book.units["31.71/dinas-pu"][0].target == "+6281234567890"
    assert book.reporter_channels == (DeliveryChannel.SMS,)
    assert AddressBook() == AddressBook.from_dict({})
    assert AddressBook().reporter_channels == (DeliveryChannel.EMAIL, DeliveryChannel.SMS)


def test_a_directly_built_address_book_reports_every_bad_field_at_once():
    """Bad entries in every field are listed together, by path, as from_dict lists them."""
    data: dict[str, Any] = {
        "admin": 5,
        "institutions": {"31.71": ["mailto:ok@example.id", "mailto:broken"]},
        "units": [],
        "superiors": {"": "mailto:a@example.id"},
        "reporter_channels": ["email", "webhook"],
        "reporter_locale": "x" * 30,
    }
    expected = {
        "admin": ("address.entry_malformed",),
        "institutions.31.71[1]": ("email.malformed",),
        "units": ("value.not_mapping",),
        "superiors": ("address.codes_malformed",),
        "reporter_channels[1]": ("value.not_choice",),
        "reporter_locale": ("locale.malformed",),
    }
    with pytest.raises(lc.ValidationError) as direct:
        AddressBook(**data)
    with pytest.raises(lc.ValidationError) as read:
        AddressBook.from_dict(data)
    assert direct.value.fields_by_name == expected
    assert read.value.fields_by_name == expected


_BOOK_FIELDS = ("admin", "institutions", "units", "superiors", "reporter_channels", "reporter_locale")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_BOOK_JUNK)
def test_junk_at_the_address_book_constructor_raises_only_validation_errors_as_from_dict_does(data):
    """AddressBook(**fields) and from_dict(fields) agree on any junk: the same book or the same codes."""
    fields = {name: value for name, value in data.items() if name in _BOOK_FIELDS}
    direct = _outcome(lambda: AddressBook(**fields))
    read = _outcome(lambda: AddressBook.from_dict(fields))
    if isinstance(direct, lc.ValidationError):
        assert isinstance(read, lc.ValidationError)
        assert direct.fields_by_name == read.fields_by_name
    else:
        assert direct == read


@settings(max_examples=300)
@given(_JSON | _ADDRESS_TEXT, _JSON | st.sampled_from(["email", "sms", "webhook"]), _JSON)
def test_junk_addresses_and_recipients_raise_only_validation_errors(text, channel, locale):
    """Address.parse, Address(...) and Recipient.of take anything and raise only ValidationError."""
    for build in (
        lambda: Address.parse(text, locale=locale),
        lambda: Address(channel, text, locale),
        lambda: _from_row(channel, locale),
    ):
        outcome = _outcome(build)
        assert not isinstance(outcome, lc.ValidationError) or outcome.errors


# --- rendering at delivery ----------------------------------------------------------------------------------


def _desk_with(**flags: Any) -> tuple[lc.ComplaintDesk, str]:
    desk, _ = make_desk()
    receipt = desk.submit(submission(**flags))
    return desk, receipt.tracking_id


def _render(
    desk: lc.ComplaintDesk, message: OutboxMessage, address: Address = EMAIL, **options: Any
) -> Notification | Withheld:
    renderer = NotificationRenderer(directory=lc.InstitutionDirectory.default(), **options)
    complaint = desk.store.get(message.tracking_id)
    identity = desk.store.identity(complaint.identity_ref) if complaint.identity_ref else None
    return renderer.render(message, complaint, desk.store.history(message.tracking_id), identity, address)


def _queued(desk: lc.ComplaintDesk, template: str) -> OutboxMessage:
    return next(m for m in desk.store.pending_outbox() if f"{m.event}.{m.recipient_role}" == template)


def test_a_named_reporter_is_named_to_the_institution():
    """Without the anonim flag the institution reads the reporter's name."""
    desk, tid = _desk_with()
    desk.forward(ADMIN, tid, institution="31.71")
    notification = _render(desk, _queued(desk, "forward.institution"))
    assert isinstance(notification, Notification)
    assert notification.context["reporter_name"] == "Siti Aminah"
    assert "Siti Aminah" in notification.message.text


def test_an_anonymous_reporter_is_named_only_to_the_reporter():
    """The institution reads Anonim; the reporter's own message greets them by name."""
    desk, tid = _desk_with(anonymous=True)
    desk.forward(ADMIN, tid, institution="31.71")
    to_institution = _render(desk, _queued(desk, "forward.institution"))
    to_reporter = _render(desk, _queued(desk, "forward.reporter"))
    assert isinstance(to_institution, Notification)
    assert isinstance(to_reporter, Notification)
    assert to_institution.context["reporter_name"] == "Anonim"
    assert "Siti" not in repr(to_institution)
    assert to_reporter.context["reporter_name"] == "Siti Aminah"


def test_a_complaint_made_anonymous_after_queueing_is_rendered_anonymous():
    """The admins' submit message, queued while named, reads Anonim once verification set the flag."""
    desk, tid = _desk_with()
    queued = _queued(desk, "submit.admin")
    desk.forward(ADMIN, tid, institution="31.71", anonymous=True)
    notification = _render(desk, queued)
    assert isinstance(notification, Notification)
    assert notification.context["reporter_name"] == "Anonim"
    assert "Siti" not in notification.message.text + notification.message.html


def test_a_confidential_complaint_is_withheld_from_the_superior():
    """Oversight may not know a rahasia complaint: its breach message is withheld, not sent."""
    desk, clock = make_desk()
    tid = desk.submit(submission(confidential=True)).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    clock.set(datetime(2026, 4, 30, 10, tzinfo=WIB))
    desk.sweep()
    outcome = _render(desk, _queued(desk, "breach.superior"))
    assert outcome == Withheld("notification.recipient_may_not_know", {"role": "superior"})
    assert isinstance(outcome, Withheld)
    assert outcome.reason == "the superior may not know of the complaint now"


def test_an_institution_the_complaint_left_is_told_nothing():
    """After bukan wewenang the forward message to the declining institution is withheld."""
    desk, tid = _desk_with()
    desk.forward(ADMIN, tid, institution="31.71")
    queued = _queued(desk, "forward.institution")
    desk.decline(officer(), tid, "Kewenangan provinsi.")
    outcome = _render(desk, queued)
    assert outcome == Withheld("notification.recipient_left", {"role": "institution"})
    assert isinstance(outcome, Withheld)
    assert outcome.message("en") == "the complaint is no longer with this institution"
    assert outcome.message() == "laporan tidak lagi berada pada penerima ini (institution)"


def test_a_unit_no_longer_assigned_is_told_nothing():
    """A unit relates to a complaint only while it is assigned to it."""
    desk, tid = _desk_with()
    desk.forward(ADMIN, tid, institution="31.71")
    desk.assign(officer(), tid, "dinas-pu")
    queued = _queued(desk, "assign.unit")
    complaint = desk.store.get(tid)
    assert recipient_relation(Recipient.of(queued), complaint) is Relation.UNIT
    other = Recipient(RecipientRole.UNIT, "31.71/dinas-kesehatan")
    assert recipient_relation(other, complaint) is None


def test_the_hold_question_and_the_follow_up_reach_the_reporter():
    """The admin's question and the institution's answer are in the reporter's messages."""
    desk, tid = _desk_with()
    desk.request_info(ADMIN, tid, "Mohon kirim foto lokasi.")
    hold = _render(desk, _queued(desk, "request_info.reporter"))
    desk2, tid2 = _desk_with()
    desk2.forward(ADMIN, tid2, institution="31.71")
    desk2.follow_up(officer(), tid2, "Lubang sudah ditambal Senin.")
    answer = _render(desk2, _queued(desk2, "follow_up.reporter"))
    assert isinstance(hold, Notification)
    assert isinstance(answer, Notification)
    assert "Mohon kirim foto lokasi." in hold.message.text
    assert "Lubang sudah ditambal Senin." in answer.message.text
    assert "Lubang sudah ditambal Senin." in answer.message.html


def test_the_decline_reason_reaches_the_admins_and_the_archive_reason_not_the_reporter():
    """Reasons are internal: admins read them, reporters do not."""
    desk, tid = _desk_with()
    desk.forward(ADMIN, tid, institution="31.71")
    desk.decline(officer(), tid, "Kewenangan pemerintah provinsi.")
    declined = _render(desk, _queued(desk, "decline.admin"))
    assert isinstance(declined, Notification)
    assert "Kewenangan pemerintah provinsi." in declined.message.text
    assert declined.context["declined_by"] == "Pemerintah Kota Administrasi Jakarta Pusat"
    desk2, tid2 = _desk_with()
    desk2.archive(ADMIN, tid2, "Duplikat laporan lain.")
    archived = _render(desk2, _queued(desk2, "archive.reporter"))
    assert isinstance(archived, Notification)
    assert archived.context["reason"] == "[dirahasiakan]"
    assert "Duplikat" not in repr(archived)


def test_times_are_shown_in_the_recipients_time_zone():
    """An institution in Makassar reads WITA times; the reporter reads WIB."""
    desk, tid = _desk_with()
    desk.forward(ADMIN, tid, institution="73.71")
    to_institution = _render(desk, _queued(desk, "forward.institution"))
    to_reporter = _render(desk, _queued(desk, "forward.reporter"))
    assert isinstance(to_institution, Notification)
    assert isinstance(to_reporter, Notification)
    assert to_institution.context["queued_at"] == "2026-03-17 11:00 WITA"
    assert to_reporter.context["queued_at"] == "2026-03-17 10:00 WIB"


def test_an_english_address_reads_english():
    """The address's locale picks the catalogue; English labels follow."""
    desk, _ = _desk_with()
    notification = _render(
        desk, _queued(desk, "submit.reporter"), Address.parse("mailto:a@example.id", locale="en")
    )
    assert isinstance(notification, Notification)
    assert notification.locale == "en"
    assert notification.message.subject.startswith("Report ")
    assert notification.context["kind"] == "Complaint"


def test_a_template_missing_from_the_catalogue_is_a_permanent_failure():
    """An event with no template cannot be delivered as addressed."""
    desk, tid = _desk_with()
    message = _queued(desk, "submit.admin")
    odd = OutboxMessage(message.id, tid, lc.Action.RATE, "admin", None, message.created_at)
    with pytest.raises(PermanentNotificationError):
        _render(desk, odd)


def test_the_renderer_refuses_an_unknown_time_zone():
    """The renderer's zone must be an IANA name."""
    with pytest.raises(lc.ValidationError):
        NotificationRenderer(timezone="Mars/Olympus")


def test_the_renderer_reports_every_bad_option_at_once():
    """A bad catalogue, directory, time zone and locale are listed together, each with its code."""
    with pytest.raises(lc.ValidationError) as caught:
        NotificationRenderer(
            catalogue="texts",  # type: ignore[arg-type]
            directory={"31.71": "Pemkot"},  # type: ignore[arg-type]
            timezone="Mars/Olympus",
            default_locale="../en",
        )
    assert _codes(caught.value) == {
        "catalogue": "notification.not_a_catalogue",
        "directory": "notification.not_a_directory",
        "timezone": "calendar.timezone_unknown",
        "default_locale": "locale.malformed",
    }
    assert caught.value.errors[0].params == {"type": "string"}


def test_the_renderer_takes_none_for_the_default_catalogue():
    """catalogue=None and no catalogue both mean the shipped one."""
    assert NotificationRenderer(catalogue=None).catalogue is CATALOGUE  # type: ignore[arg-type]
    assert NotificationRenderer().catalogue is CATALOGUE
    own = Catalogue.from_po({"id": _po_text("id")})
    assert NotificationRenderer(catalogue=own).catalogue is own


@settings(max_examples=200)
@given(_JSON, _JSON, _JSON)
def test_junk_renderer_options_raise_only_validation_errors(directory, timezone, locale):
    """Whatever the options are, the renderer is built or a ValidationError names the bad ones."""
    outcome = _outcome(
        lambda: NotificationRenderer(directory=directory, timezone=timezone, default_locale=locale)
    )
    if isinstance(outcome, lc.ValidationError):
        assert set(outcome.fields_by_name) <= {"directory", "timezone", "default_locale"}
        assert outcome.errors


def test_a_missing_template_carries_its_code_for_every_language():
    """The permanent failure names the template in English for logs and renders in Indonesian too."""
    desk, tid = _desk_with()
    message = _queued(desk, "submit.admin")
    odd = OutboxMessage(message.id, tid, lc.Action.RATE, "admin", None, message.created_at)
    with pytest.raises(PermanentNotificationError) as caught:
        _render(desk, odd)
    error = caught.value
    assert (error.detail, dict(error.params)) == ("notification.no_template", {"template": "rate.admin"})
    assert str(error) == "the catalogue has no template rate.admin"
    assert error.describe("id") != error.describe("en")
    assert "rate.admin" in error.describe("id")


def test_identity_is_read_only_for_recipients_who_may_see_the_name():
    """For an anonymous complaint only the reporter's message may read the identity record."""
    desk, tid = _desk_with(anonymous=True)
    desk.forward(ADMIN, tid, institution="31.71")
    complaint = desk.store.get(tid)
    renderer = NotificationRenderer()
    wants = {
        role: renderer.wants_identity(_from_row(role, ref), complaint)
        for role, ref in (("reporter", None), ("admin", None), ("institution", "31.71"), ("superior", "31"))
    }
    assert wants == {"reporter": True, "admin": False, "institution": False, "superior": False}


STEPS = {
    "forward": lambda desk, tid, _: desk.forward(ADMIN, tid, institution="31.71"),
    "assign": lambda desk, tid, _: desk.assign(officer(), tid, "dinas-pu"),
    "follow_up": lambda desk, tid, _: desk.follow_up(officer(), tid, "Selesai diperbaiki."),
    "admin_reply": lambda desk, tid, _: desk.reply(ADMIN, tid, "Mohon dicek lagi."),
    "reporter_close": lambda desk, tid, reporter: desk.close_complaint(reporter, tid),
    "hold": lambda desk, tid, _: desk.request_info(ADMIN, tid, "Foto?"),
    "provide": lambda desk, tid, reporter: desk.provide_info(reporter, tid, "Terlampir."),
    "archive": lambda desk, tid, _: desk.archive(ADMIN, tid, "Duplikat."),
    "decline": lambda desk, tid, _: desk.decline(officer(), tid, "Bukan wewenang."),
}
FLOWS = (
    ("forward", "assign", "follow_up", "admin_reply", "follow_up", "reporter_close"),
    ("hold", "provide", "archive"),
    ("forward", "decline"),
    ("forward", "follow_up"),
    ("forward",),
    (),
)


def test_every_template_key_is_one_the_commands_queue():
    """Driving every command and the sweep queues exactly the templated <event>.<role> pairs."""
    desk, clock = make_desk()
    for flow in FLOWS:
        receipt = desk.submit(submission())
        reporter = desk.authenticate(receipt.tracking_id, receipt.access_key)
        for step in flow:
            STEPS[step](desk, receipt.tracking_id, reporter)
    for day in range(18, 32):  # daily sweeps: reminders, then breaches, then the automatic closing
        clock.set(datetime(2026, 3, day, 16, tzinfo=WIB))
        desk.sweep()
    clock.set(datetime(2026, 5, 30, 10, tzinfo=WIB))
    desk.sweep()
    # Issue 22: a merge, and an escalation taken to its conclusion after a missed follow-up deadline.
    original, duplicate = desk.submit(submission()), desk.submit(submission())
    desk.merge(ADMIN, duplicate.tracking_id, into=original.tracking_id)
    receipt = desk.submit(submission())
    reporter = desk.authenticate(receipt.tracking_id, receipt.access_key)
    desk.forward(ADMIN, receipt.tracking_id, institution="31.71")
    clock.set(datetime(2026, 6, 30, 10, tzinfo=WIB))
    ombudsman = lc.Principal.supervisor("ori-1")
    desk.escalate(reporter, receipt.tracking_id, reason="Tidak ada tindak lanjut.")
    desk.record_findings(ombudsman, receipt.tracking_id, "Penundaan berlarut.")
    desk.conclude_escalation(ombudsman, receipt.tracking_id, "Instansi diminta menindaklanjuti.")
    queued = {f"{m.event}.{m.recipient_role}" for m in desk.store.pending_outbox(limit=10_000)}
    assert queued == TEMPLATE_KEYS


def test_a_renderer_can_be_given_another_catalogue_and_default_locale():
    """default_locale applies to addresses that name none."""
    desk, _ = _desk_with()
    notification = _render(desk, _queued(desk, "submit.admin"), default_locale="en")
    assert isinstance(notification, Notification)
    assert notification.message.subject.startswith("New report")


def test_the_message_of_a_queued_row_is_taken_from_its_event_even_when_times_differ():
    """A row queued after its event (another store's clock) still finds the last such event before it."""
    desk, tid = _desk_with()
    desk.request_info(ADMIN, tid, "Pertanyaan pertama.")
    queued = _queued(desk, "request_info.reporter")
    later = attrs.evolve(queued, created_at=queued.created_at + timedelta(minutes=3))
    notification = _render(desk, later)
    assert isinstance(notification, Notification)
    assert "Pertanyaan pertama." in notification.message.text


def test_a_malformed_deadline_in_an_event_is_shown_as_none():
    """Rendering never fails on an event payload it cannot read: the value is '-'."""
    desk, clock = make_desk()
    tid = desk.submit(submission()).tracking_id
    clock.set(datetime(2026, 4, 30, 16, tzinfo=WIB))
    desk.sweep()
    queued = _queued(desk, "breach.admin")
    complaint = desk.store.get(tid)
    events = list(desk.store.history(tid))
    events[-1] = attrs.evolve(events[-1], payload={**events[-1].payload, "due_at": "soon", "stage": None})
    renderer = NotificationRenderer()
    context = renderer.context(queued, complaint, events, None, Recipient.of(queued), Relation.ADMIN, "id")
    assert (context["due_at"], context["stage"]) == ("-", "-")
    naive = attrs.evolve(events[-1], payload={**events[-1].payload, "due_at": "2026-03-20T00:00:00"})
    context = renderer.context(
        queued, complaint, [*events[:-1], naive], None, Recipient.of(queued), Relation.ADMIN, "id"
    )
    assert context["due_at"] == "-"
    assert renderer.catalogue is CATALOGUE


def test_an_address_book_takes_address_objects_and_refuses_other_items():
    """Entries may be Address values; numbers in a list are refused by path."""
    ready = Address.parse("mailto:ready@example.id")
    book = AddressBook.from_dict({"admin": [ready]})
    assert book.resolve(Recipient(RecipientRole.ADMIN), None) == (ready,)
    with pytest.raises(lc.ValidationError) as caught:
        AddressBook.from_dict({"admin": [42], "institutions": {"31.71": 7}})
    assert {e.field for e in caught.value.errors} == {"admin[0]", "institutions.31.71"}


def test_a_reporter_with_no_usable_contact_has_no_address():
    """An identity whose only contact is an invalid e-mail, with SMS not among the channels: none."""
    book = AddressBook(reporter_channels=(DeliveryChannel.EMAIL,))
    legacy = ReporterIdentity(ref="r", email="not an address", phone="+6281234567890")
    assert book.resolve(Recipient(RecipientRole.REPORTER), legacy) == ()
