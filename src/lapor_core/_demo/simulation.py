"""A month of LAPOR! traffic on the real 2026 calendar, for ``lapor demo`` (``make demo``).

Complaints arrive on working days of March 2026 at institutions in three time zones; the admin verifies,
holds and archives; institutions assign, decline and follow up (some late); reporters answer holds and
reply; the sweep closes, reminds and records breaches. Everything is driven by one seeded random generator
and a frozen clock, so a seed always prints the same report.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

import attrs

from lapor_core._domain.access import Principal
from lapor_core._domain.lifecycle import Status
from lapor_core._domain.model import Submission
from lapor_core._domain.ports import FrozenClock
from lapor_core._domain.tracking import TrackingId
from lapor_core._domain.views import ComplaintView
from lapor_core.desk import ComplaintDesk
from lapor_core.errors import LaporError

__all__ = ["SimulationResult", "simulate"]

WIB = ZoneInfo("Asia/Jakarta")
INSTITUTIONS = ("31.71", "32.73", "35.78", "73.71", "91.71", "61.71")
TOPICS = (
    ("roads-bridges", "Jalan berlubang di depan sekolah", "Lubang besar membahayakan pengendara motor."),
    ("health-insurance", "Antrean BPJS di puskesmas", "Pasien menunggu lebih dari lima jam tanpa kepastian."),
    ("identity-card", "KTP elektronik belum jadi", "Sudah tiga bulan sejak perekaman, belum ada kabar."),
    ("education-fees", "Pungutan di sekolah negeri", "Orang tua diminta membayar uang seragam yang mahal."),
    ("waste", "Sampah menumpuk di pasar", "Tidak diangkut selama seminggu, baunya menyengat."),
    ("business-licensing", "Izin usaha mikro lambat", "Permohonan NIB tidak diproses sejak bulan lalu."),
    ("traffic-parking", "Lampu lalu lintas mati", "Persimpangan rawan kecelakaan pada jam sibuk."),
)


@attrs.frozen
class SimulationResult:
    """What the simulation produced: the desk (to inspect further) and every tracking ID it created."""

    desk: ComplaintDesk
    tracking_ids: tuple[str, ...]


# How many hours an institution's officers usually take per step; the slow ones miss deadlines.
PACE = {
    "31.71": (3, 20, 26),
    "32.73": (20, 44),
    "35.78": (3, 26, 50),
    "73.71": (20, 50, 70),
    "91.71": (50, 120, 170),
    "61.71": (26, 90, 140),
}


def _slots(desk: ComplaintDesk, first: date, last: date) -> Iterator[tuple[datetime, bool]]:
    """Every instant the simulation looks at, and whether offices are open then."""
    day = first
    while day <= last:
        yield datetime.combine(day, time(0, 5), WIB), False  # the nightly sweep, also on days off
        if desk.calendar.is_working_day(day):
            for hour in (8, 10, 13, 15):
                yield datetime.combine(day, time(hour), WIB), True
        day += timedelta(days=1)


@attrs.define
class _World:
    rng: random.Random
    desk: ComplaintDesk
    clock: FrozenClock
    admin: Principal = attrs.field(factory=lambda: Principal.admin("admin-lapor"))
    created: list[str] = attrs.field(factory=list)
    keys: dict[str, str] = attrs.field(factory=dict)
    plans: dict[str, datetime] = attrs.field(factory=dict)

    def submit_some(self, now: datetime) -> None:
        for _ in range(self.rng.choice((0, 1, 2, 3, 3, 4, 5))):
            category, title, body = self.rng.choice(TOPICS)
            anonymous, confidential = self.rng.random() < 0.3, self.rng.random() < 0.1
            data = {
                "kind": self.rng.choice(("pengaduan", "pengaduan", "aspirasi", "permintaan_informasi")),
                "channel": self.rng.choice(("web", "mobile", "sms", "social")),
                "title": title,
                "body": body,
                "category": category,
                "anonymous": anonymous,
                "confidential": confidential,
                "reporter": {"name": f"Warga {len(self.created) + 1}", "phone": "081234567890"},
            }
            receipt = self.desk.submit(Submission.from_dict(data))
            self.created.append(receipt.tracking_id)
            self.keys[receipt.tracking_id] = receipt.access_key
            self.plans[receipt.tracking_id] = now + timedelta(hours=self.rng.choice((2, 20, 26, 50, 90)))

    def act(self, now: datetime) -> None:
        for tid in self.created:
            if self.plans.get(tid, now) > now:
                continue
            try:
                self._step(tid, self.desk.view(self.admin, tid), now)
            except LaporError:
                self.plans[tid] = now + timedelta(days=1)

    def _later(self, tid: str, now: datetime, *hours: int) -> None:
        self.plans[tid] = now + timedelta(hours=self.rng.choice(hours))

    def _step(self, tid: str, view: ComplaintView, now: datetime) -> None:
        rng, desk = self.rng, self.desk
        reporter = desk.authenticate(tid, self.keys[tid])
        officer = (
            Principal.institution_officer("officer", institution=view.institution)
            if view.institution
            else None
        )
        if view.status is Status.SUBMITTED:
            roll = rng.random()
            if roll < 0.06 and not any(t.action == "request_info" for t in view.timeline):
                desk.request_info(self.admin, tid, "Mohon lampirkan lokasi yang lebih jelas.")
                self._later(tid, now, 20, 44)
            elif roll < 0.10:
                desk.archive(self.admin, tid, "Bukan pelayanan publik.")
            else:
                declined = {t.institution for t in view.timeline if t.action == "decline"}
                choices = [i for i in INSTITUTIONS if i not in declined] or list(INSTITUTIONS)
                institution = rng.choice(choices)
                desk.forward(self.admin, tid, institution=institution)
                self._later(tid, now, *PACE[institution])
        elif view.status is Status.ON_HOLD:
            desk.provide_info(reporter, tid, "Lokasinya di Jalan Merdeka nomor 10.")
            self._later(tid, now, 2, 20)
        elif view.status in (Status.FORWARDED, Status.ASSIGNED) and officer is not None:
            roll = rng.random()
            if roll < 0.05 and len(view.timeline) < 4:
                desk.decline(officer, tid, "Bukan wewenang kami; kewenangan pemerintah provinsi.")
            elif roll < 0.35 and view.status is Status.FORWARDED:
                desk.assign(officer, tid, rng.choice(("dinas-pu", "dinas-kesehatan", "disdukcapil")))
                self._later(tid, now, *PACE[view.institution or "31.71"])
            else:
                desk.follow_up(officer, tid, "Sudah kami tindak lanjuti; petugas meninjau lokasi.")
                self._later(tid, now, 30, 60)
        elif view.status is Status.FOLLOWED_UP and rng.random() < 0.2:
            replies = sum(1 for t in view.timeline if t.action == "reply")
            if replies < 2:
                desk.reply(reporter, tid, "Belum ada perubahan di lapangan.")
                self._later(tid, now, 20, 70, 140)
                return
            self.plans[tid] = now + timedelta(days=365)
        else:
            self.plans[tid] = now + timedelta(days=365)


def simulate(desk: ComplaintDesk, clock: FrozenClock, *, seed: int) -> SimulationResult:
    """Drive ``desk`` through March and April 2026; ``clock`` is the desk's clock."""
    world = _World(random.Random(seed), desk, clock)
    for now, open_hours in _slots(desk, date(2026, 3, 2), date(2026, 4, 30)):
        clock.set(now)
        if open_hours:
            if now.date() <= date(2026, 3, 31):
                world.submit_some(now)
            world.act(now)
        desk.sweep(now)
    return SimulationResult(desk, tuple(world.created))


