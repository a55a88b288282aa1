"""lapor_core's ComplaintDesk against the Django ORM app a regional developer would write instead.

The peer (:mod:`benchmarks.django_peer`) keeps the same complaint, a hash-chained history (SHA-256 over the
canonical JSON of each event, the previous hash included) and an outbox written in the command's
transaction, with deadlines by ``numpy.busday_offset`` over Indonesian public holidays and cuti bersama.
Both sides run on the same backend with the same durability: a SQLite file in WAL mode with
``synchronous=FULL`` (write transactions ``BEGIN IMMEDIATE``), then PostgreSQL (``synchronous_commit`` on)
in a throwaway database. Both use the system clock and only their public API.

Printed per backend and operation: lapor_core's time, Django's time, and Django's time over lapor_core's
(above 1: lapor_core is faster). Submit, forward, follow-up and a view by tracking ID take the best of a few
interleaved rounds of ``LAPOR_BENCH_PEER_N`` complaints each. The long-history line is one reply, one
follow-up and one view of the same complaint (the median over ``LAPOR_BENCH_PEER_LONG`` complaints) when it
holds 5 events and when it holds 200, with each side's growth from 5 to 200 (issue 24's goal for
lapor_core: at most 1.2x). A view is timed twice: as returned (lapor_core may read the history behind its
timeline only when asked; the peer reads only the complaint's row) and with its timeline read, what a
complaint's page shows (both sides read the history).

Environment:
  LAPOR_BENCH_PEER_N      complaints per round for the single operations (default 100)
  LAPOR_BENCH_PEER_LONG   complaints taken to 5 and then 200 events for the long-history line (default 6)
  LAPOR_BENCH_PG_ADMIN    PostgreSQL URL used to create a throwaway database
                          (default postgresql+psycopg://postgres@127.0.0.1:5432/test); "off" skips PostgreSQL
"""

from __future__ import annotations

import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import lapor_core as lc
from benchmarks import django_peer

ROUNDS = 3
PEPPER = "benchmark pepper 0123456789"
INSTITUTION = "31.71"
GOAL_GROWTH = 1.2
SHORT, LONG = 5, 200
DATA: dict[str, Any] = {
    "kind": "pengaduan",
    "channel": "web",
    "title": "Jalan berlubang",
    "body": "Lubang besar di depan SDN 3 Menteng; dua pengendara motor sudah jatuh minggu ini.",
    "location": {"region": "31.71.01", "lat": -6.1865, "lon": 106.8341, "address": "Jl. Menteng Raya 1"},
    "reporter": {"name": "Siti Aminah", "email": "siti@example.id", "phone": "081234567890"},
}


class Side(Protocol):
    """One desk under test: the same operations, each side's own objects behind them."""

    name: str

    def submit(self) -> tuple[str, str]:
        """Submit :data:`DATA`; return the tracking ID and the access key."""

    def reporter(self, tracking_id: str, access_key: str) -> object:
        """Sign the reporter in (untimed); return what :meth:`reply` takes."""

    def forward(self, tracking_id: str) -> object:
        """The admin forwards the complaint to :data:`INSTITUTION`."""

    def follow_up(self, tracking_id: str) -> object:
        """The institution's officer follows up."""

    def reply(self, reporter: object, tracking_id: str) -> object:
        """The reporter answers the follow-up."""

    def support(self, tracking_id: str) -> object:
        """A signed-in citizen supports the complaint (adds one event)."""

    def view(self, tracking_id: str) -> object:
        """The admin's view by tracking ID, its timeline not looked at."""

    def page(self, tracking_id: str) -> object:
        """The admin's view by tracking ID with its timeline read: what a complaint's page shows."""


