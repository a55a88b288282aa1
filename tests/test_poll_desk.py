"""Polls through the desk: who may create, manage, vote and read results, and when."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest

import lapor_core as lc
from desk_support import ADMIN, WIB, make_desk, officer
from lapor_core._application import polls as poll_commands
from lapor_core._domain.polls import (
    BallotCast,
    CastOutcome,
    Poll,
    PollAction,
    PollDraft,
    PollState,
    Tally,
)
from lapor_core.errors import PollNotAllowed, PollTransitionNotAllowed
from lapor_core.plugins import Actor
from lapor_core.stores.memory import InMemoryPollStore
from lapor_core.testing import FrozenClock

OPENS = datetime(2026, 3, 18, 8, tzinfo=WIB)
CLOSES = datetime(2026, 3, 25, 8, tzinfo=WIB)
VOTING = datetime(2026, 3, 20, 12, tzinfo=WIB)


def draft(**overrides: Any) -> PollDraft:
    """A three-option poll over 18-25 March 2026, with ``overrides`` applied to its dict form."""
    data: dict[str, Any] = {
        "question": "Setujukah Anda car free day diperluas ke Jalan Thamrin?",
        "description": "Usulan Dinas Perhubungan.",
        "options": ["Setuju", "Tidak setuju", "Ragu-ragu"],
        "max_choices": 1,
        "audience": "national",
        "opens_at": OPENS.isoformat(),
        "closes_at": CLOSES.isoformat(),
        "results": "live",
    }
    data.update(overrides)
    return PollDraft.from_dict(data)


def citizen(n: int | str = 1, region: str | None = "31.71.01", *, verified: bool = True) -> lc.Principal:
    """A signed-in citizen."""
    return lc.Principal.citizen(f"warga-{n}", verified=verified, region=region)


def open_poll(**overrides: Any) -> tuple[lc.ComplaintDesk, FrozenClock, str]:
    """A desk with one opened poll of Kota Jakarta Pusat (31.71), the clock inside its window."""
    desk, clock = make_desk()
    poll_id = desk.create_poll(officer(), draft(**overrides))
    desk.open_poll(officer(), poll_id)
    clock.set(VOTING)
    return desk, clock, poll_id


def tally_of(desk: lc.ComplaintDesk, poll_id: str) -> Tally:
    """The poll's counters, read straight from the store (white box)."""
    store = desk._ctx.polls
    assert store is not None
    return store.tally(poll_id)


# --- creating and managing -------------------------------------------------------------------------------


def test_officer_creates_opens_and_citizens_vote_and_read_live_results():
    """The whole happy path through the public API, as an integrator writes it."""
    desk, _, poll_id = open_poll()
    for n, choice in enumerate(["Setuju"] * 12 + ["Tidak setuju"] * 5 + [2] * 3):
        desk.vote(citizen(n), poll_id, [choice])
    results = desk.poll_results(lc.Principal.public(), poll_id)
    assert results.total == 20
    assert [(o.label, o.votes) for o in results.options] == [
        ("Setuju", 12),
        ("Tidak setuju", 5),
        ("Ragu-ragu", 3),
    ]
    assert results.options[0].share == pytest.approx(0.6)
    assert results.options[0].ci_low < 0.6 < results.options[0].ci_high
    assert not results.closed
    assert results.as_of == VOTING


def test_created_poll_is_a_draft_owned_by_the_officers_institution():
    """create_poll returns an ID; the poll is a draft of the officer's institution, creation recorded."""
    desk, _ = make_desk()
    poll_id = desk.create_poll(officer("73.71"), draft())
    poll = desk.poll(officer("73.71"), poll_id)
    assert (poll.id, poll.institution, poll.state) == (poll_id, "73.71", PollState.DRAFT)
    assert [c.action for c in poll.history] == [PollAction.CREATE]
    assert poll.history[0].actor == Actor("institution", "off-7", "73.71")


