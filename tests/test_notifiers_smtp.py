"""SmtpNotifier against real SMTP servers (aiosmtpd) started by the tests on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import attrs
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SmtpServerProtocol  # noqa: N811 - named for what it is here
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from hypothesis import given, settings
from hypothesis import strategies as st

import lapor_core as lc
from lapor_core._domain.notifications import Address
from lapor_core.errors import PermanentNotificationError, TemporaryNotificationError
from lapor_core.notifiers.smtp import SmtpNotifier, message_id
from lapor_core.testing.notifier_contracts import NotifierContract, NotifierHarness, Received
from lapor_core.testing.recording import build_notification

HOST = "127.0.0.1"
SENDER = "LAPOR! <noreply@lapor.example>"
USER, PASSWORD = "lapor", "kata-sandi-uji"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate and key for 127.0.0.1, made by openssl for this module."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={HOST}",
            "-addext",
            f"subjectAltName=IP:{HOST}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture(scope="module")
def server_context(tls_files: tuple[Path, Path]) -> ssl.SSLContext:
    """The servers' TLS settings."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*tls_files)
    return context


@pytest.fixture(scope="module")
def client_context(tls_files: tuple[Path, Path]) -> ssl.SSLContext:
    """TLS settings that trust the test certificate (and verify it)."""
    return ssl.create_default_context(cafile=str(tls_files[0]))


@attrs.define
class Mailbox:
    """An aiosmtpd handler that keeps what it receives; some recipients are refused or deferred."""

    messages: list[EmailMessage] = attrs.field(factory=list)
    envelopes: list[tuple[str, list[str]]] = attrs.field(factory=list)
    lock: threading.Lock = attrs.field(factory=threading.Lock)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SmtpServerProtocol,
        session: Session,
        envelope: Envelope,
        address: str,
        options: list[str],
    ) -> str:
        if address.startswith("bounce"):
            return f"550 5.1.1 <{address}>: mailbox unknown"
        if address.startswith("later"):
            return f"451 4.3.0 <{address}>: try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SmtpServerProtocol, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(parsed)
            self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
        return "250 Message accepted"

    def received(self) -> list[Received]:
        with self.lock:
            messages = list(self.messages)
        return [Received(_key(m), _plain(m)) for m in messages]


@attrs.define
class RefusingMailbox(Mailbox):
    """A mailbox that refuses every sender ('mail') or every message ('data', 'data-later')."""

    refuse: str = "mail"

    async def handle_MAIL(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SmtpServerProtocol,
        session: Session,
        envelope: Envelope,
        address: str,
        options: list[str],
    ) -> str:
        if self.refuse == "mail":
            return "553 5.7.1 <noreply@lapor.example>: sender not allowed"
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SmtpServerProtocol, session: Session, envelope: Envelope
    ) -> str:
        return "554 5.6.0 content rejected" if self.refuse == "data" else "452 4.3.1 insufficient storage"


def _key(message: EmailMessage) -> str:
    return str(message["Message-ID"]).strip("<>").partition("@")[0]


def _plain(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert isinstance(body, EmailMessage)
    return str(body.get_content()).replace("\r\n", "\n")


def _authenticator(
    server: SmtpServerProtocol, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # not handled: the server answers 535 itself


def _login_required(context: ssl.SSLContext) -> dict[str, Any]:
    return {
        "tls_context": context,
        "require_starttls": True,
        "auth_required": True,
        "authenticator": _authenticator,
    }


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., tuple[Mailbox, int]]]:
    """Starts aiosmtpd servers on 127.0.0.1 (free ports) with the given options; stops them after."""
    controllers: list[Controller] = []

    def start(**options: Any) -> tuple[Mailbox, int]:
        mailbox = Mailbox()
        port = free_port()
        controller = Controller(mailbox, hostname=HOST, port=port, ready_timeout=10, **options)
        controller.start()
        controllers.append(controller)
        return mailbox, port

    yield start
    for controller in controllers:
        controller.stop()


def _email(local: str = "warga") -> Address:
    return Address.parse(f"mailto:{local}@example.id")


# --- the contract -------------------------------------------------------------------------------------------


