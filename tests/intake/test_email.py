"""The e-mail intake adapter: decisions, sender proof, answers, and inbound mail to the reply sent."""

from __future__ import annotations

import email
import email.policy
import logging
import socket
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import attrs
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SmtpServerProtocol  # noqa: N811 - named for what it is here
from aiosmtpd.smtp import Envelope, Session
from hypothesis import given
from hypothesis import strategies as st

import lapor_core as lc
from attachment_files import jpeg
from desk_support import ADMIN, make_desk, officer
from fake_imap import PASSWORD, USER, FakeImapServer
from lapor_core.intake import (
    Answer,
    InboundMessage,
    NewComplaint,
    ReplyToComplaint,
    SenderLimiter,
    StatusQuery,
    Unusable,
    handle,
)
from lapor_core.intake.email import (
    EmailIntake,
    ImapPoller,
    PollReport,
    parse_email,
    process_email,
    reply_email,
    thread_id,
)
from lapor_core.notifiers import SmtpNotifier

HOST = "127.0.0.1"
AT = datetime(2026, 3, 17, 3, tzinfo=UTC)
TID = "7K3M-9QXF-2HJ-Q"
MX = "mx.lapor.example"


def _mail(body: str = "Lampu jalan mati sejak Senin di Jl. Melati 4.", **headers: str) -> bytes:
    message = EmailMessage(policy=email.policy.SMTP)
    defaults = {
        "From": "Siti Aminah <siti@contoh.id>",
        "Subject": "Lampu jalan mati",
        "Message-ID": "<m1@contoh.id>",
    }
    for name, value in {**defaults, **headers}.items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


def _inbound(raw: bytes, intake: EmailIntake | None = None) -> InboundMessage:
    read = (intake or EmailIntake()).inbound(raw, received_at=AT)
    assert read is not None
    return read[0]


def _decide(raw: bytes) -> object:
    return EmailIntake().parse(_inbound(raw))


# --- decisions ---------------------------------------------------------------------------------------------


def test_new_mail_is_a_complaint_with_the_sender_as_its_only_contact() -> None:
    """Subject as title, new text as body, channel e-mail; the display name is not kept (minimum data)."""
    decision = _decide(_mail())
    assert isinstance(decision, NewComplaint)
    submission = decision.submission
    assert (submission.title, submission.body) == (
        "Lampu jalan mati",
        "Lampu jalan mati sejak Senin di Jl. Melati 4.",
    )
    assert submission.channel is lc.Channel.EMAIL
    assert submission.kind is lc.Kind.PENGADUAN
    assert submission.reporter is not None
    assert (submission.reporter.email, submission.reporter.name) == ("siti@contoh.id", None)
    assert not submission.anonymous


def test_privacy_tags_in_the_subject_set_the_flags_and_leave_the_title() -> None:
    """``[ANONIM]`` and ``[Rahasia]`` (any case) set the flags and are not part of the title."""
    decision = _decide(_mail(Subject="[ANONIM] [Rahasia] Pungli di kantor kelurahan"))
    assert isinstance(decision, NewComplaint)
    assert decision.submission.anonymous
    assert decision.submission.confidential
    assert decision.submission.title == "Pungli di kantor kelurahan"


def test_without_subject_the_first_line_is_the_title_and_a_long_one_is_cut_at_a_word() -> None:
    """A missing subject takes the first line; a title over 150 characters ends with an ellipsis."""
    words = "jalan rusak parah " * 20
    decision = _decide(_mail(f"{words}\nbaris kedua", Subject=""))
    assert isinstance(decision, NewComplaint)
    title = decision.submission.title
    assert len(title) <= 150
    assert title.endswith("\u2026")
    assert words.startswith(title[:-1])


def test_subject_only_mail_is_a_complaint_whose_body_is_the_subject() -> None:
    """Some people write everything in the subject line."""
    decision = _decide(_mail("", Subject="Sampah menumpuk di Pasar Minggu 😷"))
    assert isinstance(decision, NewComplaint)
    assert decision.submission.body == "Sampah menumpuk di Pasar Minggu 😷"


