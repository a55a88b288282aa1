"""Laporan saya: a signed-in citizen's own complaints, and each of them as its reporter sees and works it.

The list is :meth:`lapor_core.ComplaintDesk.my_complaints`: the library finds the complaints by the keyed hash
of the citizen's own account, so the page never names an owner and cannot show another citizen's complaints.
A complaint submitted on the portal while signed in as a citizen belongs to that account; one submitted
signed out belongs to no account (its reporter opens it with the tracking ID and access key, on /lacak).

Each of their complaints opens on the reporter's page (:mod:`lapor_portal.web.reporter`, the same template
and handlers as /lacak) with the citizen's own principal: the library relates the account that submitted a
complaint to it as its reporter (``owner_hash``), so replying, closing, rating, attaching and escalating need
no access key here. Another citizen's complaint is answered 404, as an unknown ID, on every address below.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

import lapor_core as lc
from lapor_portal.context import Portal, get_portal
from lapor_portal.i18n import N_
from lapor_portal.security import require_csrf
from lapor_portal.web import reporter
from lapor_portal.web.files import UPLOAD_FIELD, Size, attach_posted, serve
from lapor_portal.web.identity import current_account
from lapor_portal.web.public import search_query
from lapor_portal.web.rendering import flash, render
from lapor_portal.web.staff import WrongRole

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
PortalDep = Annotated[Portal, Depends(get_portal)]

PATH = "/laporan-saya"
_PAGE_SIZE = 20


def _citizen(request: Request, portal: Portal) -> lc.Principal | None:
    """The signed-in citizen's principal; None when nobody is signed in; WrongRole for staff."""
    account = current_account(request, portal)
    if account is None:
        return None
    if account.role is not lc.Role.CITIZEN:
        raise WrongRole
    return account.principal()


def _sign_in(path: str) -> RedirectResponse:
    return RedirectResponse(f"/masuk?{urlencode({'next': path})}", status_code=303)


