"""The IntegrationStore on memory, SQLite, PostgreSQL and MariaDB: registrations and claimed event IDs."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

import lapor_core as lc
from lapor_core.plugins import IntegrationRecord, IntegrationStore
from lapor_core.stores.memory import InMemoryIntegrationStore
from lapor_core.stores.sql import SqlIntegrationStore

AT = datetime(2026, 3, 17, 3, tzinfo=UTC)
SALT, OTHER_SALT = "ab" * 32, "cd" * 32


_URL_FIXTURE = {"sqlite": "sqlite_url", "postgresql": "clean_postgres_url", "mariadb": "clean_mariadb_url"}


@pytest.fixture(
    params=[
        "memory",
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.services),
        pytest.param("mariadb", marks=pytest.mark.services),
    ]
)
def store(request: pytest.FixtureRequest) -> Iterator[IntegrationStore]:
    """An empty integration store: in memory, and on each SQL backend."""
    if request.param == "memory":
        yield InMemoryIntegrationStore()
        return
    url: str = request.getfixturevalue(_URL_FIXTURE[request.param])
    sql = SqlIntegrationStore(url)
    try:
        yield sql
    finally:
        sql.close()


def _record(institution: str = "31.71", **changes: object) -> IntegrationRecord:
    fields: dict[str, object] = {
        "institution": institution,
        "endpoint": "https://sipp.jakarta.example/lapor",
        "salt": SALT,
        "previous_salt": None,
        "created_at": AT,
        "rotated_at": AT,
    } | changes
    return IntegrationRecord(**fields)  # type: ignore[arg-type]


def test_a_registration_reads_back_as_stored_and_is_replaced_whole(store):
    """put, then get and list; a second put replaces it (a rotation)."""
    store.put_integration(_record())
    store.put_integration(_record("73.71", endpoint=None))
    assert store.integration("31.71") == _record()
    rotated = _record(salt=OTHER_SALT, previous_salt=SALT, rotated_at=AT + timedelta(days=1))
    store.put_integration(rotated)
    assert store.integration("31.71") == rotated
    assert [r.institution for r in store.integrations()] == ["31.71", "73.71"]
    assert store.integration("32.73") is None


def test_removing_forgets_the_registration_and_its_events(store):
    """remove: True once, then False; its claimed events go with it."""
    store.put_integration(_record())
    store.claim_event("31.71", "evt-1", AT)
    assert store.remove_integration("31.71")
    assert not store.remove_integration("31.71")
    assert store.claim_event("31.71", "evt-1", AT) is None


def test_an_event_is_claimed_once_and_repeats_get_its_answer(store):
    """First claim None; a repeat "" while unsettled, then the settled answer; per institution."""
    assert store.claim_event("31.71", "evt-1", AT) is None
    assert store.claim_event("31.71", "evt-1", AT) == ""
    store.settle_event("31.71", "evt-1", '{"status": 200}')
    assert store.claim_event("31.71", "evt-1", AT) == '{"status": 200}'
    assert store.claim_event("73.71", "evt-1", AT) is None


def test_a_released_claim_can_be_claimed_again_but_a_settled_one_stays(store):
    """Release forgets only an unsettled claim."""
    store.claim_event("31.71", "evt-1", AT)
    store.release_event("31.71", "evt-1")
    assert store.claim_event("31.71", "evt-1", AT) is None
    store.settle_event("31.71", "evt-1", "done")
    store.release_event("31.71", "evt-1")
    assert store.claim_event("31.71", "evt-1", AT) == "done"


def test_pruning_forgets_events_claimed_before_the_instant(store):
    """Events older than ``before`` go; younger ones stay."""
    store.claim_event("31.71", "old", AT)
    store.claim_event("31.71", "new", AT + timedelta(hours=2))
    assert store.prune_events(AT + timedelta(hours=1)) == 1
    assert store.claim_event("31.71", "old", AT) is None
    assert store.claim_event("31.71", "new", AT) == ""


def test_eight_threads_claiming_one_event_let_exactly_one_through(store):
    """The claim is atomic: one None, seven answers."""
    barrier = threading.Barrier(8)
    results: list[str | None] = []
    lock = threading.Lock()

    def claim() -> None:
        barrier.wait()
        outcome = store.claim_event("31.71", "evt-race", AT)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(None) == 1
    assert len(results) == 8


@pytest.mark.parametrize("instant", [datetime(2026, 3, 17), "2026-03-17", None])  # noqa: DTZ001 - naive on purpose
def test_a_naive_or_missing_instant_is_a_validation_error(store, instant):
    """Instants are aware datetimes, on every backend."""
    with pytest.raises(lc.ValidationError):
        store.claim_event("31.71", "evt-1", instant)
    with pytest.raises(lc.ValidationError):
        store.prune_events(instant)