@pytest.mark.parametrize(
    ("body", "subject", "code"),
    [
        ("", "", "email.empty"),
        ("   \n> kutipan saja\n", "Re:", "email.empty"),
        ("x" * 4001, "Panjang", "email.too_long"),
    ],
)
def test_unusable_mail_gets_a_reason_that_helps(body: str, subject: str, code: str) -> None:
    """Empty mail (a quote is not new text) and mail longer than a complaint are refused with a code."""
    decision = _decide(_mail(body, Subject=subject))
    assert isinstance(decision, Unusable)
    assert decision.reason == code


def test_reply_in_our_thread_continues_the_complaint_and_the_key_leaves_the_text() -> None:
    """Our thread ID in References makes it a reply; the access key written in it is the proof, not text."""
    raw = _mail(
        "Kunci saya abcd-efgh-jkmn-pqrs. Lubangnya makin besar!\n\nPada 17 Mar 2026, LAPOR! menulis:\n> ...",
        Subject="Re: Balasan LAPOR!",
        References=thread_id(TID, "lapor.example"),
    )
    decision = _decide(raw)
    assert isinstance(decision, ReplyToComplaint)
    assert decision.tracking_id == TID
    assert decision.access_key == "ABCD-EFGH-JKMN-PQRS"
    assert "ABCD" not in decision.text.upper()
    assert decision.text.endswith("Lubangnya makin besar!")


def test_an_over_long_reply_is_refused_with_the_limit() -> None:
    """A reply longer than a complaint's text may be is unusable, with the limit in the answer."""
    decision = _decide(_mail("y" * 4001, Subject=f"Re: [LAPOR! {TID}] Balasan LAPOR!"))
    assert decision == Unusable("email.too_long", {"max": 4000})


def test_tracking_id_in_a_subject_in_mixed_case_makes_a_reply() -> None:
    """``re: [lapor! 7k3m-9qxf-2hj-q]`` as a mail program or a person wrote it."""
    decision = _decide(_mail("Sudah ada petugas datang?", Subject="re: [lapor! 7k3m-9qxf-2hj-q] balasan"))
    assert isinstance(decision, ReplyToComplaint)
    assert decision.tracking_id == TID


@pytest.mark.parametrize(
    ("body", "subject"),
    [
        ("", f"Re: [LAPOR! {TID}] Balasan LAPOR!"),
        ("INFO", f"Re: [LAPOR! {TID}] Balasan LAPOR!"),
        ("cek status dong", f"[LAPOR! {TID}]"),
        (f"mohon info laporan {TID.lower()}", "Info"),
        ("", f"STATUS {TID}"),
    ],
)
def test_status_questions(body: str, subject: str) -> None:
    """An empty reply, INFO, a subject starting with a command word: a status query."""
    decision = _decide(_mail(body, Subject=subject))
    assert isinstance(decision, StatusQuery)
    assert decision.tracking_id == TID


def test_a_wrong_check_symbol_in_the_subject_is_a_new_complaint() -> None:
    """A mistyped ID is not attached to somebody else's complaint."""
    assert isinstance(_decide(_mail("Jalan rusak", Subject="Re: [LAPOR! 7K3M-9QXF-2HJ-R]")), NewComplaint)


def test_message_built_directly_with_a_bad_sender_is_unusable() -> None:
    """The parser is total: a sender that is not an address is a reason, not an exception."""
    message = InboundMessage("email", "m-1", "not an address", "Halo", AT)
    assert EmailIntake().parse(message) == Unusable("email.sender_malformed")


@given(
    st.text(max_size=300),
    st.one_of(st.none(), st.text(max_size=80)),
    st.one_of(st.none(), st.text(max_size=80)),
    st.sampled_from(["warga@contoh.id", "x", "+6281234567890", "@@"]),
)
def test_parse_is_total(text: str, subject: str | None, in_reply_to: str | None, sender: str) -> None:
    """Any inbound message gives a decision and never an exception."""
    try:
        message = InboundMessage("email", "m-1", sender, text, AT, subject=subject, in_reply_to=in_reply_to)
    except lc.ValidationError:
        return  # the port refused it (a control character in in_reply_to): never reaches a parser
    assert isinstance(EmailIntake().parse(message), NewComplaint | ReplyToComplaint | StatusQuery | Unusable)


