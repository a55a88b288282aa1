"""The SMS adapter: the 1708 message format, Indonesian numbers, and answers split into SMS parts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lapor_core as lc
from lapor_core import Kind, ValidationError
from lapor_core.intake import (
    Answer,
    Contact,
    InboundMessage,
    NewComplaint,
    ReplyToComplaint,
    StatusQuery,
    Unusable,
)
from lapor_core.intake.sms import (
    GSM7_PART,
    GSM7_SINGLE,
    UCS2_PART,
    UCS2_SINGLE,
    SmsIntake,
    gsm7_length,
    is_gsm7,
    normalize_phone,
    split_sms,
)

TID = "7K3M-9QXF-2HJ-Q"
KEY = "ABCD-EFGH-JKMN-PQRS"
AT = datetime(2026, 3, 17, 9, tzinfo=UTC)
SMS = SmsIntake()


def sms(text: str, sender: str = "0812-3456-7890", *, in_reply_to: str | None = None) -> InboundMessage:
    """An SMS as the gateway hands it over."""
    return InboundMessage("sms", "gw-1", sender, text, AT, in_reply_to=in_reply_to)


@pytest.mark.parametrize(
    ("text", "kind", "body"),
    [
        ("LAPOR Jalan berlubang di Jl. Melati no 5", Kind.PENGADUAN, "Jalan berlubang di Jl. Melati no 5"),
        ("lapor: lampu jalan mati", Kind.PENGADUAN, "lampu jalan mati"),
        ("Lapr jalan rusak", Kind.PENGADUAN, "jalan rusak"),
        ("LAPPOR sampah menumpuk", Kind.PENGADUAN, "sampah menumpuk"),
        ("📢 LAPOR 📢 banjir setinggi lutut 😡", Kind.PENGADUAN, "📢 banjir setinggi lutut 😡"),
        ("LAPOR (RT 03) jalan rusak", Kind.PENGADUAN, "(RT 03) jalan rusak"),
        ("pengaduan: pungli di kelurahan", Kind.PENGADUAN, "pungli di kelurahan"),
        ("Aspirasi: tambah bangku di taman kota", Kind.ASPIRASI, "tambah bangku di taman kota"),
        (
            "Jalan di depan SDN 3 rusak parah sejak Januari",
            Kind.PENGADUAN,
            "Jalan di depan SDN 3 rusak parah sejak Januari",
        ),
        ("Info jalan rusak di depan pasar", Kind.PENGADUAN, "Info jalan rusak di depan pasar"),
    ],
)
def test_a_report_in_the_formats_people_use_becomes_a_new_complaint(text, kind, body):
    """Keywords in any case, misspelt, behind emoji, or none at all: a complaint with the sender's number."""
    decision = SMS.parse(sms(text))
    assert isinstance(decision, NewComplaint)
    submission = decision.submission
    assert (submission.kind, submission.body, submission.channel.value) == (kind, body, "sms")
    assert submission.reporter is not None
    assert submission.reporter.phone == "+6281234567890"
    assert not submission.anonymous
    assert not submission.confidential


def test_anonim_and_rahasia_after_the_keyword_set_the_flags():
    """``LAPOR ANONIM RAHASIA <text>`` (any order, misspelt) files an anonymous, confidential complaint."""
    decision = SMS.parse(sms("lapor rahasia Anonim kepala desa minta uang"))
    assert isinstance(decision, NewComplaint)
    assert decision.submission.anonymous
    assert decision.submission.confidential
    assert decision.submission.body == "kepala desa minta uang"


def test_a_long_report_gets_a_short_title_and_keeps_its_whole_text():
    """The title is the first line, cut at a word under 80 characters; the body is the whole report."""
    text = "LAPOR " + "jalan rusak " * 40 + "\nbaris kedua"
    decision = SMS.parse(sms(text))
    assert isinstance(decision, NewComplaint)
    assert len(decision.submission.title) <= 80
    assert decision.submission.title.endswith("…")
    assert decision.submission.body.endswith("baris kedua")


def test_a_report_longer_than_a_complaint_may_be_is_refused_with_the_figures():
    """Over 4,000 characters: ``intake.text_too_long`` with the limit and the length, nothing filed."""
    decision = SMS.parse(sms("LAPOR " + "x" * 4001))
    assert decision == Unusable("intake.text_too_long", {"max": 4000, "actual": 4001})


