"""Reads: redacted views, history exports, listings and history verification, all through the policy."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Final

import attrs

from lapor_core._application.context import DeskContext
from lapor_core._application.kernel import (
    Recorded,
    canonical_id,
    kept_state,
    load_for,
    owner_hash_of,
    relation_for,
    require_principal,
    visible_relation,
)
from lapor_core._domain.access import Decision, Principal, Relation, Subject, is_visible, policy_for
from lapor_core._domain.complaint import Complaint, ReporterIdentity
from lapor_core._domain.history import Event, HistoryReport, verify_chain
from lapor_core._domain.ports import ComplaintQuery, Order
from lapor_core._domain.rules import type_name
from lapor_core._domain.sla import StageClock
from lapor_core._domain.views import ComplaintView, DeadlineView, OnDemand, build_view
from lapor_core.errors import NotAllowed, NotFound, ValidationError

__all__ = [
    "ListedPage",
    "history",
    "list_complaints",
    "my_complaints",
    "recorded_view",
    "verify_history",
    "view",
]


def _deadlines(clocks: Iterable[StageClock]) -> tuple[DeadlineView, ...]:
    return tuple(
        DeadlineView(
            stage=c.stage.value,
            started_at=c.started_at,
            due_at=c.due_at,
            state=c.state.value,
            provisional=c.provisional,
            institution=c.institution,
        )
        for c in clocks
    )


def _view_of(
    ctx: DeskContext,
    complaint: Complaint,
    relation: Relation | None,
    now: datetime | None = None,
    current: Sequence[StageClock] | None = None,
    identities: Mapping[str, ReporterIdentity] | None = None,
) -> ComplaintView:
    """The view of a complaint from its row: the history behind its timeline is read on first use only.

    ``current`` is the open clocks at ``now`` when the caller has them (a command that just continued them);
    ``identities`` the reporter identities a listing read for its whole page (else the store is asked).
    """
    decision = policy_for(relation, complaint)
    now = ctx.clock.now() if now is None else now
    tid, version = complaint.tracking_id, complaint.version
    # What the view showed is what the row said: the history as far as the row's version.
    events: OnDemand[Event] = OnDemand(lambda: tuple(ctx.store.history(tid))[:version])
    deadlines = OnDemand(lambda: _deadlines(ctx.clocks(events, now)))
    if current is None:
        _, state = kept_state(ctx, complaint)
        current = ctx.continue_clocks(state, (), start=version, now=now)[0].clocks
    wants_identity = {decision(Subject.REPORTER_NAME), decision(Subject.REPORTER_CONTACT)} & {Decision.ALLOW}
    identity = None
    if wants_identity and complaint.identity_ref is not None:
        try:
            if identities is not None:
                identity = identities.get(complaint.identity_ref)
            else:
                identity = ctx.store.identity(complaint.identity_ref)
        except Exception:  # noqa: BLE001 - deny by default: a failing identity store yields no identity
            decision = _without_identity(decision)
        if identity is not None and identity.ref != complaint.identity_ref:
            identity = None  # a store mixing up records must not show another reporter's identity
            decision = _without_identity(decision)
    view = build_view(complaint, events, identity, deadlines, decision, current_deadlines=_deadlines(current))
    if complaint.merged_into is not None:
        view = attrs.evolve(view, original=_original_view(ctx, complaint, now))
    return view


_MAX_MERGES: Final = 32
"""How many merges a duplicate's view follows to the complaint it ends in (merges form no cycle)."""


def _original_view(ctx: DeskContext, duplicate: Complaint, now: datetime) -> ComplaintView | None:
    """The complaint a merged duplicate now follows, as the public sees it (None: the public may not).

    Merges chain when an original is itself merged later; the view follows them to the end. Only the public's
    view is given: merging never shows a duplicate's reporter more of the original than anyone may see.
    """
    complaint = duplicate
    for _ in range(_MAX_MERGES):
        if complaint.merged_into is None:
            break
        try:
            complaint = ctx.store.get(complaint.merged_into)
        except NotFound:
            return None
    public = relation_for(ctx, Principal.public(), complaint)
    if complaint is duplicate or not is_visible(public, complaint):
        return None
    return _view_of(ctx, complaint, public, now)


def _without_identity(decision: Callable[[Subject], Decision]) -> Callable[[Subject], Decision]:
    """The same policy with the reporter's identity denied (its record could not be read safely)."""
    identity = (Subject.REPORTER_NAME, Subject.REPORTER_CONTACT)
    return lambda subject: Decision.DENY if subject in identity else decision(subject)


def view(ctx: DeskContext, principal: Principal, tracking_id: object) -> ComplaintView:
    """The complaint as ``principal`` may see it, or NotFound when they may not know it exists."""
    complaint, relation = load_for(ctx, principal, tracking_id)
    return _view_of(ctx, complaint, relation)


