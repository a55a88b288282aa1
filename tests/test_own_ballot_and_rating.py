"""Issue 21: a voter reads back their own choice (and nobody else's); a rating takes a comment, once."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lapor_core as lc
from desk_support import ADMIN, WIB, make_desk, officer, submission
from lapor_core.errors import PollNotAllowed
from lapor_core.stores.memory import InMemoryPollStore
from test_poll_desk import CLOSES, VOTING, citizen, draft, open_poll

# --- my_vote ------------------------------------------------------------------------------------------


def test_a_voter_reads_back_the_options_their_ballot_chose():
    """Before voting None; after, the labels recorded; after a second ballot, the second's."""
    desk, _, poll_id = open_poll(max_choices=2)
    voter = citizen(1)
    assert desk.my_vote(voter, poll_id) is None
    desk.vote(voter, poll_id, ["Ragu-ragu", "Setuju"])
    desk.vote(citizen(2), poll_id, ["Tidak setuju"])
    assert desk.my_vote(voter, poll_id) == ("Setuju", "Ragu-ragu")
    desk.vote(voter, poll_id, [1])
    assert desk.my_vote(voter, poll_id) == ("Tidak setuju",)
    assert desk.my_vote(citizen(2), poll_id) == ("Tidak setuju",)
    assert desk.my_vote(citizen(3), poll_id) is None


def test_a_voter_still_sees_their_choice_after_the_poll_closes_with_results_hidden():
    """An after-close poll hides results while open, but never the voter's own choice; nor after closing."""
    desk, clock, poll_id = open_poll(results="after_close")
    desk.vote(citizen(1), poll_id, ["Setuju"])
    with pytest.raises(PollNotAllowed):
        desk.poll_results(citizen(1), poll_id)
    assert desk.my_vote(citizen(1), poll_id) == ("Setuju",)
    clock.set(CLOSES.replace(day=CLOSES.day + 1))
    assert desk.my_vote(citizen(1), poll_id) == ("Setuju",)


@pytest.mark.parametrize(
    "principal",
    [
        lc.Principal.public(),
        ADMIN,
        officer(),
        lc.Principal.supervisor("ori-1"),
    ],
    ids=["public", "admin", "officer", "supervisor"],
)
def test_nobody_but_a_signed_in_citizen_reads_a_ballot(principal: lc.Principal):
    """The poll's owner and the admins cannot read ballots: the message comes from the catalogue."""
    desk, _, poll_id = open_poll()
    desk.vote(citizen(1), poll_id, ["Setuju"])
    with pytest.raises(PollNotAllowed) as caught:
        desk.my_vote(principal, poll_id)
    assert caught.value.reason == "poll.own_ballot_only"
    assert "pemilih sendiri" in caught.value.describe("id")


def test_my_vote_of_an_unknown_poll_or_a_draft_is_not_found_and_a_bad_id_is_refused():
    """Unknown polls and other institutions' drafts are NotFound; a non-string ID a ValidationError."""
    desk, _, _ = open_poll()
    with pytest.raises(lc.NotFound):
        desk.my_vote(citizen(1), "no-such-poll")
    draft_id = desk.create_poll(officer(), draft())
    with pytest.raises(lc.NotFound):
        desk.my_vote(citizen(1), draft_id)
    with pytest.raises(lc.NotFound):
        desk.my_vote(citizen(1), "bad id!")
    with pytest.raises(lc.ValidationError):
        desk.my_vote(citizen(1), 42)


def test_the_same_person_in_another_poll_has_no_ballot_there():
    """The ballot is found through a seal of (poll, person): one poll's vote says nothing of another."""
    desk, _, first = open_poll()
    second = desk.create_poll(officer(), draft())
    desk.open_poll(officer(), second)
    desk.vote(citizen(1), first, ["Setuju"])
    assert desk.my_vote(citizen(1), second) is None


def test_a_poll_store_without_ballot_of_is_a_configuration_error():
    """A store plugin written before ballot_of existed: a clear ConfigurationError, not an AttributeError."""

    class OldStore(InMemoryPollStore):
        ballot_of = None  # type: ignore[assignment]

    desk, clock = make_desk(poll_store=OldStore())
    poll_id = desk.create_poll(officer(), draft())
    desk.open_poll(officer(), poll_id)
    clock.set(VOTING)
    desk.vote(citizen(1), poll_id, ["Setuju"])
    with pytest.raises(lc.ConfigurationError, match="ballot_of"):
        desk.my_vote(citizen(1), poll_id)


# --- rate ---------------------------------------------------------------------------------------------


def _closed(desk: lc.ComplaintDesk) -> tuple[str, lc.Principal]:
    receipt = desk.submit(submission())
    tid = receipt.tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(officer(), tid, "Sudah ditambal.")
    reporter = desk.authenticate(tid, receipt.access_key)
    desk.close_complaint(reporter, tid)
    return tid, reporter


