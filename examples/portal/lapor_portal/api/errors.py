"""Errors of the JSON API: each lapor_core error becomes its HTTP status with a :class:`Problem` body.

=====================================  ======  ===========================================================
error                                  status  why
=====================================  ======  ===========================================================
``ValidationError``, bad shape         422     ``errors`` lists every bad field
``IdempotencyConflict``                422     the ``Idempotency-Key`` was used for another body
a body that cannot even be parsed      400     the bytes are not JSON text (``$``: ``file.not_json``)
a body that is too large               413     over the JSON API's limit (:mod:`lapor_portal.limits`)
a body that is not JSON                415     its ``Content-Type`` is neither JSON nor ``+json``
``NotFound``, ``InvalidTrackingId``    404     unknown, or hidden from the caller (indistinguishable)
``NotAllowed``                         403     visible, but not the caller's to do
``TransitionNotAllowed``               409     the complaint's status does not allow it
``ConcurrencyConflict``                409     somebody changed it first; read again and retry
``TooManyAttempts``                    429     wrong access keys; ``Retry-After`` says when to retry
an unknown bearer token                401     ``WWW-Authenticate: Bearer``
=====================================  ======  ===========================================================

Each operation documents only the answers it can give (:func:`responses`), and credentials as what they are:
optional (the public may call every operation; a token or access key only shows more).

Every answer is a :class:`Problem`: the error's ``code`` (``error.validation``, ``error.not_found``...), a
``detail`` for people and, for invalid input, every bad field with the library's ``code``, ``params`` and
``message``. Texts are in the caller's language (``Accept-Language``; Indonesian unless English is
preferred). A body of the wrong shape (a string where a boolean belongs, an unknown key) is refused with the
same codes the library uses, as one :class:`lapor_core.ValidationError`: nothing is coerced.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from typing import Any, Final

from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

import lapor_core as lc
from lapor_portal.api.models import FieldProblem, Problem
from lapor_portal.i18n import Lang, Translator, accepted_language

__all__ = [
    "BODY_ERRORS",
    "ERROR_RESPONSES",
    "JsonApiRoute",
    "Unauthorized",
    "field_path",
    "json_type",
    "plain",
    "problem",
    "request_errors",
    "responses",
]

STATUS_OF: Final[tuple[tuple[type[lc.LaporError], int], ...]] = (
    (lc.ValidationError, 422),
    (lc.IdempotencyConflict, 422),
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
    400: _doc("A request body that cannot be parsed as JSON"),
    401: _doc("Unknown bearer token"),
    403: _doc("Not allowed for this caller"),
    404: _doc("Not found, or not visible to this caller"),
    409: _doc("The complaint's status does not allow this, or it changed meanwhile"),
    422: _doc("Invalid input (every bad field is listed), or an Idempotency-Key used for another body"),
    413: _doc("The request body is over the JSON API's limit (64 KB)"),
    415: _doc("The request body is not JSON (Content-Type)"),
    429: _doc("Too many wrong access keys; retry after Retry-After seconds"),
}
"""Every error answer of the JSON API, by status."""

BODY_ERRORS: Final = (400, 413, 415, 422)
"""What any operation taking a JSON body can answer about the body itself."""


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of an operation that can answer these error statuses (and no others).

    >>> sorted(responses(404, 401))
    [401, 404]
    """
    return {status: ERROR_RESPONSES[status] for status in sorted(set(statuses))}


