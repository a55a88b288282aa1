"""Merging a duplicate into its original (issue 22): rules, refusals, privacy, atomicity, on both stores."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import lapor_core as lc
from desk_support import ADMIN, PEPPER, WIB, drive_to, officer, submission
from lapor_core.plugins import Changeset
from lapor_core.testing import FrozenClock

A, A1 = "31.71", "dinas-pu"


class RacingStore:
    """A store whose next ``save_many`` first runs another command (a second admin, at the same moment)."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.before_save: Callable[[], object] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def save_many(self, batch: Sequence[Changeset]) -> None:
        hook, self.before_save = self.before_save, None
        if hook is not None:
            hook()
        self._store.save_many(batch)


class StoreWithoutSaveMany:
    """The wrapped store without ``save_many`` (as a third-party store may be)."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        if name == "save_many":
            raise AttributeError(name)
        return getattr(self._store, name)


@pytest.fixture(params=["memory", "sqlite"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[lc.ComplaintDesk]:
    """An in-memory or SQLite desk on a frozen clock (the two stores must agree)."""
    clock = FrozenClock(datetime(2026, 3, 17, 10, tzinfo=WIB))
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'lapor.db'}"
    with lc.ComplaintDesk.open(url, clock=clock, pepper=PEPPER) as opened:
        yield opened


def _submit(desk: lc.ComplaintDesk, state: str = "submitted", **fields: Any) -> lc.Receipt:
    receipt = desk.submit(submission(**fields))
    drive_to(desk, receipt.tracking_id, receipt.access_key, state, institution=A, unit=A1)
    return receipt


def _reporter(desk: lc.ComplaintDesk, receipt: lc.Receipt) -> lc.Principal:
    return desk.authenticate(receipt.tracking_id, receipt.access_key)


# --- the happy path ----------------------------------------------------------------------------------------
def test_a_merged_duplicate_is_closed_and_follows_the_original(desk):
    """The duplicate is merged (terminal); its reporter's view shows merged_into and the original's state."""
    original = _submit(desk, "forwarded")
    duplicate = _submit(desk)

    view = desk.merge(ADMIN, duplicate.tracking_id, into=original.tracking_id)

    assert (view.status, view.summary, view.merged_into) == (
        lc.Status.MERGED,
        lc.Summary.DONE,
        original.tracking_id,
    )
    followed = desk.view(_reporter(desk, duplicate), duplicate.tracking_id)
    assert followed.merged_into == original.tracking_id
    assert followed.original == desk.view(lc.Principal.public(), original.tracking_id)
    assert followed.original is not None
    assert followed.original.status is lc.Status.FORWARDED
    desk.assign(officer(A), original.tracking_id, A1)
    later = desk.view(_reporter(desk, duplicate), duplicate.tracking_id).original
    assert later is not None
    assert later.status is lc.Status.ASSIGNED


def test_the_original_counts_the_duplicate_as_one_supporter(desk):
    """Support goes up by one per merged duplicate, beside citizens' support."""
    original = _submit(desk, "forwarded")
    desk.support(lc.Principal.citizen("warga-1"), original.tracking_id)
    for _ in range(2):
        duplicate = _submit(desk)
        desk.merge(ADMIN, duplicate.tracking_id, into=original.tracking_id)
    assert desk.view(lc.Principal.public(), original.tracking_id).support_count == 3


def test_both_histories_record_the_merge_and_verify(desk):
    """The duplicate records ``merge`` (into), the original ``absorb`` (duplicate); both chains verify."""
    original, duplicate = _submit(desk, "forwarded"), _submit(desk)
    desk.merge(ADMIN, duplicate.tracking_id, into=original.tracking_id)

    merged = desk.history(ADMIN, duplicate.tracking_id)[-1]
    absorbed = desk.history(ADMIN, original.tracking_id)[-1]
    assert (merged.action, dict(merged.payload)) == (lc.Action.MERGE, {"into": original.tracking_id})
    assert (absorbed.action, dict(absorbed.payload)) == (
        lc.Action.ABSORB,
        {"duplicate": duplicate.tracking_id},
    )
    assert merged.actor.user_id == absorbed.actor.user_id == "adm-1"
    assert desk.verify_history(duplicate.tracking_id).ok
    assert desk.verify_history(original.tracking_id).ok


