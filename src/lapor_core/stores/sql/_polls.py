"""The SQL poll store: polls, voters, ballots and counters on SQLite, PostgreSQL and MariaDB/MySQL.

:class:`SqlPollStore` lives in the SQL complaint store's database and reuses its engine, driver, schema
migrations (revision 0003 adds the poll tables) and error translation: open it on a
:class:`~lapor_core.stores.sql.SqlComplaintStore` (``ComplaintDesk.open(url)`` does) or on a URL.

>>> import pathlib, tempfile
>>> from lapor_core.testing.poll_contracts import make_cast, make_poll
>>> store = SqlPollStore(f"sqlite:///{pathlib.Path(tempfile.mkdtemp(), 'lapor.db')}")
>>> poll = make_poll()
>>> store.save(poll, expected_version=0)
>>> store.cast(make_cast(poll, "someone", (1,)))
<CastOutcome.COUNTED: 'counted'>
>>> store.tally(poll.id).votes == store.recount(poll.id).votes == (0, 1, 0)
True
>>> store.close()

How it keeps the :class:`~lapor_core.plugins.PollStore` contract:

- **One transaction per cast.** The cast reads the poll's version under a shared row lock (``FOR SHARE``;
  on SQLite, ``BEGIN IMMEDIATE`` serialises writers), so closing or extending the poll waits for the casts
  in flight and a cast checked against an older version is refused. It then locks the voter's row, stores
  or replaces the ballot, and adds the differences to the counters in key order, so that concurrent casts
  never deadlock on them.
- **One ballot per voter.** The voters' primary key (poll, voter hash) is the guard: when two first ballots
  of the same voter race, the second insert fails, its transaction is rolled back and run again, and the
  second ballot then finds the first one and replaces it (or is refused).
- **Apart.** ``lapor_poll_voters`` holds the voter hash and ``ref ^ seal``; ``lapor_poll_ballots`` holds a
  random 63-bit ``ref``, the choices as a bit mask and the coarse region. No column holds a time or a
  sequence number, and the two tables share no column but the poll's ID.
- **Counters.** ``lapor_poll_counts`` has a row per (poll, region, column): region ``""`` is national,
  column -1 counts ballots and 0.. the options' votes. ``tally`` reads those rows only; ``recount`` groups
  the ballot rows (one ``GROUP BY``).
- **Errors.** Driver errors become :class:`~lapor_core.StorageError` naming the operation and the driver's
  error code, never the values; lost races (a duplicate first ballot, a deadlock, a serialisation failure)
  are retried a few times first.
"""

from __future__ import annotations

import functools
import json
import secrets
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, Final

import attrs
import sqlalchemy as sa

from lapor_core._domain.history import Actor, _freeze
from lapor_core._domain.polls import (
    NATIONAL,
    Ballot,
    BallotCast,
    CastOutcome,
    Poll,
    PollAction,
    PollChange,
    PollState,
    RegionCount,
    RevotePolicy,
    Tally,
    _stored_draft,
    check_find_limit,
)
from lapor_core._domain.rules import trusted
from lapor_core.errors import NotFound, PollConflict, StorageError, ValidationError
from lapor_core.stores.sql._complaints import _is_transient_conflict, _storage_error
from lapor_core.stores.sql._driver import Driver, Prepared, Session
from lapor_core.stores.sql._schema import MYSQL_DIALECTS, poll_ballots, poll_counts, poll_voters, polls
from lapor_core.stores.sql._sharing import SharingStore

__all__ = ["SqlPollStore"]

# A cast that lost a race (a duplicate first ballot, a deadlock) runs again, at most this many times.
_ATTEMPTS: Final = 10
_BALLOTS: Final = -1
_REF_BITS: Final = 63  # a ballot reference fits a signed BIGINT on every database

