"""The in-memory poll store: for tests, demos and small embedded uses. Everything is lost at exit.

Ballots are kept compactly (one machine word for the choices, one for the region) so that a poll of ten
million ballots fits in a few hundred megabytes; the voters' keyed hashes live in a separate table that
refers to a ballot only through ``slot ^ seal``.
"""

from __future__ import annotations

import array
import collections
import threading
from collections.abc import Iterator, Sequence

from lapor_core._domain.polls import (
    Ballot,
    BallotCast,
    CastOutcome,
    Poll,
    RegionCount,
    RevotePolicy,
    Tally,
    check_find_limit,
)
from lapor_core._domain.rules import trusted
from lapor_core.errors import NotFound, PollConflict, StorageError, ValidationError

__all__ = ["InMemoryPollStore"]

_Place = tuple[str | None, str | None]


def _mask(choices: Sequence[int]) -> int:
    mask = 0
    for choice in choices:
        mask |= 1 << choice
    return mask


def _choices(mask: int) -> Iterator[int]:
    index = 0
    while mask:
        if mask & 1:
            yield index
        mask >>= 1
        index += 1


class _Box:
    """One poll with its voters, ballots and counters."""

    def __init__(self, poll: Poll) -> None:
        self.poll = poll
        self.voters: dict[str, int] = {}  # voter hash -> ballot slot ^ seal
        self.masks = array.array("L")  # per ballot slot: the ticked options as bits
        self.places = array.array("l")  # per ballot slot: index of the (province, regency) pair
        self.ballots = 0
        self.votes: list[int] = []
        self.by_region: dict[str, list[int]] = {}  # code -> [ballots, votes of each option...]

    def move(self, mask: int, place: _Place, sign: int) -> None:
        """Add (``sign`` 1) or take back (-1) one ballot in the counters."""
        options = len(self.votes)
        self.ballots += sign
        for choice in _choices(mask):
            self.votes[choice] += sign
        for code in place:
            if code is None:
                continue
            row = self.by_region.get(code)
            if row is None:
                row = self.by_region[code] = [0] * (options + 1)
            row[0] += sign
            for choice in _choices(mask):
                row[choice + 1] += sign