@pytest.mark.parametrize("reference", ["<a\x01b@c>", "<a\u00e9\u202eb@c>", "<" + "x" * 300 + "@c>", "<>"])
def test_odd_message_ids_are_ignored_not_raised_on(reference: str) -> None:
    """A control character, a non-ASCII letter, an over-long or empty ID in a header is no message ID."""
    raw = f"From: a@contoh.id\r\nIn-Reply-To: {reference}\r\nMessage-ID: {reference}\r\n\r\nhalo"
    read = EmailIntake().inbound(raw, received_at=AT)
    assert read is not None
    assert read[0].in_reply_to is None
    assert read[1].message_id is None


_HEADER_VALUE = st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=80)


@given(
    st.fixed_dictionaries(
        {"From": st.sampled_from(["a@contoh.id", "Siti <s@contoh.id>"])},
        optional=dict.fromkeys(
            ("Subject", "Message-ID", "In-Reply-To", "References", "Authentication-Results"), _HEADER_VALUE
        ),
    ),
    st.text(max_size=300),
)
def test_inbound_with_any_header_values_never_raises(headers: dict[str, str], body: str) -> None:
    """Whatever the headers hold, inbound gives a message whose decision is clean, or None."""
    raw = "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n" + body
    intake = EmailIntake(authserv_id="mx.lapor.example")
    read = intake.inbound(raw, received_at=AT)
    if read is not None:
        assert isinstance(intake.parse(read[0]), NewComplaint | ReplyToComplaint | StatusQuery | Unusable)
        assert intake.contact(read[0]) is None or read[0].sender_verified


@given(st.binary(max_size=2000))
def test_inbound_from_junk_bytes_never_raises(raw: bytes) -> None:
    """Arbitrary bytes give None or a message whose decision is clean."""
    intake = EmailIntake()
    read = intake.inbound(raw, received_at=AT)
    if read is not None:
        assert isinstance(intake.parse(read[0]), NewComplaint | ReplyToComplaint | StatusQuery | Unusable)


# --- inbound, sender proof, answers ------------------------------------------------------------------------


def test_automatic_and_sender_less_mail_is_not_answered() -> None:
    """Auto-replies and bounces would make robots talk forever; without a sender nobody can be answered."""
    intake = EmailIntake()
    assert intake.inbound(_mail(**{"Auto-Submitted": "auto-replied"}), received_at=AT) is None
    assert intake.inbound(_mail(From="Mailer-Daemon"), received_at=AT) is None


def test_message_id_is_a_digest_of_sender_and_message_id() -> None:
    """A redelivery is the same message; the same Message-ID from two senders is two messages; no address."""
    first, again = _inbound(_mail()), _inbound(_mail())
    other = _inbound(_mail(From="budi@contoh.id"))
    assert first.message_id == again.message_id != other.message_id
    assert "contoh" not in first.message_id
    assert first.idempotency_key.startswith("email:m-")


def test_message_without_message_id_is_keyed_by_its_bytes() -> None:
    """Without a Message-ID the raw bytes decide: the same bytes, the same key."""
    message = EmailMessage()
    message["From"] = "siti@contoh.id"
    message.set_content("Halo")
    raw = message.as_bytes()
    assert _inbound(raw).message_id == _inbound(raw).message_id
    assert _inbound(raw).message_id != _inbound(raw + b"!").message_id


def _authenticated(result: str) -> bytes:
    return _mail(**{"Authentication-Results": result})


