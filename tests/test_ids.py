"""Time-ordered IDs (UUID version 7): format, order, clamping, and the desk's use of them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk_support import make_desk, submission
from lapor_core._domain.ids import time_ordered_id

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
instants = st.datetimes(
    min_value=datetime(1970, 1, 1),  # noqa: DTZ001  # Hypothesis takes naive bounds
    max_value=datetime(9999, 12, 30),  # noqa: DTZ001
    timezones=st.just(UTC),
)


def _milliseconds(identifier: str) -> int:
    return int(identifier[:12], 16)


@given(instants)
def test_an_id_is_a_uuid7_carrying_its_instant_in_milliseconds(at: datetime) -> None:
    """32 lowercase hex digits, version 7, RFC variant; the first 48 bits are the instant's milliseconds."""
    identifier = time_ordered_id(at)
    parsed = uuid.UUID(identifier)
    assert identifier == parsed.hex
    assert (parsed.version, parsed.variant) == (7, uuid.RFC_4122)
    assert _milliseconds(identifier) == int(at.timestamp() * 1000)


@given(instants, instants)
def test_ids_of_different_milliseconds_sort_as_their_instants(first: datetime, second: datetime) -> None:
    """Made at different milliseconds, IDs compare as the instants do (what keeps an index append-only)."""
    a, b = int(first.timestamp() * 1000), int(second.timestamp() * 1000)
    if a == b:
        return
    assert (time_ordered_id(first) < time_ordered_id(second)) == (a < b)


def test_ids_made_at_one_instant_are_all_different() -> None:
    """74 random bits: ten thousand IDs of the same millisecond never collide."""
    at = datetime(2026, 11, 28, 9, tzinfo=UTC)
    assert len({time_ordered_id(at) for _ in range(10_000)}) == 10_000


def test_instants_before_1970_count_as_1970() -> None:
    """The format has no sign: earlier instants share the first millisecond instead of wrapping around."""
    assert _milliseconds(time_ordered_id(EPOCH - timedelta(days=400))) == 0


def test_a_naive_instant_is_refused() -> None:
    """Without a time zone the instant is unknown."""
    with pytest.raises(ValueError, match="timezone-aware"):
        time_ordered_id(datetime(2026, 11, 28, 9))  # noqa: DTZ001  # the naive value under test


def test_the_desk_keys_messages_and_identities_by_the_instant_of_the_submission() -> None:
    """A submission's outbox messages and its reporter identity get IDs of the desk clock's millisecond."""
    desk, clock = make_desk()
    receipt = desk.submit(submission())
    stored = desk.store.get(receipt.tracking_id)
    messages = desk.store.pending_outbox()
    now = int(clock.now().timestamp() * 1000)
    assert messages
    assert {_milliseconds(message.id) for message in messages} == {now}
    assert stored.identity_ref is not None
    assert _milliseconds(stored.identity_ref) == now
