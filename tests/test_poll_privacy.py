"""Ballot secrecy: no output for a non-admin links a voter to a choice, and the store keeps them apart."""

from __future__ import annotations

import array
import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest

import lapor_core as lc
from desk_support import ADMIN, PEPPER, WIB, make_desk, officer
from lapor_core._domain.polls import Ballot, BallotCast, PollDraft
from lapor_core.stores.memory import InMemoryPollStore
from lapor_core.testing import FrozenClock

OPENS = datetime(2026, 3, 18, 8, tzinfo=WIB)
CLOSES = datetime(2026, 3, 25, 8, tzinfo=WIB)
CANARY = "CANARY-ACCOUNT"


def draft(**overrides: Any) -> PollDraft:
    """A live national poll with three options over 18-25 March 2026."""
    data: dict[str, Any] = {
        "question": "Setujukah Anda tarif parkir dinaikkan?",
        "options": ["Setuju", "Tidak setuju", "Ragu-ragu"],
        "opens_at": OPENS.isoformat(),
        "closes_at": CLOSES.isoformat(),
        "results": "live",
    }
    data.update(overrides)
    return PollDraft.from_dict(data)


def voter(n: int, region: str = "31.71.01") -> lc.Principal:
    """A verified citizen whose account ID is a recognisable canary."""
    return lc.Principal.citizen(f"{CANARY}-{n:03d}", verified=True, region=region)


def voted_desk(**overrides: Any) -> tuple[lc.ComplaintDesk, InMemoryPollStore, str]:
    """A desk whose poll got 60 ballots from Jakarta, 30 from Makassar and one lone voter in Papua."""
    store = InMemoryPollStore()
    desk, clock = make_desk(poll_store=store)
    poll_id = desk.create_poll(officer(), draft(**overrides))
    desk.open_poll(officer(), poll_id)
    clock.set(OPENS + timedelta(days=1))
    for n in range(60):
        desk.vote(voter(n, "31.71.01"), poll_id, [n % 3])
    for n in range(60, 90):
        desk.vote(voter(n, "73.71"), poll_id, [n % 2])
    desk.vote(voter(90, "91.71"), poll_id, ["Ragu-ragu"])
    if overrides.get("revote") != "refuse":
        desk.vote(voter(3), poll_id, [1])  # a replaced ballot
    return desk, store, poll_id


def strings_in(value: object, seen: set[int] | None = None) -> Iterator[str]:
    """Every string reachable from ``value`` (containers, attrs instances, plain objects)."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, str):
        yield value
    elif isinstance(value, bytes):
        yield value.decode("latin-1")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(key, seen)
            yield from strings_in(item, seen)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from strings_in(item, seen)
    elif attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            yield from strings_in(getattr(value, field.name), seen)
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        yield from strings_in(vars(value), seen)


def keyed(purpose: str, poll_id: str, account: str) -> str:
    """The desk's keyed hash, computed the way the desk context does (white box)."""
    message = "\x1f".join((purpose, poll_id, account)).encode()
    return hmac.new(PEPPER.encode(), message, hashlib.sha256).hexdigest()


def _box(store: InMemoryPollStore, poll_id: str) -> Any:
    return store._boxes[poll_id]


# --- what the store keeps --------------------------------------------------------------------------------


def test_the_store_never_holds_an_account_id():
    """No string anywhere in the poll store contains a voter's account ID."""
    _, store, _ = voted_desk()
    assert not [s for s in strings_in(store) if CANARY in s]


def test_voters_are_stored_only_as_keyed_hashes_of_poll_and_person():
    """The voter table's keys are HMAC-SHA256 under the pepper, not a plain hash anyone can recompute."""
    _, store, poll_id = voted_desk()
    voters = set(_box(store, poll_id).voters)
    account = f"{CANARY}-005"
    assert keyed("poll-voter", poll_id, account) in voters
    assert hashlib.sha256(account.encode()).hexdigest() not in voters
    assert hashlib.sha256(f"{poll_id}{account}".encode()).hexdigest() not in voters
    assert len(voters) == 91


def test_the_same_person_has_unrelated_hashes_in_two_polls():
    """A voter hash is per poll, so hashes cannot be matched across polls to follow a person."""
    desk, store, first = voted_desk()
    second = desk.create_poll(officer(), draft())
    desk.open_poll(officer(), second)
    desk.vote(voter(5), second, [0])
    assert not set(_box(store, first).voters) & set(_box(store, second).voters)


