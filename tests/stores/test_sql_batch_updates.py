"""A batch of compare-and-set updates in ``save_many`` (the sweep's path) on every SQL backend.

The updates run as one ``executemany``; a version check that fails shows as fewer rows updated than asked,
and the conflict must still name the first changeset that lost, with the version the store holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import pytest

from lapor_core._domain.lifecycle import Action, Status
from lapor_core._domain.ports import Changeset
from lapor_core.errors import ConcurrencyConflict
from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.stores.sql import _complaints as sql
from lapor_core.stores.sql import _driver as _sql_driver
from lapor_core.testing.builders import new_complaint, next_changeset


@pytest.fixture
def store(store_url: str) -> Iterator[SqlComplaintStore]:
    """A SQL store with no complaints, on each backend in turn."""
    opened = SqlComplaintStore(store_url)
    yield opened
    opened.close()


def _stored(store: SqlComplaintStore, count: int) -> list[Changeset]:
    saved = [new_complaint() for _ in range(count)]
    store.save_many(saved)
    return saved


def _breach(saved: Changeset) -> Changeset:
    return next_changeset(saved.complaint, saved.events, Action.BREACH, outbox=2)


def test_a_batch_of_updates_is_saved_whole(store: SqlComplaintStore) -> None:
    """Every update of the batch lands, with its event and messages."""
    saved = _stored(store, 5)
    batch = [_breach(s) for s in saved]
    store.save_many(batch)
    for changes in batch:
        tid = changes.complaint.tracking_id
        assert store.get(tid) == changes.complaint
        assert [e.action for e in store.history(tid)][-1] is Action.BREACH
    assert len(store.pending_outbox(limit=100)) == 5 + 5 * 2


def test_a_stale_update_in_the_middle_fails_the_batch_and_is_named(store: SqlComplaintStore) -> None:
    """The first update whose version moved on is the conflict; nothing of the batch is stored."""
    saved = _stored(store, 5)
    batch = [_breach(s) for s in saved]
    store.save(batch[3])  # somebody else changed the fourth complaint first
    before = {s.complaint.tracking_id: store.get(s.complaint.tracking_id) for s in saved}
    with pytest.raises(ConcurrencyConflict) as caught:
        store.save_many(batch)
    conflict = caught.value
    assert (conflict.complaint_id, conflict.expected_version, conflict.actual_version) == (
        batch[3].complaint.tracking_id,
        1,
        2,
    )
    assert {tid: store.get(tid) for tid in before} == before
    assert len(store.pending_outbox(limit=100)) == 5 + 2


def test_a_complaint_changed_twice_in_one_batch_is_checked_against_its_own_earlier_change(
    store: SqlComplaintStore,
) -> None:
    """Two changesets of one complaint in a batch chain their versions; a stale second one is named."""
    (saved,) = _stored(store, 1)
    first = _breach(saved)
    second = next_changeset(first.complaint, first.events, Action.REMIND)
    store.save_many([first, second])
    assert store.get(saved.complaint.tracking_id).version == 3
    third = next_changeset(second.complaint, second.events, Action.CLOSE, status=Status.CLOSED)
    stale = attrs.evolve(next_changeset(third.complaint, third.events), expected_version=9)
    with pytest.raises(ConcurrencyConflict) as caught:
        store.save_many([third, stale])
    assert (caught.value.expected_version, caught.value.actual_version) == (9, 4)
    assert store.get(saved.complaint.tracking_id).version == 3


def test_a_complaint_missing_from_the_store_is_a_conflict_naming_it(store: SqlComplaintStore) -> None:
    """An update of a complaint the store does not hold matches no row: a conflict with no version."""
    saved = _stored(store, 2)
    ghost = new_complaint()
    batch = [_breach(saved[0]), _breach(ghost), _breach(saved[1])]
    with pytest.raises(ConcurrencyConflict) as caught:
        store.save_many(batch)
    assert (caught.value.complaint_id, caught.value.actual_version) == (ghost.complaint.tracking_id, None)


def test_a_large_batch_of_updates_copies_its_events_and_messages_on_postgresql(
    store: SqlComplaintStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the copy size on, PostgreSQL receives a batch's events and messages by COPY; others insert."""
    tables: list[str] = []
    original = _sql_driver.Session.copy_rows

    def spy(self: _sql_driver.Session, table: str, columns: Any, rows: Any) -> None:
        tables.append(table)
        original(self, table, columns, rows)

    saved = _stored(store, sql._COPY_FROM)
    monkeypatch.setattr(_sql_driver.Session, "copy_rows", spy)
    batch = [_breach(s) for s in saved]
    store.save_many(batch)
    assert tables == (["lapor_events", "lapor_outbox"] if store.dialect == "postgresql" else [])
    for changes in batch:
        assert tuple(store.history(changes.complaint.tracking_id))[-1] == changes.events[-1]
    assert len(store.pending_outbox(limit=1000)) == sql._COPY_FROM * 3
