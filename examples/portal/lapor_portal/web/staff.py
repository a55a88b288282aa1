"""The staff pages: sign-in, the verification queue, the institution's inbox, one complaint's actions.

Every action calls the desk with the signed-in account's principal; the desk decides what that principal may
see and do, so a page only offers the forms the principal's role could use and the library has the final say.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Final
from urllib.parse import quote, urlencode

import attrs
from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

import lapor_core as lc
from lapor_portal.accounts import Account
from lapor_portal.context import Portal, get_portal
from lapor_portal.i18n import N_, Translator, language_of
from lapor_portal.notes import MAX_NOTE, Note, check_note, may_use_notes
from lapor_portal.reply_templates import by_form, filled, reply_templates
from lapor_portal.security import require_csrf
from lapor_portal.web.choropleth import province_map
from lapor_portal.web.files import UPLOAD_ACCEPT, UPLOAD_FIELD, Size, attach_posted, listed, serve
from lapor_portal.web.forms import CHECKED, errors_by_input
from lapor_portal.web.identity import current_account, sign_in, sign_out
from lapor_portal.web.public import safe_next
from lapor_portal.web.queue_export import MAX_ROWS, stream_csv
from lapor_portal.web.queue_filters import QueueFilters, QueueFiltersDep
from lapor_portal.web.queue_pages import MAX_SCAN, QueuePage, Trail, read_page
from lapor_portal.web.rendering import flash, render

__all__ = ["SignInRequired", "complaint_page", "router", "staff_account"]

router = APIRouter(include_in_schema=False)
PortalDep = Annotated[Portal, Depends(get_portal)]
Message = Annotated[str, Form(max_length=8000)]
Cursor = Annotated[str | None, Query(max_length=4000)]  # a longer one than the library makes is dropped
Back = Annotated[list[str] | None, Query()]
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


@attrs.frozen
class _Queue:
    """One staff queue: who opens it, which complaints it lists and in which order, what it is called."""

    name: str
    roles: tuple[lc.Role, ...]
    statuses: frozenset[lc.Status] | None
    order: lc.Order
    escalations: frozenset[lc.Escalation] | None = None
    own_institution: bool = False

    @property
    def path(self) -> str:
        """The queue's page."""
        return f"/staf/{self.name}"

    def query(
        self, account: Account, filters: QueueFilters, *, limit: int, cursor: str | None
    ) -> lc.ComplaintQuery:
        """The library's query for this queue, this account and these filters."""
        unit = account.unit if self.own_institution and account.role is lc.Role.UNIT else None
        return lc.ComplaintQuery(
            filters=filters.library_filters(self.escalations),
            statuses=filters.statuses_within(self.statuses),
            institution=account.institution if self.own_institution else None,
            unit=unit,
            order=self.order,
            limit=limit,
            cursor=cursor,
            **filters.options(),
        )


_QUEUES: Final = {
    queue.name: queue
    for queue in (
        _Queue(
            "verifikasi",
            (lc.Role.ADMIN,),
            _AT_VERIFICATION,
            lc.Order.DUE_ASC,
        ),
        _Queue(
            "kotak-masuk",
            (lc.Role.INSTITUTION, lc.Role.UNIT),
            _AT_INSTITUTION,
            lc.Order.DUE_ASC,
            own_institution=True,
        ),
        _Queue(
            "pengawasan",
            (lc.Role.SUPERVISOR, lc.Role.ADMIN),
            _AT_INSTITUTION,
            lc.Order.DUE_ASC,
        ),
        _Queue(
            "ombudsman",
            (lc.Role.SUPERVISOR, lc.Role.ADMIN),
            None,
            lc.Order.SUBMITTED_ASC,
            escalations=frozenset({lc.Escalation.OPEN}),
        ),
    )
}


def _words(t: Translator, queue: str, institution: str) -> dict[str, str]:
    """A queue's heading and introduction in ``t``'s language (``institution``: the account's, by name)."""
    words = {
        "verifikasi": (t("staff.queue_title"), t("staff.queue_intro")),
        "kotak-masuk": (t("staff.inbox_title", institution=institution), t("staff.inbox_intro")),
        "pengawasan": (t("staff.oversight_title"), t("staff.oversight_intro")),
        "ombudsman": (t("staff.ombudsman_title"), t("staff.ombudsman_intro")),
    }
    heading, intro = words[queue]
    return {"heading": heading, "intro": intro}