@pytest.mark.parametrize(
    ("result", "vouched"),
    [
        (
            f"{MX}; spf=pass smtp.mailfrom=contoh.id; dkim=pass; dmarc=pass (p=reject) header.from=contoh.id",
            True,
        ),
        (f"{MX} 1; DMARC=Pass header.from=Contoh.ID", True),
        (f"{MX}; dmarc=fail header.from=contoh.id", False),
        (f"{MX}; dmarc=pass header.from=other.id", False),
        ("mx.attacker.example; dmarc=pass header.from=contoh.id", False),
        (f"{MX}; spf=pass", False),
    ],
)
def test_only_our_mail_servers_dmarc_pass_vouches_for_the_sender(result: str, vouched: bool) -> None:
    """Results of another server (forgeable by the sender) or for another domain count for nothing."""
    intake = EmailIntake(authserv_id=MX)
    contact = intake.contact(_inbound(_authenticated(result), intake))
    assert (contact is not None) is vouched
    if contact is not None:
        assert (contact.kind, contact.address) == ("email", "siti@contoh.id")


def test_without_an_authserv_id_no_sender_is_believed() -> None:
    """The default believes no header at all."""
    intake = EmailIntake()
    assert intake.contact(_inbound(_authenticated(f"{MX}; dmarc=pass header.from=contoh.id"), intake)) is None


def test_render_threads_the_subject_and_says_it_the_e_mail_way() -> None:
    """The receipt's subject carries the tracking ID; its text says how to go on by e-mail, in Indonesian."""
    answer = Answer(
        "intake.received", {"tracking_id": TID, "access_key": "ABCD-EFGH-JKMN-PQRS"}, tracking_id=TID
    )
    reply = EmailIntake().render(answer)
    assert reply.subject == f"[LAPOR! {TID}] Balasan LAPOR!"
    assert "ABCD-EFGH-JKMN-PQRS" in reply.text
    assert "balas surel ini" in reply.text.lower()
    assert "Reply to this e-mail" in EmailIntake().render(answer, "en").text
    assert "ABCD" not in repr(reply)


def test_reply_email_is_threaded_under_the_sender_message_and_the_complaint() -> None:
    """In-Reply-To names the sender's message; References starts with the complaint's thread ID."""
    parsed = parse_email(_mail(References="<older@contoh.id>"))
    reply = EmailIntake().render(Answer("intake.status", {"tracking_id": TID}, tracking_id=TID))
    message = reply_email(parsed, reply, domain="lapor.example")
    assert message["To"] == "siti@contoh.id"
    assert message["In-Reply-To"] == "<m1@contoh.id>"
    assert str(message["References"]).split() == [
        thread_id(TID, "lapor.example"),
        "<older@contoh.id>",
        "<m1@contoh.id>",
    ]
    assert message["Auto-Submitted"] == "auto-replied"


def test_reply_email_needs_a_sender() -> None:
    """An unreadable sender cannot be answered: a validation error naming the field."""
    reply = EmailIntake().render(Answer("intake.unreadable"))
    with pytest.raises(lc.ValidationError) as caught:
        reply_email(parse_email(b""), reply, domain="lapor.example")
    assert caught.value.fields_by_name == {"sender": ("email.sender_malformed",)}


# --- end to end: a local SMTP server ------------------------------------------------------------------------


@attrs.define
class Mailbox:
    """An aiosmtpd handler keeping the messages it receives, with their envelope recipients."""

    received: list[tuple[list[str], EmailMessage]] = attrs.field(factory=list)
    lock: threading.Lock = attrs.field(factory=threading.Lock)

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SmtpServerProtocol, session: Session, envelope: Envelope
    ) -> str:
        parsed = email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"

    def last(self) -> EmailMessage:
        with self.lock:
            return self.received[-1][1]


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, SmtpNotifier]]:
    """A plain SMTP server on a free port of 127.0.0.1 and a notifier sending to it."""
    mailbox = Mailbox()
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = int(probe.getsockname()[1])
    controller = Controller(mailbox, hostname=HOST, port=port, ready_timeout=10)
    controller.start()
    notifier = SmtpNotifier(HOST, port, sender="LAPOR! <noreply@lapor.example>", security="none", timeout=10)
    yield mailbox, notifier
    controller.stop()


