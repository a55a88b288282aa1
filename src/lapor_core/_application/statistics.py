"""Statistics, maps and routing suggestions: the desk's reads over many complaints at once.

Counting runs in the store when it implements :class:`~lapor_core.plugins.StatisticsStore` (``GROUP BY`` in
SQL), else by paging :meth:`~lapor_core._domain.ports.ComplaintStore.query` and counting in Python; both give
the
same rows (:func:`lapor_core._domain.stats.count_rows` is the reference). What each principal may count, and
which cells are suppressed, is decided here from the rows by :mod:`lapor_core._domain.stats`, never by the
store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import attrs

from lapor_core._application.context import DeskContext
from lapor_core._application.kernel import relation_for, require_principal
from lapor_core._domain import maps
from lapor_core._domain.access import Principal, Relation, is_visible, policy_for
from lapor_core._domain.complaint import Complaint
from lapor_core._domain.filters import Filters
from lapor_core._domain.model import Submission
from lapor_core._domain.ports import ComplaintQuery, PoolStatisticsStore, StatisticsStore
from lapor_core._domain.regions import RegionTable
from lapor_core._domain.routing import RoutingRules, Suggestion
from lapor_core._domain.rules import type_name
from lapor_core._domain.stats import (
    CountQuery,
    CountRow,
    SlaFacts,
    StatsPlan,
    Visibility,
    count_rows,
    key_reader,
    make_classifier,
    plan_stats,
    pools_are_uniform,
    sla_facts,
    summarize_sla,
    tabulate,
)
from lapor_core._domain.topics import TopicTree
from lapor_core._domain.views import build_view
from lapor_core.errors import ValidationError

__all__ = ["PAGE_SIZE", "choropleth", "geojson", "stats", "suggest_institutions"]

PAGE_SIZE = 1000
"""Complaints read per store page when counting in Python."""

Progress = Callable[[int], None]
"""Told how many complaints have been read so far, after each page of a long run."""


def _utc_offset_minutes(ctx: DeskContext) -> int:
    offset = ZoneInfo(ctx.calendar.tz).utcoffset(ctx.clock.now())
    return int(offset.total_seconds() // 60) if offset is not None else 0


def _scan(ctx: DeskContext, query: CountQuery, progress: Progress | None = None) -> Iterator[Complaint]:
    """Every complaint matching ``query``'s filters, read page by page with the same filters."""
    store_query = ComplaintQuery(filters=query.filters, limit=PAGE_SIZE)
    matches = query.filters.matches  # a store that knows fewer filters than it is given still counts right
    read = 0
    cursor: str | None = None
    while True:
        page = ctx.store.query(attrs.evolve(store_query, cursor=cursor))
        yield from (c for c in page.items if matches(c))
        read += len(page.items)
        if progress is not None:
            progress(read)
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _count(ctx: DeskContext, query: CountQuery, progress: Progress | None) -> Sequence[CountRow]:
    store = ctx.store
    if isinstance(store, StatisticsStore):
        return store.count_complaints(query)
    return count_rows(_scan(ctx, query, progress), query)


def stats(
    ctx: DeskContext,
    principal: Principal,
    *,
    group_by: str | Sequence[str] = (),
    filters: Mapping[str, object] | None = None,
    include_sla: bool = False,
    progress: Progress | None = None,
) -> list[dict[str, object]]:
    """Complaint counts by group, as ``principal`` may receive them.

    Args:
        ctx: The desk's context.
        principal: Who asks; decides what is counted and what is suppressed (see
        :mod:`lapor_core._domain.stats`).
        group_by: Keys of :data:`~lapor_core._domain.stats.GROUP_KEYS`, as a list or ``"province,status"``.
        filters: See :meth:`lapor_core._domain.filters.Filters.from_dict`.
        include_sla: Add service-level fields (:data:`lapor_core._domain.stats.SLA_FIELDS`) per group,
        computed
            from the histories of the complaints the principal may see individually; this reads every
            such complaint, so it is slow on large stores.
        progress: Called with the number of complaints read so far during long runs.

    Returns:
        One mapping per non-empty group, sorted by key (None last): the group keys, ``count``, ``merged``
        (duplicates merged into another complaint, which ``count`` leaves out: each matter counts once) and
        ``suppressed`` (confidential complaints of this group were left out as too few to show).

    Raises:
        ValidationError: Naming every bad group key and filter, or a principal that is not one.
    """
    who = require_principal(principal)
    plan = plan_stats(who, group_by, filters, utc_offset_minutes=_utc_offset_minutes(ctx))
    classify = make_classifier(who)
    shown = _count(ctx, plan.shown_query, progress)
    pools_query = plan.pools_query
    store = ctx.store
    if (
        pools_query is not None
        and isinstance(store, PoolStatisticsStore)
        and pools_are_uniform(who, classify)
    ):
        rows = tabulate(plan, classify, shown, pool_cells=store.count_pool_cells(pools_query, plan.group_by))
    else:
        pooled_query = plan.pooled_query
        pooled = _count(ctx, pooled_query, progress) if pooled_query is not None else ()
        rows = tabulate(plan, classify, shown, pooled)
    if include_sla:
        _add_sla(ctx, plan, who, rows, progress)
    return rows


