"""The staff pages: sign-in, the verification queue, the institution's inbox, one complaint's actions.

Every action calls the desk with the signed-in account's principal; the desk decides what that principal may
see and do, so a page only offers the forms the principal's role could use and the library has the final say.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

import lapor_core as lc
from lapor_portal.accounts import Account
from lapor_portal.context import Portal, get_portal
from lapor_portal.i18n import N_, Translator, language_of
from lapor_portal.security import require_csrf
from lapor_portal.web.choropleth import province_map
from lapor_portal.web.files import UPLOAD_ACCEPT, UPLOAD_FIELD, Size, attach_posted, listed, serve
from lapor_portal.web.forms import CHECKED, errors_by_input
from lapor_portal.web.identity import current_account, sign_in, sign_out
from lapor_portal.web.public import safe_next
from lapor_portal.web.queue_filters import QueueFiltersDep
from lapor_portal.web.rendering import flash, render

__all__ = ["SignInRequired", "complaint_page", "router", "staff_account"]

router = APIRouter(include_in_schema=False)
PortalDep = Annotated[Portal, Depends(get_portal)]
Message = Annotated[str, Form(max_length=8000)]
Cursor = Annotated[str | None, Query(max_length=500)]

_QUEUE_SIZE = 50
_AT_VERIFICATION = frozenset({lc.Status.SUBMITTED, lc.Status.ON_HOLD})
_AT_INSTITUTION = frozenset({lc.Status.FORWARDED, lc.Status.ASSIGNED, lc.Status.FOLLOWED_UP})
_CENTRAL = (
    "kemenpanrb",
    "kemendagri",
    "kemenkes",
    "kemendikdasmen",
    "kemensos",
    "kemenpu",
    "bpjs-kesehatan",
    "pln",
)


class SignInRequired(Exception):
    """A staff page was opened without a staff sign-in; the portal redirects to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class WrongRole(Exception):
    """The signed-in account's role has no business on this page (rendered as 403)."""


def staff_account(request: Request, portal: PortalDep) -> Account:
    """FastAPI dependency: the signed-in staff account, or :class:`SignInRequired`."""
    account = current_account(request, portal)
    if account is None or not account.is_staff:
        raise SignInRequired(request.url.path)
    return account


StaffDep = Annotated[Account, Depends(staff_account)]


def _require(account: Account, *roles: lc.Role) -> None:
    if account.role not in roles:
        raise WrongRole


# --- signing in and out -------------------------------------------------------------------------------------
@router.get("/masuk", response_class=HTMLResponse)
def sign_in_page(
    request: Request, portal: PortalDep, next_path: Annotated[str | None, Query(alias="next")] = None
) -> HTMLResponse:
    """The demonstration sign-in: pick an account. A real portal signs users in with its identity provider."""
    context = {"accounts": portal.settings.accounts, "next": safe_next(next_path, "")}
    return render(request, "signin.html", context)


@router.post("/masuk", dependencies=[Depends(require_csrf)])
def sign_in_as(
    request: Request,
    portal: PortalDep,
    account_key: Annotated[str, Form(alias="account", max_length=100)],
    next_path: Annotated[str, Form(alias="next", max_length=500)] = "",
) -> RedirectResponse:
    """Sign in as the chosen demonstration account."""
    account = portal.settings.account(account_key)
    if account is None:
        return RedirectResponse("/masuk", status_code=303)
    sign_in(request, account)
    flash(request, "flash.signed_in", name=account.name)
    default = "/staf" if account.is_staff else "/pengaduan"
    return RedirectResponse(safe_next(next_path, default), status_code=303)


@router.post("/keluar", dependencies=[Depends(require_csrf)])
def sign_out_now(request: Request) -> RedirectResponse:
    """Sign out (staff, citizen and reporter alike)."""
    sign_out(request)
    return RedirectResponse("/", status_code=303)


# --- queues -------------------------------------------------------------------------------------------------
@router.get("/staf")
def staff_home(account: StaffDep) -> RedirectResponse:
    """Each role's starting page."""
    target = {
        lc.Role.ADMIN: "/staf/verifikasi",
        lc.Role.INSTITUTION: "/staf/kotak-masuk",
        lc.Role.UNIT: "/staf/kotak-masuk",
    }.get(account.role, "/staf/pengawasan")
    return RedirectResponse(target, status_code=303)


