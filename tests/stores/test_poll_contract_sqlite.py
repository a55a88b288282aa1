"""The PollStore contract on SQLite: a file (WAL, synchronous=FULL) and a private in-memory database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

import lapor_core as lc
from lapor_core._domain.polls import PollDraft
from lapor_core._domain.ports import PollStore
from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.stores.sql._polls import SqlPollStore
from lapor_core.stores.sql._shared_polls import SharedSqlPollStore
from lapor_core.testing import FrozenClock
from lapor_core.testing.poll_contracts import PollStoreContract, make_poll


class TestSqliteFilePollStore(PollStoreContract):
    """The poll store contract on a SQLite file, opened from its URL."""

    @pytest.fixture
    def poll_store(self, sqlite_url: str) -> Iterator[PollStore]:
        """A SQL poll store on a new SQLite file."""
        store = SqlPollStore(sqlite_url)
        yield store
        store.close()


class TestSqliteMemoryPollStore(PollStoreContract):
    """The poll store contract on in-memory SQLite, sharing the complaint store's single connection."""

    @pytest.fixture
    def poll_store(self) -> Iterator[PollStore]:
        """A SQL poll store on the database of an in-memory SQL complaint store."""
        complaints = SqlComplaintStore("sqlite://")
        store = SqlPollStore(complaints)
        yield store
        store.close()
        complaints.close()


def test_a_desk_opened_on_a_sqlite_file_keeps_its_polls_there(sqlite_url: str) -> None:
    """ComplaintDesk.open(url) stores polls in the same database: they survive closing and reopening."""
    clock = FrozenClock(datetime(2026, 3, 17, 10, tzinfo=timezone(timedelta(hours=7))))
    pepper = "test pepper, 32 bytes of entropy!"
    officer = lc.Principal.institution_officer("off-7", institution="31.71")
    desk = lc.ComplaintDesk.open(sqlite_url, clock=clock, pepper=pepper)
    draft = PollDraft(
        "Setuju?", ["Ya", "Tidak"], clock.now(), clock.now() + timedelta(days=7), results="live"
    )
    poll_id = desk.create_poll(officer, draft)
    desk.open_poll(officer, poll_id)
    desk.vote(lc.Principal.citizen("warga-1", verified=True, region="31.71"), poll_id, ["Ya"])
    desk.close()
    reopened = lc.ComplaintDesk.open(sqlite_url, clock=clock, pepper=pepper)
    try:
        assert isinstance(reopened._ctx.polls, SharedSqlPollStore)  # opens SqlPollStore on first use
        assert reopened.poll(officer, poll_id).draft == draft
        assert reopened.poll_results(lc.Principal.public(), poll_id).total == 1
        assert isinstance(reopened._ctx.polls.store, SqlPollStore)
        receipt = reopened.vote(lc.Principal.citizen("warga-1", verified=True, region="31.71"), poll_id, [1])
        assert receipt.replaced
    finally:
        reopened.close()


def test_a_stored_poll_is_read_without_its_rules(sqlite_url: str) -> None:
    """A definition stored with the old "national" spelling, or with what today's rules refuse, reads back.

    Rows were validated when they were saved: reading them does not run the rules again, so a poll stays
    readable when the rules or the region table change (here: an unknown region, a bidi control).
    """
    store = SqlPollStore(sqlite_url)
    try:
        poll = make_poll(audience=["31"])
        store.save(poll, expected_version=0)
        engine = sa.create_engine(sqlite_url)
        try:
            for audience, question, expected in [
                ("national", poll.draft.question, None),
                (["31.79"], "Setuju\u202e?", ("31.79",)),
            ]:
                definition = {**poll.draft.to_dict(), "audience": audience, "question": question}
                with engine.begin() as connection:
                    connection.execute(
                        sa.text("UPDATE lapor_polls SET definition = :d WHERE id = :id"),
                        {"d": json.dumps(definition), "id": poll.id},
                    )
                stored = store.get(poll.id).draft
                assert (stored.audience, stored.question) == (expected, question)
                assert stored.options == poll.draft.options
        finally:
            engine.dispose()
    finally:
        store.close()