class LaporSide:
    """lapor_core's ComplaintDesk, through its public API."""

    name = "lapor_core"

    def __init__(self, desk: lc.ComplaintDesk) -> None:
        self.desk = desk
        self.submission = lc.Submission.from_dict(DATA)
        self.admin = lc.Principal.admin("adm-1")
        self.officer = lc.Principal.institution_officer("off-7", institution=INSTITUTION)

    def submit(self) -> tuple[str, str]:
        """See :class:`Side`."""
        receipt = self.desk.submit(self.submission)
        return receipt.tracking_id, receipt.access_key

    def reporter(self, tracking_id: str, access_key: str) -> object:
        """See :class:`Side`."""
        return self.desk.authenticate(tracking_id, access_key)

    def forward(self, tracking_id: str) -> object:
        """See :class:`Side`."""
        return self.desk.forward(self.admin, tracking_id, institution=INSTITUTION)

    def follow_up(self, tracking_id: str) -> object:
        """See :class:`Side`."""
        return self.desk.follow_up(self.officer, tracking_id, "Sudah ditambal.")

    def reply(self, reporter: object, tracking_id: str) -> object:
        """See :class:`Side`."""
        assert isinstance(reporter, lc.Principal)
        return self.desk.reply(reporter, tracking_id, "Belum, masih berlubang.")

    def support(self, tracking_id: str) -> object:
        """See :class:`Side`."""
        return self.desk.support(lc.Principal.citizen(f"warga-{secrets.token_hex(4)}"), tracking_id)

    def view(self, tracking_id: str) -> object:
        """See :class:`Side`."""
        return self.desk.view(self.admin, tracking_id)

    def page(self, tracking_id: str) -> object:
        """See :class:`Side`."""
        view = self.desk.view(self.admin, tracking_id)
        return view, tuple(view.timeline)  # a view may read its timeline only when asked


class DjangoSide:
    """The Django ORM peer on one database alias."""

    name = "Django"

    def __init__(self, desk: Any) -> None:
        self.desk = desk
        self.admin = {"role": "admin", "user_id": "adm-1"}
        self.officer = {"role": "institution", "user_id": "off-7", "institution": INSTITUTION}

    def submit(self) -> tuple[str, str]:
        """See :class:`Side`."""
        found: tuple[str, str] = self.desk.submit(DATA)
        return found

    def reporter(self, tracking_id: str, access_key: str) -> object:  # noqa: ARG002  # signed in by its session
        """See :class:`Side`."""
        return {"role": "reporter", "tracking_id": tracking_id}

    def forward(self, tracking_id: str) -> object:
        """See :class:`Side`."""
        return self.desk.forward(self.admin, tracking_id, INSTITUTION)

    def follow_up(self, tracking_id: str) -> object:
        """See :class:`Side`."""
        return self.desk.follow_up(self.officer, tracking_id, "Sudah ditambal.")

    def reply(self, reporter: object, tracking_id: str) -> object:
        """See :class:`Side`."""
        return self.desk.reply(reporter, tracking_id, "Belum, masih berlubang.")

    def support(self, tracking_id: str) -> object:
        """See :class:`Side`."""
        return self.desk.support({"role": "citizen", "user_id": f"warga-{secrets.token_hex(4)}"}, tracking_id)

    def view(self, tracking_id: str) -> object:
        """See :class:`Side`."""
        return self.desk.view(tracking_id, timeline=False)

    def page(self, tracking_id: str) -> object:
        """See :class:`Side`."""
        return self.desk.view(tracking_id)


def _per_operation(run: Callable[[str], object], tracking_ids: list[str]) -> float:
    started = time.perf_counter()
    for tracking_id in tracking_ids:
        run(tracking_id)
    return (time.perf_counter() - started) / len(tracking_ids)


def _single_operations(sides: list[Side], count: int) -> dict[str, dict[str, float]]:
    """Seconds per submit, forward, follow-up and view on each side: best of interleaved rounds."""
    best: dict[str, dict[str, float]] = {
        op: {} for op in ("submit", "forward", "follow-up", "view", "view, timeline read")
    }
    for _ in range(ROUNDS):
        submitted: dict[str, list[str]] = {}
        for side in sides:
            started = time.perf_counter()
            submitted[side.name] = [side.submit()[0] for _ in range(count)]
            elapsed = (time.perf_counter() - started) / count
            best["submit"][side.name] = min(best["submit"].get(side.name, elapsed), elapsed)
        for op, of in (
            ("forward", "forward"),
            ("follow-up", "follow_up"),
            ("view", "view"),
            ("view, timeline read", "page"),
        ):
            for side in sides:
                elapsed = _per_operation(getattr(side, of), submitted[side.name])
                best[op][side.name] = min(best[op].get(side.name, elapsed), elapsed)
    return best