@router.get("/staf/verifikasi", response_class=HTMLResponse)
def verification_queue(
    request: Request, portal: PortalDep, account: StaffDep, filters: QueueFiltersDep, cursor: Cursor = None
) -> HTMLResponse:
    """The admin's verification queue: submitted and held complaints, the nearest deadline first."""
    _require(account, lc.Role.ADMIN)
    query = lc.ComplaintQuery(
        statuses=_AT_VERIFICATION,
        order=lc.Order.DUE_ASC,
        limit=_QUEUE_SIZE,
        cursor=cursor,
        **filters.options(),
    )
    page = portal.desk.complaints(account.principal(), query)
    t = Translator(language_of(request))
    context = {"page": page, "heading": t("staff.queue_title"), "intro": t("staff.queue_intro")}
    return render(request, "staff_queue.html", {**context, **filters.context(portal)})


@router.get("/staf/kotak-masuk", response_class=HTMLResponse)
def inbox(
    request: Request, portal: PortalDep, account: StaffDep, filters: QueueFiltersDep, cursor: Cursor = None
) -> HTMLResponse:
    """The institution's (or its unit's) inbox: complaints at it, the nearest deadline first."""
    _require(account, lc.Role.INSTITUTION, lc.Role.UNIT)
    query = lc.ComplaintQuery(
        statuses=_AT_INSTITUTION,
        institution=account.institution,
        unit=account.unit if account.role is lc.Role.UNIT else None,
        order=lc.Order.DUE_ASC,
        limit=_QUEUE_SIZE,
        cursor=cursor,
        **filters.options(),
    )
    page = portal.desk.complaints(account.principal(), query)
    t = Translator(language_of(request))
    heading = t("staff.inbox_title", institution=portal.institution_name(account.institution) or "")
    context = {"page": page, "heading": heading, "intro": t("staff.inbox_intro")}
    return render(request, "staff_queue.html", {**context, **filters.context(portal)})


@router.get("/staf/pengawasan", response_class=HTMLResponse)
def oversight(
    request: Request, portal: PortalDep, account: StaffDep, filters: QueueFiltersDep, cursor: Cursor = None
) -> HTMLResponse:
    """Oversight (Ombudsman, inspectorate, admins): complaints at institutions, the nearest deadline first."""
    _require(account, lc.Role.SUPERVISOR, lc.Role.ADMIN)
    query = lc.ComplaintQuery(
        statuses=_AT_INSTITUTION,
        order=lc.Order.DUE_ASC,
        limit=_QUEUE_SIZE,
        cursor=cursor,
        **filters.options(),
    )
    page = portal.desk.complaints(account.principal(), query)
    t = Translator(language_of(request))
    context = {"page": page, "heading": t("staff.oversight_title"), "intro": t("staff.oversight_intro")}
    return render(request, "staff_queue.html", {**context, **filters.context(portal)})


@router.get("/staf/ombudsman", response_class=HTMLResponse)
def ombudsman_inbox(
    request: Request, portal: PortalDep, account: StaffDep, cursor: Cursor = None
) -> HTMLResponse:
    """The Ombudsman's inbox: complaints their reporters escalated, not yet concluded, oldest first."""
    _require(account, lc.Role.SUPERVISOR, lc.Role.ADMIN)
    query = lc.ComplaintQuery(
        filters=lc.Filters(escalations=frozenset({lc.Escalation.OPEN})),
        order=lc.Order.SUBMITTED_ASC,
        limit=_QUEUE_SIZE,
        cursor=cursor,
    )
    page = portal.desk.complaints(account.principal(), query)
    t = Translator(language_of(request))
    context = {"page": page, "heading": t("staff.ombudsman_title"), "intro": t("staff.ombudsman_intro")}
    return render(request, "staff_queue.html", context)


