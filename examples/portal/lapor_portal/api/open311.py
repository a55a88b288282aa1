"""Open311 GeoReport v2 under ``/open311/v2``: discovery, services, and service requests in XML and JSON.

How LAPOR! maps onto GeoReport v2:

- **services** are the topics of the topic tree (``service_code`` is the topic ID, ``group`` its root topic);
  every service has the same attributes (report kind, title, region, the two privacy flags), so
  ``metadata`` is true and ``type`` is ``realtime``.
- a **service request** is a complaint as the public sees it (:meth:`lapor_core.Principal.public`): its
  tracking ID is the ``service_request_id``, its status maps to ``open``/``closed`` with the LAPOR! status
  in ``status_notes``, its institution is ``agency_responsible``, its follow-up deadline is
  ``expected_datetime``, its Kemendagri region code is ``address_id`` and the region's names are the
  ``address``. Confidential and unverified complaints do not exist here; anonymous ones carry no identity
  (GeoReport requests have no identity fields at all). Coordinates are rounded by the library.
- ``POST requests`` needs one of the keys in ``PortalSettings.open311_api_keys``; the reporter's name, e-mail
  and phone become the complaint's reporter, ``device_id``, ``account_id`` and ``media_url`` are not kept.
  With a ``device_id`` the request is idempotent: a client's retry of the same request from the same device
  answers the first ``service_request_id`` (the device ID enters only the hashed idempotency key). The
  access key is not part of GeoReport, so it is not answered: integrations that let reporters follow their
  complaint privately use the JSON API.
- **errors** name the GeoReport parameter (``long``, not the library's ``location.lon``) and give the
  library's message for it in the caller's language (``Accept-Language``; Indonesian unless English is
  preferred): ``long: lintang dan bujur harus diisi bersama atau tidak sama sekali``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any, Final

import attrs
from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.responses import Response

import lapor_core as lc
from lapor_portal.api.errors import request_errors
from lapor_portal.api.open311_format import Data, Format, document
from lapor_portal.api.open311_models import (
    DiscoveryOut,
    ServiceDefinitionOut,
    ServiceOut,
    ServiceRequestOut,
    SubmittedRequestOut,
    documented,
)
from lapor_portal.context import Portal, get_portal
from lapor_portal.i18n import N_, Lang, Translator, accepted_language
from lapor_portal.web.files import listed

__all__ = ["PARAMETERS", "Open311Error", "Open311Route", "parameter_of", "router"]

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_RESULTS: Final = 1000  # GeoReport v2: "first 1000 requests returned"
MAX_SPAN: Final = timedelta(days=90)  # GeoReport v2: start_date..end_date "may not span more than 90 days"
_CLOSED = frozenset({lc.Status.CLOSED, lc.Status.ARCHIVED})
_TITLE_MAX = 150
_BOOLEANS = {"true": True, "false": False}

PARAMETERS: Final[Mapping[str, str]] = {
    "location.lat": "lat",
    "location.lon": "long",
    "location.address": "address_string",
    "location.region": "address_id",
    "body": "description",
    "category": "service_code",
    "title": "attribute[title]",
    "kind": "attribute[kind]",
    "anonymous": "attribute[anonymous]",
    "confidential": "attribute[confidential]",
    "reporter.name": "first_name",
    "reporter.email": "email",
    "reporter.phone": "phone",
    "attachments.0.data": "media",
    "attachments.0.filename": "media",
}
"""The library's field path -> the GeoReport v2 parameter a client sent it as."""


def parameter_of(field: str) -> str:
    """The GeoReport parameter for a library field path; a name that is already one stays as it is.

    >>> parameter_of("location.lon"), parameter_of("reporter.email"), parameter_of("start_date")
    ('long', 'email', 'start_date')
    """
    return PARAMETERS.get(field, field)


def _descriptions(error: lc.ValidationError, lang: Lang) -> list[str]:
    """Each bad parameter as ``"<parameter>: <the library's message>"``."""
    return [f"{parameter_of(e.field)}: {e.message(lang)}" for e in error.errors]


