"""A fake IMAP server on 127.0.0.1: one mailbox, just the commands a poller needs (RFC 9051 subset)."""

from __future__ import annotations

import re
import socketserver
import ssl
import threading
from types import TracebackType

import attrs

USER, PASSWORD = "pengaduan", "kata-sandi-uji"


@attrs.define
class StoredMessage:
    """A message in the fake mailbox."""

    uid: int
    raw: bytes
    seen: bool = False


class FakeImapServer:
    """LOGIN, SELECT, UID SEARCH UNSEEN, UID FETCH (BODY.PEEK[]), UID STORE +FLAGS (Seen), LOGOUT.

    Add messages with :meth:`deliver`; ``messages`` shows their flags. Use as a context manager; ``port``
    is where it listens. ``fail_select`` makes SELECT answer NO. With ``tls`` (a server-side SSL context) it
    speaks implicit TLS (``tls_mode="ssl"``, as on port 993) or offers STARTTLS (``tls_mode="starttls"``) and
    refuses LOGIN before it.
    """

    def __init__(self, tls: ssl.SSLContext | None = None, tls_mode: str = "ssl") -> None:
        self.messages: list[StoredMessage] = []
        self.lock = threading.Lock()
        self.fail_select = False
        self.tls, self.tls_mode = tls, tls_mode
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            secured = False
            refused = False  # the client refused the TLS handshake (an untrusted certificate)

            def _wrap(self) -> bool:
                assert fake.tls is not None
                wrapped = fake.tls.wrap_socket(self.request, server_side=True, do_handshake_on_connect=False)
                self.request = wrapped
                try:
                    wrapped.do_handshake()
                except (ssl.SSLError, OSError):
                    wrapped.close()
                    self.refused = True
                    return False
                self.secured = True
                return True

            def setup(self) -> None:
                if fake.tls is not None and fake.tls_mode == "ssl" and not self._wrap():
                    return
                super().setup()

            def finish(self) -> None:
                if not self.refused:
                    super().finish()
                if isinstance(self.request, ssl.SSLSocket):
                    self.request.close()  # the server closes only the plain socket it accepted

            def start_tls(self) -> bool:
                self.wfile.flush()
                self.rfile.close()
                if not self._wrap():
                    return False
                self.rfile = self.request.makefile("rb", self.rbufsize)
                self.wfile = socketserver._SocketWriter(self.request)  # type: ignore[attr-defined]
                return True

            def handle(self) -> None:
                if self.refused:
                    return
                self._send(b"* OK fake IMAP ready")
                while line := self.rfile.readline():
                    tag, _, rest = line.rstrip(b"\r\n").partition(b" ")
                    command, _, args = rest.partition(b" ")
                    if not fake.answer(self, tag, command.upper(), args):
                        return

            def _send(self, data: bytes) -> None:
                self.wfile.write(data + b"\r\n")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.port = int(self._server.server_address[1])

    def deliver(self, raw: bytes) -> int:
        """Put ``raw`` in the mailbox, unseen; returns its UID."""
        with self.lock:
            uid = len(self.messages) + 1
            self.messages.append(StoredMessage(uid, raw))
            return uid

    def seen(self) -> list[int]:
        """The UIDs flagged as seen."""
        with self.lock:
            return [m.uid for m in self.messages if m.seen]

    def answer(
        self, handler: socketserver.StreamRequestHandler, tag: bytes, command: bytes, args: bytes
    ) -> bool:
        """Answer one command; False to close the connection."""
        out = handler.wfile

        def send(data: bytes) -> None:
            out.write(data + b"\r\n")

        secured = getattr(handler, "secured", False)
        if command == b"CAPABILITY":
            starttls = b" STARTTLS" if self.tls is not None and not secured else b""
            send(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN" + starttls)
        elif command == b"STARTTLS" and self.tls is not None and not secured:
            send(tag + b" OK begin TLS negotiation now")
            return bool(handler.start_tls())  # type: ignore[attr-defined]
        elif command == b"LOGIN" and self.tls is not None and not secured:
            send(tag + b" NO [PRIVACYREQUIRED] LOGIN only over TLS")
            return True
        elif command == b"LOGIN":
            user, _, password = args.partition(b" ")
            if (user.strip(b'"'), password.strip(b'"')) != (USER.encode(), PASSWORD.encode()):
                send(tag + b" NO [AUTHENTICATIONFAILED] invalid credentials")
                return True
        elif command == b"SELECT":
            if self.fail_select:
                send(tag + b" NO no such mailbox")
                return True
            with self.lock:
                send(b"* %d EXISTS" % len(self.messages))
            send(b"* FLAGS (\\Seen)")
            send(tag + b" OK [READ-WRITE] SELECT completed")
            return True
        elif command == b"UID":
            self._uid(send, args)
        elif command == b"LOGOUT":
            send(b"* BYE logging out")
            send(tag + b" OK LOGOUT completed")
            return False
        send(tag + b" OK " + command + b" completed")
        return True

    def _uid(self, send: object, args: bytes) -> None:
        assert callable(send)
        sub, _, rest = args.partition(b" ")
        with self.lock:
            if sub.upper() == b"SEARCH":
                unseen = b" ".join(b"%d" % m.uid for m in self.messages if not m.seen)
                send(b"* SEARCH " + unseen if unseen else b"* SEARCH")
            elif sub.upper() == b"FETCH":
                uid = int(rest.split(b" ", 1)[0])
                for number, message in enumerate(self.messages, 1):
                    if message.uid == uid:
                        send(b"* %d FETCH (UID %d BODY[] {%d}" % (number, uid, len(message.raw)))
                        send(message.raw + b")")
            elif sub.upper() == b"STORE":
                uid = int(rest.split(b" ", 1)[0])
                if re.search(rb"\+FLAGS \(\\Seen\)", rest, re.IGNORECASE):
                    for number, message in enumerate(self.messages, 1):
                        if message.uid == uid:
                            message.seen = True
                            send(b"* %d FETCH (UID %d FLAGS (\\Seen))" % (number, uid))

    def __enter__(self) -> FakeImapServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