@router.get("/staf/dasbor", response_class=HTMLResponse)
def dashboard(request: Request, portal: PortalDep, account: StaffDep) -> HTMLResponse:
    """Service levels per institution (on-time shares, median days, breaches); complaints per province."""
    _require(account, lc.Role.ADMIN, lc.Role.SUPERVISOR)
    rows = portal.desk.stats(account.principal(), group_by=["institution"], include_sla=True)
    at_institutions = [row for row in rows if row["institution"] is not None]
    provinces = [(r.code, r.name) for r in portal.regions.provinces()]
    by_province = province_map(portal.desk.choropleth(account.principal(), level="province"), provinces)
    return render(request, "dashboard.html", {"rows": at_institutions, "by_province": by_province})


@router.post("/staf/sweep", dependencies=[Depends(require_csrf)])
def run_sweep(request: Request, portal: PortalDep, account: StaffDep) -> RedirectResponse:
    """Run the sweep now (closing, breaches, reminders); a deployment also runs it on a schedule."""
    _require(account, lc.Role.ADMIN)
    report = portal.desk.sweep()
    flash(
        request,
        "flash.swept",
        closed=len(report.closed),
        breached=len(report.breached),
        reminded=len(report.reminded),
    )
    return RedirectResponse("/staf/verifikasi", status_code=303)


# --- one complaint ------------------------------------------------------------------------------------------
def _actions(account: Account, view: lc.ComplaintView) -> frozenset[str]:
    """The forms worth offering this role for this complaint (the desk still checks every action)."""
    role, status = account.role, view.status
    if role is lc.Role.SUPERVISOR and view.escalation is lc.Escalation.OPEN:
        return frozenset({"record_findings", "conclude_escalation"})
    if role is lc.Role.ADMIN:
        by_status = {
            lc.Status.SUBMITTED: {"forward", "request_info", "archive", "merge"},
            lc.Status.ON_HOLD: {"archive", "merge"},
            lc.Status.FORWARDED: {"merge"},
            lc.Status.ASSIGNED: {"merge"},
            lc.Status.FOLLOWED_UP: {"reply", "merge"},
        }
        return frozenset(by_status.get(status, set()))
    if role is lc.Role.INSTITUTION and status in (lc.Status.FORWARDED, lc.Status.ASSIGNED):
        return frozenset({"assign", "follow_up", "decline"})
    if role is lc.Role.UNIT and status is lc.Status.ASSIGNED:
        return frozenset({"follow_up"})
    return frozenset()


def _institution_choices(portal: Portal, region: str | None) -> list[tuple[str, str]]:
    """Institutions to forward to: the governments of the complaint's region first, then central bodies."""
    codes: list[str] = []
    if region:
        codes += [region[:5], region[:2]] if len(region) >= 5 else [region[:2]]
    codes += list(_CENTRAL)
    seen: dict[str, str] = {}
    for code in codes:
        institution = portal.directory.find(code)
        if institution is not None:
            seen.setdefault(code, institution.name)
    return list(seen.items())


def _complaint_page(
    request: Request,
    portal: Portal,
    account: Account,
    view: lc.ComplaintView,
    errors: dict[str, list[lc.FieldError]] | None = None,
    *,
    revealed: lc.ReporterView | None = None,
) -> HTMLResponse:
    directory = portal.directory
    units = directory.units_of(view.institution) if view.institution and view.institution in directory else ()
    context = {
        "view": view,
        "actions": _actions(account, view),
        "institutions": _institution_choices(portal, view.region),
        "topic_groups": portal.topic_groups(),
        "units": units,
        "errors": errors or {},
        "files": _files(portal, account, view.tracking_id),
        "upload_action": _upload_action(account, view),
        "upload_accept": UPLOAD_ACCEPT,
        "revealed": revealed,  # an anonymous reporter's identity, on the admin's answer that opened it
    }
    return render(request, "staff_complaint.html", context, status_code=422 if errors else 200)


complaint_page = _complaint_page
"""A complaint's staff page (for the actions that live in their own module, such as web/reveal.py)."""


def _files(portal: Portal, account: Account, tracking_id: str) -> tuple[lc.Attachment, ...]:
    return listed(portal, account.principal(), tracking_id)


