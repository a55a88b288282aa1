from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lapor_core._domain.history import GENESIS_HASH, Actor, Event, verify_chain
from lapor_core._domain.lifecycle import Action

T0 = datetime(2026, 3, 17, 3, 0, tzinfo=UTC)
TID = "7K3M-9QXF-2HJ-Q"


def chain(length: int) -> list[Event]:
    """A valid history of ``length`` events."""
    events = [Event.first(TID, Action.SUBMIT, Actor.reporter(), T0, {"kind": "pengaduan", "title": "Jalan"})]
    for i in range(1, length):
        events.append(
            events[-1].followed_by(
                Action.REPLY, Actor.admin("adm"), T0 + timedelta(hours=i), {"message": f"m{i}"}
            )
        )
    return events


def test_an_untouched_chain_verifies():
    """A history built with first/next verifies with no bad index."""
    report = verify_chain(TID, chain(5))
    assert (report.ok, report.first_bad, report.length) == (True, None, 5)


def test_the_first_event_links_to_the_genesis_hash():
    """The first event's previous hash is the genesis constant and each event links to its predecessor."""
    events = chain(3)
    assert events[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("payload", {"message": "edited"}),
        ("at", T0 + timedelta(days=1)),
        ("actor", Actor.admin("intruder")),
        ("action", Action.CLOSE),
    ],
)
def test_editing_any_field_of_a_stored_event_is_detected_at_that_event(field, value):
    """Changing one field of event 2 (keeping its stored hash) makes verification fail exactly there."""
    events = chain(5)
    events[2] = attrs.evolve(events[2], **{field: value})
    report = verify_chain(TID, events)
    assert (report.ok, report.first_bad) == (False, 2)
    assert "hash" in report.reason


def test_rehashing_an_edited_event_still_breaks_the_next_link():
    """An attacker who recomputes the edited event's hash is caught by the following event's link."""
    events = chain(4)
    forged = Event.create(
        TID, 1, Action.REPLY, Actor.admin("adm"), events[1].at, {"message": "forged"}, events[0].hash
    )
    events[1] = forged
    report = verify_chain(TID, events)
    assert (report.ok, report.first_bad) == (False, 2)


def test_dropping_or_reordering_events_is_detected():
    """Removing an event or swapping two breaks the sequence numbers."""
    events = chain(4)
    assert verify_chain(TID, events[:1] + events[2:]).first_bad == 1
    assert verify_chain(TID, [events[0], events[2], events[1], events[3]]).first_bad == 1


def test_an_event_of_another_complaint_is_detected():
    """Splicing in another complaint's event fails verification."""
    other = Event.first("ABCD-EFGH-JKM-N", Action.SUBMIT, Actor.reporter(), T0, {})
    assert verify_chain(TID, [other]).first_bad == 0


def test_the_hash_does_not_depend_on_the_offset_a_store_returns():
    """The same instant in another UTC offset hashes identically, so stores may normalise to UTC."""
    event = chain(1)[0]
    shifted = attrs.evolve(event, at=event.at.astimezone(timezone(timedelta(hours=9))))
    assert verify_chain(TID, [shifted]).ok


def test_payloads_are_read_only():
    """An event's payload cannot be mutated after creation."""
    event = chain(1)[0]
    with pytest.raises(TypeError):
        event.payload["title"] = "changed"  # type: ignore[index]


def test_naive_times_are_refused():
    """Events need timezone-aware times."""
    with pytest.raises(ValueError, match="timezone-aware"):
        Event.first(TID, Action.SUBMIT, Actor.reporter(), datetime(2026, 1, 1), {})  # noqa: DTZ001


@given(st.lists(st.text(max_size=30), min_size=1, max_size=8), st.data())
def test_any_single_payload_edit_is_detected(messages, data):
    """Property: changing the payload of any one event of any chain is detected at that event."""
    events = [Event.first(TID, Action.SUBMIT, Actor.reporter(), T0, {"m": messages[0]})]
    for m in messages[1:]:
        events.append(events[-1].followed_by(Action.REPLY, Actor.reporter(), T0, {"m": m}))
    index = data.draw(st.integers(0, len(events) - 1))
    events[index] = attrs.evolve(events[index], payload={"m": events[index].payload["m"] + "x"})
    assert verify_chain(TID, events).first_bad == index


def test_an_actor_s_json_names_every_field_it_has() -> None:
    """The hash covers the whole actor: its JSON form lists every field (a new field cannot go unhashed)."""
    actor = Actor("institution", "off-7", "31.71", "31.71.dinas-pu")
    assert set(actor.to_json()) == {field.name for field in attrs.fields(Actor)}
    assert Actor.system().to_json() == {"role": "system"}
