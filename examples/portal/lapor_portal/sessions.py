"""Sessions in a signed cookie: a small JSON object the browser keeps and cannot forge.

The cookie holds ``base64url(json) . issued-at . HMAC-SHA256``. Nothing secret from the desk goes in it except
a reporter's proof (see :mod:`lapor_portal.web.reporter`), which only opens that reporter's own complaint
and expires after minutes. The cookie is ``HttpOnly`` and ``SameSite=Lax`` (``Secure`` behind HTTPS);
with the CSRF token of every form (:mod:`lapor_portal.security`) that keeps other sites from acting in its
name.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SignedCookieSessions", "decode", "encode"]

COOKIE_NAME = "lapor_session"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: bytes, message: str) -> str:
    return _b64(hmac.new(secret, message.encode("ascii"), hashlib.sha256).digest())


def encode(data: dict[str, Any], *, secret: bytes, issued: int) -> str:
    """The cookie value for ``data`` signed at ``issued`` (seconds since the epoch).

    >>> value = encode({"lang": "en"}, secret=b"k" * 32, issued=100)
    >>> decode(value, secret=b"k" * 32, now=150, max_age=60)
    {'lang': 'en'}
    >>> decode(value, secret=b"k" * 32, now=161, max_age=60)  # too old
    {}
    >>> decode(value + "x", secret=b"k" * 32, now=150, max_age=60)  # forged
    {}
    """
    payload = _b64(json.dumps(data, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    message = f"{payload}.{issued}"
    return f"{message}.{_signature(secret, message)}"


def decode(value: str, *, secret: bytes, now: float, max_age: int) -> dict[str, Any]:
    """The session in a cookie value; an empty one when it is forged, malformed or older than ``max_age``."""
    payload, _, rest = value.partition(".")
    issued_text, _, signature = rest.partition(".")
    if not (payload and issued_text.isdigit() and signature):
        return {}
    expected = _signature(secret, f"{payload}.{issued_text}")
    if not hmac.compare_digest(expected, signature) or int(issued_text) + max_age < now:
        return {}
    try:
        data = json.loads(_unb64(payload))
    except (ValueError, binascii.Error):
        return {}
    return data if isinstance(data, dict) else {}


class SignedCookieSessions:
    """ASGI middleware: ``request.session`` is a dict read from, and written back to, a signed cookie.

    The cookie is rewritten only when the session changed, and deleted when it became empty.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        secret: bytes,
        max_age: int,
        https_only: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._app = app
        self._secret = secret
        self._max_age = max_age
        self._secure = https_only
        self._clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Read the session from the request's cookie; write it back on the response if it changed."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        cookie = HTTPConnection(scope).cookies.get(COOKIE_NAME)
        session = (
            decode(cookie, secret=self._secret, now=self._clock(), max_age=self._max_age) if cookie else {}
        )
        before = json.dumps(session, sort_keys=True)
        scope["session"] = session

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                current: dict[str, Any] = scope["session"]
                if json.dumps(current, sort_keys=True) != before or (cookie and not session):
                    MutableHeaders(scope=message).append("set-cookie", self._cookie(current))
            await send(message)

        await self._app(scope, receive, send_with_cookie)

    def _cookie(self, session: dict[str, Any]) -> str:
        flags = "; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if self._secure else "")
        if not session:
            return f"{COOKIE_NAME}=; Max-Age=0{flags}"
        value = encode(session, secret=self._secret, issued=int(self._clock()))
        return f"{COOKIE_NAME}={value}; Max-Age={self._max_age}{flags}"
