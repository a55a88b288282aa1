"""Tracking: by ID (the public view) and by ID and access key (the reporter's own view, with replies).

The access key is checked by :meth:`lapor_core.ComplaintDesk.authenticate`, which fails the same way for an
unknown ID and a wrong key, always opens a correct key, and refuses further wrong keys from one client (the
portal passes a keyed hash of the address, :class:`lapor_portal.security.ClientKeys`) after repeated
failures, answered here with 429 and ``Retry-After``. A stranger's wrong keys never lock the reporter out.
The key is never stored: the session keeps the desk's proof for a few minutes instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Annotated
from urllib.parse import quote

import attrs
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

__all__ = [
    "KEY_SEAT",
    "Rating",
    "RatingComment",
    "ReporterSeat",
    "Text",
    "act",
    "escalate_as",
    "rate_as",
    "reporter_page",
    "router",
]

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


@attrs.frozen(kw_only=True)
class ReporterSeat:
    """Where a reporter acts from: how the pages under ``base`` recognise them, and where others are sent.

    Two seats share the reporter's page and forms: the access key entered on /lacak (:data:`KEY_SEAT`) and
    the citizen account that submitted the complaint (Laporan saya, :mod:`lapor_portal.web.mine`).

    Attributes:
        base: The pages' prefix, e.g. ``/lacak``; a complaint's page is ``{base}/{tracking_id}``.
        principal: The reporter's principal for a tracking ID, or None when this visitor must first sign in
            (it may instead raise what the error pages answer: NotFound, WrongRole).
        away: The answer to a visitor whom ``principal`` did not recognise.
        signed_in_with_key: The page offers to forget the key (the account seat signs out on the menu).
    """

    base: str
    principal: Callable[[Request, Portal, str], lc.Principal | None]
    away: Callable[[Request, str], Response]
    signed_in_with_key: bool = False

    def page(self, tracking_id: str) -> str:
        """The address of a complaint's reporter page on this seat."""
        return f"{self.base}/{quote(tracking_id, safe='')}"


def _key_holder(request: Request, _portal: Portal, tracking_id: str) -> lc.Principal | None:
    return reporter_principal(request, tracking_id)


def _to_tracking(request: Request, tracking_id: str) -> Response:
    if request.method == "POST":
        flash(request, "flash.key_needed")
    return RedirectResponse(f"/lacak?id={quote(tracking_id, safe='')}", status_code=303)


KEY_SEAT = ReporterSeat(base="/lacak", principal=_key_holder, away=_to_tracking, signed_in_with_key=True)
"""The reporter who entered the tracking ID and access key on /lacak."""


