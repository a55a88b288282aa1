"""The JSON API's request and response shapes, for validation and the OpenAPI schema.

Responses are :func:`lapor_core.to_dict` of the library's views, validated against these models; requests
are checked for shape here (strict types, no unknown keys) and for meaning by the library.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

import lapor_core as lc

__all__ = [
    "AssignIn",
    "ComplaintOut",
    "ComplaintPageOut",
    "DeadlineOut",
    "FeatureCollectionOut",
    "FeatureOut",
    "FieldProblem",
    "ForwardIn",
    "LocationIn",
    "LocationOut",
    "MessageIn",
    "PointOut",
    "Problem",
    "RatingIn",
    "ReasonIn",
    "ReceiptOut",
    "RegionHitOut",
    "RegionOut",
    "ReporterIn",
    "ReporterOut",
    "SubmissionIn",
    "TimelineEntryOut",
    "TopicOut",
]

_IN = ConfigDict(strict=True, extra="forbid")
_OUT = ConfigDict(extra="forbid")


def _text(description: str, max_length: int, *, required: bool = True) -> Any:
    """A text field documented with the library's limit; the library enforces it (``text.too_long``)."""
    if required:
        return Field(description=description, json_schema_extra={"maxLength": max_length, "minLength": 1})
    return Field(None, description=description, json_schema_extra={"maxLength": max_length})


def _number(description: str, low: float, high: float) -> Any:
    """An optional number documented with the library's range; the library enforces it."""
    return Field(None, description=description, json_schema_extra={"minimum": low, "maximum": high})


class FieldProblem(BaseModel):
    """One bad field: its path (``location.lat``) and why; the value is never repeated."""

    model_config = _OUT
    field: str = Field(description="Dotted path of the field; `$` is the body as a whole")
    code: str = Field(description="The library's stable code of the rule, e.g. `text.empty`")
    params: dict[str, Any] = Field(description="What the message says besides the field, e.g. `max`")
    message: str = Field(description="The reason in the request's language (Accept-Language; default id)")


class Problem(BaseModel):
    """Every error answer: what went wrong, and for invalid input each bad field."""

    model_config = _OUT
    code: str | None = Field(description="The library's error code (`error.validation`), when it has one")
    detail: str = Field(description="What went wrong, in the request's language")
    errors: list[FieldProblem] = Field(default_factory=list)


class LocationIn(BaseModel):
    """Where: a region code, a point, an address; each optional."""

    model_config = _IN
    region: str | None = _text(
        "Kemendagri region code: province 31, regency 31.71 or district 31.71.01 (dots optional)",
        13,
        required=False,
    )
    lat: float | None = _number(
        "Latitude within Indonesia; give lat and lon together, or neither", -11.5, 6.5
    )
    lon: float | None = _number(
        "Longitude within Indonesia; give lat and lon together, or neither", 94.5, 141.5
    )
    address: str | None = _text("Street address or landmark", 500, required=False)


class ReporterIn(BaseModel):
    """Who reports and how to reach them; each optional."""

    model_config = _IN
    name: str | None = _text("The reporter's name", 150, required=False)
    email: str | None = _text("An e-mail address for notifications", 254, required=False)
    phone: str | None = _text(
        "An Indonesian mobile number (08..., +62...) for notifications", 64, required=False
    )
    nik: str | None = _text("National identity number (NIK, 16 digits)", 64, required=False)


def _one_of(values: type[enum.StrEnum], description: str) -> Any:
    """A text field documented as one of an enum's values; the library checks it."""
    return Field(description=description, json_schema_extra={"enum": [member.value for member in values]})


class SubmissionIn(BaseModel):
    """A new report, in lapor_core's dictionary form (see ``docs/topics/submissions.md``)."""

    model_config = _IN
    kind: str = _one_of(lc.Kind, "The kind of report: a complaint, an aspiration or an information request")
    channel: str = _one_of(lc.Channel, "Where the report came in (api for this API)")
    title: str = _text("A short title", 150)
    body: str = _text("What happened, where and when (line breaks allowed)", 4000)
    category: str | None = _text("A topic ID of GET /api/v1/topics", 64, required=False)
    location: LocationIn | None = Field(None, description="Where; each part optional")
    anonymous: bool = Field(
        default=False, description="Hide the reporter's identity from the institution and the public"
    )
    confidential: bool = Field(default=False, description="Keep the report's content from the public")
    reporter: ReporterIn | None = Field(None, description="Who reports; leave out to report without identity")


class ReceiptOut(BaseModel):
    """The receipt: the access key is shown this once and never stored in clear."""

    model_config = _OUT
    tracking_id: str
    access_key: str


class LocationOut(BaseModel):
    """A location as the caller may see it (rounded for the public, no address)."""

    model_config = _OUT
    region: str | None
    lat: float | None
    lon: float | None
    address: str | None


