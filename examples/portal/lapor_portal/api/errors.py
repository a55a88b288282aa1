"""Errors of the JSON API: each lapor_core error becomes its HTTP status with a :class:`Problem` body.

=====================================  ======  ===========================================================
error                                  status  why
=====================================  ======  ===========================================================
``ValidationError``, bad shape         422     ``errors`` lists every bad field
a body that cannot even be parsed      400     the bytes are not JSON text
``NotFound``, ``InvalidTrackingId``    404     unknown, or hidden from the caller (indistinguishable)
``NotAllowed``                         403     visible, but not the caller's to do
``TransitionNotAllowed``               409     the complaint's status does not allow it
``ConcurrencyConflict``                409     somebody changed it first; read again and retry
``TooManyAttempts``                    429     wrong access keys; ``Retry-After`` says when to retry
an unknown bearer token                401     ``WWW-Authenticate: Bearer``
=====================================  ======  ===========================================================
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from typing import Any, Final

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

import lapor_core as lc
from lapor_portal.api.models import FieldProblem, Problem

__all__ = ["ERROR_RESPONSES", "JsonApiRoute", "Unauthorized", "field_path", "problem"]

STATUS_OF: Final[tuple[tuple[type[lc.LaporError], int], ...]] = (
    (lc.ValidationError, 422),
    (lc.InvalidTrackingId, 404),
    (lc.NotFound, 404),
    (lc.TooManyAttempts, 429),
    (lc.NotAllowed, 403),
    (lc.TransitionNotAllowed, 409),
    (lc.ConcurrencyConflict, 409),
)


class Unauthorized(Exception):
    """The request carried credentials the portal does not know."""


def _doc(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


ERROR_RESPONSES: Final[Mapping[int | str, dict[str, Any]]] = {
    400: _doc("A request body that cannot be parsed"),
    401: _doc("Unknown bearer token"),
    403: _doc("Not allowed for this caller"),
    404: _doc("Not found, or not visible to this caller"),
    409: _doc("The complaint's status does not allow this, or it changed meanwhile"),
    422: _doc("Invalid input; every bad field is listed"),
    429: _doc("Too many wrong access keys; retry after Retry-After seconds"),
}
"""The error answers every route documents."""


def problem(
    status_code: int,
    detail: str,
    errors: Iterable[FieldProblem] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A :class:`Problem` response."""
    body = Problem(detail=detail, errors=list(errors))
    return JSONResponse(body.model_dump(), status_code=status_code, headers=headers)


def field_path(location: Sequence[object]) -> str:
    """The dotted path of a request-validation error's location, without its source.

    >>> field_path(("body", "location", "lat")), field_path(("query", "limit")), field_path(("body",))
    ('location.lat', 'limit', '$')
    """
    return ".".join(str(part) for part in location[1:]) or "$"


def _library_error(error: lc.LaporError) -> Response | None:
    status_code = next((code for cls, code in STATUS_OF if isinstance(error, cls)), None)
    if status_code is None:
        return None
    if isinstance(error, lc.ValidationError):
        fields = (FieldProblem(field=e.field, reason=e.reason) for e in error.errors)
        return problem(status_code, "invalid input", fields)
    headers = None
    if isinstance(error, lc.TooManyAttempts):
        headers = {"Retry-After": str(error.retry_after_seconds)}
    return problem(status_code, error.message, headers=headers)


class JsonApiRoute(APIRoute):
    """A route whose lapor_core errors, request-validation errors and bad credentials become JSON problems."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler with the error mapping."""
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as error:
                fields = (
                    FieldProblem(field=field_path(e.get("loc", ())), reason=str(e.get("msg", "invalid")))
                    for e in error.errors()
                )
                return problem(422, "invalid input", fields)
            except HTTPException as error:
                return problem(error.status_code, str(error.detail), headers=error.headers)
            except Unauthorized:
                return problem(401, "unknown bearer token", headers={"WWW-Authenticate": "Bearer"})
            except lc.LaporError as error:
                response = _library_error(error)
                if response is None:
                    raise
                return response

        return handle
