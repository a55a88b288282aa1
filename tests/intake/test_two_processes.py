"""Issue 18: one inbound message handed to two processes at once is one complaint, then one reply.

Each process opens its own desk on one SQLite file and shares nothing else (no limiter): only the store's
idempotency records, saved in the same changeset as the complaint or the reply, keep the message single.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import lapor_core as lc

PEPPER = "two processes, one pepper, 32 bytes"
ADMIN = lc.Principal.admin("adm-1")
OFFICER = lc.Principal.institution_officer("off-1", institution="31.71")

_WORKER = textwrap.dedent(
    """
    import json, sys, time
    from datetime import UTC, datetime
    from pathlib import Path
    import lapor_core as lc
    from lapor_core.intake import InboundMessage, handle
    from lapor_core.intake.sms import SmsIntake

    database, go, message_id, text, PEPPER = sys.argv[1:6]
    with lc.ComplaintDesk.open(f"sqlite:///{database}", pepper=PEPPER) as desk:
        message = InboundMessage("sms", message_id, "0812-3456-7890", text, datetime.now(UTC))
        while not Path(go).exists():  # both processes are ready: deliver at the same moment
            time.sleep(0.001)
        answer = handle(desk, SmsIntake(), message).answer
        print(json.dumps({"code": answer.code, "tracking_id": answer.tracking_id}))
    """
)


def _deliver_twice(tmp_path: Path, database: Path, message_id: str, text: str) -> list[dict[str, str]]:
    go = tmp_path / f"go-{message_id}"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(database), str(go), message_id, text, PEPPER],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(1.5)  # both import lapor_core and open the database before the signal
    go.touch()
    answers = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        answers.append(json.loads(out.strip().splitlines()[-1]))
    return answers


def test_one_sms_handled_by_two_processes_is_one_complaint_and_its_reply_one_reply(tmp_path: Path) -> None:
    """Both processes answer with the same tracking ID, and later both say the reply was recorded, once."""
    database = tmp_path / "lapor.db"
    with lc.ComplaintDesk.open(f"sqlite:///{database}", pepper=PEPPER):
        pass  # the schema, before the workers race to open it
    filed = _deliver_twice(tmp_path, database, "gw-1", "LAPOR Lampu jalan mati di Jl. Melati 5")
    assert [a["code"] for a in filed] == ["intake.received"] * 2
    assert filed[0]["tracking_id"] == filed[1]["tracking_id"]
    tid = filed[0]["tracking_id"]
    with lc.ComplaintDesk.open(f"sqlite:///{database}", pepper=PEPPER) as desk:
        assert [c.tracking_id for c in desk.complaints(ADMIN).items] == [tid]
        desk.forward(ADMIN, tid, institution="31.71")
        desk.follow_up(OFFICER, tid, "Lampu sudah diganti.")
    replied = _deliver_twice(tmp_path, database, "gw-2", f"BALAS {tid} masih mati tiap malam")
    assert [a["code"] for a in replied] == ["intake.reply_recorded"] * 2
    with lc.ComplaintDesk.open(f"sqlite:///{database}", pepper=PEPPER) as desk:
        actions = [e.action for e in desk.history(ADMIN, tid)]
        assert actions.count(lc.Action.REPLY) == 1
        assert actions[-1] is lc.Action.REPLY
        assert desk.verify_history(tid).ok
