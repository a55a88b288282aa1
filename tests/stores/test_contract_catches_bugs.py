"""The store contract fails stores that break the port's promises: it is a test that can fail."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import attrs
import pytest

from lapor_core._domain.ports import Changeset, ComplaintQuery, Order, Page
from lapor_core.errors import ConcurrencyConflict, TransitionNotAllowed
from lapor_core.stores.memory import InMemoryComplaintStore
from lapor_core.testing.contracts import StoreContract


class _IgnoresVersions(InMemoryComplaintStore):
    """Saves whatever version it is given: a lost-update bug."""

    def save(self, changes: Changeset) -> None:
        current = self._complaints.get(changes.complaint.tracking_id)
        super().save(
            Changeset(
                changes.complaint,
                current.version if current else 0,
                changes.events,
                changes.outbox,
                changes.identity,
            )
        )


class _EndlessPages(InMemoryComplaintStore):
    """Ignores the cursor and always claims there is another page."""

    def query(self, query: ComplaintQuery) -> Page:
        page = super().query(attrs.evolve(query, cursor=None))
        return Page(items=page.items, next_cursor="more")


def test_contract_fails_a_store_that_loses_updates() -> None:
    """A store that ignores the expected version fails the stale-version test."""
    contract = StoreContract()
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        contract.test_stale_version_raises_concurrency_conflict_and_changes_nothing(_IgnoresVersions())


def test_contract_fails_a_store_whose_pagination_never_ends() -> None:
    """A store whose cursor never runs out fails the pagination test instead of hanging it."""
    contract = StoreContract()
    with pytest.raises(AssertionError, match="pagination does not end"):
        contract.test_pagination_visits_every_match_exactly_once(_EndlessPages(), Order.SUBMITTED_ASC)


def test_contract_without_its_fixture_fails_with_a_message(tmp_path: Path) -> None:
    """Subclassing the contract without overriding ``store`` fails every test, saying what to do."""
    (tmp_path / "test_forgot.py").write_text(
        textwrap.dedent(
            """
            from lapor_core.testing.contracts import StoreContract

            class TestForgotten(StoreContract):
                pass
            """
        )
    )
    # A plugin author's own run: no Django project configured by this suite's other tests.
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(  # our own interpreter and a file we wrote
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "protocol", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
        env=env,
    )
    assert result.returncode != 0
    assert "must override the `store` fixture" in result.stdout


class _ForgetsKeys(InMemoryComplaintStore):
    """Claims the idempotency capability but never stores a key: every repeat is a new complaint."""

    def save(self, changes: Changeset) -> None:
        super().save(attrs.evolve(changes, idempotency=None))


class _ChecksKeysOutsideTheLock(InMemoryComplaintStore):
    """Looks the key up, then saves: two writers can both find it free (a check-then-act race)."""

    def save(self, changes: Changeset) -> None:
        record = changes.idempotency
        if record is not None and self.find_idempotency_key(record.key_hash) is not None:
            raise ConcurrencyConflict(
                complaint_id=changes.complaint.tracking_id, expected_version=0, actual_version=None
            )
        time.sleep(0.02)  # the window in which another writer finds the key free too
        super().save(attrs.evolve(changes, idempotency=None))
        if record is not None:
            with self._lock:
                self._idempotency[record.key_hash] = record


def test_contract_fails_a_store_that_forgets_idempotency_keys() -> None:
    """A store that drops the key record stores a second complaint for a repeat: the contract sees it."""
    contract = StoreContract()
    with pytest.raises(AssertionError):
        contract.test_same_idempotency_key_twice_stores_one_complaint_and_repeats_the_receipt(_ForgetsKeys())


def test_contract_fails_a_store_whose_key_check_is_not_atomic_with_the_save() -> None:
    """Eight threads with one key find a check-then-save store storing several complaints."""
    contract = StoreContract()
    with pytest.raises(AssertionError):
        contract.test_threads_racing_with_one_idempotency_key_store_one_complaint(_ChecksKeysOutsideTheLock())


class _KeysOnlyNewComplaints(InMemoryComplaintStore):
    """Keeps the key of a new complaint but ignores one saved with an update (a reply's message ID)."""

    def save(self, changes: Changeset) -> None:
        if changes.expected_version != 0:
            changes = attrs.evolve(changes, idempotency=None)
        super().save(changes)


def test_contract_fails_a_store_that_ignores_the_key_of_an_update() -> None:
    """A store that keys only submissions lets a message delivered twice act twice: both checks fail.

    In the race the second delivery, finding no key, tries to answer the hold again and is refused.
    """
    contract = StoreContract()
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        contract.test_a_taken_key_refuses_a_whole_update(_KeysOnlyNewComplaints())
    with pytest.raises(TransitionNotAllowed):
        contract.test_threads_racing_with_one_message_key_record_one_reply(_KeysOnlyNewComplaints())


class _RawKeywords(InMemoryComplaintStore):
    """Looks for the keywords in the raw title and body, as a naive ``LIKE`` would: no folding."""

    def query(self, query: ComplaintQuery) -> Page:
        text = query.filters.text
        page = super().query(attrs.evolve(query, filters=attrs.evolve(query.filters, text=None)))
        if text is None:
            return page
        kept = [c for c in page.items if all(w in f"{c.title} {c.body}" for w in text.split(" "))]
        return Page(items=tuple(kept), next_cursor=page.next_cursor)


class _IgnoresOwners(InMemoryComplaintStore):
    """Answers an owner filter with every owner's complaints."""

    def query(self, query: ComplaintQuery) -> Page:
        return super().query(attrs.evolve(query, filters=attrs.evolve(query.filters, owner_hash=None)))


def test_contract_fails_a_store_that_does_not_fold_keywords() -> None:
    """Keywords looked for in the raw text miss "LAMPU" in "Lampu", and the contract says so (issue 21)."""
    with pytest.raises(AssertionError):
        StoreContract().test_query_finds_every_keyword_in_the_title_or_the_body(_RawKeywords())


def test_contract_fails_a_store_that_ignores_owners() -> None:
    """A store listing another citizen's complaints as "mine" fails the owner test (issue 21)."""
    with pytest.raises(AssertionError):
        StoreContract().test_query_filters_by_owner(_IgnoresOwners())
