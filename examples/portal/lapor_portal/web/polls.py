"""Policy-opinion polls (Opini Kebijakan): the public list, voting, result charts, and the institution's desk.

The library decides everything: who may vote (verified citizens in the audience, while the poll is open),
when results are published (live, or only after closing) and which breakdown cells are too small to show.
The pages only render what :meth:`lapor_core.ComplaintDesk.poll_results` returns.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from urllib.parse import quote
from zoneinfo import ZoneInfo

import attrs
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

import lapor_core as lc
from lapor_core import Poll, PollDraft, PollResults
from lapor_portal.accounts import Account
from lapor_portal.context import Portal, get_portal
from lapor_portal.i18n import Translator, language_of
from lapor_portal.security import require_csrf
from lapor_portal.web.forms import errors_by_input
from lapor_portal.web.identity import current_account, current_principal
from lapor_portal.web.rendering import flash, render
from lapor_portal.web.staff import StaffDep, WrongRole

__all__ = ["PollForm", "router"]

router = APIRouter(include_in_schema=False)
PortalDep = Annotated[Portal, Depends(get_portal)]
Text = Annotated[str, Form(max_length=8000)]


def _results(portal: Portal, principal: lc.Principal, poll: Poll) -> PollResults | None:
    """The published results, or None while the poll's rule keeps them hidden."""
    if not poll.results_published(portal.now()):
        return None
    return portal.desk.poll_results(principal, poll.id)


@router.get("/jajak-pendapat", response_class=HTMLResponse)
def poll_list(request: Request, portal: PortalDep) -> HTMLResponse:
    """Open and closed polls, newest first."""
    polls = portal.desk.polls(current_principal(request, portal))
    return render(request, "polls.html", {"polls": tuple(reversed(polls)), "now": portal.now()})


def _can_vote(account: Account | None, poll: Poll, now: datetime) -> bool:
    return (
        account is not None
        and account.role is lc.Role.CITIZEN
        and account.verified
        and poll.accepts_votes(now)
        and poll.draft.admits(account.region)
    )


@router.get("/jajak-pendapat/{poll_id}", response_class=HTMLResponse)
def poll_page(request: Request, portal: PortalDep, poll_id: str) -> HTMLResponse:
    """One poll: its question and background, the ballot for citizens, and the results once published."""
    principal = current_principal(request, portal)
    poll = portal.desk.poll(principal, poll_id)
    now = portal.now()
    account = current_account(request, portal)
    # a voter who comes back sees what their ballot chose; only their own (issue 21)
    mine = portal.desk.my_vote(principal, poll.id) if account and account.role is lc.Role.CITIZEN else None
    can_vote = _can_vote(account, poll, now)
    context = {
        "poll": poll,
        "state": poll.state_at(now).value,
        "results": _results(portal, principal, poll),
        "my_choices": mine,
        "can_vote": can_vote and (mine is None or poll.draft.revote == "replace"),
    }
    return render(request, "poll.html", context)


@router.post("/jajak-pendapat/{poll_id}/pilih", dependencies=[Depends(require_csrf)])
async def vote(request: Request, portal: PortalDep, poll_id: str) -> Response:
    """A signed-in citizen casts (or replaces) their ballot."""
    account = current_account(request, portal)
    if account is None or account.role is not lc.Role.CITIZEN:
        return RedirectResponse(f"/masuk?next=/jajak-pendapat/{quote(poll_id, safe='')}", status_code=303)
    picked = (await request.form()).getlist("choice")
    choices = [int(c) if isinstance(c, str) and c.isdigit() else c for c in picked]
    try:
        receipt = await run_in_threadpool(portal.desk.vote, account.principal(), poll_id, choices)
    except lc.ValidationError as error:
        lang = language_of(request)
        t = Translator(lang)
        reasons = "; ".join(f"{t.field(e.field)}: {e.message(lang)}" for e in error.errors)
        flash(request, "poll.vote_invalid", reasons=reasons)
    except lc.NotAllowed:
        flash(request, "poll.vote_refused")
    else:
        chosen = ", ".join(receipt.choices)  # the voter sees what was recorded (issue 21)
        if receipt.replaced:
            flash(request, "poll.vote_replaced", choices=chosen)
        else:
            flash(request, "poll.voted", choices=chosen)
    return RedirectResponse(f"/jajak-pendapat/{quote(poll_id, safe='')}", status_code=303)


# --- the institution's polls --------------------------------------------------------------------------------
def _officer(account: Account) -> Account:
    if account.role is not lc.Role.INSTITUTION:
        raise WrongRole
    return account


