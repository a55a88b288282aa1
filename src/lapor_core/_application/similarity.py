"""Similar complaints: the candidates a principal may see, read from the store by place, topic and time.

The ranking (:func:`lapor_core._domain.similarity.rank`) only ever sees complaints whose content the
principal may read, and computes every statistic over them: a complaint hidden from the principal is never
read into it, so it neither appears nor moves anyone else's score.

Candidates come in stages (:data:`STAGES`), each the newest complaints the principal may see, read page by
page through the store's listing (:class:`~lapor_core._domain.ports.ComplaintQuery`, served by the region
and topic indexes of the SQL store) until the stage has its quota:

- a draft in a district: that district's complaints of the last year, then its regency's or city's of the
  last 90 days;
- a draft in a regency or city only: that regency's or city's complaints of the last 90 days;
- a draft without a place: the complaints on its topic of the last year, else the newest of all.

Quotas count visible complaints only, so what is hidden cannot push a visible one out of the set either.
A district's stage is read in time windows, newest first (:data:`WINDOWS`), until its quota is met.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Final

import attrs

from lapor_core._application.context import DeskContext
from lapor_core._application.kernel import relation_for, require_principal
from lapor_core._domain import rules as v
from lapor_core._domain.access import Decision, Principal, Relation, Role, Subject, decide, policy_for
from lapor_core._domain.complaint import Complaint
from lapor_core._domain.filters import Filters, regency_of
from lapor_core._domain.lifecycle import Status
from lapor_core._domain.model import Location, Submission
from lapor_core._domain.ports import ComplaintQuery, Order
from lapor_core._domain.similarity import Facts, SimilarComplaint, analyse, rank
from lapor_core._domain.views import coarse
from lapor_core._i18n import N_
from lapor_core.errors import FieldError, ValidationError

__all__ = ["MAX_LIMIT", "STAGES", "WINDOWS", "similar"]

MAX_LIMIT: Final = 50
"""The most similar complaints one call returns."""

STAGES: Final = {"district": (100, 365), "regency": (100, 90), "topic": (200, 365), "newest": (200, 90)}
"""Each stage's quota of visible complaints and how many days back it reads.

A year in the draft's district; the last 90 days in its regency or city (a city-wide listing is a range of
the region index that the store reads whole and sorts, so it is kept short); a year on the draft's topic
when it names no place; the last 90 days of everything when it names neither place nor topic.
"""

WINDOWS: Final = (7, 30)
"""A district's stage reads the last 7 days first, then 30, then all its days back, and stops at its quota.

The same complaints as one read of the whole stage (the newest first either way), for far fewer rows: a
district and the villages in it are a range of the region index, read and then sorted by time, so its cost
follows the rows in the window, and a busy district's last weeks already hold the quota. The other stages
are one read each: a regency or city, a topic and everything are each an equality (or nothing) on an index
already in time order (``ix_lapor_complaints_regency``, ``_category``, ``_submitted`` in the SQL store), so
their first page is the newest and another query would only cost a round trip.
"""

_PAGE: Final = 200
_DISTRICT_PARTS: Final = 3
# Roles whose relation to a complaint never depends on which complaint it is (access.relation_of).
_FIXED_RELATION: Final = {Role.PUBLIC: Relation.PUBLIC, Role.ADMIN: Relation.ADMIN}

_RULES: Final = (
    ("limit", v.whole_number(1, MAX_LIMIT, code=N_("similar.limit_out_of_range"))),
    ("min_score", v.number(low=0.0, high=1.0, code=N_("similar.min_score_out_of_range"))),
)


def _necessary(principal: Principal) -> bool | None:
    """The confidential flag of every complaint the principal may see, read off the policy table, or None.

    Only a hint to the store, so that rows hidden from the principal are not read at all; each row is still
    checked by the policy. (Statuses are not handed down: an ``IN`` list of most statuses leads SQLite to
    the status index instead of the region or topic index, and costs more than it saves.)
    """
    relation = _FIXED_RELATION.get(principal.role)
    if relation is None:
        return None
    flags = {
        confidential
        for status in Status
        for confidential in (False, True)
        for anonymous in (False, True)
        if decide(relation, Subject.METADATA, anonymous=anonymous, confidential=confidential, status=status)
        is Decision.ALLOW
    }
    return next(iter(flags)) if len(flags) == 1 else None


def _visible(
    ctx: DeskContext, principal: Principal, query: ComplaintQuery, quota: int
) -> Iterator[tuple[Complaint, bool]]:
    """The complaints of ``query`` whose content the principal may read, at most ``quota``, in its order.

    Each comes with whether the principal may see its precise location.
    """
    found = 0
    cursor: str | None = None
    while True:
        page = ctx.store.query(
            ComplaintQuery(filters=query.filters, order=query.order, limit=query.limit, cursor=cursor)
        )
        for complaint in page.items:
            decision = policy_for(relation_for(ctx, principal, complaint), complaint)
            if decision(Subject.METADATA) is Decision.ALLOW and decision(Subject.CONTENT) is Decision.ALLOW:
                yield complaint, decision(Subject.PRECISE_LOCATION) is Decision.ALLOW
                found += 1
                if found == quota:
                    return
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _stages(submission: Submission) -> list[tuple[Filters, int, int]]:
    """Where the candidates of a draft come from: (filters, quota, days back), see :data:`STAGES`."""
    region = submission.location.region if submission.location is not None else None
    if region is None:
        if submission.category is None:
            return [(Filters(), *STAGES["newest"])]
        return [(Filters(categories=frozenset({submission.category})), *STAGES["topic"])]
    parts = region.split(".")
    # A draft placed in a province only reads that province as its wider stage.
    regency = (Filters(region=regency_of(region) or region), *STAGES["regency"])
    if len(parts) < _DISTRICT_PARTS:
        return [regency]
    return [(Filters(region=".".join(parts[:_DISTRICT_PARTS])), *STAGES["district"]), regency]


def _windows(filters: Filters, days: int) -> list[int]:
    """A stage's days back as widening windows in days ago: :data:`WINDOWS` for a district, then the whole."""
    if filters.region is None or filters.region.count(".") < _DISTRICT_PARTS - 1:
        return [days]
    return [w for w in WINDOWS if w < days] + [days]