_P = polls.c
_V = poll_voters.c
_B = poll_ballots.c
_N = poll_counts.c
_POLL_COLUMNS: Final = (
    "id",
    "institution",
    "state",
    "version",
    "option_count",
    "opens_at",
    "closes_at",
    "closed_at",
    "definition",
    "history",
)
_SELECT_POLL = sa.select(*(_P[name] for name in _POLL_COLUMNS))
_BY_ID = _P.id == sa.bindparam("poll_id")
_LIMIT = sa.bindparam("limit", type_=sa.Integer)
# SQLite's compiler adds an OFFSET to every LIMIT; naming it keeps the parameters known to the driver.
_OFFSET = sa.bindparam("offset", type_=sa.Integer)
_ORDER = (_P.opens_at, _P.id)
_VERSION = sa.select(_P.version, _P.option_count).where(_BY_ID)
_UPDATE_POLL = (
    polls.update()
    .where(_P.id == sa.bindparam("b_id"), _P.version == sa.bindparam("b_expected"))
    .values({name: sa.bindparam(name) for name in _POLL_COLUMNS if name != "id"})
)
_VOTER = sa.select(_V.sealed).where(_V.poll_id == sa.bindparam("poll_id"), _V.voter == sa.bindparam("voter"))
_BALLOT = sa.select(_B.choices, _B.province, _B.regency).where(
    _B.poll_id == sa.bindparam("poll_id"), _B.ref == sa.bindparam("ref")
)
_BALLOT_COLUMNS: Final = ("poll_id", "ref", "choices", "province", "regency")
_REPLACE_BALLOT = (
    poll_ballots.update()
    .where(_B.poll_id == sa.bindparam("b_poll_id"), _B.ref == sa.bindparam("b_ref"))
    .values(
        choices=sa.bindparam("choices"), province=sa.bindparam("province"), regency=sa.bindparam("regency")
    )
)
_COUNTS = sa.select(_N.region, _N.choice, _N.votes).where(_N.poll_id == sa.bindparam("poll_id"))
_RECOUNT = (
    sa.select(_B.choices, _B.province, _B.regency, sa.func.count())
    .where(_B.poll_id == sa.bindparam("poll_id"))
    .group_by(_B.choices, _B.province, _B.regency)
)
_COUNT_COLUMNS: Final = ("poll_id", "region", "choice", "votes")


def _add_to_counts(dialect: str) -> sa.Insert:
    """Add ``votes`` to a counter row, creating it with ``votes``: one statement, three spellings."""
    if dialect in MYSQL_DIALECTS:
        from sqlalchemy.dialects.mysql import insert as mysql_insert  # noqa: PLC0415  # only its own dialect

        upsert = mysql_insert(poll_counts)
        return upsert.on_duplicate_key_update(votes=_N.votes + upsert.inserted.votes)
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert  # noqa: PLC0415  # only its own dialect
    else:
        from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]  # noqa: PLC0415
    dialect_insert = insert(poll_counts)
    return dialect_insert.on_conflict_do_update(
        index_elements=[_N.poll_id, _N.region, _N.choice],
        set_={"votes": _N.votes + dialect_insert.excluded.votes},
    )


@attrs.frozen
class _Statements:
    """The poll store's statements, compiled once for its dialect."""

    get: Prepared
    find_all: Prepared
    find_of: Prepared
    version: Prepared
    version_locked: Prepared
    insert_poll: Prepared
    update_poll: Prepared
    voter: Prepared
    voter_unlocked: Prepared
    insert_voter: Prepared
    ballot: Prepared
    ballot_unlocked: Prepared
    insert_ballot: Prepared
    replace_ballot: Prepared
    add_to_counts: Prepared
    counts: Prepared
    recount: Prepared

    @classmethod
    def compile(cls, driver: Driver) -> _Statements:
        by_poll = ("poll_id",)
        page = _SELECT_POLL.order_by(*_ORDER).limit(_LIMIT).offset(_OFFSET)
        return cls(
            get=driver.prepare(_SELECT_POLL.where(_BY_ID), keys=by_poll),
            find_all=driver.prepare(page, keys=("limit", "offset")),
            find_of=driver.prepare(
                page.where(_P.institution == sa.bindparam("institution")),
                keys=("institution", "limit", "offset"),
            ),
            version=driver.prepare(_VERSION, keys=by_poll),
            version_locked=driver.prepare(_VERSION.with_for_update(read=True), keys=by_poll),
            insert_poll=driver.prepare(polls.insert(), keys=_POLL_COLUMNS, insert=True),
            update_poll=driver.prepare(_UPDATE_POLL, keys=(*_POLL_COLUMNS, "b_id", "b_expected")),
            voter=driver.prepare(_VOTER.with_for_update(), keys=("poll_id", "voter")),
            voter_unlocked=driver.prepare(_VOTER, keys=("poll_id", "voter")),
            insert_voter=driver.prepare(
                poll_voters.insert(), keys=("poll_id", "voter", "sealed"), insert=True
            ),
            ballot=driver.prepare(_BALLOT.with_for_update(), keys=("poll_id", "ref")),
            ballot_unlocked=driver.prepare(_BALLOT, keys=("poll_id", "ref")),
            insert_ballot=driver.prepare(poll_ballots.insert(), keys=_BALLOT_COLUMNS, insert=True),
            replace_ballot=driver.prepare(
                _REPLACE_BALLOT, keys=("choices", "province", "regency", "b_poll_id", "b_ref")
            ),
            add_to_counts=driver.prepare(
                _add_to_counts(driver.dialect.name), keys=_COUNT_COLUMNS, insert=True
            ),
            counts=driver.prepare(_COUNTS, keys=by_poll),
            recount=driver.prepare(_RECOUNT, keys=by_poll),
        )