def test_a_rating_with_a_comment_shows_the_comment_on_the_timeline():
    """The comment is the rating's message, stripped; the rating is on the view."""
    desk, _ = make_desk()
    tid, reporter = _closed(desk)
    view = desk.rate(reporter, tid, 4, comment="  Cepat, tapi kurang rapi.  ")
    assert view.rating == 4
    rated = [entry for entry in view.timeline if entry.action is lc.Action.RATE]
    assert [entry.message for entry in rated] == ["Cepat, tapi kurang rapi."]
    public = desk.view(lc.Principal.public(), tid)
    assert [e.message for e in public.timeline if e.action is lc.Action.RATE] == ["Cepat, tapi kurang rapi."]


@pytest.mark.parametrize("comment", [None, "", "   "])
def test_a_rating_without_a_comment_records_no_message(comment: str | None):
    """No comment, or a blank one, records the rating alone."""
    desk, _ = make_desk()
    tid, reporter = _closed(desk)
    view = desk.rate(reporter, tid, 2, comment=comment)
    assert view.rating == 2
    assert [e.message for e in view.timeline if e.action is lc.Action.RATE] == [None]


def test_a_second_rating_is_refused_in_the_catalogues_words_and_changes_nothing():
    """Once given, a rating stays: a second is a ValidationError on ``rating`` whatever its value."""
    desk, _ = make_desk()
    tid, reporter = _closed(desk)
    desk.rate(reporter, tid, 5)
    version = desk.store.get(tid).version
    for stars in (1, 5):
        with pytest.raises(lc.ValidationError) as caught:
            desk.rate(reporter, tid, stars, comment="Ubah.")
        assert [(e.field, e.code) for e in caught.value.errors] == [("rating", "rating.already_given")]
        assert caught.value.errors[0].message("id") == "penilaian sudah diberikan dan tidak dapat diubah"
    assert desk.store.get(tid).rating == 5
    assert desk.store.get(tid).version == version


def test_a_bad_rating_and_a_bad_comment_are_reported_together_before_anything_is_read():
    """Out of range and a 501-character comment: both fields named; an unknown ID is not even looked up."""
    desk, _ = make_desk()
    with pytest.raises(lc.ValidationError) as caught:
        desk.rate(lc.Principal.public(), "0000-0000-0", 0, comment="x" * 501)
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("rating", "rating.out_of_range"),
        ("comment", "text.too_long"),
    ]


@pytest.mark.parametrize(
    ("comment", "code"),
    [
        ("Bagus\u202eukes", "text.bidi_control"),
        ("Bagus\x00", "text.control_characters"),
        (42, "value.not_string"),
    ],
)
def test_a_comment_follows_the_free_text_rules(comment: object, code: str):
    """Bidirectional overrides, control characters and non-strings are refused, on ``comment``."""
    desk, _ = make_desk()
    tid, reporter = _closed(desk)
    with pytest.raises(lc.ValidationError) as caught:
        desk.rate(reporter, tid, 3, comment=comment)  # type: ignore[arg-type]
    assert [(e.field, e.code) for e in caught.value.errors] == [("comment", code)]
    assert desk.store.get(tid).rating is None


def test_a_comment_of_exactly_500_characters_is_taken():
    """The limit is inclusive."""
    desk, _ = make_desk()
    tid, reporter = _closed(desk)
    desk.rate(reporter, tid, 3, comment="a" * 500)
    assert desk.store.get(tid).rating == 3


def test_only_the_reporter_rates_and_only_after_closing():
    """An officer is not allowed; an open complaint cannot be rated yet."""
    desk, _ = make_desk(datetime(2026, 3, 17, 10, tzinfo=WIB))
    receipt = desk.submit(submission())
    reporter = desk.authenticate(receipt.tracking_id, receipt.access_key)
    with pytest.raises(lc.TransitionNotAllowed):
        desk.rate(reporter, receipt.tracking_id, 4)
    tid, _ = _closed(desk)
    with pytest.raises(lc.NotAllowed):
        desk.rate(officer(), tid, 4)


@settings(max_examples=30, deadline=None)
@given(stars=st.integers(-5, 10), comment=st.text(max_size=600))
def test_a_rating_is_taken_exactly_when_its_stars_and_comment_are_valid(stars: int, comment: str):
    """Hypothesis: whatever is sent, either it is stored as sent (stripped) or nothing changes."""
    desk, _ = make_desk()
    tid, reporter = _closed(desk)
    try:
        view = desk.rate(reporter, tid, stars, comment=comment)
    except lc.ValidationError:
        assert desk.store.get(tid).rating is None
        return
    assert 1 <= stars <= 5
    assert view.rating == stars
    assert len(comment.strip()) <= 500
    messages = [e.message for e in view.timeline if e.action is lc.Action.RATE]
    assert messages == [comment.strip() or None]