@router.get(PATH, response_class=HTMLResponse)
def my_complaints(
    request: Request,
    portal: PortalDep,
    q: Annotated[str | None, Query(max_length=2000)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """The citizen's complaints, newest first, a page at a time; ``q`` searches their words."""
    citizen = _citizen(request, portal)
    if citizen is None:
        return _sign_in(PATH)
    text, problems = search_query(request, q)
    page = lc.ListedPage(items=(), next_cursor=None)
    if not problems:
        query = lc.ComplaintQuery(
            text=text or None, order=lc.Order.SUBMITTED_DESC, limit=_PAGE_SIZE, cursor=cursor or None
        )
        page = portal.desk.my_complaints(citizen, query)
    kept = {"q": text} if text else {}
    context = {
        "page": page,
        "q": text,
        "search_problems": problems,
        "next_query": urlencode({**kept, "cursor": page.next_cursor or ""}),
    }
    return render(request, "my_complaints.html", context, status_code=422 if problems else 200)


def _owner(request: Request, portal: Portal, tracking_id: str) -> lc.Principal | None:
    """The signed-in citizen as the reporter of ``tracking_id``; None when signed out.

    Raises:
        WrongRole: Staff are signed in (403, as on the list).
        lapor_core.NotFound: The complaint is not theirs, exactly as an unknown ID (404, never 403).
    """
    citizen = _citizen(request, portal)
    if citizen is None:
        return None
    view = portal.desk.view(citizen, tracking_id)
    if not _is_theirs(portal, citizen, view):
        raise lc.NotFound(kind="complaint", key=tracking_id)
    return citizen


def _to_sign_in(_request: Request, tracking_id: str) -> Response:
    return _sign_in(f"{PATH}/{quote(tracking_id, safe='')}")


SEAT = reporter.ReporterSeat(base=PATH, principal=_owner, away=_to_sign_in)
"""The citizen whose account submitted the complaint: its reporter, without the access key."""


@router.get(PATH + "/{tracking_id}", response_class=HTMLResponse)
def my_complaint(request: Request, portal: PortalDep, tracking_id: str) -> Response:
    """One of the citizen's complaints as its reporter sees it, with what they can do next."""
    citizen = _owner(request, portal, tracking_id)
    if citizen is None:
        return _to_sign_in(request, tracking_id)
    canonical = portal.desk.view(citizen, tracking_id).tracking_id
    if canonical != tracking_id:
        return RedirectResponse(SEAT.page(canonical), status_code=308)
    return reporter.reporter_page(request, portal, SEAT, citizen, tracking_id)


@router.post(PATH + "/{tracking_id}/info", dependencies=[Depends(require_csrf)])
def provide_info(request: Request, portal: PortalDep, tracking_id: str, message: reporter.Text) -> Response:
    """Answer the admin's request for more information."""
    done = N_("flash.info_sent")
    return reporter.act(request, portal, SEAT, tracking_id, portal.desk.provide_info, message, done=done)


@router.post(PATH + "/{tracking_id}/balas", dependencies=[Depends(require_csrf)])
def reply(request: Request, portal: PortalDep, tracking_id: str, message: reporter.Text) -> Response:
    """Reply to the institution's follow-up: the complaint reopens for another follow-up."""
    return reporter.act(
        request, portal, SEAT, tracking_id, portal.desk.reply, message, done=N_("flash.replied")
    )


@router.post(PATH + "/{tracking_id}/selesai", dependencies=[Depends(require_csrf)])
def close(request: Request, portal: PortalDep, tracking_id: str) -> Response:
    """Confirm the follow-up settled the matter: the complaint is closed."""
    return reporter.act(
        request, portal, SEAT, tracking_id, portal.desk.close_complaint, done=N_("flash.closed")
    )


@router.post(PATH + "/{tracking_id}/nilai", dependencies=[Depends(require_csrf)])
def rate(
    request: Request,
    portal: PortalDep,
    tracking_id: str,
    rating: reporter.Rating,
    comment: reporter.RatingComment = "",
) -> Response:
    """Rate the handling once, 1 to 5 with an optional comment, after closing."""
    return reporter.rate_as(request, portal, SEAT, tracking_id, rating, comment)


@router.post(PATH + "/{tracking_id}/ombudsman", dependencies=[Depends(require_csrf)])
def escalate(request: Request, portal: PortalDep, tracking_id: str, reason: reporter.Text) -> Response:
    """Escalate to the Ombudsman, when the library allows it."""
    return reporter.escalate_as(request, portal, SEAT, tracking_id, reason)


@router.post(PATH + "/{tracking_id}/lampiran", dependencies=[Depends(require_csrf)])
async def attach(request: Request, portal: PortalDep, tracking_id: str) -> Response:
    """Add photos or documents while the complaint is handled; refusals are shown under the input."""
    citizen = await run_in_threadpool(_owner, request, portal, tracking_id)
    if citizen is None:
        return _to_sign_in(request, tracking_id)
    problems = await attach_posted(request, portal, citizen, tracking_id)
    if problems:
        errors = {UPLOAD_FIELD: problems}
        return await run_in_threadpool(
            reporter.reporter_page,
            request,
            portal,
            SEAT,
            citizen,
            tracking_id,
            errors=errors,
            status_code=422,
        )
    flash(request, "flash.attached")
    return RedirectResponse(SEAT.page(tracking_id), status_code=303)


@router.get(PATH + "/{tracking_id}/lampiran/{attachment_id}")
async def my_file(
    request: Request, portal: PortalDep, tracking_id: str, attachment_id: str, size: Size = None
) -> Response:
    """A file of the citizen's own complaint (``?ukuran=kecil``: its thumbnail)."""
    citizen = await run_in_threadpool(_owner, request, portal, tracking_id)
    if citizen is None:
        return _to_sign_in(request, tracking_id)
    return await serve(portal, citizen, tracking_id, attachment_id, size)


def _is_theirs(portal: Portal, citizen: lc.Principal, view: lc.ComplaintView) -> bool:
    """Whether the citizen's own list holds ``view``: their complaints submitted at that very instant.

    A public complaint of someone else is visible to the citizen too, but is not theirs to see here.
    """
    instant = lc.ComplaintQuery(
        submitted_from=view.submitted_at,
        submitted_before=view.submitted_at + timedelta(microseconds=1),
        limit=1000,
    )
    return any(
        item.tracking_id == view.tracking_id for item in portal.desk.my_complaints(citizen, instant).items
    )