class _Long:
    """One complaint of the long-history line, with its reporter and how many events it holds."""

    def __init__(self, side: Side) -> None:
        self.side = side
        self.tracking_id, key = side.submit()
        self.reporter = side.reporter(self.tracking_id, key)
        side.forward(self.tracking_id)
        side.follow_up(self.tracking_id)
        self.events = 3

    def grow_to(self, events: int) -> None:
        """Reply and follow up (one citizen's support first if the count is odd) until it holds ``events``."""
        if (events - self.events) % 2:
            self.side.support(self.tracking_id)
            self.events += 1
        while self.events < events:
            self.side.reply(self.reporter, self.tracking_id)
            self.side.follow_up(self.tracking_id)
            self.events += 2

    def cycle(self) -> tuple[float, float]:
        """Seconds for a reply, a follow-up and a view, and with the view's timeline read instead.

        The complaint gains two events; both views see the same history.
        """
        started = time.perf_counter()
        self.side.reply(self.reporter, self.tracking_id)
        self.side.follow_up(self.tracking_id)
        commands = time.perf_counter()
        self.side.view(self.tracking_id)
        viewed = time.perf_counter()
        self.side.page(self.tracking_id)
        paged = time.perf_counter()
        self.events += 2
        return viewed - started, commands - started + paged - viewed


def _long_history(sides: list[Side], count: int) -> dict[tuple[int, bool], dict[str, float]]:
    """Median seconds of a reply + follow-up + view at :data:`SHORT` and :data:`LONG` events, per side.

    Keyed by (events, whether the view's timeline was read). Each side gets ``count`` complaints at each
    length, and the cycles run interleaved (short, long, one side then the other), so a slow moment of a
    shared disk falls on every column alike.
    """
    groups: dict[tuple[int, str], list[_Long]] = {}
    for events in (SHORT, LONG):
        for side in sides:
            built = [_Long(side) for _ in range(count)]
            for complaint in built:
                complaint.grow_to(events)
            groups[events, side.name] = built
    timings: dict[tuple[int, str], list[tuple[float, float]]] = {key: [] for key in groups}
    for index in range(count):
        for key, complaints in groups.items():
            timings[key].append(complaints[index].cycle())
    medians: dict[tuple[int, bool], dict[str, float]] = {}
    for (events, name), cycles in timings.items():
        for read, position in ((False, 0), (True, 1)):
            medians.setdefault((events, read), {})[name] = statistics.median(
                found[position] for found in cycles
            )
    return medians


def _row(label: str, ours: float, theirs: float) -> None:
    ratio = theirs / ours
    verdict = "lapor_core faster" if ratio > 1 else "Django faster"
    print(f"  {label:<52} {ours * 1e6:>10,.0f} us {theirs * 1e6:>10,.0f} us {ratio:>8.2f}x  {verdict}")


def _report(title: str, sides: list[Side], count: int, long_count: int) -> None:
    started = time.perf_counter()
    single = _single_operations(sides, count)
    long = _long_history(sides, long_count)
    ours, theirs = sides[0].name, sides[1].name
    print(f"{title}: {count:,} complaints a round, best of {ROUNDS}; long history: median of {long_count:,}")
    print(f"  {'operation':<52} {'lapor_core':>13} {'Django':>13} {'Django/lapor_core':>18}")
    for op, times in single.items():
        _row(op, times[ours], times[theirs])
    for read in (False, True):
        for events in (SHORT, LONG):
            times = long[events, read]
            label = f"reply + follow-up + view{', timeline read' if read else ''}, {events} events"
            _row(label, times[ours], times[theirs])
    for read in (False, True):
        ours_growth = long[LONG, read][ours] / long[SHORT, read][ours]
        theirs_growth = long[LONG, read][theirs] / long[SHORT, read][theirs]
        what = "with the timeline read" if read else "the view as returned"
        line = (
            f"  from {SHORT} to {LONG} events, {what}: "
            f"{ours} {ours_growth:.2f}x the time, {theirs} {theirs_growth:.2f}x"
        )
        if not read:
            line += f"  {'PASS' if ours_growth <= GOAL_GROWTH else 'MISS'} (issue 24: <= {GOAL_GROWTH}x)"
        print(line)
    print(f"  ({time.perf_counter() - started:,.1f} s)")


