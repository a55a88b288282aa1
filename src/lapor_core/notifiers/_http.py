"""What the HTTP notifiers share: one POST, and what its answer means for the outbox.

The webhook and SMS-gateway notifiers both send one request per notification and classify the answer the
same way: 2xx delivered; a 4xx other than 408, 425 and 429 refused for good (the request will not get better
by waiting); 1xx and 3xx refused for good too (redirects are not followed: a notification never goes
somewhere its configuration did not name); anything else, or no answer, worth trying again later. Each
notifier names the failures with its own catalogue codes.

Internal: nothing here is part of the public API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, TypedDict

from lapor_core.errors import PermanentNotificationError, TemporaryNotificationError

if TYPE_CHECKING:  # urllib.request and ssl load with the first notifier, not with lapor_core.notifiers
    import ssl
    import urllib.request

__all__ = ["FailureCodes", "opener", "post"]

_MAX_RESPONSE: Final = 65_536
_HTTP_OK: Final = range(200, 300)
_HTTP_CLIENT_ERROR: Final = range(400, 500)
_HTTP_REDIRECT: Final = range(300, 400)
_TEMPORARY_4XX: Final = frozenset({408, 425, 429})


def opener(*, proxy: str | None, ssl_context: ssl.SSLContext | None) -> urllib.request.OpenerDirector:
    """An opener that uses ``proxy`` (None: none, whatever the environment says) and never follows a redirect.

    A signed request goes only where it was signed for: a redirect is an ``HTTPError`` (:func:`post` treats
    it as refused). Where notifications go is configuration, not ambient state, so proxy settings of the
    environment are ignored.
    """
    import ssl  # noqa: PLC0415 - loaded with the first notifier, not at import
    import urllib.request  # noqa: PLC0415

    class _NoRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
            return None

    proxies = {"http": proxy, "https": proxy} if proxy else {}
    return urllib.request.build_opener(
        urllib.request.ProxyHandler(proxies),
        _NoRedirects(),
        urllib.request.HTTPSHandler(context=ssl_context or ssl.create_default_context()),
    )


class FailureCodes(TypedDict):
    """A notifier's catalogue codes for each way a POST fails."""

    unreachable: str
    refused: str
    not_followed: str
    failed: str


def post(
    opener: urllib.request.OpenerDirector,
    request: urllib.request.Request,
    *,
    timeout: float,
    codes: FailureCodes,
) -> None:
    """Send ``request``; return when the server took it, else raise what the outbox should do next.

    Raises:
        TemporaryNotificationError: No answer (``codes["unreachable"]``, with the error's type), a 5xx, or a
            408/425/429 (``codes["failed"]``, with the status): the outbox tries again later.
        PermanentNotificationError: Another 4xx (``codes["refused"]``), or a 1xx/3xx
            (``codes["not_followed"]``): the outbox gives up on this notification.
    """
    import http.client  # noqa: PLC0415 - loaded by the notifiers' constructors already
    import urllib.error  # noqa: PLC0415

    try:
        with opener.open(request, timeout=timeout) as response:
            status = int(response.status)
            response.read(_MAX_RESPONSE)
    except urllib.error.HTTPError as e:
        status = e.code
        e.close()
    except (urllib.error.URLError, http.client.HTTPException, OSError) as e:
        raise TemporaryNotificationError(
            detail=codes["unreachable"], params={"error": type(e).__name__}
        ) from None
    if status in _HTTP_OK:
        return
    shown = {"status": str(status)}  # a code, not a quantity: never "1.000"
    if status in _HTTP_CLIENT_ERROR and status not in _TEMPORARY_4XX:
        raise PermanentNotificationError(detail=codes["refused"], params=shown)
    if status < _HTTP_OK.start or status in _HTTP_REDIRECT:
        raise PermanentNotificationError(detail=codes["not_followed"], params=shown)
    raise TemporaryNotificationError(detail=codes["failed"], params=shown)