def _candidates(
    ctx: DeskContext, principal: Principal, submission: Submission
) -> dict[str, tuple[Complaint, bool]]:
    """The visible complaints of every stage by tracking ID, each with whether its point is precise."""
    confidential = _necessary(principal)
    now = ctx.clock.now()
    found: dict[str, tuple[Complaint, bool]] = {}
    for filters, quota, days in _stages(submission):
        # Each wider window starts with the complaints of the narrower one (the newest first, and fewer than
        # the quota, or it would have been the last): they are skipped, not counted twice. The windows have
        # no upper bound, since a bounded time range leads SQLite to the submission index, row by row.
        stage: set[str] = set()
        for back in _windows(filters, days):
            window = attrs.evolve(
                filters, confidential=confidential, submitted_from=now - timedelta(days=back)
            )
            query = ComplaintQuery(filters=window, order=Order.SUBMITTED_DESC, limit=min(_PAGE, quota))
            for complaint, precise in _visible(ctx, principal, query, quota):
                if complaint.tracking_id not in stage:
                    stage.add(complaint.tracking_id)
                    found.setdefault(complaint.tracking_id, (complaint, precise))
            if len(stage) == quota:
                break
    return found


def _point(location: Location | None) -> tuple[float, float] | None:
    if location is None or location.lat is None or location.lon is None:
        return None
    return (location.lat, location.lon)


def similar(
    ctx: DeskContext, principal: Principal, submission: object, *, limit: object = 5, min_score: object = 0.0
) -> tuple[SimilarComplaint, ...]:
    """The complaints most like ``submission`` that ``principal`` may see, best first (see the module).

    Raises:
        ValidationError: ``principal`` is no Principal, ``submission`` no Submission, ``limit`` outside
            1 .. 50 or ``min_score`` outside 0 .. 1 (every bad argument named).
    """
    require_principal(principal)
    checked, errors = v.apply_rules(_RULES, {"limit": limit, "min_score": min_score})
    if not isinstance(submission, Submission):
        errors.insert(
            0, FieldError("submission", "similar.not_a_submission", {"type": v.type_name(submission)})
        )
        raise ValidationError(errors)
    if errors:
        raise ValidationError(errors)
    now = ctx.clock.now()
    location = submission.location
    draft = Facts(
        key="",
        text=analyse(submission.title, submission.body),
        topic=submission.category,
        region=location.region if location is not None else None,
        point=_point(location),
        submitted_at=now,
    )
    facts = []
    for complaint, precise in _candidates(ctx, principal, submission).values():
        point = _point(complaint.location)
        if point is not None and not precise and complaint.location is not None:
            point = _point(coarse(complaint.location))  # what the principal may see of it
        facts.append(
            Facts(
                key=complaint.tracking_id,
                text=analyse(complaint.title, complaint.body),
                topic=complaint.category,
                region=complaint.region,
                point=point,
                submitted_at=complaint.submitted_at,
            )
        )
    parents = {topic.id: topic.parent for topic in ctx.topics}
    return rank(draft, facts, parents=parents, limit=checked["limit"], min_score=checked["min_score"] or 0.0)