@pytest.mark.parametrize(
    "text",
    [
        f"INFO {TID}",
        "info 7k3m9qxf2hjq",
        "Inpo 7K3M 9QXF 2HJ Q",
        f"cek #{TID}",
        f"STATUS: {TID} 🙏",
        "INF0 7K3M-9QXF-2HJ-Q",
    ],
)
def test_info_with_a_tracking_id_is_a_status_query(text):
    """``INFO`` (``CEK``, ``STATUS``, misspelt) and the ID as people type it ask for the status."""
    assert SMS.parse(sms(text)) == StatusQuery(TID)


def test_info_may_carry_the_access_key():
    """``INFO <ID> <key>`` hands the key on, for a number other than the reporter's."""
    decision = SMS.parse(sms(f"INFO {TID} {KEY.lower()}"))
    assert decision == StatusQuery(TID, access_key=KEY)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("INFO", "intake.tracking_id_missing"),
        ("info ?", "intake.tracking_id_missing"),
        ("INFO 7K3M-9QXF-2HJ-R", "intake.tracking_id_malformed"),  # wrong check symbol
        ("INFO 7K3M-9QXF", "intake.tracking_id_malformed"),
        ("BALAS", "intake.tracking_id_missing"),
        ("BALAS 7K3M9QXF2HJR sudah", "intake.tracking_id_malformed"),
        ("", "intake.empty"),
        ("   \n\t ", "intake.empty"),
        ("\x00\x01\u202e", "intake.empty"),
        ("LAPOR", "intake.report_empty"),
        ("📢 lapor :  ", "intake.report_empty"),
    ],
)
def test_messages_that_cannot_be_acted_on_get_a_reason_that_helps(text, reason):
    """Missing or mistyped IDs and empty texts are answered with a code whose text says what to send."""
    decision = SMS.parse(sms(text))
    assert isinstance(decision, Unusable)
    assert decision.reason == reason
    assert "kirim" in Answer(decision.reason, decision.params).text().lower()  # says what to send instead


@pytest.mark.parametrize(
    "text",
    [
        f"BALAS {TID} sudah dua minggu belum diperbaiki",
        f"bls {TID}: sudah dua minggu belum diperbaiki",
        f"{TID} sudah dua minggu belum diperbaiki",
        "balas 7k3m9qxf2hjq sudah dua minggu belum diperbaiki",
    ],
)
def test_a_reply_names_the_complaint_and_keeps_the_text(text):
    """``BALAS <ID> <text>`` (misspelt, or just ``<ID> <text>``) continues that complaint."""
    decision = SMS.parse(sms(text))
    assert decision == ReplyToComplaint(TID, "sudah dua minggu belum diperbaiki")


def test_a_reply_may_carry_the_access_key_before_its_text():
    """``BALAS <ID> <key> <text>``: the key is taken out of the text."""
    decision = SMS.parse(sms(f"BALAS {TID} {KEY} lokasinya depan masjid"))
    assert decision == ReplyToComplaint(TID, "lokasinya depan masjid", access_key=KEY)


def test_a_reply_without_text_is_refused_with_the_id_to_use():
    """``BALAS <ID>`` alone: ``intake.reply_empty``, whose text shows the command with this ID."""
    decision = SMS.parse(sms(f"BALAS {TID}"))
    assert isinstance(decision, Unusable)
    assert decision.reason == "intake.reply_empty"
    assert TID in Answer(decision.reason, decision.params).text()


def test_a_message_answering_the_gateway_reference_continues_that_complaint():
    """A gateway that threads replies passes our reference back (``in_reply_to``): free text is a reply."""
    decision = SMS.parse(sms("masih banjir pak", in_reply_to=f"lapor:{TID}"))
    assert decision == ReplyToComplaint(TID, "masih banjir pak")


