"""Every order a listing offers, with each filter it allows, reads an index (EXPLAIN, SQLite and PostgreSQL).

The database holds 20,000 complaints with realistic spreads (100 institutions, 200 units, 50 topics, 500
regions, one in ten open with a deadline, a few confidential) and fresh planner statistics. For each filter
and each order the test reads the plan of every statement a page sends, at the first page and further on
(after a cursor; for the due-date order also among the complaints without a deadline), and checks:

- no statement reads the whole table: every one reads an index (on PostgreSQL, with sequential scans
  disabled, so the question is whether an index exists for it, not whether 20,000 rows are few);
- for one value of an indexed column (status, institution, unit, topic) or none, the rows come in the order
  of an index: no sort (on PostgreSQL with sorts disabled too), except an institution's or a unit's
  complaints of every status by submission (their indexes lead with the status, as an inbox asks);
- a due-date page reads the complaints with a deadline through an index on ``next_due_at``.

A region prefix is a range of codes and several statuses or institutions are several ranges: their rows are
read through an index and then sorted, which no index can avoid.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from lapor_core._domain.filters import Filters
from lapor_core._domain.lifecycle import Status
from lapor_core._domain.model import Channel, Kind, Location
from lapor_core._domain.ports import ComplaintQuery, Order
from lapor_core.plugins import encode_cursor, instant_key
from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.testing.builders import DEFAULT_TIME, new_complaint
from sql_capture import selects_sent

COMPLAINTS = 20_000
OPEN = (Status.SUBMITTED, Status.FORWARDED, Status.ASSIGNED, Status.FOLLOWED_UP)
KINDS = tuple(Kind)
CHANNELS = tuple(Channel)


def _populate(store: SqlComplaintStore) -> None:
    rng = random.Random(2025)
    batch = []
    for n in range(COMPLAINTS):
        is_open = n % 10 == 0
        status = rng.choice(OPEN) if is_open else Status.CLOSED
        routed = status is not Status.SUBMITTED
        batch.append(
            new_complaint(
                status=status,
                kind=KINDS[n % len(KINDS)],
                channel=CHANNELS[n % len(CHANNELS)],
                confidential=n % 20 == 0,
                institution=f"{11 + n % 100}.71" if routed else None,
                unit=f"unit-{n % 200}" if routed and n % 3 == 0 else None,
                category=f"topic-{n % 50}",
                location=Location(region=f"{11 + n % 25}.{71 + n % 20}.0{1 + n % 9}"),
                submitted_at=DEFAULT_TIME - timedelta(minutes=n * 26),
                next_due_at=DEFAULT_TIME + timedelta(hours=rng.randrange(-100, 300)) if is_open else None,
                identity=False,
                outbox=0,
            )
        )
        if len(batch) == 2_000:
            store.save_many(batch)
            batch.clear()
    with store.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def populated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SqlComplaintStore]:
    """A store on each backend holding 20,000 analysed complaints."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('listing') / 'lapor.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database()
    store = SqlComplaintStore(url)
    _populate(store)
    yield store
    store.close()


# One value of an indexed column, or none: an index holds the rows in the listing's order (see IN_ORDER).
ONE_VALUE = {
    "none": {},
    "status": {"statuses": {"forwarded"}},
    "status closed": {"statuses": {"closed"}},
    "institution": {"institution": "31.71"},
    "unit": {"unit": "unit-7"},
    "topic": {"category": "topic-7"},
}
# Read through an index, then sorted (ranges, several values) or filtered while an order index is read.
THROUGH_AN_INDEX = {
    "statuses": {"statuses": {"forwarded", "assigned", "followed_up"}},
    "institution inbox": {"institution": "31.71", "statuses": {"forwarded", "assigned", "followed_up"}},
    "institutions": {"filters": Filters(institutions={"31.71", "32.71"})},
    "province": {"region_prefix": "31"},
    "regency": {"region_prefix": "31.71"},
    "kind": {"kind": KINDS[0]},
    "channel": {"filters": Filters(channels={CHANNELS[0]})},
    "confidential": {"filters": Filters(confidential=True)},
    "submitted between": {
        "submitted_from": DEFAULT_TIME - timedelta(days=60),
        "submitted_before": DEFAULT_TIME - timedelta(days=30),
    },
}
FILTERS = {**ONE_VALUE, **THROUGH_AN_INDEX}
# The filters whose pages an index returns already in order. By submission, an institution's or a unit's
# complaints of every status are sorted: their indexes lead with the status (what an inbox asks for).
IN_ORDER = {
    Order.SUBMITTED_ASC: set(ONE_VALUE) - {"institution", "unit"},
    Order.SUBMITTED_DESC: set(ONE_VALUE) - {"institution", "unit"},
    Order.DUE_ASC: set(ONE_VALUE),
}

