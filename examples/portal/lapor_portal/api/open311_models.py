"""The JSON shapes of the GeoReport v2 documents, for the OpenAPI schema (the XML has the same fields).

Every field the specification lists is always present; fields a request does not have are ``null`` in JSON
and empty elements in XML.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from starlette.responses import Response

__all__ = [
    "OPEN311_ERRORS",
    "AttributeOut",
    "AttributeValueOut",
    "DiscoveryOut",
    "EndpointOut",
    "ErrorOut",
    "ServiceDefinitionOut",
    "ServiceOut",
    "ServiceRequestOut",
    "SubmittedRequestOut",
    "documented",
]

_OUT = ConfigDict(extra="forbid")
_XML: dict[str, Any] = {"text/xml": {"schema": {"type": "string", "description": "The same document in XML"}}}


class EndpointOut(BaseModel):
    """One endpoint of the discovery document."""

    model_config = _OUT
    specification: str
    url: str
    changeset: str
    type: Literal["production", "test"]
    formats: list[str]


class DiscoveryOut(BaseModel):
    """The service discovery document."""

    model_config = _OUT
    changeset: str
    contact: str
    key_service: str
    endpoints: list[EndpointOut]


class ServiceOut(BaseModel):
    """One service (a topic)."""

    model_config = _OUT
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str
    group: str


class AttributeValueOut(BaseModel):
    """One choice of a list attribute."""

    model_config = _OUT
    key: str
    name: str


class AttributeOut(BaseModel):
    """One attribute a request of the service may carry."""

    model_config = _OUT
    variable: bool
    code: str
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    required: bool
    datatype_description: str | None
    order: int
    description: str
    values: list[AttributeValueOut]


class ServiceDefinitionOut(BaseModel):
    """A service definition."""

    model_config = _OUT
    service_code: str
    attributes: list[AttributeOut]


class ServiceRequestOut(BaseModel):
    """One service request (a public complaint)."""

    model_config = _OUT
    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None
    service_name: str | None
    service_code: str | None
    description: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


class SubmittedRequestOut(BaseModel):
    """The answer to ``POST requests``."""

    model_config = _OUT
    service_request_id: str
    service_notice: str | None
    account_id: str | None


class ErrorOut(BaseModel):
    """One GeoReport error."""

    model_config = _OUT
    code: int
    description: str


def _answer(model: Any, description: str) -> dict[str, Any]:
    return {"model": model, "description": description, "content": _XML}


OPEN311_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _answer(list[ErrorOut], "A missing or malformed parameter"),
    403: _answer(list[ErrorOut], "Missing or invalid api_key"),
    404: _answer(list[ErrorOut], "Unknown service_code, service_request_id, jurisdiction_id or format"),
    415: _answer(list[ErrorOut], "A body that is not a form (JSON, for one)"),
    "4XX": _answer(list[ErrorOut], "Another client error, such as a wrong method: the same error list"),
}
"""The error answers of the GeoReport routes, by status."""


def documented(model: Any, *statuses: int) -> dict[str, Any]:
    """The route options documenting a GeoReport answer in JSON (``model``) and XML, and its errors.

    ``statuses`` are the error statuses the route answers (default: 400 and 404); every route may also
    answer another client error (``4XX``) with the same error list.
    """
    errors = statuses or (400, 404)
    return {
        "response_class": Response,
        "responses": {
            200: _answer(model, "The document, in the format the suffix asks for"),
            **{status: OPEN311_ERRORS[status] for status in errors},
            "4XX": OPEN311_ERRORS["4XX"],
        },
    }