def test_free_text_starting_with_a_word_that_happens_to_pass_the_check_stays_a_report():
    """An implicit reply needs an ID written with a digit or a hyphen, so a long word is not read as one."""
    decision = SMS.parse(sms("PEMERINTAHAN desa tidak melayani warga"))
    assert isinstance(decision, NewComplaint)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("081234567890", "+6281234567890"),
        ("0812-3456-7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("+62-812-3456-789", "+628123456789"),
        ("0062 812 3456 7890", "+6281234567890"),
        ("(0812) 3456.7890", "+6281234567890"),
    ],
)
def test_indonesian_numbers_are_normalised_to_e164(given, expected):
    """08xx, 628xx, +62 8xx and 0062, with spaces, dashes, dots, parentheses: ``+628...``."""
    assert normalize_phone(given) == expected


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("+1 415 555 0100", "phone.not_indonesian"),
        ("+60123456789", "phone.not_indonesian"),
        ("0065 9123 4567", "phone.not_indonesian"),
        ("021-555-1234", "phone.malformed"),  # a Jakarta landline cannot receive an SMS
        ("abc", "phone.malformed"),
        ("", "phone.malformed"),
        ("1708", "phone.malformed"),
        ("+62812", "phone.malformed"),
        ("9" * 100, "phone.malformed"),
        (None, "phone.malformed"),
        (6281234567890, "phone.malformed"),
    ],
)
def test_foreign_numbers_and_junk_are_refused_with_a_clear_code(given, code):
    """Another country code is ``phone.not_indonesian``; anything else ``phone.malformed``."""
    with pytest.raises(ValidationError) as raised:
        normalize_phone(given)
    assert [(e.field, e.code) for e in raised.value.errors] == [("phone", code)]


def test_a_foreign_or_junk_sender_gets_an_answer_saying_so():
    """The parser never files a complaint from a number it cannot store; it answers why."""
    assert SMS.parse(sms("LAPOR jalan", "+14155550100")) == Unusable("sms.sender_not_indonesian")
    assert SMS.parse(sms("LAPOR jalan", "PROMO-XL")) == Unusable("sms.sender_malformed")
    assert "Indonesia" in Answer("sms.sender_not_indonesian").text()


def test_the_sender_is_vouched_for_only_when_the_gateway_is_trusted():
    """``contact`` gives the E.164 number, or None with ``sender_verified=False`` or a junk number."""
    assert SMS.contact(sms("x")) == Contact("phone", "+6281234567890")
    assert SmsIntake(sender_verified=False).contact(sms("x")) is None
    assert SMS.contact(sms("x", "PROMO")) is None


def test_the_first_answer_with_tracking_id_and_key_fits_one_sms_in_every_locale():
    """``intake.received`` with the longest ID and key is one GSM-7 SMS, in Indonesian and English."""
    answer = Answer("intake.received", {"tracking_id": TID, "access_key": KEY}, tracking_id=TID)
    for locale in ("id", "en"):
        rendered = SMS.render(answer, locale)
        assert rendered.encoding == "gsm7"
        assert len(rendered.parts) == 1
        assert TID in rendered.parts[0]
        assert KEY in rendered.parts[0]
    assert SMS.render(answer).text.startswith("Laporan diterima")


def test_the_rendered_sms_never_shows_its_text_in_a_repr():
    """An answer may hold the access key: the repr of what is sent leaves the text out."""
    rendered = SMS.render(Answer("intake.received", {"tracking_id": TID, "access_key": KEY}))
    assert KEY not in repr(rendered)


def test_splitting_follows_the_gsm7_and_ucs2_limits():
    """160/153 septets for GSM-7, 70/67 units for UCS-2, extension characters counting two."""
    assert len(split_sms("a" * 160).parts) == 1
    assert [len(p) for p in split_sms("a" * 161).parts] == [153, 8]
    assert [len(p) for p in split_sms("€" * 80).parts] == [80]
    assert [gsm7_length(p) for p in split_sms("€" * 81).parts] == [152, 10]
    assert split_sms("ā" * 70).parts == ("ā" * 70,)
    assert [len(p) for p in split_sms("ā" * 71).parts] == [67, 4]
    assert [len(p) for p in split_sms("😡" * 36).parts] == [33, 3]  # a surrogate pair is never cut
    assert split_sms("").parts == ("",)


def _cost(text: str, gsm: bool) -> int:
    return gsm7_length(text) if gsm else sum(2 if ord(c) > 0xFFFF else 1 for c in text)