@pytest.mark.parametrize(
    "principal",
    [
        ADMIN,
        citizen(),
        lc.Principal.public(),
        lc.Principal.unit_officer("u-1", institution="31.71", unit="dinas-pu"),
    ],
    ids=["admin", "citizen", "public", "unit"],
)
def test_only_institution_officers_create_polls(principal: lc.Principal):
    """Admins, citizens, the public and unit staff cannot create a poll."""
    desk, _ = make_desk()
    with pytest.raises(PollNotAllowed) as caught:
        desk.create_poll(principal, draft())
    assert caught.value.reason == "poll.create_not_officer"
    assert desk.polls(ADMIN) == ()


@pytest.mark.parametrize("bad", [{"question": "Q?"}, None, "draft"])
def test_create_poll_wants_a_poll_draft(bad: object):
    """A dict or anything else instead of a PollDraft is a validation error."""
    desk, _ = make_desk()
    with pytest.raises(lc.ValidationError) as caught:
        desk.create_poll(officer(), bad)  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {"draft": ("poll.draft_type",)}


def test_draft_is_known_only_to_its_institution_and_admins():
    """Others get NotFound for a draft, exactly as for an unknown poll."""
    desk, _ = make_desk()
    poll_id = desk.create_poll(officer(), draft())
    assert desk.poll(ADMIN, poll_id).state is PollState.DRAFT
    for outsider in (officer("32.73"), citizen(), lc.Principal.public()):
        with pytest.raises(lc.NotFound) as hidden:
            desk.poll(outsider, poll_id)
        with pytest.raises(lc.NotFound) as unknown:
            desk.poll(outsider, "0000000000000000")
        assert str(hidden.value).replace(poll_id, "?") == str(unknown.value).replace("0000000000000000", "?")
    assert [p.id for p in desk.polls(lc.Principal.public())] == []
    assert [p.id for p in desk.polls(officer())] == [poll_id]


def test_draft_is_edited_by_its_institution_with_the_change_recorded():
    """Editing a draft replaces its definition and records the changed fields."""
    desk, _ = make_desk()
    poll_id = desk.create_poll(officer(), draft())
    edited = desk.edit_poll(officer(), poll_id, draft(options=["Ya", "Tidak"]))
    assert edited.draft.options == ("Ya", "Tidak")
    assert desk.poll(officer(), poll_id).history[-1].payload_dict()["options"]["to"] == ["Ya", "Tidak"]


def test_open_poll_is_managed_only_by_its_institution_and_admins():
    """Another institution's officer may see an open poll but not extend or close it."""
    desk, _, poll_id = open_poll()
    other = officer("32.73")
    assert desk.poll(other, poll_id).state is PollState.OPEN
    with pytest.raises(PollNotAllowed) as caught:
        desk.close_poll(other, poll_id)
    assert caught.value.reason == "poll.manage_not_owner"
    with pytest.raises(PollNotAllowed):
        desk.extend_poll(citizen(), poll_id, CLOSES + timedelta(days=1))
    assert desk.close_poll(ADMIN, poll_id).state is PollState.CLOSED


def test_open_poll_cannot_be_edited():
    """Once open, a poll is only extended or closed early."""
    desk, _, poll_id = open_poll()
    with pytest.raises(lc.TransitionNotAllowed):
        desk.edit_poll(officer(), poll_id, draft(question="Pertanyaan lain?"))
    assert desk.poll(officer(), poll_id).draft.question.startswith("Setujukah")


def test_extension_keeps_the_poll_open_past_its_old_closing_time():
    """After extending by a week, a vote a day after the old closing time counts."""
    desk, clock, poll_id = open_poll()
    desk.extend_poll(officer(), poll_id, (CLOSES + timedelta(days=7)).isoformat())
    clock.set(CLOSES + timedelta(days=1))
    desk.vote(citizen(), poll_id, [0])
    assert tally_of(desk, poll_id).ballots == 1
    actions = [c.action for c in desk.poll(officer(), poll_id).history]
    assert actions == [PollAction.CREATE, PollAction.OPEN, PollAction.EXTEND]


