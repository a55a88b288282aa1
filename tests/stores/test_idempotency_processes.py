"""Idempotent submission across processes: several processes, one database, one key, one complaint.

The store contract races threads of one process; here separate interpreters, each with its own desk and
connections, submit the same report under the same key at once (released together once all are ready), on
each SQL backend.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable

import pytest

import lapor_core as lc
from lapor_core.stores.sql import SqlComplaintStore

PROCESSES = 4
PEPPER = "process test pepper, 16+ bytes"
TITLE = "Banjir di Kampung Melayu"

CHILD = textwrap.dedent(
    """
    import json, sys
    import lapor_core as lc

    url, pepper, title = sys.argv[1:4]
    desk = lc.ComplaintDesk.open(url, pepper=pepper, schema="check")
    submission = lc.Submission.from_dict(
        {"kind": "pengaduan", "channel": "sms", "title": title, "body": "Air setinggi lutut sejak subuh."}
    )
    print("ready", flush=True)
    sys.stdin.readline()  # the parent releases every process at once
    try:
        receipt = desk.submit(submission, idempotency_key="gateway-msg-5b0e7f3c9a214d68")
        print(json.dumps([receipt.tracking_id, receipt.access_key]), flush=True)
    except Exception as error:
        print(json.dumps(["error", repr(error)]), flush=True)
    finally:
        desk.close()
    """
)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mariadb"])
def test_processes_racing_with_one_key_store_one_complaint(
    backend: str, new_database: Callable[[str], str]
) -> None:
    """Four processes submit at once under one key: one complaint, one receipt for all, a working key."""
    url = new_database(backend)
    SqlComplaintStore(url).close()  # the schema, created once before the race
    children = [
        subprocess.Popen(  # our own interpreter and code
            [sys.executable, "-c", CHILD, url, PEPPER, TITLE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        receipts = [tuple(json.loads(child.communicate(timeout=120)[0])) for child in children]
    finally:
        for child in children:
            child.kill()
            child.wait()
    assert all(tid != "error" for tid, _ in receipts), receipts
    assert len(set(receipts)) == 1
    tracking_id, access_key = receipts[0]
    with lc.ComplaintDesk.open(url, pepper=PEPPER) as desk:
        (complaint,) = desk.store.query(lc.ComplaintQuery()).items
        assert complaint.tracking_id == tracking_id
        assert len(desk.store.history(tracking_id)) == 1
        reporter = desk.authenticate(tracking_id, access_key)
        assert desk.view(reporter, tracking_id).title == TITLE
