"""``lapor deliver URL`` against a real SMTP server (aiosmtpd) and webhook receiver on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import io
import json
import socket
import threading
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import attrs
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SmtpServerProtocol  # noqa: N811 - named for what it is here
from aiosmtpd.smtp import Envelope, Session

import lapor_core as lc
from desk_support import ADMIN, PEPPER, WIB, submission
from lapor_core.cli import main
from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.testing import FrozenClock
from webhook_receiver import WebhookReceiver

HOST = "127.0.0.1"
SECRET = "cli test webhook secret 0123456789"
SENDER = "LAPOR! <noreply@lapor.example>"


@attrs.define
class Mailbox:
    """An aiosmtpd handler keeping the messages it receives."""

    messages: list[EmailMessage] = attrs.field(factory=list)
    lock: threading.Lock = attrs.field(factory=threading.Lock)

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SmtpServerProtocol, session: Session, envelope: Envelope
    ) -> str:
        parsed = email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(parsed)
        return "250 Message accepted"

    def keys(self) -> set[str]:
        """The idempotency keys in the Message-IDs received."""
        with self.lock:
            return {str(m["Message-ID"]).strip("<>").partition("@")[0] for m in self.messages}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    """A plain SMTP server (a trusted local relay) on a free port of 127.0.0.1."""
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname=HOST, port=port, ready_timeout=10)
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """A deduplicating webhook receiver on 127.0.0.1 checking signatures with the test secret."""
    with WebhookReceiver(SECRET) as running:
        yield running


@attrs.frozen
class Queued:
    """A database with queued messages: by recipient role, and the one nobody has an address for."""

    url: str
    by_role: dict[str, set[str]]
    orphan: str


@pytest.fixture
def queued(tmp_path: Path) -> Queued:
    """Two complaints at 31.71 (reporters with e-mail) and one at 73.71, for which the book has no address."""
    url = f"sqlite:///{tmp_path / 'lapor.db'}"
    desk = lc.ComplaintDesk.open(url, clock=FrozenClock(datetime(2026, 3, 17, 10, tzinfo=WIB)), pepper=PEPPER)
    try:
        for institution in ("31.71", "31.71", "73.71"):
            tid = desk.submit(submission()).tracking_id
            desk.forward(ADMIN, tid, institution=institution)
        pending = desk.store.pending_outbox()
    finally:
        desk.close()
    by_role: dict[str, set[str]] = {}
    for message in pending:
        by_role.setdefault(message.recipient_role, set()).add(message.id)
    (orphan,) = (m.id for m in pending if m.recipient_ref == "73.71")
    by_role["institution"].discard(orphan)
    return Queued(url, by_role, orphan)


@pytest.fixture
def book(tmp_path: Path, receiver: WebhookReceiver) -> Path:
    """The address book: the admins by e-mail, institution 31.71 by webhook, nothing for 73.71."""
    path = tmp_path / "addresses.json"
    path.write_text(
        json.dumps({"admin": "mailto:admin@lapor.example", "institutions": {"31.71": receiver.url("/ok")}})
    )
    return path


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The webhook secret in its environment variable."""
    monkeypatch.setenv("LAPOR_WEBHOOK_SECRET", SECRET)


def run(*argv: str, status: int = 0) -> str:
    """Run ``lapor`` expecting ``status`` and nothing on stderr; return what it printed."""
    out, err = io.StringIO(), io.StringIO()
    assert main(list(argv), out=out, err=err) == status, err.getvalue()
    assert err.getvalue() == ""
    return out.getvalue()


def refused(*argv: str, status: int = 2) -> str:
    """Run ``lapor`` expecting ``status``, nothing printed and one line on stderr; return that line."""
    out, err = io.StringIO(), io.StringIO()
    assert main(list(argv), out=out, err=err) == status, err.getvalue()
    assert out.getvalue() == ""
    [line] = err.getvalue().splitlines()
    assert line.startswith("lapor deliver: ")
    return line


def _sending(queued: Queued, book: Path, port: int, *more: str) -> list[str]:
    return [
        "deliver",
        queued.url,
        "--addresses",
        str(book),
        "--smtp",
        f"{HOST}:{port}",
        "--smtp-security",
        "none",
        "--sender",
        SENDER,
        "--webhook",
        *more,
    ]