def _answering(reply_to: EmailMessage, body: str, *, verified: bool = True) -> bytes:
    """The reporter's answer to ``reply_to`` as a mail program writes it (References copied, quote below)."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = "Siti Aminah <siti@contoh.id>"
    message["Subject"] = f"Re: {reply_to['Subject']}"
    message["Message-ID"] = f"<r{abs(hash(body))}@contoh.id>"
    message["In-Reply-To"] = str(reply_to["Message-ID"])
    message["References"] = f"{reply_to['References'] or ''} {reply_to['Message-ID']}".strip()
    if verified:
        message["Authentication-Results"] = f"{MX}; dmarc=pass header.from=contoh.id"
    original = reply_to.get_body(("plain",))
    assert original is not None
    quoted = "\n".join(f"> {line}" for line in original.get_content().splitlines())
    message.set_content(f"{body}\n\nPada 17 Mar 2026 10.00 LAPOR! menulis:\n{quoted}\n")
    return message.as_bytes()


def test_from_inbound_mail_to_receipt_to_status_mail_to_reply(
    smtp: tuple[Mailbox, SmtpNotifier], caplog: pytest.LogCaptureFixture
) -> None:
    """A complaint by e-mail, its receipt, a follow-up mailed through the outbox, the reporter's reply."""
    mailbox, notifier = smtp
    desk, _clock = make_desk()
    intake = EmailIntake(authserv_id=MX)
    caplog.set_level(logging.DEBUG, logger="lapor_core")

    handled = process_email(desk, _mail(), intake=intake, notifier=notifier, received_at=AT)
    assert handled is not None
    assert handled.answer.code == "intake.received"
    tid = handled.answer.tracking_id
    assert tid is not None
    to, receipt = mailbox.received[-1]
    assert to == ["siti@contoh.id"]
    assert receipt["In-Reply-To"] == "<m1@contoh.id>"
    assert thread_id(tid, "lapor.example") in str(receipt["References"])
    assert tid in str(receipt["Subject"])
    key = str(handled.answer.params["access_key"])
    assert key in receipt.get_content()
    assert desk.view(desk.authenticate(tid, key), tid).channel is lc.Channel.EMAIL

    # The same message delivered again: the same complaint, the same key, one complaint stored.
    again = process_email(desk, _mail(), intake=intake, notifier=notifier, received_at=AT)
    assert again is not None
    assert again.answer.params == handled.answer.params

    # The institution answers; the reporter is told by e-mail through the outbox, threaded on the complaint.
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(officer(), tid, "Petugas PJU dijadwalkan Kamis.")
    desk_notifier = lc.notifiers.CompositeNotifier.by_channel({"email": notifier})
    report = lc.Dispatcher(
        desk.store, desk_notifier, lc.AddressBook(admin="mailto:admin@lapor.example")
    ).deliver()
    assert report.sent
    follow_up = next(
        m for rcpt, m in mailbox.received if rcpt == ["siti@contoh.id"] and m["X-Lapor-Event"] == "follow_up"
    )
    assert thread_id(tid, "lapor.example") in str(follow_up["References"])

    # The reporter answers that e-mail: DMARC-verified sender, no key needed; the quote is not stored.
    replied = process_email(
        desk,
        _answering(follow_up, "Terima kasih, tapi lampu di gang sebelah juga mati."),
        intake=intake,
        notifier=notifier,
        received_at=AT,
    )
    assert replied is not None
    assert replied.answer.code == "intake.reply_recorded"
    last = desk.history(ADMIN, tid)[-1]
    assert last.action.value == "reply"
    assert last.payload["message"] == "Terima kasih, tapi lampu di gang sebelah juga mati."
    assert mailbox.last()["In-Reply-To"] is not None

    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("lapor_core"))
    assert "intake email message m-" in logged
    assert "siti" not in logged.lower()
    assert "Lampu jalan" not in logged
    assert "gang sebelah" not in logged