class TestSmtpNotifierContract(NotifierContract):
    """SmtpNotifier passes the notifier contract over STARTTLS with a login."""

    @pytest.fixture
    def harness(
        self, smtp_server: Callable[..., tuple[Mailbox, int]], server_context: ssl.SSLContext, client_context
    ) -> NotifierHarness:
        """A STARTTLS server requiring a login; 'bounce' mailboxes are unknown, 'later' ones deferred."""
        mailbox, port = smtp_server(
            tls_context=server_context,
            require_starttls=True,
            auth_required=True,
            authenticator=_authenticator,
        )
        notifier = SmtpNotifier(
            HOST,
            port,
            sender=SENDER,
            username=USER,
            password=PASSWORD,
            ssl_context=client_context,
            timeout=10,
        )
        return NotifierHarness(
            notifier=notifier,
            address=_email(),
            received=mailbox.received,
            temporary_failure=_email("later"),
            permanent_failure=_email("bounce"),
            unsupported=Address.parse("https://pemkot.example/hook"),
        )


# --- connection security and login -------------------------------------------------------------------------


def test_implicit_tls_delivers(smtp_server, server_context, client_context):
    """security='ssl' speaks TLS from the first byte (port 465 style)."""
    mailbox, port = smtp_server(ssl_context=server_context)
    notifier = SmtpNotifier(HOST, port, sender=SENDER, security="ssl", ssl_context=client_context)
    notifier.send(build_notification(_email(), key="ssl-key"))
    assert [r.idempotency_key for r in mailbox.received()] == ["ssl-key"]


def test_a_plain_local_relay_delivers_without_tls(smtp_server):
    """security='none' suits a trusted relay on the same host."""
    mailbox, port = smtp_server()
    SmtpNotifier(HOST, port, sender=SENDER, security="none").send(build_notification(_email()))
    assert len(mailbox.received()) == 1
    assert mailbox.envelopes[0] == ("noreply@lapor.example", ["warga@example.id"])


def test_a_wrong_password_is_a_permanent_failure(smtp_server, server_context, client_context):
    """535 on login is refused for good (the operator must fix the credentials, then retry dead letters)."""
    _, port = smtp_server(**_login_required(server_context))
    notifier = SmtpNotifier(
        HOST, port, sender=SENDER, username=USER, password="salah", ssl_context=client_context
    )
    with pytest.raises(PermanentNotificationError) as caught:
        notifier.send(build_notification(_email()))
    assert str(caught.value) == "the SMTP server refused the login (535 5.7.8)"
    assert (caught.value.detail, dict(caught.value.params)) == ("smtp.login_refused", {"reply": "535 5.7.8"})
    assert (
        caught.value.describe("id")
        == "Notifikasi gagal dikirim: server SMTP menolak proses masuk (535 5.7.8)"
    )


def test_a_server_without_starttls_is_a_permanent_failure(smtp_server, client_context):
    """STARTTLS requested of a server that does not offer it: never sent in clear instead."""
    mailbox, port = smtp_server()
    notifier = SmtpNotifier(HOST, port, sender=SENDER, ssl_context=client_context)
    with pytest.raises(PermanentNotificationError):
        notifier.send(build_notification(_email()))
    assert mailbox.received() == []


def test_an_untrusted_certificate_is_refused_as_a_temporary_failure(smtp_server, server_context):
    """The default context verifies the server; a self-signed certificate fails the handshake."""
    mailbox, port = smtp_server(tls_context=server_context, require_starttls=True)
    notifier = SmtpNotifier(HOST, port, sender=SENDER, timeout=5)
    with pytest.raises(TemporaryNotificationError) as caught:
        notifier.send(build_notification(_email()))
    assert "SSLCertVerificationError" in str(caught.value)
    assert mailbox.received() == []


@pytest.mark.parametrize(
    ("refuse", "error", "text"),
    [
        ("mail", PermanentNotificationError, "the SMTP server refused the sender (553 5.7.1)"),
        ("data", PermanentNotificationError, "the SMTP server refused the message (554 5.6.0)"),
        ("data-later", TemporaryNotificationError, "the SMTP server deferred the message (452 4.3.1)"),
    ],
)
def test_refusals_of_sender_or_message_are_classified_by_reply_code(refuse, error, text):
    """5xx replies to MAIL or DATA are permanent, 4xx temporary; the text keeps only the codes."""
    port = free_port()
    controller = Controller(RefusingMailbox(refuse=refuse), hostname=HOST, port=port, ready_timeout=10)
    controller.start()
    try:
        with pytest.raises(error) as caught:
            SmtpNotifier(HOST, port, sender=SENDER, security="none").send(build_notification(_email()))
    finally:
        controller.stop()
    assert str(caught.value) == text
    assert caught.value.detail.startswith("smtp.")
    assert caught.value.describe("id").startswith("Notifikasi gagal dikirim: server SMTP")


