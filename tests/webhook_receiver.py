"""A webhook receiver on 127.0.0.1 for the tests: verifies signatures, deduplicates, answers as told.

Signatures are checked the Standard Webhooks way (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``) with :func:`~lapor_core.notifiers.webhook.verify_webhook`.

The path chooses the answer: ``/ok`` records and answers 200 (a repeated idempotency key is counted as a
duplicate and not recorded again), ``/status/<code>`` answers that code, ``/slow`` answers after a delay.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections import Counter
from typing import Any

import attrs

from lapor_core.notifiers.webhook import IDEMPOTENCY_HEADER, verify_webhook

HOST = "127.0.0.1"


@attrs.frozen
class Hit:
    """One request as received."""

    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool

    @property
    def key(self) -> str:
        return self.headers.get(IDEMPOTENCY_HEADER, "")

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    """A threaded HTTP server on a free port of 127.0.0.1; ``with`` starts and stops it."""

    def __init__(self, secret: str, *, slow_seconds: float = 1.0) -> None:
        self.secret = secret
        self.slow_seconds = slow_seconds
        self.hits: list[Hit] = []
        self.delivered: dict[str, Hit] = {}
        self.seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer((HOST, 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str = "/ok") -> str:
        return f"http://{HOST}:{self.port}{path}"

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)
            if hit.path == "/ok" and hit.verified:
                self.seen[hit.key] += 1
                self.delivered.setdefault(hit.key, hit)

    @property
    def duplicates(self) -> int:
        with self._lock:
            return sum(count - 1 for count in self.seen.values())

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = dict(self.headers.items())
                verified = verify_webhook(receiver.secret, headers=headers, body=body)
                receiver.record(Hit(self.path, headers, body, verified))
                status = 200
                if self.path.startswith("/status/"):
                    status = int(self.path.rsplit("/", 1)[1])
                elif self.path == "/slow":
                    time.sleep(receiver.slow_seconds)
                elif not verified:
                    status = 401
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", receiver.url("/ok"))
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                """Keep test output quiet."""

        return Handler
