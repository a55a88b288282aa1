"""The public pages: home, the submit form and its receipt, browsing public complaints, the language switch.

Every read uses :meth:`lapor_core.Principal.public`, so these pages show exactly what the library lets
anyone see: confidential and unverified complaints do not exist here, anonymous ones carry no name.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Annotated
from urllib.parse import quote, urlencode

import attrs
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

import lapor_core as lc
from lapor_portal.context import Portal, get_portal
from lapor_portal.i18n import LANG_COOKIE, LANGUAGES, language_of
from lapor_portal.security import require_csrf
from lapor_portal.web.files import UPLOAD_ACCEPT, UPLOAD_FIELD, listed
from lapor_portal.web.forms import FORM_FIELDS, SubmitForm, errors_by_input, new_form_key
from lapor_portal.web.identity import current_account, current_principal
from lapor_portal.web.rendering import flash, render

__all__ = ["router", "safe_next", "search_query"]

router = APIRouter(include_in_schema=False)
PortalDep = Annotated[Portal, Depends(get_portal)]

PUBLIC_STATUSES = (lc.Status.FORWARDED, lc.Status.ASSIGNED, lc.Status.FOLLOWED_UP, lc.Status.CLOSED)
"""The statuses a public complaint can have (the others are unpublished)."""
_PAGE_SIZE = 20
_TOP_PROVINCES = 5


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` when it is a path on this site, else ``default`` (no open redirects).

    >>> safe_next("/pengaduan?status=closed"), safe_next("//evil.example"), safe_next("https://evil.example")
    ('/pengaduan?status=closed', '/', '/')
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def _count(row: Mapping[str, object]) -> int:
    count = row["count"]
    return count if isinstance(count, int) else 0


def _choice(value: str | None, allowed: tuple[str, ...]) -> str:
    return value if value in allowed else ""


def search_query(request: Request, q: str | None) -> tuple[str, list[str]]:
    """A search box's keywords, stripped, and what the library finds wrong with them, in the page's language.

    The library's rule (:attr:`lapor_core.Filters.text`): at most 200 characters and 10 words, at least one
    word of letters or digits. Blank is no search.
    """
    text = (q or "").strip()
    if not text:
        return "", []
    try:
        lc.Filters(text=text)
    except lc.ValidationError as error:
        lang = language_of(request)
        return text, [e.message(lang) for e in error.errors]
    return text, []


@router.get("/", response_class=HTMLResponse)
def home(request: Request, portal: PortalDep) -> HTMLResponse:
    """The home page: statistics and a map of public complaints, and the latest of them."""
    public = lc.Principal.public()
    latest = portal.desk.complaints(public, lc.ComplaintQuery(order=lc.Order.SUBMITTED_DESC, limit=5))
    lifecycle = [status.value for status in lc.Status]  # the order a complaint goes through them
    by_status = sorted(
        portal.desk.stats(public, group_by=["status"]),
        key=lambda row: lifecycle.index(str(row["status"])) if row["status"] in lifecycle else len(lifecycle),
    )
    by_province = sorted(portal.desk.stats(public, group_by=["province"]), key=_count, reverse=True)
    context = {"latest": latest.items, "by_status": by_status, "by_province": by_province[:_TOP_PROVINCES]}
    return render(request, "home.html", context)


def _submit_page(
    request: Request,
    portal: Portal,
    form: SubmitForm,
    errors: dict[str, list[lc.FieldError]],
    similar: tuple[lc.ComplaintView, ...] | None = None,
) -> HTMLResponse:
    def children(code: str) -> tuple[lc.Region, ...]:
        try:
            return portal.regions.children(code) if code else ()
        except (lc.NotFound, lc.ValidationError):
            return ()

    context = {
        "form": form,
        "errors": errors,
        "upload_accept": UPLOAD_ACCEPT,
        "kinds": tuple(lc.Kind),
        "topic_groups": portal.topic_groups(),
        "provinces": portal.regions.provinces(),
        "regencies": children(form.province),
        # A regency from another province (a stale form) offers no districts until the lists are refreshed.
        "districts": children(form.regency) if form.regency.startswith(f"{form.province}.") else (),
        "similar": similar,
    }
    return render(request, "submit.html", context, status_code=422 if errors else 200)


@router.get("/lapor", response_class=HTMLResponse)
def submit_form(
    request: Request,
    portal: PortalDep,
    province: Annotated[str, Query(max_length=20)] = "",
    regency: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    """The submit form, with a new one-time key; ``province`` and ``regency`` preselect the region pickers."""
    form = SubmitForm(province=province, regency=regency, once=new_form_key())
    return _submit_page(request, portal, form, {})


@router.post("/lapor", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def submit(request: Request, portal: PortalDep) -> HTMLResponse:
    """Submit a report and show its receipt, the only time the access key is ever shown.

    The submission is made under the form's one-time key: the same form posted again (a double click, a
    reload of the receipt page) shows the same receipt, and stores nothing more. The same form posted again
    with other content is not stored: the form comes back with a new key and a note saying so.
    The request's address and user agent are not read, so nothing about the reporter's device is stored.
    """
    posted = await request.form()
    try:
        return await _submit_posted(request, portal, posted)
    finally:
        await posted.close()  # the uploaded files' temporary files


async def _submit_posted(request: Request, portal: Portal, posted: FormData) -> HTMLResponse:
    form = SubmitForm.from_form(posted)
    if posted.get("refresh"):
        return _submit_page(request, portal, form, {})
    if posted.get("similar"):
        return await _similar_page(request, portal, form)
    uploads = [
        (upload.filename, upload.file)
        for upload in posted.getlist(UPLOAD_FIELD)
        if isinstance(upload, UploadFile) and upload.filename
    ]
    try:
        submission = form.submission(portal.regions)
        receipt = await run_in_threadpool(
            functools.partial(
                portal.desk.submit,
                submission,
                _submitting_citizen(request, portal),
                idempotency_key=form.idempotency_key,
                attachments=uploads,
            )
        )
    except lc.ValidationError as error:
        # The library names a refused file attachments.N.data: the form shows it under the file input.
        files_at = {bad.field: UPLOAD_FIELD for bad in error.errors if bad.field.startswith("attachments")}
        return _submit_page(request, portal, form, errors_by_input(error.errors, {**FORM_FIELDS, **files_at}))
    except lc.IdempotencyConflict:
        flash(request, "submit.form_reused")
        return _submit_page(request, portal, attrs.evolve(form, once=new_form_key()), {})
    return render(request, "receipt.html", {"receipt": receipt})


def _submitting_citizen(request: Request, portal: Portal) -> lc.Principal | None:
    """A signed-in citizen's principal (their report joins "Laporan saya"), else None (no account)."""
    account = current_account(request, portal)
    return account.principal() if account is not None and account.role is lc.Role.CITIZEN else None