def test_an_unverified_reply_without_the_key_is_not_attached(smtp: tuple[Mailbox, SmtpNotifier]) -> None:
    """A forged From is not enough: the answer is "not found", the complaint unchanged."""
    mailbox, notifier = smtp
    desk, _clock = make_desk()
    intake = EmailIntake(authserv_id=MX)
    handled = process_email(desk, _mail(), intake=intake, notifier=notifier, received_at=AT)
    assert handled is not None
    tid = str(handled.answer.tracking_id)
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(officer(), tid, "Sudah diperbaiki.")
    version = desk.store.get(tid).version
    receipt = mailbox.last()
    forged = process_email(
        desk, _answering(receipt, "Belum!", verified=False), intake=intake, notifier=notifier, received_at=AT
    )
    assert forged is not None
    assert forged.answer.code == "intake.not_found"
    assert desk.store.get(tid).version == version
    assert "tidak ditemukan" in mailbox.last().get_content()


def test_the_answer_goes_to_from_never_to_reply_to(smtp: tuple[Mailbox, SmtpNotifier]) -> None:
    """A Reply-To (anyone can write one) never redirects the access key: it goes to the From address only."""
    mailbox, notifier = smtp
    desk, _clock = make_desk()
    raw = _mail(**{"Reply-To": "pencuri@evil.example"})
    process_email(desk, raw, intake=EmailIntake(), notifier=notifier, received_at=AT)
    ((to, receipt),) = mailbox.received
    assert to == ["siti@contoh.id"]
    assert "evil" not in str(receipt["To"])


def test_a_sender_over_the_limit_is_told_when_to_try_again(smtp: tuple[Mailbox, SmtpNotifier]) -> None:
    """The port's per-sender limiter applies; the answer says so the e-mail way, and nothing is filed."""
    mailbox, notifier = smtp
    desk, _clock = make_desk()
    limiter = SenderLimiter(max_messages=1, window_seconds=600, clock=lambda: 0.0)
    intake = EmailIntake()
    first = process_email(desk, _mail(), intake=intake, notifier=notifier, received_at=AT, limiter=limiter)
    second = process_email(
        desk,
        _mail("Lain lagi", **{"Message-ID": "<m2@contoh.id>"}),
        intake=intake,
        notifier=notifier,
        received_at=AT,
        limiter=limiter,
    )
    assert first is not None
    assert second is not None
    assert second.answer.code == "intake.rate_limited"
    assert "Terlalu banyak surel dari alamat ini" in mailbox.last().get_content()
    assert len(desk.store.pending_outbox()) == 2  # the first complaint's messages only


def test_an_empty_mail_gets_a_helpful_indonesian_answer(smtp: tuple[Mailbox, SmtpNotifier]) -> None:
    """Never silence: an empty e-mail is answered with what to write."""
    mailbox, notifier = smtp
    desk, _clock = make_desk()
    handled = process_email(
        desk, _mail("", Subject=""), intake=EmailIntake(), notifier=notifier, received_at=AT
    )
    assert handled is not None
    assert handled.answer.code == "email.empty"
    assert "Surel Anda kosong" in mailbox.last().get_content()
    assert desk.store.pending_outbox() == ()


def _with_files(*files: tuple[str, bytes]) -> bytes:
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = "siti@contoh.id"
    message["Subject"] = "Jalan berlubang"
    message["Message-ID"] = f"<f{len(files)}@contoh.id>"
    message.set_content("Foto terlampir.")
    for name, data in files:
        maintype, subtype = ("image", "jpeg") if name.endswith(".jpg") else ("application", "octet-stream")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def test_attached_photos_are_handed_to_the_desk(smtp: tuple[Mailbox, SmtpNotifier]) -> None:
    """A photo attached to a new complaint is checked, stripped and stored with it."""
    _mailbox, notifier = smtp
    desk, _clock = make_desk()
    raw = _with_files(("jalan.jpg", jpeg()))
    handled = process_email(desk, raw, intake=EmailIntake(), notifier=notifier, received_at=AT)
    assert handled is not None
    assert handled.answer.code == "intake.received"
    tid = str(handled.answer.tracking_id)
    (attachment,) = desk.attachments(ADMIN, tid)
    assert attachment.filename == "jalan.jpg"


