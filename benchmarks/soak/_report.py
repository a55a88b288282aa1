"""After a soak: what the children logged (throughput, latencies, failures) and the checks on the database.

The checks:

- every acknowledged complaint is stored (each tracking ID a worker recorded after ``submit`` returned);
- every stored complaint's history verifies (``desk.verify_history``);
- no event's time runs backwards within a history (each ``at`` at least its predecessor's);
- no orphan rows: no event or outbox row without its complaint, no complaint without events, and each
  complaint's version is its number of events;
- no child hung (fell silent longer than ``hang_after``) or died on its own;
- every error the desk raised is one of lapor_core's own (the stores translate the drivers' errors).
"""

from __future__ import annotations

import collections
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

import lapor_core as lc
from benchmarks.soak._backends import Backend
from benchmarks.soak._runner import RunRecord, Settings
from benchmarks.soak._workload import MIX, PEPPER

SHOWN = 5  # examples printed for a failed check
SWEEP_COUNTS = ("handled", "closed", "breached", "reminded", "failed")


@dataclass
class Logged:
    """Everything the children's logs say, summed over every incarnation."""

    latencies: dict[str, list[int]] = field(default_factory=lambda: collections.defaultdict(list))
    failures: collections.Counter[tuple[str, str]] = field(default_factory=collections.Counter)
    messages: dict[tuple[str, str], str] = field(default_factory=dict)  # the first message of each kind
    sweeps: collections.Counter[str] = field(default_factory=collections.Counter)
    longest_sweep: tuple[int, int] = (0, 0)  # microseconds, complaints handled
    largest_rss_kib: int = 0
    acked: list[str] = field(default_factory=list)
    stderr_lines: int = 0
    stderr_last: list[str] = field(default_factory=list)  # the last line of each standard error, once each

    @classmethod
    def read(cls, folder: Path) -> Logged:
        """Read every log and acknowledgement file in ``folder``."""
        logged = cls()
        for path in sorted(folder.glob("*.log")):
            logged._read_log(path)
        for path in sorted(folder.glob("*.acked")):
            text = path.read_text(encoding="utf-8")
            # A line without its newline was cut by a kill before its fsync: never acknowledged.
            logged.acked.extend(line for line in text.split("\n")[:-1] if line)
        for path in sorted(folder.glob("*.stderr")):
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            logged.stderr_lines += len(lines)
            if lines and lines[-1] not in logged.stderr_last:
                logged.stderr_last.append(lines[-1])
        return logged

    def _read_log(self, path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        for line in text.split("\n")[:-1]:  # the last piece is empty, or a line a kill cut short
            fields = line.split(maxsplit=3)
            if fields[0] == "beat":
                continue
            if fields[0] == "end":
                self.largest_rss_kib = max(self.largest_rss_kib, int(fields[1]))
                continue
            operation, micros, outcome = fields[0], int(fields[1]), fields[2]
            if outcome != "ok":
                self.failures[operation, outcome] += 1
                self.messages.setdefault((operation, outcome), fields[3] if len(fields) > 3 else "")
            elif operation == "sweep":
                self.latencies[operation].append(micros)
                counts = dict(zip(SWEEP_COUNTS, map(int, fields[3].split()), strict=True))
                self.sweeps.update(counts)
                self.longest_sweep = max(self.longest_sweep, (micros, counts["handled"]))
            else:
                self.latencies[operation].append(micros)

    @property
    def foreign_errors(self) -> int:
        """How many failures were not lapor_core's own errors."""
        return sum(count for (_, outcome), count in self.failures.items() if outcome.startswith("foreign:"))


def percentile(ordered: list[int], share: float) -> int:
    """The nearest-rank percentile of an ascending list (``share`` in 0..1)."""
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def print_figures(settings: Settings, record: RunRecord, logged: Logged, backend: Backend) -> None:
    """Throughput and latency percentiles per operation, failures per kind, faults and the sweeps."""
    seconds = settings.seconds
    drained = record.ended - record.started - seconds
    span = record.clock.now() - record.clock.start
    print(
        f"{settings.workers} workers and a sweeper for {seconds:.0f} s (then {drained:.1f} s to finish);"
        f" the clock ran x{settings.speed:,.0f}, {span.days} days from {record.clock.start:%Y-%m-%d %H:%M}Z"
    )
    heads = " ".join(f"{head:>8}" for head in ("per s", "p50 ms", "p95 ms", "p99 ms"))
    print(f"  {'operation':<10} {'done':>9} {heads} {'max ms':>9}")
    total = 0
    for operation in ["open", *MIX, "sweep"]:
        ordered = sorted(logged.latencies.get(operation, []))
        failed = sum(count for (name, _), count in logged.failures.items() if name == operation)
        if not ordered:
            print(f"  {operation:<10} {0:>9} (failed {failed})")
            continue
        if operation in MIX:
            total += len(ordered)
        cells = " ".join(f"{percentile(ordered, share) / 1000:>8.1f}" for share in (0.5, 0.95, 0.99))
        print(
            f"  {operation:<10} {len(ordered):>9,} {len(ordered) / seconds:>8.1f} {cells}"
            f" {ordered[-1] / 1000:>9.1f}"
        )
    print(f"  {'all':<10} {total:>9,} {total / seconds:>8.1f}   (the operations of the mix)")
    print("Failures by kind:" if logged.failures else "Failures: none")
    for (operation, outcome), count in sorted(logged.failures.items()):
        message = logged.messages[operation, outcome]
        print(f"  {operation:<10} {outcome:<32} {count:>7,}  {message[:100]}")
    sweeps = logged.sweeps
    print(
        f"Sweeps: {len(logged.latencies.get('sweep', []))} completed; handled {sweeps['handled']:,},"
        f" closed {sweeps['closed']:,}, breached {sweeps['breached']:,}, reminded {sweeps['reminded']:,},"
        f" failed {sweeps['failed']:,} (left for the next run); the longest took"
        f" {logged.longest_sweep[0] / 1e6:.1f} s for {logged.longest_sweep[1]:,} due complaints"
    )
    kills = collections.Counter(record.kills)
    print(
        f"Faults: kill -9 of a worker {kills['worker']} times, of the sweeper {kills['sweeper']} times"
        f" (each restarted); {'; '.join(backend.notes())}"
    )
    print(f"Largest child RSS: {logged.largest_rss_kib / 1024:.0f} MiB")
    if logged.stderr_lines:
        print(f"The children wrote {logged.stderr_lines:,} lines to standard error (*.stderr), ending:")
        for line in logged.stderr_last[:SHOWN]:
            print(f"  {line[:200]}")


@dataclass
class Check:
    """One check's verdict and what it found."""

    name: str
    passed: bool
    detail: str


def run_checks(record: RunRecord, logged: Logged, backend: Backend) -> list[Check]:
    """Run every check against the database and the logs."""
    engine = backend.engine()
    try:
        with engine.connect() as connection:
            stored = set(connection.execute(sa.text("SELECT tracking_id FROM lapor_complaints")).scalars())
            backwards = connection.execute(sa.text(BACKWARDS)).all()
            events = connection.execute(sa.text("SELECT count(*) FROM lapor_events")).scalar_one()
            orphans = {
                name: connection.execute(sa.text(query)).scalar_one() for name, query in ORPHANS.items()
            }
    finally:
        engine.dispose()
    missing = sorted(set(logged.acked) - stored)
    broken = _broken_histories(backend.url, sorted(stored))
    hangs = ", ".join(f"{name} silent {seconds:.0f} s" for name, seconds in record.hangs)
    crashes = ", ".join(f"{name} exit code {code}" for name, code in record.crashes)
    foreign = sorted(f"{op} {outcome}" for (op, outcome) in logged.failures if outcome.startswith("foreign:"))
    return [
        Check(
            "every acknowledged complaint is stored",
            not missing,
            f"{len(logged.acked):,} acknowledged, {len(stored):,} stored"
            + _examples(", missing", missing, len(missing)),
        ),
        Check(
            "every history verifies",
            not broken,
            f"{len(stored):,} histories" + _examples(", broken", broken, len(broken)),
        ),
        Check(
            "no event time runs backwards within a history",
            not backwards,
            f"{events:,} events"
            + _examples(
                ", backwards",
                [f"{row[0]} event {row[1]} at {row[2]} after {row[3]}" for row in backwards],
                len(backwards),
            ),
        ),
        Check(
            "no orphan rows",
            not any(orphans.values()),
            ", ".join(f"{count:,} {name}" for name, count in orphans.items()),
        ),
        Check(
            "no process hung",
            not record.hangs,
            f"longest silence {record.longest_silence:.1f} s" + (f"; hung: {hangs}" if hangs else ""),
        ),
        Check("no process died on its own", not record.crashes, crashes or "none"),
        Check(
            "every error is one of lapor_core's own",
            not foreign,
            f"{logged.foreign_errors:,} others" + _examples(":", foreign, len(foreign)),
        ),
    ]


def _examples(label: str, items: Iterable[str], count: int) -> str:
    shown = list(items)[:SHOWN]
    if not shown:
        return ""
    more = f" and {count - len(shown):,} more" if count > len(shown) else ""
    return f"{label} {', '.join(shown)}{more}"


def _broken_histories(url: str, tracking_ids: list[str]) -> list[str]:
    """The complaints whose history does not verify, each with the reason."""
    broken: list[str] = []
    with lc.ComplaintDesk.open(url, pepper=PEPPER) as desk:
        for tracking_id in tracking_ids:
            report = desk.verify_history(tracking_id)
            if not report.ok:
                broken.append(f"{tracking_id} at event {report.first_bad} ({report.reason})")
    return broken


def print_checks(checks: list[Check]) -> None:
    """One line per check: PASS or FAIL, its name and what it found."""
    print("Checks:")
    for check in checks:
        print(f"  {'PASS' if check.passed else 'FAIL'}  {check.name}: {check.detail}")


# Each event against the one before it in its complaint's history; the instants compare as stored (UTC
# timestamps, or SQLite's fixed-width UTC text, which sorts like the instants).
BACKWARDS = """
SELECT complaint_id, seq, at, previous FROM (
    SELECT complaint_id, seq, at, LAG(at) OVER (PARTITION BY complaint_id ORDER BY seq) AS previous
    FROM lapor_events
) AS ordered
WHERE at < previous
ORDER BY complaint_id, seq
"""

ORPHANS = {
    "events without a complaint": """
        SELECT count(*) FROM lapor_events AS e
        WHERE NOT EXISTS (SELECT 1 FROM lapor_complaints AS c WHERE c.tracking_id = e.complaint_id)""",
    "outbox rows without a complaint": """
        SELECT count(*) FROM lapor_outbox AS o
        WHERE NOT EXISTS (SELECT 1 FROM lapor_complaints AS c WHERE c.tracking_id = o.tracking_id)""",
    "complaints whose version is not their number of events": """
        SELECT count(*) FROM lapor_complaints AS c
        WHERE c.version <> (SELECT count(*) FROM lapor_events AS e WHERE e.complaint_id = c.tracking_id)""",
}