def test_the_duplicates_reporter_is_told_through_the_outbox(desk):
    """One ``merge`` message to the duplicate's reporter, rendered with the original's tracking ID."""
    original, duplicate = _submit(desk, "forwarded"), _submit(desk)
    desk.merge(ADMIN, duplicate.tracking_id, into=original.tracking_id)
    queued = [m for m in desk.store.pending_outbox(limit=1000) if m.event is lc.Action.MERGE]
    assert [(m.tracking_id, m.recipient_role) for m in queued] == [(duplicate.tracking_id, "reporter")]
    from lapor_core._domain.notifications import Address, NotificationRenderer

    complaint = desk.store.get(duplicate.tracking_id)
    rendered = NotificationRenderer().render(
        queued[0], complaint, desk.store.history(duplicate.tracking_id), None, Address.parse("mailto:s@x.id")
    )
    assert isinstance(rendered, lc.plugins.Notification)
    assert f"digabung ke laporan {original.tracking_id}" in rendered.message.subject


def test_merges_chain_and_the_view_follows_them_to_the_end(desk):
    """A merged into B, then B into C: A's reporter follows C."""
    a, b, c = _submit(desk), _submit(desk), _submit(desk, "forwarded")
    desk.merge(ADMIN, a.tracking_id, into=b.tracking_id)
    desk.merge(ADMIN, b.tracking_id, into=c.tracking_id)
    followed = desk.view(_reporter(desk, a), a.tracking_id)
    assert followed.merged_into == b.tracking_id
    assert followed.original is not None
    assert followed.original.tracking_id == c.tracking_id


# --- flags are never weakened -------------------------------------------------------------------------------
def test_a_confidential_duplicate_stays_confidential_when_merged_into_a_public_complaint(desk):
    """Its flag stays set and no one but its reporter and the admins learns it exists."""
    original = _submit(desk, "forwarded")
    duplicate = _submit(desk, confidential=True, anonymous=True)
    desk.merge(ADMIN, duplicate.tracking_id, into=original.tracking_id)

    stored = desk.store.get(duplicate.tracking_id)
    assert (stored.confidential, stored.anonymous) == (True, True)
    for outsider in (
        lc.Principal.public(),
        lc.Principal.citizen("warga-1"),
        lc.Principal.supervisor("ori-1"),
        officer(A),
    ):
        with pytest.raises(lc.NotFound):
            desk.view(outsider, duplicate.tracking_id)
    original_view = desk.view(lc.Principal.public(), original.tracking_id)
    assert original_view.confidential is False
    assert desk.view(ADMIN, duplicate.tracking_id).reporter == lc.ReporterView(name="Anonim")


def test_merging_a_published_duplicate_unpublishes_it(desk):
    """A forwarded duplicate leaves the public and its institution: the public follows the original."""
    original, duplicate = _submit(desk, "forwarded"), _submit(desk, "forwarded")
    desk.merge(ADMIN, duplicate.tracking_id, into=original.tracking_id)
    with pytest.raises(lc.NotFound):
        desk.view(lc.Principal.public(), duplicate.tracking_id)
    with pytest.raises(lc.NotFound):
        desk.view(officer(A), duplicate.tracking_id)
    assert desk.view(officer(A), original.tracking_id).tracking_id == original.tracking_id


def test_the_original_of_a_merge_into_a_confidential_complaint_is_not_shown(desk):
    """The duplicate's reporter sees only what the public sees of the original: nothing when rahasia."""
    original = _submit(desk, "forwarded", confidential=True)
    duplicate = _submit(desk)
    desk.merge(ADMIN, duplicate.tracking_id, into=original.tracking_id)
    followed = desk.view(_reporter(desk, duplicate), duplicate.tracking_id)
    assert (followed.merged_into, followed.original) == (original.tracking_id, None)
    assert desk.store.get(original.tracking_id).confidential is True


# --- refusals ----------------------------------------------------------------------------------------------
def _codes(error: lc.ValidationError) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in error.errors]


