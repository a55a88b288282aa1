"""The JSON API over the desk, under ``/api/v1`` (OpenAPI schema at ``/openapi.json``).

Who calls is told by credentials, never by cookies (so no CSRF token is needed here):

- no credentials: the public;
- ``Authorization: Bearer <token>``: the account the token was issued to (``PortalSettings.api_tokens``);
- ``X-Access-Key: <key>`` on a complaint's routes: its reporter, checked by
  :meth:`lapor_core.ComplaintDesk.authenticate` on every call, counted by the caller's address (repeated
  wrong keys from one address are answered 429; a correct key always opens).

``POST /complaints`` takes an optional ``Idempotency-Key`` header: a retry with the same key and the same body
(by the same caller) answers the first receipt again instead of storing a second complaint; the same key with
another body is refused (422, ``error.idempotency_conflict``). The key must be secret and unguessable (a
random UUID): whoever repeats it with the same body gets the receipt, access key included. Keys live in their
own namespace (``api:``), so they never meet the keys of the web form or the messaging channels.

Errors follow :mod:`lapor_portal.api.errors`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

import lapor_core as lc
from lapor_portal.api.errors import BODY_ERRORS, JsonApiRoute, Unauthorized, responses
from lapor_portal.api.models import (
    AssignIn,
    ComplaintOut,
    ComplaintPageOut,
    FeatureCollectionOut,
    FeatureOut,
    ForwardIn,
    MessageIn,
    PointOut,
    RatingIn,
    ReasonIn,
    ReceiptOut,
    RegionHitOut,
    RegionOut,
    SubmissionIn,
    TopicOut,
)
from lapor_portal.context import Portal, get_portal

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", route_class=JsonApiRoute)
# What each kind of operation can answer besides success (documented per operation, nothing more):
_READ = responses(401, 422)  # an unknown token, a bad query
_ONE = responses(401, 404, 422, 429)  # ... an unknown or hidden complaint, wrong access keys
_STAFF = responses(*BODY_ERRORS, 401, 403, 404, 409)  # a command with a body, by staff
_REPORTER = responses(*BODY_ERRORS, 401, 403, 404, 409, 429)  # a command with a body, by the reporter
PortalDep = Annotated[Portal, Depends(get_portal)]
MAX_LIMIT = 100
"""The most complaints one page of the list answers."""
TrackingIdPath = Annotated[str, Path(max_length=100, description="Tracking ID, e.g. 7K3M-9QXF-2HJ-Q")]

_bearer = HTTPBearer(auto_error=False, description="A token the portal issued to a staff or citizen account")
IDEMPOTENCY_HEADER = "Idempotency-Key"
"""The header naming a submission for safe retries (the IETF httpapi draft's name)."""
_API_NAMESPACE = "api:"

_access_key = APIKeyHeader(
    name="X-Access-Key", auto_error=False, description="The reporter's access key (complaint routes only)"
)


def caller(
    portal: PortalDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> lc.Principal:
    """The principal of the bearer token, or the public without one."""
    if credentials is None:
        return lc.Principal.public()
    account = portal.settings.account_for_token(credentials.credentials)
    if account is None:
        raise Unauthorized
    return account.principal()


def complaint_caller(
    request: Request,
    portal: PortalDep,
    tracking_id: TrackingIdPath,
    principal: Annotated[lc.Principal, Depends(caller)],
    access_key: Annotated[str | None, Depends(_access_key)],
) -> lc.Principal:
    """On a complaint's routes: its reporter when an access key is sent, else the bearer's principal."""
    if access_key is not None:
        return portal.desk.authenticate(tracking_id, access_key, client=portal.client_keys.of(request))
    return principal


Caller = Annotated[lc.Principal, Depends(caller)]
ComplaintCaller = Annotated[lc.Principal, Depends(complaint_caller)]


# --- complaints ---------------------------------------------------------------------------------------------
@router.get("/complaints", response_model=ComplaintPageOut, tags=["complaints"], responses=_READ)
def list_complaints(
    portal: PortalDep,
    principal: Caller,
    status_: Annotated[list[lc.Status] | None, Query(alias="status")] = None,
    kind: lc.Kind | None = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    institution: Annotated[str | None, Query(max_length=64)] = None,
    region: Annotated[
        str | None, Query(max_length=13, description="Region code or prefix: 31, 31.71")
    ] = None,
    order: lc.Order = lc.Order.SUBMITTED_DESC,
    limit: Annotated[int, Query(json_schema_extra={"minimum": 1, "maximum": MAX_LIMIT})] = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> ComplaintPageOut:
    """The complaints the caller may see, filtered and redacted by the library."""
    if not 1 <= limit <= MAX_LIMIT:
        raise lc.ValidationError.single("limit", "number.out_of_range", min=1, max=MAX_LIMIT)
    query = lc.ComplaintQuery(
        statuses=frozenset(status_) if status_ else None,
        kind=kind,
        category=category,
        institution=institution,
        region_prefix=region,
        order=order,
        limit=limit,
        cursor=cursor,
    )
    page = portal.desk.complaints(principal, query)
    return ComplaintPageOut(items=[ComplaintOut.of(v) for v in page.items], next_cursor=page.next_cursor)


@router.post(
    "/complaints",
    response_model=ReceiptOut,
    status_code=status.HTTP_201_CREATED,
    tags=["complaints"],
    responses=responses(*BODY_ERRORS, 401),
)
def submit(
    portal: PortalDep,
    principal: Caller,
    body: SubmissionIn,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=IDEMPOTENCY_HEADER,
            description="A secret random key (a UUID) naming this submission: a retry with the same key and "
            "body answers the same receipt and stores nothing more",
        ),
    ] = None,
) -> ReceiptOut:
    """Submit a report. The answer holds the access key, shown this once; keep it.

    A signed-in citizen's report is linked to their account; nothing about the caller's device or address is
    stored. With ``Idempotency-Key``, a retry answers the first receipt (201 again, the same access key).
    """
    submission = lc.Submission.from_dict(body.model_dump(exclude_unset=True))
    owner = principal if principal.role is lc.Role.CITIZEN else None
    if idempotency_key is not None and not idempotency_key.strip():  # blank before the namespace is added
        raise lc.ValidationError.single(IDEMPOTENCY_HEADER, "text.empty")
    key = None if idempotency_key is None else _API_NAMESPACE + idempotency_key
    try:
        receipt = portal.desk.submit(submission, owner, idempotency_key=key)
    except lc.ValidationError as error:
        raise lc.ValidationError(_named_header(e) for e in error.errors) from None
    except lc.IdempotencyConflict as error:
        raise lc.IdempotencyConflict(field=IDEMPOTENCY_HEADER, first_used_at=error.first_used_at) from None
    return ReceiptOut(tracking_id=receipt.tracking_id, access_key=receipt.access_key)


def _named_header(error: lc.FieldError) -> lc.FieldError:
    """A problem with the idempotency key, named as the header the caller sent."""
    if error.field != "idempotency_key":
        return error
    params = dict(error.params)
    maximum, actual = params.get("max"), params.get("actual")
    if isinstance(maximum, int) and isinstance(actual, int):  # the namespace prefix is not the caller's
        params.update(max=maximum - len(_API_NAMESPACE), actual=actual - len(_API_NAMESPACE))
    return lc.FieldError(IDEMPOTENCY_HEADER, error.code, params)


@router.get("/complaints/{tracking_id}", response_model=ComplaintOut, tags=["complaints"], responses=_ONE)
def get_complaint(portal: PortalDep, principal: ComplaintCaller, tracking_id: TrackingIdPath) -> ComplaintOut:
    """One complaint as the caller may see it."""
    return ComplaintOut.of(portal.desk.view(principal, tracking_id))


@router.post(
    "/complaints/{tracking_id}/forward", response_model=ComplaintOut, tags=["verification"], responses=_STAFF
)
def forward(
    portal: PortalDep, principal: Caller, tracking_id: TrackingIdPath, body: ForwardIn
) -> ComplaintOut:
    """Admins: verify and forward to an institution; the flags can be set, never cleared."""
    view = portal.desk.forward(
        principal,
        tracking_id,
        institution=body.institution,
        category=body.category,
        anonymous=body.anonymous,
        confidential=body.confidential,
        sla_class=body.sla_class,
    )
    return ComplaintOut.of(view)


@router.post(
    "/complaints/{tracking_id}/request-info",
    response_model=ComplaintOut,
    tags=["verification"],
    responses=_STAFF,
)
def request_info(
    portal: PortalDep, principal: Caller, tracking_id: TrackingIdPath, body: MessageIn
) -> ComplaintOut:
    """Admins: hold (tunda), asking the reporter for more information."""
    return ComplaintOut.of(portal.desk.request_info(principal, tracking_id, body.message))


@router.post(
    "/complaints/{tracking_id}/archive", response_model=ComplaintOut, tags=["verification"], responses=_STAFF
)
def archive(
    portal: PortalDep, principal: Caller, tracking_id: TrackingIdPath, body: ReasonIn
) -> ComplaintOut:
    """Admins: archive at verification (terminal)."""
    return ComplaintOut.of(portal.desk.archive(principal, tracking_id, body.reason))


@router.post(
    "/complaints/{tracking_id}/assign", response_model=ComplaintOut, tags=["institution"], responses=_STAFF
)
def assign(portal: PortalDep, principal: Caller, tracking_id: TrackingIdPath, body: AssignIn) -> ComplaintOut:
    """The institution: dispose to one of its work units."""
    return ComplaintOut.of(portal.desk.assign(principal, tracking_id, body.unit))


@router.post(
    "/complaints/{tracking_id}/decline",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["institution"],
    responses=_STAFF,
)
def decline(portal: PortalDep, principal: Caller, tracking_id: TrackingIdPath, body: ReasonIn) -> None:
    """The institution: not our authority (bukan wewenang); back to the admins.

    The complaint leaves the caller's sight, so there is no view to answer with.
    """
    portal.desk.decline(principal, tracking_id, body.reason)


@router.post(
    "/complaints/{tracking_id}/follow-up", response_model=ComplaintOut, tags=["institution"], responses=_STAFF
)
def follow_up(
    portal: PortalDep, principal: Caller, tracking_id: TrackingIdPath, body: MessageIn
) -> ComplaintOut:
    """The institution or its assigned unit: the follow-up (tindak lanjut); the closing clock starts."""
    return ComplaintOut.of(portal.desk.follow_up(principal, tracking_id, body.message))


@router.post(
    "/complaints/{tracking_id}/provide-info",
    response_model=ComplaintOut,
    tags=["reporter"],
    responses=_REPORTER,
)
def provide_info(
    portal: PortalDep, principal: ComplaintCaller, tracking_id: TrackingIdPath, body: MessageIn
) -> ComplaintOut:
    """The reporter: answer a hold; verification resumes."""
    return ComplaintOut.of(portal.desk.provide_info(principal, tracking_id, body.message))


@router.post(
    "/complaints/{tracking_id}/reply", response_model=ComplaintOut, tags=["reporter"], responses=_REPORTER
)
def reply(
    portal: PortalDep, principal: ComplaintCaller, tracking_id: TrackingIdPath, body: MessageIn
) -> ComplaintOut:
    """The reporter or an admin: reply to a follow-up; the complaint reopens."""
    return ComplaintOut.of(portal.desk.reply(principal, tracking_id, body.message))


@router.post(
    "/complaints/{tracking_id}/close",
    response_model=ComplaintOut,
    tags=["reporter"],
    responses=responses(401, 403, 404, 409, 413, 422, 429),
)
def close(portal: PortalDep, principal: ComplaintCaller, tracking_id: TrackingIdPath) -> ComplaintOut:
    """The reporter: the follow-up settled the matter."""
    return ComplaintOut.of(portal.desk.close_complaint(principal, tracking_id))


@router.post(
    "/complaints/{tracking_id}/rate", response_model=ComplaintOut, tags=["reporter"], responses=_REPORTER
)
def rate(
    portal: PortalDep, principal: ComplaintCaller, tracking_id: TrackingIdPath, body: RatingIn
) -> ComplaintOut:
    """The reporter: rate the handling once, 1 to 5 with an optional comment, after closing.

    The comment appears on the timeline as the rating's message. A second rating is refused with 422
    (``rating.already_given`` on ``rating``), like every input the library refuses.
    """
    return ComplaintOut.of(portal.desk.rate(principal, tracking_id, body.rating, comment=body.comment))


@router.post(
    "/complaints/{tracking_id}/support",
    response_model=ComplaintOut,
    tags=["citizens"],
    responses=responses(401, 403, 404, 409, 413, 422),
)
def support(portal: PortalDep, principal: Caller, tracking_id: TrackingIdPath) -> ComplaintOut:
    """Signed-in citizens: support a public complaint (once)."""
    return ComplaintOut.of(portal.desk.support(principal, tracking_id))


# --- statistics and maps ------------------------------------------------------------------------------------
GroupBy = Annotated[
    list[str], Query(max_length=8, description="Group keys: province, regency, topic, status...")
]
StatsFilter = Annotated[str | None, Query(max_length=64)]


def _filters(
    status: str | None, category: str | None, region: str | None, institution: str | None
) -> dict[str, str]:
    """The statistics filters given (the library checks their values)."""
    given = {"status": status, "category": category, "region": region, "institution": institution}
    return {name: value for name, value in given.items() if value}


@router.get("/stats", response_model=list[dict[str, Any]], tags=["statistics"], responses=_READ)
def statistics(
    portal: PortalDep,
    principal: Caller,
    group_by: GroupBy,
    status: StatsFilter = None,
    category: StatsFilter = None,
    region: StatsFilter = None,
    institution: StatsFilter = None,
) -> list[dict[str, Any]]:
    """Complaint counts per group, as the caller may see them (small confidential groups suppressed)."""
    return portal.desk.stats(
        principal, group_by=group_by, filters=_filters(status, category, region, institution)
    )


@router.get(
    "/map/complaints.geojson", response_model=FeatureCollectionOut, tags=["statistics"], responses=_READ
)
def complaint_map(
    portal: PortalDep,
    principal: Caller,
    status: StatsFilter = None,
    category: StatsFilter = None,
    region: StatsFilter = None,
    institution: StatsFilter = None,
) -> FeatureCollectionOut:
    """The public complaints as GeoJSON points (rounded to about 100 m, or at their region's centroid)."""
    collection = portal.desk.geojson(principal, filters=_filters(status, category, region, institution))
    return FeatureCollectionOut.model_validate(collection)


@router.get("/map/regions.geojson", response_model=FeatureCollectionOut, tags=["statistics"], responses=_READ)
def region_map(
    portal: PortalDep,
    principal: Caller,
    level: Literal["province", "regency"] = "province",
) -> FeatureCollectionOut:
    """Complaint counts per province (or regency) at the regions' centroids: the choropleth's data."""
    return FeatureCollectionOut.model_validate(portal.desk.choropleth(principal, level=level))


# --- reference data -----------------------------------------------------------------------------------------
def _region(region: lc.Region) -> RegionOut:
    return RegionOut(code=region.code, name=region.name, lat=region.lat, lon=region.lon)


@router.get("/regions", response_model=list[RegionOut], tags=["reference"])
def provinces(portal: PortalDep) -> list[RegionOut]:
    """The provinces."""
    return [_region(r) for r in portal.regions.provinces()]


@router.get("/provinces.geojson", response_model=FeatureCollectionOut, tags=["reference"])
def province_points(portal: PortalDep) -> FeatureCollectionOut:
    """The provinces' centroids as GeoJSON points (what the portal's own map draws under its markers)."""
    features = [
        FeatureOut(geometry=PointOut(coordinates=[r.lon, r.lat]), properties={"code": r.code, "name": r.name})
        for r in portal.regions.provinces()
        if r.lat is not None and r.lon is not None
    ]
    return FeatureCollectionOut(features=features)


SEARCH_LIMIT = 20
"""The most regions one search answers."""


def _hit(regions: lc.RegionTable, region: lc.Region) -> RegionHitOut:
    chain = [region]
    while chain[-1].parent is not None:
        chain.append(regions.get(chain[-1].parent))
    centroid = regions.centroid_of(region.code)
    return RegionHitOut(
        code=region.code,
        name=region.name,
        level=region.level.value,
        label=", ".join(r.name for r in chain),
        province=region.province_code,
        regency=region.code[:5] if region.parent is not None else None,
        lat=centroid[0] if centroid else None,
        lon=centroid[1] if centroid else None,
    )


@router.get(
    "/regions/search", response_model=list[RegionHitOut], tags=["reference"], responses=responses(422)
)
def region_search(
    portal: PortalDep,
    q: Annotated[
        str, Query(min_length=1, max_length=100, description="A province, regency or district name")
    ],
    limit: Annotated[int, Query(ge=1, le=SEARCH_LIMIT)] = 8,
) -> list[RegionHitOut]:
    """Provinces, regencies and districts whose name matches ``q``, best first (the map's address search)."""
    return [_hit(portal.regions, r) for r in portal.regions.search(q, limit=limit)]


@router.get(
    "/regions/{code}/children",
    response_model=list[RegionOut],
    tags=["reference"],
    responses=responses(404, 422),
)
def region_children(portal: PortalDep, code: Annotated[str, Path(max_length=13)]) -> list[RegionOut]:
    """The regencies and cities of a province, or the districts of a regency (for the form's pickers)."""
    return [_region(r) for r in portal.regions.children(code)]


@router.get("/topics", response_model=list[TopicOut], tags=["reference"])
def topics(portal: PortalDep) -> list[TopicOut]:
    """The topic tree, flat, parents before children."""
    return [TopicOut.model_validate(t) for t in portal.topics.to_dict()["topics"]]
