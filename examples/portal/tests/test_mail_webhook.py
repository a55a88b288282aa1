"""The inbound e-mail webhook: signed raw messages in, the answer mailed back by a local SMTP server."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from email.message import EmailMessage

import attrs
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SmtpServerProtocol  # noqa: N811 - named for what it is here
from aiosmtpd.smtp import Envelope, Session
from fastapi.testclient import TestClient

import lapor_core as lc
from lapor_core.notifiers import SmtpNotifier
from lapor_core.notifiers.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from lapor_core.testing import FrozenClock
from lapor_portal import PortalSettings, create_app
from portal_helpers import PEPPER, START

SECRET = b"mail server secret shared with the portal"
NOW = int(START.timestamp())
MX = "mx.lapor.example"
HOST = "127.0.0.1"


@attrs.define
class Mailbox:
    """An aiosmtpd handler keeping what it receives, with the envelope recipients."""

    received: list[tuple[list[str], EmailMessage]] = attrs.field(factory=list)
    lock: threading.Lock = attrs.field(factory=threading.Lock)

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SmtpServerProtocol,  # noqa: ARG002 - aiosmtpd's signature
        session: Session,  # noqa: ARG002
        envelope: Envelope,
    ) -> str:
        """Keep the message."""
        parsed = email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    """A plain SMTP server on a free port of 127.0.0.1."""
    box = Mailbox()
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = int(probe.getsockname()[1])
    controller = Controller(box, hostname=HOST, port=port, ready_timeout=10)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture
def settings(mailbox: tuple[Mailbox, int]) -> PortalSettings:
    """E-mail intake on, answering through the local SMTP server, with a small per-sender limit."""
    notifier = SmtpNotifier(
        HOST, mailbox[1], sender="LAPOR! <lapor@pemda.example>", security="none", timeout=10
    )
    return PortalSettings(
        sweep_seconds=None,
        mail_webhook_secret=SECRET,
        mail_notifier=notifier,
        mail_authserv_id=MX,
        intake_messages_per_hour=3,
    )


def _mail(body: str = "Lampu jalan mati di Jl. Melati 5 sejak Senin.", **headers: str) -> bytes:
    message = EmailMessage(policy=email.policy.SMTP)
    for name, value in {
        "From": "Siti <siti@contoh.id>",
        "Subject": "Lampu jalan mati",
        "Message-ID": "<m1@contoh.id>",
        **headers,
    }.items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


def _post(client: TestClient, raw: bytes, *, secret: bytes = SECRET, at: int = NOW, signed: bool = True):
    headers = {"Content-Type": "message/rfc822"}
    if signed:
        headers |= {TIMESTAMP_HEADER: str(at), SIGNATURE_HEADER: sign(secret, str(at), raw)}
    return client.post("/api/mail/inbound", content=raw, headers=headers)


def test_an_inbound_mail_files_a_complaint_and_the_receipt_is_mailed_back(client, desk, mailbox):
    """200 naming the tracking ID; the sender gets the ID and a working key by e-mail, threaded."""
    box, _port = mailbox
    response = _post(client, _mail())
    assert response.status_code == 200
    assert response.json()["code"] == "intake.received"
    tid = response.json()["tracking_id"]
    ((to, receipt),) = box.received
    assert to == ["siti@contoh.id"]
    assert receipt["In-Reply-To"] == "<m1@contoh.id>"
    assert f"<lapor.{tid}@pemda.example>" in str(receipt["References"])
    key = receipt.get_content().split("kunci akses: ")[1].split(" ")[0]
    assert desk.view(desk.authenticate(tid, key), tid).channel is lc.Channel.EMAIL


def test_the_mail_server_retrying_gets_the_same_complaint(client, desk, mailbox):
    """A redelivered message is recognised: one complaint, the same answer mailed again."""
    first, again = _post(client, _mail()).json(), _post(client, _mail()).json()
    assert first == again
    assert len(desk.complaints(lc.Principal.admin("adm-1")).items) == 1


def test_a_verified_reply_in_the_thread_is_recorded(client, desk, mailbox):
    """After a follow-up the reporter's reply (DMARC pass at our MX) continues the complaint, no key."""
    box, _port = mailbox
    tid = _post(client, _mail()).json()["tracking_id"]
    desk.forward(lc.Principal.admin("adm-1"), tid, institution="31.71")
    desk.follow_up(lc.Principal.institution_officer("off-1", institution="31.71"), tid, "Dijadwalkan Kamis.")
    reply = _mail(
        "Terima kasih, ditunggu.\n\nPada 17 Mar 2026 10.00 LAPOR! menulis:\n> Laporan Anda ...",
        Subject=f"Re: [LAPOR! {tid}] Balasan LAPOR!",
        **{
            "Message-ID": "<m2@contoh.id>",
            "References": f"<lapor.{tid}@pemda.example>",
            "Authentication-Results": f"{MX}; dmarc=pass header.from=contoh.id",
        },
    )
    assert _post(client, reply).json()["code"] == "intake.reply_recorded"
    assert desk.history(lc.Principal.admin("adm-1"), tid)[-1].payload["message"] == "Terima kasih, ditunggu."
    assert "sudah dicatat" in box.received[-1][1].get_content()