@given(st.text(alphabet=st.sampled_from("aZ0 @€[]~\n{}|^ā😡é"), max_size=600) | st.text(max_size=400))
def test_split_parts_rejoin_respect_the_limits_and_are_as_full_as_they_can_be(text):
    """Parts join back to the text; a single part fits 160/70; each of several fits 153/67 and is full."""
    result = split_sms(text)
    gsm = is_gsm7(text)
    assert result.encoding == ("gsm7" if gsm else "ucs2")
    assert "".join(result.parts) == text
    single, part = (GSM7_SINGLE, GSM7_PART) if gsm else (UCS2_SINGLE, UCS2_PART)
    if len(result.parts) == 1:
        assert _cost(text, gsm) <= single
    else:
        assert _cost(text, gsm) > single
        for index, chunk in enumerate(result.parts):
            assert 0 < _cost(chunk, gsm) <= part
            if index + 1 < len(result.parts):  # the next character would not have fitted
                assert _cost(chunk + result.parts[index + 1][0], gsm) > part


@given(
    text=st.text(max_size=2000),
    sender=st.text(max_size=40) | st.sampled_from(["081234567890", "+6281234567890"]),
    in_reply_to=st.none() | st.text(max_size=60),
)
def test_any_text_from_any_sender_gives_a_clean_decision(text, sender, in_reply_to):
    """Junk never raises: the parser returns one of the four decisions; unusable ones have a known code."""
    try:
        message = InboundMessage("sms", "gw-1", sender, text, AT, in_reply_to=in_reply_to)
    except ValidationError:
        return  # a blank or over-long sender is refused at the edge, before any parser
    decision = SMS.parse(message)
    assert isinstance(decision, NewComplaint | ReplyToComplaint | StatusQuery | Unusable)
    if isinstance(decision, Unusable):
        assert Answer(decision.reason, decision.params).text() != decision.reason  # in the catalogue
    SMS.render(Answer(decision.reason if isinstance(decision, Unusable) else "intake.empty"))


def test_a_reply_longer_than_a_complaint_may_be_is_refused_with_the_figures():
    """A reply over 4,000 characters: ``intake.text_too_long``."""
    decision = SMS.parse(sms(f"BALAS {TID} " + "y" * 4001))
    assert decision == Unusable("intake.text_too_long", {"max": 4000, "actual": 4001})


def test_a_gateway_reference_with_a_wrong_check_symbol_leaves_the_text_a_report():
    """``in_reply_to`` naming no valid tracking ID is ignored: the free text is a new complaint."""
    decision = SMS.parse(sms("masih banjir pak", in_reply_to="lapor:7K3M-9QXF-2HJ-R"))
    assert isinstance(decision, NewComplaint)


def test_a_report_of_only_emoji_is_still_a_report():
    """No word at all (``😡🚧``): no keyword to read, the text is the complaint."""
    decision = SMS.parse(sms("😡🚧"))
    assert isinstance(decision, NewComplaint)
    assert decision.submission.body == "😡🚧"


SMS_ANSWERS = [
    "intake.received",
    "intake.not_found",
    "intake.status",
    "intake.reply_recorded",
    "intake.reply_not_now",
    "intake.reply_not_accepted",
    "intake.reply_empty",
    "intake.not_accepted",
    "intake.unreadable",
    "intake.empty",
    "intake.report_empty",
    "intake.text_too_long",
    "intake.tracking_id_missing",
    "intake.tracking_id_malformed",
    "intake.rate_limited",
    "sms.sender_malformed",
    "sms.sender_not_indonesian",
]


@pytest.mark.parametrize("code", SMS_ANSWERS)
@pytest.mark.parametrize("locale", ["id", "en"])
@pytest.mark.parametrize("status", list(lc.Status))
def test_every_answer_the_sms_channel_gives_fits_one_gsm7_sms(code, locale, status):
    """With the longest values (any status, a 5-digit length, BALAS) every answer is one GSM-7 SMS."""
    params = {
        "tracking_id": TID,
        "access_key": KEY,
        "status": status,
        "summary": status.summary,
        "minutes": 60,
        "max": 4000,
        "actual": 100_000,
        "keyword": "BALAS",
    }
    rendered = SMS.render(Answer(code, params), locale)
    assert rendered.encoding == "gsm7"
    assert len(rendered.parts) == 1
    assert "${" not in rendered.text
