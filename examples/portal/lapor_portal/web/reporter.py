"""Tracking: by ID (the public view) and by ID and access key (the reporter's own view, with replies).

The access key is checked by :meth:`lapor_core.ComplaintDesk.authenticate`, which fails the same way for an
unknown ID and a wrong key, always opens a correct key, and refuses further wrong keys from one client (the
portal passes a keyed hash of the address, :class:`lapor_portal.security.ClientKeys`) after repeated
failures, answered here with 429 and ``Retry-After``. A stranger's wrong keys never lock the reporter out.
The key is never stored: the session keeps the desk's proof for a few minutes instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

import lapor_core as lc
from lapor_portal.context import Portal, get_portal
from lapor_portal.i18n import N_, Translator, language_of
from lapor_portal.security import require_csrf
from lapor_portal.web.files import UPLOAD_ACCEPT, listed
from lapor_portal.web.forms import errors_by_input
from lapor_portal.web.identity import forget_reporter, remember_reporter, reporter_principal
from lapor_portal.web.rendering import flash, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
PortalDep = Annotated[Portal, Depends(get_portal)]
Text = Annotated[str, Form(max_length=8000)]


def _track_page(
    request: Request, *, problem: str | None = None, status_code: int = 200, **values: str
) -> HTMLResponse:
    context = {"problem": problem, "public_id": "", "reporter_id": "", "saved": "", **values}
    return render(request, "track.html", context, status_code=status_code)


@router.get("/lacak", response_class=HTMLResponse)
def track(
    request: Request,
    portal: PortalDep,
    tracking_id: Annotated[str | None, Query(alias="id", max_length=100)] = None,
    saved: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """The tracking page; with ``id``, go to that complaint's public page if the public may see it."""
    if saved:
        return _track_page(request, saved=saved, reporter_id=saved)
    if not tracking_id:
        return _track_page(request)
    try:
        view = portal.desk.view(lc.Principal.public(), tracking_id)
    except (lc.NotFound, lc.InvalidTrackingId, lc.ValidationError):
        t = Translator(language_of(request))
        problem = t("track.not_public")
        return _track_page(request, problem=problem, public_id=tracking_id, status_code=404)
    return RedirectResponse(f"/pengaduan/{view.tracking_id}", status_code=303)


