"""What the soak's child processes run: a worker's mixed workload, and the sweeper.

Each child opens its own desk through the public API (``ComplaintDesk.open(url, clock=..., pepper=...)``) and
writes one line per operation to its log, unbuffered past the line, so a ``kill -9`` loses nothing already
done. A worker also appends the tracking ID of every submission the desk acknowledged to its ``.acked``
file, flushed and fsynced as soon as ``submit`` returned: those are the complaints that must survive.

Log lines are ``<operation> <microseconds> <outcome>``, the outcome ``ok``, or ``lapor:<ErrorClass>`` for
one of lapor_core's errors or ``foreign:<module.Class>`` for anything else (a bug: the stores translate
native errors), followed by the error's message. ``open`` lines time opening the desk (retried each second
while it fails); a sweep's line adds what it did (``handled closed breached reminded failed``); ``beat``
lines are the sweep's progress, one per batch; ``end <max RSS KiB>`` closes a log that ran to its deadline.
"""

from __future__ import annotations

import os
import random
import resource
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, TypeVar

import lapor_core as lc
from lapor_core.errors import LaporError, NotFound, TransitionNotAllowed

T = TypeVar("T")

PEPPER = "soak pepper, not a secret 0123456789"
ADMIN = lc.Principal.admin("soak-admin")
# Regency and city governments of the default directory: Jakarta Pusat, Jakarta Utara, Bandung, Semarang,
# Surabaya, Makassar (WITA) and Jayapura (WIT), so deadlines run on three time zones' calendars.
INSTITUTIONS = ("31.71", "31.72", "32.73", "33.74", "35.78", "73.71", "91.71")
UNITS = ("dinas-pu", "dinas-kesehatan", "dinas-pendidikan", "satpol-pp")
KINDS = tuple(lc.Kind)
CHANNELS = tuple(lc.Channel)

# The mix, as relative weights. An operation that finds no complaint in the status it needs lists that
# status instead (and so refills the worker's pool from every worker's complaints).
MIX = {
    "submit": 25,
    "forward": 14,
    "assign": 8,
    "follow_up": 12,
    "reply": 5,
    "view": 20,
    "list": 10,
    "stats": 2,
}


@dataclass(frozen=True)
class FastClock:
    """A clock (:class:`lapor_core.plugins.Clock`) running ``speed`` times faster than real time.

    Every process of one soak builds it from the same ``start`` instant and ``origin`` (a reading of
    ``time.monotonic()``, which is one system-wide clock on Linux), so all of them read the same instant at
    the same moment and none of them ever sees the time go back.
    """

    start: datetime
    origin: float
    speed: float

    def now(self) -> datetime:
        """The start instant plus the real time elapsed since ``origin``, times ``speed``."""
        return self.start + timedelta(seconds=(time.monotonic() - self.origin) * self.speed)


@dataclass(frozen=True)
class Job:
    """What one child process runs: its role, its files and when it stops."""

    role: str  # "worker" or "sweeper"
    name: str  # "w0", "w1"... or "sweeper"
    incarnation: int  # 0, then one more after each kill
    url: str
    clock: FastClock
    deadline: float  # a time.monotonic() reading
    folder: Path
    seed: int
    sweep_every: float

    @property
    def log_path(self) -> Path:
        """This incarnation's operation log."""
        return self.folder / f"{self.name}.{self.incarnation}.log"

    @property
    def stderr_path(self) -> Path:
        """Where this incarnation's standard error goes."""
        return self.folder / f"{self.name}.{self.incarnation}.stderr"

    @property
    def acked_path(self) -> Path:
        """This incarnation's acknowledged submissions, one tracking ID a line."""
        return self.folder / f"{self.name}.{self.incarnation}.acked"


