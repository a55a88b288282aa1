"""The "Write a notifier" how-to: a notifier for an SMS gateway's HTTP API, and a fake gateway to test it.

docs/topics/notifications.md shows this code; tests/test_notifier_contract.py runs the notifier through
:class:`~lapor_core.testing.notifier_contracts.NotifierContract` against :class:`FakeSmsGateway`.
"""

from __future__ import annotations

import http.server
import json
import threading
import urllib.error
import urllib.request
from typing import Any

from lapor_core._domain.notifications import DeliveryChannel, Notification
from lapor_core.errors import PermanentNotificationError, TemporaryNotificationError


class SmsGatewayNotifier:
    """Sends the short text of SMS notifications through an SMS gateway's HTTP API.

    The gateway takes ``POST <base_url>/messages`` with a bearer token and the JSON body
    ``{"to": ..., "text": ..., "reference": ...}``, and answers 201 once it queued the SMS. It drops a
    message whose ``reference`` it saw in the last day, so the idempotency key goes there.
    """

    def __init__(self, base_url: str, *, token: str, timeout: float = 10.0) -> None:
        self._url = base_url.rstrip("/") + "/messages"
        self._token = token
        self._timeout = timeout
        # No proxy unless configured: where messages go is configuration, not the environment's.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def send(self, notification: Notification) -> None:
        """Hand one SMS to the gateway, or raise a NotificationError saying whether to retry."""
        if notification.channel is not DeliveryChannel.SMS:
            raise PermanentNotificationError(f"the SMS gateway cannot send to {notification.channel.value}")
        body = json.dumps(
            {
                "to": notification.address.target,
                "text": notification.message.short,
                "reference": notification.idempotency_key,
            }
        ).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - the URL is the configured https gateway
            self._url,
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {self._token}", "Content-Type": "application/json"},
        )
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:
            error.close()
            if error.code == 429 or error.code >= 500:
                raise TemporaryNotificationError(f"the SMS gateway answered {error.code}") from None
            raise PermanentNotificationError(f"the SMS gateway refused the message ({error.code})") from None
        except OSError as error:  # URLError, timeouts, refused connections
            raise TemporaryNotificationError(
                f"the SMS gateway is unreachable ({type(error).__name__})"
            ) from None


class FakeSmsGateway:
    """A stand-in for the gateway on 127.0.0.1: numbers ending in 400, 429 or 503 get that answer."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.messages: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/v1"

    def __enter__(self) -> FakeSmsGateway:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        gateway = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                message = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status = 201
                if self.path != "/api/v1/messages":
                    status = 404
                elif self.headers.get("Authorization") != f"Bearer {gateway.token}":
                    status = 401
                elif message["to"][-3:] in ("400", "429", "503"):
                    status = int(message["to"][-3:])
                else:
                    with gateway._lock:
                        gateway.messages.append(message)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                """Keep test output quiet."""

        return Handler
