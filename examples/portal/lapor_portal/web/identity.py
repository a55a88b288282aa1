"""Who is using the pages: the signed-in account, and a reporter who entered their access key.

Both live in the signed session cookie. An account is stored by its key only and looked up in the settings on
every request, so removing an account ends its sessions. A reporter is stored as the proof
:meth:`lapor_core.ComplaintDesk.authenticate` returned, bound to one tracking ID and a short expiry; the
access key itself is never stored.
"""

from __future__ import annotations

import time

from starlette.requests import Request

import lapor_core as lc
from lapor_portal.accounts import Account
from lapor_portal.context import Portal
from lapor_portal.security import rotate_csrf

__all__ = [
    "current_account",
    "current_principal",
    "forget_reporter",
    "remember_reporter",
    "reporter_principal",
    "sign_in",
    "sign_out",
]

_ACCOUNT = "account"
_REPORTER = "reporter"


def current_account(request: Request, portal: Portal) -> Account | None:
    """The signed-in account, or None."""
    return portal.settings.account(request.session.get(_ACCOUNT))


def current_principal(request: Request, portal: Portal) -> lc.Principal:
    """The principal of the signed-in account, or the public."""
    account = current_account(request, portal)
    return account.principal() if account else lc.Principal.public()


def sign_in(request: Request, account: Account) -> None:
    """Start a session for ``account`` (a fresh session: nothing of the previous one carries over)."""
    request.session.clear()
    request.session[_ACCOUNT] = account.key
    rotate_csrf(request)


def sign_out(request: Request) -> None:
    """End the session, including a reporter's."""
    request.session.clear()
    rotate_csrf(request)


def remember_reporter(request: Request, portal: Portal, principal: lc.Principal) -> None:
    """Keep an authenticated reporter signed in for their complaint for a few minutes."""
    expires = int(time.time()) + portal.settings.reporter_minutes * 60
    request.session[_REPORTER] = {"id": principal.tracking_id, "proof": principal.proof, "until": expires}


def forget_reporter(request: Request) -> None:
    """Sign the reporter out."""
    request.session.pop(_REPORTER, None)


def reporter_principal(request: Request, tracking_id: str) -> lc.Principal | None:
    """The reporter's principal for ``tracking_id`` if they entered its key recently, else None."""
    stored = request.session.get(_REPORTER)
    if not isinstance(stored, dict):
        return None
    proof, until, stored_id = stored.get("proof"), stored.get("until"), stored.get("id")
    if not isinstance(proof, str) or not isinstance(until, int) or stored_id != tracking_id:
        return None
    if until < time.time():
        forget_reporter(request)
        return None
    return lc.Principal.reporter(tracking_id, proof=proof)