def seeded_ids(seed: int) -> Iterator[TrackingId]:
    """Reproducible tracking IDs for the demonstration (real desks draw them from ``secrets``)."""
    rng = random.Random(seed ^ 0x1A90)
    while True:
        yield TrackingId.from_int(rng.getrandbits(55))


def report(result: SimulationResult, out: TextIO, *, timelines: int = 3) -> None:
    """Print a few timelines and the SLA table per institution."""
    desk, admin = result.desk, Principal.admin("admin-lapor")
    views = [desk.view(admin, tid) for tid in result.tracking_ids]
    statuses = Counter(v.status.value for v in views)
    out.write(
        f"{len(views)} complaints: " + ", ".join(f"{s} {n}" for s, n in sorted(statuses.items())) + "\n\n"
    )
    shown = [v for v in views if len(v.timeline) >= 5][:timelines]
    for view in shown:
        out.write(f"Timeline of {view.tracking_id} ({view.kind.value}, {view.status.label('en')}):\n")
        for entry in view.timeline:
            where = f" -> {entry.institution}" if entry.institution and entry.action == "forward" else ""
            out.write(
                f"  {entry.at.astimezone(WIB):%a %d %b %H:%M} WIB  "
                f"{entry.actor_role:<11} {entry.action}{where}\n"
            )
        for deadline in view.deadlines:
            due = deadline.due_at.astimezone(WIB).strftime("%a %d %b %H:%M") if deadline.due_at else "-"
            out.write(f"    clock {deadline.stage:<12} due {due} WIB  {deadline.state}\n")
        out.write("\n")
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for view in views:
        for deadline in view.deadlines:
            if deadline.stage != "follow_up" or deadline.institution is None:
                continue
            table[deadline.institution][deadline.state] += 1
    names = {code: desk.calendar_for(code).tz for code in table}
    out.write("Follow-up service level per institution (5 working days, local calendar):\n")
    out.write(f"  {'institution':<12}{'time zone':<16}{'met':>6}{'breached':>10}{'running':>9}{'other':>7}\n")
    for code in sorted(table):
        row = table[code]
        other = sum(row.values()) - row["met"] - row["breached"] - row["running"]
        out.write(
            f"  {code:<12}{names[code]!s:<16}{row['met']:>6}{row['breached']:>10}"
            f"{row['running']:>9}{other:>7}\n"
        )