def test_closing_early_stops_voting():
    """A vote after close_poll is refused and changes nothing."""
    desk, _, poll_id = open_poll()
    desk.vote(citizen(1), poll_id, [0])
    desk.close_poll(officer(), poll_id)
    with pytest.raises(PollTransitionNotAllowed) as caught:
        desk.vote(citizen(2), poll_id, [0])
    assert caught.value.state == "closed"
    assert tally_of(desk, poll_id).ballots == 1


def test_unknown_and_malformed_poll_ids_are_not_found():
    """Every poll command gives NotFound for an unknown or malformed ID, ValidationError for a non-string."""
    desk, _ = make_desk()
    for poll_id in ("0123456789abcdef", "not a poll id!", ""):
        with pytest.raises(lc.NotFound):
            desk.poll_results(lc.Principal.public(), poll_id)
        with pytest.raises(lc.NotFound):
            desk.vote(citizen(), poll_id, [0])
        with pytest.raises(lc.NotFound):
            desk.open_poll(officer(), poll_id)
    with pytest.raises(lc.ValidationError):
        desk.poll(ADMIN, 42)


# --- voting ----------------------------------------------------------------------------------------------


def test_vote_receipt_names_what_was_recorded():
    """The receipt gives the poll, the chosen labels and whether it replaced an earlier ballot."""
    desk, _, poll_id = open_poll(max_choices=2)
    receipt = desk.vote(citizen(), poll_id, ["tidak SETUJU ", 0])
    assert (receipt.poll_id, receipt.choices, receipt.replaced) == (
        poll_id,
        ("Setuju", "Tidak setuju"),
        False,
    )


def test_second_vote_replaces_the_first_while_open():
    """The same person voting again moves their ballot; the total stays one."""
    desk, _, poll_id = open_poll()
    desk.vote(citizen(), poll_id, ["Setuju"])
    receipt = desk.vote(citizen(region="32.73"), poll_id, ["Ragu-ragu"])
    assert receipt.replaced
    tally = tally_of(desk, poll_id)
    assert (tally.ballots, tally.votes) == (1, (0, 0, 1))
    assert [code for code, _ in tally.regions] == ["32", "32.73"]


def test_second_vote_is_refused_when_the_poll_says_so():
    """With revote "refuse" a second vote is an error and the first ballot stays."""
    desk, _, poll_id = open_poll(revote="refuse")
    desk.vote(citizen(), poll_id, ["Setuju"])
    with pytest.raises(PollNotAllowed) as caught:
        desk.vote(citizen(), poll_id, ["Ragu-ragu"])
    assert caught.value.reason == "poll.vote_already_cast"
    assert tally_of(desk, poll_id).votes == (1, 0, 0)


def test_one_person_is_one_voter_whatever_the_region_or_channel():
    """The voter is the account: the same account from another region replaces, another account adds."""
    desk, _, poll_id = open_poll()
    desk.vote(citizen(7, "31.71"), poll_id, [0])
    desk.vote(citizen(7, "73.71"), poll_id, [0])
    desk.vote(citizen(8, "31.71"), poll_id, [0])
    assert tally_of(desk, poll_id).ballots == 2


@pytest.mark.parametrize(
    ("principal", "reason"),
    [
        (citizen(verified=False), "poll.vote_not_verified"),
        (officer(), "poll.vote_not_citizen"),
        (ADMIN, "poll.vote_not_citizen"),
        (lc.Principal.public(), "poll.vote_not_citizen"),
    ],
    ids=["unverified", "officer", "admin", "public"],
)
def test_only_verified_citizens_vote(principal: lc.Principal, reason: str):
    """Unverified accounts, staff and the public cannot vote; nothing is counted."""
    desk, _, poll_id = open_poll()
    with pytest.raises(PollNotAllowed) as caught:
        desk.vote(principal, poll_id, [0])
    assert caught.value.reason == reason
    assert tally_of(desk, poll_id) == Tally.empty(3)


