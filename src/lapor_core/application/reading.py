"""Reads: redacted views, history exports, listings and history verification, all through the policy."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from lapor_core.access import Decision, Principal, Subject, relation_of
from lapor_core.application.commands import canonical_id, decision_for, load_for, owner_hash_of
from lapor_core.application.context import DeskContext
from lapor_core.complaint import Complaint
from lapor_core.errors import NotAllowed, NotFound
from lapor_core.history import Event, HistoryReport, verify_chain
from lapor_core.ports import ComplaintQuery
from lapor_core.views import ComplaintView, DeadlineView, build_view

__all__ = ["ListedPage", "history", "list_complaints", "verify_history", "view"]


def _deadlines(ctx: DeskContext, events: Sequence[Event]) -> tuple[DeadlineView, ...]:
    clocks = ctx.clocks(events, ctx.clock.now())
    return tuple(
        DeadlineView(
            stage=c.stage.value,
            started_at=c.started_at,
            due_at=c.due_at,
            state=c.state.value,
            provisional=c.provisional,
            institution=c.institution,
        )
        for c in clocks.clocks
    )


def _view_of(ctx: DeskContext, principal: Principal, complaint: Complaint) -> ComplaintView:
    relation = relation_of(principal, complaint, owner_hash=owner_hash_of(ctx, principal))
    decision = decision_for(complaint, relation)
    events = ctx.store.history(complaint.tracking_id)
    wants_identity = {decision(Subject.REPORTER_NAME), decision(Subject.REPORTER_CONTACT)} & {Decision.ALLOW}
    identity = None
    if wants_identity and complaint.identity_ref is not None:
        try:
            identity = ctx.store.identity(complaint.identity_ref)
        except Exception:  # noqa: BLE001 - deny by default: a failing identity store yields no identity
            identity = None
    return build_view(complaint, events, identity, _deadlines(ctx, events), decision)


def view(ctx: DeskContext, principal: Principal, tracking_id: object) -> ComplaintView:
    """The complaint as ``principal`` may see it, or NotFound when they may not know it exists."""
    complaint, _ = load_for(ctx, principal, tracking_id)
    return _view_of(ctx, principal, complaint)


def history(ctx: DeskContext, principal: Principal, tracking_id: object) -> tuple[Event, ...]:
    """The full event log, for principals allowed the history (admins, handlers, oversight)."""
    complaint, relation = load_for(ctx, principal, tracking_id)
    if decision_for(complaint, relation)(Subject.HISTORY) is not Decision.ALLOW:
        raise NotAllowed(action="read the history of", complaint_id=complaint.tracking_id)
    return tuple(ctx.store.history(complaint.tracking_id))


def verify_history(ctx: DeskContext, tracking_id: object) -> HistoryReport:
    """Recompute the hash chain of a complaint's stored history (an operator's check, not a read)."""
    tid = canonical_id(tracking_id)
    return verify_chain(tid, ctx.store.history(tid))


@attrs.frozen
class ListedPage:
    """One page of views a principal may see; ``next_cursor`` continues the underlying query."""

    items: tuple[ComplaintView, ...]
    next_cursor: str | None


def list_complaints(ctx: DeskContext, principal: Principal, query: ComplaintQuery) -> ListedPage:
    """One page of the query's complaints, each filtered and redacted by the policy row by row.

    A page may hold fewer items than ``query.limit`` when some rows are hidden from the principal.
    """
    page = ctx.store.query(query)
    items = []
    for complaint in page.items:
        relation = relation_of(principal, complaint, owner_hash=owner_hash_of(ctx, principal))
        if decision_for(complaint, relation)(Subject.METADATA) is not Decision.ALLOW:
            continue
        try:
            items.append(_view_of(ctx, principal, complaint))
        except NotFound:  # removed between the query and the read
            continue
    return ListedPage(items=tuple(items), next_cursor=page.next_cursor)