def _deadlines_agree(desk: lc.ComplaintDesk, deadlines: Any) -> None:
    """Check the peer's working days against lapor_core's calendar over two years of start days."""
    first = date(datetime.now(UTC).year, 1, 1)
    pairs = [(first + timedelta(days=n), length) for n in range(730) for length in (3, 5, 10)]
    agree = sum(
        desk.calendar.add_working_days(day, length) == deadlines.add_working_days(day, length)
        for day, length in pairs
    )
    print(
        f"Deadlines: numpy.busday_offset and lapor_core's calendar agree on {agree:,} of {len(pairs):,} "
        f"(start day, 3/5/10 working days) from {first:%Y-%m-%d}"
    )


@contextmanager
def _postgres() -> Iterator[tuple[str, dict[str, Any]] | None]:
    """A throwaway database: lapor_core's URL and Django's settings for it; dropped afterwards."""
    admin_url = os.environ.get("LAPOR_BENCH_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    if admin_url == "off":
        yield None
        return
    import psycopg
    import sqlalchemy as sa

    url = sa.make_url(admin_url)
    try:
        admin = psycopg.connect(
            url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
        )
    except psycopg.OperationalError as e:
        print(f"PostgreSQL skipped: not reachable ({type(e).__name__})")
        yield None
        return
    name = f"lapor_peer_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield (
            url.set(database=name).render_as_string(hide_password=False),
            {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": name,
                "USER": url.username or "",
                "PASSWORD": url.password or "",
                "HOST": url.host or "",
                "PORT": str(url.port or 5432),
            },
        )
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def main() -> None:
    count = int(os.environ.get("LAPOR_BENCH_PEER_N", "100"))
    long_count = int(os.environ.get("LAPOR_BENCH_PEER_LONG", "6"))
    with tempfile.TemporaryDirectory(prefix="lapor-peer-") as folder, _postgres() as postgres:
        databases = {"default": django_peer.sqlite_database(str(Path(folder) / "django.db"))}
        if postgres is not None:
            databases["postgresql"] = postgres[1]
        django_peer.configure(databases)
        from django.db import connections

        from benchmarks.django_peer.desk import Deadlines, PeerDesk
        from benchmarks.django_peer.models import Complaint, Event, OutboxMessage

        this_year = datetime.now(UTC).year
        deadlines = Deadlines(range(this_year - 1, this_year + 4))
        backends = [("SQLite file (WAL, synchronous=FULL)", f"sqlite:///{folder}/lapor.db", "default")]
        if postgres is not None:
            backends.append(("PostgreSQL (synchronous_commit on)", postgres[0], "postgresql"))
        try:
            for title, url, alias in backends:
                with connections[alias].schema_editor() as editor:
                    for model in (Complaint, Event, OutboxMessage):
                        editor.create_model(model)
                desk = lc.ComplaintDesk.open(url, pepper=PEPPER)
                try:
                    if alias == "default":
                        _deadlines_agree(desk, deadlines)
                    peer = PeerDesk(alias, pepper=PEPPER.encode(), deadlines=deadlines)
                    _report(title, [LaporSide(desk), DjangoSide(peer)], count, long_count)
                finally:
                    desk.close()
        finally:
            connections.close_all()
    print(
        f"(finished {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; set LAPOR_BENCH_PEER_N={count} and "
        f"LAPOR_BENCH_PEER_LONG={long_count} to scale)"
    )


if __name__ == "__main__":
    main()