def run(job: Job) -> None:
    """The entry point of a child process (started with ``spawn``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the soak runner's to handle
    with job.stderr_path.open("a", encoding="utf-8") as stderr:
        os.dup2(stderr.fileno(), 2)  # what the libraries print goes to a file, not into the report
    with job.log_path.open("a", buffering=1, encoding="utf-8") as log:
        desk = _open(job, log)
        if desk is None:
            return
        try:
            if job.role == "sweeper":
                _sweep_until(job, desk, log)
            else:
                with job.acked_path.open("a", encoding="utf-8") as acked:
                    worker = Worker(desk, random.Random(job.seed), log, acked)
                    while time.monotonic() < job.deadline:
                        worker.step()
        finally:
            desk.close()
        log.write(f"end {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\n")


def _open(job: Job, log: IO[str]) -> lc.ComplaintDesk | None:
    """Open the desk, logged as an operation, retried each second until the deadline (None: never opened)."""
    while time.monotonic() < job.deadline:
        began = time.perf_counter()
        try:
            desk = lc.ComplaintDesk.open(job.url, clock=job.clock, pepper=PEPPER)
        except Exception as e:  # noqa: BLE001 - every failure is counted by its class
            log.write(f"open {_micros(began)} {_outcome(e)}\n")
            time.sleep(1)
        else:
            log.write(f"open {_micros(began)} ok\n")
            return desk
    return None


def _sweep_until(job: Job, desk: lc.ComplaintDesk, log: IO[str]) -> None:
    """Sweep every ``job.sweep_every`` seconds (from one sweep's start to the next's) until the deadline."""
    while (started := time.monotonic()) < job.deadline:
        began = time.perf_counter()
        try:
            report = desk.sweep(progress=lambda _: _beat(log))
        except Exception as e:  # noqa: BLE001 - every failure is counted by its class
            log.write(f"sweep {_micros(began)} {_outcome(e)}\n")
        else:
            counts = (len(report.closed), len(report.breached), len(report.reminded), len(report.failed))
            log.write(f"sweep {_micros(began)} ok {report.handled} {' '.join(map(str, counts))}\n")
        time.sleep(max(0.0, min(started + job.sweep_every, job.deadline) - time.monotonic()))


def _beat(log: IO[str]) -> None:
    log.write("beat\n")


def _micros(began: float) -> int:
    return round((time.perf_counter() - began) * 1e6)


def _outcome(error: BaseException) -> str:
    """The error's class, and its message on the same line."""
    kind = type(error)
    name = (
        f"lapor:{kind.__name__}"
        if isinstance(error, LaporError)
        else f"foreign:{kind.__module__}.{kind.__name__}"
    )
    return f"{name} {' '.join(str(error).split())[:300]}"


@dataclass
class Known:
    """What a worker knows of one complaint: the status it last saw, its institution, its access key."""

    status: lc.Status
    institution: str | None
    access_key: str | None = None


