"""The desk's hot queries use the index meant for them (EXPLAIN), on SQLite and PostgreSQL.

The database holds 20,000 complaints with realistic spreads (100 institutions, 500 regions, 50 topics, one in
ten open) and fresh planner statistics, so the planner chooses as it would in production.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from lapor_core._domain.access import Principal
from lapor_core._domain.filters import Filters
from lapor_core._domain.lifecycle import Status
from lapor_core._domain.model import Location
from lapor_core._domain.ports import ComplaintQuery, ComplaintStore, Order
from lapor_core._domain.stats import CountQuery, plan_stats
from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.testing.builders import DEFAULT_TIME, new_complaint
from sql_capture import selects_sent

COMPLAINTS = 20_000
OPEN = (Status.SUBMITTED, Status.FORWARDED, Status.ASSIGNED, Status.FOLLOWED_UP)


def _populate(store: SqlComplaintStore) -> None:
    rng = random.Random(2026)
    batch = []
    for n in range(COMPLAINTS):
        is_open = n % 10 == 0
        status = rng.choice(OPEN) if is_open else Status.CLOSED
        batch.append(
            new_complaint(
                status=status,
                institution=f"{11 + n % 100}.71" if status is not Status.SUBMITTED else None,
                unit=f"unit-{n % 200}" if status is Status.ASSIGNED else None,
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
        url = f"sqlite:///{tmp_path_factory.mktemp('explain') / 'lapor.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database()
    store = SqlComplaintStore(url)
    _populate(store)
    yield store
    store.close()


def _plan_of(store: SqlComplaintStore, call: Callable[[ComplaintStore], object]) -> str:
    """Run ``call`` on the store, capture the one SELECT it sends, and return the database's plan for it."""
    seen = selects_sent(store, call)
    statement, parameters = seen[0]
    prefix = "EXPLAIN QUERY PLAN " if store.dialect == "sqlite" else "EXPLAIN "
    with store.engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
    return "\n".join(" ".join(str(value) for value in row) for row in rows)


def _plan_of_prepared(store: SqlComplaintStore, name: str, values: tuple[Any, ...]) -> str:
    """The plan of one of the statements the store runs on the DBAPI cursor itself (get, history)."""
    prepared = getattr(store._sql, name)  # the statement exactly as the store runs it
    prefix = "EXPLAIN QUERY PLAN " if store.dialect == "sqlite" else "EXPLAIN "
    with store.engine.connect() as connection:
        params = prepared.params(values)
        rows = connection.exec_driver_sql(
            prefix + prepared.sql, tuple(params) if isinstance(params, list) else params
        )
        rows = rows.all()
    return "\n".join(" ".join(str(value) for value in row) for row in rows)


def _uses(plan: str, index: str) -> bool:
    return any(f"{how} {index}" in plan for how in ("INDEX", "USING", "using", "Index Scan on"))


PK = {"sqlite": "sqlite_autoindex_lapor_complaints_1", "postgresql": "lapor_complaints_pkey"}
EVENTS_PK = {"sqlite": "PRIMARY KEY", "postgresql": "lapor_events_pkey"}  # WITHOUT ROWID on SQLite


def test_lookup_by_tracking_id_uses_the_primary_key(populated: SqlComplaintStore) -> None:
    """get(tracking_id) is one primary-key probe."""
    tid = populated.query(ComplaintQuery(limit=1)).items[0].tracking_id
    plan = _plan_of_prepared(populated, "get", (tid,))
    assert _uses(plan, PK[populated.dialect]), plan


def test_history_uses_the_events_primary_key(populated: SqlComplaintStore) -> None:
    """history(tracking_id) reads the events by their (complaint_id, seq) key, already in order."""
    tid = populated.query(ComplaintQuery(limit=1)).items[0].tracking_id
    plan = _plan_of_prepared(populated, "history", (tid,))
    assert _uses(plan, EVENTS_PK[populated.dialect]), plan
    assert "TEMP B-TREE" not in plan
    assert "Sort" not in plan


def test_due_complaints_use_the_partial_due_index(populated: SqlComplaintStore) -> None:
    """The sweep's due() reads the partial index on next_due_at (on SQLite in order, with no sort)."""
    plan = _plan_of(populated, lambda s: s.due(DEFAULT_TIME, limit=1000))
    assert _uses(plan, "ix_lapor_complaints_due"), plan
    assert "TEMP B-TREE" not in plan


def test_institution_inbox_uses_the_institution_status_index(populated: SqlComplaintStore) -> None:
    """An institution's inbox of open complaints uses the (institution, status, ...) index."""
    query = ComplaintQuery(institution="31.71", statuses=frozenset({Status.FORWARDED, Status.ASSIGNED}))
    plan = _plan_of(populated, lambda s: s.query(query))
    assert _uses(plan, "ix_lapor_complaints_inbox"), plan


def test_unit_inbox_uses_the_unit_index(populated: SqlComplaintStore) -> None:
    """A work unit's complaints use the (unit, status, ...) index."""
    plan = _plan_of(populated, lambda s: s.query(ComplaintQuery(unit="unit-7")))
    assert _uses(plan, "ix_lapor_complaints_unit"), plan


