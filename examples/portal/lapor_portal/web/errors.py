"""Errors on the pages: each lapor_core error becomes a page with the right status code.

The JSON API and Open311 answer their own errors in their formats (see :mod:`lapor_portal.api.errors`); only
unknown addresses and wrong methods under their prefixes reach the handlers here, and get the same formats:
the JSON API's problem under ``/api/``, the GeoReport error list under ``/open311/``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

import lapor_core as lc
from lapor_portal.api import open311
from lapor_portal.api.errors import problem
from lapor_portal.i18n import N_, Translator, accepted_language, language_of
from lapor_portal.security import CsrfRejected
from lapor_portal.web.rendering import render
from lapor_portal.web.staff import SignInRequired, WrongRole

__all__ = ["install_page_errors"]

# name -> the page's heading and text
_TEXTS: dict[str, tuple[str, str]] = {
    "not_found": (N_("error.not_found.heading"), N_("error.not_found.text")),
    "too_many": (N_("error.too_many.heading"), N_("error.too_many.text")),
    "not_allowed": (N_("error.not_allowed.heading"), N_("error.not_allowed.text")),
    "csrf": (N_("error.csrf.heading"), N_("error.csrf.text")),
    "conflict": (N_("error.conflict.heading"), N_("error.conflict.text")),
    "invalid": (N_("error.invalid.heading"), N_("error.invalid.text")),
    "server": (N_("error.server.heading"), N_("error.server.text")),
}

# error class -> (status, name of its texts in _TEXTS)
_PAGES: tuple[tuple[type[Exception], int, str], ...] = (
    (lc.NotFound, 404, "not_found"),
    (lc.InvalidTrackingId, 404, "not_found"),
    (lc.TooManyAttempts, 429, "too_many"),
    (lc.NotAllowed, 403, "not_allowed"),
    (WrongRole, 403, "not_allowed"),
    (CsrfRejected, 403, "csrf"),
    (lc.TransitionNotAllowed, 409, "conflict"),
    (lc.ConcurrencyConflict, 409, "conflict"),
    (lc.ValidationError, 422, "invalid"),
    (RequestValidationError, 422, "invalid"),
)


def _page(request: Request, status_code: int, name: str, error: Exception | None = None) -> Response:
    lang = language_of(request)
    translate = Translator(lang)
    problems = (
        [f"{translate.field(e.field)}: {e.message(lang)}" for e in error.errors]
        if isinstance(error, lc.ValidationError)
        else []
    )
    heading, message = _TEXTS[name]
    context = {
        "heading": translate(heading),
        "message": translate(message),
        "problems": problems,
        "back": None,
    }
    return render(request, "error.html", context, status_code=status_code)


def _handler(status_code: int, name: str) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handle(request: Request, error: Exception) -> Response:
        response = _page(request, status_code, name, error)
        if isinstance(error, lc.TooManyAttempts):
            response.headers["Retry-After"] = str(error.retry_after_seconds)
        return response

    return handle


async def _sign_in(_request: Request, error: Exception) -> Response:
    next_path = error.next_path if isinstance(error, SignInRequired) else "/"
    return RedirectResponse(f"/masuk?next={quote(next_path)}", status_code=303)


_API_ERRORS = {
    404: N_("api.path_unknown"),
    405: N_("api.method_not_allowed"),
    500: N_("api.server_error"),
}


async def _http_error(request: Request, error: Exception) -> Response:
    status_code = error.status_code if isinstance(error, HTTPException) else 500
    headers = error.headers if isinstance(error, HTTPException) else None
    path = request.url.path
    if path.startswith("/open311/"):  # GeoReport clients read every error as its error list
        return open311.http_error(
            request, status_code, accepted_language(request.headers.get("accept-language")), headers
        )
    if path.startswith("/api/"):
        lang = accepted_language(request.headers.get("accept-language"))
        allowed = (headers or {}).get("Allow", "")
        key = _API_ERRORS.get(status_code)
        detail = (
            Translator(lang)(key, method=request.method, allowed=allowed)
            if key
            else str(getattr(error, "detail", ""))
        )
        return problem(status_code, None, detail, headers=headers)
    name = {404: "not_found", 500: "server"}.get(status_code, "invalid")
    return _page(request, status_code, name)


async def _server_error(request: Request, _error: Exception) -> Response:
    """Anything unexpected: 500 in the format of where it happened (the server still logs the error)."""
    return await _http_error(request, HTTPException(500))


def install_page_errors(app: FastAPI) -> None:
    """Register the page error handlers on ``app``."""
    for error_class, status_code, name in _PAGES:
        app.add_exception_handler(error_class, _handler(status_code, name))
    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _server_error)