def _pending(url: str) -> set[str]:
    store = SqlComplaintStore(url, schema="check")
    try:
        return {m.id for m in store.pending_outbox()}
    finally:
        store.close()


# --- delivering ---------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("secrets_env")
def test_deliver_sends_e_mail_and_webhooks_and_dead_letters_what_has_no_address(
    queued: Queued, book: Path, smtp: tuple[Mailbox, int], receiver: WebhookReceiver
) -> None:
    """Reporters and admins get e-mail, 31.71 a signed webhook; 73.71's message is dead-lettered (exit 1)."""
    mailbox, port = smtp
    output = run(*_sending(queued, book, port), status=1)
    summary, hint = output.splitlines()
    assert summary == "terkirim 11, dilewati 0, dicoba lagi nanti 0, gagal permanen 1, hilang 0"
    assert hint.startswith("lihat pesan yang gagal permanen dengan --dead-letters; perbaiki penyebabnya")
    assert mailbox.keys() == queued.by_role["reporter"] | queued.by_role["admin"]
    assert set(receiver.delivered) == queued.by_role["institution"]
    assert all(hit.verified for hit in receiver.hits)
    assert _pending(queued.url) == set()


@pytest.mark.usefixtures("secrets_env")
def test_a_second_run_sends_nothing_again(
    queued: Queued, book: Path, smtp: tuple[Mailbox, int], receiver: WebhookReceiver
) -> None:
    """Acknowledged messages are gone: the next run sends nothing and exits 0."""
    mailbox, port = smtp
    run(*_sending(queued, book, port), status=1)
    sent = len(mailbox.messages) + len(receiver.hits)
    assert run(*_sending(queued, book, port, "--lang", "en")) == (
        "sent 0, skipped 0, retrying 0, dead-lettered 0, lost 0\n"
    )
    assert len(mailbox.messages) + len(receiver.hits) == sent


@pytest.mark.usefixtures("secrets_env")
def test_dead_letters_are_listed_and_retried_after_the_book_is_fixed(
    queued: Queued, book: Path, smtp: tuple[Mailbox, int], receiver: WebhookReceiver
) -> None:
    """--dead-letters names the message and its error; --retry-dead-letters queues it for the next run."""
    _, port = smtp
    run(*_sending(queued, book, port), status=1)
    (line,) = run("deliver", queued.url, "--dead-letters").splitlines()
    assert queued.orphan in line
    assert "forward.institution" in line
    assert "percobaan=1" in line
    assert "attempts=1" in run("deliver", queued.url, "--dead-letters", "--lang", "en")
    assert "PermanentNotificationError: no address for institution 73.71" in line
    book.write_text(
        json.dumps(
            {
                "admin": "mailto:admin@lapor.example",
                "institutions": {"31.71": receiver.url("/ok"), "73.71": receiver.url("/ok")},
            }
        )
    )
    assert run("deliver", queued.url, "--retry-dead-letters") == (
        "1 pesan gagal permanen dimasukkan kembali ke antrean\n"
    )
    assert run("deliver", queued.url, "--dead-letters") == "(tidak ada pesan yang gagal permanen)\n"
    assert run("deliver", queued.url, "--dead-letters", "--lang", "en") == "(no dead letters)\n"
    assert run(*_sending(queued, book, port)).startswith("terkirim 1, ")
    assert queued.orphan in receiver.delivered


def test_retrying_named_dead_letters_queues_only_those(queued: Queued, book: Path) -> None:
    """--retry-dead-letters ID... queues the named ones; an ID that is no dead letter counts nothing."""
    argv = ["deliver", queued.url, "--retry-dead-letters", "no-such-id", "--lang", "en"]
    assert run(*argv) == "queued 0 dead letter(s) again\n"


@pytest.mark.usefixtures("secrets_env")
def test_limit_claims_at_most_that_many_messages(
    queued: Queued, book: Path, smtp: tuple[Mailbox, int], receiver: WebhookReceiver
) -> None:
    """--limit 3 sends three messages and leaves the rest queued."""
    mailbox, port = smtp
    before = _pending(queued.url)
    assert run(*_sending(queued, book, port, "--limit", "3")).startswith("terkirim 3, ")
    assert len(mailbox.messages) + len(receiver.hits) == 3
    assert len(before - _pending(queued.url)) == 3


