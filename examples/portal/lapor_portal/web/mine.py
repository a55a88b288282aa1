"""Laporan saya: a signed-in citizen's own complaints, and each of them as its reporter sees it.

The list is :meth:`lapor_core.ComplaintDesk.my_complaints`: the library finds the complaints by the keyed hash
of the citizen's own account, so the page never names an owner and cannot show another citizen's complaints.
A complaint submitted on the portal while signed in as a citizen belongs to that account; one submitted
signed out belongs to no account (its reporter opens it with the tracking ID and access key, on /lacak).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

import lapor_core as lc
from lapor_portal.context import Portal, get_portal
from lapor_portal.web.identity import current_account
from lapor_portal.web.public import search_query
from lapor_portal.web.rendering import render
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


@router.get(PATH + "/{tracking_id}", response_class=HTMLResponse)
def my_complaint(request: Request, portal: PortalDep, tracking_id: str) -> Response:
    """One of the citizen's complaints as its reporter sees it; another's is not found, as an unknown ID."""
    citizen = _citizen(request, portal)
    if citizen is None:
        return _sign_in(f"{PATH}/{tracking_id}")
    view = portal.desk.view(citizen, tracking_id)
    if not _is_theirs(portal, citizen, view):
        raise lc.NotFound(kind="complaint", key=tracking_id)
    if view.tracking_id != tracking_id:
        return RedirectResponse(f"{PATH}/{view.tracking_id}", status_code=308)
    return render(request, "my_complaint.html", {"view": view})


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