@pytest.mark.parametrize("region", ["32.73", "31", None, "bukan kode"])
def test_voters_outside_a_regional_audience_are_refused(region: str | None):
    """A Jakarta Pusat poll refuses voters of Bandung, of Jakarta as a whole, and of unknown region."""
    desk, _, poll_id = open_poll(audience=["31.71"])
    with pytest.raises(PollNotAllowed) as caught:
        desk.vote(citizen(region=region), poll_id, [0])
    assert caught.value.reason == "poll.vote_outside_audience"
    assert tally_of(desk, poll_id).ballots == 0


def test_voters_inside_a_regional_audience_vote():
    """Districts and villages inside the audience's regions are admitted, dotted or not."""
    desk, _, poll_id = open_poll(audience=["31.71", "3273"])
    desk.vote(citizen(1, "3171010001"), poll_id, [0])
    desk.vote(citizen(2, "32.73.01"), poll_id, [1])
    assert tally_of(desk, poll_id).ballots == 2


def test_votes_before_the_opening_time_are_refused():
    """An opened poll whose window has not started refuses votes as not yet open."""
    desk, clock = make_desk()
    poll_id = desk.create_poll(officer(), draft())
    with pytest.raises(lc.NotFound):
        desk.vote(citizen(), poll_id, [0])
    desk.open_poll(officer(), poll_id)
    clock.set(OPENS - timedelta(microseconds=1))
    with pytest.raises(PollTransitionNotAllowed) as caught:
        desk.vote(citizen(), poll_id, [0])
    assert caught.value.state == "not yet open"
    clock.set(OPENS)
    desk.vote(citizen(), poll_id, [0])


def test_votes_at_or_after_the_closing_time_are_refused():
    """The closing instant itself is too late."""
    desk, clock, poll_id = open_poll()
    clock.set(CLOSES)
    with pytest.raises(PollTransitionNotAllowed):
        desk.vote(citizen(), poll_id, [0])


@pytest.mark.parametrize(
    ("choices", "errors"),
    [
        (["Mungkin"], [("choices[0]", "poll.choice_unknown")]),
        ([3], [("choices[0]", "poll.choice_unknown")]),
        ([-1], [("choices[0]", "poll.choice_unknown")]),
        ([0, 1], [("choices", "poll.choices_over_max")]),
        ([], [("choices", "poll.choices_empty")]),
        ([0, "Setuju"], [("choices[1]", "poll.choice_repeated"), ("choices", "poll.choices_over_max")]),
        ([True], [("choices[0]", "poll.choice_wrong_type")]),
        ([1.0], [("choices[0]", "poll.choice_wrong_type")]),
        (
            [None, {"a": 1}],
            [("choices[0]", "poll.choice_wrong_type"), ("choices[1]", "poll.choice_wrong_type")],
        ),
        ("Setuju", [("choices", "poll.choices_not_list")]),
        (0, [("choices", "poll.choices_not_list")]),
        ({"Setuju": True}, [("choices", "poll.choices_not_list")]),
        (range(10**20), [("choices", "poll.choices_not_list")]),
        (list(range(21)), [("choices", "poll.choices_too_many")]),
        (["x" * 10_000_000], [("choices[0]", "poll.choice_unknown")]),
    ],
    ids=lambda value: repr(value)[:40],
)
def test_bad_choices_are_refused_and_change_nothing(choices: object, errors: list[tuple[str, str]]):
    """Unknown options, too many, none, repeats and wrong types are validation errors; nothing counts."""
    desk, _, poll_id = open_poll()
    with pytest.raises(lc.ValidationError) as caught:
        desk.vote(citizen(), poll_id, choices)
    assert [(e.field, e.code) for e in caught.value.errors] == errors
    assert tally_of(desk, poll_id) == Tally.empty(3)


def test_multiple_choice_accepts_up_to_max_choices():
    """A poll with max_choices 2 takes two options and refuses three."""
    desk, _, poll_id = open_poll(max_choices=2)
    desk.vote(citizen(1), poll_id, [0, 2])
    with pytest.raises(lc.ValidationError) as caught:
        desk.vote(citizen(2), poll_id, [0, 1, 2])
    (error,) = caught.value.errors
    assert (error.field, error.code, dict(error.params)) == ("choices", "poll.choices_over_max", {"max": 2})
    tally = tally_of(desk, poll_id)
    assert (tally.ballots, tally.votes) == (1, (1, 0, 1))


