"""The store contract fails stores that break the port's promises: it is a test that can fail."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import attrs
import pytest

from lapor_core._domain.ports import Changeset, ComplaintQuery, Order, Page
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
    result = subprocess.run(  # our own interpreter and a file we wrote
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "protocol", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode != 0
    assert "must override the `store` fixture" in result.stdout
