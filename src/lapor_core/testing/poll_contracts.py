"""The contract every :class:`~lapor_core.plugins.PollStore` must pass, and builders for poll tests.

The built-in poll stores run :class:`PollStoreContract`, and so should yours: subclass it in a test module
with a ``Test`` name and override the one fixture ``poll_store`` so that it yields a new, empty store (and
closes it afterwards)::

    import pytest
    from lapor_core.testing.poll_contracts import PollStoreContract

    from my_package import MyPollStore


    class TestMyPollStore(PollStoreContract):
        @pytest.fixture
        def poll_store(self):
            store = MyPollStore(...)
            yield store
            store.close()

pytest collects only classes whose names start with ``Test``, so the contract never runs on its own. It
needs pytest and Hypothesis, which a test environment has; lapor_core does not depend on them.
"""

# A pytest suite speaks in asserts and literal expected values, and its Unicode samples are confusable on
# purpose: the rules against those do not apply to this module.
# ruff: noqa: RUF001

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lapor_core._domain.history import Actor
from lapor_core._domain.polls import (
    Ballot,
    BallotCast,
    CastOutcome,
    Poll,
    PollAction,
    PollDraft,
    ResultVisibility,
    RevotePolicy,
    Tally,
    count_ballots,
)
from lapor_core._domain.ports import PollStore
from lapor_core.errors import ConcurrencyConflict, NotFound, PollConflict, StorageError, ValidationError

__all__ = [
    "OFFICER",
    "PollStoreContract",
    "cast_concurrently",
    "make_cast",
    "make_poll",
    "voter_hash",
]

WIB = timezone(timedelta(hours=7), "WIB")
WITA = timezone(timedelta(hours=8), "WITA")
WIT = timezone(timedelta(hours=9), "WIT")
OPENS = datetime(2026, 4, 1, 8, 0, tzinfo=WIB)
CLOSES = datetime(2026, 4, 15, 8, 0, tzinfo=WIB)
FIRST_INSTANT = datetime(1000, 1, 1, tzinfo=UTC)
LAST_INSTANT = datetime(9998, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
OFFICER = Actor("institution", "off-7", "31.71")
"""The officer the builders record as creating and opening polls."""
WORKERS = 16

_ids = itertools.count(1)
_ids_lock = threading.Lock()


def _next_id() -> str:
    with _ids_lock:
        return f"poll-{next(_ids):06d}"


def make_poll(
    poll_id: str | None = None,
    *,
    options: int | Sequence[str] = 3,
    max_choices: int = 1,
    revote: RevotePolicy = RevotePolicy.REPLACE,
    institution: str = "31.71",
    opened: bool = True,
    **draft: object,
) -> Poll:
    """An open poll (or a draft) with ``options`` (a count or the labels); ``draft`` overrides other fields.

    Example:
        >>> poll = make_poll("p-1", options=2)
        >>> poll.id, poll.draft.options, poll.state.value, poll.version
        ('p-1', ('Pilihan 1', 'Pilihan 2'), 'open', 2)
    """
    fields: dict[str, object] = {
        "question": "Setujukah Anda dengan kebijakan ini?",
        "options": [f"Pilihan {i + 1}" for i in range(options)] if isinstance(options, int) else options,
        "opens_at": OPENS,
        "closes_at": CLOSES,
        "max_choices": max_choices,
        "revote": revote,
        **draft,
    }
    definition = PollDraft(**fields)  # type: ignore[arg-type]  # the keywords of PollDraft, checked by it
    poll = Poll.create(poll_id or _next_id(), institution, definition, OFFICER, OPENS - timedelta(days=1))
    return poll.opened(OFFICER, OPENS - timedelta(hours=1)) if opened else poll


def voter_hash(person: int | str) -> str:
    """A stand-in for the desk's keyed hash of a person (64 hex digits)."""
    return hashlib.sha256(f"voter:{person}".encode()).hexdigest()


def make_cast(
    poll: Poll,
    person: int | str,
    choices: Sequence[int] = (0,),
    province: str | None = "31",
    regency: str | None = "31.71",
    *,
    revote: RevotePolicy | None = None,
) -> BallotCast:
    """A cast of ``person``'s ballot in ``poll`` (against its current version), as the desk builds one."""
    seal = int(hashlib.sha256(f"seal:{person}".encode()).hexdigest()[:16], 16) >> 1
    return BallotCast(
        poll_id=poll.id,
        poll_version=poll.version,
        voter=voter_hash(person),
        seal=seal,
        ballot=Ballot(tuple(sorted(choices)), province, regency),
        revote=revote if revote is not None else poll.draft.revote,
    )


def cast_concurrently(
    store: PollStore, casts: Sequence[BallotCast], *, workers: int = WORKERS
) -> list[CastOutcome]:
    """Cast ``casts`` from ``workers`` threads released together by a barrier; the outcomes in order.

    Worker ``w`` casts ``casts[w]``, ``casts[w + workers]``... one after another.
    """
    workers = min(workers, len(casts))
    barrier = threading.Barrier(workers)
    outcomes: list[CastOutcome | None] = [None] * len(casts)

    def work(worker: int) -> None:
        barrier.wait(timeout=30)
        for index in range(worker, len(casts), workers):
            outcomes[index] = store.cast(casts[index])

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(work, w) for w in range(workers)]:
            future.result()
    return [outcome for outcome in outcomes if outcome is not None]


