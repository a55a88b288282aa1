"""The SQL bulk path on every backend: large batches read back exactly (PostgreSQL copies them) or fail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import attrs
import pytest

from lapor_core._domain.complaint import ReporterIdentity
from lapor_core._domain.model import Location
from lapor_core._domain.ports import Changeset, ComplaintQuery
from lapor_core.errors import ConcurrencyConflict, NotFound, StorageError
from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.stores.sql import _complaints as sql
from lapor_core.stores.sql import _driver as _sql_driver
from lapor_core.testing.builders import DEFAULT_TIME, new_complaint

# Text COPY escapes tabs, line breaks and backslashes; JSON escapes quotes; the rest is UTF-8 as is.
AWKWARD = 'Jalan\trusak\\parah "sekali"\nsejak banjir; é 漢字 🚧 \\N'


def _awkward(n: int) -> Changeset:
    built = new_complaint(
        title=f"{AWKWARD} #{n}",
        body=AWKWARD * 3,
        category="infrastruktur.jalan",
        location=Location(region="31.71.01", lat=-6.2, lon=106.8, address=AWKWARD),
        submitted_at=DEFAULT_TIME + timedelta(seconds=n),
        payload={"kind": "pengaduan", "title": AWKWARD, "note": None, "n": n},
        outbox=2,
        identity=ReporterIdentity(ref=f"who-{n:04d}", name=AWKWARD, email="siti@example.id", nik=None),
    )
    messages = tuple(attrs.evolve(m, context={"status": "submitted", "text": AWKWARD}) for m in built.outbox)
    return attrs.evolve(built, outbox=messages)


@pytest.fixture
def store(store_url: str) -> Iterator[SqlComplaintStore]:
    """A SQL store with no complaints, on each backend in turn."""
    opened = SqlComplaintStore(store_url)
    yield opened
    opened.close()


@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tables the store copied rows into (a spy on the driver's COPY)."""
    tables: list[str] = []
    original = _sql_driver.Session.copy_rows

    def spy(self: _sql_driver.Session, table: str, columns: Any, rows: Any) -> None:
        tables.append(table)
        original(self, table, columns, rows)

    monkeypatch.setattr(_sql_driver.Session, "copy_rows", spy)
    return tables


def test_a_large_batch_reads_back_exactly_as_saved(store: SqlComplaintStore, copies: list[str]) -> None:
    """A large batch reads back equal: complaints, histories, identities, messages, awkward text and all."""
    batch = [_awkward(n) for n in range(sql._COPY_FROM + 36)]
    store.save_many(batch)
    for changes in batch:
        tid = changes.complaint.tracking_id
        assert store.get(tid) == changes.complaint
        assert tuple(store.history(tid)) == changes.events
        assert changes.identity is not None
        assert store.identity(changes.identity.ref) == changes.identity
    assert list(store.pending_outbox(limit=1000)) == [m for changes in batch for m in changes.outbox]
    expected = ["lapor_complaints", "lapor_events", "lapor_outbox"] if store.dialect == "postgresql" else []
    assert copies == expected


def test_a_batch_below_the_copy_size_is_inserted(store: SqlComplaintStore, copies: list[str]) -> None:
    """Small batches (and every batch off PostgreSQL) use plain inserts."""
    batch = [_awkward(n) for n in range(sql._COPY_FROM - 1)]
    store.save_many(batch)
    assert copies == []
    assert len(store.query(ComplaintQuery(limit=1000)).items) == len(batch)


def test_a_large_batch_with_one_taken_tracking_id_stores_nothing(store: SqlComplaintStore) -> None:
    """One tracking ID that exists already fails the whole batch as a conflict naming it."""
    batch = [_awkward(n) for n in range(sql._COPY_FROM + 10)]
    taken = batch[37]
    store.save(taken)
    with pytest.raises(ConcurrencyConflict) as caught:
        store.save_many(batch)
    assert (caught.value.complaint_id, caught.value.actual_version) == (taken.complaint.tracking_id, 1)
    for changes in batch:
        if changes is not taken:
            with pytest.raises(NotFound):
                store.get(changes.complaint.tracking_id)
    assert len(store.pending_outbox(limit=1000)) == len(taken.outbox)


def test_a_row_postgresql_refuses_fails_the_copied_batch_without_its_text_in_the_error(
    clean_postgres_url: str,
) -> None:
    """A value COPY refuses fails the whole batch as a StorageError that names the failure, not the text.

    The value is a NUL character, which the desk's validation never lets through; nothing is stored.
    """
    store = SqlComplaintStore(clean_postgres_url)
    try:
        batch = [_awkward(n) for n in range(sql._COPY_FROM)]
        secret = "Siti Rahayu tinggal di Jl. Melati 7\x00"
        bad = attrs.evolve(batch[5].complaint, body=secret)
        batch[5] = attrs.evolve(batch[5], complaint=bad)
        with pytest.raises(StorageError) as caught:
            store.save_many(batch)
        assert not isinstance(caught.value, ConcurrencyConflict)
        assert "Melati" not in str(caught.value)
        assert store.query(ComplaintQuery()).items == ()
        assert store.pending_outbox() == ()
    finally:
        store.close()
