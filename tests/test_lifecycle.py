from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from statemachine import State, StateMachine
from statemachine.exceptions import InvalidDefinition

from lapor_core._domain.lifecycle import (
    TRANSITIONS,
    Action,
    ComplaintLifecycle,
    Status,
    Summary,
    allowed_actions,
    next_status,
)
from lapor_core.errors import TransitionNotAllowed


def test_every_status_is_reachable_from_submitted():
    """A breadth-first walk of the transition table from `submitted` reaches every status."""
    seen = {Status.SUBMITTED}
    frontier = [Status.SUBMITTED]
    while frontier:
        status = frontier.pop()
        for (source, _action, _unit), target in TRANSITIONS.items():
            if source == status and target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(Status)


@pytest.mark.parametrize("status", [Status.CLOSED, Status.ARCHIVED])
def test_terminal_statuses_are_final(status):
    """No lifecycle transition leaves a closed or archived complaint."""
    assert not [key for key in TRANSITIONS if key[0] == status]
    assert status.is_terminal
    final = {s.value for s in ComplaintLifecycle.final_states}
    assert status.value in final


def test_the_machine_class_matches_the_status_enum():
    """The state machine declares exactly the documented status values."""
    assert {s.value for s in ComplaintLifecycle.states} == {s.value for s in Status}


def test_python_statemachine_validates_definitions_at_class_creation():
    """An unreachable state is refused when the class is created, which is what guards our machine."""
    with pytest.raises(InvalidDefinition):

        class Broken(StateMachine):  # type: ignore[misc]
            a = State(initial=True)
            b = State()
            orphan = State()
            go = a.to(b)


@pytest.mark.parametrize(
    ("status", "action", "has_unit", "expected"),
    [
        (Status.SUBMITTED, Action.FORWARD, False, Status.FORWARDED),
        (Status.SUBMITTED, Action.REQUEST_INFO, False, Status.ON_HOLD),
        (Status.ON_HOLD, Action.PROVIDE_INFO, False, Status.SUBMITTED),
        (Status.ON_HOLD, Action.ARCHIVE, False, Status.ARCHIVED),
        (Status.FORWARDED, Action.ASSIGN, False, Status.ASSIGNED),
        (Status.ASSIGNED, Action.DECLINE, True, Status.SUBMITTED),
        (Status.ASSIGNED, Action.FOLLOW_UP, True, Status.FOLLOWED_UP),
        (Status.FOLLOWED_UP, Action.REPLY, True, Status.ASSIGNED),
        (Status.FOLLOWED_UP, Action.REPLY, False, Status.FORWARDED),
        (Status.FOLLOWED_UP, Action.CLOSE, False, Status.CLOSED),
        (Status.CLOSED, Action.RATE, False, Status.CLOSED),
        (Status.FORWARDED, Action.SUPPORT, False, Status.FORWARDED),
    ],
)
def test_next_status_follows_the_lapor_flow(status, action, has_unit, expected):
    """Each documented step of the flow lands in the documented status."""
    assert next_status(status, action, complaint_id="X", has_unit=has_unit) is expected


def test_forward_from_anything_but_submitted_names_complaint_action_and_state():
    """A refused transition raises TransitionNotAllowed carrying the complaint, action and state."""
    with pytest.raises(TransitionNotAllowed) as caught:
        next_status(Status.FOLLOWED_UP, Action.FORWARD, complaint_id="7K3M-9QXF-2HJ-Q")
    assert caught.value.fields == {
        "complaint_id": "7K3M-9QXF-2HJ-Q",
        "action": "forward",
        "state": "followed_up",
    }
    assert "7K3M-9QXF-2HJ-Q" in str(caught.value)


@given(st.sampled_from(list(Status)), st.sampled_from(list(Action)), st.booleans())
def test_next_status_either_moves_per_the_table_or_refuses(status, action, has_unit):
    """For any status and action, next_status agrees with allowed_actions; terminal statuses never move."""
    allowed = action in allowed_actions(status, has_unit=has_unit)
    try:
        target = next_status(status, action, complaint_id="X", has_unit=has_unit)
    except TransitionNotAllowed:
        assert not allowed
    else:
        assert allowed
        if status.is_terminal:
            assert target is status


def test_labels_exist_in_both_languages():
    """Every status and summary has an Indonesian and an English label."""
    for status in Status:
        assert status.label("id")
        assert status.label("en")
    assert [s.label() for s in Summary] == ["Belum", "Proses", "Selesai"]
    assert Status.ON_HOLD.summary is Summary.PENDING
    assert Status.ARCHIVED.summary is Summary.DONE
