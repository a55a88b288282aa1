"""Revision 0013 (issue 22): each complaint's regency, filled in for older rows by SQL on every database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lapor_core._domain.filters import Filters, regency_of
from lapor_core._domain.model import Location
from lapor_core._domain.ports import ComplaintQuery
from lapor_core.stores.sql import SqlComplaintStore, upgrade
from lapor_core.testing.builders import new_complaint
from migration_support import downgrade, revision_module

REVISION_0013 = revision_module("v0013_regency_index.py")

# Codes and near-codes: digits and dots in any arrangement (an empty part, a leading or trailing dot).
codes = st.text(st.sampled_from("0123456789."), min_size=1, max_size=16)


@pytest.fixture
def engine(store_url: str) -> Iterator[sa.Engine]:
    """An engine on an empty database of the backend under test."""
    created = sa.create_engine(store_url, poolclass=sa.NullPool)
    yield created
    created.dispose()


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(region=codes)
def test_the_migrations_sql_computes_the_librarys_regency(engine: sa.Engine, region: str) -> None:
    """The UPDATE's expression, run by the database, equals ``regency_of`` for any code-like text."""
    value = sa.literal(region, sa.String(40))
    with engine.connect() as connection:
        found = connection.execute(sa.select(REVISION_0013.regency_sql(value, engine.dialect.name))).scalar()
    assert found == regency_of(region)


def test_rows_written_before_0013_are_found_by_regency_after_the_upgrade(empty_url: str) -> None:
    """Back at 0012 the rows have no regency; the upgrade computes it, so a city's listing finds them."""
    store = SqlComplaintStore(empty_url)
    inside = [
        new_complaint(title=f"Lampu {n}", location=Location(region=region))
        for n, region in enumerate(("32.73", "32.73.16", "32.73.16.1001"))
    ]
    outside = [
        new_complaint(title="Jalan", location=Location(region=region)) for region in ("32", "32.74.01")
    ]
    nowhere = new_complaint(title="Tanpa tempat", location=None)
    for changes in (*inside, *outside, nowhere):
        store.save(changes)
    store.close()
    downgrade(empty_url, "0012")
    upgrade(empty_url)
    store = SqlComplaintStore(empty_url, schema="check")
    try:
        found = store.query(ComplaintQuery(filters=Filters(region="32.73"), limit=10)).items
        assert sorted(c.tracking_id for c in found) == sorted(c.complaint.tracking_id for c in inside)
        assert [c.tracking_id for c in store.query(ComplaintQuery(region_prefix="32.74")).items] == [
            outside[1].complaint.tracking_id
        ]
    finally:
        store.close()


@pytest.mark.parametrize(
    "url",
    ["sqlite:///unused.db", "postgresql+psycopg://lapor@db.example/lapor", "mysql+pymysql://r@db/lapor"],
)
def test_the_offline_script_fills_the_regency_in_sql(url: str) -> None:
    """``upgrade(url, sql=True)`` adds the column and the index and fills the rows with one UPDATE."""
    script = upgrade(url, sql=True)
    assert "ix_lapor_complaints_regency" in script
    assert "SET regency=" in script.replace(" = ", "=")
