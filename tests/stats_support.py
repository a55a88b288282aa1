"""Random complaint sets for the statistics proofs, and a brute-force recount of the documented rules.

The recount is written from the rules of ``lapor_core._domain.stats`` (module docstring), one complaint at a
time,
with the access policy itself deciding what each principal may see: it shares no code with the planner and
tabulator it checks, only the policy table.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
from hypothesis import strategies as st

import lapor_core as lc
from lapor_core._domain.access import PUBLISHED, Decision, Subject, decide, relation_of
from lapor_core._domain.complaint import Complaint
from lapor_core._domain.ports import ComplaintStore
from lapor_core.stores.memory import InMemoryComplaintStore
from lapor_core.testing.builders import complaint, new_complaint, new_tracking_id

WIB = timezone(timedelta(hours=7))
REGIONS = (None, "31", "31.71", "31.71.01", "31.71.02", "31.72", "73.71.02", "91.71")
CATEGORIES = (None, "roads-bridges", "identity-card", "health")
INSTITUTIONS = (None, "31.71", "73.71", "kemenkes")
UNITS = (None, "dinas-pu")
# Instants around month boundaries in WIB (late on the last day of a month is UTC the same day).
INSTANTS = tuple(
    datetime(2026, month, day, hour, tzinfo=WIB)
    for month, day in ((2, 27), (2, 28), (3, 1), (3, 16), (3, 31), (4, 1), (4, 30))
    for hour in (0, 23)
)
PERIOD_BOUNDS = (
    None,
    datetime(2026, 3, 1, tzinfo=WIB),
    datetime(2026, 3, 16, 12, tzinfo=WIB),
    datetime(2026, 4, 1, tzinfo=WIB),
    datetime(2026, 4, 30, 12, tzinfo=WIB),
)
GROUP_KEYS = ("province", "regency", "topic", "status", "institution", "kind", "channel", "month")
PRINCIPALS = (
    lc.Principal.public(),
    lc.Principal.citizen("warga-1"),
    lc.Principal.supervisor("ombudsman-1"),
    lc.Principal.admin("adm-1"),
    lc.Principal.institution_officer("off-1", institution="31.71"),
    lc.Principal.unit_officer("off-2", institution="31.71", unit="dinas-pu"),
    lc.Principal.institution_officer("off-3", institution="kemenkes"),
    lc.Principal.reporter(new_tracking_id(1)),
)


CountingMemoryStore = InMemoryComplaintStore  # the in-memory store counts in one pass


class PagingOnlyStore:
    """An in-memory store seen only through the ComplaintStore port, so the desk must page to count."""

    def __init__(self) -> None:
        self._inner = InMemoryComplaintStore()
        for name in ("save", "get", "history", "identity", "query", "due", "pending_outbox", "close"):
            setattr(self, name, getattr(self._inner, name))


@st.composite
def complaint_sets(draw: st.DrawFn, max_templates: int = 12, max_copies: int = 14) -> list[Complaint]:
    """Complaints in clusters of identical keys, so pools of ten and more confidential ones do occur."""
    templates = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "status": st.sampled_from(list(lc.Status)),
                    "kind": st.sampled_from(list(lc.Kind)),
                    "channel": st.sampled_from([lc.Channel.WEB, lc.Channel.SMS]),
                    "category": st.sampled_from(CATEGORIES),
                    "region": st.sampled_from(REGIONS),
                    "confidential": st.booleans(),
                    "anonymous": st.booleans(),
                    "institution": st.sampled_from(INSTITUTIONS),
                    "unit": st.sampled_from(UNITS),
                    "submitted_at": st.sampled_from(INSTANTS),
                    "copies": st.integers(1, max_copies),
                }
            ),
            min_size=1,
            max_size=max_templates,
        )
    )
    built: list[Complaint] = []
    for template in templates:
        fields = dict(template)
        copies = fields.pop("copies")
        region = fields.pop("region")
        for _ in range(copies):
            built.append(
                complaint(
                    new_tracking_id(len(built) + 1),
                    location=lc.Location(region=region) if region else None,
                    **fields,
                )
            )
    return built


_FILTER_VALUES: dict[str, st.SearchStrategy[object]] = {
    "status": st.lists(st.sampled_from([s.value for s in lc.Status]), min_size=1, max_size=4),
    "institution": st.sampled_from(["31.71", "73.71", "kemenkes"]),
    "region": st.sampled_from(["31", "31.71", "31.71.01", "73"]),
    "category": st.lists(st.sampled_from(["roads-bridges", "identity-card", "health"]), min_size=1),
    "kind": st.sampled_from([k.value for k in lc.Kind]),
    "period": st.tuples(st.sampled_from(PERIOD_BOUNDS), st.sampled_from(PERIOD_BOUNDS)).filter(
        lambda p: p[0] is None or p[1] is None or p[0] < p[1]
    ),
}


def seeded_complaints(seed: int, templates: int = 40, max_copies: int = 14) -> list[Complaint]:
    """Complaints in clusters like ``complaint_sets``, from a seeded generator (one data set per test)."""
    rng = random.Random(seed)
    built: list[Complaint] = []
    for _ in range(templates):
        region = rng.choice(REGIONS)
        fields = {
            "status": rng.choice(list(lc.Status)),
            "kind": rng.choice(list(lc.Kind)),
            "channel": rng.choice([lc.Channel.WEB, lc.Channel.SMS]),
            "category": rng.choice(CATEGORIES),
            "location": lc.Location(region=region) if region else None,
            "confidential": rng.random() < 0.5,
            "anonymous": rng.random() < 0.5,
            "institution": rng.choice(INSTITUTIONS),
            "unit": rng.choice(UNITS),
            "submitted_at": rng.choice(INSTANTS),
        }
        for _ in range(rng.randint(1, max_copies)):
            built.append(complaint(new_tracking_id(len(built) + 1), **fields))
    return built


@st.composite
def filter_sets(draw: st.DrawFn) -> dict[str, object]:
    """Filters of the desk's ``filters=`` form: none, one or two of them."""
    names = draw(st.lists(st.sampled_from(sorted(_FILTER_VALUES)), unique=True, max_size=2))
    return {name: draw(_FILTER_VALUES[name]) for name in names}