def _upload_action(account: Account, view: lc.ComplaintView) -> str | None:
    """Where this staff member adds files, when the policy lets their role attach (not oversight)."""
    if account.role is lc.Role.SUPERVISOR or view.status.is_terminal:
        return None
    return f"/staf/pengaduan/{view.tracking_id}/lampiran"


@router.post("/staf/pengaduan/{tracking_id}/lampiran", dependencies=[Depends(require_csrf)])
async def staff_attach(request: Request, portal: PortalDep, account: StaffDep, tracking_id: str) -> Response:
    """Staff add photos or documents (a repair's photo, a letter) to a complaint they handle."""
    problems = await attach_posted(request, portal, account.principal(), tracking_id)
    if problems:
        view = portal.desk.view(account.principal(), tracking_id)
        return _complaint_page(request, portal, account, view, {UPLOAD_FIELD: problems})
    flash(request, "flash.attached")
    return RedirectResponse(f"/staf/pengaduan/{quote(tracking_id, safe='')}", status_code=303)


@router.get("/staf/pengaduan/{tracking_id}/lampiran/{attachment_id}")
async def staff_file(
    portal: PortalDep, account: StaffDep, tracking_id: str, attachment_id: str, size: Size = None
) -> Response:
    """A file of a complaint as this staff member may see it (``?ukuran=kecil``: its thumbnail)."""
    return await serve(portal, account.principal(), tracking_id, attachment_id, size)


@router.get("/staf/pengaduan/{tracking_id}", response_class=HTMLResponse)
def staff_complaint(request: Request, portal: PortalDep, account: StaffDep, tracking_id: str) -> HTMLResponse:
    """A complaint as this staff member may see it, with the actions their role offers."""
    return _complaint_page(request, portal, account, portal.desk.view(account.principal(), tracking_id))


Command = Callable[..., object]
"""A desk command taking ``(principal, tracking_id, *arguments)``."""


def _act(
    request: Request,
    portal: Portal,
    account: Account,
    tracking_id: str,
    command: Command,
    *arguments: object,
    done: tuple[str, str],
) -> Response:
    """Run one desk command; on bad input show the page again with the reasons, else go on with a message."""
    principal = account.principal()
    try:
        command(principal, tracking_id, *arguments)
    except lc.ValidationError as error:
        view = portal.desk.view(principal, tracking_id)
        return _complaint_page(request, portal, account, view, errors_by_input(error.errors, {}))
    flash(request, done[0])
    return RedirectResponse(done[1], status_code=303)