def test_merging_into_itself_is_refused(desk):
    """``merge.into_itself``, whatever the spelling of the ID; nothing is saved."""
    duplicate = _submit(desk)
    with pytest.raises(lc.ValidationError) as caught:
        desk.merge(ADMIN, duplicate.tracking_id, into=duplicate.tracking_id.replace("-", "").lower())
    assert _codes(caught.value) == [("into", "merge.into_itself")]
    assert desk.store.get(duplicate.tracking_id).version == 1


def test_merging_into_a_merged_complaint_names_where_to_merge_instead(desk):
    """Into a merged complaint: ``merge.into_merged`` with the complaint it was merged into."""
    a, b, c = _submit(desk), _submit(desk), _submit(desk)
    desk.merge(ADMIN, a.tracking_id, into=b.tracking_id)
    with pytest.raises(lc.ValidationError) as caught:
        desk.merge(ADMIN, c.tracking_id, into=a.tracking_id)
    assert _codes(caught.value) == [("into", "merge.into_merged")]
    assert caught.value.errors[0].params == {"original": b.tracking_id}
    assert b.tracking_id in caught.value.errors[0].message("id")


def test_a_merge_back_across_a_cycle_is_refused(desk):
    """A into B, then B into A: A is merged, so the cycle cannot close; B stays open."""
    a, b = _submit(desk), _submit(desk)
    desk.merge(ADMIN, a.tracking_id, into=b.tracking_id)
    with pytest.raises(lc.ValidationError) as caught:
        desk.merge(ADMIN, b.tracking_id, into=a.tracking_id)
    assert _codes(caught.value) == [("into", "merge.into_merged")]
    assert desk.store.get(b.tracking_id).status is lc.Status.SUBMITTED


@pytest.mark.parametrize("state", ["closed", "archived"])
def test_a_finished_duplicate_cannot_be_merged(desk, state):
    """Only an open complaint is merged: closed and archived ones raise TransitionNotAllowed."""
    original, duplicate = _submit(desk, "forwarded"), _submit(desk, state)
    with pytest.raises(lc.TransitionNotAllowed):
        desk.merge(ADMIN, duplicate.tracking_id, into=original.tracking_id)
    assert desk.store.get(original.tracking_id).supporters == frozenset()


def test_a_merged_duplicate_cannot_be_merged_again(desk):
    """Merged is terminal."""
    a, b, c = _submit(desk), _submit(desk), _submit(desk)
    desk.merge(ADMIN, a.tracking_id, into=b.tracking_id)
    with pytest.raises(lc.TransitionNotAllowed):
        desk.merge(ADMIN, a.tracking_id, into=c.tracking_id)


def test_nothing_is_merged_into_an_archived_complaint(desk):
    """An archived original refuses (TransitionNotAllowed); a closed one takes the duplicate in."""
    archived, closed = _submit(desk, "archived"), _submit(desk, "closed")
    duplicate = _submit(desk)
    with pytest.raises(lc.TransitionNotAllowed):
        desk.merge(ADMIN, duplicate.tracking_id, into=archived.tracking_id)
    desk.merge(ADMIN, duplicate.tracking_id, into=closed.tracking_id)
    assert len(desk.store.get(closed.tracking_id).supporters) == 1


def test_only_admins_merge(desk):
    """Reporters, officers, supervisors and citizens are refused, as NotAllowed or NotFound."""
    original, duplicate = _submit(desk, "forwarded"), _submit(desk, "forwarded")
    for who, error in (
        (_reporter(desk, duplicate), lc.NotAllowed),
        (officer(A), lc.NotAllowed),
        (lc.Principal.supervisor("ori-1"), lc.NotAllowed),
        (lc.Principal.citizen("warga-1"), lc.NotAllowed),
        (lc.Principal.public(), lc.NotAllowed),
    ):
        with pytest.raises(error):
            desk.merge(who, duplicate.tracking_id, into=original.tracking_id)
    hidden = _submit(desk)  # unpublished: an officer may not know it exists
    with pytest.raises(lc.NotFound):
        desk.merge(officer(A), hidden.tracking_id, into=original.tracking_id)
    assert desk.store.get(duplicate.tracking_id).status is lc.Status.FORWARDED