class Open311Error(Exception):
    """An Open311 error answer: an HTTP status and the catalogue keys of its descriptions.

    Each key is a message of the portal's catalogue (``open311.*``), filled with ``values`` and said in the
    caller's language when the answer is made.
    """

    def __init__(self, status_code: int, *keys: str, **values: object) -> None:
        super().__init__(status_code, keys)
        self.status_code = status_code
        self.keys = keys
        self.values = values

    def descriptions(self, lang: Lang) -> list[str]:
        """The descriptions in ``lang``."""
        say = Translator(lang)
        return [say(key, **self.values) for key in self.keys]


def _format_of(request: Request) -> Format:
    """The format the path asks for; XML (the required one) when it names none we know."""
    asked = request.path_params.get("fmt") or request.url.path.rpartition(".")[2]
    return Format(asked) if asked in tuple(Format) else Format.XML


def _errors(
    request: Request, status_code: int, descriptions: Iterable[str], headers: Mapping[str, str] | None = None
) -> Response:
    body: list[Data] = [{"code": status_code, "description": d} for d in descriptions]
    answer = document(_format_of(request), "errors", body, status_code=status_code)
    answer.headers.update(headers or {})
    return answer


_HTTP_ERRORS: Final[Mapping[int, str]] = {
    404: N_("open311.path_unknown"),
    405: N_("open311.method_not_allowed"),
    413: N_("open311.too_large"),
    415: N_("open311.form_expected"),
    500: N_("open311.server_error"),
}


def http_error(
    request: Request, status_code: int, lang: Lang, headers: Mapping[str, str] | None = None
) -> Response:
    """A routing or protocol error (unknown path, wrong method...) as a GeoReport error list.

    The format is the one the path asks for (``.json``), else XML; statuses other than 404, 405, 413, 415
    and 500 (a failure of the portal) are answered as 400, the GeoReport status for a bad request.
    """
    key = _HTTP_ERRORS.get(status_code)
    if key is None:
        status_code, key = 400, N_("open311.bad_request")
    allowed = (headers or {}).get("Allow", "")
    text = Translator(lang)(key, method=request.method, allowed=allowed)
    return _errors(request, status_code, [text], headers)


class Open311Route(APIRoute):
    """A route answering every failure as GeoReport errors: 404 unknown, 403 bad key, 400 anything else."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler with the error mapping."""
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            lang = accepted_language(request.headers.get("accept-language"))
            try:
                return await handler(request)
            except Open311Error as error:
                return _errors(request, error.status_code, error.descriptions(lang))
            except HTTPException as error:
                return http_error(request, error.status_code, lang, error.headers)
            except RequestValidationError as error:
                return _errors(request, 400, _descriptions(request_errors(error.errors()), lang))
            except lc.ValidationError as error:
                return _errors(request, 400, _descriptions(error, lang))
            except (lc.NotFound, lc.InvalidTrackingId):
                unknown = Open311Error(404, N_("open311.request_unknown"))
                return _errors(request, 404, unknown.descriptions(lang))

        return handle


router = APIRouter(prefix="/open311/v2", route_class=Open311Route, tags=["open311"])
PortalDep = Annotated[Portal, Depends(get_portal)]
FormatPath = Annotated[str, Path(description="Response format", json_schema_extra={"enum": ["json", "xml"]})]
Jurisdiction = Annotated[str | None, Query(max_length=200)]


def _format(fmt: str) -> Format:
    if fmt not in tuple(Format):
        raise Open311Error(404, N_("open311.format_unknown"))
    return Format(fmt)


def _check_jurisdiction(portal: Portal, jurisdiction_id: str | None) -> None:
    if jurisdiction_id and jurisdiction_id != portal.settings.jurisdiction_id:
        raise Open311Error(404, N_("open311.jurisdiction_unknown"))