@router.post("/staf/pengaduan/{tracking_id}/gabungkan", dependencies=[Depends(require_csrf)])
def merge(
    request: Request,
    portal: PortalDep,
    account: StaffDep,
    tracking_id: str,
    into: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Merge this duplicate into the original complaint ``into``; its reporter follows the original."""

    def command(who: lc.Principal, tid: str) -> object:
        return portal.desk.merge(who, tid, into=into)

    done = (N_("flash.merged"), f"/staf/pengaduan/{quote(tracking_id, safe='')}")
    return _act(request, portal, account, tracking_id, command, done=done)


@router.post("/staf/pengaduan/{tracking_id}/temuan", dependencies=[Depends(require_csrf)])
def record_findings(
    request: Request, portal: PortalDep, account: StaffDep, tracking_id: str, findings: Message
) -> Response:
    """The Ombudsman records findings on an escalated complaint; its reporter is told."""
    done = (N_("flash.findings_recorded"), f"/staf/pengaduan/{quote(tracking_id, safe='')}")
    return _act(request, portal, account, tracking_id, portal.desk.record_findings, findings, done=done)


@router.post("/staf/pengaduan/{tracking_id}/simpulkan", dependencies=[Depends(require_csrf)])
def conclude_escalation(
    request: Request, portal: PortalDep, account: StaffDep, tracking_id: str, conclusion: Message
) -> Response:
    """The Ombudsman concludes the escalation; the reporter, the admins and the institution are told."""
    done = (N_("flash.escalation_concluded"), "/staf/ombudsman")
    return _act(request, portal, account, tracking_id, portal.desk.conclude_escalation, conclusion, done=done)


@router.post("/staf/pengaduan/{tracking_id}/teruskan", dependencies=[Depends(require_csrf)])
def forward(
    request: Request,
    portal: PortalDep,
    account: StaffDep,
    tracking_id: str,
    institution: Annotated[str, Form(max_length=100)] = "",
    other_institution: Annotated[str, Form(max_length=100)] = "",
    category: Annotated[str, Form(max_length=100)] = "",
    anonymous: Annotated[str, Form(max_length=10)] = "",
    confidential: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Verify and forward to an institution, optionally setting the topic and the privacy flags.

    A flag's checkbox sets it when ticked and leaves it as it is when not (flags are never cleared); any
    other value is refused, never read as either.
    """

    def command(who: lc.Principal, tid: str) -> object:
        flags = {"anonymous": anonymous, "confidential": confidential}
        refused = [name for name, value in flags.items() if value not in ("", CHECKED)]
        if refused:
            raise lc.ValidationError(lc.FieldError(name, "flag.not_boolean_or_omitted") for name in refused)
        return portal.desk.forward(
            who,
            tid,
            institution=other_institution.strip() or institution,
            category=category or None,
            anonymous=True if anonymous == CHECKED else None,
            confidential=True if confidential == CHECKED else None,
        )

    return _act(
        request, portal, account, tracking_id, command, done=(N_("flash.forwarded_short"), "/staf/verifikasi")
    )


@router.post("/staf/pengaduan/{tracking_id}/tunda", dependencies=[Depends(require_csrf)])
def request_info(
    request: Request, portal: PortalDep, account: StaffDep, tracking_id: str, message: Message
) -> Response:
    """Hold (tunda), asking the reporter for more information."""
    here = f"/staf/pengaduan/{tracking_id}"
    done = (N_("flash.held"), here)
    return _act(request, portal, account, tracking_id, portal.desk.request_info, message, done=done)


@router.post("/staf/pengaduan/{tracking_id}/arsipkan", dependencies=[Depends(require_csrf)])
def archive(
    request: Request, portal: PortalDep, account: StaffDep, tracking_id: str, reason: Message
) -> Response:
    """Archive at verification (out of scope, duplicate...)."""
    done = (N_("flash.archived"), "/staf/verifikasi")
    return _act(request, portal, account, tracking_id, portal.desk.archive, reason, done=done)


@router.post("/staf/pengaduan/{tracking_id}/disposisi", dependencies=[Depends(require_csrf)])
def assign(
    request: Request,
    portal: PortalDep,
    account: StaffDep,
    tracking_id: str,
    unit: Annotated[str, Form(max_length=100)],
) -> Response:
    """Dispose the complaint to a work unit."""
    done = (N_("flash.assigned"), f"/staf/pengaduan/{tracking_id}")
    return _act(request, portal, account, tracking_id, portal.desk.assign, unit, done=done)


@router.post("/staf/pengaduan/{tracking_id}/tindak-lanjut", dependencies=[Depends(require_csrf)])
def follow_up(
    request: Request, portal: PortalDep, account: StaffDep, tracking_id: str, message: Message
) -> Response:
    """Post the institution's follow-up (tindak lanjut); the closing clock starts."""
    done = (N_("flash.followed_up"), f"/staf/pengaduan/{tracking_id}")
    return _act(request, portal, account, tracking_id, portal.desk.follow_up, message, done=done)


@router.post("/staf/pengaduan/{tracking_id}/bukan-wewenang", dependencies=[Depends(require_csrf)])
def decline(
    request: Request, portal: PortalDep, account: StaffDep, tracking_id: str, reason: Message
) -> Response:
    """Not our authority (bukan wewenang): back to the admin to re-route."""
    done = (N_("flash.declined"), "/staf/kotak-masuk")
    return _act(request, portal, account, tracking_id, portal.desk.decline, reason, done=done)


@router.post("/staf/pengaduan/{tracking_id}/balas", dependencies=[Depends(require_csrf)])
def admin_reply(
    request: Request, portal: PortalDep, account: StaffDep, tracking_id: str, message: Message
) -> Response:
    """An admin's reply to a follow-up: the institution must follow up again."""
    done = (N_("flash.replied"), f"/staf/pengaduan/{tracking_id}")
    return _act(request, portal, account, tracking_id, portal.desk.reply, message, done=done)