def problem(
    status_code: int,
    code: str | None,
    detail: str,
    errors: Iterable[FieldProblem] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A :class:`Problem` response."""
    body = Problem(code=code, detail=detail, errors=list(errors))
    return JSONResponse(body.model_dump(), status_code=status_code, headers=headers)


def field_path(location: Sequence[object]) -> str:
    """The library-style path of a request-validation error's location, without its source.

    >>> field_path(("body", "location", "lat")), field_path(("query", "status", 0)), field_path(("body",))
    ('location.lat', 'status[0]', '$')
    >>> field_path(("body", 7))  # a position in malformed JSON text is no field
    '$'
    """
    path = ""
    for part in location[1:]:
        if isinstance(part, int):
            if not path:
                return "$"
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else str(part)
    return path or "$"


def json_type(value: object) -> str:
    """The JSON name of a value's type, what a message may say about a refused value without showing it.

    >>> [json_type(v) for v in (None, True, 1.5, "ya", [1], {"a": 1})]
    ['null', 'boolean', 'number', 'string', 'list', 'object']
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


# pydantic's error type -> the library's code for the same problem (codes with a ``type`` param marked)
_TYPED_CODES: Final[Mapping[str, str]] = {
    "bool_type": "value.not_boolean",
    "bool_parsing": "value.not_boolean",
    "string_type": "value.not_string",
    "int_type": "value.not_integer",
    "int_parsing": "value.not_integer",
    "int_from_float": "value.not_integer",
    "float_type": "value.not_number",
    "float_parsing": "value.not_number",
    "model_type": "value.not_mapping",
    "dict_type": "value.not_mapping",
    "model_attributes_type": "value.not_mapping",
}
_PLAIN_CODES: Final[Mapping[str, str]] = {
    "missing": "value.required",
    "extra_forbidden": "field.unknown",
    "finite_number": "number.not_finite",
}
_CHOICE_TYPES: Final = frozenset({"enum", "literal_error"})
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


def _field_error(found: Mapping[str, Any]) -> lc.FieldError:
    kind = str(found.get("type", ""))
    location = found.get("loc", ())
    field = "$" if kind.startswith("json_") else field_path(location)
    given = found.get("input")
    context = found.get("ctx") or {}
    if kind in _TYPED_CODES:
        return lc.FieldError(field, _TYPED_CODES[kind], {"type": json_type(given)})
    if kind in _PLAIN_CODES:
        return lc.FieldError(field, _PLAIN_CODES[kind])
    if kind in _CHOICE_TYPES:
        return lc.FieldError(
            field, "value.not_choice", {"choices": _QUOTED.findall(str(context.get("expected")))}
        )
    if kind == "string_too_long" and isinstance(given, str):
        return lc.FieldError(field, "text.too_long", {"max": context.get("max_length"), "actual": len(given)})
    return lc.FieldError(field, "value.wrong_type")


def request_errors(found: Iterable[Mapping[str, Any]]) -> lc.ValidationError:
    """FastAPI's request-validation errors as one :class:`lapor_core.ValidationError` with library codes.

    The refused values are never carried over, only their JSON type.

    >>> error = request_errors([{"type": "bool_type", "loc": ("body", "anonymous"), "input": "yes"}])
    >>> error.errors[0].field, error.errors[0].code, dict(error.errors[0].params), error.messages("en")
    ('anonymous', 'value.not_boolean', {'type': 'string'}, ('anonymous: must be true or false, got a
    string',))
    """
    return lc.ValidationError(_field_error(e) for e in found)


def plain(value: object) -> object:
    """A message parameter as JSON can carry it (sequences as lists, dates as ISO text).

    >>> plain({"choices": ("a", "b"), "on": dt.date(2026, 3, 1), "max": 150})
    {'choices': ['a', 'b'], 'on': '2026-03-01', 'max': 150}
    """
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(plain(item) for item in value)  # type: ignore[type-var]
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _field_problem(error: lc.FieldError, lang: Lang) -> FieldProblem:
    params = plain(error.params)
    return FieldProblem(
        field=error.field,
        code=error.code,
        params=params if isinstance(params, dict) else {},
        message=error.message(lang),
    )


def _invalid(error: lc.ValidationError, lang: Lang, status_code: int = 422) -> Response:
    fields = (_field_problem(e, lang) for e in error.errors)
    return problem(status_code, error.code, error.describe(lang), fields)


def _is_json(content_type: str) -> bool:
    """Whether a Content-Type names JSON (``application/json``, ``application/problem+json``...).

    >>> [_is_json(t) for t in ("application/json; charset=utf-8", "application/merge+json", "text/plain")]
    [True, True, False]
    """
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _uses_credentials(dependant: Dependant) -> bool:
    """Whether an operation reads a security scheme (a bearer token, an access key), directly or not."""
    return any(isinstance(d.call, SecurityBase) or _uses_credentials(d) for d in dependant.dependencies)


def _library_error(error: lc.LaporError, lang: Lang) -> Response | None:
    status_code = next((code for cls, code in STATUS_OF if isinstance(error, cls)), None)
    if status_code is None:
        return None
    if isinstance(error, lc.ValidationError):
        return _invalid(error, lang)
    headers = None
    if isinstance(error, lc.TooManyAttempts):
        headers = {"Retry-After": str(error.retry_after_seconds)}
    return problem(status_code, error.code, error.describe(lang), headers=headers)


class JsonApiRoute(APIRoute):
    """A route whose lapor_core errors, request-validation errors and bad credentials become JSON problems.

    Its schema says that its credentials are optional (``security`` lists ``{}`` beside each scheme): every
    operation answers the public, and a token or access key only changes what the caller may see and do.
    A body that is not JSON by its ``Content-Type`` is refused with 415 before it is read.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        super().__init__(path, endpoint, **options)
        if _uses_credentials(self.dependant):
            self.openapi_extra = {**(self.openapi_extra or {}), "security": [{}]}

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler with the error mapping."""
        handler = super().get_route_handler()

        takes_body = self.body_field is not None

        async def handle(request: Request) -> Response:
            lang = accepted_language(request.headers.get("accept-language"))
            content_type = request.headers.get("content-type")
            if takes_body and content_type is not None and not _is_json(content_type):
                t = Translator(lang)
                return problem(415, "request.not_json", t("api.json_expected"))
            try:
                return await handler(request)
            except RequestValidationError as error:
                found = error.errors()
                if any(str(e.get("type", "")).startswith("json_") for e in found):  # not JSON text at all
                    return _invalid(lc.ValidationError.single("$", "file.not_json"), lang, 400)
                return _invalid(request_errors(found), lang)
            except HTTPException as error:
                return problem(error.status_code, None, str(error.detail), headers=error.headers)
            except Unauthorized:
                t = Translator(lang)
                detail = t("api.unknown_token")
                return problem(401, None, detail, headers={"WWW-Authenticate": "Bearer"})
            except lc.LaporError as error:
                response = _library_error(error, lang)
                if response is None:
                    raise
                return response

        return handle
