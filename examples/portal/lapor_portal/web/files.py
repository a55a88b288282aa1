"""Attachments on the portal's pages: which ones a page lists, and serving their bytes safely.

Every read goes through :meth:`lapor_core.ComplaintDesk.read_attachment` as the page's own principal (the
public, the reporter signed in with their key, a staff member), so a file is served exactly when the library's
policy lets that principal see it: never an anonymous or confidential complaint's to the public, and
``404`` as for an unknown complaint otherwise. Files are served with their stored type (decided by content),
``Content-Disposition`` (pictures inline, PDFs as a download), ``nosniff`` and a sandboxing
Content-Security-Policy, so a file can never run as a page of the portal.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

import lapor_core as lc
from lapor_portal.context import Portal, get_portal
from lapor_portal.security import require_csrf
from lapor_portal.web.identity import reporter_principal
from lapor_portal.web.rendering import flash, render

__all__ = [
    "FILE_POLICY",
    "UPLOAD_ACCEPT",
    "UPLOAD_FIELD",
    "Size",
    "attach_posted",
    "listed",
    "router",
    "serve",
]

router = APIRouter(include_in_schema=False)
PortalDep = Annotated[Portal, Depends(get_portal)]
Size = Annotated[str | None, Query(alias="ukuran", max_length=10)]

UPLOAD_FIELD = "lampiran"
"""The submit form's file input."""
UPLOAD_ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,application/pdf,.heic,.heif"
"""What the file picker offers (the library decides by content, whatever the picker allowed)."""
FILE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
"""The Content-Security-Policy of a served file: nothing runs, nothing loads, no forms, no scripts."""


def listed(portal: Portal, principal: lc.Principal, tracking_id: str) -> tuple[lc.Attachment, ...]:
    """The attachments ``principal`` may see on a complaint's page (none when the policy withholds them)."""
    try:
        return portal.desk.attachments(principal, tracking_id)
    except (lc.NotFound, lc.InvalidTrackingId, lc.ValidationError):
        return ()


async def attach_posted(
    request: Request, portal: Portal, principal: lc.Principal, tracking_id: str
) -> list[lc.FieldError]:
    """Attach each file the form posted as ``lampiran``; the reasons of those refused (none: all stored).

    Each file is attached on its own, so the good ones are kept when one is refused.

    Raises:
        lapor_core.NotFound, lapor_core.NotAllowed, lapor_core.TransitionNotAllowed: As the desk raises them
            (the portal answers 404, 403, 409).
    """
    posted = await request.form()
    try:
        uploads = [u for u in posted.getlist(UPLOAD_FIELD) if isinstance(u, UploadFile) and u.filename]
        if not uploads:
            return [lc.FieldError(UPLOAD_FIELD, "value.required")]
        problems: list[lc.FieldError] = []
        for upload in uploads:
            try:
                await run_in_threadpool(
                    portal.desk.attach,
                    principal,
                    tracking_id,
                    filename=upload.filename or "",
                    data=upload.file,
                )
            except lc.ValidationError as error:
                problems.extend(lc.FieldError(UPLOAD_FIELD, e.code, e.params) for e in error.errors)
        return problems
    finally:
        await posted.close()


async def serve(
    portal: Portal, principal: lc.Principal, tracking_id: str, attachment_id: str, size: str | None
) -> Response:
    """One attachment's bytes (or its thumbnail, ``size="kecil"``) as ``principal`` may read them.

    Raises:
        lapor_core.NotFound: The principal may not see it (the portal answers 404).
    """
    found = next((a for a in listed(portal, principal, tracking_id) if a.id == attachment_id), None)
    if found is None:
        raise lc.NotFound(kind="attachment", key=attachment_id[:64])
    thumbnail = size == "kecil"
    data = await run_in_threadpool(
        portal.desk.read_attachment, principal, tracking_id, attachment_id, thumbnail=thumbnail
    )
    media_type = "image/jpeg" if thumbnail and found.thumbnail_sha256 else found.content_type
    disposition = "inline" if found.is_image else "attachment"
    filename = quote(found.filename, safe="")
    headers = {
        "content-disposition": f"{disposition}; filename*=UTF-8''{filename}",
        "x-content-type-options": "nosniff",
        "content-security-policy": FILE_POLICY,
        "cross-origin-resource-policy": "same-origin",
    }
    return Response(content=data, media_type=media_type, headers=headers)


@router.get("/pengaduan/{tracking_id}/lampiran/{attachment_id}")
async def public_file(portal: PortalDep, tracking_id: str, attachment_id: str, size: Size = None) -> Response:
    """A file of a public complaint, as the public may see it (``?ukuran=kecil``: its thumbnail)."""
    return await serve(portal, lc.Principal.public(), tracking_id, attachment_id, size)


@router.post("/lacak/{tracking_id}/lampiran", dependencies=[Depends(require_csrf)])
async def reporter_attach(request: Request, portal: PortalDep, tracking_id: str) -> Response:
    """The reporter adds photos or documents to their complaint while it is handled."""
    principal = reporter_principal(request, tracking_id)
    if principal is None:
        flash(request, "flash.key_needed")
        return RedirectResponse(f"/lacak?id={quote(tracking_id, safe='')}", status_code=303)
    problems = await attach_posted(request, portal, principal, tracking_id)
    if problems:
        view = portal.desk.view(principal, tracking_id)
        context = {
            "view": view,
            "errors": {UPLOAD_FIELD: problems},
            "files": listed(portal, principal, tracking_id),
            "base": f"/lacak/{view.tracking_id}",
            "signed_in_with_key": True,
            "upload_action": f"/lacak/{view.tracking_id}/lampiran",
            "upload_accept": UPLOAD_ACCEPT,
            "escalation_days": portal.desk.escalation_window.days,
        }
        return render(request, "reporter.html", context, status_code=422)
    flash(request, "flash.attached")
    return RedirectResponse(f"/lacak/{quote(tracking_id, safe='')}", status_code=303)


@router.get("/lacak/{tracking_id}/lampiran/{attachment_id}")
async def reporter_file(
    request: Request, portal: PortalDep, tracking_id: str, attachment_id: str, size: Size = None
) -> Response:
    """A file of the reporter's own complaint, while they are signed in with its key."""
    principal = reporter_principal(request, tracking_id)
    if principal is None:
        return RedirectResponse(f"/lacak?id={quote(tracking_id, safe='')}", status_code=303)
    return await serve(portal, principal, tracking_id, attachment_id, size)