def test_a_poll_changed_between_check_and_cast_is_checked_again():
    """When the poll changes under a vote (here: extended), the vote is re-checked and then counted."""

    class ExtendingStore(InMemoryPollStore):
        """Extends the poll right before the first cast, as a concurrent officer would."""

        def __init__(self) -> None:
            super().__init__()
            self.extended = False

        def cast(self, cast: BallotCast) -> CastOutcome:
            if not self.extended:
                self.extended = True
                poll = self.get(cast.poll_id)
                later = poll.extended(CLOSES + timedelta(days=1), Actor("admin", "adm-1"), VOTING)
                self.save(later, expected_version=poll.version)
            return super().cast(cast)

    store = ExtendingStore()
    desk, clock = make_desk(poll_store=store)
    poll_id = desk.create_poll(officer(), draft())
    desk.open_poll(officer(), poll_id)
    clock.set(VOTING)
    assert not desk.vote(citizen(), poll_id, [0]).replaced
    assert store.extended
    assert store.tally(poll_id).ballots == 1


def test_a_poll_that_keeps_changing_under_a_vote_gives_up_with_a_conflict():
    """If every attempt meets a changed poll, the vote raises ConcurrencyConflict and counts nothing."""

    class AlwaysStale(InMemoryPollStore):
        """Once ``stale`` is set, reports every poll one version older than it is, so every cast is stale."""

        stale = False

        def get(self, poll_id: str) -> Poll:
            poll = super().get(poll_id)
            return attrs.evolve(poll, history=poll.history[:-1]) if self.stale else poll

    store = AlwaysStale()
    desk, clock = make_desk(poll_store=store)
    poll_id = desk.create_poll(officer(), draft())
    desk.open_poll(officer(), poll_id)
    desk.extend_poll(officer(), poll_id, CLOSES + timedelta(days=1))
    clock.set(VOTING)
    store.stale = True
    with pytest.raises(lc.ConcurrencyConflict):
        desk.vote(citizen(), poll_id, [0])
    assert store.recount(poll_id).ballots == 0


# --- results ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reader",
    [officer(), ADMIN, lc.Principal.public(), citizen(), lc.Principal.supervisor("ombudsman-1")],
    ids=["owner", "admin", "public", "citizen", "supervisor"],
)
def test_after_close_results_are_hidden_from_everyone_until_the_poll_closes(reader: lc.Principal):
    """Not the owner, not an admin: nobody reads after_close results, nor their total, while voting runs."""
    desk, clock, poll_id = open_poll(results="after_close")
    desk.vote(citizen(), poll_id, [0])
    with pytest.raises(PollNotAllowed) as caught:
        desk.poll_results(reader, poll_id)
    assert caught.value.reason == "poll.results_hidden"
    clock.set(CLOSES)
    assert desk.poll_results(reader, poll_id).total == 1


def test_after_close_results_appear_when_closed_early():
    """Closing by hand publishes after_close results at once, marked final."""
    desk, _, poll_id = open_poll(results="after_close")
    desk.vote(citizen(), poll_id, [1])
    desk.close_poll(officer(), poll_id)
    results = desk.poll_results(lc.Principal.public(), poll_id)
    assert results.closed
    assert [o.votes for o in results.options] == [0, 1, 0]


def test_a_draft_has_no_results():
    """Its institution is told it is a draft; everyone else that it does not exist."""
    desk, _ = make_desk()
    poll_id = desk.create_poll(officer(), draft())
    with pytest.raises(PollTransitionNotAllowed):
        desk.poll_results(officer(), poll_id)
    with pytest.raises(lc.NotFound):
        desk.poll_results(lc.Principal.public(), poll_id)