def recorded_view(ctx: DeskContext, principal: Principal, recorded: Recorded) -> ComplaintView:
    """The view after a command, built from what it saved (no second read, no second clock computation).

    The same as :func:`view` right after the command: NotFound when the principal may no longer know the
    complaint exists.
    """
    relation = visible_relation(ctx, principal, recorded.complaint)
    current = [clock for clock in recorded.clocks if clock.ended_at is None]
    return _view_of(ctx, recorded.complaint, relation, recorded.clocks.now, current)


def history(ctx: DeskContext, principal: Principal, tracking_id: object) -> tuple[Event, ...]:
    """The full event log, for principals allowed the history (admins, handlers, oversight)."""
    complaint, relation = load_for(ctx, principal, tracking_id)
    if policy_for(relation, complaint)(Subject.HISTORY) is not Decision.ALLOW:
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

    The page holds at most ``query.limit`` views. Store pages are read on past rows hidden from the
    principal, and ``next_cursor`` (None on the last page) always continues right after the last view
    returned: a store cursor names its page's last row, so handing one out that ends on a hidden row would
    tell its tracking ID and submission time to anyone who decodes it.
    """
    require_principal(principal)
    if not isinstance(query, ComplaintQuery):
        raise ValidationError.single("query", "query.wrong_type", type=type_name(query))
    if query.filters.owner_hash is not None:
        raise ValidationError.single("filters.owner_hash", "query.owner_by_desk")
    return _listed(ctx, principal, query)


def my_complaints(ctx: DeskContext, principal: Principal, query: ComplaintQuery | None) -> ListedPage:
    """One page of the complaints a signed-in citizen submitted, as their reporter sees each.

    The owner filter is the keyed hash of the principal's own account, made here: a caller never names
    an owner. A complaint whose identity was erased no longer belongs to anyone. Without a query, the
    newest come first.

    Raises:
        ValidationError: ``principal`` is no citizen principal (``query.mine_not_citizen``), or ``query``
            is no ComplaintQuery or already names an owner.
    """
    require_principal(principal)
    if query is None:
        query = ComplaintQuery(order=Order.SUBMITTED_DESC)
    if not isinstance(query, ComplaintQuery):
        raise ValidationError.single("query", "query.wrong_type", type=type_name(query))
    owner = owner_hash_of(ctx, principal)
    if owner is None:
        raise ValidationError.single("principal", "query.mine_not_citizen", role=principal.role.value)
    if query.filters.owner_hash is not None:
        raise ValidationError.single("filters.owner_hash", "query.owner_by_desk")
    mine = attrs.evolve(query, filters=attrs.evolve(query.filters, owner_hash=owner))
    return _listed(ctx, principal, mine)


def _listed(ctx: DeskContext, principal: Principal, query: ComplaintQuery) -> ListedPage:
    items: list[ComplaintView] = []
    now = ctx.clock.now()
    start = query.cursor
    resume: tuple[str | None, int, str | None] | None = None  # (page start, rows through last view, cursor)
    while True:
        page = ctx.store.query(attrs.evolve(query, cursor=start))
        visible = [
            (index, complaint, relation)
            for index, complaint in enumerate(page.items)
            if is_visible(relation := relation_for(ctx, principal, complaint), complaint)
        ]
        identities = _identities_of(ctx, [(c, r) for _, c, r in visible[: query.limit - len(items)]])
        for index, complaint, relation in visible:
            if len(items) == query.limit:
                return ListedPage(items=tuple(items), next_cursor=_cursor_after(ctx, query, resume))
            items.append(_view_of(ctx, complaint, relation, now, identities=identities))
            last = index == len(page.items) - 1
            resume = (start, index + 1, page.next_cursor if last else None)
        if page.next_cursor is None:
            return ListedPage(items=tuple(items), next_cursor=None)
        start = page.next_cursor


def _identities_of(
    ctx: DeskContext, shown: Sequence[tuple[Complaint, Relation | None]]
) -> Mapping[str, ReporterIdentity] | None:
    """The identities a page shows, read in one call when the store can (``identities``), else None.

    None (the views then ask the store one by one, each failure denying that identity) also when the batch
    read fails.
    """
    read_many = getattr(ctx.store, "identities", None)
    if read_many is None:
        return None
    wanted = []
    for complaint, relation in shown:
        decision = policy_for(relation, complaint)
        if complaint.identity_ref is not None and Decision.ALLOW in (
            decision(Subject.REPORTER_NAME),
            decision(Subject.REPORTER_CONTACT),
        ):
            wanted.append(complaint.identity_ref)
    if not wanted:
        return {}
    try:
        found: Mapping[str, ReporterIdentity] = read_many(wanted)
    except Exception:  # noqa: BLE001 - the views read them one by one, each failure denying that one
        return None
    return found


def _cursor_after(
    ctx: DeskContext, query: ComplaintQuery, resume: tuple[str | None, int, str | None] | None
) -> str | None:
    """The store cursor right after the last view returned (a page of that many rows from its page start)."""
    if resume is None:  # pragma: no cover - a full page has a last view
        return None
    start, rows, cursor = resume
    if cursor is not None:
        return cursor
    return ctx.store.query(attrs.evolve(query, cursor=start, limit=rows)).next_cursor
