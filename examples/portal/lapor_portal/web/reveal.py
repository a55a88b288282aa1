"""Revealing an anonymous reporter's identity: a LAPOR! admin's action, with a reason, in the audit trail.

The submit form promises that only a LAPOR! admin can see who an anonymous reporter is, when truly needed,
and that every such opening is recorded. This is that action: the admin gives a reason, the library
(:meth:`lapor_core.ComplaintDesk.reveal_identity`) checks the role and records the opening in the
complaint's history (the timeline shows it, with its reason, to those who may read the history), and the
identity is shown on that one answer only: it is not kept in the session nor in a redirect, and the page is
``no-store`` like every page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

import lapor_core as lc
from lapor_portal.context import Portal, get_portal
from lapor_portal.security import require_csrf
from lapor_portal.web.forms import errors_by_input
from lapor_portal.web.staff import StaffDep, WrongRole, complaint_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
PortalDep = Annotated[Portal, Depends(get_portal)]
Reason = Annotated[str, Form(max_length=8000)]


@router.post(
    "/staf/pengaduan/{tracking_id}/buka-identitas",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
def reveal_identity(
    request: Request, portal: PortalDep, account: StaffDep, tracking_id: str, reason: Reason = ""
) -> HTMLResponse:
    """An admin opens an anonymous reporter's identity, giving the reason; the page shows it this once."""
    if account.role is not lc.Role.ADMIN:
        raise WrongRole
    principal = account.principal()
    try:
        revealed = portal.desk.reveal_identity(principal, tracking_id, reason)
    except lc.ValidationError as error:
        view = portal.desk.view(principal, tracking_id)
        return complaint_page(request, portal, account, view, errors_by_input(error.errors, {}))
    view = portal.desk.view(principal, tracking_id)
    return complaint_page(request, portal, account, view, revealed=revealed)
