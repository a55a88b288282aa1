"""Statistics counted by the database equal the reference count, and principals get the same rows everywhere.

Each test loads one seeded data set (clusters of identical complaints, so confidential pools of ten occur)
into the backend under test, then Hypothesis asks many queries of that same read-only data.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lapor_core as lc
from desk_support import PEPPER, WIB
from lapor_core._application import statistics
from lapor_core._domain.complaint import Complaint
from lapor_core._domain.filters import Filters
from lapor_core._domain.stats import (
    COUNT_KEYS,
    GROUP_KEYS,
    CountQuery,
    CountRow,
    count_rows,
    roll_up_pools,
)
from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.stores.sql._statistics import count_statement, pool_cells_statement
from lapor_core.testing import FrozenClock
from lapor_core.testing.builders import complaint, new_tracking_id
from stats_support import (
    PRINCIPALS,
    CountingMemoryStore,
    filter_sets,
    group_bys,
    load,
    seeded_complaints,
)

COMPLAINTS = seeded_complaints(2026)
ON_LOADED_DATA = settings(
    max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)


CountingSqlStore = SqlComplaintStore  # counts with GROUP BY itself


@pytest.fixture
def sql_store(store_url: str) -> Iterator[CountingSqlStore]:
    """The seeded complaints in a database of the backend under test."""
    store = CountingSqlStore(store_url)
    load(COMPLAINTS, store)
    yield store
    store.close()


def _as_dict(rows: list[CountRow]) -> dict[tuple[object, ...], int]:
    return {row.key: row.count for row in rows}


@ON_LOADED_DATA
@given(
    keys=st.lists(st.sampled_from(COUNT_KEYS), unique=True, max_size=4),
    filters=filter_sets(),
    confidential=st.sampled_from([None, True, False]),
)
def test_the_database_counts_like_the_reference(
    sql_store: CountingSqlStore, keys: list[str], filters: dict[str, object], confidential: bool | None
) -> None:
    """Every key and filter, on SQLite, PostgreSQL and MariaDB, gives the rows of ``count_rows``."""
    query = CountQuery(keys, filters=attrs.evolve(Filters.from_dict(filters), confidential=confidential))
    assert _as_dict(sql_store.count_complaints(query)) == _as_dict(count_rows(COMPLAINTS, query))


@ON_LOADED_DATA
@given(
    filters=filter_sets(),
    units=st.sampled_from([None, frozenset({"dinas-pu"}), frozenset()]),
    channels=st.sampled_from(
        [None, frozenset({lc.Channel.SMS}), frozenset({lc.Channel.WEB, lc.Channel.SMS})]
    ),
)
def test_one_filters_value_lists_and_counts_the_same_complaints(
    sql_store: CountingSqlStore,
    filters: dict[str, object],
    units: frozenset[str] | None,
    channels: frozenset[lc.Channel] | None,
) -> None:
    """The listing and the count of the same Filters select ``Filters.matches``'s complaints, in SQL too."""
    chosen = attrs.evolve(Filters.from_dict(filters), units=units, channels=channels)
    expected = sorted(c.tracking_id for c in COMPLAINTS if chosen.matches(c))
    for store in (sql_store, load(COMPLAINTS, CountingMemoryStore())):
        listed = [c.tracking_id for c in store.query(lc.ComplaintQuery(filters=chosen, limit=1000)).items]
        assert sorted(listed) == expected
        total = store.count_complaints(CountQuery([], filters=chosen))  # type: ignore[attr-defined]
        assert sum(row.count for row in total) == len(expected)


@ON_LOADED_DATA
@given(principal=st.sampled_from(PRINCIPALS), group_by=group_bys(), filters=filter_sets())
def test_a_principal_gets_the_same_rows_from_the_database_and_from_memory(
    sql_store: CountingSqlStore, principal: lc.Principal, group_by: list[str], filters: dict[str, object]
) -> None:
    """Suppression and visibility are decided above the store: the counts are the same whichever runs them."""
    clock = FrozenClock(datetime(2026, 5, 1, tzinfo=WIB))
    in_sql = lc.ComplaintDesk(store=sql_store, clock=clock, pepper=PEPPER)
    in_memory = lc.ComplaintDesk(store=load(COMPLAINTS, CountingMemoryStore()), clock=clock, pepper=PEPPER)
    assert statistics.stats(in_sql._ctx, principal, group_by=group_by, filters=filters) == statistics.stats(
        in_memory._ctx, principal, group_by=group_by, filters=filters
    )


@pytest.mark.parametrize(("undotted", "dotted"), [("31", "31"), ("3171", "31.71"), ("317101", "31.71.01")])
def test_an_undotted_region_prefix_counts_in_the_database_like_the_dotted_one(
    sql_store: CountingSqlStore, undotted: str, dotted: str
) -> None:
    """The query normalises the prefix when made, so the byte range in SQL and the reference agree."""
    query = CountQuery(["regency", "status"], region_prefix=undotted)
    assert query.filters.region == dotted
    expected = _as_dict(count_rows(COMPLAINTS, CountQuery(["regency", "status"], region_prefix=dotted)))
    assert expected  # the seeded data has complaints there: an empty count would prove nothing
    assert _as_dict(sql_store.count_complaints(query)) == expected


