"""A demonstration database: complaints in every state, spread over the last weeks and across Indonesia.

Every complaint goes through the desk's own commands, backdated by a clock the seeding moves by hand, so the
histories, deadlines and breaches are the library's, exactly as if the weeks had passed.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import attrs

import lapor_core as lc
from lapor_core import PollDraft
from lapor_core.plugins import PollStore
from lapor_portal.accounts import DEMO_ACCOUNTS, demo_directory

__all__ = ["SeedReport", "seed"]

_ADMIN = next(a for a in DEMO_ACCOUNTS if a.role is lc.Role.ADMIN).principal()
_CITIZEN = next(a for a in DEMO_ACCOUNTS if a.role is lc.Role.CITIZEN).principal()
_UNITS = {"31.71": "dinas-pu", "32.73": "dishub"}


@attrs.frozen
class _Story:
    """One seeded complaint: what it says, where, and how far it got."""

    title: str
    body: str
    topic: str
    regency: str
    fate: str
    days_ago: int
    kind: lc.Kind = lc.Kind.PENGADUAN
    anonymous: bool = False
    confidential: bool = False
    reporter: str | None = None
    mine: bool = False  # sent by the demonstration citizen, signed in: in their "Laporan saya"


_STORIES: tuple[_Story, ...] = (
    _Story(
        "Jalan berlubang di depan SDN 3",
        "Lubang sedalam 20 cm membahayakan pengendara motor.",
        "roads-bridges",
        "31.71",
        "closed",
        34,
        reporter="Siti Rahayu",
    ),
    _Story(
        "Lampu jalan mati tiga malam",
        "Sepanjang Jl. Kebon Sirih gelap sejak Senin.",
        "street-lighting",
        "31.71",
        "followed_up",
        6,
        anonymous=True,
        mine=True,
    ),
    _Story(
        "Pungutan liar pengurusan KTP",
        "Diminta Rp50.000 di loket kelurahan.",
        "illegal-levies",
        "31.71",
        "assigned",
        9,
        anonymous=True,
        confidential=True,
        mine=True,
    ),
    _Story(
        "Sampah menumpuk di pasar",
        "Sudah seminggu tidak diangkut, baunya menyengat.",
        "waste",
        "32.73",
        "forwarded",
        8,
        reporter="Budi Santoso",
    ),
    _Story(
        "Angkot ngetem sembarangan",
        "Menyebabkan macet setiap pagi di simpang Dago.",
        "traffic-parking",
        "32.73",
        "assigned",
        5,
    ),
    _Story(
        "Usul taman baca di RPTRA",
        "Mohon disediakan rak buku dan jadwal pendamping.",
        "education-facilities",
        "31.71",
        "closed_rated",
        30,
        kind=lc.Kind.ASPIRASI,
        reporter="Dewi Lestari",
    ),
    _Story(
        "Jadwal vaksinasi anak",
        "Kapan jadwal imunisasi di puskesmas kecamatan?",
        "health-facilities",
        "35.78",
        "forwarded",
        3,
        kind=lc.Kind.PERMINTAAN_INFORMASI,
    ),
    _Story(
        "Banjir setiap hujan deras",
        "Saluran air tersumbat di perumahan kami.",
        "drainage-flooding",
        "33.74",
        "followed_up",
        7,
        reporter="Andi Wijaya",
    ),
    _Story(
        "Bantuan PKH tidak cair",
        "Sudah tiga bulan bantuan tidak diterima.",
        "social-aid-pkh",
        "73.71",
        "forwarded",
        12,
        anonymous=True,
    ),
    _Story(
        "Air PDAM keruh", "Air berwarna cokelat sejak minggu lalu.", "water-supply", "51.71", "closed", 28
    ),
    _Story(
        "Izin usaha mikro lambat",
        "Pengajuan NIB sudah sebulan belum selesai.",
        "business-licensing",
        "12.71",
        "declined",
        10,
        reporter="Rudi Hartono",
    ),
    _Story(
        "Kebakaran lahan dekat permukiman",
        "Asap tebal setiap sore, anak-anak batuk.",
        "forest-land-fires",
        "64.72",
        "submitted",
        1,
    ),
    _Story(
        "Guru honorer belum digaji",
        "Gaji tiga bulan belum dibayarkan.",
        "education-teachers",
        "91.71",
        "submitted",
        2,
        anonymous=True,
        confidential=True,
    ),
    _Story(
        "Antrean BPJS terlalu panjang",
        "Pasien menunggu sejak subuh.",
        "health-insurance",
        "31.71",
        "on_hold",
        4,
    ),
    _Story(
        "Promosi produk di grup warga", "Ini bukan keluhan layanan publik.", "other", "31.71", "archived", 6
    ),
    _Story(
        "Trotoar dipakai parkir",
        "Pejalan kaki terpaksa turun ke jalan.",
        "traffic-parking",
        "31.71",
        "submitted",
        0,
    ),
)


class _SeedClock:
    """A :class:`lapor_core.plugins.Clock` the seeding sets by hand."""

    def __init__(self, start: datetime) -> None:
        self.at = start

    def now(self) -> datetime:
        """The instant the seeding has reached."""
        return self.at


@attrs.frozen
class SeedReport:
    """What was seeded.

    Attributes:
        by_status: Tracking IDs by the status they ended in.
        receipts: The receipt of every complaint (demonstration only: a portal never keeps access keys).
        polls: The IDs of the seeded polls: one closed, one running (none without a poll store).
    """

    by_status: Mapping[lc.Status, tuple[str, ...]]
    receipts: tuple[lc.Receipt, ...] = attrs.field(repr=False)
    polls: tuple[str, ...] = ()

    def receipt(self, status: lc.Status) -> lc.Receipt:
        """The receipt of the first seeded complaint that ended in ``status``."""
        wanted = self.by_status[status][0]
        return next(r for r in self.receipts if r.tracking_id == wanted)


def _submission(story: _Story, rng: random.Random, regions: lc.RegionTable) -> lc.Submission:
    centroid = regions.centroid_of(story.regency)
    location: dict[str, object] = {"region": regions.children(story.regency)[0].code}
    if centroid is not None:
        location.update(
            lat=round(centroid[0] + rng.uniform(-0.02, 0.02), 5),
            lon=round(centroid[1] + rng.uniform(-0.02, 0.02), 5),
        )
    reporter = (
        {"name": story.reporter, "phone": f"08{rng.randrange(10**9, 10**10)}"} if story.reporter else None
    )
    return lc.Submission.from_dict(
        {
            "kind": story.kind.value,
            "channel": rng.choice(("web", "mobile", "sms")),
            "title": story.title,
            "body": story.body,
            "category": story.topic,
            "anonymous": story.anonymous,
            "confidential": story.confidential,
            "location": location,
            "reporter": reporter,
        }
    )


def _live(desk: lc.ComplaintDesk, clock: _SeedClock, story: _Story, receipt: lc.Receipt) -> None:
    """Take one complaint as far as its story goes, a working step every day or so."""
    tid, fate = receipt.tracking_id, story.fate

    def later(hours: float) -> None:
        clock.at += timedelta(hours=hours)

    later(20)
    if fate == "on_hold":
        desk.request_info(_ADMIN, tid, "Mohon sebutkan nama puskesmas dan tanggal kejadian.")
        return
    if fate == "archived":
        desk.archive(_ADMIN, tid, "Bukan pengaduan pelayanan publik.")
        return
    if fate == "submitted":
        return
    officer = lc.Principal.institution_officer("seed-officer", institution=story.regency)
    if fate == "declined":
        desk.forward(_ADMIN, tid, institution="31.71")
        later(30)
        desk.decline(
            lc.Principal.institution_officer("seed-officer", institution="31.71"),
            tid,
            "Lokasi di Kota Medan.",
        )
        later(20)
    desk.forward(_ADMIN, tid, institution=story.regency, category=story.topic)
    if fate in ("forwarded", "declined"):
        return
    later(24)
    if fate in ("assigned", "followed_up") or story.regency in _UNITS:
        desk.assign(officer, tid, _UNITS.get(story.regency, "umum"))
    if fate == "assigned":
        return
    later(48)
    desk.follow_up(officer, tid, "Sudah kami tangani di lapangan; mohon konfirmasi bila masih terjadi.")
    if fate == "closed_rated":
        later(30)
        reporter = desk.authenticate(tid, receipt.access_key)
        desk.close_complaint(reporter, tid)
        desk.rate(reporter, tid, 5)


def _merged_duplicate(
    desk: lc.ComplaintDesk, clock: _SeedClock, end: datetime, original: lc.Receipt
) -> lc.Receipt:
    """A second report of the dark street, merged into the first by an admin (issue 22)."""
    clock.at = end - timedelta(days=2)
    receipt = desk.submit(
        lc.Submission.from_dict(
            {
                "kind": "pengaduan",
                "channel": "sms",
                "title": "PJU Kebon Sirih padam",
                "body": "Lampu jalan di Kebon Sirih mati, gelap sekali kalau malam.",
                "category": "street-lighting",
                "location": {"region": "31.71.01"},
            }
        )
    )
    clock.at += timedelta(hours=3)
    desk.merge(_ADMIN, receipt.tracking_id, into=original.tracking_id)
    return receipt


_POLLS = (
    {
        "question": "Setujukah Anda car free day diperluas ke Jalan M.H. Thamrin setiap Minggu?",
        "description": "Usulan Dinas Perhubungan untuk uji coba tiga bulan.",
        "options": ["Setuju", "Tidak setuju", "Ragu-ragu"],
        "audience": ["31"],
        "results": "after_close",
    },
    {
        "question": "Kapan Mal Pelayanan Publik sebaiknya buka pada akhir pekan?",
        "options": ["Sabtu pagi", "Sabtu dan Minggu pagi", "Tidak perlu buka"],
        "audience": "national",
        "results": "live",
    },
)
# (opens, closes) relative to the seeding's end: the first poll closed ten days ago, the second runs on.
_POLL_WINDOWS = ((timedelta(days=-20), timedelta(days=-10)), (timedelta(days=-3), timedelta(days=14)))
_VOTER_REGIONS = ("31.71", "31.74", "31.75", "32.73", "33.74", "35.78")


def _seed_polls(
    desk: lc.ComplaintDesk, clock: _SeedClock, end: datetime, rng: random.Random
) -> tuple[str, ...]:
    """A closed and a running poll of Jakarta Pusat's government, with votes from many regions."""
    officer = lc.Principal.institution_officer("seed-officer", institution="31.71")
    made = []
    for definition, (opens, closes) in zip(_POLLS, _POLL_WINDOWS, strict=True):
        clock.at = end + opens - timedelta(hours=1)
        draft = PollDraft.from_dict(
            {**definition, "opens_at": (end + opens).isoformat(), "closes_at": (end + closes).isoformat()}
        )
        poll_id = desk.create_poll(officer, draft)
        desk.open_poll(officer, poll_id)
        clock.at = end + opens + timedelta(hours=2)
        for number in range(60):
            region = rng.choice(_VOTER_REGIONS)
            voter = lc.Principal.citizen(f"seed-voter-{number}", verified=True, region=region)
            if draft.admits(region):
                desk.vote(voter, poll_id, [rng.choice((0, 0, 1, 1, 1, 2))])
        made.append(poll_id)
    return tuple(made)


