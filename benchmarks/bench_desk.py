"""Desk commands per second on the in-memory store, and one sweep over 100,000 open complaints.

The peer is the bare cost underneath: a dict insert per complaint, the bound of any in-memory desk.
Set LAPOR_BENCH_SWEEP_N to change the sweep size (default 100,000).
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone

import lapor_core as lc
from lapor_core.testing import FrozenClock

WIB = timezone(timedelta(hours=7))
SUBMISSION = lc.Submission.from_dict(
    {
        "kind": "pengaduan",
        "channel": "web",
        "title": "Jalan berlubang",
        "body": "Di depan SDN 3.",
        "reporter": {"name": "Siti", "phone": "081234567890"},
    }
)
ADMIN = lc.Principal.admin("adm")
OFFICER = lc.Principal.institution_officer("off", institution="31.71")


def _desk() -> tuple[lc.ComplaintDesk, FrozenClock]:
    clock = FrozenClock(datetime(2026, 3, 17, 10, tzinfo=WIB))
    return lc.ComplaintDesk.open("memory://", clock=clock, pepper="benchmark pepper 0123456789"), clock


def _rate(label: str, count: int, run: object) -> float:
    started = time.perf_counter()
    run()  # type: ignore[operator]
    elapsed = time.perf_counter() - started
    rate = count / elapsed
    print(f"  {label:<34} {rate:>10,.0f} /s   ({elapsed * 1e6 / count:,.1f} us each)")
    return rate


def main() -> None:
    n = 5_000
    desk, _ = _desk()
    ids: list[str] = []
    bare: dict[int, object] = {}
    print(f"Commands on the in-memory store ({n:,} each):")
    _rate("dict insert (the floor)", n, lambda: [bare.__setitem__(i, SUBMISSION) for i in range(n)])
    _rate("submit", n, lambda: ids.extend(desk.submit(SUBMISSION).tracking_id for _ in range(n)))
    _rate("forward", n, lambda: [desk.forward(ADMIN, t, institution="31.71") for t in ids])
    _rate("follow_up", n, lambda: [desk.follow_up(OFFICER, t, "Sudah ditambal.") for t in ids])
    _rate("view (admin)", n, lambda: [desk.view(ADMIN, t) for t in ids])

    size = int(os.environ.get("LAPOR_BENCH_SWEEP_N", "100000"))
    desk, clock = _desk()
    print(f"\nOne sweep over {size:,} open complaints (all forwarded; the sweep finds every one breached):")
    started = time.perf_counter()
    for _ in range(size):
        tid = desk.submit(SUBMISSION).tracking_id
        desk.forward(ADMIN, tid, institution="31.71")
    print(f"  setup {time.perf_counter() - started:,.1f} s")
    late = datetime(2026, 6, 1, tzinfo=WIB)
    clock.set(late)
    started = time.perf_counter()
    report = desk.sweep(late)
    elapsed = time.perf_counter() - started
    print(f"  sweep acting on every complaint: {elapsed:,.2f} s ({len(report.breached):,} breaches recorded)")
    started = time.perf_counter()
    again = desk.sweep(late)
    print(
        f"  second sweep (nothing due):      {time.perf_counter() - started:,.3f} s "
        f"({len(again.breached)} breaches)"
    )


if __name__ == "__main__":
    main()