def trail(cursor: Cursor = None, back: Back = None) -> Trail:
    """FastAPI dependency: where in the queue this page is (its cursor and those of the pages before)."""
    return Trail.read(cursor, back or ())


TrailDep = Annotated[Trail, Depends(trail)]


def _searched_complaint(portal: Portal, principal: lc.Principal, search: str) -> tuple[str | None, bool]:
    """``(tracking ID, visible)`` when the search is a tracking ID, else ``(None, False)``."""
    if len(search.split()) != 1:
        return None, False
    try:
        tracking_id = str(lc.TrackingId.parse(search))
    except lc.InvalidTrackingId:
        return None, False
    try:
        portal.desk.view(principal, tracking_id)
    except lc.NotFound:
        return tracking_id, False
    return tracking_id, True


def _searchable(filters: QueueFilters) -> tuple[QueueFilters, lc.FieldError | None]:
    """The filters, without their search and with the reason when the library refuses its words.

    The library refuses punctuation alone or too many words; other filters stay as they are.
    """
    if not filters.search:
        return filters, None
    try:
        lc.ComplaintQuery(text=filters.search)
    except lc.ValidationError as error:
        return attrs.evolve(filters, search=""), error.errors[0]
    return filters, None


def _queue_page(
    request: Request, portal: Portal, account: Account, queue: _Queue, filters: QueueFilters, where: Trail
) -> Response:
    """A queue's page: its filters, one page of the complaints they select, links to the pages around it."""
    _require(account, *queue.roles)
    t = Translator(language_of(request))
    principal = account.principal()
    notices = [t("queue.ignored")] if filters.ignored else []
    typed = filters.search
    filters, refused = _searchable(filters)
    if refused is not None:
        notices.append(t("queue.search_refused", reason=refused.message(t.lang)))
    tracking_id, visible = (
        _searched_complaint(portal, principal, filters.search) if filters.search else (None, False)
    )
    if tracking_id is not None and visible:
        return RedirectResponse(f"/staf/pengaduan/{quote(tracking_id, safe='')}", status_code=303)
    if tracking_id is not None:
        notices.append(t("queue.no_such_complaint", tracking_id=tracking_id))
        page = QueuePage((), None)
    else:
        query = queue.query(account, filters, limit=filters.size, cursor=where.cursor)
        keep = filters.view_test(portal)
        try:
            page = read_page(portal.desk, principal, query, keep)
        except lc.ValidationError:
            if where.cursor is None:
                raise
            notices.append(t("queue.stale_page"))
            where = Trail()
            page = read_page(portal.desk, principal, attrs.evolve(query, cursor=None), keep)
    own = portal.institution_name(account.institution) or ""
    filtered = filters.params()
    back = where.backward()
    context = {
        "page": page,
        **_words(t, queue.name, own),
        "path": queue.path,
        "notices": notices,
        "typed_search": typed,
        "page_number": where.number,
        "next_href": "?" + urlencode(filtered + where.params(where.forward(page.next_cursor)))
        if page.next_cursor
        else None,
        "previous_href": "?" + urlencode(filtered + where.params(back)) if back is not None else None,
        "first_href": "?" + urlencode(filtered) if where.cursor is not None else None,
        "export_href": f"{queue.path}/ekspor.csv?" + urlencode(filters.params(with_size=False)),
        "max_export": MAX_ROWS,
        "max_scan": MAX_SCAN,
    }
    return render(
        request, "staff_queue.html", {**context, **filters.context(portal, t, queue.statuses or lc.Status)}
    )


@router.get("/staf/verifikasi", response_class=HTMLResponse)
def verification_queue(
    request: Request, portal: PortalDep, account: StaffDep, filters: QueueFiltersDep, where: TrailDep
) -> Response:
    """The admin's verification queue: submitted and held complaints, the nearest deadline first."""
    return _queue_page(request, portal, account, _QUEUES["verifikasi"], filters, where)


@router.get("/staf/kotak-masuk", response_class=HTMLResponse)
def inbox(
    request: Request, portal: PortalDep, account: StaffDep, filters: QueueFiltersDep, where: TrailDep
) -> Response:
    """The institution's (or its unit's) inbox: complaints at it, the nearest deadline first."""
    return _queue_page(request, portal, account, _QUEUES["kotak-masuk"], filters, where)