# -- rows ---------------------------------------------------------------------------------------------------


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _poll_row(poll: Poll) -> tuple[Any, ...]:
    """The poll as a row of :data:`_POLL_COLUMNS`."""
    draft = poll.draft
    history = [
        {
            "seq": change.seq,
            "action": change.action.value,
            "actor": change.actor.to_json(),
            "at": change.at.isoformat(),
            "payload": change.payload_dict(),
        }
        for change in poll.history
    ]
    return (
        poll.id,
        poll.institution,
        poll.state.value,
        poll.version,
        len(draft.options),
        draft.opens_at,
        draft.closes_at,
        poll.closed_at,
        _json(draft.to_dict()),
        _json(history),
    )


# A stored poll was validated when it was built; its draft and history are rebuilt without their rules, so
# reading costs no validation and a poll stays readable when the rules or the region table change.
def _poll_from(row: Sequence[Any]) -> Poll:
    """The poll of a row read with :data:`_SELECT_POLL`."""
    values = dict(zip(_POLL_COLUMNS, row, strict=True))
    history = tuple(
        trusted(
            PollChange,
            {
                "seq": entry["seq"],
                "action": PollAction(entry["action"]),
                "actor": Actor(**entry["actor"]),
                "at": datetime.fromisoformat(entry["at"]),
                "payload": _freeze(entry["payload"]),
            },
        )
        for entry in json.loads(values["history"])
    )
    return Poll(
        id=values["id"],
        institution=values["institution"],
        draft=_stored_draft(json.loads(values["definition"])),
        state=PollState(values["state"]),
        history=history,
        closed_at=values["closed_at"],
    )


def _mask(choices: Iterable[int]) -> int:
    mask = 0
    for choice in choices:
        mask |= 1 << choice
    return mask


def _contributions(mask: int, province: str | None, regency: str | None) -> Iterator[tuple[str, int]]:
    """The counters one ballot adds 1 to: (region, column) for the nation, its province and its regency."""
    chosen = [index for index in range(mask.bit_length()) if mask >> index & 1]
    for region in (NATIONAL, province, regency):
        if region is not None:
            yield (region, _BALLOTS)
            for choice in chosen:
                yield (region, choice)


def _tally(options: int, cells: Iterable[tuple[str, int, int]]) -> Tally:
    """A tally from (region, column, count) cells."""
    national = [0] * (options + 1)
    regions: dict[str, list[int]] = {}
    for region, column, count in cells:
        row = national if region == NATIONAL else regions.setdefault(region, [0] * (options + 1))
        row[column + 1] += count
    return Tally(
        national[0],
        tuple(national[1:]),
        ((code, RegionCount(row[0], tuple(row[1:]))) for code, row in regions.items()),
    )


class _LostRaceError(Exception):
    """Raised inside a cast's transaction to roll it back and run it again."""


# -- the store ----------------------------------------------------------------------------------------------