@pytest.mark.usefixtures("secrets_env")
def test_a_receiver_that_is_down_leaves_its_messages_retrying(
    queued: Queued, tmp_path: Path, smtp: tuple[Mailbox, int], receiver: WebhookReceiver
) -> None:
    """HTTP 503 is temporary: those messages are rescheduled, still pending, and the run exits 0."""
    _, port = smtp
    down = tmp_path / "down.json"
    down.write_text(
        json.dumps(
            {
                "admin": "mailto:admin@lapor.example",
                "institutions": {"31.71": receiver.url("/status/503"), "73.71": receiver.url("/status/503")},
            }
        )
    )
    output = run(*_sending(queued, down, port, "--lang", "en"))
    assert output == "sent 9, skipped 0, retrying 3, dead-lettered 0, lost 0\n"
    assert _pending(queued.url) == queued.by_role["institution"] | {queued.orphan}


# --- the dry run --------------------------------------------------------------------------------------------


def test_dry_run_shows_each_outcome_and_changes_nothing(
    queued: Queued, book: Path, receiver: WebhookReceiver
) -> None:
    """--dry-run lists what would be sent, by channel, and what dead-lettered; nothing is sent or changed."""
    before = _pending(queued.url)
    lines = run("deliver", queued.url, "--addresses", str(book), "--dry-run", "--lang", "en").splitlines()
    assert (
        lines[-1]
        == "dry run: 11 to send, 0 to skip, 1 to dead-letter, 0 to retry; nothing was sent or changed"
    )
    by_id = {line.split()[2]: line for line in lines[:-1]}
    assert set(by_id) == before
    assert by_id[queued.orphan].split()[:2] == ["would", "dead-letter"]
    assert "no address for institution 73.71" in by_id[queued.orphan]
    some_institution = next(iter(queued.by_role["institution"]))
    assert by_id[some_institution].split()[-1] == "webhook"
    some_reporter = next(iter(queued.by_role["reporter"]))
    assert by_id[some_reporter].split()[-1] == "email"
    assert "siti@example.id" not in "\n".join(lines)
    assert receiver.hits == []
    assert _pending(queued.url) == before
    assert run("deliver", queued.url, "--dead-letters") == "(tidak ada pesan yang gagal permanen)\n"


def test_dry_run_limit_shows_the_first_messages_only(queued: Queued, book: Path) -> None:
    """--dry-run --limit 2 previews the two oldest messages."""
    lines = run("deliver", queued.url, "--addresses", str(book), "--dry-run", "--limit", "2").splitlines()
    assert len(lines) == 3
    assert all(line.startswith("akan dikirim  ") for line in lines[:2])
    assert lines[-1] == (
        "simulasi: 2 akan dikirim, 0 dilewati, 0 gagal permanen, 0 dicoba lagi; "
        "tidak ada yang dikirim atau diubah"
    )


# --- refusals: one line on stderr, status 2 for usage, 3 for configuration ----------------------------------


def test_delivery_needs_an_address_book(queued: Queued) -> None:
    """Without --addresses nobody could be reached: refused before anything is claimed."""
    assert "--addresses FILE diperlukan untuk mengirim" in refused("deliver", queued.url, "--webhook")
    assert "--addresses FILE is needed" in refused("deliver", queued.url, "--dry-run", "--lang", "en")


def test_delivery_needs_a_way_to_send(queued: Queued, book: Path) -> None:
    """Neither --smtp nor --webhook: refused."""
    assert refused("deliver", queued.url, "--addresses", str(book), "--lang", "en") == (
        "lapor deliver: nothing to send with: pass --smtp HOST[:PORT] and/or --webhook"
    )


