"""Runs one soak on one backend: starts the workers and the sweeper, kills and restarts them, injects faults.

Every child is a fresh interpreter (``spawn``), so a killed one leaves nothing shared behind. The runner
watches each child's log: one silent (no operation finished, no sweep batch) for longer than
``hang_after`` seconds counts as a hang and is killed and restarted; one that exits on its own before the
deadline with a non-zero code counts as a crash and is restarted.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import random
import signal
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.process import BaseProcess
from pathlib import Path

import lapor_core as lc
from benchmarks.soak._backends import Backend
from benchmarks.soak._workload import PEPPER, FastClock, Job, run

TICK = 0.25


@dataclass(frozen=True)
class Settings:
    """How one soak runs."""

    workers: int
    seconds: float
    speed: float
    sweep_every: float
    kill_every: float
    fault_every: float
    hang_after: float
    seed: int


@dataclass
class Child:
    """One worker or the sweeper: its current process and what the runner saw of it."""

    job: Job
    process: BaseProcess
    log_size: int = 0
    heard_at: float = field(default_factory=time.monotonic)
    done: bool = False  # stopped for good (drained, or dead and not restarted)


@dataclass
class RunRecord:
    """What happened during a soak, besides what the children logged."""

    clock: FastClock
    started: float
    ended: float = 0.0
    kills: list[str] = field(default_factory=list)
    hangs: list[tuple[str, float]] = field(default_factory=list)
    crashes: list[tuple[str, int]] = field(default_factory=list)
    longest_silence: float = 0.0


class Runner:
    """Starts, watches, kills and restarts the children of one soak until its deadline, then drains them."""

    def __init__(self, settings: Settings, backend: Backend, folder: Path) -> None:
        self._settings = settings
        self._backend = backend
        self._folder = folder
        self._rng = random.Random(settings.seed)
        self._context = multiprocessing.get_context("spawn")
        self._children: list[Child] = []

    def run(self) -> RunRecord:
        """Run the soak; return its record once every child has stopped."""
        settings = self._settings
        # The first open creates the schema, so the children do not race to migrate a new database.
        lc.ComplaintDesk.open(self._backend.url, pepper=PEPPER).close()
        clock = FastClock(datetime.now(UTC).replace(microsecond=0), time.monotonic(), settings.speed)
        deadline = clock.origin + settings.seconds
        record = RunRecord(clock, clock.origin)
        names = [f"w{index}" for index in range(settings.workers)]
        try:
            for name in [*names, "sweeper"]:
                role = "sweeper" if name == "sweeper" else "worker"
                job = Job(
                    role, name, 0, self._backend.url, clock, deadline, self._folder, 0, settings.sweep_every
                )
                self._children.append(self._start(job))
            next_kill = self._after(settings.kill_every)
            next_fault = self._after(settings.fault_every)
            while (now := time.monotonic()) < deadline:
                for child in self._children:
                    self._watch(child, now, record, restart=True)
                if now >= next_kill:
                    child = self._rng.choice(self._children)
                    record.kills.append(child.job.role)
                    self._replace(child, kill=True)
                    next_kill = self._after(settings.kill_every)
                if now >= next_fault:
                    self._backend.inject_fault()
                    next_fault = self._after(settings.fault_every)
                self._backend.observe()
                time.sleep(TICK)
            while not all(child.done for child in self._children):
                for child in self._children:
                    self._watch(child, time.monotonic(), record, restart=False)
                time.sleep(TICK)
        finally:
            for child in self._children:
                if child.process.is_alive():
                    os.kill(child.process.pid or 0, signal.SIGKILL)
                child.process.join()
        record.ended = time.monotonic()
        return record

    def _after(self, seconds: float) -> float:
        """An instant ``seconds`` from now, give or take half of it (faults do not come on a beat)."""
        return time.monotonic() + seconds * self._rng.uniform(0.5, 1.5)

    def _start(self, job: Job) -> Child:
        job = dataclasses.replace(job, seed=self._rng.randrange(2**32))
        process = self._context.Process(target=run, args=(job,), name=f"soak-{job.name}", daemon=True)
        process.start()
        return Child(job, process)

    def _replace(self, child: Child, *, kill: bool) -> None:
        """Kill ``child``'s process (when ``kill``) and start its next incarnation in its place."""
        if kill and child.process.is_alive():
            os.kill(child.process.pid or 0, signal.SIGKILL)
        child.process.join()
        fresh = self._start(dataclasses.replace(child.job, incarnation=child.job.incarnation + 1))
        child.job, child.process, child.log_size, child.heard_at = fresh.job, fresh.process, 0, fresh.heard_at

    def _watch(self, child: Child, now: float, record: RunRecord, *, restart: bool) -> None:
        """Notice a child that logged something, fell silent too long, or died on its own."""
        if child.done:
            return
        try:
            size = child.job.log_path.stat().st_size
        except FileNotFoundError:
            size = 0
        if size != child.log_size:
            child.log_size, child.heard_at = size, now
        silence = now - child.heard_at
        record.longest_silence = max(record.longest_silence, silence)
        name = f"{child.job.name}.{child.job.incarnation}"
        if child.process.is_alive():
            if silence <= self._settings.hang_after:
                return
            record.hangs.append((name, silence))
            os.kill(child.process.pid or 0, signal.SIGKILL)
            child.process.join()
        elif child.process.exitcode != 0:
            record.crashes.append((name, child.process.exitcode or 0))
        if restart and time.monotonic() < child.job.deadline:
            self._replace(child, kill=False)
        else:
            child.done = True