class SqlPollStore(SharingStore):
    """A :class:`~lapor_core.plugins.PollStore` in the SQL store's database.

    Args:
        source: The complaint store whose database, engine and driver to share (it stays open when this
            store closes), or a URL to open one with ``options`` (closed with this store).
        **options: Keyword arguments of :class:`~lapor_core.stores.sql.SqlComplaintStore`, with a URL.

    Raises:
        ConfigurationError: As :class:`~lapor_core.stores.sql.SqlComplaintStore` (bad URL, missing driver,
            a schema at another revision).
        StorageError: The database cannot be reached.
    """

    @functools.cached_property
    def _sql(self) -> _Statements:
        # Compiled on first use: a desk opened for a complaint command never compiles the poll statements.
        return _Statements.compile(self._driver)

    def _fetch(self, operation: str, prepared: Prepared, values: Sequence[Any]) -> list[Sequence[Any]]:
        try:
            return self._driver.fetch(prepared, values)
        except sa.exc.SQLAlchemyError as e:
            raise _storage_error(operation, e) from e

    # -- polls --

    def save(self, poll: Poll, *, expected_version: int) -> None:
        """Store the poll if its stored version is ``expected_version`` (0: a new poll).

        Raises:
            PollConflict: The stored version differs (for a new poll: the ID exists); nothing changed.
            StorageError: The database failed; nothing changed.
        """
        row = _poll_row(poll)
        try:
            with self._driver.writing() as session:
                if expected_version == 0:
                    session.execute(self._sql.insert_poll, row)
                    return
                if session.execute(self._sql.update_poll, (*row, poll.id, expected_version)) == 1:
                    return
        except sa.exc.IntegrityError:
            pass  # the poll's ID exists: a conflict, reported below
        except sa.exc.DBAPIError as e:
            if not _is_transient_conflict(e):
                raise _storage_error("saving a poll", e) from e
        except sa.exc.SQLAlchemyError as e:
            raise _storage_error("saving a poll", e) from e
        found = self._fetch("reading a poll version", self._sql.version, (poll.id,))
        actual = int(found[0][0]) if found else None
        raise PollConflict(poll_id=poll.id, expected_version=expected_version, actual_version=actual)

    def get(self, poll_id: str) -> Poll:
        """The poll with this ID.

        Raises:
            NotFound: No poll has this ID (``kind="poll"``).
            StorageError: The database failed.
        """
        found = self._fetch("reading a poll", self._sql.get, (poll_id,))
        if not found:
            raise NotFound(kind="poll", key=poll_id)
        return _poll_from(found[0])

    def find(self, *, institution: str | None = None, limit: int = 1000) -> Sequence[Poll]:
        """Polls (of one institution, or all), by opening time then ID, at most ``limit``.

        Raises:
            ValidationError: ``limit`` is outside 1 to 1,000.
            StorageError: The database failed.
        """
        limit = check_find_limit(limit)
        if institution is None:
            rows = self._fetch("finding polls", self._sql.find_all, (limit, 0))
        else:
            rows = self._fetch("finding polls", self._sql.find_of, (institution, limit, 0))
        return tuple(_poll_from(row) for row in rows)

    # -- ballots --

    def cast(self, cast: BallotCast) -> CastOutcome:
        """Count, replace or refuse one ballot, with its counters, in one transaction.

        Raises:
            NotFound: No poll has this ID.
            PollConflict: The poll's version is not ``cast.poll_version``; nothing changed.
            ValidationError: A choice is not an option index of the poll; nothing changed.
            StorageError: The database failed, or the cast kept losing races; nothing changed.
        """
        for _ in range(_ATTEMPTS):
            try:
                with self._driver.writing() as session:
                    return self._cast(session, cast)
            except _LostRaceError:
                continue
            except sa.exc.DBAPIError as e:
                if _is_transient_conflict(e):
                    continue
                raise _storage_error("casting a ballot", e) from e
            except sa.exc.SQLAlchemyError as e:
                raise _storage_error("casting a ballot", e) from e
        raise StorageError(f"casting a ballot failed: lost {_ATTEMPTS} races in a row")

    def _cast(self, session: Session, cast: BallotCast) -> CastOutcome:
        poll_id, ballot = cast.poll_id, cast.ballot
        found = session.fetch(self._sql.version_locked, (poll_id,))
        if not found:
            raise NotFound(kind="poll", key=poll_id)
        version, options = int(found[0][0]), int(found[0][1])
        if version != cast.poll_version:
            raise PollConflict(poll_id=poll_id, expected_version=cast.poll_version, actual_version=version)
        if not ballot.choices or not all(0 <= c < options for c in ballot.choices):
            raise ValidationError.single("choices", "poll.choices_not_indexes", max=options - 1)
        mask = _mask(ballot.choices)
        deltas: dict[tuple[str, int], int] = {}
        sealed = self._lookup(session, cast)
        if sealed is None:
            outcome = CastOutcome.COUNTED
            ref = secrets.randbits(_REF_BITS)
            self._register(session, cast, ref ^ cast.seal)
            try:
                session.execute(
                    self._sql.insert_ballot, (poll_id, ref, mask, ballot.province, ballot.regency)
                )
            except sa.exc.IntegrityError as e:
                raise _LostRaceError from e  # a random reference drawn twice: draw again
        elif cast.revote is RevotePolicy.REFUSE:
            return CastOutcome.REFUSED
        else:
            outcome = CastOutcome.REPLACED
            ref = sealed ^ cast.seal
            old = session.fetch(self._sql.ballot, (poll_id, ref))
            if not old:
                raise StorageError(f"poll {poll_id}: the seal does not open the voter's ballot")
            for key in _contributions(int(old[0][0]), old[0][1], old[0][2]):
                deltas[key] = deltas.get(key, 0) - 1
            session.execute(self._sql.replace_ballot, (mask, ballot.province, ballot.regency, poll_id, ref))
        for key in _contributions(mask, ballot.province, ballot.regency):
            deltas[key] = deltas.get(key, 0) + 1
        # In key order, so that two casts lock the counter rows they share in the same order.
        changes = [
            (poll_id, region, column, delta) for (region, column), delta in sorted(deltas.items()) if delta
        ]
        if changes:
            session.execute_many(self._sql.add_to_counts, changes)
        return outcome

    def _lookup(self, session: Session, cast: BallotCast) -> int | None:
        """The voter's sealed ballot reference, or None; locks the voter's row until the transaction ends."""
        found = session.fetch(self._sql.voter, (cast.poll_id, cast.voter))
        return int(found[0][0]) if found else None

    def _register(self, session: Session, cast: BallotCast, sealed: int) -> None:
        """Insert the voter's row; the primary key refuses a second first ballot of the same voter."""
        try:
            session.execute(self._sql.insert_voter, (cast.poll_id, cast.voter, sealed))
        except sa.exc.IntegrityError as e:
            # Another cast stored this voter's first ballot meanwhile: run again, and replace or refuse.
            raise _LostRaceError from e

    def ballot_of(self, poll_id: str, voter: str, seal: int) -> Ballot | None:
        """The voter's ballot, opened with ``seal``; None when the voter has not voted.

        A voter's reference never changes once stored (a second ballot replaces the row it names), so the
        two reads need no transaction of their own.

        Raises:
            NotFound: No poll has this ID.
            StorageError: The database failed, or the seal does not open a stored ballot.
        """
        if not self._fetch("reading a ballot", self._sql.version, (poll_id,)):
            raise NotFound(kind="poll", key=poll_id)
        found = self._fetch("reading a ballot", self._sql.voter_unlocked, (poll_id, voter))
        if not found:
            return None
        rows = self._fetch("reading a ballot", self._sql.ballot_unlocked, (poll_id, int(found[0][0]) ^ seal))
        if not rows:
            raise StorageError(f"poll {poll_id}: the seal does not open the voter's ballot")
        mask, province, regency = int(rows[0][0]), rows[0][1], rows[0][2]
        chosen = tuple(index for index in range(mask.bit_length()) if mask >> index & 1)
        # Checked when it was cast: rebuilt without its rules.
        return trusted(Ballot, {"choices": chosen, "province": province, "regency": regency})

    def tally(self, poll_id: str) -> Tally:
        """The poll's counts, read from its counter rows.

        Raises:
            NotFound: No poll has this ID.
            StorageError: The database failed.
        """
        found = self._fetch("reading poll counts", self._sql.version, (poll_id,))
        if not found:
            raise NotFound(kind="poll", key=poll_id)
        rows = self._fetch("reading poll counts", self._sql.counts, (poll_id,))
        return _tally(int(found[0][1]), ((str(r[0]), int(r[1]), int(r[2])) for r in rows))

    def recount(self, poll_id: str) -> Tally:
        """The poll's counts, recounted from its ballot rows.

        Raises:
            NotFound: No poll has this ID.
            StorageError: The database failed.
        """
        found = self._fetch("recounting a poll", self._sql.version, (poll_id,))
        if not found:
            raise NotFound(kind="poll", key=poll_id)
        counts: dict[tuple[str, int], int] = {}
        for mask, province, regency, number in self._fetch(
            "recounting a poll", self._sql.recount, (poll_id,)
        ):
            for key in _contributions(int(mask), province, regency):
                counts[key] = counts.get(key, 0) + int(number)
        return _tally(int(found[0][1]), ((region, column, n) for (region, column), n in counts.items()))