def _saved(store: PollStore, **fields: object) -> Poll:
    poll = make_poll(**fields)  # type: ignore[arg-type]  # keywords of make_poll
    store.save(poll, expected_version=0)
    return poll


def _reference(poll: Poll, casts: Sequence[BallotCast]) -> Tally:
    """What the counts must be after ``casts``: each voter's last accepted ballot (the specification)."""
    last: dict[str, Ballot] = {}
    for cast in casts:
        if cast.voter in last and cast.revote is RevotePolicy.REFUSE:
            continue
        last[cast.voter] = cast.ballot
    return count_ballots(len(poll.draft.options), last.values())


_Place = tuple[str | None, str | None]
_PLACES: tuple[_Place, ...] = (
    ("31", "31.71"),
    ("31", "31.72"),
    ("31", None),
    ("32", "32.73"),
    ("73", "73.71"),
    (None, None),
)
_casts = st.lists(
    st.tuples(
        st.integers(0, 7),  # person
        st.sets(st.integers(0, 3), min_size=1, max_size=2),  # choices
        st.sampled_from(_PLACES),
        st.sampled_from(RevotePolicy),
    ),
    max_size=30,
)


class PollStoreContract:
    """The :class:`~lapor_core.plugins.PollStore` contract, as a pytest class to subclass.

    Override the ``poll_store`` fixture to yield a new, empty store. Every test uses only the port's
    methods, so a store passes by behaving right, whatever it is built on.
    """

    @pytest.fixture
    def poll_store(self) -> Iterator[PollStore]:
        """Yield a new, empty poll store and close it afterwards; subclasses must override this."""
        pytest.fail(f"{type(self).__name__} must override the `poll_store` fixture of PollStoreContract")

    # -- polls --------------------------------------------------------------------------------------------

    def test_store_satisfies_the_protocol(self, poll_store: PollStore) -> None:
        """The store has every method of the PollStore protocol."""
        assert isinstance(poll_store, PollStore)

    def test_saved_poll_reads_back_equal(self, poll_store: PollStore) -> None:
        """What get returns equals the poll that was saved, with every optional field set."""
        poll = _saved(
            poll_store,
            description="Latar belakang:\n- jam belajar\n- transportasi 🚌",
            links=("https://example.go.id/naskah.pdf", "http://contoh.id/a?b=c&d=e"),
            audience=("31", "32.73", "73.71.01"),
            results="live",
            max_choices=2,
            revote=RevotePolicy.REFUSE,
        )
        assert poll_store.get(poll.id) == poll

    @pytest.mark.parametrize(
        "text",
        ["Jalan rusak di Cilandak — 🚧🕳️ parah!", "ꦗꦭꦤ꧀ ꦫꦸꦱꦏ꧀", "طريق مكسور", "道路破损", "𝕃𝔸ℙ𝕆ℝ 𝟙𝟟𝟘𝟠"],
    )
    def test_unicode_text_round_trips(self, poll_store: PollStore, text: str) -> None:
        """Questions and option labels in any script read back unchanged."""
        poll = _saved(poll_store, question=text, options=[text, text + " (tidak)"])
        assert poll_store.get(poll.id).draft == poll.draft

    @pytest.mark.parametrize("zone", [UTC, WIB, WITA, WIT], ids=["UTC", "WIB", "WITA", "WIT"])
    def test_aware_datetimes_round_trip_as_the_same_instants(
        self, poll_store: PollStore, zone: timezone
    ) -> None:
        """Opening, closing and history times in any offset read back as the same instants."""
        opens = datetime(2026, 4, 1, 23, 59, 59, 123_456, tzinfo=zone)
        poll = make_poll(opens_at=opens, closes_at=datetime(2099, 12, 31, 23, 59, 59, 999_999, tzinfo=zone))
        poll_store.save(poll, expected_version=0)
        stored = poll_store.get(poll.id)
        assert stored.draft.opens_at == opens
        assert stored.draft.opens_at.utcoffset() is not None
        assert [c.at for c in stored.history] == [c.at for c in poll.history]

    @pytest.mark.parametrize("hours", [-12, 0, 14], ids=["UTC-12", "UTC", "UTC+14"])
    def test_the_first_and_last_storable_instants_round_trip_in_any_offset(
        self, poll_store: PollStore, hours: int
    ) -> None:
        """A poll open from year 1000 to the end of 9998 (UTC), closed at its end, reads back the same."""
        zone = timezone(timedelta(hours=hours))
        first, last = FIRST_INSTANT.astimezone(zone), LAST_INSTANT.astimezone(zone)
        draft = make_poll(opened=False, opens_at=first, closes_at=last).draft
        poll = Poll.create(_next_id(), "31.71", draft, OFFICER, first).opened(OFFICER, first)
        poll = poll.closed(OFFICER, last)
        poll_store.save(poll, expected_version=0)
        stored = poll_store.get(poll.id)
        assert stored == poll
        assert (stored.draft.opens_at, stored.draft.closes_at, stored.closed_at) == (first, last, last)
        assert [p.id for p in poll_store.find()] == [poll.id]

    def test_a_poll_closing_in_9999_never_reaches_a_store(self, poll_store: PollStore) -> None:
        """Times no store holds are refused when the poll is defined or changed, the same for every store."""
        poll = _saved(poll_store)
        beyond = datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-5)))
        with pytest.raises(ValidationError) as caught:
            make_poll(closes_at=beyond)
        assert caught.value.fields_by_name == {"closes_at": ("instant.out_of_range",)}
        with pytest.raises(ValidationError) as extended:
            poll.extended(beyond, OFFICER, OPENS)
        assert extended.value.fields_by_name == {"closes_at": ("instant.out_of_range",)}
        with pytest.raises(ValidationError) as closed:
            poll.closed(OFFICER, beyond)
        assert closed.value.fields_by_name == {"at": ("instant.out_of_range",)}
        assert poll_store.get(poll.id) == poll

    def test_successive_saves_keep_the_whole_history(self, poll_store: PollStore) -> None:
        """Extending and closing are saved with their history entries, in order."""
        poll = _saved(poll_store)
        extended = poll.extended(CLOSES + timedelta(days=7), OFFICER, OPENS + timedelta(days=1))
        poll_store.save(extended, expected_version=poll.version)
        closed = extended.closed(OFFICER, OPENS + timedelta(days=2))
        poll_store.save(closed, expected_version=extended.version)
        stored = poll_store.get(poll.id)
        assert stored == closed
        assert [c.action.value for c in stored.history] == ["create", "open", "extend", "close"]
        assert stored.history[2].payload_dict() == closed.history[2].payload_dict()

    def test_a_read_poll_is_made_of_the_same_types_as_a_built_one(self, poll_store: PollStore) -> None:
        """Read back, a draft holds tuples, aware datetimes and enums; history payloads stay read-only."""
        poll = _saved(poll_store, audience=("31",), links=("https://example.go.id/a",), results="live")
        stored = poll_store.get(poll.id)
        draft = stored.draft
        assert (type(draft.options), type(draft.links), type(draft.audience)) == (tuple, tuple, tuple)
        assert (type(draft.results), type(draft.revote)) == (ResultVisibility, RevotePolicy)
        assert isinstance(draft.opens_at, datetime)
        assert draft.opens_at.utcoffset() is not None
        assert draft.to_dict() == poll.draft.to_dict()
        for change in stored.history:
            assert type(change.action) is PollAction
            with pytest.raises(TypeError):
                change.payload["changed"] = True  # type: ignore[index]
        assert [c.payload_dict() for c in stored.history] == [c.payload_dict() for c in poll.history]

    def test_new_poll_with_an_existing_id_raises_conflict_and_keeps_the_first(
        self, poll_store: PollStore
    ) -> None:
        """Saving a new poll under a taken ID is refused; the stored poll stays."""
        first = _saved(poll_store)
        second = make_poll(first.id, question="Pertanyaan lain?")
        with pytest.raises(ConcurrencyConflict) as caught:
            poll_store.save(second, expected_version=0)
        assert isinstance(caught.value, PollConflict)
        assert caught.value.fields == {"poll_id": first.id, "expected_version": 0, "actual_version": 2}
        assert poll_store.get(first.id) == first

    def test_stale_version_raises_conflict_and_changes_nothing(self, poll_store: PollStore) -> None:
        """Saving with a version that is no longer current raises PollConflict and stores nothing."""
        poll = _saved(poll_store)
        winner = poll.closed(OFFICER, OPENS)
        poll_store.save(winner, expected_version=poll.version)
        loser = poll.extended(CLOSES + timedelta(days=1), OFFICER, OPENS)
        with pytest.raises(PollConflict) as caught:
            poll_store.save(loser, expected_version=poll.version)
        assert caught.value.actual_version == winner.version
        assert poll_store.get(poll.id) == winner

    def test_update_of_an_unknown_poll_raises_conflict(self, poll_store: PollStore) -> None:
        """Saving with an expected version for a poll that does not exist raises PollConflict."""
        poll = make_poll()
        with pytest.raises(PollConflict) as caught:
            poll_store.save(poll, expected_version=1)
        assert caught.value.actual_version is None
        with pytest.raises(NotFound):
            poll_store.get(poll.id)

    def test_concurrent_saves_of_one_version_let_exactly_one_win(self, poll_store: PollStore) -> None:
        """Of eight saves with the same expected version, exactly one succeeds."""
        poll = _saved(poll_store)
        barrier = threading.Barrier(8)

        def close(n: int) -> bool:
            closed = poll.closed(Actor("institution", f"off-{n}", "31.71"), OPENS)
            barrier.wait(timeout=30)
            try:
                poll_store.save(closed, expected_version=poll.version)
            except ConcurrencyConflict:
                return False
            return True

        with ThreadPoolExecutor(max_workers=8) as pool:
            wins = list(pool.map(close, range(8)))
        assert wins.count(True) == 1
        assert poll_store.get(poll.id).version == poll.version + 1

    def test_get_of_an_unknown_poll_raises_not_found(self, poll_store: PollStore) -> None:
        """Every read of an unknown poll ID raises NotFound with kind "poll"."""
        _saved(poll_store)
        for read in (poll_store.get, poll_store.tally, poll_store.recount):
            with pytest.raises(NotFound) as caught:
                read("no-such-poll")
            assert (caught.value.kind, caught.value.key) == ("poll", "no-such-poll")

    def test_find_lists_polls_by_opening_time_and_institution(self, poll_store: PollStore) -> None:
        """The polls are found by opening time then ID, optionally of one institution, up to the limit."""
        late = _saved(poll_store, opens_at=OPENS + timedelta(days=1))
        early = _saved(poll_store, institution="32.73")
        middle = _saved(poll_store, opens_at=OPENS + timedelta(hours=1))
        assert [p.id for p in poll_store.find()] == [early.id, middle.id, late.id]
        assert [p.id for p in poll_store.find(institution="31.71")] == [middle.id, late.id]
        assert [p.id for p in poll_store.find(limit=1)] == [early.id]
        assert poll_store.find(institution="99") == ()

    @pytest.mark.parametrize(
        ("limit", "code"),
        [
            (0, "number.out_of_range"),
            (-1, "number.out_of_range"),
            (1001, "number.out_of_range"),
            ("5", "value.not_integer"),
            (None, "value.not_integer"),
            (True, "value.not_integer"),
            (2.0, "value.not_integer"),
        ],
    )
    def test_find_with_a_bad_limit_raises_validation_error(
        self, poll_store: PollStore, limit: object, code: str
    ) -> None:
        """A limit that is not a whole number from 1 to 1000 is refused with the same code by every store."""
        with pytest.raises(ValidationError) as caught:
            poll_store.find(limit=limit)  # type: ignore[arg-type]
        assert caught.value.fields_by_name == {"limit": (code,)}

    # -- ballots ------------------------------------------------------------------------------------------

    def test_tally_of_a_poll_without_ballots_is_empty(self, poll_store: PollStore) -> None:
        """A new poll has no ballot, zero votes per option and no region."""
        poll = _saved(poll_store, options=4)
        assert poll_store.tally(poll.id) == Tally.empty(4)
        assert poll_store.recount(poll.id) == Tally.empty(4)

    def test_first_ballot_is_counted_in_the_counters_and_the_recount(self, poll_store: PollStore) -> None:
        """A first ballot moves the option, province and regency counters by one."""
        poll = _saved(poll_store)
        assert poll_store.cast(make_cast(poll, 1, (2,))) is CastOutcome.COUNTED
        expected = count_ballots(3, [Ballot((2,), "31", "31.71")])
        assert poll_store.tally(poll.id) == expected
        assert poll_store.recount(poll.id) == expected
        assert expected.region("31.71") is not None

    def test_second_ballot_of_the_same_voter_replaces_the_first(self, poll_store: PollStore) -> None:
        """A second ballot takes the first back out of every counter, region included."""
        poll = _saved(poll_store)
        poll_store.cast(make_cast(poll, 1, (0,)))
        poll_store.cast(make_cast(poll, 2, (0,)))
        outcome = poll_store.cast(make_cast(poll, 1, (1,), "32", "32.73"))
        assert outcome is CastOutcome.REPLACED
        expected = count_ballots(3, [Ballot((0,), "31", "31.71"), Ballot((1,), "32", "32.73")])
        assert poll_store.tally(poll.id) == expected
        assert poll_store.recount(poll.id) == expected

    def test_regions_left_without_ballots_are_absent(self, poll_store: PollStore) -> None:
        """When a replaced ballot was a region's only one, the region leaves the tally."""
        poll = _saved(poll_store)
        poll_store.cast(make_cast(poll, 1, (0,), "73", "73.71"))
        poll_store.cast(make_cast(poll, 1, (0,), "31", None))
        tally = poll_store.tally(poll.id)
        assert [code for code, _ in tally.regions] == ["31"]
        assert poll_store.recount(poll.id) == tally

    def test_second_ballot_is_refused_when_the_poll_refuses_revotes(self, poll_store: PollStore) -> None:
        """With revote "refuse", a second ballot of the same voter changes nothing."""
        poll = _saved(poll_store, revote=RevotePolicy.REFUSE)
        poll_store.cast(make_cast(poll, 1, (0,)))
        before = poll_store.tally(poll.id)
        assert poll_store.cast(make_cast(poll, 1, (1,), "32", "32.73")) is CastOutcome.REFUSED
        assert poll_store.tally(poll.id) == before == poll_store.recount(poll.id)

    def test_a_voters_ballot_reads_back_with_its_seal_after_a_replacement(
        self, poll_store: PollStore
    ) -> None:
        """``ballot_of`` opens the voter's current ballot with the cast's seal; a non-voter gets None."""
        poll = _saved(poll_store, options=4, max_choices=2)
        first = make_cast(poll, 1, (0,))
        assert poll_store.ballot_of(poll.id, first.voter, first.seal) is None
        poll_store.cast(first)
        poll_store.cast(make_cast(poll, 2, (3,), "73", "73.71"))
        assert poll_store.ballot_of(poll.id, first.voter, first.seal) == Ballot((0,), "31", "31.71")
        poll_store.cast(make_cast(poll, 1, (1, 2), "32", None))
        assert poll_store.ballot_of(poll.id, first.voter, first.seal) == Ballot((1, 2), "32", None)
        assert poll_store.ballot_of(poll.id, voter_hash(3), first.seal) is None
        assert poll_store.tally(poll.id) == poll_store.recount(poll.id)

    def test_a_ballot_read_with_the_wrong_seal_or_poll_is_refused(self, poll_store: PollStore) -> None:
        """A seal that does not open the voter's ballot is a StorageError; an unknown poll is NotFound."""
        poll = _saved(poll_store)
        cast = make_cast(poll, 1, (2,))
        poll_store.cast(cast)
        with pytest.raises(StorageError):
            poll_store.ballot_of(poll.id, cast.voter, cast.seal ^ (1 << 62))
        with pytest.raises(NotFound):
            poll_store.ballot_of(make_poll().id, cast.voter, cast.seal)

    def test_multiple_choice_ballot_gives_one_vote_per_ticked_option(self, poll_store: PollStore) -> None:
        """A ballot ticking three options is one ballot and three votes."""
        poll = _saved(poll_store, options=5, max_choices=3)
        poll_store.cast(make_cast(poll, 1, (0, 2, 4)))
        tally = poll_store.tally(poll.id)
        assert (tally.ballots, tally.votes) == (1, (1, 0, 1, 0, 1))
        assert poll_store.recount(poll.id) == tally

    def test_polls_count_separately(self, poll_store: PollStore) -> None:
        """The same voter hash in two polls is two first ballots, one in each."""
        first, second = _saved(poll_store), _saved(poll_store)
        assert poll_store.cast(make_cast(first, 1)) is CastOutcome.COUNTED
        assert poll_store.cast(make_cast(second, 1)) is CastOutcome.COUNTED
        assert poll_store.tally(first.id).ballots == poll_store.tally(second.id).ballots == 1

    def test_cast_on_a_stale_poll_version_raises_conflict_and_counts_nothing(
        self, poll_store: PollStore
    ) -> None:
        """A ballot checked against a poll that has changed since (here: closed) is refused."""
        poll = _saved(poll_store)
        poll_store.save(poll.closed(OFFICER, OPENS), expected_version=poll.version)
        with pytest.raises(PollConflict) as caught:
            poll_store.cast(make_cast(poll, 1))
        assert (caught.value.expected_version, caught.value.actual_version) == (2, 3)
        assert poll_store.tally(poll.id) == Tally.empty(3) == poll_store.recount(poll.id)

    def test_cast_in_an_unknown_poll_raises_not_found(self, poll_store: PollStore) -> None:
        """Casting in a poll that was never saved raises NotFound."""
        with pytest.raises(NotFound):
            poll_store.cast(make_cast(make_poll(), 1))

    @pytest.mark.parametrize("choices", [(3,), (0, 7), (2, 19)])
    def test_choice_outside_the_options_raises_validation_error_and_counts_nothing(
        self, poll_store: PollStore, choices: tuple[int, ...]
    ) -> None:
        """A choice that is not an option index of the poll is refused without a trace."""
        poll = _saved(poll_store, max_choices=3)
        cast = make_cast(poll, 1, choices)
        with pytest.raises(ValidationError) as caught:
            poll_store.cast(cast)
        assert caught.value.fields_by_name == {"choices": ("poll.choices_not_indexes",)}
        assert poll_store.tally(poll.id) == Tally.empty(3) == poll_store.recount(poll.id)
        assert poll_store.cast(make_cast(poll, 1)) is CastOutcome.COUNTED

    @settings(
        max_examples=25,
        deadline=None,
        # Each example saves a new poll, so sharing the store between examples is sound; every subclass
        # runs the same test, which Hypothesis sees as one test run by several executors.
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.differing_executors,
        ],
    )
    @given(steps=_casts)
    def test_counters_always_equal_a_recount_and_the_reference(
        self, poll_store: PollStore, steps: list[tuple[int, set[int], _Place, RevotePolicy]]
    ) -> None:
        """After any sequence of first, replacing and refused ballots, counters = recount = reference."""
        poll = _saved(poll_store, options=4, max_choices=2)
        casts = [
            make_cast(poll, person, sorted(choices), *place, revote=revote)
            for person, choices, place, revote in steps
        ]
        for cast in casts:
            poll_store.cast(cast)
        expected = _reference(poll, casts)
        assert poll_store.tally(poll.id) == expected
        assert poll_store.recount(poll.id) == expected

    # -- concurrency --------------------------------------------------------------------------------------

    def test_concurrent_ballots_of_one_person_count_exactly_once(self, poll_store: PollStore) -> None:
        """Sixteen workers cast the same person's ballot at once: exactly one ballot counts."""
        poll = _saved(poll_store)
        casts = [make_cast(poll, "same person", (n % 3,)) for n in range(WORKERS)]
        outcomes = cast_concurrently(poll_store, casts)
        assert outcomes.count(CastOutcome.COUNTED) == 1
        assert outcomes.count(CastOutcome.REPLACED) == WORKERS - 1
        tally = poll_store.tally(poll.id)
        assert tally.ballots == 1
        assert sum(tally.votes) == 1
        assert poll_store.recount(poll.id) == tally

    def test_concurrent_ballots_of_one_person_count_once_when_revotes_are_refused(
        self, poll_store: PollStore
    ) -> None:
        """With revote "refuse", one of sixteen simultaneous ballots counts and fifteen are refused."""
        poll = _saved(poll_store, revote=RevotePolicy.REFUSE)
        casts = [make_cast(poll, "same person", (n % 3,)) for n in range(WORKERS)]
        outcomes = cast_concurrently(poll_store, casts)
        assert outcomes.count(CastOutcome.COUNTED) == 1
        assert outcomes.count(CastOutcome.REFUSED) == WORKERS - 1
        assert poll_store.tally(poll.id).ballots == 1 == poll_store.recount(poll.id).ballots

    def test_concurrent_ballots_of_different_people_are_all_counted(self, poll_store: PollStore) -> None:
        """Ballots of 64 people cast from sixteen workers at once: no counter update is lost."""
        poll = _saved(poll_store)
        casts = [make_cast(poll, n, (n % 3,), *_PLACES[n % len(_PLACES)]) for n in range(64)]
        outcomes = cast_concurrently(poll_store, casts)
        assert outcomes == [CastOutcome.COUNTED] * 64
        expected = _reference(poll, casts)
        assert poll_store.tally(poll.id) == expected
        assert poll_store.recount(poll.id) == expected