@router.post("/lacak", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
def open_as_reporter(
    request: Request,
    portal: PortalDep,
    tracking_id: Annotated[str, Form(max_length=100)],
    access_key: Annotated[str, Form(max_length=200)],
) -> Response:
    """Check the access key and open the reporter's view of their complaint."""
    t = Translator(language_of(request))
    try:
        principal = portal.desk.authenticate(tracking_id, access_key, client=portal.client_keys.of(request))
    except lc.TooManyAttempts as error:
        minutes = max(1, -(-error.retry_after_seconds // 60))
        response = _track_page(
            request,
            problem=t("track.locked", minutes=minutes),
            reporter_id=tracking_id,
            status_code=429,
        )
        response.headers["Retry-After"] = str(error.retry_after_seconds)
        return response
    except lc.NotFound:
        return _track_page(request, problem=t("track.wrong_key"), reporter_id=tracking_id, status_code=404)
    remember_reporter(request, portal, principal)
    return RedirectResponse(f"/lacak/{principal.tracking_id}", status_code=303)


@router.get("/lacak/{tracking_id}", response_class=HTMLResponse)
def reporter_view(request: Request, portal: PortalDep, tracking_id: str) -> Response:
    """The reporter's own view: everything about their complaint, and what they can do next."""
    principal = reporter_principal(request, tracking_id)
    if principal is None:
        return RedirectResponse(f"/lacak?id={quote(tracking_id, safe='')}", status_code=303)
    view = portal.desk.view(principal, tracking_id)
    context = {
        "view": view,
        "errors": {},
        "escalation_days": portal.desk.escalation_window.days,
        "files": listed(portal, principal, tracking_id),
        "upload_action": None if view.status.is_terminal else f"/lacak/{view.tracking_id}/lampiran",
        "upload_accept": UPLOAD_ACCEPT,
    }
    return render(request, "reporter.html", context)


def _act(
    request: Request,
    portal: Portal,
    tracking_id: str,
    command: Callable[..., object],
    *arguments: object,
    done: str,
) -> Response:
    """Run a desk command ``(principal, tracking_id, *arguments)`` as the reporter signed in here."""
    principal = reporter_principal(request, tracking_id)
    if principal is None:
        flash(request, "flash.key_needed")
        return RedirectResponse(f"/lacak?id={quote(tracking_id, safe='')}", status_code=303)
    try:
        command(principal, tracking_id, *arguments)
    except lc.ValidationError as error:
        view = portal.desk.view(principal, tracking_id)
        context = {
            "view": view,
            "errors": errors_by_input(error.errors),
            "escalation_days": portal.desk.escalation_window.days,
        }
        return render(request, "reporter.html", context, status_code=422)
    flash(request, done)
    return RedirectResponse(f"/lacak/{quote(tracking_id, safe='')}", status_code=303)


@router.post("/lacak/{tracking_id}/info", dependencies=[Depends(require_csrf)])
def provide_info(request: Request, portal: PortalDep, tracking_id: str, message: Text) -> Response:
    """Answer the admin's request for more information (the complaint returns to verification)."""
    return _act(request, portal, tracking_id, portal.desk.provide_info, message, done=N_("flash.info_sent"))


@router.post("/lacak/{tracking_id}/balas", dependencies=[Depends(require_csrf)])
def reply(request: Request, portal: PortalDep, tracking_id: str, message: Text) -> Response:
    """Reply to the institution's follow-up: the complaint reopens for another follow-up."""
    return _act(request, portal, tracking_id, portal.desk.reply, message, done=N_("flash.replied"))


@router.post("/lacak/{tracking_id}/selesai", dependencies=[Depends(require_csrf)])
def close(request: Request, portal: PortalDep, tracking_id: str) -> Response:
    """Confirm the follow-up settled the matter: the complaint is closed."""
    return _act(request, portal, tracking_id, portal.desk.close_complaint, done=N_("flash.closed"))


@router.post("/lacak/{tracking_id}/nilai", dependencies=[Depends(require_csrf)])
def rate(
    request: Request,
    portal: PortalDep,
    tracking_id: str,
    rating: Annotated[str, Form(max_length=2)],
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Rate the handling, 1 to 5 with an optional comment, after closing (not a number: refused as 0).

    A rating is given once: the library refuses a second (``rating.already_given``), which sends the
    reporter back to their page, where the rating they gave stands instead of the form.
    """

    def command(who: lc.Principal, tid: str) -> object:
        value = int(rating) if rating.isdigit() else 0
        try:
            return portal.desk.rate(who, tid, value, comment=comment)
        except lc.ValidationError as error:
            if any(e.code == "rating.already_given" for e in error.errors):
                raise _AlreadyRatedError from None
            raise

    try:
        return _act(request, portal, tracking_id, command, done=N_("flash.rated"))
    except _AlreadyRatedError:
        flash(request, "reporter.already_rated")
        return RedirectResponse(f"/lacak/{quote(tracking_id, safe='')}", status_code=303)


class _AlreadyRatedError(Exception):
    """The library refused a second rating: answered with a notice rather than the form's errors."""


@router.post("/lacak/{tracking_id}/ombudsman", dependencies=[Depends(require_csrf)])
def escalate(request: Request, portal: PortalDep, tracking_id: str, reason: Text) -> Response:
    """Escalate to the Ombudsman: after a missed deadline, or within the desk's window after closing.

    A refusal (no deadline missed yet, or too late) is shown on the reason, in the library's words.
    """

    def command(who: lc.Principal, tid: str) -> object:
        try:
            return portal.desk.escalate(who, tid, reason=reason)
        except lc.EscalationNotAllowed as refused:
            raise lc.ValidationError([lc.FieldError("reason", refused.reason)]) from None

    return _act(request, portal, tracking_id, command, done=N_("flash.escalated"))


@router.post("/lacak/{tracking_id}/keluar", dependencies=[Depends(require_csrf)])
def sign_out_reporter(request: Request) -> RedirectResponse:
    """Forget the reporter's sign-in on this browser."""
    forget_reporter(request)
    flash(request, "flash.reporter_signed_out")
    return RedirectResponse("/lacak", status_code=303)