def test_ballots_hold_only_choices_and_coarse_regions():
    """A ballot record is a bit mask of choices and an index of a (province, regency) pair: nothing else."""
    _, store, poll_id = voted_desk()
    box = _box(store, poll_id)
    assert isinstance(box.masks, array.array)
    assert isinstance(box.places, array.array)
    assert len(box.masks) == len(box.places) == 91
    places = {store._places[i] for i in box.places}
    assert places == {("31", "31.71"), ("73", "73.71"), ("91", "91.71")}
    assert set(attrs.fields_dict(Ballot)) == {"choices", "province", "regency"}
    assert {b.province for b in store.ballots(poll_id)} == {"31", "73", "91"}


def test_the_voter_record_refers_to_its_ballot_only_through_the_seal():
    """Without the pepper-derived seal, a voter's stored reference is not the position of their ballot."""
    _, store, poll_id = voted_desk()
    box = _box(store, poll_id)
    account = f"{CANARY}-007"
    sealed = box.voters[keyed("poll-voter", poll_id, account)]
    seal = int(keyed("poll-seal", poll_id, account)[:16], 16) >> 1
    slot = sealed ^ seal
    assert 0 <= slot < len(box.masks)
    assert sealed >= len(box.masks)
    assert {v for v in box.voters.values() if v < len(box.masks)} == set()
    assert list(store.ballots(poll_id))[slot].choices == (7 % 3,)


# --- what principals see ---------------------------------------------------------------------------------


def outputs_for(desk: lc.ComplaintDesk, principal: lc.Principal, poll_id: str) -> str:
    """Everything ``principal`` can read about the poll, as one JSON text."""
    seen: list[Any] = [
        lc.to_dict(desk.poll(principal, poll_id)),
        [lc.to_dict(p) for p in desk.polls(principal)],
        lc.to_dict(desk.poll_results(principal, poll_id)),
    ]
    return json.dumps(seen, ensure_ascii=False)


@pytest.mark.parametrize(
    "principal",
    [lc.Principal.public(), voter(1), officer(), officer("32.73"), lc.Principal.supervisor("ombudsman")],
    ids=["public", "another voter", "owner", "other institution", "supervisor"],
)
def test_no_output_for_a_non_admin_holds_a_voter_trace(principal: lc.Principal):
    """Poll, poll list, history and results carry no account ID, voter hash or seal of anyone."""
    desk, store, poll_id = voted_desk()
    text = outputs_for(desk, principal, poll_id)
    assert CANARY not in text
    for stored_hash in _box(store, poll_id).voters:
        assert stored_hash not in text
    for sealed in list(_box(store, poll_id).voters.values())[:10]:
        assert str(sealed) not in text


def test_poll_history_records_no_ballot():
    """Voting changes neither the poll's history nor its version: the history is the institution's acts."""
    desk, store, poll_id = voted_desk()
    history = desk.poll(ADMIN, poll_id).history
    assert [c.action.value for c in history] == ["create", "open"]
    assert store.get(poll_id).version == 2


def test_a_lone_voters_region_appears_in_no_breakdown():
    """The single voter from Papua shows up in the national counts only."""
    desk, _, poll_id = voted_desk()
    results = desk.poll_results(lc.Principal.public(), poll_id)
    regions = [row.region for row in (*results.by_province, *results.by_regency)]
    assert "91" not in regions
    assert "91.71" not in regions
    assert results.total == 91


def test_a_unanimous_small_group_cannot_be_read_from_the_breakdowns():
    """Nine voters of Bandung who all chose the same option are hidden, cell by cell."""
    desk, clock = make_desk()
    poll_id = desk.create_poll(officer(), draft())
    desk.open_poll(officer(), poll_id)
    clock.set(OPENS + timedelta(hours=1))
    for n in range(9):
        desk.vote(voter(n, "32.73"), poll_id, [1])
    for n in range(9, 60):
        desk.vote(voter(n, "31.71"), poll_id, [n % 3])
    for n in range(60, 100):
        desk.vote(voter(n, "73.71"), poll_id, [n % 2])
    results = desk.poll_results(voter(0), poll_id)
    assert "32" not in [row.region for row in results.by_province]
    assert "32.73" not in [row.region for row in results.by_regency]


def test_errors_of_a_refused_vote_name_neither_the_voter_nor_the_choice():
    """Refusals explain what is wrong without the account, the region or what was chosen."""
    desk, _, poll_id = voted_desk(revote="refuse", audience=["31", "73", "91"])
    secret_label = "Tidak setuju"
    attempts = [
        (voter(1), [secret_label]),  # already voted
        (lc.Principal.citizen(f"{CANARY}-x", verified=False, region="31.71"), [secret_label]),
        (voter(500, "32.73"), [secret_label]),  # outside the audience
        (voter(501), [secret_label, secret_label]),  # a repeat
    ]
    for principal, choices in attempts:
        with pytest.raises(lc.LaporError) as caught:
            desk.vote(principal, poll_id, choices)
        text = str(caught.value) + json.dumps(lc.to_dict(dict(caught.value.fields)), default=str)
        assert CANARY not in text
        assert secret_label not in text
        assert "32.73" not in text


