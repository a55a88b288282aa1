"""Killing the process mid-write loses nothing acknowledged and leaves no half-written complaint (SQLite).

A child process submits and forwards complaints through the desk in a loop, printing each tracking ID once
the call has returned. The test kills it with SIGKILL at a random moment, twenty times over the same
database file, and after each kill checks the file: every acknowledged complaint is there with its whole
history, SQLite's integrity check passes, and no event or outbox row lacks its complaint.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from lapor_core._domain.history import verify_chain
from lapor_core._domain.lifecycle import Status
from lapor_core.stores.sql import SqlComplaintStore

KILLS = 20

CHILD = textwrap.dedent(
    """
    import sys
    import lapor_core as lc

    desk = lc.ComplaintDesk.open(sys.argv[1], pepper="crash test pepper 0123456789")
    admin = lc.Principal.admin("adm-1")
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        receipt = desk.submit(lc.Submission.from_dict({
            "kind": "pengaduan", "channel": "web", "title": f"Keluhan {n}", "body": "Jalan rusak. " * 40,
            "reporter": {"name": "Siti", "email": "siti@example.id"},
        }))
        print("submitted", receipt.tracking_id, flush=True)
        if n % 2 == 0:
            desk.forward(admin, receipt.tracking_id, institution="31.71")
            print("forwarded", receipt.tracking_id, flush=True)
    """
)


def _run_and_kill(url: str, rng: random.Random) -> list[tuple[str, str]]:
    """Start the child, let it write for a random while, SIGKILL it, and return what it acknowledged."""
    child = subprocess.Popen(  # our own interpreter and code
        [sys.executable, "-c", CHILD, url], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    time.sleep(rng.uniform(0.0, 0.25))
    os.kill(child.pid, signal.SIGKILL)
    output = child.stdout.read()
    child.stdout.close()
    assert child.wait(10) == -signal.SIGKILL
    acknowledged = []
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 2:  # a line cut by the kill was never acknowledged
            acknowledged.append((parts[0], parts[1]))
    return acknowledged


def _check_file(path: Path) -> None:
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        orphan_events = db.execute(
            "SELECT count(*) FROM lapor_events e "
            "LEFT JOIN lapor_complaints c ON c.tracking_id = e.complaint_id WHERE c.tracking_id IS NULL"
        ).fetchone()
        orphan_messages = db.execute(
            "SELECT count(*) FROM lapor_outbox o "
            "LEFT JOIN lapor_complaints c ON c.tracking_id = o.tracking_id WHERE c.tracking_id IS NULL"
        ).fetchone()
        torn = db.execute(
            "SELECT count(*) FROM lapor_complaints c "
            "WHERE c.version != (SELECT count(*) FROM lapor_events e WHERE e.complaint_id = c.tracking_id)"
        ).fetchone()
    db.close()
    assert (orphan_events, orphan_messages, torn) == ((0,), (0,), (0,))


@pytest.mark.slow
def test_sigkill_never_loses_an_acknowledged_complaint_nor_leaves_a_torn_one(tmp_path: Path) -> None:
    """Twenty SIGKILLs at random moments: every acknowledged write survives whole, nothing is half-written."""
    path = tmp_path / "crash.db"
    url = f"sqlite:///{path}"
    SqlComplaintStore(url).close()
    rng = random.Random(1708)
    submitted: set[str] = set()
    forwarded: set[str] = set()
    for _ in range(KILLS):
        for what, tid in _run_and_kill(url, rng):
            (submitted if what == "submitted" else forwarded).add(tid)
        _check_file(path)
        store = SqlComplaintStore(url, schema="check")
        try:
            for tid in submitted:
                complaint = store.get(tid)
                history = store.history(tid)
                assert verify_chain(tid, history).ok
                assert complaint.version == len(history)
                assert complaint.identity_ref is not None
                assert store.identity(complaint.identity_ref) is not None
                if tid in forwarded:
                    assert complaint.status is Status.FORWARDED
        finally:
            store.close()
    assert forwarded
    assert len(submitted) > KILLS