def test_unknown_ids_are_not_found_and_bad_ones_are_named(desk):
    """Unknown duplicate or original: NotFound; a non-text ``into``: ValidationError naming ``into``."""
    known = _submit(desk)
    unknown = str(lc.TrackingId.new())
    with pytest.raises(lc.NotFound):
        desk.merge(ADMIN, unknown, into=known.tracking_id)
    with pytest.raises(lc.NotFound):
        desk.merge(ADMIN, known.tracking_id, into=unknown)
    with pytest.raises(lc.ValidationError) as caught:
        desk.merge(ADMIN, known.tracking_id, into=42)
    assert [e.field for e in caught.value.errors] == ["into"]
    with pytest.raises(lc.InvalidTrackingId):
        desk.merge(ADMIN, known.tracking_id, into="not a tracking id")
    with pytest.raises(lc.ValidationError):
        desk.merge("admin", known.tracking_id, into=unknown)
    assert desk.store.get(known.tracking_id).version == 1


# --- atomicity and races ----------------------------------------------------------------------------------
def test_opposite_merges_at_the_same_moment_cannot_make_a_cycle(desk):
    """A into B racing B into A: the second finds both versions moved and saves nothing (no cycle)."""
    a, b = _submit(desk), _submit(desk)
    racing = RacingStore(desk.store)
    desk._ctx.store = racing
    racing.before_save = lambda: desk.merge(ADMIN, b.tracking_id, into=a.tracking_id)

    with pytest.raises(lc.ConcurrencyConflict):
        desk.merge(ADMIN, a.tracking_id, into=b.tracking_id)

    first, second = desk.store.get(a.tracking_id), desk.store.get(b.tracking_id)
    assert (first.status, second.status, second.merged_into) == (
        lc.Status.SUBMITTED,
        lc.Status.MERGED,
        a.tracking_id,
    )
    assert [e.action for e in desk.store.history(a.tracking_id)] == [lc.Action.SUBMIT, lc.Action.ABSORB]
    assert desk.verify_history(a.tracking_id).ok
    assert desk.verify_history(b.tracking_id).ok


def test_a_stale_original_saves_neither_complaint(desk):
    """The original changed after it was read (a reply): the duplicate is not merged either."""
    original, duplicate = _submit(desk, "followed_up"), _submit(desk)
    racing = RacingStore(desk.store)
    desk._ctx.store = racing
    racing.before_save = lambda: desk.reply(ADMIN, original.tracking_id, "Mohon dicek lagi.")
    with pytest.raises(lc.ConcurrencyConflict):
        desk.merge(ADMIN, duplicate.tracking_id, into=original.tracking_id)
    assert desk.store.get(duplicate.tracking_id).status is lc.Status.SUBMITTED
    assert desk.store.get(original.tracking_id).supporters == frozenset()
    assert not [m for m in desk.store.pending_outbox(limit=1000) if m.event is lc.Action.MERGE]


def test_a_store_without_save_many_refuses_to_merge(desk):
    """No order of two separate saves is safe, so such a store cannot merge; nothing is read or saved."""
    a, b = _submit(desk), _submit(desk)
    desk._ctx.store = StoreWithoutSaveMany(desk.store)
    with pytest.raises(lc.ConfigurationError):
        desk.merge(ADMIN, a.tracking_id, into=b.tracking_id)
    assert {desk.store.get(t).version for t in (a.tracking_id, b.tracking_id)} == {1}


# --- statistics --------------------------------------------------------------------------------------------
def test_statistics_count_a_matter_once_and_say_how_many_were_merged(desk):
    """Two duplicates merged into one original: the admins count 1 and 2 merged; the public, 1 and 0."""
    original = _submit(desk, "forwarded")
    for _ in range(2):
        desk.merge(ADMIN, _submit(desk).tracking_id, into=original.tracking_id)
    assert desk.stats(ADMIN) == [{"count": 1, "merged": 2, "suppressed": False}]
    assert desk.stats(ADMIN, group_by="status") == [
        {"status": "forwarded", "count": 1, "merged": 0, "suppressed": False},
        {"status": "merged", "count": 0, "merged": 2, "suppressed": False},
    ]
    # Merged duplicates are unpublished: the public neither counts nor learns of them.
    assert desk.stats(lc.Principal.public()) == [{"count": 1, "merged": 0, "suppressed": False}]