def test_secrets_come_from_the_environment_only(
    monkeypatch: pytest.MonkeyPatch, queued: Queued, book: Path
) -> None:
    """A missing $LAPOR_WEBHOOK_SECRET or $LAPOR_SMTP_PASSWORD is configuration (3); no password flag."""
    monkeypatch.delenv("LAPOR_WEBHOOK_SECRET", raising=False)
    monkeypatch.delenv("LAPOR_SMTP_PASSWORD", raising=False)
    base = ["deliver", queued.url, "--addresses", str(book)]
    assert refused(*base, "--webhook", status=3) == (
        "lapor deliver: --webhook memerlukan rahasia bersama dalam $LAPOR_WEBHOOK_SECRET"
    )
    smtp = [*base, "--smtp", "mail.example", "--sender", SENDER]
    assert "$LAPOR_SMTP_PASSWORD" in refused(*smtp, "--smtp-user", "lapor", status=3)
    assert refused(*smtp, "--smtp-password", "x") == (
        "lapor deliver: argumen tidak dikenal: --smtp-password x (lihat lapor deliver --help)"
    )
    monkeypatch.setenv("LAPOR_WEBHOOK_SECRET", "too short")
    assert "Konfigurasi salah: " in refused(*base, "--webhook", status=3)


def test_credentials_without_tls_are_refused(
    monkeypatch: pytest.MonkeyPatch, queued: Queued, book: Path
) -> None:
    """A password over plain SMTP is refused (configuration, 3) before any sending, without the password."""
    monkeypatch.setenv("LAPOR_SMTP_PASSWORD", "kata-sandi")
    argv = ["deliver", queued.url, "--addresses", str(book), "--smtp", "mail.example", "--sender", SENDER]
    error = refused(*argv, "--smtp-security", "none", "--smtp-user", "lapor", "--lang", "en", status=3)
    assert "TLS" in error
    assert "kata-sandi" not in error


@pytest.mark.parametrize(
    ("server", "message"),
    [
        ("mail.example:0", "port dari 1 sampai 65.535"),
        ("mail.example:99999", "port dari 1 sampai 65.535"),
        ("mail.example:smtp", "port dari 1 sampai 65.535"),
        ("mail.example:٢٥", "port dari 1 sampai 65.535"),
        (":25", "--smtp harus menyebutkan host"),
        ("[::1]:x", "port dari 1 sampai 65.535"),
    ],
)
def test_a_bad_smtp_server_is_refused(queued: Queued, book: Path, server: str, message: str) -> None:
    """--smtp takes HOST, HOST:PORT or [IPv6]:PORT, the port in ASCII digits."""
    argv = ["deliver", queued.url, "--addresses", str(book), "--smtp", server, "--sender", SENDER]
    assert message in refused(*argv)


def test_smtp_needs_a_sender(queued: Queued, book: Path) -> None:
    """E-mail needs a From address."""
    assert "--sender" in refused("deliver", queued.url, "--addresses", str(book), "--smtp", "mail.example")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"admin": "mailto:a@b.example",', "bukan JSON UTF-8 (baris 1, kolom 32)"),
        (b"\xff\xfe", "bukan JSON UTF-8"),
        (b'{"admins": [], "institutions": {"31.71": "ftp://x"}}', "tidak valid: "),
        (b"[]", "tidak valid: "),
        (b'{"reporter_channels": null}', "tidak valid: "),
        (b"[" * 100_000, "bukan JSON UTF-8"),
    ],
)
def test_a_bad_address_book_is_one_line_with_status_3_without_quoting_it(
    queued: Queued, tmp_path: Path, content: bytes, message: str
) -> None:
    """Malformed JSON (issue 16), bad encoding, invalid entries: configuration (3); no address is quoted."""
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    error = refused("deliver", queued.url, "--addresses", str(path), "--dry-run", status=3)
    assert error.startswith(f"lapor deliver: buku alamat {path} ")
    assert message in error
    assert "a@b.example" not in error


def test_an_invalid_book_lists_every_bad_entry(queued: Queued, tmp_path: Path) -> None:
    """An unknown key and a bad address are both named."""
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"admins": [], "institutions": {"31.71": "ftp://x"}}))
    error = refused("deliver", queued.url, "--addresses", str(path), "--dry-run", "--lang", "en", status=3)
    assert error.startswith(f"lapor deliver: the address book {path} is invalid: ")
    assert "admins" in error
    assert "institutions.31.71" in error


