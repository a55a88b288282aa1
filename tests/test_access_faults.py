"""Fault injection: when the policy lookup or the identity store fails, the result is a denial, never data."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

import pytest

import lapor_core as lc
from desk_support import ADMIN, PEPPER, WIB, make_desk, officer, submission
from lapor_core._application import kernel
from lapor_core._domain import access
from lapor_core._domain.access import Decision, Relation
from lapor_core._domain.complaint import ReporterIdentity
from lapor_core.plugins import ComplaintStore
from lapor_core.stores.memory import InMemoryComplaintStore
from lapor_core.testing import FrozenClock

NAME, EMAIL = "Kanari Gangguan", "kanari.gangguan@canary.example"


class BrokenMatrix(Mapping[Any, Any]):
    """A policy table whose every lookup raises, as a corrupted or half-loaded table might."""

    def __getitem__(self, key: object) -> Any:
        raise RuntimeError("policy table unavailable")

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return 0


@pytest.fixture
def handled() -> tuple[lc.ComplaintDesk, str, lc.Principal]:
    """A named, public complaint assigned to a unit, and its reporter's principal."""
    desk, _ = make_desk()
    receipt = desk.submit(submission(reporter={"name": NAME, "email": EMAIL}))
    tid = receipt.tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.assign(officer(), tid, "dinas-pu")
    return desk, tid, desk.authenticate(tid, receipt.access_key)


def _everyone(reporter: lc.Principal) -> list[lc.Principal]:
    return [
        ADMIN,
        reporter,
        officer(),
        lc.Principal.unit_officer("u", institution="31.71", unit="dinas-pu"),
        lc.Principal.supervisor("ombudsman"),
        lc.Principal.citizen("warga"),
        lc.Principal.public(),
    ]


def _assert_everything_denied(desk: lc.ComplaintDesk, tid: str, reporter: lc.Principal) -> None:
    before = desk.store.get(tid)
    unknown = lc.NotFound(kind="complaint", key=tid)
    for principal in _everyone(reporter):
        for attempt in (
            lambda p=principal: desk.view(p, tid),
            lambda p=principal: desk.history(p, tid),
            lambda p=principal: desk.reveal_identity(p, tid, "Audit."),
            lambda p=principal: desk.follow_up(p, tid, "Selesai."),
            lambda p=principal: desk.reply(p, tid, "Belum."),
        ):
            with pytest.raises(lc.NotFound) as caught:
                attempt()
            assert (str(caught.value), caught.value.fields) == (str(unknown), unknown.fields)
        assert desk.complaints(principal).items == ()
    assert desk.store.get(tid) == before


def test_a_policy_table_that_raises_denies_everything_to_everyone(handled, monkeypatch):
    """Every lookup raising: views, history, reveal and commands are NotFound, listings are empty."""
    desk, tid, reporter = handled
    monkeypatch.setattr(access, "_MATRIX", BrokenMatrix())
    _assert_everything_denied(desk, tid, reporter)


def test_a_decide_function_that_raises_denies_everything(handled, monkeypatch):
    """The policy's binding to a complaint (access.policy_for) catches a failing decide() and denies."""
    desk, tid, reporter = handled

    def broken(*args: object, **kwargs: object) -> Decision:
        raise KeyError("policy")

    monkeypatch.setattr(access, "decide", broken)
    _assert_everything_denied(desk, tid, reporter)


def test_a_relation_lookup_that_raises_denies_everything(handled, monkeypatch):
    """When working out the principal's relation fails, nobody relates to the complaint at all."""
    desk, tid, reporter = handled

    def broken(*args: object, **kwargs: object) -> Relation:
        raise RuntimeError("directory down")

    monkeypatch.setattr(kernel, "relation_of", broken)
    _assert_everything_denied(desk, tid, reporter)


@pytest.mark.parametrize("junk", ["allow", None, 1, True])
def test_a_table_holding_junk_instead_of_decisions_denies(handled, monkeypatch, junk):
    """Values that are not Decision members (even the string "allow") never count as an allow."""
    desk, tid, reporter = handled
    monkeypatch.setattr(access, "_MATRIX", dict.fromkeys(access.policy_matrix(), junk))
    _assert_everything_denied(desk, tid, reporter)


def test_a_failing_keyed_hash_makes_the_reporter_the_public(handled, monkeypatch):
    """If the reporter's proof cannot be computed, the reporter is denied what only a reporter may see."""
    desk, tid, reporter = handled
    public_view = desk.view(lc.Principal.public(), tid)

    def broken(self: object, purpose: str, *parts: str) -> str:
        raise RuntimeError("pepper unavailable")

    monkeypatch.setattr(type(desk._ctx), "keyed_hash", broken)
    with pytest.raises(lc.NotFound):
        desk.view(reporter, tid)
    assert desk.view(lc.Principal.public(), tid) == public_view


class FailingIdentities(InMemoryComplaintStore):
    """A store whose identity records cannot be read (a separate, unavailable identity database)."""

    def identity(self, ref: str) -> ReporterIdentity | None:
        raise lc.StorageError("identity database unavailable")

    def identities(self, refs: Iterable[str]) -> dict[str, ReporterIdentity]:
        raise lc.StorageError("identity database unavailable")


class MixedUpIdentities(InMemoryComplaintStore):
    """A store that returns somebody else's identity record."""

    def identity(self, ref: str) -> ReporterIdentity | None:
        return ReporterIdentity(ref="someone-else", name="Orang Lain", email="lain@example.id")

    def identities(self, refs: Iterable[str]) -> dict[str, ReporterIdentity]:
        return {ref: ReporterIdentity(ref="someone-else", name="Orang Lain") for ref in refs}


def _desk_on(store: ComplaintStore) -> lc.ComplaintDesk:
    return lc.ComplaintDesk(
        store=store, clock=FrozenClock(datetime(2026, 3, 17, 10, tzinfo=WIB)), pepper=PEPPER
    )


@pytest.mark.parametrize("store_class", [FailingIdentities, MixedUpIdentities])
def test_an_identity_store_that_fails_or_lies_yields_views_without_identity(store_class):
    """Entitled readers get the case without reporter fields, marked withheld; no identity, no error."""
    desk = _desk_on(store_class())
    receipt = desk.submit(submission(reporter={"name": NAME, "email": EMAIL}))
    tid = receipt.tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    reporter = desk.authenticate(tid, receipt.access_key)
    for principal in (ADMIN, reporter, officer()):
        view = desk.view(principal, tid)
        assert view.title == "Jalan berlubang"
        assert view.reporter is None
        assert {"reporter_name", "reporter_contact"} <= view.withheld
    for item in desk.complaints(ADMIN).items:
        assert item.reporter is None
    assert desk.view(lc.Principal.public(), tid).reporter is None


def test_a_reveal_that_cannot_read_the_identity_fails_and_records_nothing():
    """The admin's recorded reveal raises the storage error; no identity, no history event."""
    desk = _desk_on(FailingIdentities())
    tid = desk.submit(submission(anonymous=True)).tracking_id
    before = len(desk.history(ADMIN, tid))
    with pytest.raises(lc.StorageError):
        desk.reveal_identity(ADMIN, tid, "Permintaan Ombudsman.")
    assert len(desk.history(ADMIN, tid)) == before


def test_without_faults_the_same_readers_do_get_the_identity(handled):
    """Control: the fault tests above deny data that is otherwise shown."""
    desk, tid, reporter = handled
    for principal in (ADMIN, reporter, officer()):
        assert desk.view(principal, tid).reporter.email == EMAIL