def test_breakdowns_show_regions_with_enough_ballots_only():
    """Jakarta Pusat (40 ballots) is shown; Bandung (4) is not, nor Makassar, whose counts would reveal it."""
    desk, _, poll_id = open_poll()
    for n in range(40):
        desk.vote(citizen(n, "31.71.01"), poll_id, [n % 2])
    for n in range(40, 70):
        desk.vote(citizen(n, "73.71"), poll_id, [n % 2])
    for n in range(70, 74):
        desk.vote(citizen(n, "32.73.01"), poll_id, [2])
    results = desk.poll_results(lc.Principal.public(), poll_id)
    assert [(row.region, row.total) for row in results.by_province] == [("31", 40)]
    assert [(row.region, row.total) for row in results.by_regency] == [("31.71", 40)]
    cells = [v for row in (*results.by_province, *results.by_regency) for v in (row.total, *row.votes)]
    assert all(v is None or v >= 10 for v in cells)


def test_with_two_provinces_hiding_one_hides_the_other():
    """Bandung's 4 ballots are hidden, so Jakarta's are too: national minus Jakarta would give Bandung."""
    desk, _, poll_id = open_poll()
    for n in range(40):
        desk.vote(citizen(n, "31.71.01"), poll_id, [n % 2])
    for n in range(40, 44):
        desk.vote(citizen(n, "32.73.01"), poll_id, [2])
    results = desk.poll_results(lc.Principal.public(), poll_id)
    assert results.total == 44
    assert results.by_province == results.by_regency == ()


def test_the_suppression_threshold_is_a_desk_option():
    """A desk with poll_threshold=3 shows a region of four ballots."""
    desk, clock = make_desk(poll_threshold=3)
    poll_id = desk.create_poll(officer(), draft())
    desk.open_poll(officer(), poll_id)
    clock.set(VOTING)
    for n in range(4):
        desk.vote(citizen(n, "32.73"), poll_id, [0])
    for n in range(4, 10):
        desk.vote(citizen(n, "31.71"), poll_id, [1])
    results = desk.poll_results(lc.Principal.public(), poll_id)
    assert results.threshold == 3
    assert [(row.region, row.total) for row in results.by_province] == [("31", 6), ("32", 4)]


@pytest.mark.parametrize("threshold", [0, -5, 2.5, True, "10"])
def test_a_bad_threshold_is_a_configuration_error(threshold: object):
    """The threshold is a whole number of at least 1."""
    with pytest.raises(lc.ConfigurationError):
        make_desk(poll_threshold=threshold)


@pytest.mark.parametrize("threshold", [0, 2.5, "10"])
def test_the_results_command_checks_its_threshold_before_reading(threshold: object):
    """The command refuses a bad threshold with a code, before it looks the poll up (even an unknown one)."""
    desk, _, poll_id = open_poll()
    for poll in (poll_id, "no-such-poll"):
        with pytest.raises(lc.ValidationError) as caught:
            poll_commands.poll_results(desk._ctx, lc.Principal.public(), poll, threshold=threshold)  # type: ignore[arg-type]
        assert caught.value.fields_by_name == {"threshold": ("poll.threshold_invalid",)}


def test_verify_recounts_a_closed_poll():
    """After closing, the owner's recount agrees with the counters; before, there is nothing to verify."""
    desk, _, poll_id = open_poll()
    for n in range(30):
        desk.vote(citizen(n), poll_id, [n % 3])
    desk.vote(citizen(0), poll_id, [1])
    with pytest.raises(PollTransitionNotAllowed):
        desk.verify_poll(officer(), poll_id)
    desk.close_poll(officer(), poll_id)
    audit = desk.verify_poll(ADMIN, poll_id)
    assert audit.ok
    with pytest.raises(PollNotAllowed):
        desk.verify_poll(citizen(), poll_id)


def test_desk_uses_the_poll_store_it_is_given():
    """poll_store= injects the store; the default is a fresh in-memory one per desk."""
    store = InMemoryPollStore()
    desk, _ = make_desk(poll_store=store)
    poll_id = desk.create_poll(officer(), draft())
    assert store.get(poll_id).id == poll_id
    other, _ = make_desk()
    with pytest.raises(lc.NotFound):
        other.poll(ADMIN, poll_id)