def _add_sla(
    ctx: DeskContext,
    plan: StatsPlan,
    principal: Principal,
    rows: list[dict[str, object]],
    progress: Progress | None,
) -> None:
    classify = make_classifier(principal)
    query = plan.shown_query
    key_of = key_reader(query)
    width = len(plan.group_by)
    now = ctx.clock.now()
    facts: dict[tuple[object, ...], list[SlaFacts]] = {}

    def working_days(institution: str | None, start: datetime, end: datetime) -> int:
        calendar = ctx.calendar_for(institution) if institution is not None else ctx.calendar
        return calendar.working_days_between(calendar.local_date(start), calendar.local_date(end))

    for c in _scan(ctx, query, progress):
        if (
            classify(c.status.value, c.confidential, c.anonymous, c.institution, c.unit)
            is not Visibility.SHOWN
        ):
            continue
        events = ctx.store.history(c.tracking_id)
        facts.setdefault(key_of(c)[:width], []).append(
            sla_facts(ctx.clocks(events, now), events, working_days)
        )
    for row in rows:
        cell = tuple(row[key] for key in plan.group_by)
        row.update(summarize_sla(facts.get(cell, ())))


def _public(complaint: Complaint, ctx: DeskContext, principal: Principal) -> bool:
    """Whether both the principal and the public may see ``complaint`` (what a map may show)."""
    mine = relation_for(ctx, principal, complaint)
    return is_visible(mine, complaint) and is_visible(Relation.PUBLIC, complaint)


def geojson(
    ctx: DeskContext, principal: Principal, *, filters: Mapping[str, object] | None = None
) -> dict[str, object]:
    """A GeoJSON FeatureCollection of the public complaints matching ``filters`` that ``principal`` may see.

    Only complaints the public may see are mapped, whoever asks, each as the public sees it: a point
    rounded to about 100 m or its region's centroid, public metadata and the title, nothing about the
    reporter (see :mod:`lapor_core._domain.maps`). Complaints with no location are left out.

    Raises:
        ValidationError: Naming every bad filter, or a principal that is not one.
    """
    who = require_principal(principal)
    query = CountQuery((), filters=Filters.from_dict(filters))
    regions = RegionTable.default()
    features = []
    for complaint in _scan(ctx, query):
        if not _public(complaint, ctx, who):
            continue
        view = build_view(complaint, (), None, (), policy_for(Relation.PUBLIC, complaint))
        feature = maps.complaint_feature(view, regions)
        if feature is not None:
            features.append(feature)
    return maps.feature_collection(features)


def choropleth(
    ctx: DeskContext,
    principal: Principal,
    *,
    level: str = "province",
    filters: Mapping[str, object] | None = None,
) -> dict[str, object]:
    """Counts per region as a GeoJSON FeatureCollection of points at region centroids.

    The counts are ``stats(principal, group_by=[level], filters=filters)``, suppression included.

    Raises:
        ValidationError: ``level`` is not ``province`` or ``regency``; a bad filter.
    """
    if level not in maps.LEVELS:
        raise ValidationError.single("level", "value.not_choice", choices=maps.LEVELS)
    rows = stats(ctx, principal, group_by=(level,), filters=filters)
    return maps.region_counts(rows, level=level, regions=RegionTable.default())


def suggest_institutions(
    ctx: DeskContext,
    submission: Submission,
    *,
    rules: RoutingRules | None = None,
    topics: TopicTree | None = None,
    limit: int = 5,
) -> tuple[Suggestion, ...]:
    """Institutions of the desk's directory the submission should probably be forwarded to, best first.

    Args:
        ctx: The desk's context (its directory names the candidates).
        submission: The report; its ``category`` and ``location.region`` drive the rules.
        rules: Routing rules (default: :meth:`RoutingRules.default`).
        topics: The topic tree (default: :meth:`TopicTree.default`).
        limit: At most this many suggestions.

    Raises:
        ValidationError: ``submission`` is not a :class:`~lapor_core.Submission`.
    """
    if not isinstance(submission, Submission):
        raise ValidationError.single("submission", "stats.not_a_submission", type=type_name(submission))
    region = submission.location.region if submission.location is not None else None
    chosen = rules if rules is not None else RoutingRules.default()
    return chosen.suggest(
        topic=submission.category, region=region, directory=ctx.directory, topics=topics, limit=limit
    )
