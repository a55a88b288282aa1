"""What a real deployment needs around the pages: CSRF tokens, security headers, no caching of secrets.

- Every form carries the session's CSRF token (``csrf_token`` field); :func:`require_csrf` refuses a POST
  whose token is missing or wrong, or whose ``Origin`` is another site.
- :class:`SecurityHeaders` sends a strict Content-Security-Policy (scripts only from the portal, and from
  Leaflet's origin when one is configured), ``nosniff``, ``DENY`` framing and a ``same-origin`` referrer
  policy (tracking pages must not leak their URL to tile servers; ``no-referrer`` would make browsers send
  ``Origin: null`` on the portal's own forms). Every dynamic response is ``Cache-Control: no-store``:
  pages show signed-in identities and reporters' complaints, and the receipt shows an access key.
- :class:`ClientKeys` turns the client's address into the opaque key the desk's access-key lock-out counts
  by: a keyed hash under a secret drawn at start-up and held in memory only. The address itself is never
  stored, logged or passed on; the user agent is never read.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "CSRF_FIELD",
    "ClientKeys",
    "CsrfRejected",
    "SecurityHeaders",
    "content_security_policy",
    "csrf_token",
    "require_csrf",
    "rotate_csrf",
]

CSRF_FIELD = "csrf_token"
"""The name of the hidden form field holding the CSRF token."""
_SESSION_KEY = "csrf"


class CsrfRejected(Exception):
    """A form was posted without this session's CSRF token, or from another origin."""


def csrf_token(request: Request) -> str:
    """This session's CSRF token, created on first use."""
    token = request.session.get(_SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[_SESSION_KEY] = token
    return token


def rotate_csrf(request: Request) -> None:
    """Issue a new CSRF token (on signing in or out)."""
    request.session[_SESSION_KEY] = secrets.token_urlsafe(32)


def _same_origin(request: Request) -> bool:
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True  # browsers send Origin on cross-site POSTs; its absence means same-site or no browser
    parts = urlsplit(origin)
    return parts.scheme == request.url.scheme and parts.netloc == request.url.netloc


async def require_csrf(request: Request) -> None:
    """FastAPI dependency for every form POST: the token must match the session's and the origin ours.

    Raises:
        CsrfRejected: Rendered as 403 by the portal.
    """
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get(_SESSION_KEY)
    if (
        not isinstance(sent, str)
        or not isinstance(expected, str)
        or not hmac.compare_digest(sent.encode(), expected.encode())
        or not _same_origin(request)
    ):
        raise CsrfRejected


class ClientKeys:
    """The client key :meth:`lapor_core.ComplaintDesk.authenticate` counts wrong access keys by.

    The key is HMAC-SHA256 of the client's address under a secret drawn from :mod:`secrets` when the portal
    starts and never written anywhere, so the desk sees an opaque key, nothing stores the address, and the
    keys mean nothing after a restart. An IPv6 client is keyed by its /64 network (one subscriber's block,
    whose 2^64 addresses would otherwise each get a fresh count); an IPv4 client, also mapped into IPv6,
    by its address. Many people behind one address share a count, which locks none of them out: the desk
    always opens a correct key.

    Behind a reverse proxy the address is the proxy's unless the server trusts its forwarding headers
    (uvicorn ``--proxy-headers --forwarded-allow-ips=<proxy address>``); then every visitor shares one count.

    Example:
        >>> keys = ClientKeys(secret=b"0" * 32)
        >>> keys.of_address("2001:db8::1") == keys.of_address("2001:db8::ffff")
        True
        >>> keys.of_address("198.51.100.7") == keys.of_address("::ffff:198.51.100.7")
        True
        >>> len(keys.of_address("198.51.100.7"))
        64
    """

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret if secret is not None else secrets.token_bytes(32)

    def __repr__(self) -> str:
        return "ClientKeys(<secret>)"

    def of_address(self, address: str) -> str:
        """The client key of one address (any text that is not an IP address is keyed as given)."""
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            grouped = address
        else:
            if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
                grouped = str(parsed.ipv4_mapped)
            elif isinstance(parsed, ipaddress.IPv6Address):
                grouped = str(ipaddress.IPv6Network((parsed, 64), strict=False))
            else:
                grouped = str(parsed)
        return hmac.new(self._secret, grouped.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    def of(self, connection: HTTPConnection) -> str:
        """The client key of a request (requests whose address the server does not know share one key)."""
        return self.of_address(connection.client.host if connection.client is not None else "")


def content_security_policy(*, tile_origin: str | None, leaflet_origin: str | None) -> str:
    """The Content-Security-Policy for the portal's pages.

    >>> content_security_policy(tile_origin="https://tile.example", leaflet_origin=None)
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https://tile.example; ..."
    """
    scripts = " ".join(filter(None, ("'self'", leaflet_origin)))
    images = " ".join(filter(None, ("'self' data:", tile_origin, leaflet_origin)))
    return (
        f"default-src 'self'; script-src {scripts}; style-src {scripts}; img-src {images}; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp, *, policy: str, static_prefix: str = "/static/") -> None:
        self._app = app
        self._policy = policy
        self._static = static_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response's start."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith(self._static)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("content-security-policy", self._policy)
                headers.setdefault("x-content-type-options", "nosniff")
                headers.setdefault("x-frame-options", "DENY")
                headers.setdefault("referrer-policy", "same-origin")
                headers.setdefault("cache-control", "public, max-age=3600" if static else "no-store")
            await send(message)

        await self._app(scope, receive, send_with_headers)
