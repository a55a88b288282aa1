"""Revision 0012 (issue 21): the folded words keyword search reads, filled in for the older rows."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lapor_core._domain.filters import Filters, searchable
from lapor_core._domain.ports import ComplaintQuery
from lapor_core.stores.sql import SqlComplaintStore, upgrade
from lapor_core.testing.builders import new_complaint
from migration_support import downgrade, revision_module

REVISION_0012 = revision_module("v0012_search_text_and_owner_index.py")


@given(title=st.text(max_size=40), body=st.text(max_size=80))
def test_the_migrations_frozen_fold_equals_the_librarys(title: str, body: str) -> None:
    """The copy of the fold the migration fills old rows with makes what the store writes for new ones."""
    assert REVISION_0012.searchable(title, body) == searchable(title, body)


def test_rows_written_before_0012_are_found_by_keyword_after_the_upgrade(empty_url: str) -> None:
    """Back at 0011 the rows have no words; the upgrade fills them in, so keyword search finds them."""
    store = SqlComplaintStore(empty_url)
    lamps = [new_complaint(title=f"Lampu jalan {n}", body="Mati di Jl. Melati.") for n in range(3)]
    cafe = new_complaint(title="Café tutup", body="Trotoar penuh.")
    for changes in (*lamps, cafe):
        store.save(changes)
    store.close()
    downgrade(empty_url, "0011")
    upgrade(empty_url)
    store = SqlComplaintStore(empty_url, schema="check")
    try:
        found = store.query(ComplaintQuery(filters=Filters(text="melati lampu"))).items
        assert sorted(c.tracking_id for c in found) == sorted(c.complaint.tracking_id for c in lamps)
        assert store.query(ComplaintQuery(text="CAFE")).items == (cafe.complaint,)
    finally:
        store.close()


@pytest.mark.parametrize("url", ["sqlite:///unused.db", "postgresql+psycopg://lapor@db.example/lapor"])
def test_the_offline_script_adds_the_column_and_index_without_reading_rows(url: str) -> None:
    """``upgrade(url, sql=True)`` cannot fold rows it never reads: it adds the column and the index only."""
    script = upgrade(url, sql=True)
    assert "search_text" in script
    assert "ix_lapor_complaints_owner" in script
    assert "SET search_text" not in script