@pytest.mark.parametrize("case", ["unsigned", "wrong secret", "too old", "body changed"])
def test_unsigned_wrongly_signed_or_old_requests_are_refused_before_the_desk(client, desk, mailbox, case):
    """401 for every request whose signature does not hold; nothing is filed and nothing is mailed."""
    box, _port = mailbox
    raw = _mail()
    if case == "unsigned":
        response = _post(client, raw, signed=False)
    elif case == "wrong secret":
        response = _post(client, raw, secret=b"some other secret of 16+ bytes")
    elif case == "too old":
        response = _post(client, raw, at=NOW - 301)
    else:
        headers = {TIMESTAMP_HEADER: str(NOW), SIGNATURE_HEADER: sign(SECRET, str(NOW), raw)}
        response = client.post("/api/mail/inbound", content=raw + b"tambahan", headers=headers)
    assert response.status_code == 401
    assert desk.store.pending_outbox() == ()
    assert box.received == []


def test_auto_replies_are_not_answered_and_junk_gets_a_helpful_answer(client, desk, mailbox):
    """An out-of-office reply is left alone; an empty e-mail is told what to write."""
    box, _port = mailbox
    auto = _post(client, _mail("Saya sedang cuti.", **{"Auto-Submitted": "auto-replied"}))
    assert auto.json() == {"code": None, "tracking_id": None}
    assert box.received == []
    empty = _post(client, _mail("", Subject="", **{"Message-ID": "<m9@contoh.id>"}))
    assert empty.json()["code"] == "email.empty"
    assert "Surel Anda kosong" in box.received[-1][1].get_content()


def test_a_sender_over_the_limit_is_told_to_wait(client, mailbox):
    """The fourth e-mail in an hour from one address is answered with the limit, not filed."""
    box, _port = mailbox
    for number in range(3):
        _post(client, _mail(f"Laporan {number}", **{"Message-ID": f"<n{number}@contoh.id>"}))
    over = _post(client, _mail("Laporan 4", **{"Message-ID": "<n4@contoh.id>"}))
    assert over.json()["code"] == "intake.rate_limited"
    assert "Terlalu banyak surel" in box.received[-1][1].get_content()


def _client(settings: PortalSettings) -> TestClient:
    return TestClient(create_app("memory://", pepper=PEPPER, clock=FrozenClock(START), settings=settings))


def test_an_unreachable_mail_server_is_503_so_the_message_comes_again(settings):
    """The answer could not be sent: 503, and the mail server delivers the message again."""
    dead = SmtpNotifier(HOST, 9, sender="lapor@pemda.example", security="none", timeout=2)
    with _client(attrs.evolve(settings, mail_notifier=dead)) as client:
        response = _post(client, _mail())
    assert response.status_code == 503
    assert response.json() == {"error": "mail.try_again"}


def test_without_a_secret_the_webhook_is_off():
    """The default settings serve no e-mail webhook: 404 before any signature is looked at."""
    with _client(PortalSettings(sweep_seconds=None)) as client:
        response = _post(client, _mail())
    assert response.status_code == 404


def test_settings_refuse_a_short_secret():
    """A webhook secret shorter than 16 bytes is refused when the settings are made."""
    with pytest.raises(ValueError, match="mail_webhook_secret"):
        PortalSettings(mail_webhook_secret=b"short")
