"""Reading inbound e-mail: bodies, charsets, quoted replies, threading, attachments, junk."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lapor_core.intake.email import ParsedEmail, html_to_text, parse_email, thread_id, trim_reply

TID = "7K3M-9QXF-2HJ-Q"


def _message(body: str = "Lampu jalan mati.", **headers: str) -> bytes:
    message = EmailMessage(policy=SMTP)
    for name, value in {"From": "Siti Aminah <siti@Contoh.ID>", "Subject": "Lampu jalan", **headers}.items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


def test_plain_message_gives_sender_subject_and_text() -> None:
    """The sender's address follows the e-mail rule (domain lower-cased); the display name is kept apart."""
    parsed = parse_email(_message(**{"Message-ID": "<abc.1@contoh.id>"}))
    assert (parsed.sender, parsed.sender_name, parsed.subject) == (
        "siti@contoh.id",
        "Siti Aminah",
        "Lampu jalan",
    )
    assert parsed.text == "Lampu jalan mati."
    assert parsed.message_id == "abc.1@contoh.id"
    assert parsed.tracking_id is None
    assert not parsed.automatic


def test_gmail_multipart_alternative_prefers_text_and_trims_the_quote() -> None:
    """Gmail: text and HTML alternatives, an Indonesian quote header folded over two lines, then the quote."""
    message = EmailMessage()
    message["From"] = "budi.s@gmail.com"
    message["Subject"] = f"Re: [LAPOR! {TID}] Jalan berlubang"
    message["In-Reply-To"] = "<0190aa@lapor.go.id>"
    message["References"] = f"{thread_id(TID, 'lapor.go.id')} <0190aa@lapor.go.id>"
    message.set_content(
        "Lubangnya MASIH ada 😡, sudah 2 minggu!!\n\n"
        "Pada Sen, 7 Des 2026 pukul 10.00 LAPOR! <noreply@lapor.go.id>\nmenulis:\n\n"
        "> Laporan Anda telah diteruskan.\n> Terima kasih.\n"
    )
    message.add_alternative(
        "<div dir=ltr>Lubangnya MASIH ada 😡</div><div class=gmail_quote>Pada ... menulis:"
        "<blockquote>Laporan Anda</blockquote></div>",
        subtype="html",
    )
    parsed = parse_email(message.as_bytes())
    assert parsed.text == "Lubangnya MASIH ada 😡, sudah 2 minggu!!"
    assert str(parsed.tracking_id) == TID
    assert parsed.subject == f"[LAPOR! {TID}] Jalan berlubang"
    assert parsed.references == ("0190aa@lapor.go.id", f"lapor.{TID}@lapor.go.id")


def test_thread_reference_wins_over_a_subject_edited_by_the_reporter() -> None:
    """A reply keeps our thread ID in References even when the subject was rewritten."""
    raw = _message("Ada kabar?", Subject="pertanyaan", References=thread_id(TID, "lapor.go.id"))
    assert str(parse_email(raw).tracking_id) == TID


def test_tracking_id_in_subject_is_read_loosely_and_checked() -> None:
    """Lower case and spaces are accepted; an ID whose check symbol fails is not a tracking ID."""
    assert str(parse_email(_message(Subject="info 7k3m 9qxf 2hj q")).tracking_id) == TID
    assert parse_email(_message(Subject="Re: 7K3M-9QXF-2HJ-R")).tracking_id is None
    assert parse_email(_message(Subject="ABCDEFGHJKMN nomor rumah")).tracking_id is None


def test_outlook_windows_1252_with_original_message_block() -> None:
    """Outlook: windows-1252 text labelled ISO-8859-1 (curly quotes) and its Original Message block."""
    body = (
        "Mohon \u201csegera\u201d ditindaklanjuti \u2013 terima kasih.\r\n\r\n-----Original Message-----\r\n"
    )
    raw = (
        b"From: =?iso-8859-1?q?J=F6rg_Hartono?= <jorg@instansi.go.id>\r\n"
        b"Subject: =?iso-8859-1?q?RE:_Sampah_di_pasar_=96_lagi?=\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + body.encode("windows-1252")
        + b"From: LAPOR!\r\nSent: Monday\r\n"
    )
    parsed = parse_email(raw)
    assert parsed.sender_name == "J\u00f6rg Hartono"
    assert parsed.subject == "Sampah di pasar \u2013 lagi"
    assert parsed.text == "Mohon \u201csegera\u201d ditindaklanjuti \u2013 terima kasih."


