"""Listings are compiled once per shape: the same shape is always the same SQL, and any values fit it.

The SQL store names every value of a listing (``Binds``) and keeps one compiled statement per list of
names (``SqlComplaintStore._listing``). That is only sound if two filters with the same names always make the
same SQL: checked here for every dialect over generated filters, with the values each statement carries.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from lapor_core._domain.filters import Filters
from lapor_core._domain.lifecycle import Status
from lapor_core._domain.model import Channel, Kind
from lapor_core._domain.ports import ComplaintQuery, Order
from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.stores.sql._complaints import _COMPLAINT_SELECT, Binds, filter_conditions, literal
from lapor_core.testing.builders import DEFAULT_TIME, new_complaint

DIALECTS = tuple(
    sa.create_mock_engine(url, executor=None).dialect
    for url in ("sqlite://", "postgresql+psycopg://", "mysql+pymysql://")
)


def _sets(values: list[Any]) -> st.SearchStrategy[frozenset[Any] | None]:
    return st.none() | st.frozensets(st.sampled_from(values), min_size=1)


_instants = st.none() | st.integers(0, 400).map(lambda days: DEFAULT_TIME - timedelta(days=days))
filters = st.builds(
    Filters,
    statuses=_sets(list(Status)),
    institutions=_sets(["dinas-a", "dinas-b", "dinas-c"]),
    categories=_sets(["jalan", "sampah", "kesehatan"]),
    kinds=_sets(list(Kind)),
    channels=_sets(list(Channel)),
    region=st.none() | st.sampled_from(["31", "31.71", "31.71.01", "31.71.01.1001", "32.73"]),
    confidential=st.none() | st.booleans(),
    submitted_from=_instants,
    text=st.none() | st.sampled_from(["lampu", "lampu jalan", "jalan rusak parah", "sampah"]),
)


def _listing(f: Filters, *, by_submission: bool) -> tuple[tuple[str, ...], sa.Select[Any], list[Any]]:
    binds = Binds()
    statement = _COMPLAINT_SELECT.where(*filter_conditions(f, by_submission=by_submission, bind=binds))
    return tuple(binds.names), statement, binds.values


_POOLS: dict[str, list[Any]] = {
    "statuses": list(Status),
    "institutions": ["dinas-a", "dinas-b", "dinas-c"],
    "categories": ["jalan", "sampah", "kesehatan"],
    "kinds": list(Kind),
    "channels": list(Channel),
}
_REGIONS_LIKE = {
    1: ["31", "32", "73"],
    2: ["31.71", "32.73"],
    3: ["31.71.01", "32.73.16"],
    4: ["31.71.01.1001"],
}
_TEXTS_LIKE = {1: ["lampu", "sampah"], 2: ["lampu jalan", "banjir lagi"], 3: ["jalan rusak parah"]}


def _same_shape(data: st.DataObject, f: Filters) -> Filters:
    """Other values in every field ``f`` fills, as many of them: the same names."""
    changes: dict[str, Any] = {}
    for field, pool in _POOLS.items():
        values = getattr(f, field)
        if values is not None:
            changes[field] = data.draw(
                st.frozensets(st.sampled_from(pool), min_size=len(values), max_size=len(values))
            )
    if f.region is not None:
        changes["region"] = data.draw(st.sampled_from(_REGIONS_LIKE[f.region.count(".") + 1]))
    if f.text is not None:
        changes["text"] = data.draw(st.sampled_from(_TEXTS_LIKE[len(f.text.split(" "))]))
    if f.confidential is not None:
        changes["confidential"] = data.draw(st.booleans())
    if f.submitted_from is not None:
        changes["submitted_from"] = data.draw(_instants.filter(lambda at: at is not None))
    return attrs.evolve(f, **changes)


@given(filters, st.booleans(), st.data())
def test_filters_of_one_shape_make_one_statement(
    a: Filters, by_submission: bool, data: st.DataObject
) -> None:
    """Other values of the same shape: the same names and the same SQL in every dialect."""
    names_a, statement_a, values_a = _listing(a, by_submission=by_submission)
    names_b, statement_b, _ = _listing(_same_shape(data, a), by_submission=by_submission)
    assert names_a == names_b
    assert len(set(names_a)) == len(names_a) == len(values_a)
    for dialect in DIALECTS:
        compiled = statement_a.compile(dialect=dialect)
        assert set(names_a) <= set(compiled.binds)
        assert str(compiled) == str(statement_b.compile(dialect=dialect))


@given(filters, filters, st.booleans())
def test_different_statements_have_different_names(a: Filters, b: Filters, by_submission: bool) -> None:
    """Whatever two filters are, when their SQL differs their names differ (the key of the compiled cache)."""
    names_a, statement_a, _ = _listing(a, by_submission=by_submission)
    names_b, statement_b, _ = _listing(b, by_submission=by_submission)
    for dialect in DIALECTS:
        if str(statement_a.compile(dialect=dialect)) != str(statement_b.compile(dialect=dialect)):
            assert names_a != names_b


@given(filters)
def test_named_values_select_what_literal_values_select(f: Filters) -> None:
    """A listing with named values and the same conditions with the values themselves are the same SQL."""
    names, named, values = _listing(f, by_submission=True)
    named = named.params(dict(zip(names, values, strict=True)))
    plain = _COMPLAINT_SELECT.where(*filter_conditions(f, by_submission=True, bind=literal))
    for dialect in DIALECTS:

        def rendered(statement: sa.Select[Any], d: Any = dialect) -> str:
            return str(statement.compile(dialect=d, compile_kwargs={"literal_binds": True}))

        assert rendered(named) == rendered(plain)


def test_an_empty_set_of_values_selects_nothing_without_asking_the_database(tmp_path: Any) -> None:
    """An empty set matches no complaint: the listing answers at once; named values refuse to build it."""
    store = SqlComplaintStore(f"sqlite:///{tmp_path / 'lapor.db'}")
    try:
        page = store.query(ComplaintQuery(filters=Filters(statuses=frozenset())))
        assert page.items == ()
        assert page.next_cursor is None
    finally:
        store.close()
    with pytest.raises(ValueError, match="status"):
        filter_conditions(Filters(statuses=frozenset()), bind=Binds())


def test_more_shapes_than_are_kept_still_list_correctly(tmp_path: Any) -> None:
    """Past the kept number of compiled listings the store starts over, and every listing stays right."""
    store = SqlComplaintStore(f"sqlite:///{tmp_path / 'lapor.db'}")
    try:
        changes = new_complaint(institution="dinas-0", submitted_at=datetime(2026, 1, 5, tzinfo=UTC))
        store.save(changes)
        complaint = changes.complaint
        for size in range(1, 300):
            institutions = frozenset(f"dinas-{n}" for n in range(size))
            page = store.query(
                ComplaintQuery(filters=Filters(institutions=institutions), order=Order.SUBMITTED_ASC)
            )
            assert [c.tracking_id for c in page.items] == [complaint.tracking_id]
            assert len(store._listings) <= 256
    finally:
        store.close()