SIMILAR_MIN_SCORE = 0.4
"""The weakest match the "is this yours?" panel shows (labelled duplicates score 0.49 and more)."""


async def _similar_page(request: Request, portal: Portal, form: SubmitForm) -> HTMLResponse:
    """The form again, with the complaints most like the draft that the visitor may see ("is this yours?").

    Nothing is submitted. A draft the library refuses (no title yet) shows its errors instead.
    """
    try:
        draft = form.submission(portal.regions)
    except lc.ValidationError as error:
        return _submit_page(request, portal, form, errors_by_input(error.errors, FORM_FIELDS))
    principal = current_principal(request, portal)
    found = await run_in_threadpool(
        functools.partial(portal.desk.similar, principal, draft, limit=5, min_score=SIMILAR_MIN_SCORE)
    )
    views = tuple(portal.desk.view(principal, match.tracking_id) for match in found)
    return _submit_page(request, portal, form, {}, similar=views)


@router.get("/pengaduan", response_class=HTMLResponse)
def browse(
    request: Request,
    portal: PortalDep,
    status: Annotated[str | None, Query(max_length=20)] = None,
    kind: Annotated[str | None, Query(max_length=30)] = None,
    topic: Annotated[str | None, Query(max_length=64)] = None,
    province: Annotated[str | None, Query(max_length=2)] = None,
    q: Annotated[str | None, Query(max_length=2000)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> HTMLResponse:
    """Browse, filter and search the public complaints, newest first.

    ``q`` holds keywords, all of which a complaint's title or body must hold (case, accents and punctuation
    aside). The desk lists only what the public may see among the matches, so a confidential complaint is
    never found by its words. Keywords the library refuses are shown with its reason, and nothing is listed.
    """
    text, search_problems = search_query(request, q)
    filters = {
        "status": _choice(status, tuple(s.value for s in PUBLIC_STATUSES)),
        "kind": _choice(kind, tuple(k.value for k in lc.Kind)),
        "topic": topic if topic and portal.topics.find(topic) else "",
        "province": province
        if province and any(p.code == province for p in portal.regions.provinces())
        else "",
        "q": text,
    }
    query = lc.ComplaintQuery(
        statuses=frozenset({lc.Status(filters["status"])}) if filters["status"] else None,
        kind=lc.Kind(filters["kind"]) if filters["kind"] else None,
        category=filters["topic"] or None,
        region_prefix=filters["province"] or None,
        text=text if text and not search_problems else None,
        order=lc.Order.SUBMITTED_DESC,
        limit=_PAGE_SIZE,
        cursor=cursor or None,
    )
    page = (
        lc.ListedPage(items=(), next_cursor=None)
        if search_problems
        else portal.desk.complaints(lc.Principal.public(), query)
    )
    next_query = urlencode({**{k: v for k, v in filters.items() if v}, "cursor": page.next_cursor or ""})
    context = {
        "page": page,
        "filters": filters,
        "next_query": next_query,
        "statuses": PUBLIC_STATUSES,
        "kinds": tuple(lc.Kind),
        "topic_groups": portal.topic_groups(),
        "provinces": portal.regions.provinces(),
        "search_problems": search_problems,
    }
    return render(request, "complaints.html", context, status_code=422 if search_problems else 200)


@router.get("/pengaduan/{tracking_id}", response_class=HTMLResponse)
def public_complaint(request: Request, portal: PortalDep, tracking_id: str) -> Response:
    """One public complaint; the canonical form of the ID is the page's address."""
    view = portal.desk.view(lc.Principal.public(), tracking_id)
    if view.tracking_id != tracking_id:
        return RedirectResponse(f"/pengaduan/{view.tracking_id}", status_code=308)
    files = listed(portal, lc.Principal.public(), view.tracking_id)
    return render(request, "complaint.html", {"view": view, "files": files})


@router.post("/pengaduan/{tracking_id}/dukung", dependencies=[Depends(require_csrf)])
def support(request: Request, portal: PortalDep, tracking_id: str) -> RedirectResponse:
    """A signed-in citizen supports a public complaint (once; again changes nothing)."""
    account = current_account(request, portal)
    if account is None or account.role is not lc.Role.CITIZEN:
        return RedirectResponse(f"/masuk?next=/pengaduan/{quote(tracking_id, safe='')}", status_code=303)
    view = portal.desk.support(account.principal(), tracking_id)
    flash(request, "flash.supported")
    return RedirectResponse(f"/pengaduan/{view.tracking_id}", status_code=303)


@router.get("/bahasa/{lang}")
def switch_language(
    portal: PortalDep, lang: str, next_path: Annotated[str | None, Query(alias="next")] = None
) -> RedirectResponse:
    """Remember the visitor's language in a cookie and go back to the page they were on."""
    response = RedirectResponse(safe_next(next_path), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=portal.settings.https_only,
        )
    return response
