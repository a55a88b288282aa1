"""Builders shared by the desk tests."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs

import lapor_core as lc
from lapor_core.testing import FrozenClock

WIB = timezone(timedelta(hours=7), "WIB")
WITA = timezone(timedelta(hours=8), "WITA")
PEPPER = "test pepper, 32 bytes of entropy!"
ADMIN = lc.Principal.admin("adm-1")


def officer(institution: str = "31.71") -> lc.Principal:
    """An officer of ``institution``."""
    return lc.Principal.institution_officer("off-7", institution=institution)


def make_desk(start: datetime | None = None, **options: Any) -> tuple[lc.ComplaintDesk, FrozenClock]:
    """An in-memory desk on a frozen clock (Tue 17 Mar 2026 10:00 WIB unless ``start`` is given)."""
    clock = FrozenClock(start or datetime(2026, 3, 17, 10, tzinfo=WIB))
    return lc.ComplaintDesk.open("memory://", clock=clock, pepper=PEPPER, **options), clock


def submission(**overrides: Any) -> lc.Submission:
    """A valid named submission in Jakarta Pusat, with ``overrides`` applied to its dict form."""
    data: dict[str, Any] = {
        "kind": "pengaduan",
        "channel": "web",
        "title": "Jalan berlubang",
        "body": "Lubang besar di depan SDN 3 Menteng.",
        "location": {"region": "31.71.01", "lat": -6.1865, "lon": 106.8341, "address": "Jl. Menteng Raya 1"},
        "reporter": {
            "name": "Siti Aminah",
            "email": "siti@example.id",
            "phone": "081234567890",
            "nik": "3171234567890001",
        },
    }
    data.update(overrides)
    return lc.Submission.from_dict(data)


STATES = (
    "submitted",
    "on_hold",
    "archived",
    "forwarded",
    "declined",
    "rerouted",
    "assigned",
    "followed_up",
    "reopened",
    "closed",
    "merged",
    "escalated",
)


def drive_to(
    desk: lc.ComplaintDesk,
    tid: str,
    access_key: str,
    state: str,
    *,
    institution: str,
    unit: str,
    flags: dict[str, bool] | None = None,
    reroute_to: str | None = None,
    answer_before_archive: bool = False,
    follow_up_by_unit: bool = False,
    rate: int | None = None,
) -> None:
    """Take a fresh complaint to ``state`` (one of :data:`STATES`) the way the LAPOR! flow would.

    ``flags`` are set by the admin when forwarding; ``rerouted`` declines and forwards to ``reroute_to``;
    ``answer_before_archive`` has the reporter answer the hold before the admin archives from verification.
    ``merged`` is forwarded, then merged into a new plain complaint of its own; ``escalated`` is closed, then
    escalated by its reporter (within the window after closing), with findings recorded by the Ombudsman.
    """
    assert state in STATES, state
    reporter = desk.authenticate(tid, access_key)
    officer = lc.Principal.institution_officer("off-a", institution=institution)
    if state in ("on_hold", "archived"):
        desk.request_info(ADMIN, tid, "Mohon foto lokasi.")
        if state == "archived":
            if answer_before_archive:
                desk.provide_info(reporter, tid, "Foto terlampir.")
            desk.archive(ADMIN, tid, "Duplikat.")
        return
    if state == "submitted":
        return
    desk.forward(ADMIN, tid, institution=institution, **(flags or {}))
    if state == "merged":
        original = desk.submit(submission(reporter=None))
        desk.merge(ADMIN, tid, into=original.tracking_id)
        return
    if state in ("declined", "rerouted"):
        desk.decline(officer, tid, "Kewenangan provinsi.")
        if state == "rerouted":
            desk.forward(ADMIN, tid, institution=reroute_to or institution)
        return
    if state == "forwarded":
        return
    desk.assign(officer, tid, unit)
    if state == "assigned":
        return
    answering = (
        lc.Principal.unit_officer("u-a1", institution=institution, unit=unit)
        if follow_up_by_unit
        else officer
    )
    desk.follow_up(answering, tid, "Sudah ditambal.")
    if state == "reopened":
        desk.reply(reporter, tid, "Belum, masih berlubang.")
    elif state in ("closed", "escalated"):
        desk.close_complaint(reporter, tid)
        if rate is not None:
            desk.rate(reporter, tid, rate)
        if state == "escalated":
            desk.escalate(reporter, tid, reason="Tidak puas dengan tindak lanjut.")
            desk.record_findings(lc.Principal.supervisor("ori-1"), tid, "Dalam pemeriksaan.")


@attrs.frozen
class Canaries:
    """A unique reporter identity whose strings must never appear where identity is withheld.

    ``series`` keeps one test module's canaries apart from another's.
    """

    index: int
    series: str = "7733"

    @property
    def name(self) -> str:
        """The display name."""
        return f"Kanari {self.index:03d} Q{self.series}"

    @property
    def email(self) -> str:
        """The e-mail address."""
        return f"kanari{self.index:03d}.{self.series}@canary.example"

    @property
    def phone(self) -> str:
        """The phone number as typed (stored as +62...)."""
        return f"0819{self.index:04d}{self.series}"

    @property
    def nik(self) -> str:
        """The 16-digit national identity number."""
        return f"3171{self.series}{self.index:08d}"

    @property
    def account(self) -> str:
        """The portal account ID."""
        return f"kanari-akun-{self.series}-{self.index:03d}"

    @property
    def contact(self) -> tuple[str, ...]:
        """Everything but the name; the phone by its national digits, which betray it in any format."""
        return (self.email, f"819{self.index:04d}{self.series}", self.nik, self.account)

    @property
    def everything(self) -> tuple[str, ...]:
        """Every canary string."""
        return (self.name, *self.contact)


@attrs.frozen
class CanaryCase:
    """One complaint of a canary population, submitted and ready to be driven to ``state``."""

    index: int
    state: str
    anonymous: bool
    confidential: bool
    by_reporter: bool
    receipt: lc.Receipt
    canaries: Canaries

    @property
    def forward_flags(self) -> dict[str, bool]:
        """The flags the admin sets when forwarding: those the reporter did not set at submission."""
        if self.by_reporter:
            return {}
        return {
            name: True
            for name, on in (("anonymous", self.anonymous), ("confidential", self.confidential))
            if on
        }


def canary_population(desk: lc.ComplaintDesk, states: Iterable[str], series: str) -> Iterator[CanaryCase]:
    """Submit one complaint per (state, anonymous, confidential, who sets the flags), each with its canaries.

    Yields each case right after submitting it, so the caller drives it before the next is submitted. The
    admin sets flags only when forwarding, so unpublished states come only with flags set by the reporter;
    every second complaint is submitted from a citizen account named by its canary.
    """
    combos = itertools.product(states, (False, True), (False, True), ("reporter", "admin"))
    for index, (state, anonymous, confidential, source) in enumerate(combos):
        if source == "admin" and state in ("submitted", "on_hold", "archived"):
            continue
        canaries = Canaries(index, series=series)
        by_reporter = source == "reporter"
        data = {
            "anonymous": anonymous and by_reporter,
            "confidential": confidential and by_reporter,
            "reporter": {
                "name": canaries.name,
                "email": canaries.email,
                "phone": canaries.phone,
                "nik": canaries.nik,
            },
        }
        account = lc.Principal.citizen(canaries.account) if index % 2 else None
        receipt = desk.submit(submission(**data), account)
        yield CanaryCase(index, state, anonymous, confidential, by_reporter, receipt, canaries)


READ_ONLY = frozenset({"view", "history"})


def reads_and_commands(
    desk: lc.ComplaintDesk, who: lc.Principal, tid: str, *, forward_to: str, unit: str
) -> Iterator[tuple[str, Callable[[], object]]]:
    """Every read and command a principal could try on one complaint, as (name, call) pairs.

    The names in :data:`READ_ONLY` only read; the others would change the complaint if allowed.
    """
    yield "view", lambda: desk.view(who, tid)
    yield "history", lambda: desk.history(who, tid)
    yield "forward", lambda: desk.forward(who, tid, institution=forward_to, anonymous=True)
    yield "request_info", lambda: desk.request_info(who, tid, "Mohon detail.")
    yield "provide_info", lambda: desk.provide_info(who, tid, "Detail.")
    yield "archive", lambda: desk.archive(who, tid, "Duplikat.")
    yield "assign", lambda: desk.assign(who, tid, unit)
    yield "decline", lambda: desk.decline(who, tid, "Bukan wewenang.")
    yield "follow_up", lambda: desk.follow_up(who, tid, "Ditindaklanjuti.")
    yield "reply", lambda: desk.reply(who, tid, "Belum selesai.")
    yield "close", lambda: desk.close_complaint(who, tid)
    yield "rate", lambda: desk.rate(who, tid, 5)
    yield "support", lambda: desk.support(who, tid)
    yield "reveal_identity", lambda: desk.reveal_identity(who, tid, "Ingin tahu.")
    yield "erase_identity", lambda: desk.erase_identity(who, tid, "Iseng.")
    yield "escalate", lambda: desk.escalate(who, tid, reason="Tidak puas.")
    yield "record_findings", lambda: desk.record_findings(who, tid, "Temuan.")
    yield "conclude_escalation", lambda: desk.conclude_escalation(who, tid, "Selesai.")