# Where a page starts: the first page, after a cursor, and (by due date) among the undated complaints.
START = {
    Order.SUBMITTED_ASC: {"first": None, "after": (DEFAULT_TIME - timedelta(days=90), "")},
    Order.SUBMITTED_DESC: {"first": None, "after": (DEFAULT_TIME - timedelta(days=90), "")},
    Order.DUE_ASC: {"first": None, "after": (DEFAULT_TIME + timedelta(hours=50), ""), "undated": (None, "")},
}
CASES = [
    pytest.param(name, order, start, id=f"{name}-{order.name.lower()}-{start}")
    for name in FILTERS
    for order in Order
    for start in START[order]
]


def _plan(store: SqlComplaintStore, statement: str, parameters: Any) -> str:
    """The plan of a statement; on PostgreSQL with sequential scans, bitmaps and sorts as a last resort."""
    with store.engine.connect() as connection:
        if store.dialect == "sqlite":
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            return "\n".join(str(row[-1]) for row in rows)
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            connection.exec_driver_sql(f"SET LOCAL {setting} = off")
        rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        connection.rollback()
    return "\n".join(str(row[0]) for row in rows)


def _reads_the_whole_table(plan: str) -> bool:
    if "Seq Scan" in plan:
        return True
    return any(line.strip() == "SCAN lapor_complaints" for line in plan.splitlines())


def _sorts(plan: str) -> bool:
    return "TEMP B-TREE" in plan or re.search(r"\bSort\b", plan) is not None


_DUE_INDEX = re.compile(r"\bix_lapor_complaints_(\w+_)?due\b")


def _splits_due_pages(store: SqlComplaintStore) -> bool:
    """Whether the store reads a due-date page as keyset queries in index order (not one CASE ordering)."""
    sent = selects_sent(store, lambda s: s.query(ComplaintQuery(order=Order.DUE_ASC, limit=1)))
    return not any("CASE" in statement.upper() for statement, _ in sent)


def _query(name: str, order: Order, start: str) -> ComplaintQuery:
    position = START[order][start]
    cursor = None
    if position is not None:
        instant, tracking_id = position
        cursor = encode_cursor(None if instant is None else instant_key(instant), tracking_id)
    return ComplaintQuery(order=order, limit=50, cursor=cursor, **FILTERS[name])


@pytest.mark.parametrize(("name", "order", "start"), CASES)
def test_every_listing_page_reads_an_index(
    populated: SqlComplaintStore, name: str, order: Order, start: str
) -> None:
    """Each statement of the page reads an index; one value of an indexed column mostly needs no sort."""
    if order is Order.DUE_ASC:
        assert _splits_due_pages(populated)
    sent = selects_sent(populated, lambda s: s.query(_query(name, order, start)))
    assert sent
    plans = [_plan(populated, statement, parameters) for statement, parameters in sent]
    for plan in plans:
        assert not _reads_the_whole_table(plan), plan
        if name in IN_ORDER[order]:
            assert not _sorts(plan), plan
    if order is Order.DUE_ASC and start != "undated":
        assert _DUE_INDEX.search(plans[0]), plans[0]


def test_a_due_date_page_reads_the_dated_complaints_first_then_the_rest(populated: SqlComplaintStore) -> None:
    """The listing the indexes serve: by deadline, the complaints without one last by tracking ID."""
    assert _splits_due_pages(populated)
    query = ComplaintQuery(order=Order.DUE_ASC, limit=80, category="topic-7")
    seen = []
    while True:
        page = populated.query(query)
        seen.extend(page.items)
        if page.next_cursor is None:
            break
        query = ComplaintQuery(order=Order.DUE_ASC, limit=80, category="topic-7", cursor=page.next_cursor)
    assert len(seen) == COMPLAINTS // 50
    dated = [c for c in seen if c.next_due_at is not None]
    undated = seen[len(dated) :]
    assert all(c.next_due_at is None for c in undated)
    assert dated == sorted(dated, key=lambda c: (c.next_due_at, c.tracking_id))
    assert [c.tracking_id for c in undated] == sorted(c.tracking_id for c in undated)