class Pool:
    """The complaints one worker knows, by the status it last saw each in.

    ``take`` hands a complaint out and forgets it; ``settle`` puts it back with the status the operation
    left it in, or leaves it out when someone else had moved it on (a listing finds it again). The lists
    may hold stale entries: ``take`` skips them.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._known: dict[str, Known] = {}
        self._by_status: dict[lc.Status, list[str]] = {status: [] for status in lc.Status}
        self.acked: list[str] = []

    def put(self, tracking_id: str, status: lc.Status, institution: str | None) -> None:
        """Remember ``tracking_id`` at ``status``, as a listing showed it."""
        known = self._known.get(tracking_id)
        if known is None:
            self._file(tracking_id, Known(status, institution))
        elif known.status is not status or known.institution != institution:
            known.status, known.institution = status, institution
            self._file(tracking_id, known)

    def add_own(self, tracking_id: str, access_key: str) -> None:
        """A complaint this worker submitted, with the key its reporter holds."""
        self._file(tracking_id, Known(lc.Status.SUBMITTED, None, access_key))
        self.acked.append(tracking_id)

    def take(self, *statuses: lc.Status) -> tuple[str, Known] | None:
        """A random complaint last seen in one of ``statuses``, forgotten until settled; None if none."""
        lists = [self._by_status[status] for status in statuses]
        while nonempty := [ids for ids in lists if ids]:
            chosen = self._rng.choice(nonempty)
            index = self._rng.randrange(len(chosen))
            chosen[index], chosen[-1] = chosen[-1], chosen[index]
            tracking_id = chosen.pop()
            known = self._known.get(tracking_id)
            if known is not None and known.status in statuses:
                del self._known[tracking_id]
                return tracking_id, known
        return None

    def settle(self, tracking_id: str, known: Known, outcome: object) -> None:
        """Put a taken complaint back after an operation whose ``outcome`` was a view or an error."""
        if isinstance(outcome, lc.ComplaintView):
            known.status, known.institution = outcome.status, outcome.institution
            self._file(tracking_id, known)
        elif not isinstance(outcome, TransitionNotAllowed | NotFound):  # else moved on by someone else
            self._file(tracking_id, known)

    def _file(self, tracking_id: str, known: Known) -> None:
        if known.status.is_terminal:
            self._known.pop(tracking_id, None)
            return
        self._known[tracking_id] = known
        self._by_status[known.status].append(tracking_id)


class Worker:
    """One worker's mixed workload: each ``step`` runs one operation drawn from :data:`MIX`."""

    def __init__(self, desk: lc.ComplaintDesk, rng: random.Random, log: IO[str], acked: IO[str]) -> None:
        self._desk = desk
        self._rng = rng
        self._log = log
        self._acked = acked
        self._pool = Pool(rng)
        self._operations: dict[str, Callable[[], None]] = {
            "submit": self.submit,
            "forward": self.forward,
            "assign": self.assign,
            "follow_up": self.follow_up,
            "reply": self.reply,
            "view": self.view,
            "list": lambda: self.list_page(self._rng.choice(list(lc.Status))),
            "stats": self.stats,
        }
        self._names = list(MIX)
        self._weights = list(MIX.values())

    def step(self) -> None:
        """Run one operation of the mix."""
        self._operations[self._rng.choices(self._names, self._weights)[0]]()

    def _timed(self, operation: str, call: Callable[[], T]) -> T | Exception:
        """Call and log ``call``; return what it returned or the error it raised."""
        began = time.perf_counter()
        try:
            result = call()
        except Exception as e:  # noqa: BLE001 - every failure is counted by its class
            self._log.write(f"{operation} {_micros(began)} {_outcome(e)}\n")
            return e
        self._log.write(f"{operation} {_micros(began)} ok\n")
        return result

    def submit(self) -> None:
        """A citizen submits; the tracking ID is recorded durably once the desk acknowledged it."""
        rng = self._rng
        submission = lc.Submission.from_dict(
            {
                "kind": rng.choice(KINDS).value,
                "channel": rng.choice(CHANNELS).value,
                "title": f"Keluhan {rng.randrange(10**6)}",
                "body": "Jalan berlubang di depan sekolah. " * rng.randint(1, 8),
                "anonymous": rng.random() < 0.2,
                "location": {"region": rng.choice(INSTITUTIONS)},
                "reporter": {"name": "Warga", "phone": "081234567890"},
            }
        )
        receipt = self._timed("submit", lambda: self._desk.submit(submission))
        if isinstance(receipt, lc.Receipt):
            self._acked.write(receipt.tracking_id + "\n")
            self._acked.flush()
            os.fsync(self._acked.fileno())
            self._pool.add_own(receipt.tracking_id, receipt.access_key)

    def forward(self) -> None:
        """The LAPOR! admin verifies and forwards to one of the institutions."""
        taken = self._pool.take(lc.Status.SUBMITTED)
        if taken is None:
            return self.list_page(lc.Status.SUBMITTED)
        tracking_id, known = taken
        institution = self._rng.choice(INSTITUTIONS)
        outcome = self._timed(
            "forward", lambda: self._desk.forward(ADMIN, tracking_id, institution=institution)
        )
        self._pool.settle(tracking_id, known, outcome)
        return None

    def assign(self) -> None:
        """The institution disposes a complaint to a work unit."""
        self._as_officer(
            "assign", lambda desk, officer, tid: desk.assign(officer, tid, self._rng.choice(UNITS))
        )

    def follow_up(self) -> None:
        """The institution posts its follow-up."""
        self._as_officer(
            "follow_up", lambda desk, officer, tid: desk.follow_up(officer, tid, "Sudah ditangani.")
        )

    def _as_officer(
        self, operation: str, act: Callable[[lc.ComplaintDesk, lc.Principal, str], lc.ComplaintView]
    ) -> None:
        taken = self._pool.take(lc.Status.FORWARDED, lc.Status.ASSIGNED)
        if taken is None:
            return self.list_page(self._rng.choice((lc.Status.FORWARDED, lc.Status.ASSIGNED)))
        tracking_id, known = taken
        officer = lc.Principal.institution_officer("soak-officer", institution=known.institution or "31.71")
        outcome = self._timed(operation, lambda: act(self._desk, officer, tracking_id))
        self._pool.settle(tracking_id, known, outcome)
        return None

    def reply(self) -> None:
        """The reporter (signing in with the access key, when this worker holds it) or the admin replies."""
        taken = self._pool.take(lc.Status.FOLLOWED_UP)
        if taken is None:
            return self.list_page(lc.Status.FOLLOWED_UP)
        tracking_id, known = taken
        key = known.access_key

        def reply() -> lc.ComplaintView:
            principal = ADMIN if key is None else self._desk.authenticate(tracking_id, key)
            return self._desk.reply(principal, tracking_id, "Belum selesai, mohon dicek lagi.")

        self._pool.settle(tracking_id, known, self._timed("reply", reply))
        return None

    def view(self) -> None:
        """The admin opens one of this worker's acknowledged complaints."""
        if not self._pool.acked:
            return self.list_page(lc.Status.SUBMITTED)
        tracking_id = self._rng.choice(self._pool.acked)
        self._timed("view", lambda: self._desk.view(ADMIN, tracking_id))
        return None

    def list_page(self, status: lc.Status) -> None:
        """A page of one status (an institution's inbox, or the admin's queue); it refills the pool."""
        institution = (
            None if status in (lc.Status.SUBMITTED, lc.Status.ON_HOLD) else self._rng.choice(INSTITUTIONS)
        )
        query = lc.ComplaintQuery(statuses={status}, institution=institution, limit=50)
        page = self._timed("list", lambda: self._desk.complaints(ADMIN, query))
        if isinstance(page, lc.ListedPage):
            for item in page.items:
                self._pool.put(item.tracking_id, item.status, item.institution)

    def stats(self) -> None:
        """Counts by status and institution, as the dashboard shows them."""
        self._timed("stats", lambda: self._desk.stats(ADMIN, group_by=("status", "institution")))