def test_a_receipt_speaks_only_of_its_own_voter():
    """What a voter gets back names their own choice and nothing about others."""
    desk, _, poll_id = voted_desk()
    receipt = desk.vote(voter(200), poll_id, ["Setuju"])
    assert attrs.asdict(receipt) == {"poll_id": poll_id, "choices": ("Setuju",), "replaced": False}


def test_after_close_polls_reveal_no_count_before_closing():
    """While an after_close poll runs, its view and listing carry no count, and results are refused."""
    desk, _, poll_id = voted_desk(results="after_close")
    text = json.dumps([lc.to_dict(desk.poll(officer(), poll_id)), [lc.to_dict(p) for p in desk.polls(ADMIN)]])
    for word in ('"total"', '"ballots"', '"votes"'):
        assert word not in text
    with pytest.raises(lc.NotAllowed) as caught:
        desk.poll_results(ADMIN, poll_id)
    assert caught.value.reason == "poll.results_hidden"
    assert not any(ch.isdigit() for ch in caught.value.describe().replace(poll_id, ""))


def test_staff_user_ids_are_hidden_from_outsiders_in_the_history():
    """The public sees which institution acted on a poll, not which officer."""
    desk, _, poll_id = voted_desk()
    public = desk.poll(lc.Principal.public(), poll_id)
    assert {c.actor.user_id for c in public.history} == {None}
    assert {c.actor.user_id for c in desk.poll(officer(), poll_id).history} == {"off-7"}


def test_the_admin_audit_says_only_whether_the_counts_agree():
    """Even the admins' recount gives a yes or no, not ballots."""
    desk, _, poll_id = voted_desk()
    desk.close_poll(ADMIN, poll_id)
    audit = desk.verify_poll(ADMIN, poll_id)
    assert set(attrs.asdict(audit)) == {"poll_id", "ok", "checked_at"}
    assert audit.ok


def test_a_wrong_seal_cannot_open_a_voters_ballot():
    """Replacing a ballot needs the seal of the same person; another seal is a storage error, not a change."""
    _, store, poll_id = voted_desk()
    account = f"{CANARY}-007"
    poll = store.get(poll_id)
    cast = BallotCast(
        poll_id, poll.version, keyed("poll-voter", poll_id, account), 2**62 + 12345, Ballot((0,), "31", None)
    )
    before = store.tally(poll_id)
    with pytest.raises(lc.StorageError):
        store.cast(cast)
    assert store.tally(poll_id) == before == store.recount(poll_id)


def test_the_sql_tables_keep_voters_and_ballots_apart(tmp_path: Any) -> None:
    """On SQLite: no account ID in any poll table; voters and ballots share only the poll's ID, no time."""
    pytest.importorskip("sqlalchemy")
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'lapor.db'}"
    clock = FrozenClock(OPENS - timedelta(days=1))
    desk = lc.ComplaintDesk.open(url, clock=clock, pepper=PEPPER)
    try:
        poll_id = desk.create_poll(officer(), draft())
        desk.open_poll(officer(), poll_id)
        clock.set(OPENS + timedelta(hours=1))
        for n in range(20):
            desk.vote(voter(n), poll_id, [n % 3])
        desk.vote(voter(4), poll_id, [2])
    finally:
        desk.close()
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            tables = {
                name: connection.execute(sa.text(f"SELECT * FROM {name}")).mappings().all()  # noqa: S608
                for name in ("lapor_polls", "lapor_poll_voters", "lapor_poll_ballots", "lapor_poll_counts")
            }
    finally:
        engine.dispose()
    dump = json.dumps({name: [dict(row) for row in rows] for name, rows in tables.items()}, default=str)
    assert CANARY not in dump
    voters, ballots = tables["lapor_poll_voters"], tables["lapor_poll_ballots"]
    assert set(voters[0]) & set(ballots[0]) == {"poll_id"}
    assert set(ballots[0]) == {"poll_id", "ref", "choices", "province", "regency"}
    assert len(voters) == len(ballots) == 20
    assert {v["sealed"] for v in voters}.isdisjoint({b["ref"] for b in ballots})
    assert keyed("poll-voter", poll_id, f"{CANARY}-004") in {v["voter"] for v in voters}