def _manage_page(
    request: Request,
    portal: Portal,
    account: Account,
    form: PollForm | None = None,
    errors: dict[str, list[lc.FieldError]] | None = None,
) -> HTMLResponse:
    polls = portal.desk.polls(account.principal(), institution=account.institution)
    context = {
        "polls": tuple(reversed(polls)),
        "now": portal.now(),
        "form": form or PollForm.default(portal.now(), portal.zone),
        "errors": errors or {},
    }
    return render(request, "staff_polls.html", context, status_code=422 if errors else 200)


@router.get("/staf/jajak-pendapat", response_class=HTMLResponse)
def manage_polls(request: Request, portal: PortalDep, account: StaffDep) -> HTMLResponse:
    """An institution officer's polls, with a form for a new one."""
    return _manage_page(request, portal, _officer(account))


_NATIONWIDE = frozenset({"", "nasional", "national"})
"""What the audience field may say for the whole country: empty, or the word in either language."""


@attrs.frozen(kw_only=True)
class PollForm:
    """The new-poll form as typed: local times of the deployment's zone, one option per line."""

    question: str = ""
    description: str = ""
    options: str = ""
    max_choices: str = "1"
    audience: str = ""
    """Region codes separated by commas; empty (or ``nasional``/``national``) is the whole country."""
    opens_at: str = ""
    closes_at: str = ""
    results: str = "after_close"

    @classmethod
    def default(cls, now: datetime, zone: ZoneInfo) -> PollForm:
        """A blank form for a poll opening now and closing a week later."""
        local = now.astimezone(zone).replace(second=0, microsecond=0, tzinfo=None)
        return cls(
            opens_at=local.isoformat(timespec="minutes"),
            closes_at=(local + timedelta(days=7)).isoformat(timespec="minutes"),
        )

    def draft(self, zone: ZoneInfo) -> PollDraft:
        """The validated draft; a time typed without a zone is taken in ``zone``.

        Raises:
            lapor_core.ValidationError: Every bad field at once.
        """

        def instant(text: str) -> str:
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                return text
            return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).isoformat()

        audience = self.audience.strip()
        return PollDraft.from_dict(
            {
                "question": self.question,
                "description": self.description or None,
                "options": [line.strip() for line in self.options.splitlines() if line.strip()],
                "max_choices": int(self.max_choices) if self.max_choices.isdigit() else self.max_choices,
                "audience": "national"
                if audience.lower() in _NATIONWIDE
                else [code.strip() for code in audience.split(",") if code.strip()],
                "opens_at": instant(self.opens_at),
                "closes_at": instant(self.closes_at),
                "results": self.results,
            }
        )


@router.post("/staf/jajak-pendapat", dependencies=[Depends(require_csrf)])
def create_poll(
    request: Request,
    portal: PortalDep,
    account: StaffDep,
    question: Text = "",
    description: Text = "",
    options: Text = "",
    max_choices: Annotated[str, Form(max_length=3)] = "1",
    audience: Annotated[str, Form(max_length=500)] = "",
    opens_at: Annotated[str, Form(max_length=40)] = "",
    closes_at: Annotated[str, Form(max_length=40)] = "",
    results: Annotated[str, Form(max_length=20)] = "after_close",
) -> Response:
    """Draft a poll for the officer's institution (opened separately)."""
    officer = _officer(account)
    form = PollForm(
        question=question,
        description=description,
        options=options,
        max_choices=max_choices,
        audience=audience,
        opens_at=opens_at,
        closes_at=closes_at,
        results=results,
    )
    try:
        portal.desk.create_poll(officer.principal(), form.draft(portal.zone))
    except lc.ValidationError as error:
        return _manage_page(request, portal, officer, form, errors_by_input(error.errors, {}))
    flash(request, "poll.created")
    return RedirectResponse("/staf/jajak-pendapat", status_code=303)


@router.post("/staf/jajak-pendapat/{poll_id}/buka", dependencies=[Depends(require_csrf)])
def open_poll(request: Request, portal: PortalDep, account: StaffDep, poll_id: str) -> RedirectResponse:
    """Open a draft poll."""
    portal.desk.open_poll(_officer(account).principal(), poll_id)
    flash(request, "poll.opened")
    return RedirectResponse("/staf/jajak-pendapat", status_code=303)


@router.post("/staf/jajak-pendapat/{poll_id}/tutup", dependencies=[Depends(require_csrf)])
def close_poll(request: Request, portal: PortalDep, account: StaffDep, poll_id: str) -> RedirectResponse:
    """Close an open poll now; results kept until closing are published."""
    portal.desk.close_poll(_officer(account).principal(), poll_id)
    flash(request, "poll.closed")
    return RedirectResponse("/staf/jajak-pendapat", status_code=303)