class ReporterOut(BaseModel):
    """Reporter fields the caller may see; ``name`` is ``Anonim`` when withheld."""

    model_config = _OUT
    name: str | None
    email: str | None
    phone: str | None
    nik: str | None
    account_id: str | None


class TimelineEntryOut(BaseModel):
    """One step of the complaint."""

    model_config = _OUT
    at: datetime
    action: lc.Action
    actor_role: str
    message: str | None
    institution: str | None
    unit: str | None
    reason: str | None


class DeadlineOut(BaseModel):
    """One service-level clock."""

    model_config = _OUT
    stage: str
    started_at: datetime
    due_at: datetime | None
    state: str
    provisional: bool
    institution: str | None


class ComplaintOut(BaseModel):
    """A complaint as the caller may see it; withheld field groups are named in ``withheld``."""

    model_config = _OUT
    tracking_id: str
    status: lc.Status
    summary: lc.Summary
    kind: lc.Kind
    channel: lc.Channel
    category: str | None
    region: str | None
    institution: str | None
    unit: str | None
    anonymous: bool
    confidential: bool
    submitted_at: datetime
    updated_at: datetime
    published_at: datetime | None
    rating: int | None
    support_count: int
    title: str | None
    body: str | None
    location: LocationOut | None
    reporter: ReporterOut | None
    timeline: list[TimelineEntryOut]
    deadlines: list[DeadlineOut]
    withheld: list[str]
    current_deadlines: list[DeadlineOut]
    merged_into: str | None = Field(None, description="A merged duplicate: the complaint it was merged into")
    original: ComplaintOut | None = Field(None, description="A merged duplicate: the one it now follows")
    escalation: lc.Escalation | None = Field(None, description="Its escalation to the Ombudsman, if any")

    @classmethod
    def of(cls, view: lc.ComplaintView) -> ComplaintOut:
        """The response for one view."""
        return cls.model_validate(lc.to_dict(view))


class ComplaintPageOut(BaseModel):
    """One page of complaints; pass ``next_cursor`` as ``cursor`` for the next (None on the last page)."""

    model_config = _OUT
    items: list[ComplaintOut]
    next_cursor: str | None


class MessageIn(BaseModel):
    """A message (information, follow-up, reply)."""

    model_config = _IN
    message: str = _text("The message (line breaks allowed)", 4000)


class ReasonIn(BaseModel):
    """A reason (archiving, declining)."""

    model_config = _IN
    reason: str = _text("Why (line breaks allowed)", 1000)


class ForwardIn(BaseModel):
    """Verification: the institution to forward to, and optionally topic, flags and SLA class."""

    model_config = _IN
    institution: str = _text("The institution's code (a region code for a local government, e.g. 31.71)", 64)
    category: str | None = _text("A topic ID, to correct the reporter's choice", 64, required=False)
    anonymous: bool | None = Field(None, description="true sets the flag; it can never be cleared")
    confidential: bool | None = Field(None, description="true sets the flag; it can never be cleared")
    sla_class: str | None = _text(
        "The service-level class, when the deployment has several", 64, required=False
    )


class AssignIn(BaseModel):
    """Disposition to a work unit."""

    model_config = _IN
    unit: str = _text("The work unit's code within the institution", 64)


class RatingIn(BaseModel):
    """The reporter's rating, 1 to 5, with an optional comment; given once."""

    model_config = _IN
    rating: int = Field(
        description="1 (very poor) to 5 (very good)", json_schema_extra={"minimum": 1, "maximum": 5}
    )
    comment: str | None = _text(
        "Why, in the reporter's words (line breaks allowed); shown on the timeline with the rating",
        500,
        required=False,
    )


class RegionOut(BaseModel):
    """A region for pickers."""

    model_config = _OUT
    code: str
    name: str
    lat: float | None
    lon: float | None


class RegionHitOut(BaseModel):
    """A region found by name (the map's address search): where it is and the regions above it."""

    model_config = _OUT
    code: str = Field(description="Kemendagri code: 31, 31.71 or 31.71.01")
    name: str
    level: Literal["province", "regency", "district"]
    label: str = Field(description="The name with the names of the regions above it, for a list of results")
    province: str = Field(description="The province's code")
    regency: str | None = Field(description="The regency's code (None for a province)")
    lat: float | None = Field(description="The nearest known centroid (a district has its regency's)")
    lon: float | None


class PointOut(BaseModel):
    """A GeoJSON point: ``[longitude, latitude]``."""

    model_config = _OUT
    type: Literal["Point"] = "Point"
    coordinates: list[float]


class FeatureOut(BaseModel):
    """A GeoJSON feature."""

    model_config = _OUT
    type: Literal["Feature"] = "Feature"
    id: str | None = None
    geometry: PointOut
    properties: dict[str, Any]


class FeatureCollectionOut(BaseModel):
    """A GeoJSON feature collection."""

    model_config = _OUT
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[FeatureOut]


class TopicOut(BaseModel):
    """A topic of the tree."""

    model_config = _OUT
    id: str
    parent: str | None
    name_id: str
    name_en: str