def test_outlook_from_sent_block_and_signature_are_cut() -> None:
    """A ``From:``/``Sent:`` block ends the new text, as does the ``-- `` signature separator."""
    assert trim_reply("Baik.\n\nFrom: LAPOR! <noreply@lapor.go.id>\nSent: Monday\nTo: saya") == "Baik."
    assert trim_reply("Jalan rusak\n--\nBudi | 0812") == "Jalan rusak"
    assert trim_reply("Oke\n\nSent from my iPhone") == "Oke"
    assert trim_reply("Dari: kantor kelurahan sudah datang.\nTapi belum selesai.") == (
        "Dari: kantor kelurahan sudah datang.\nTapi belum selesai."
    )


def test_a_sentence_saying_menulis_is_not_a_quote_header() -> None:
    """Without a date in it, "Pada ... menulis:" is the reporter's own sentence."""
    text = "Pada surat itu kepala desa menulis:\nwarga harus bayar."
    assert trim_reply(text) == text


def test_utf8_base64_body_and_rfc2047_subject() -> None:
    """Encoded words (RFC 2047) in the subject and a base64 UTF-8 body with Javanese script and emoji."""
    raw = _message("Kali\u00a0mampet ꦲꦤ 🚮", Subject="=?utf-8?b?U2FtcGFoIPCfmqg=?=")
    parsed = parse_email(raw)
    assert parsed.subject == "Sampah 🚨"
    assert parsed.text == "Kali\u00a0mampet ꦲꦤ 🚮"


def test_html_only_message_is_read_as_text_without_scripts() -> None:
    """HTML-only mail becomes text: no script, style or head; entities decoded; blocks on their own lines."""
    message = EmailMessage()
    message["From"] = "warga@example.id"
    message.set_content(
        "<html><head><title>x</title><style>p{}</style></head><body><p>Air PDAM &amp; listrik"
        "<br>mati</p><script>alert(1)</script><ul><li>sejak Senin</li></ul></body></html>",
        subtype="html",
    )
    assert parse_email(message.as_bytes()).text == "Air PDAM & listrik\nmati\n\nsejak Senin"


def test_html_quote_markers_and_unclosed_tags() -> None:
    """Gmail's quote container is cut; unbalanced markup does not swallow the text after it."""
    assert html_to_text('<div>Ya</div><div class="gmail_quote">On 1 Jan 2026 X wrote:<p>old') == (
        "Ya\n\n> On 1 Jan 2026 X wrote:\n> old"
    )
    assert (
        trim_reply(html_to_text('<div>Ya</div><div class="gmail_quote">On 1 Jan 2026 X wrote:<p>old')) == "Ya"
    )
    assert html_to_text("<b>tebal<i>miring</b> biasa</i> akhir") == "tebalmiring biasa akhir"
    assert html_to_text("<p>a</p></div></span><p>b") == "a\n\nb"


@given(
    st.lists(
        st.sampled_from(
            [
                "<blockquote>",
                "</blockquote>",
                "<style>",
                "</style>",
                "<p>",
                "</p>",
                '<template class="gmail_quote">',
                "</template>",
                "teks",
                "</div>",
            ]
        ),
        max_size=30,
    )
)
def test_html_nesting_of_any_shape_keeps_its_depths_sane(parts: list[str]) -> None:
    """Unbalanced, nested or misordered tags never leave text hidden after every element is closed."""
    closers = "</blockquote></style></template>" * 30  # as many as could be open
    extractor_text = html_to_text("".join(parts) + closers + "<p>akhir</p>")
    assert extractor_text.endswith("akhir")
    assert not extractor_text.endswith("> akhir")