def group_bys() -> st.SearchStrategy[list[str]]:
    """Up to three distinct group keys."""
    return st.lists(st.sampled_from(GROUP_KEYS), unique=True, max_size=3)


def load(complaints: Iterable[Complaint], store: ComplaintStore | None = None) -> ComplaintStore:
    """Save ``complaints`` (as just-submitted histories with their projections) into ``store``."""
    target = store if store is not None else CountingMemoryStore()
    for c in complaints:
        changes = new_complaint(c.tracking_id, identity=False, outbox=0, submitted_at=c.submitted_at)
        target.save(attrs.evolve(changes, complaint=c))
    return target


# --- the brute-force recount --------------------------------------------------------------------------------


def _month(instant: datetime) -> str:
    local = instant.astimezone(WIB)
    return f"{local.year:04d}-{local.month:02d}"


def _month_span(month: str) -> tuple[datetime, datetime]:
    year, number = int(month[:4]), int(month[5:])
    start = datetime(year, number, 1, tzinfo=WIB)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=WIB)
    return start, end


def keys_of(c: Complaint) -> dict[str, object]:
    """The eight group keys of a complaint, read directly."""
    region = c.region
    return {
        "province": region[:2] if region else None,
        "regency": region[:5] if region and len(region) >= 5 else None,
        "topic": c.category,
        "status": c.status.value,
        "institution": c.institution,
        "kind": c.kind.value,
        "channel": c.channel.value,
        "month": _month(c.submitted_at),
    }