def test_refused_files_leave_the_report_filed_and_the_sender_told(smtp: tuple[Mailbox, SmtpNotifier]) -> None:
    """A file the desk refuses does not lose the report: it is filed without files, and the answer says so."""
    mailbox, notifier = smtp
    desk, _clock = make_desk()
    raw = _with_files(("jalan.jpg", jpeg()), ("virus.exe", b"MZ\x90\x00" * 50))
    handled = process_email(desk, raw, intake=EmailIntake(), notifier=notifier, received_at=AT)
    assert handled is not None
    assert handled.answer.code == "intake.received_without_attachments"
    tid = str(handled.answer.tracking_id)
    assert desk.attachments(ADMIN, tid) == ()
    assert "lampirannya tidak dapat diterima" in mailbox.received[-1][1].get_content()
    again = process_email(desk, raw, intake=EmailIntake(), notifier=notifier, received_at=AT)
    assert again is not None
    assert again.answer.params == handled.answer.params  # the repeat is the same complaint


def test_handle_takes_the_adapter_like_any_other() -> None:
    """The port's service runs the e-mail adapter's decision (here a status query of an unknown complaint)."""
    desk, _clock = make_desk()
    handled = handle(desk, EmailIntake(), _inbound(_mail("", Subject=f"INFO {TID}")))
    assert handled.answer.code == "intake.not_found"
    assert "tulis kunci akses" in handled.rendered.text


# --- the IMAP poller against a fake IMAP server ------------------------------------------------------------


@pytest.fixture
def imap() -> Iterator[FakeImapServer]:
    """A fake IMAP server on 127.0.0.1."""
    with FakeImapServer() as server:
        yield server


def _poller(imap: FakeImapServer, password: str = PASSWORD) -> ImapPoller:
    return ImapPoller(HOST, imap.port, username=USER, password=password, security="none", timeout=10)


def test_the_poller_takes_unseen_mail_answers_and_flags_it(
    imap: FakeImapServer, smtp: tuple[Mailbox, SmtpNotifier]
) -> None:
    """A complaint is filed and answered, an auto-reply left unanswered; both flagged seen, none twice."""
    mailbox, notifier = smtp
    desk, _clock = make_desk()
    complaint = imap.deliver(_mail())
    auto = imap.deliver(
        _mail("Saya sedang cuti.", **{"Auto-Submitted": "auto-replied", "Message-ID": "<o@x.id>"})
    )
    report = _poller(imap).poll(desk, intake=EmailIntake(), notifier=notifier, now=AT)
    assert report == PollReport(answered=(str(complaint),), unanswered=(str(auto),))
    assert imap.seen() == [complaint, auto]
    ((to, receipt),) = mailbox.received
    assert to == ["siti@contoh.id"]
    assert "kunci akses" in receipt.get_content()
    assert _poller(imap).poll(desk, intake=EmailIntake(), notifier=notifier) == PollReport()


def test_a_message_whose_answer_fails_stays_unseen_for_the_next_poll(
    imap: FakeImapServer, smtp: tuple[Mailbox, SmtpNotifier]
) -> None:
    """SMTP down: the message is left unseen; the next poll files nothing new and answers the same receipt."""
    mailbox, notifier = smtp
    desk, _clock = make_desk()
    uid = imap.deliver(_mail())
    dead = SmtpNotifier(HOST, 9, sender="LAPOR! <noreply@lapor.example>", security="none", timeout=2)
    assert _poller(imap).poll(desk, intake=EmailIntake(), notifier=dead, now=AT) == PollReport(
        failed=(str(uid),)
    )
    assert imap.seen() == []
    assert _poller(imap).poll(desk, intake=EmailIntake(), notifier=notifier, now=AT).answered == (str(uid),)
    assert len(desk.complaints(ADMIN).items) == 1
    assert len(mailbox.received) == 1