def seed(
    url: str,
    *,
    pepper: str | bytes,
    now: datetime | None = None,
    directory: lc.InstitutionDirectory | None = None,
    poll_store: PollStore | None = None,
    seed_value: int = 2026,
) -> SeedReport:
    """Fill the store at ``url`` with the demonstration complaints, as of ``now`` (default: the present).

    Complaints whose follow-up is more than 10 working days old are closed by the sweep run at the end, and
    every missed deadline is recorded, so the queues show SLA countdowns and breaches. With a ``poll_store``
    (lapor_core keeps polls apart from complaints) a closed and a running poll are seeded into it too.
    """
    end = now or datetime.now(UTC)
    clock = _SeedClock(end)
    polls_option = {} if poll_store is None else {"poll_store": poll_store}
    directory = directory or demo_directory()
    desk = lc.ComplaintDesk.open(url, pepper=pepper, clock=clock, directory=directory, **polls_option)
    rng = random.Random(seed_value)  # noqa: S311 - repeatable demonstration data, not a secret
    regions = lc.RegionTable.default()
    receipts: list[lc.Receipt] = []
    try:
        for story in _STORIES:
            clock.at = end - timedelta(days=story.days_ago, hours=rng.uniform(1, 8))
            receipt = desk.submit(_submission(story, rng, regions), _CITIZEN if story.mine else None)
            receipts.append(receipt)
            _live(desk, clock, story, receipt)
        lights = next(
            r for story, r in zip(_STORIES, receipts, strict=False) if story.topic == "street-lighting"
        )
        receipts.append(_merged_duplicate(desk, clock, end, lights))
        polls = _seed_polls(desk, clock, end, rng) if poll_store is not None else ()
        clock.at = end
        desk.sweep(end)
        statuses: dict[lc.Status, list[str]] = {}
        for receipt in receipts:
            status = desk.view(_ADMIN, receipt.tracking_id).status
            statuses.setdefault(status, []).append(receipt.tracking_id)
    finally:
        desk.close()
    by_status = MappingProxyType({status: tuple(ids) for status, ids in statuses.items()})
    return SeedReport(by_status=by_status, receipts=tuple(receipts), polls=polls)