def count_keys_of(c: Complaint) -> dict[str, object]:
    """The group keys and the three policy keys of a complaint, read directly."""
    return {**keys_of(c), "unit": c.unit, "confidential": c.confidential, "anonymous": c.anonymous}


def _bounds(filters: Mapping[str, Any]) -> tuple[datetime | None, datetime | None]:
    start, end = filters.get("period", (None, None))
    return start, end


def passes(c: Complaint, filters: Mapping[str, Any], *, region_depth: int | None = None) -> bool:
    """The filters on one complaint; ``region_depth`` cuts the region filter (pool membership)."""
    statuses = filters.get("status")
    region = filters.get("region")
    if region is not None:
        region = lc.Location(region=region).region
        if region_depth is not None:
            region = region[:region_depth]
    categories = filters.get("category")
    return (
        (statuses is None or c.status.value in statuses)
        and ("institution" not in filters or c.institution == filters["institution"])
        and (region is None or (c.region is not None and (c.region + ".").startswith(region + ".")))
        and (categories is None or c.category in categories)
        and ("kind" not in filters or c.kind.value == filters["kind"])
    )


def in_period(instant: datetime, filters: Mapping[str, Any]) -> bool:
    """Whether ``instant`` lies in the filters' period."""
    start, end = _bounds(filters)
    return (start is None or instant >= start) and (end is None or instant < end)


def shown_to(principal: lc.Principal, c: Complaint) -> bool:
    """Whether the policy lets ``principal`` see ``c`` individually (its metadata)."""
    relation = relation_of(principal, c)
    decision = decide(
        relation, Subject.METADATA, anonymous=c.anonymous, confidential=c.confidential, status=c.status
    )
    return decision is Decision.ALLOW


def brute_force(
    complaints: Sequence[Complaint],
    principal: lc.Principal,
    group_by: Sequence[str],
    filters: Mapping[str, Any],
) -> list[dict[str, object]]:
    """The rows the rules promise, recounted one complaint at a time."""
    counts: Counter[tuple[object, ...]] = Counter()
    merged: Counter[tuple[object, ...]] = Counter()  # issue 22: a merged duplicate is its original's matter
    suppressed: set[tuple[object, ...]] = set()
    pools: Counter[tuple[object, ...]] = Counter()
    for c in complaints:
        keys = keys_of(c)
        if shown_to(principal, c):
            if passes(c, filters) and in_period(c.submitted_at, filters):
                tally = merged if c.status is lc.Status.MERGED else counts
                tally[tuple(keys[k] for k in group_by)] += 1
        elif c.confidential and c.status in PUBLISHED:
            pools[tuple(keys[k] for k in GROUP_KEYS)] += 1
    start, end = _bounds(filters)
    region = filters.get("region")
    deep_region = region is not None and len(lc.Location(region=region).region or "") > 5
    for pool, size in pools.items():
        member = next(c for c in complaints if tuple(keys_of(c)[k] for k in GROUP_KEYS) == pool)
        month_start, month_end = _month_span(str(pool[GROUP_KEYS.index("month")]))
        overlaps = (start is None or month_end > start) and (end is None or month_start < end)
        if not (overlaps and passes(member, filters, region_depth=5)):
            continue
        whole = (start is None or month_start >= start) and (end is None or month_end <= end)
        cell = tuple(pool[GROUP_KEYS.index(k)] for k in group_by)
        if size >= 10 and whole and not deep_region:
            counts[cell] += size
        else:
            suppressed.add(cell)

    def order(cell: tuple[object, ...]) -> tuple[tuple[bool, str], ...]:
        return tuple((value is None, str(value)) for value in cell)

    return [
        {
            **dict(zip(group_by, cell, strict=True)),
            "count": counts[cell],
            "merged": merged[cell],
            "suppressed": cell in suppressed,
        }
        for cell in sorted(counts.keys() | merged.keys() | suppressed, key=order)
    ]