def test_an_empty_table_has_no_rows(store_url: str) -> None:
    """No complaint gives no row, not a row counting zero."""
    store = CountingSqlStore(store_url)
    try:
        assert store.count_complaints(CountQuery([])) == []
        assert store.count_complaints(CountQuery(["province"])) == []
    finally:
        store.close()


def test_month_is_spelled_for_every_built_in_dialect() -> None:
    """SQLite, PostgreSQL and MariaDB have a month expression; another dialect is a configuration error."""
    for dialect in ("sqlite", "postgresql", "mysql", "mariadb"):
        assert "k0" in str(count_statement(CountQuery(["month"]), dialect))
    with pytest.raises(lc.ConfigurationError):
        count_statement(CountQuery(["month"]), "oracle")


def test_every_key_and_pair_of_keys_counts_like_the_reference(sql_store: CountingSqlStore) -> None:
    """Both ways of counting (two levels over an index prefix; one level with a month) match the reference."""
    groupings = [(key,) for key in COUNT_KEYS] + list(itertools.combinations(COUNT_KEYS, 2))
    wrong = [
        keys
        for keys in groupings
        if _as_dict(sql_store.count_complaints(CountQuery(keys)))
        != _as_dict(count_rows(COMPLAINTS, CountQuery(keys)))
    ]
    assert wrong == []


def _inner_group_by(query: CountQuery) -> str | None:
    text = str(count_statement(query, "sqlite"))
    if "AS cells" not in text:
        return None
    inner = text[text.index("(SELECT") : text.index("AS cells")]
    return inner[inner.index("GROUP BY") + len("GROUP BY ") :].strip().rstrip(")")


def test_counts_group_first_by_the_shortest_prefix_of_the_stats_index() -> None:
    """The inner query groups by the columns the statistics index leads with; a month counts in one level."""
    t = "lapor_complaints."
    assert _inner_group_by(CountQuery(["status"])) == f"{t}status"
    assert _inner_group_by(CountQuery(["province", "status"])) == f"{t}status, {t}confidential, {t}region"
    assert _inner_group_by(CountQuery(["confidential", "regency"])) == (
        f"{t}status, {t}confidential, {t}region"
    )
    assert _inner_group_by(CountQuery(["topic"])).endswith(f"{t}region, {t}category")  # type: ignore[union-attr]
    assert _inner_group_by(CountQuery(["province", "month"])) is None
    assert _inner_group_by(CountQuery([])) is None


@ON_LOADED_DATA
@given(keys=st.lists(st.sampled_from(GROUP_KEYS), unique=True, max_size=3), filters=filter_sets())
def test_pools_rolled_up_in_the_database_equal_the_reference(
    sql_store: CountingSqlStore, keys: list[str], filters: dict[str, object]
) -> None:
    """``count_pool_cells`` is ``roll_up_pools`` of the per-pool count, on SQLite, PostgreSQL and MariaDB."""
    query = CountQuery(GROUP_KEYS, filters=Filters.from_dict(filters))
    in_sql = sql_store.count_pool_cells(query, keys)
    reference = roll_up_pools(count_rows(COMPLAINTS, query), keys)
    assert sorted(map(attrs.astuple, in_sql), key=repr) == sorted(map(attrs.astuple, reference), key=repr)


def test_pools_of_ten_count_and_of_nine_do_not_through_the_database(store_url: str) -> None:
    """The threshold is inclusive in the database's roll-up, as in the reference: 10 count, 9 do not."""
    shared = {
        "status": lc.Status.FORWARDED,
        "kind": lc.Kind.PENGADUAN,
        "channel": lc.Channel.WEB,
        "category": "health",
        "confidential": True,
        "institution": "kemenkes",
        "submitted_at": datetime(2026, 3, 16, 10, tzinfo=WIB),
    }
    built: list[Complaint] = []
    for region, copies in (("31.71", 10), ("73.71", 9), ("91.71", 11)):
        for _ in range(copies):
            at = lc.Location(region=region)
            built.append(complaint(new_tracking_id(len(built) + 1), location=at, **shared))  # type: ignore[arg-type]
    store = CountingSqlStore(store_url)
    try:
        load(built, store)
        desk = lc.ComplaintDesk(
            store=store, clock=FrozenClock(datetime(2026, 5, 1, tzinfo=WIB)), pepper=PEPPER
        )
        rows = statistics.stats(desk._ctx, lc.Principal.public(), group_by=["province"])
    finally:
        store.close()
    assert rows == [
        {"province": "31", "count": 10, "merged": 0, "suppressed": False},
        {"province": "73", "count": 0, "merged": 0, "suppressed": True},
        {"province": "91", "count": 11, "merged": 0, "suppressed": False},
    ]


def test_pools_are_counted_by_the_group_keys_only() -> None:
    """A roll-up of anything but one row per pool is refused, not silently wrong."""
    with pytest.raises(ValueError, match="pools are counted by"):
        pool_cells_statement(CountQuery(["province", "status"]), ["province"], "sqlite")