def test_attachments_are_counted_and_measured_not_read_as_text() -> None:
    """A photo and a PDF are noted by count and size; the text part is the body."""
    message = EmailMessage()
    message["From"] = "warga@example.id"
    message.set_content("Foto terlampir.")
    message.add_attachment(b"\xff\xd8" + b"0" * 1000, maintype="image", subtype="jpeg", filename="jalan.jpg")
    message.add_attachment(b"%PDF" + b"1" * 96, maintype="application", subtype="pdf", filename="surat.pdf")
    parsed = parse_email(message.as_bytes())
    assert (parsed.text, parsed.attachments, parsed.attachment_bytes) == ("Foto terlampir.", 2, 1102)
    assert [(f.filename, f.content_type, len(f.data)) for f in parsed.files] == [
        ("jalan.jpg", "image/jpeg", 1002),
        ("surat.pdf", "application/pdf", 100),
    ]


def test_a_logo_inline_in_the_html_is_counted_but_not_handed_over() -> None:
    """A picture with a Content-ID (an Outlook signature's logo) is decoration: not one of the files."""
    message = EmailMessage()
    message["From"] = "warga@example.id"
    message.set_content("Jalan rusak.")
    message.add_alternative('<p>Jalan rusak.</p><img src="cid:logo">', subtype="html")
    html = message.get_payload()[1]
    html.add_related(b"\x89PNG logo", maintype="image", subtype="png", cid="<logo>")
    parsed = parse_email(message.as_bytes())
    assert (parsed.attachments, parsed.files) == (1, ())


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Autoreply": "yes"},
        {"Return-Path": "<>"},
    ],
)
def test_automatic_mail_is_marked(headers: dict[str, str]) -> None:
    """Auto-replies, bulk mail and bounces are marked so they are never answered (RFC 3834)."""
    assert parse_email(_message("Saya sedang cuti.", **headers)).automatic


def test_auto_submitted_no_is_a_person() -> None:
    """``Auto-Submitted: no`` is what a person's mail program may send."""
    assert not parse_email(_message(**{"Auto-Submitted": "no"})).automatic


def test_malformed_sender_is_none_and_long_subject_is_cut() -> None:
    """A From without a usable address gives no sender; the subject stays one bounded line."""
    parsed = parse_email(_message(From="undisclosed-recipients:;", Subject="a " * 900))
    assert parsed.sender is None
    assert len(parsed.subject) <= 998
    assert "\n" not in parsed.subject


@pytest.mark.parametrize("raw", [b"", "", b"\x00\xff" * 10, b"not an e-mail at all", 12, None])
def test_junk_is_an_empty_message(raw: object) -> None:
    """Anything that is not a message gives an empty result, never an exception."""
    parsed = parse_email(raw)  # type: ignore[arg-type]
    assert isinstance(parsed, ParsedEmail)
    assert parsed.sender is None


def test_oversized_message_is_not_parsed() -> None:
    """Past the size limit nothing is read."""
    assert parse_email(b"From: a@b.id\r\n\r\n" + b"x" * (25 * 1024 * 1024)) == ParsedEmail.empty()


def test_repr_hides_sender_subject_and_text() -> None:
    """The repr is safe for logs: no address, subject or body."""
    shown = repr(parse_email(_message("rahasia warga", Subject="judul pribadi")))
    assert "siti" not in shown.lower()
    assert "rahasia" not in shown
    assert "pribadi" not in shown


@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    """Any bytes at all parse to a result whose text has no control or bidi-override characters."""
    parsed = parse_email(raw)
    assert not any(ord(c) < 9 or 0x202A <= ord(c) <= 0x202E for c in parsed.text)


_header_text = st.text(st.characters(codec="utf-8"), max_size=80)


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "From": _header_text,
            "Subject": _header_text,
            "References": _header_text,
            "In-Reply-To": _header_text,
            "Content-Type": st.sampled_from(
                ["text/html; charset=x-unknown", "multipart/mixed", "text/plain"]
            ),
        },
    ),
    st.text(max_size=500),
)
def test_arbitrary_headers_and_bodies_never_raise(headers: dict[str, str], body: str) -> None:
    """Odd header values (encoded, unbalanced, non-ASCII) and bodies never make the parser raise."""
    raw = "".join(f"{name}: {' '.join(value.split())}\r\n" for name, value in headers.items()) + "\r\n" + body
    parsed = parse_email(raw)
    assert "\n" not in parsed.subject
    assert isinstance(parsed.references, tuple)