def reporter_page(
    request: Request,
    portal: Portal,
    seat: ReporterSeat,
    principal: lc.Principal,
    tracking_id: str,
    *,
    errors: Mapping[str, Sequence[lc.FieldError]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The reporter's page of a complaint on ``seat``, with ``errors`` shown at their inputs."""
    view = portal.desk.view(principal, tracking_id)
    base = seat.page(view.tracking_id)
    context = {
        "view": view,
        "errors": errors or {},
        "base": base,
        "signed_in_with_key": seat.signed_in_with_key,
        "escalation_days": portal.desk.escalation_window.days,
        "files": listed(portal, principal, tracking_id),
        "upload_action": None if view.status.is_terminal else f"{base}/lampiran",
        "upload_accept": UPLOAD_ACCEPT,
    }
    return render(request, "reporter.html", context, status_code=status_code)


@router.get("/lacak/{tracking_id}", response_class=HTMLResponse)
def reporter_view(request: Request, portal: PortalDep, tracking_id: str) -> Response:
    """The reporter's own view: everything about their complaint, and what they can do next."""
    principal = reporter_principal(request, tracking_id)
    if principal is None:
        return RedirectResponse(f"/lacak?id={quote(tracking_id, safe='')}", status_code=303)
    return reporter_page(request, portal, KEY_SEAT, principal, tracking_id)


def act(
    request: Request,
    portal: Portal,
    seat: ReporterSeat,
    tracking_id: str,
    command: Callable[..., object],
    *arguments: object,
    done: str,
) -> Response:
    """Run a desk command ``(principal, tracking_id, *arguments)`` as the reporter ``seat`` recognises.

    The library's refusal of the input is shown on the page (422); a changed status (409) and a missing
    right (403) reach the error pages.
    """
    principal = seat.principal(request, portal, tracking_id)
    if principal is None:
        return seat.away(request, tracking_id)
    try:
        command(principal, tracking_id, *arguments)
    except lc.ValidationError as error:
        errors = errors_by_input(error.errors)
        return reporter_page(request, portal, seat, principal, tracking_id, errors=errors, status_code=422)
    flash(request, done)
    return RedirectResponse(seat.page(tracking_id), status_code=303)


@router.post("/lacak/{tracking_id}/info", dependencies=[Depends(require_csrf)])
def provide_info(request: Request, portal: PortalDep, tracking_id: str, message: Text) -> Response:
    """Answer the admin's request for more information (the complaint returns to verification)."""
    return act(
        request, portal, KEY_SEAT, tracking_id, portal.desk.provide_info, message, done=N_("flash.info_sent")
    )


@router.post("/lacak/{tracking_id}/balas", dependencies=[Depends(require_csrf)])
def reply(request: Request, portal: PortalDep, tracking_id: str, message: Text) -> Response:
    """Reply to the institution's follow-up: the complaint reopens for another follow-up."""
    return act(request, portal, KEY_SEAT, tracking_id, portal.desk.reply, message, done=N_("flash.replied"))


@router.post("/lacak/{tracking_id}/selesai", dependencies=[Depends(require_csrf)])
def close(request: Request, portal: PortalDep, tracking_id: str) -> Response:
    """Confirm the follow-up settled the matter: the complaint is closed."""
    return act(request, portal, KEY_SEAT, tracking_id, portal.desk.close_complaint, done=N_("flash.closed"))


Rating = Annotated[str, Form(max_length=2)]
RatingComment = Annotated[str, Form(max_length=2000)]


@router.post("/lacak/{tracking_id}/nilai", dependencies=[Depends(require_csrf)])
def rate(
    request: Request, portal: PortalDep, tracking_id: str, rating: Rating, comment: RatingComment = ""
) -> Response:
    """Rate the handling, 1 to 5 with an optional comment, after closing."""
    return rate_as(request, portal, KEY_SEAT, tracking_id, rating, comment)


def rate_as(
    request: Request, portal: Portal, seat: ReporterSeat, tracking_id: str, rating: str, comment: str
) -> Response:
    """Rate as the reporter ``seat`` recognises (a rating that is not a number is refused as 0).

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
        return act(request, portal, seat, tracking_id, command, done=N_("flash.rated"))
    except _AlreadyRatedError:
        flash(request, "reporter.already_rated")
        return RedirectResponse(seat.page(tracking_id), status_code=303)


class _AlreadyRatedError(Exception):
    """The library refused a second rating: answered with a notice rather than the form's errors."""


@router.post("/lacak/{tracking_id}/ombudsman", dependencies=[Depends(require_csrf)])
def escalate(request: Request, portal: PortalDep, tracking_id: str, reason: Text) -> Response:
    """Escalate to the Ombudsman: after a missed deadline, or within the desk's window after closing."""
    return escalate_as(request, portal, KEY_SEAT, tracking_id, reason)


def escalate_as(
    request: Request, portal: Portal, seat: ReporterSeat, tracking_id: str, reason: str
) -> Response:
    """Escalate as the reporter ``seat`` recognises.

    A refusal (no deadline missed yet, or too late) is shown on the reason, in the library's words.
    """

    def command(who: lc.Principal, tid: str) -> object:
        try:
            return portal.desk.escalate(who, tid, reason=reason)
        except lc.EscalationNotAllowed as refused:
            raise lc.ValidationError([lc.FieldError("reason", refused.reason)]) from None

    return act(request, portal, seat, tracking_id, command, done=N_("flash.escalated"))


@router.post("/lacak/{tracking_id}/keluar", dependencies=[Depends(require_csrf)])
def sign_out_reporter(request: Request) -> RedirectResponse:
    """Forget the reporter's sign-in on this browser."""
    forget_reporter(request)
    flash(request, "flash.reporter_signed_out")
    return RedirectResponse("/lacak", status_code=303)