# --- discovery ----------------------------------------------------------------------------------------------
@router.get("/discovery.{fmt}", **documented(DiscoveryOut, 404))
def discovery(request: Request, portal: PortalDep, fmt: FormatPath) -> Response:
    """Service discovery: where the GeoReport v2 endpoint is and which formats it speaks."""
    settings = portal.settings
    changeset = portal.started_at.astimezone(portal.zone).isoformat(timespec="seconds")
    body: Data = {
        "changeset": changeset,
        "contact": settings.open311_contact,
        "key_service": settings.open311_key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{str(request.base_url).rstrip('/')}{router.prefix}",
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return document(_format(fmt), "discovery", body)


# --- services -----------------------------------------------------------------------------------------------
def _service(portal: Portal, topic: lc.Topic) -> dict[str, Data]:
    path = portal.topics.path(topic.id)
    return {
        "service_code": topic.id,
        "service_name": topic.name_id,
        "description": ": ".join(t.name_id for t in path) + f" ({': '.join(t.name_en for t in path)})",
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join((topic.name_id, topic.name_en, topic.id)),
        "group": path[0].name_id,
    }


def _all_topics(portal: Portal) -> list[lc.Topic]:
    return [topic for root, children in portal.topic_groups() for topic in (root, *children)]


@router.get("/services.{fmt}", **documented(list[ServiceOut]))
def services(portal: PortalDep, fmt: FormatPath, jurisdiction_id: Jurisdiction = None) -> Response:
    """The service list: one service per topic."""
    response_format = _format(fmt)
    _check_jurisdiction(portal, jurisdiction_id)
    return document(response_format, "services", [_service(portal, t) for t in _all_topics(portal)])


def _attributes() -> list[Data]:
    def attribute(
        order: int, code: str, datatype: str, description: str, values: Sequence[tuple[str, str]] = ()
    ) -> Data:
        return {
            "variable": True,
            "code": code,
            "datatype": datatype,
            "required": False,
            "datatype_description": "true / false" if code in ("anonymous", "confidential") else None,
            "order": order,
            "description": description,
            "values": [{"key": key, "name": name} for key, name in values],
        }

    flag_values = (("false", "Tidak / No"), ("true", "Ya / Yes"))
    return [
        attribute(
            1,
            "kind",
            "singlevaluelist",
            "Jenis laporan / report kind (default pengaduan)",
            [(k.value, " / ".join((k.label("id"), k.label("en")))) for k in lc.Kind],
        ),
        attribute(
            2,
            "title",
            "string",
            "Judul singkat, paling banyak 150 karakter / short title (default: the description's first line)",
        ),
        attribute(
            3, "region", "string", "Kode wilayah Kemendagri / Kemendagri region code (31.71, 31.71.01)"
        ),
        attribute(
            4,
            "anonymous",
            "singlevaluelist",
            "Anonim: identitas pelapor disembunyikan dari instansi dan "
            "publik / hide the reporter's identity from the institution and the public",
            flag_values,
        ),
        attribute(
            5,
            "confidential",
            "singlevaluelist",
            "Rahasia: isi laporan tidak ditampilkan kepada publik / keep the content from the public",
            flag_values,
        ),
    ]


@router.get("/services/{service_code}.{fmt}", **documented(ServiceDefinitionOut))
def service_definition(
    portal: PortalDep,
    service_code: Annotated[str, Path(max_length=64)],
    fmt: FormatPath,
    jurisdiction_id: Jurisdiction = None,
) -> Response:
    """A service's definition: the attributes a request may carry."""
    response_format = _format(fmt)
    _check_jurisdiction(portal, jurisdiction_id)
    if portal.topics.find(service_code) is None:
        raise Open311Error(404, N_("open311.service_unknown"))
    return document(
        response_format, "service_definition", {"service_code": service_code, "attributes": _attributes()}
    )


# --- service requests ---------------------------------------------------------------------------------------
def _address(portal: Portal, view: lc.ComplaintView) -> str | None:
    if view.location is not None and view.location.address:
        return view.location.address
    names: list[str] = []
    code = view.region
    while code:
        region = portal.regions.find(code)
        if region is None:
            break
        names.append(region.name)
        code = region.parent
    return ", ".join(names) or None


def _status_notes(view: lc.ComplaintView) -> str:
    label = view.status.label("id")
    answers = [e.message for e in view.timeline if e.action is lc.Action.FOLLOW_UP and e.message]
    if view.status in (lc.Status.FOLLOWED_UP, lc.Status.CLOSED) and answers:
        return f"{label}: {answers[-1]}"
    return label


def _expected(view: lc.ComplaintView) -> datetime | None:
    follow_ups = [d for d in view.deadlines if d.stage == "follow_up" and d.due_at is not None]
    return follow_ups[-1].due_at if follow_ups else None


def _media_url(portal: Portal, view: lc.ComplaintView, site: str) -> str | None:
    """The address of the complaint's first photo the public may see, or None."""
    if "attachments" in view.withheld:
        return None
    photo = next((a for a in listed(portal, lc.Principal.public(), view.tracking_id) if a.is_image), None)
    return f"{site}/pengaduan/{view.tracking_id}/lampiran/{photo.id}" if photo else None


FALLBACK_SERVICE: Final = "other"
"""The service of a complaint without a topic, or whose topic the tree no longer has."""


def service_code_of(portal: Portal, topic_id: str | None) -> str:
    """The ``service_code`` of a complaint's topic: never null, never a code ``services`` does not list."""
    return topic_id if topic_id and portal.topics.find(topic_id) is not None else FALLBACK_SERVICE


def service_request(portal: Portal, view: lc.ComplaintView, site: str = "") -> dict[str, Data]:
    """One complaint (as the public sees it) as a GeoReport service request.

    ``media_url`` is the address of its first public photo under ``site`` (the portal's base URL): never
    one of an anonymous or confidential complaint, whose files the public may not see.
    """
    zone = portal.zone
    location = view.location
    expected = _expected(view)
    return {
        "service_request_id": view.tracking_id,
        "status": "closed" if view.status in _CLOSED else "open",
        "status_notes": _status_notes(view),
        "service_name": portal.topic_name(service_code_of(portal, view.category), "id"),
        "service_code": service_code_of(portal, view.category),
        "description": view.body,
        "agency_responsible": portal.institution_name(view.institution),
        "service_notice": None,
        "requested_datetime": view.submitted_at.astimezone(zone),
        "updated_datetime": view.updated_at.astimezone(zone),
        "expected_datetime": expected.astimezone(zone) if expected else None,
        "address": _address(portal, view),
        "address_id": view.region,
        "zipcode": None,
        "lat": location.lat if location else None,
        "long": location.lon if location else None,
        "media_url": _media_url(portal, view, site),
    }


def _instant(name: str, text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise lc.ValidationError.single(name, "instant.malformed") from None
    if instant.utcoffset() is None:
        raise lc.ValidationError.single(name, "instant.naive")
    return instant


def _statuses(text: str | None) -> frozenset[lc.Status] | None:
    if not text:
        return None
    wanted = {part.strip() for part in text.split(",") if part.strip()}
    if not wanted <= {"open", "closed"}:
        raise lc.ValidationError.single("status", "value.not_choice", choices=("open", "closed"))
    chosen: set[lc.Status] = set()
    if "open" in wanted:
        chosen |= set(lc.Status) - _CLOSED
    if "closed" in wanted:
        chosen |= _CLOSED
    return frozenset(chosen)


_INTAKE: Final = lc.Principal.admin("open311")
"""Who reads a request the public cannot see yet, to answer its poster with the pending fields only."""


def _pending(portal: Portal, view: lc.ComplaintView) -> dict[str, Data]:
    """A request not public (yet): what its poster already knows, and where it stands; nothing else."""
    zone = portal.zone
    code = service_code_of(portal, view.category)
    return {
        "service_request_id": view.tracking_id,
        "status": "closed" if view.status in _CLOSED else "open",
        "status_notes": view.status.label("id"),
        "service_name": portal.topic_name(code, "id"),
        "service_code": code,
        "description": None,
        "agency_responsible": None,
        "service_notice": SERVICE_NOTICE,
        "requested_datetime": view.submitted_at.astimezone(zone),
        "updated_datetime": view.updated_at.astimezone(zone),
        "expected_datetime": None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def request_document(portal: Portal, tracking_id: str, site: str = "") -> dict[str, Data] | None:
    """The service request ``tracking_id`` as GeoReport answers it, or None when there is none to show.

    A public complaint is answered in full (:func:`service_request`). One awaiting verification, or archived
    at verification, is answered with its status, service and times only (:func:`_pending`), so a client can
    read a request right after posting it; a confidential complaint is never answered here.
    """
    try:
        return service_request(portal, portal.desk.view(lc.Principal.public(), tracking_id), site)
    except (lc.NotFound, lc.InvalidTrackingId, lc.ValidationError):
        pass
    try:
        held = portal.desk.view(_INTAKE, tracking_id)
    except (lc.NotFound, lc.InvalidTrackingId, lc.ValidationError):
        return None
    return None if held.confidential else _pending(portal, held)


def _search(portal: Portal, base: lc.ComplaintQuery, codes: Sequence[str | None]) -> list[lc.ComplaintView]:
    found: list[lc.ComplaintView] = []
    for code in codes:
        query = attrs.evolve(base, category=code)
        while len(found) < MAX_RESULTS:
            page = portal.desk.complaints(lc.Principal.public(), query)
            found.extend(page.items)
            if page.next_cursor is None:
                break
            query = attrs.evolve(query, cursor=page.next_cursor)
    found.sort(key=lambda v: (v.submitted_at, v.tracking_id), reverse=True)
    return found[:MAX_RESULTS]


@router.get("/requests.{fmt}", **documented(list[ServiceRequestOut]))
def requests(
    request: Request,
    portal: PortalDep,
    fmt: FormatPath,
    jurisdiction_id: Jurisdiction = None,
    service_request_id: Annotated[str | None, Query(max_length=20_000)] = None,
    service_code: Annotated[str | None, Query(max_length=2000)] = None,
    start_date: Annotated[str | None, Query(max_length=40)] = None,
    end_date: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Service requests, newest first, at most 1,000.

    By ``service_request_id`` (comma list; overrides the rest), or filtered by service code, status and a
    requested-datetime range of at most 90 days (default: the last 90 days).
    """
    response_format = _format(fmt)
    _check_jurisdiction(portal, jurisdiction_id)
    site = str(request.base_url).rstrip("/")
    if service_request_id:
        ids = service_request_id.split(",")[:MAX_RESULTS]
        found = (request_document(portal, text.strip(), site) for text in ids)
        return document(response_format, "service_requests", [answer for answer in found if answer])
    start, end = _window(_instant("start_date", start_date), _instant("end_date", end_date), portal.now())
    codes: list[str | None] = [c.strip() for c in (service_code or "").split(",") if c.strip()] or [None]
    base = lc.ComplaintQuery(
        statuses=_statuses(status),
        submitted_from=start,
        submitted_before=end + timedelta(microseconds=1),
        order=lc.Order.SUBMITTED_DESC,
        limit=MAX_RESULTS,
    )
    views = _search(portal, base, codes)
    return document(response_format, "service_requests", [service_request(portal, v, site) for v in views])


def _window(start: datetime | None, end: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """The requested-datetime range searched: GeoReport v2's rule for ``start_date`` and ``end_date``.

    Both given: they may not span more than 90 days (the specification's words), so a longer or reversed
    range is refused. One given: the 90 days from ``start_date`` or up to ``end_date``. Neither: the last 90
    days.

    Raises:
        Open311Error: 400 for a reversed range or one over 90 days.
    """
    if start is not None and end is not None:
        if end < start:
            raise Open311Error(400, N_("open311.range_reversed"))
        if end - start > MAX_SPAN:
            raise Open311Error(400, N_("open311.range_too_long"))
        return start, end
    if start is not None:
        return start, start + MAX_SPAN
    end = end or now
    return end - MAX_SPAN, end


@router.get("/requests/{service_request_id}.{fmt}", **documented(list[ServiceRequestOut]))
def request_by_id(
    request: Request,
    portal: PortalDep,
    service_request_id: Annotated[str, Path(max_length=100)],
    fmt: FormatPath,
    jurisdiction_id: Jurisdiction = None,
) -> Response:
    """One service request, as a list of one; one awaiting verification shows status, service and times."""
    response_format = _format(fmt)
    _check_jurisdiction(portal, jurisdiction_id)
    answer = request_document(portal, service_request_id, str(request.base_url).rstrip("/"))
    if answer is None:
        raise Open311Error(404, N_("open311.request_unknown"))
    return document(response_format, "service_requests", [answer])


def _coordinate(name: str, text: str, problems: list[lc.FieldError]) -> float | None:
    try:
        return float(text)
    except ValueError:
        problems.append(lc.FieldError(name, "value.not_number", {"type": "string"}))
        return None


def _flag(code: str, text: str | None, problems: list[lc.FieldError]) -> bool | None:
    """An attribute flag: absent is False, ``true``/``false`` are themselves, anything else is refused."""
    if not text:
        return False
    value = _BOOLEANS.get(text.strip().lower())
    if value is None:
        problems.append(lc.FieldError(f"attribute[{code}]", "value.not_boolean", {"type": "string"}))
    return value


def _title(description: str) -> str:
    """A title from the description's first line, cut at a word to fit LAPOR!'s 150 characters."""
    first = description.strip().splitlines()[0].strip() if description.strip() else ""
    if len(first) <= _TITLE_MAX:
        return first
    return first[: _TITLE_MAX - 1].rsplit(" ", 1)[0].rstrip() + "…"


@attrs.frozen(kw_only=True)
class PostedRequest:
    """The fields of a ``POST requests`` that become a complaint (the others are not kept)."""

    service_code: str
    lat: str | None = None
    long: str | None = None
    address_string: str | None = None
    address_id: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    description: str | None = None
    kind: str | None = None
    title: str | None = None
    region: str | None = None
    anonymous: str | None = None
    confidential: str | None = None

    def submission(self, regions: lc.RegionTable, *, service_name: str = "") -> lc.Submission:
        """The complaint's submission (channel ``api``).

        ``description`` is optional (GeoReport v2): without one, the complaint's text is the ``title``
        attribute, else ``service_name`` (a report is then its service and place alone).

        Raises:
            Open311Error: 400 when no location parameter at all was sent.
            lapor_core.ValidationError: Every bad parameter at once, named as GeoReport names it.
        """
        if not (self.lat or self.long or self.address_string or self.address_id):
            raise Open311Error(400, N_("open311.location_missing"))
        problems: list[lc.FieldError] = []
        if bool(self.lat) != bool(self.long):
            problems.append(lc.FieldError("long" if self.lat else "lat", "location.incomplete"))
        description = (self.description or "").strip() or (self.title or "").strip() or service_name
        region = self.region or self.address_id
        if region:
            try:
                regions.resolve(region, field=self.region_parameter)
            except lc.ValidationError as error:
                problems.extend(error.errors)
        location: dict[str, object] = {"region": region, "address": self.address_string}
        if self.lat and self.long:
            location.update(
                lat=_coordinate("lat", self.lat, problems), lon=_coordinate("long", self.long, problems)
            )
        name = " ".join(part.strip() for part in (self.first_name, self.last_name) if part and part.strip())
        reporter = {"name": name or None, "email": self.email or None, "phone": self.phone or None}
        flags = {name: _flag(name, getattr(self, name), problems) for name in ("anonymous", "confidential")}
        if problems:
            raise lc.ValidationError(problems)
        try:
            return lc.Submission.from_dict(
                {
                    "kind": self.kind or lc.Kind.PENGADUAN.value,
                    "channel": lc.Channel.API.value,
                    "title": self.title or _title(description),
                    "body": description,
                    "category": self.service_code,
                    **flags,
                    "location": location,
                    "reporter": reporter if any(reporter.values()) else None,
                }
            )
        except lc.ValidationError as error:
            raise self.renamed(error) from None

    @property
    def region_parameter(self) -> str:
        """The parameter the region came in: ``attribute[region]`` when given, else ``address_id``."""
        return "attribute[region]" if self.region else "address_id"

    def renamed(self, error: lc.ValidationError) -> lc.ValidationError:
        """``error`` with each field named as this request sent it (``location.lon`` is ``long``)."""
        return lc.ValidationError(
            attrs.evolve(
                e, field=self.region_parameter if e.field == "location.region" else parameter_of(e.field)
            )
            for e in error.errors
        )


OptionalForm = Annotated[str | None, Form(max_length=10_000)]
# PermenPANRB 62/2018 (now 5/2025): verification within 3 working days, the institution's follow-up within 5.
SERVICE_NOTICE = (
    "Laporan diverifikasi admin LAPOR! paling lambat 3 hari kerja, lalu ditindaklanjuti instansi "
    "paling lambat 5 hari kerja."
)


def _request_key(api_key: str, device_id: str | None, posted: PostedRequest) -> str | None:
    """The idempotency key of a request from a device: the client's key, the device and the request's content.

    Hashed together (the ``api_key`` keeps it secret): the same request from the same device is one
    complaint; another request from that device, or the same one from another client, is another.
    """
    if not device_id:
        return None
    basis = json.dumps([api_key, device_id, attrs.asdict(posted)], sort_keys=True)
    return "open311:" + hashlib.sha256(basis.encode("ascii")).hexdigest()


_FORM_TYPES: Final = ("application/x-www-form-urlencoded", "multipart/form-data")


@router.post("/requests.{fmt}", **documented(list[SubmittedRequestOut], 400, 403, 404, 415))
def create_request(
    request: Request,
    portal: PortalDep,
    fmt: FormatPath,
    api_key: OptionalForm = None,
    jurisdiction_id: OptionalForm = None,
    service_code: OptionalForm = None,
    lat: OptionalForm = None,
    long: OptionalForm = None,
    address_string: OptionalForm = None,
    address_id: OptionalForm = None,
    email: OptionalForm = None,
    device_id: OptionalForm = None,
    account_id: OptionalForm = None,
    first_name: OptionalForm = None,
    last_name: OptionalForm = None,
    phone: OptionalForm = None,
    description: OptionalForm = None,
    media_url: OptionalForm = None,
    kind: Annotated[str | None, Form(alias="attribute[kind]", max_length=40)] = None,
    title: Annotated[str | None, Form(alias="attribute[title]", max_length=1000)] = None,
    region: Annotated[str | None, Form(alias="attribute[region]", max_length=40)] = None,
    anonymous: Annotated[str | None, Form(alias="attribute[anonymous]", max_length=10)] = None,
    confidential: Annotated[str | None, Form(alias="attribute[confidential]", max_length=10)] = None,
    media: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Create a service request (form-encoded, ``api_key`` required): a new complaint through the API channel.

    With a ``device_id``, the request is idempotent: the same client (``api_key``) posting the same request
    again from the same device (a retry after a lost answer) gets the first ``service_request_id`` back and
    no second complaint is stored. ``device_id``, ``account_id`` and ``media_url`` are not kept (the
    device ID only inside the keyed hash of the idempotency key, for the desk's idempotency window).
    A photo or PDF may come as the multipart file ``media`` (a common GeoReport extension): it is checked
    and stripped of its metadata by the library like any attachment, and stored with the complaint.
    """
    del account_id, media_url  # accepted by the standard, not kept (UU 27/2022: collect the minimum)
    response_format = _format(fmt)
    content_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if content_type not in _FORM_TYPES:  # a JSON body has no api_key field: say so, not "invalid api_key"
        raise Open311Error(415, N_("open311.form_expected"))
    _check_jurisdiction(portal, jurisdiction_id)
    if not api_key or not any(
        hmac.compare_digest(api_key.encode(), k.encode()) for k in portal.settings.open311_api_keys
    ):
        raise Open311Error(403, N_("open311.api_key_invalid"))
    if not service_code:
        raise Open311Error(400, N_("open311.service_missing"))
    if portal.topics.find(service_code) is None:
        raise Open311Error(404, N_("open311.service_unknown"))
    posted = PostedRequest(
        service_code=service_code,
        lat=lat,
        long=long,
        address_string=address_string,
        address_id=address_id,
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        description=description,
        kind=kind,
        title=title,
        region=region,
        anonymous=anonymous,
        confidential=confidential,
    )
    submission = posted.submission(portal.regions, service_name=portal.topic_name(service_code, "id") or "")
    try:
        uploads = [(media.filename or "media", media.file)] if media is not None else []
        receipt = portal.desk.submit(
            submission, idempotency_key=_request_key(api_key, device_id, posted), attachments=uploads
        )
    except lc.ValidationError as error:
        raise posted.renamed(error) from None
    answer: Data = [
        {"service_request_id": receipt.tracking_id, "service_notice": SERVICE_NOTICE, "account_id": None}
    ]
    return document(response_format, "service_requests", answer)