class InMemoryPollStore:
    """A :class:`~lapor_core.plugins.PollStore` in dictionaries and arrays, guarded by one lock.

    Example:
        >>> from lapor_core.testing.poll_contracts import make_poll
        >>> store = InMemoryPollStore()
        >>> poll = make_poll()
        >>> store.save(poll, expected_version=0)
        >>> store.cast(BallotCast(poll.id, poll.version, "a" * 64, 7, Ballot((1,), "31", "31.71")))
        <CastOutcome.COUNTED: 'counted'>
        >>> store.tally(poll.id).votes == store.recount(poll.id).votes == (0, 1, 0)
        True
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._boxes: dict[str, _Box] = {}
        self._places: list[_Place] = []
        self._place_index: dict[_Place, int] = {}

    def _box(self, poll_id: str) -> _Box:
        box = self._boxes.get(poll_id)
        if box is None:
            raise NotFound(kind="poll", key=poll_id)
        return box

    def _place(self, place: _Place) -> int:
        index = self._place_index.get(place)
        if index is None:
            index = self._place_index[place] = len(self._places)
            self._places.append(place)
        return index

    def _slot_of(self, box: _Box, voter: str) -> int | None:
        """The sealed slot of the voter's ballot, or None; the uniqueness check the lock makes atomic."""
        return box.voters.get(voter)

    def save(self, poll: Poll, *, expected_version: int) -> None:
        """Store the poll if its stored version is ``expected_version`` (see the port)."""
        with self._lock:
            box = self._boxes.get(poll.id)
            actual = box.poll.version if box is not None else None
            if (actual or 0) != expected_version or (box is None) != (expected_version == 0):
                raise PollConflict(poll_id=poll.id, expected_version=expected_version, actual_version=actual)
            if box is None:
                self._boxes[poll.id] = _Box(poll)
            else:
                box.poll = poll

    def get(self, poll_id: str) -> Poll:
        """The poll with this ID, or NotFound."""
        with self._lock:
            return self._box(poll_id).poll

    def find(self, *, institution: str | None = None, limit: int = 1000) -> Sequence[Poll]:
        """Polls (of one institution, or all), by opening time then ID."""
        limit = check_find_limit(limit)
        with self._lock:
            polls = [b.poll for b in self._boxes.values() if institution in (None, b.poll.institution)]
        polls.sort(key=lambda p: (p.draft.opens_at, p.id))
        return tuple(polls[:limit])

    def cast(self, cast: BallotCast) -> CastOutcome:
        """Count, replace or refuse one ballot atomically (see the port)."""
        ballot = cast.ballot
        with self._lock:
            box = self._box(cast.poll_id)
            if box.poll.version != cast.poll_version:
                raise PollConflict(
                    poll_id=cast.poll_id, expected_version=cast.poll_version, actual_version=box.poll.version
                )
            options = len(box.poll.draft.options)
            if not ballot.choices or not all(0 <= c < options for c in ballot.choices):
                raise ValidationError.single("choices", "poll.choices_not_indexes", max=options - 1)
            if not box.votes:
                box.votes = [0] * options
            mask = _mask(ballot.choices)
            place = (ballot.province, ballot.regency)
            sealed = self._slot_of(box, cast.voter)
            if sealed is not None:
                if cast.revote is RevotePolicy.REFUSE:
                    return CastOutcome.REFUSED
                slot = sealed ^ cast.seal
                if not 0 <= slot < len(box.masks):
                    raise StorageError(f"poll {cast.poll_id}: the seal does not open the voter's ballot")
                box.move(box.masks[slot], self._places[box.places[slot]], -1)
                box.masks[slot] = mask
                box.places[slot] = self._place(place)
                box.move(mask, place, 1)
                return CastOutcome.REPLACED
            slot = len(box.masks)
            box.masks.append(mask)
            box.places.append(self._place(place))
            box.voters[cast.voter] = slot ^ cast.seal
            box.move(mask, place, 1)
            return CastOutcome.COUNTED

    def ballot_of(self, poll_id: str, voter: str, seal: int) -> Ballot | None:
        """The voter's ballot, opened with ``seal``, or None (see the port)."""
        with self._lock:
            box = self._box(poll_id)
            sealed = self._slot_of(box, voter)
            if sealed is None:
                return None
            slot = sealed ^ seal
            if not 0 <= slot < len(box.masks):
                raise StorageError(f"poll {poll_id}: the seal does not open the voter's ballot")
            mask, (province, regency) = box.masks[slot], self._places[box.places[slot]]
        # Checked when it was cast: rebuilt without its rules.
        return trusted(Ballot, {"choices": tuple(_choices(mask)), "province": province, "regency": regency})

    def tally(self, poll_id: str) -> Tally:
        """The poll's counts, read from its counters."""
        with self._lock:
            box = self._box(poll_id)
            options = len(box.poll.draft.options)
            return Tally(
                box.ballots,
                tuple(box.votes) or (0,) * options,
                ((code, RegionCount(row[0], tuple(row[1:]))) for code, row in box.by_region.items()),
            )

    def recount(self, poll_id: str) -> Tally:
        """The poll's counts, recounted from its stored ballots."""
        with self._lock:
            box = self._box(poll_id)
            options = len(box.poll.draft.options)
            # Ballots with the same choices and region are counted once each and then added up together.
            groups = collections.Counter(zip(box.masks, box.places, strict=True))
            places = list(self._places)
        ballots = 0
        votes = [0] * options
        regions: dict[str, list[int]] = {}
        for (mask, place), count in groups.items():
            ballots += count
            chosen = list(_choices(mask))
            for choice in chosen:
                votes[choice] += count
            for code in places[place]:
                if code is not None:
                    row = regions.setdefault(code, [0] * (options + 1))
                    row[0] += count
                    for choice in chosen:
                        row[choice + 1] += count
        return Tally(
            ballots,
            tuple(votes),
            ((code, RegionCount(row[0], tuple(row[1:]))) for code, row in regions.items()),
        )

    def ballots(self, poll_id: str) -> Iterator[Ballot]:
        """Every stored ballot of the poll, in no meaningful order (for audits and tests)."""
        with self._lock:
            box = self._box(poll_id)
            rows = list(zip(box.masks, box.places, strict=True))
            places = list(self._places)
        for mask, place in rows:
            province, regency = places[place]
            # Checked when it was cast: rebuilt without its rules.
            yield trusted(
                Ballot, {"choices": tuple(_choices(mask)), "province": province, "regency": regency}
            )

    def close(self) -> None:
        """Nothing to release."""