def test_a_refused_login_or_folder_is_temporary_and_names_no_user(imap: FakeImapServer) -> None:
    """Wrong password, missing folder, nothing listening: imap.failed, without the user or password."""
    desk, _clock = make_desk()
    notifier = SmtpNotifier(HOST, 9, sender="noreply@lapor.example", security="none")
    with pytest.raises(lc.errors.TemporaryNotificationError) as caught:
        _poller(imap, password="salah").poll(desk, intake=EmailIntake(), notifier=notifier)
    assert caught.value.detail == "imap.failed"
    assert USER not in str(caught.value)
    imap.fail_select = True
    with pytest.raises(lc.errors.TemporaryNotificationError):
        _poller(imap).poll(desk, intake=EmailIntake(), notifier=notifier)
    with pytest.raises(lc.errors.TemporaryNotificationError):
        ImapPoller(HOST, 9, username=USER, password=PASSWORD, security="none", timeout=2).poll(
            desk, intake=EmailIntake(), notifier=notifier
        )


@pytest.mark.parametrize(
    ("options", "code"),
    [({"security": "tls"}, "imap.security_unknown"), ({"timeout": 0}, "imap.timeout_not_positive")],
)
def test_poller_options_are_checked(options: dict[str, object], code: str) -> None:
    """A bad option is a configuration error naming it."""
    with pytest.raises(lc.ConfigurationError) as caught:
        ImapPoller("imap.example", username=USER, password=PASSWORD, **options)  # type: ignore[arg-type]
    assert caught.value.detail == code


@pytest.fixture(scope="module")
def tls_ca() -> Any:
    """A throwaway certificate authority, and a certificate it issued for 127.0.0.1."""
    trustme = pytest.importorskip("trustme", reason="trustme (a dev dependency) makes the test certificates")
    return trustme.CA()


def _server_context(ca: Any) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(HOST).configure_cert(context)
    return context


def _client_context(ca: Any) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_the_poller_reads_mail_over_tls_and_verifies_the_server(
    tls_ca: Any, security: str, smtp: tuple[Mailbox, SmtpNotifier]
) -> None:
    """Implicit TLS and STARTTLS with a trusted certificate: filed and answered; an untrusted one: refused."""
    _mailbox, notifier = smtp
    desk, _clock = make_desk()
    with FakeImapServer(tls=_server_context(tls_ca), tls_mode=security) as imap:
        uid = imap.deliver(_mail())
        untrusted = ImapPoller(
            HOST, imap.port, username=USER, password=PASSWORD, security=security, timeout=10
        )
        with pytest.raises(lc.errors.TemporaryNotificationError) as caught:
            untrusted.poll(desk, intake=EmailIntake(), notifier=notifier, now=AT)
        assert caught.value.detail == "imap.failed"
        assert imap.seen() == []
        trusted = ImapPoller(
            HOST,
            imap.port,
            username=USER,
            password=PASSWORD,
            security=security,
            ssl_context=_client_context(tls_ca),
            timeout=10,
        )
        report = trusted.poll(desk, intake=EmailIntake(), notifier=notifier, now=AT)
        assert report.answered == (str(uid),)
        assert imap.seen() == [uid]
    assert len(desk.complaints(ADMIN).items) == 1


def test_a_server_that_wants_tls_refuses_a_plain_login(
    tls_ca: Any, smtp: tuple[Mailbox, SmtpNotifier]
) -> None:
    """``security="none"`` against a STARTTLS-only server: the login is refused, the poll fails for now."""
    _mailbox, notifier = smtp
    desk, _clock = make_desk()
    with FakeImapServer(tls=_server_context(tls_ca), tls_mode="starttls") as imap:
        imap.deliver(_mail())
        with pytest.raises(lc.errors.TemporaryNotificationError):
            _poller(imap).poll(desk, intake=EmailIntake(), notifier=notifier, now=AT)
        assert imap.seen() == []
    assert desk.complaints(ADMIN).items == ()
