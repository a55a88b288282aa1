"""A fake HTTP SMS gateway on 127.0.0.1 for the tests of SmsNotifier and the portal's SMS round trip.

It checks the signature of each request (as a real gateway checks the shared secret), drops a repeated
idempotency key, and answers as the recipient's number says: a number ending in 302, 400, 429 or 503 gets that
status; every other number is queued (recorded) and answered 202.
"""

from __future__ import annotations

import http.server
import json
import threading
from typing import Any

from lapor_core.notifiers.webhook import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_signature,
)

HOST = "127.0.0.1"


class FakeSmsGateway:
    """The gateway: ``POST /v1/messages`` only; ``messages`` holds the SMS it sent (one per key), in order."""

    def __init__(self, secret: str, *, token: str | None = None) -> None:
        self.secret = secret
        self.token = token
        self.messages: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []  # every accepted request, repeats included
        self.refused: list[int] = []
        self.duplicates = 0
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer((HOST, 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        """The endpoint SmsNotifier is configured with."""
        return f"http://{HOST}:{self._server.server_address[1]}/v1/messages"

    def __enter__(self) -> FakeSmsGateway:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _status(self, path: str, headers: Any, body: bytes) -> int:
        if path != "/v1/messages":
            return 404
        if self.token is not None and headers.get("Authorization") != f"Bearer {self.token}":
            return 401
        if not verify_signature(
            self.secret,
            timestamp=headers.get(TIMESTAMP_HEADER),
            body=body,
            signature=headers.get(SIGNATURE_HEADER),
        ):
            return 401
        message = json.loads(body)
        if message["to"][-3:] in ("302", "400", "429", "503"):
            return int(message["to"][-3:])
        with self._lock:
            self.received.append(message)
            key = headers.get(IDEMPOTENCY_HEADER)
            if key in self._seen:
                self.duplicates += 1
            else:
                self._seen.add(key)
                self.messages.append(message)
        return 202

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        gateway = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = gateway._status(self.path, self.headers, body)
                if status >= 300:
                    gateway.refused.append(status)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                """Keep test output quiet."""

        return Handler
