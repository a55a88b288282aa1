from __future__ import annotations

import gettext
import shutil
import subprocess
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lapor_core as lc
from desk_support import ADMIN, WIB, make_desk, officer, submission
from lapor_core.catalogue import CONTEXT_FIELDS, PARTS, SHORT_LIMIT, Catalogue, parse_po
from lapor_core.complaint import OutboxMessage, ReporterIdentity
from lapor_core.notifications import (
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

CATALOGUE = Catalogue.default()
EMAIL = Address.parse("mailto:tujuan@example.id")
LOCALE_DIR = resources.files("lapor_core") / "locale"


def _context(**overrides: str) -> dict[str, str]:
    values = {name: f"<{name}>" for name in CONTEXT_FIELDS}
    return values | overrides


def _po_text(locale: str) -> str:
    return (LOCALE_DIR / locale / "LC_MESSAGES" / "lapor_core.po").read_text(encoding="utf-8")


# --- the catalogue ------------------------------------------------------------------------------------------


def test_the_shipped_catalogue_is_indonesian_and_english():
    """Two locales ship; Indonesian is what an address without a locale gets."""
    assert CATALOGUE.locales == ("en", "id")
    assert CATALOGUE.locale_for(None) == "id"


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
    """en_AU and en-GB read English; an unknown or empty locale reads Indonesian."""
    assert [CATALOGUE.locale_for(x) for x in ("en_AU", "en-GB", "en", "jv", "", None)] == [
        "en",
        "en",
        "en",
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
def test_the_parser_reads_the_shipped_files_exactly_as_gnu_msgfmt(locale, tmp_path):
    """GNU msgfmt --check accepts each file, and every entry it compiles equals what parse_po reads."""
    source = tmp_path / "lapor_core.po"
    source.write_text(_po_text(locale), encoding="utf-8")
    compiled = tmp_path / "lapor_core.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(source)], check=True, capture_output=True)
    with compiled.open("rb") as f:
        gnu = gettext.GNUTranslations(f)
    entries = parse_po(_po_text(locale))
    assert len(entries) > 80
    for (context, msgid), text in entries.items():
        if context is not None:
            assert gnu.pgettext(context, msgid) == text


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

#~ msgid "obsolete"
#~ msgstr "usang"
msgid "no context"
msgstr "tanpa konteks"
"""


def test_parse_po_reads_contexts_continuations_and_escapes():
    """Entries keep their context; fuzzy, empty and obsolete ones are left out like msgfmt does."""
    entries = parse_po(PO_SAMPLE)
    assert entries == {
        (None, ""): "Language: id\n",
        ("greet", "hello"): 'Halo,\n\t"dunia" \\ selesai',
        (None, "no context"): "tanpa konteks",
    }


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('msgid "a"\nmsgstr "b\\q"', "unknown escape"),
        ('msgid "a"\nmsgstr b', "double quotes"),
        ('msgid "a"\nmsgstr "x"y"', "unescaped double quote"),
        ('msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"', "plural forms"),
        ('msgid "a"\nmsgstr "b"\nmsgid "a"\nmsgstr "c"', "duplicate entry"),
        ('"orphan"', "outside an entry"),
        ('msgctxt "c"\nmsgstr "b"', "needs msgid and msgstr"),
        ('msgid "a"\nmsgid "b"\nmsgstr "c"', "repeated"),
        ('msgid "a"\nbogus "b"', "unknown keyword"),
    ],
)
def test_parse_po_refuses_malformed_files_naming_the_line(text, reason):
    """Each kind of malformed input is a ValidationError whose field is the line."""
    with pytest.raises(lc.ValidationError) as caught:
        parse_po(text)
    assert any(reason in e.reason and e.field.startswith("line ") for e in caught.value.errors)


def test_parse_po_reports_every_bad_line_at_once():
    """Two bad lines, two errors."""
    with pytest.raises(lc.ValidationError) as caught:
        parse_po('msgid "a"\nmsgstr "\\q"\nmsgid "b"\nmsgstr "\\z"')
    assert [e.field for e in caught.value.errors] == ["line 2", "line 4"]


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return '"' + escaped.replace("\r", "\\r") + '"'


_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from('\n\t"\\'), max_size=40)


@settings(max_examples=150)
@given(st.dictionaries(st.tuples(_TEXT.filter(bool), _TEXT), _TEXT.filter(bool), max_size=8))
def test_parse_po_reads_back_whatever_is_written(entries):
    """Any entries written with the C escapes, split over lines, parse back unchanged."""
    lines = []
    for (context, msgid), text in entries.items():
        lines += [f"msgctxt {_quote(context)}", f"msgid {_quote(msgid)}", 'msgstr ""']
        lines += [_quote(text[i : i + 7]) for i in range(0, len(text), 7)]
        lines.append("")
    assert parse_po("\n".join(lines)) == entries


def _texts(**changes: str) -> dict[str, str]:
    return {"id": _po_text("id"), "en": _po_text("en")} | changes


def test_a_catalogue_missing_an_entry_in_one_locale_is_refused():
    """Dropping one English part is reported as missing there, by name."""
    english = _po_text("en").replace('msgctxt "close.institution"\nmsgid "short"', 'msgctxt "x"\nmsgid "y"')
    with pytest.raises(lc.ValidationError) as caught:
        Catalogue.from_po(_texts(en=english))
    fields = {e.field for e in caught.value.errors}
    assert "en:close.institution.short" in fields
    assert "id:x.y" in fields


def test_a_catalogue_with_unknown_or_malformed_placeholders_is_refused():
    """A placeholder outside CONTEXT_FIELDS and a stray dollar sign are both reported."""
    indonesian = (
        _po_text("id")
        .replace("Laporan ${tracking_id} telah diterima", "Laporan ${nik} telah diterima")
        .replace("LAPOR! Laporan ${tracking_id} telah ditutup.", "Biaya $ 5")
    )
    with pytest.raises(lc.ValidationError) as caught:
        Catalogue.from_po(_texts(id=indonesian))
    reasons = {e.field: e.reason for e in caught.value.errors}
    assert reasons["id:submit.reporter.subject"] == "unknown placeholders: nik"
    assert "malformed placeholder" in reasons["id:close.institution.short"]


def test_a_catalogue_file_declaring_another_language_is_refused():
    """The Language header must match the locale folder."""
    with pytest.raises(lc.ValidationError) as caught:
        Catalogue.from_po(_texts(en=_po_text("id")))
    assert [e.field for e in caught.value.errors] == ["en:header"]


def test_a_catalogue_needs_a_locale_and_text():
    """No locale at all, or a file that is not text, is refused."""
    with pytest.raises(lc.ValidationError):
        Catalogue({})
    with pytest.raises(lc.ValidationError) as caught:
        Catalogue.from_po({"id": b"bytes"})  # type: ignore[dict-item]
    assert caught.value.errors[0].field == "id"


def test_an_integrator_loads_their_own_wording_from_a_directory(tmp_path):
    """Catalogue.load reads <locale>/LC_MESSAGES/lapor_core.po files, and renders their text."""
    for locale in ("id", "en"):
        folder = tmp_path / locale / "LC_MESSAGES"
        folder.mkdir(parents=True)
        text = _po_text(locale).replace("telah diteruskan", "sudah kami teruskan")
        (folder / "lapor_core.po").write_text(text, encoding="utf-8")
    catalogue = Catalogue.load(tmp_path)
    subject = catalogue.render("forward.reporter", "id", _context(tracking_id="T-1")).subject
    assert subject == "Laporan T-1 sudah kami teruskan"


def test_loading_a_directory_without_catalogue_files_is_refused(tmp_path):
    """An empty directory is a ValidationError, not an empty catalogue."""
    with pytest.raises(lc.ValidationError):
        Catalogue.load(tmp_path)


# --- addresses and recipients ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "channel", "target"),
    [
        ("mailto:pengaduan@jakarta.go.id", DeliveryChannel.EMAIL, "pengaduan@jakarta.go.id"),
        ("sms:+6281234567890", DeliveryChannel.SMS, "+6281234567890"),
        ("tel:081234567890", DeliveryChannel.SMS, "081234567890"),
        ("https://pemkot.example/lapor?x=1", DeliveryChannel.WEBHOOK, "https://pemkot.example/lapor?x=1"),
        ("http://127.0.0.1:8080/hook", DeliveryChannel.WEBHOOK, "http://127.0.0.1:8080/hook"),
    ],
)
def test_addresses_parse_from_their_uri_forms(text, channel, target):
    """mailto:, sms:, tel: and http(s) URLs make e-mail, SMS and webhook addresses."""
    address = Address.parse(text)
    assert (address.channel, address.target) == (channel, target)


@pytest.mark.parametrize(
    "text",
    [
        "mailto:no-at-sign",
        "mailto:a@b@c",
        "mailto:two words@example.id",
        "mailto:x@example.id\r\nBcc: y@example.id",
        "sms:12ab",
        "sms:+62",
        "ftp://example.id/x",
        "https://",
        "javascript:alert(1)",
        "mailto:" + "a" * 3000 + "@example.id",
        "",
    ],
)
def test_malformed_addresses_are_refused(text):
    """Targets that do not fit their channel, control characters and unknown schemes are refused."""
    with pytest.raises(lc.ValidationError):
        Address.parse(text)


def test_an_address_refuses_a_non_string_and_a_bad_locale():
    """Wrong types are ValidationErrors too."""
    with pytest.raises(lc.ValidationError):
        Address.parse(42)  # type: ignore[arg-type]
    with pytest.raises(lc.ValidationError) as caught:
        Address(DeliveryChannel.EMAIL, "a@example.id", locale="x" * 50)
    assert caught.value.errors[0].field == "locale"


def test_an_address_keeps_its_target_out_of_repr():
    """A reporter's e-mail never appears in the repr of an address (reprs reach logs)."""
    address = Address.parse("mailto:rahasia.sekali@example.id")
    assert "rahasia" not in repr(address)


def test_recipients_parse_roles_and_references():
    """Roles that name an organisation need its code; the reporter and admins need none."""
    assert Recipient.parse("unit", "31.71/dinas-pu") == Recipient(RecipientRole.UNIT, "31.71/dinas-pu")
    assert Recipient.parse("reporter") == Recipient(RecipientRole.REPORTER)
    for role, ref in (("institution", None), ("ombudsman", "x"), ("admin", ""), ("admin", 5)):
        with pytest.raises(lc.ValidationError):
            Recipient.parse(role, ref)


# --- the address book ---------------------------------------------------------------------------------------

BOOK = AddressBook.from_mapping(
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
        return [a.target for a in BOOK.resolve(Recipient.parse(role, ref), None)]

    assert targets("admin") == ["admin@lapor.go.id", "https://lapor.example/admin-hook"]
    assert targets("institution", "31.71") == ["pengaduan@jakarta.go.id"]
    assert targets("unit", "31.71/dinas-pu") == ["pu@jakarta.go.id"]
    assert BOOK.resolve(Recipient.parse("unit", "31.71/dinas-pu"), None)[0].locale == "en"
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
        AddressBook.from_mapping(
            {
                "admin": "fax:123",
                "institutions": {"31.71": ["mailto:ok@example.id", "mailto:broken"], "31": 5},
                "units": [],
                "reporter_channels": ["pigeon"],
                "reporter_locale": 3,
                "colour": "blue",
            }
        )
    assert {e.field for e in caught.value.errors} == {
        "admin[0]",
        "institutions.31.71[1]",
        "institutions.31",
        "units",
        "reporter_channels[0]",
        "reporter_locale",
        "colour",
    }
    with pytest.raises(lc.ValidationError):
        AddressBook.from_mapping(["not", "a", "mapping"])  # type: ignore[arg-type]


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
    assert outcome == Withheld("the superior may not know of the complaint now")


def test_an_institution_the_complaint_left_is_told_nothing():
    """After bukan wewenang the forward message to the declining institution is withheld."""
    desk, tid = _desk_with()
    desk.forward(ADMIN, tid, institution="31.71")
    queued = _queued(desk, "forward.institution")
    desk.decline(officer(), tid, "Kewenangan provinsi.")
    assert _render(desk, queued) == Withheld("the complaint is no longer with this institution")


def test_a_unit_no_longer_assigned_is_told_nothing():
    """A unit relates to a complaint only while it is assigned to it."""
    desk, tid = _desk_with()
    desk.forward(ADMIN, tid, institution="31.71")
    desk.assign(officer(), tid, "dinas-pu")
    queued = _queued(desk, "assign.unit")
    complaint = desk.store.get(tid)
    assert recipient_relation(Recipient.of(queued), complaint) is lc.Relation.UNIT
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
    with pytest.raises(lc.PermanentNotificationError):
        _render(desk, odd)


def test_the_renderer_refuses_an_unknown_time_zone():
    """The renderer's zone must be an IANA name."""
    with pytest.raises(lc.ValidationError):
        NotificationRenderer(timezone="Mars/Olympus")


def test_identity_is_read_only_for_recipients_who_may_see_the_name():
    """For an anonymous complaint only the reporter's message may read the identity record."""
    desk, tid = _desk_with(anonymous=True)
    desk.forward(ADMIN, tid, institution="31.71")
    complaint = desk.store.get(tid)
    renderer = NotificationRenderer()
    wants = {
        role: renderer.wants_identity(Recipient.parse(role, ref), complaint)
        for role, ref in (("reporter", None), ("admin", None), ("institution", "31.71"), ("superior", "31"))
    }
    assert wants == {"reporter": True, "admin": False, "institution": False, "superior": False}


STEPS = {
    "forward": lambda desk, tid, _: desk.forward(ADMIN, tid, institution="31.71"),
    "assign": lambda desk, tid, _: desk.assign(officer(), tid, "dinas-pu"),
    "follow_up": lambda desk, tid, _: desk.follow_up(officer(), tid, "Selesai diperbaiki."),
    "admin_reply": lambda desk, tid, _: desk.reply(ADMIN, tid, "Mohon dicek lagi."),
    "reporter_close": lambda desk, tid, reporter: desk.close(reporter, tid),
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
    queued = {f"{m.event}.{m.recipient_role}" for m in desk.store.pending_outbox(limit=10_000)}
    assert queued == TEMPLATE_KEYS


def test_a_renderer_can_be_given_another_catalogue_and_default_locale():
    """default_locale applies to addresses that name none."""
    desk, _ = _desk_with()
    notification = _render(desk, _queued(desk, "submit.admin"), default_locale="en")
    assert isinstance(notification, Notification)
    assert notification.message.subject.startswith("New report")


def test_a_catalogue_file_without_a_language_header_is_accepted_and_a_broken_one_named():
    """The Language header is optional; a malformed file's errors are prefixed with its locale."""
    without = _po_text("en").replace('"Language: en\\n"\n', "")
    assert Catalogue.from_po(_texts(en=without)).locales == ("en", "id")
    with pytest.raises(lc.ValidationError) as caught:
        Catalogue.from_po(_texts(en=_po_text("en") + '\nmsgid "x"\nmsgstr "\\q"\n'))
    assert caught.value.errors[0].field.startswith("en:line ")


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
    context = renderer.context(queued, complaint, events, None, Recipient.of(queued), lc.Relation.ADMIN, "id")
    assert (context["due_at"], context["stage"]) == ("-", "-")
    naive = attrs.evolve(events[-1], payload={**events[-1].payload, "due_at": "2026-03-20T00:00:00"})
    context = renderer.context(
        queued, complaint, [*events[:-1], naive], None, Recipient.of(queued), lc.Relation.ADMIN, "id"
    )
    assert context["due_at"] == "-"
    assert renderer.catalogue is CATALOGUE


def test_an_address_book_takes_address_objects_and_refuses_other_items():
    """Entries may be Address values; numbers in a list are refused by path."""
    ready = Address.parse("mailto:ready@example.id")
    book = AddressBook.from_mapping({"admin": [ready]})
    assert book.resolve(Recipient(RecipientRole.ADMIN), None) == (ready,)
    with pytest.raises(lc.ValidationError) as caught:
        AddressBook.from_mapping({"admin": [42], "institutions": {"31.71": 7}})
    assert {e.field for e in caught.value.errors} == {"admin[0]", "institutions.31.71"}


def test_a_reporter_with_no_usable_contact_has_no_address():
    """An identity whose only contact is an invalid e-mail, with SMS not among the channels: none."""
    book = AddressBook(reporter_channels=(DeliveryChannel.EMAIL,))
    legacy = ReporterIdentity(ref="r", email="not an address", phone="+6281234567890")
    assert book.resolve(Recipient(RecipientRole.REPORTER), legacy) == ()