def test_polls_lists_what_each_principal_may_see_by_opening_time():
    """The public sees open polls; the owner also its drafts; a filter by institution applies."""
    desk, _ = make_desk()
    later = desk.create_poll(officer(), draft(opens_at=(OPENS + timedelta(days=1)).isoformat()))
    earlier = desk.create_poll(officer("32.73"), draft())
    hidden = desk.create_poll(officer(), draft())
    desk.open_poll(officer(), later)
    desk.open_poll(officer("32.73"), earlier)
    assert [p.id for p in desk.polls(lc.Principal.public())] == [earlier, later]
    assert [p.id for p in desk.polls(officer(), institution="31.71")] == [hidden, later]
    with pytest.raises(lc.ValidationError):
        desk.polls(ADMIN, institution=31)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("institution", "code"),
    [(31, "value.not_string"), ("3" * 65, "text.too_long"), ("31.71\u202e", "text.bidi_control")],
    ids=["number", "too-long", "bidi"],
)
def test_the_institution_filter_is_read_by_the_text_rule(institution: object, code: str):
    """The filter is one line of text, like a complaint query's; the refusal names the argument."""
    desk, _ = make_desk()
    with pytest.raises(lc.ValidationError) as caught:
        desk.polls(ADMIN, institution=institution)  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {"institution": (code,)}


def test_a_blank_institution_filter_is_no_filter():
    """Blank text means "not given", as in a complaint query: every institution's polls are listed."""
    desk, _ = make_desk()
    ours = desk.create_poll(officer(), draft())
    theirs = desk.create_poll(officer("32.73"), draft())
    assert {p.id for p in desk.polls(ADMIN, institution="  ")} == {ours, theirs}
    assert [p.id for p in desk.polls(ADMIN, institution=" 32.73 ")] == [theirs]


def test_a_bad_draft_and_bad_choices_are_refused_before_anything_is_read():
    """The desk checks its arguments first: an unknown poll ID does not hide a bad argument."""
    desk, _ = make_desk()
    with pytest.raises(lc.ValidationError) as caught:
        desk.edit_poll(officer(), "no-such-poll", {"question": "Q?"})  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {"draft": ("poll.draft_type",)}
    with pytest.raises(lc.ValidationError) as caught:
        desk.vote(citizen(), "no-such-poll", [0, None])
    assert caught.value.fields_by_name == {"choices[1]": ("poll.choice_wrong_type",)}


def test_editing_a_draft_without_a_change_saves_nothing():
    """The same definition again leaves the poll and its version as they were."""
    desk, _ = make_desk()
    poll_id = desk.create_poll(officer(), draft())
    assert desk.edit_poll(officer(), poll_id, draft()).version == 1
    assert desk.poll(officer(), poll_id).version == 1


def test_a_repeated_random_poll_id_is_drawn_again(monkeypatch: pytest.MonkeyPatch):
    """Poll IDs never overwrite: a repeat is drawn again, and five repeats in a row give up."""
    from lapor_core._application import polls as poll_commands

    draws = iter(["a" * 16, "a" * 16, "b" * 16])
    monkeypatch.setattr(poll_commands.secrets, "token_hex", lambda _: next(draws))
    desk, _ = make_desk()
    assert desk.create_poll(officer(), draft()) == "a" * 16
    assert desk.create_poll(officer(), draft()) == "b" * 16
    monkeypatch.setattr(poll_commands.secrets, "token_hex", lambda _: "a" * 16)
    with pytest.raises(lc.ConcurrencyConflict):
        desk.create_poll(officer(), draft())
    assert [p.id for p in desk.polls(ADMIN)] == ["a" * 16, "b" * 16]


def test_a_desk_context_without_a_poll_store_says_so():
    """The application services refuse to run polls without a store, with a configuration error."""
    from lapor_core._application import polls as poll_commands

    desk, _ = make_desk()
    context = attrs.evolve(desk._ctx, polls=None)
    with pytest.raises(lc.ConfigurationError, match="poll_store"):
        poll_commands.create_poll(context, officer(), draft())