def test_an_email_that_cannot_be_composed_is_a_permanent_failure(monkeypatch):
    """A header the email package refuses ends the delivery for good, before any connection."""
    notifier = SmtpNotifier(HOST, free_port(), sender=SENDER, security="none")

    def refuse(notification: object) -> EmailMessage:
        raise ValueError("bad header")

    monkeypatch.setattr(notifier, "email_message", refuse)
    with pytest.raises(PermanentNotificationError):
        notifier.send(build_notification(_email()))


def test_a_closed_port_is_a_temporary_failure():
    """Connection refused: try again later."""
    notifier = SmtpNotifier(HOST, free_port(), sender=SENDER, security="none", timeout=2)
    with pytest.raises(TemporaryNotificationError):
        notifier.send(build_notification(_email()))


def test_a_server_that_never_answers_times_out_as_a_temporary_failure():
    """A listener that accepts and stays silent ends in the timeout, not a hang."""
    with socket.socket() as silent:
        silent.bind((HOST, 0))
        silent.listen()
        notifier = SmtpNotifier(HOST, silent.getsockname()[1], sender=SENDER, security="none", timeout=0.3)
        with pytest.raises(TemporaryNotificationError) as caught:
            notifier.send(build_notification(_email()))
    assert caught.value.permanent is False


# --- the message --------------------------------------------------------------------------------------------


def test_the_email_has_text_and_html_and_identifies_itself(smtp_server):
    """multipart/alternative, Auto-Submitted, the language, the tracking ID and event as headers."""
    mailbox, port = smtp_server()
    notification = build_notification(_email(), key="abc123", locale="en")
    SmtpNotifier(HOST, port, sender=SENDER, security="none").send(notification)
    (message,) = mailbox.messages
    assert message.get_content_type() == "multipart/alternative"
    assert message["Message-ID"] == "<abc123@lapor.example>"
    assert message["Subject"] == notification.message.subject
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == "en"
    assert message["X-Lapor-Tracking-Id"] == notification.tracking_id
    assert message["X-Lapor-Event"] == "forward"
    html = message.get_body(("html",))
    assert isinstance(html, EmailMessage)
    assert str(html.get_content()).replace("\r\n", "\n") == notification.message.html


def test_a_resent_notification_keeps_its_message_id(smtp_server):
    """At-least-once delivery: a repeat carries the same Message-ID, so mail systems can drop it."""
    mailbox, port = smtp_server()
    notifier = SmtpNotifier(HOST, port, sender=SENDER, security="none", message_id_domain="lapor.go.id")
    notification = build_notification(_email())
    notifier.send(notification)
    notifier.send(notification)
    ids = [m["Message-ID"] for m in mailbox.messages]
    assert ids == [message_id(notification.idempotency_key, "lapor.go.id")] * 2


def test_a_key_unfit_for_a_message_id_is_hashed():
    """Keys with characters a Message-ID cannot hold become a hash: still one ID per key."""
    first = message_id("kunci dengan spasi <dan> @", "lapor.go.id")
    assert first == message_id("kunci dengan spasi <dan> @", "lapor.go.id")
    assert first.startswith("<lapor-")
    assert " " not in first
    assert first != message_id("kunci lain", "lapor.go.id")


# --- configuration ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {"security": "none", "username": USER},
        {"security": "tls"},
        {"timeout": 0},
        {"timeout": "30"},
        {"timeout": True},
        {"sender": "no domain"},
        {"sender": None},
        {"sender": SENDER, "message_id_domain": 5},
        {"sender": SENDER, "message_id_domain": "not a domain"},
        {"timeout": float("inf")},
        {"timeout": float("nan")},
        {"timeout": 86_401},
        {"timeout": 10**30},
    ],
)
def test_unsafe_or_malformed_settings_are_refused(options):
    """Clear credentials, unknown modes, bad timeouts and senders without a domain: ConfigurationError."""
    settings = {"sender": SENDER} | options
    with pytest.raises(lc.ConfigurationError):
        SmtpNotifier(HOST, 2525, **settings)