@router.get("/staf/pengawasan", response_class=HTMLResponse)
def oversight(
    request: Request, portal: PortalDep, account: StaffDep, filters: QueueFiltersDep, where: TrailDep
) -> Response:
    """Oversight (Ombudsman, inspectorate, admins): complaints at institutions, the nearest deadline first."""
    return _queue_page(request, portal, account, _QUEUES["pengawasan"], filters, where)


@router.get("/staf/ombudsman", response_class=HTMLResponse)
def ombudsman_inbox(
    request: Request, portal: PortalDep, account: StaffDep, filters: QueueFiltersDep, where: TrailDep
) -> Response:
    """The Ombudsman's inbox: complaints their reporters escalated, not yet concluded, oldest first."""
    return _queue_page(request, portal, account, _QUEUES["ombudsman"], filters, where)


@router.get("/staf/{name}/ekspor.csv")
def export_queue(
    request: Request, portal: PortalDep, account: StaffDep, filters: QueueFiltersDep, name: str
) -> Response:
    """The queue with these filters as a CSV file: what this officer sees, as the library shows it to them."""
    queue = _QUEUES.get(name)
    if queue is None:
        raise HTTPException(status_code=404)
    _require(account, *queue.roles)
    t = Translator(language_of(request))
    query = queue.query(account, filters, limit=filters.size, cursor=None)
    keep = filters.view_test(portal)
    day = portal.now().astimezone(portal.zone).strftime("%Y%m%d")
    headers = {
        "Content-Disposition": f'attachment; filename="antrean-{queue.name}-{day}.csv"',
        "Cache-Control": "no-store",
    }
    rows = stream_csv(portal, t, account.principal(), query, keep)
    return StreamingResponse(rows, media_type="text/csv; charset=utf-8", headers=headers)


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
    template: str = "",
    note: str = "",
) -> HTMLResponse:
    directory = portal.directory
    t = Translator(language_of(request))
    replies = reply_templates(t, tracking_id=view.tracking_id)
    fill = filled(template, replies) if template else None
    notes_shown = may_use_notes(account, view)
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
        "notes": portal.notes.notes_of(view.tracking_id) if notes_shown else None,
        "may_note": may_use_notes(account, view, write=True),
        "note_text": note,
        "max_note": MAX_NOTE,
        "replies": by_form(replies),
        "fill": dict([fill]) if fill else {},  # the form a chosen reply template fills, and its text
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
def staff_complaint(
    request: Request,
    portal: PortalDep,
    account: StaffDep,
    tracking_id: str,
    template: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    """A complaint as this staff member may see it, with the actions their role offers.

    ``?template=<key>`` fills the message box of the reply template's form with its text (the page's script
    does the same without a reload); an unknown key fills nothing.
    """
    view = portal.desk.view(account.principal(), tracking_id)
    return _complaint_page(request, portal, account, view, template=template)


@router.post("/staf/pengaduan/{tracking_id}/catatan", dependencies=[Depends(require_csrf)])
def add_note(
    request: Request,
    portal: PortalDep,
    account: StaffDep,
    tracking_id: str,
    note: Annotated[str, Form(max_length=MAX_NOTE * 2)] = "",
) -> Response:
    """Add an internal note for the other staff on this complaint (never shown to its reporter or the public).

    Staff only (a citizen is sent to the staff sign-in), and only on a complaint whose content the desk shows
    this staff member (else 404 or 403, as for the complaint itself).
    """
    view = portal.desk.view(account.principal(), tracking_id)
    if not may_use_notes(account, view, write=True):
        raise WrongRole
    text, problems = check_note(note)
    if problems:
        return _complaint_page(request, portal, account, view, {"note": problems}, note=note)
    written = Note(
        tracking_id=view.tracking_id,
        author=account.key,
        author_name=account.name,
        role=account.role.value,
        written_at=portal.now(),
        text=text,
    )
    portal.notes.add(written)
    flash(request, "flash.note_added")
    return RedirectResponse(f"/staf/pengaduan/{quote(view.tracking_id, safe='')}#notes", status_code=303)


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