def test_a_missing_address_book_is_refused(queued: Queued, tmp_path: Path) -> None:
    """An address book that cannot be read is named in the error, with the reason in the line's language."""
    missing = tmp_path / "none.json"
    error = refused("deliver", queued.url, "--addresses", str(missing), "--dry-run", status=3)
    assert error == f"lapor deliver: buku alamat {missing} tidak dapat dibaca: berkas tidak ada"
    error = refused(
        "deliver", queued.url, "--addresses", str(tmp_path), "--dry-run", "--lang", "en", status=3
    )
    assert error == f"lapor deliver: cannot read the address book {tmp_path}: is a directory, not a file"
    error = refused("deliver", queued.url, "--addresses", "bad\x00name", "--dry-run", status=3)
    assert error == "lapor deliver: nama berkas buku alamat tidak valid"


@pytest.mark.parametrize("limit", ["0", "1001", "-5", "ten", "1.5"])
def test_a_limit_out_of_range_is_refused(queued: Queued, limit: str) -> None:
    """--limit is a whole number from 1 to 1,000."""
    assert refused("deliver", queued.url, "--dead-letters", "--limit", limit) == (
        "lapor deliver: --limit harus berupa bilangan bulat dari 1 sampai 1.000"
    )


def test_a_database_without_the_schema_is_not_created(tmp_path: Path) -> None:
    """The command never creates or migrates a database: it says what to run instead (configuration, 3)."""
    error = refused("deliver", f"sqlite:///{tmp_path / 'empty.db'}", "--dead-letters", status=3)
    assert "lapor db upgrade" in error


def test_modes_exclude_each_other(queued: Queued) -> None:
    """--dry-run, --dead-letters and --retry-dead-letters are one at a time."""
    assert "not allowed with" in refused("deliver", queued.url, "--dry-run", "--dead-letters")


@pytest.mark.parametrize("timeout", ["0", "-1", "nan", "inf", "3601", "soon"])
def test_a_timeout_must_be_positive_and_bounded(queued: Queued, book: Path, timeout: str) -> None:
    """--timeout is a number of seconds above 0 and at most an hour."""
    argv = [
        "deliver",
        queued.url,
        "--addresses",
        str(book),
        "--webhook",
        "--timeout",
        timeout,
        "--lang",
        "en",
    ]
    assert refused(*argv) == "lapor deliver: --timeout must be a number of seconds above 0 and at most 3,600"


def test_the_memory_store_has_nothing_to_deliver(book: Path, secrets_env: Any) -> None:
    """memory:// opens an empty store: nothing to send, exit 0."""
    expected = "terkirim 0, dilewati 0, dicoba lagi nanti 0, gagal permanen 0, hilang 0\n"
    assert run("deliver", "memory://", "--addresses", str(book), "--webhook", "--timeout", "0.5") == expected


def test_an_address_book_over_10_mb_is_refused(queued: Queued, tmp_path: Path) -> None:
    """A huge file is not read whole: refused by size."""
    path = tmp_path / "huge.json"
    path.write_bytes(b" " * 10_000_001)
    error = refused("deliver", queued.url, "--addresses", str(path), "--dry-run", status=3)
    assert error.endswith("lebih besar dari 10 MB")


def test_a_failing_database_is_reported_without_a_traceback(queued: Queued) -> None:
    """A storage error ends the command with one line (the operation and the driver's code), status 3."""
    store = SqlComplaintStore(queued.url, schema="check")
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE lapor_outbox")
    store.close()
    error = refused("deliver", queued.url, "--dead-letters", status=3)
    assert error.startswith("lapor deliver: Penyimpanan gagal: ")
    assert "listing dead letters" in error
    assert "OperationalError" in error


@pytest.mark.usefixtures("secrets_env")
def test_an_address_on_a_channel_without_a_notifier_is_dead_lettered(queued: Queued, tmp_path: Path) -> None:
    """The command line sends no SMS: an sms: address is dead-lettered with the reason, and exit status 1."""
    path = tmp_path / "sms.json"
    path.write_text(json.dumps({"admin": "sms:+6281234567890", "reporter_channels": []}))
    argv = ["deliver", queued.url, "--addresses", str(path), "--webhook", "--limit", "2", "--lang", "en"]
    output = run(*argv, status=1)
    assert output.startswith("sent 0, skipped 1, retrying 0, dead-lettered 1, lost 0\n")
    (line,) = run("deliver", queued.url, "--dead-letters").splitlines()
    assert "PermanentNotificationError: no route for sms messages to admin" in line