def test_configuration_errors_read_from_the_catalogue():
    """The message is the catalogue's English text of the code, the same words as before."""
    with pytest.raises(lc.ConfigurationError) as caught:
        SmtpNotifier(HOST, sender=SENDER, security="none", username=USER)
    assert str(caught.value) == "refusing to send SMTP credentials without TLS (security='none')"


def test_a_configuration_error_carries_the_first_refused_options_code_and_lists_every_one():
    """The detail is the first bad option's code (Indonesian for people); the cause lists every bad option."""
    with pytest.raises(lc.ConfigurationError) as caught:
        SmtpNotifier(HOST, sender="no domain", security="tls", timeout=0, message_id_domain="-")  # type: ignore[arg-type]
    error = caught.value
    assert (error.detail, str(error)) == (
        "smtp.security_unknown",
        "security must be 'starttls', 'ssl' or 'none'",
    )
    assert error.describe("id") == "Konfigurasi salah: security harus 'starttls', 'ssl', atau 'none'"
    assert isinstance(error.__cause__, lc.ValidationError)
    assert error.__cause__.fields_by_name == {
        "security": ("smtp.security_unknown",),
        "timeout": ("smtp.timeout_not_positive",),
        "sender": ("smtp.sender_without_domain",),
        "message_id_domain": ("smtp.domain_malformed",),
    }


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"security": "none", "username": USER}, "smtp.credentials_without_tls"),
        ({"timeout": -1}, "smtp.timeout_not_positive"),
        ({"timeout": 86_400.5}, "notifier.timeout_too_long"),
        ({"sender": "LAPOR! <noreply@>"}, "smtp.sender_without_domain"),
        ({"message_id_domain": "lapor..go.id "}, "smtp.domain_malformed"),
    ],
)
def test_each_refused_option_has_its_code(options, code):
    """Every option the constructor checks is refused with a code naming it."""
    with pytest.raises(lc.ConfigurationError) as caught:
        SmtpNotifier(HOST, **({"sender": SENDER} | options))
    assert caught.value.detail == code


def test_the_longest_timeout_and_a_message_id_domain_of_its_own_are_accepted():
    """A day is the longest timeout; message_id_domain replaces the sender's domain in Message-IDs."""
    notifier = SmtpNotifier(HOST, sender=SENDER, timeout=86_400, message_id_domain="pesan.lapor.go.id")
    message = notifier.email_message(build_notification(_email(), key="k-1"))
    assert message["Message-ID"] == "<k-1@pesan.lapor.go.id>"


_JUNK = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.lists(st.integers(), max_size=2)
)


@settings(max_examples=200, deadline=None)
@given(
    _JUNK | st.sampled_from(["starttls", "ssl", "none"]),
    _JUNK | st.just(USER),
    _JUNK,
    _JUNK | st.just(SENDER),
    _JUNK | st.just("lapor.go.id"),
)
def test_junk_options_raise_only_configuration_errors(security, username, timeout, sender, domain):
    """Any options: the notifier is built (it connects only to send) or a ConfigurationError says why."""
    outcome: object
    try:
        outcome = SmtpNotifier(
            HOST,
            sender=sender,
            security=security,
            username=username,
            timeout=timeout,
            message_id_domain=domain,
        )
    except lc.ConfigurationError as error:
        outcome = error
    if isinstance(outcome, lc.ConfigurationError):
        assert outcome.detail is not None
        assert isinstance(outcome.__cause__, lc.ValidationError)
    else:
        assert isinstance(outcome, SmtpNotifier)


def test_default_ports_follow_the_security_mode():
    """587 for STARTTLS, 465 for implicit TLS, 25 for a plain relay."""
    ports = {
        mode: SmtpNotifier(HOST, sender=SENDER, security=mode)._port for mode in ("starttls", "ssl", "none")
    }
    assert ports == {"starttls": 587, "ssl": 465, "none": 25}
