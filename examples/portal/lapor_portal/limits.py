"""The most bytes a request body may have on the machine endpoints, enforced before the body is read.

Forms are capped by Starlette's form parser; JSON and webhook bodies are read whole by the code behind them,
so without a cap an unauthenticated client could make the portal hold any number of bytes. :class:`BodyLimit`
refuses a body that is too large before any of it reaches the application:

- a ``Content-Length`` over the limit is answered 413 at once, without reading a byte of the body;
- a body without one (chunked) is counted as it streams in, and reading stops at the first chunk past the
  limit: the application sees an error instead of the body, and the client gets 413 all the same.

The answer is the JSON API's :class:`~lapor_portal.api.models.Problem` (code ``request.too_large``), in the
caller's language (``Accept-Language``), with ``Connection: close`` so the server drops the unread rest.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Final

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lapor_portal.i18n import Translator, accepted_language

__all__ = ["JSON_BODY_LIMIT", "BodyLimit", "BodyTooLarge"]

JSON_BODY_LIMIT: Final = 65_536
"""The JSON API's limit: a submission's longest texts (4,000 characters, escaped) fit many times over."""
_CODE: Final = "request.too_large"


class BodyTooLarge(HTTPException):
    """What reading a body past its limit raises inside the application (the middleware answers 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body over {limit} bytes")
        self.limit = limit


class BodyLimit:
    """ASGI middleware: request bodies under the first matching path prefix are held to its byte limit.

    Args:
        app: The application.
        limits: ``(path prefix, most bytes)`` pairs, the first matching prefix wins; other paths are
            passed through untouched.
    """

    def __init__(self, app: ASGIApp, *, limits: Sequence[tuple[str, int]]) -> None:
        self.app = app
        self.limits = tuple(limits)

    def limit_of(self, path: str) -> int | None:
        """The limit for ``path``, or None when no prefix matches."""
        return next((limit for prefix, limit in self.limits if path.startswith(prefix)), None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a declared or streamed body over the path's limit with 413."""
        limit = self.limit_of(scope["path"]) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        if declared.strip().isdigit() and int(declared) > limit:
            await _too_large(headers, limit, send)
            return
        counted = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal counted, exceeded
            message = await receive()
            if message["type"] == "http.request":
                counted += len(message.get("body", b""))
                if counted > limit:
                    exceeded = True
                    raise BodyTooLarge(limit)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:  # whatever the application made of the error, the answer is 413
                started = True
                await _too_large(headers, limit, send)
                return
            if exceeded:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLarge:
            if not started:
                await _too_large(headers, limit, send)


async def _too_large(headers: Headers, limit: int, send: Send) -> None:
    """Send the 413 problem, in the language the request asked for."""
    t = Translator(accepted_language(headers.get("accept-language")))
    body = json.dumps(
        {"code": _CODE, "detail": t("api.body_too_large", max=limit), "errors": []}, ensure_ascii=False
    ).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode("ascii")),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
