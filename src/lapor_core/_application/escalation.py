"""Escalation to the Ombudsman (issue 22): the reporter asks, the Ombudsman records findings and concludes.

LAPOR!'s partner Ombudsman RI receives maladministration reports (UU 37/2008 Pasal 24: a reporter first
complains to the institution concerned); a reporter escalates when the institution let a deadline pass, or
is not satisfied within a window after the complaint closed. An escalation has its own small lifecycle
(:class:`~lapor_core._domain.lifecycle.Escalation`, declared as a state machine beside the complaint's) and
never moves the complaint itself. While escalated, supervisor principals relate to the complaint as the
Ombudsman (:attr:`~lapor_core._domain.access.Relation.OMBUDSMAN`): the access policy shows them the whole case
and its history under the same anonymity rules as oversight.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from lapor_core._application.context import DeskContext
from lapor_core._application.kernel import (
    MAX_MESSAGE,
    MAX_REASON,
    Command,
    Recipients,
    Recorded,
    actor_of,
    authorise,
    check_text,
    load_for,
    record,
)
from lapor_core._domain.access import Principal
from lapor_core._domain.complaint import Complaint
from lapor_core._domain.lifecycle import Action, Escalation, next_escalation, next_status
from lapor_core._domain.sla import ClockState
from lapor_core._i18n import N_
from lapor_core.errors import EscalationNotAllowed

__all__ = ["conclude_escalation", "escalate", "record_findings"]

_ENDINGS = frozenset({Action.CLOSE, Action.ARCHIVE})


def _handlers(complaint: Complaint) -> Recipients:
    """The admins, and the institution while the complaint is at one."""
    admin: Recipients = (("admin", None),)
    return (*admin, ("institution", complaint.institution)) if complaint.institution else admin


def _refusal(ctx: DeskContext, complaint: Complaint, now: datetime) -> str | None:
    """Why the reporter may not escalate now (a code), or None when they may."""
    history = ctx.store.history(complaint.tracking_id)[: complaint.version]
    if complaint.status.is_terminal:
        ended = max((e.at for e in history if e.action in _ENDINGS), default=complaint.updated_at)
        return None if now - ended <= ctx.escalation_window else N_("escalation.too_late")
    if any(clock.state is ClockState.BREACHED for clock in ctx.clocks(history, now)):
        return None
    return N_("escalation.no_breach")


def escalate(ctx: DeskContext, principal: Principal, tracking_id: object, *, reason: object) -> Recorded:
    """The reporter escalates the complaint to the Ombudsman: after a missed deadline, or soon after closing.

    While the complaint is open, some stage deadline must have been missed (a verification or follow-up
    clock breached, whether it is still open or ended late); once it is closed or archived, the escalation
    must come within the desk's ``escalation_window`` (default 30 days) of that. A complaint is escalated
    once; a merged duplicate is escalated through its original.

    Raises:
        ValidationError: A bad reason (empty, over 1,000 characters, control characters).
        NotFound: Unknown complaint, or one the principal may not know exists.
        NotAllowed: The principal is not the complaint's reporter.
        TransitionNotAllowed: The complaint is merged, or already escalated.
        EscalationNotAllowed: No deadline was missed (``escalation.no_breach``), or it closed too long ago
            (``escalation.too_late``).
    """
    text = check_text("reason", reason, limit=MAX_REASON)
    complaint, relation = load_for(ctx, principal, tracking_id)
    authorise(complaint, relation, Action.ESCALATE)
    tid = complaint.tracking_id
    next_status(complaint.status, Action.ESCALATE, complaint_id=tid)
    escalation = next_escalation(complaint.escalation, Action.ESCALATE, complaint_id=tid)
    now = ctx.clock.now()
    refusal = _refusal(ctx, complaint, now)
    if refusal is not None:
        raise EscalationNotAllowed(complaint_id=tid, reason=refusal)
    command = Command(
        Action.ESCALATE,
        {"message": text},
        lambda c: attrs.evolve(c, escalation=escalation),
        _handlers(complaint),
    )
    return record(ctx, complaint, [(command, actor_of(principal, relation))], now)


def _ombudsman_command(
    ctx: DeskContext, principal: Principal, tracking_id: object, action: Action, text: str
) -> Recorded:
    complaint, relation = load_for(ctx, principal, tracking_id)
    authorise(complaint, relation, action)
    tid = complaint.tracking_id
    next_status(complaint.status, action, complaint_id=tid)
    escalation: Escalation = next_escalation(complaint.escalation, action, complaint_id=tid)
    notify: Recipients = (("reporter", None),)
    if action is Action.CONCLUDE_ESCALATION:
        notify += _handlers(complaint)
    command = Command(action, {"message": text}, lambda c: attrs.evolve(c, escalation=escalation), notify)
    return record(ctx, complaint, [(command, actor_of(principal))], ctx.clock.now())


def record_findings(
    ctx: DeskContext, principal: Principal, tracking_id: object, findings: object
) -> Recorded:
    """The Ombudsman records findings on an open escalation; the reporter is told.

    Raises:
        ValidationError: Bad findings text (empty, over 4,000 characters, control characters).
        NotFound: Unknown complaint, or one the principal may not know exists (a confidential or
            unpublished complaint that was not escalated).
        NotAllowed: The principal is not a supervisor (the Ombudsman), or the complaint is not escalated.
        TransitionNotAllowed: The escalation was concluded.
    """
    text = check_text("findings", findings, limit=MAX_MESSAGE)
    return _ombudsman_command(ctx, principal, tracking_id, Action.RECORD_FINDINGS, text)


def conclude_escalation(
    ctx: DeskContext, principal: Principal, tracking_id: object, conclusion: object
) -> Recorded:
    """The Ombudsman concludes an open escalation; the reporter, the admins and the institution are told.

    Raises:
        ValidationError: A bad conclusion text.
        NotFound: Unknown complaint, or one the principal may not know exists.
        NotAllowed: The principal is not a supervisor (the Ombudsman), or the complaint is not escalated.
        TransitionNotAllowed: The escalation was concluded already.
    """
    text = check_text("conclusion", conclusion, limit=MAX_MESSAGE)
    return _ombudsman_command(ctx, principal, tracking_id, Action.CONCLUDE_ESCALATION, text)