def test_verification_queue_uses_the_status_index(populated: SqlComplaintStore) -> None:
    """The admin's queue of submitted complaints uses the (status, submitted_at, ...) index."""
    plan = _plan_of(populated, lambda s: s.query(ComplaintQuery(statuses=frozenset({Status.SUBMITTED}))))
    assert _uses(plan, "ix_lapor_complaints_status"), plan


def test_region_prefix_uses_the_region_index(populated: SqlComplaintStore) -> None:
    """A district and everything inside it are one range (plus one equality) on the region index."""
    plan = _plan_of(populated, lambda s: s.query(ComplaintQuery(region_prefix="31.71.01")))
    assert _uses(plan, "ix_lapor_complaints_region"), plan


def test_a_regency_is_read_in_order_through_the_regency_index(populated: SqlComplaintStore) -> None:
    """A regency or city and everything inside it are one equality on its own index, read in listing order."""
    plan = _plan_of(populated, lambda s: s.query(ComplaintQuery(region_prefix="31.71")))
    assert _uses(plan, "ix_lapor_complaints_regency"), plan
    assert "TEMP B-TREE" not in plan, plan
    assert "Sort" not in plan, plan


def test_category_uses_the_category_index(populated: SqlComplaintStore) -> None:
    """Complaints on one topic use the (category, submitted_at, ...) index."""
    plan = _plan_of(populated, lambda s: s.query(ComplaintQuery(category="topic-7")))
    assert _uses(plan, "ix_lapor_complaints_category"), plan


@pytest.mark.parametrize(("region", "days"), [("11.71.01", 365), ("11.71", 90)], ids=["district", "city"])
def test_similar_complaints_candidates_are_region_ranges(
    populated: SqlComplaintStore, region: str, days: int
) -> None:
    """desk.similar's listings for the public (a district's year, a city's 90 days) seek region ranges.

    A city's is one equality on the regency index (revision 0013): its whole region range read and sorted
    was most of the time of desk.similar at a million complaints. Never a scan, never the status index
    (which a list of statuses handed along once made SQLite pick on the benchmark's data, reading every
    published complaint of the period; these data do not reproduce it).
    """
    filters = Filters(region=region, confidential=False, submitted_from=DEFAULT_TIME - timedelta(days=days))
    query = ComplaintQuery(filters=filters, order=Order.SUBMITTED_DESC, limit=100)
    plan = _plan_of(populated, lambda s: s.query(query))
    if region.count(".") == 1:
        assert _uses(plan, "ix_lapor_complaints_regency"), plan
    else:
        assert _uses(plan, "ix_lapor_complaints_region") or _uses(plan, "ix_lapor_complaints_stats"), plan
    assert not _uses(plan, "ix_lapor_complaints_status"), plan
    assert "SCAN lapor_complaints" not in plan, plan
    assert "Seq Scan" not in plan, plan


def _count_plan(store: SqlComplaintStore, query: CountQuery) -> str:
    return _plan_of(store, lambda s: s.count_complaints(query))  # type: ignore[attr-defined]


def test_counts_by_province_and_status_aggregate_without_sorting_every_complaint(
    populated: SqlComplaintStore,
) -> None:
    """A map's count groups the complaints as it reads them: never a sort of every complaint.

    SQLite reads the covering statistics index in order (its GROUP BY otherwise sorts every row);
    PostgreSQL hashes. Only the few cells left are grouped again by province.
    """
    plan = _count_plan(populated, CountQuery(("province", "status", "confidential")))
    if populated.dialect == "sqlite":
        assert _uses(plan, "ix_lapor_complaints_stats"), plan
        # One temporary B-tree: the outer GROUP BY over the cells, after the index scan.
        assert plan.count("TEMP B-TREE") == 1, plan
        assert plan.index("TEMP B-TREE") > plan.index("ix_lapor_complaints_stats"), plan
    else:
        assert "HashAggregate" in plan, plan
        assert "Sort" not in plan, plan


def test_confidential_pools_are_ranges_of_the_stats_index(populated: SqlComplaintStore) -> None:
    """The public's pooled count reads only the published confidential ranges of the statistics index."""
    plan = plan_stats(Principal.public(), ["province", "status"], None).pooled_query
    assert plan is not None
    text = _count_plan(populated, plan)
    assert _uses(text, "ix_lapor_complaints_stats"), text
    if populated.dialect == "sqlite":
        assert "SEARCH" in text, text


def test_counts_of_a_topic_or_region_read_the_stats_index_not_the_listing_indexes(
    populated: SqlComplaintStore,
) -> None:
    """On SQLite a topic or region filter must not send a count row by row through the table.

    A topic holds a large share of all complaints: its listing index plus a table read per row took 0.55 s
    for one topic of a million complaints, against 0.12 s for the covering statistics index.
    """
    if populated.dialect != "sqlite":
        pytest.skip("PostgreSQL's planner costs covering reads itself; the unary-plus hint is SQLite's")
    for query in (
        CountQuery(("province",), categories=frozenset({"topic-7"})),
        CountQuery(("status",), region_prefix="31.71"),
    ):
        plan = _count_plan(populated, query)
        assert _uses(plan, "ix_lapor_complaints_stats"), plan
        assert "ix_lapor_complaints_category" not in plan, plan
        assert "ix_lapor_complaints_region" not in plan, plan
