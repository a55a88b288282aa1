"""Similar complaints on the SQL stores: the same results and scores as on the in-memory store."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import lapor_core as lc
from lapor_core.testing import FrozenClock

PEPPER = "similar test pepper, 32 bytes ok"
ADMIN = lc.Principal.admin("adm-1")
START = datetime(2026, 3, 17, 10, tzinfo=timezone(timedelta(hours=7)))
TEXTS = [
    ("Lampu jalan mati di Jl. Menteng Raya", "Sudah seminggu lampu PJU gelap.", "31.71.06"),
    ("Lampu jalan padam di Jl. Cikini", "Gelap sejak Senin malam.", "31.71.06"),
    ("Jalan berlubang di Jl. Kramat Raya", "Lubang besar dekat halte.", "31.71.03"),
    ("Sampah menumpuk di TPS Menteng", "Tidak diangkut tiga hari.", "31.71.06"),
    ("Lampu jalan mati di Kemayoran", "PJU depan sekolah mati.", "31.71.03"),
]


def _fill(desk: lc.ComplaintDesk, clock: FrozenClock) -> dict[str, str]:
    """The same complaints on any desk: public, confidential and unpublished ones; titles by tracking ID."""
    titles: dict[str, str] = {}
    for index, (title, body, region) in enumerate(TEXTS * 3):
        clock.advance(hours=1)
        shown = f"{title} ({index})"
        submission = lc.Submission.from_dict(
            {
                "kind": "pengaduan",
                "channel": "web",
                "title": shown,
                "body": body,
                "category": "street-lighting" if "ampu" in title else "roads-bridges",
                "location": {"region": region},
            }
        )
        tid = desk.submit(submission).tracking_id
        titles[tid] = shown
        if index % 3 != 2:  # every third one stays unpublished
            desk.forward(ADMIN, tid, institution="31.71", confidential=index % 4 == 0 or None)
    return titles


def _seen(desk: lc.ComplaintDesk, titles: dict[str, str], principal: lc.Principal) -> list[tuple[str, float]]:
    draft = lc.Submission.from_dict(
        {
            "kind": "pengaduan",
            "channel": "web",
            "title": "lampu jln menteng ga nyala",
            "body": "pju mati sdh 7 hr, gelap bgt",
            "location": {"region": "31.71.06"},
        }
    )
    return [(titles[s.tracking_id], s.score) for s in desk.similar(principal, draft, limit=50)]


def test_similar_complaints_on_sql_equal_those_in_memory(store_url: str) -> None:
    """Public, admin, officer and citizen see the same similar complaints, scores and order on every store."""
    results = []
    for url in ("memory://", store_url):
        clock = FrozenClock(START)
        desk = lc.ComplaintDesk.open(url, clock=clock, pepper=PEPPER)
        try:
            titles = _fill(desk, clock)
            clock.advance(days=1)
            principals = [
                lc.Principal.public(),
                ADMIN,
                lc.Principal.institution_officer("off-1", institution="31.71"),
                lc.Principal.citizen("acc-1"),
            ]
            results.append([_seen(desk, titles, p) for p in principals])
        finally:
            desk.close()
    in_memory, on_sql = results
    assert on_sql == in_memory
    public, admin = in_memory[0], in_memory[1]
    assert 0 < len(public) < len(admin)
    assert all(0.0 <= score <= 1.0 for _, score in admin)


def test_a_draft_far_in_the_past_finds_nothing_on_sql(store_url: str) -> None:
    """The time window holds on SQL: a year and a day later nothing is a candidate."""
    clock = FrozenClock(START)
    desk = lc.ComplaintDesk.open(store_url, clock=clock, pepper=PEPPER)
    try:
        titles = _fill(desk, clock)
        clock.advance(days=366)
        assert _seen(desk, titles, ADMIN) == []
    finally:
        desk.close()
