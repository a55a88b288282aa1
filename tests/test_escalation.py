"""Escalation to the Ombudsman (issue 22): when a reporter may escalate, what the Ombudsman sees and does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lapor_core as lc
from desk_support import ADMIN, PEPPER, WIB, drive_to, officer, submission
from lapor_core._domain.lifecycle import Action, Escalation, next_escalation
from lapor_core.plugins import Changeset
from lapor_core.testing import FrozenClock

A, A1 = "31.71", "dinas-pu"
OMBUDSMAN = lc.Principal.supervisor("ori-1")
START = datetime(2026, 3, 17, 10, tzinfo=WIB)


@pytest.fixture(params=["memory", "sqlite"])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[lc.ComplaintDesk, FrozenClock]]:
    """An in-memory or SQLite desk and its frozen clock (the two stores must agree)."""
    clock = FrozenClock(START)
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'lapor.db'}"
    with lc.ComplaintDesk.open(url, clock=clock, pepper=PEPPER) as desk:
        yield desk, clock


def _submit(desk: lc.ComplaintDesk, state: str = "submitted", **fields: Any) -> tuple[str, lc.Principal]:
    receipt = desk.submit(submission(**fields))
    drive_to(desk, receipt.tracking_id, receipt.access_key, state, institution=A, unit=A1)
    return receipt.tracking_id, desk.authenticate(receipt.tracking_id, receipt.access_key)


def _queued(desk: lc.ComplaintDesk, tid: str, action: Action) -> list[tuple[str, str | None]]:
    return [
        (m.recipient_role, m.recipient_ref)
        for m in desk.store.pending_outbox(limit=10_000)
        if m.tracking_id == tid and m.event is action
    ]


# --- when the reporter may escalate ------------------------------------------------------------------------
def test_an_open_complaint_within_its_deadlines_cannot_be_escalated(setup):
    """Nothing was missed yet: EscalationNotAllowed (escalation.no_breach), described from the catalogue."""
    desk, _ = setup
    tid, reporter = _submit(desk, "forwarded")
    with pytest.raises(lc.EscalationNotAllowed) as caught:
        desk.escalate(reporter, tid, reason="Terlalu lama.")
    assert (caught.value.complaint_id, caught.value.reason) == (tid, "escalation.no_breach")
    assert caught.value.describe() == (
        f"Laporan {tid} tidak dapat diteruskan ke Ombudsman: belum ada batas waktu yang terlampaui"
    )
    assert desk.store.get(tid).escalation is None


def test_a_missed_verification_deadline_lets_the_reporter_escalate(setup):
    """The admin let the 3 working days pass: escalated; the admins are told (no institution yet)."""
    desk, clock = setup
    tid, reporter = _submit(desk)
    clock.set(START + timedelta(days=20))
    view = desk.escalate(reporter, tid, reason="Belum diverifikasi.")
    assert view.escalation is Escalation.OPEN
    assert view.status is lc.Status.SUBMITTED  # escalation never moves the complaint
    assert _queued(desk, tid, Action.ESCALATE) == [("admin", None)]
    assert desk.verify_history(tid).ok


def test_a_missed_follow_up_deadline_tells_the_institution_and_the_admins(setup):
    """At an institution: both it and the admins get an ``escalate`` message."""
    desk, clock = setup
    tid, reporter = _submit(desk, "assigned")
    clock.set(START + timedelta(days=30))
    desk.escalate(reporter, tid, reason="Tidak ada tindak lanjut.")
    assert sorted(_queued(desk, tid, Action.ESCALATE), key=str) == [("admin", None), ("institution", A)]


def test_a_deadline_met_late_still_counts_as_missed(setup):
    """A follow-up after its deadline ended the clock breached: the reporter may escalate afterwards."""
    desk, clock = setup
    tid, reporter = _submit(desk, "assigned")
    clock.set(START + timedelta(days=30))
    desk.follow_up(officer(A), tid, "Maaf terlambat.")
    desk.escalate(reporter, tid, reason="Terlambat.")
    assert desk.store.get(tid).escalation is Escalation.OPEN


@pytest.mark.parametrize("state", ["closed", "archived"])
def test_within_thirty_days_of_closing_the_reporter_may_escalate_and_not_after(setup, state):
    """Day 30 after closing or archiving: allowed; day 31: EscalationNotAllowed (escalation.too_late)."""
    desk, clock = setup
    late_tid, late = _submit(desk, state)
    tid, reporter = _submit(desk, state)
    closed_at = clock.now()
    clock.set(closed_at + timedelta(days=30))
    desk.escalate(reporter, tid, reason="Tidak puas.")
    clock.set(closed_at + timedelta(days=30, seconds=1))
    with pytest.raises(lc.EscalationNotAllowed) as caught:
        desk.escalate(late, late_tid, reason="Tidak puas.")
    assert caught.value.reason == "escalation.too_late"


def test_the_window_after_closing_is_configurable():
    """``escalation_window=timedelta(days=5)``: day 6 is too late; a window under a day is refused."""
    clock = FrozenClock(START)
    desk = lc.ComplaintDesk.open("memory://", clock=clock, pepper=PEPPER, escalation_window=timedelta(days=5))
    tid, reporter = _submit(desk, "closed")
    clock.advance(days=6)
    with pytest.raises(lc.EscalationNotAllowed):
        desk.escalate(reporter, tid, reason="Tidak puas.")
    for bad in (timedelta(hours=1), 30, None):
        with pytest.raises(lc.ConfigurationError):
            lc.ComplaintDesk.open("memory://", pepper=PEPPER, escalation_window=bad)


# --- refusals ----------------------------------------------------------------------------------------------
def test_a_complaint_is_escalated_once(setup):
    """Again while open, or after the Ombudsman concluded: TransitionNotAllowed."""
    desk, _ = setup
    tid, reporter = _submit(desk, "closed")
    desk.escalate(reporter, tid, reason="Tidak puas.")
    with pytest.raises(lc.TransitionNotAllowed):
        desk.escalate(reporter, tid, reason="Sekali lagi.")
    desk.conclude_escalation(OMBUDSMAN, tid, "Selesai.")
    with pytest.raises(lc.TransitionNotAllowed):
        desk.escalate(reporter, tid, reason="Sekali lagi.")


def test_a_merged_duplicate_is_escalated_through_its_original(setup):
    """Escalating a merged complaint raises TransitionNotAllowed."""
    desk, clock = setup
    original, _ = _submit(desk, "forwarded")
    tid, reporter = _submit(desk)
    desk.merge(ADMIN, tid, into=original)
    clock.advance(days=1)
    with pytest.raises(lc.TransitionNotAllowed):
        desk.escalate(reporter, tid, reason="Tidak puas.")


def test_only_the_reporter_escalates(setup):
    """Admins, officers, the Ombudsman and the public: NotAllowed; a key-less reporter principal too."""
    desk, _ = setup
    tid, _ = _submit(desk, "closed")
    for who in (ADMIN, officer(A), OMBUDSMAN, lc.Principal.public(), lc.Principal.reporter(tid)):
        with pytest.raises(lc.NotAllowed):
            desk.escalate(who, tid, reason="Tidak puas.")
    hidden, _ = _submit(desk)
    with pytest.raises(lc.NotFound):
        desk.escalate(lc.Principal.reporter(hidden), hidden, reason="Tidak puas.")
    with pytest.raises(lc.NotFound):
        desk.escalate(lc.Principal.reporter(tid), str(lc.TrackingId.new()), reason="Tidak puas.")
    assert desk.store.get(tid).escalation is None


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001, "a\x00b", 42, None])
def test_a_bad_reason_is_refused_before_anything_is_read(setup, reason):
    """ValidationError naming ``reason``; the complaint is unchanged."""
    desk, _ = setup
    tid, reporter = _submit(desk, "closed")
    with pytest.raises(lc.ValidationError) as caught:
        desk.escalate(reporter, tid, reason=reason)
    assert {e.field for e in caught.value.errors} == {"reason"}
    assert desk.store.get(tid).escalation is None


def test_a_stale_version_saves_nothing(setup):
    """The complaint changed between reading and saving: ConcurrencyConflict, no escalation stored."""
    desk, _ = setup
    tid, reporter = _submit(desk, "closed")
    store = desk.store
    saved: list[Changeset] = []

    class Racing:
        def __getattr__(self, name: str) -> Any:
            return getattr(store, name)

        def save(self, changes: Changeset) -> None:
            desk._ctx.store = store
            desk.rate(reporter, tid, 3)  # the reporter's other tab, a moment earlier
            saved.append(changes)
            store.save(changes)

    desk._ctx.store = Racing()
    with pytest.raises(lc.ConcurrencyConflict):
        desk.escalate(reporter, tid, reason="Tidak puas.")
    assert saved
    assert desk.store.get(tid).escalation is None
    assert desk.store.get(tid).rating == 3


# --- the Ombudsman -----------------------------------------------------------------------------------------
def test_the_ombudsman_sees_an_escalated_complaint_only_once_it_is_escalated(setup):
    """A confidential complaint is hidden from supervisors until its reporter escalates it; never public."""
    desk, _ = setup
    tid, reporter = _submit(desk, "closed", confidential=True)
    with pytest.raises(lc.NotFound):
        desk.view(OMBUDSMAN, tid)
    desk.escalate(reporter, tid, reason="Tidak puas.")
    view = desk.view(OMBUDSMAN, tid)
    assert (view.title, view.confidential, view.escalation) == ("Jalan berlubang", True, Escalation.OPEN)
    assert [e.action for e in desk.history(OMBUDSMAN, tid)][-1] is Action.ESCALATE
    with pytest.raises(lc.NotFound):
        desk.view(lc.Principal.public(), tid)
    assert desk.store.get(tid).confidential is True


def test_the_ombudsman_never_sees_an_anonymous_reporters_identity(setup):
    """Name "Anonim", no contact, no attachments; the history it reads holds no identity either."""
    desk, _ = setup
    tid, reporter = _submit(desk, "closed", anonymous=True)
    desk.escalate(reporter, tid, reason="Tidak puas.")
    view = desk.view(OMBUDSMAN, tid)
    assert view.reporter == lc.ReporterView(name="Anonim")
    assert {"reporter_name", "reporter_contact", "attachments"} <= view.withheld
    exported = repr(desk.history(OMBUDSMAN, tid)) + repr(lc.to_dict(view))
    for secret in ("Siti", "siti@example.id", "81234567890", "3171234567890001"):
        assert secret not in exported


def test_the_ombudsman_sees_a_named_reporters_name_but_never_their_contact(setup):
    """As oversight: the display name, never e-mail, phone or NIK."""
    desk, _ = setup
    tid, reporter = _submit(desk, "closed", confidential=True)
    desk.escalate(reporter, tid, reason="Tidak puas.")
    assert desk.view(OMBUDSMAN, tid).reporter == lc.ReporterView(name="Siti Aminah")


def test_the_ombudsman_records_findings_and_concludes(setup):
    """Findings tell the reporter; the conclusion tells reporter, admins and institution; chains verify."""
    desk, _ = setup
    tid, reporter = _submit(desk, "closed")
    desk.escalate(reporter, tid, reason="Tidak puas.")
    desk.record_findings(OMBUDSMAN, tid, "Ditemukan penundaan berlarut.")
    desk.record_findings(OMBUDSMAN, tid, "Instansi telah dimintai keterangan.")
    view = desk.conclude_escalation(OMBUDSMAN, tid, "Maladministrasi terbukti; saran perbaikan diberikan.")
    assert view.escalation is Escalation.CONCLUDED
    assert _queued(desk, tid, Action.RECORD_FINDINGS) == [("reporter", None)] * 2
    assert sorted(_queued(desk, tid, Action.CONCLUDE_ESCALATION), key=str) == [
        ("admin", None),
        ("institution", A),
        ("reporter", None),
    ]
    steps = [(e.action, e.message) for e in desk.view(reporter, tid).timeline][-4:]
    assert steps == [
        (Action.ESCALATE, "Tidak puas."),
        (Action.RECORD_FINDINGS, "Ditemukan penundaan berlarut."),
        (Action.RECORD_FINDINGS, "Instansi telah dimintai keterangan."),
        (Action.CONCLUDE_ESCALATION, "Maladministrasi terbukti; saran perbaikan diberikan."),
    ]
    assert desk.verify_history(tid).ok
    with pytest.raises(lc.TransitionNotAllowed):
        desk.record_findings(OMBUDSMAN, tid, "Tambahan.")
    with pytest.raises(lc.TransitionNotAllowed):
        desk.conclude_escalation(OMBUDSMAN, tid, "Lagi.")
    assert desk.view(OMBUDSMAN, tid).escalation is Escalation.CONCLUDED  # the Ombudsman keeps its record


def test_only_the_ombudsman_acts_on_an_escalation(setup):
    """Admins, officers, the reporter may not record findings or conclude; nor may anyone unescalated."""
    desk, _ = setup
    tid, reporter = _submit(desk, "closed")
    plain, _ = _submit(desk, "closed")
    desk.escalate(reporter, tid, reason="Tidak puas.")
    for who in (ADMIN, officer(A), reporter):
        for act in (desk.record_findings, desk.conclude_escalation):
            with pytest.raises(lc.NotAllowed):
                act(who, tid, "Temuan.")
    with pytest.raises(lc.NotAllowed):
        desk.record_findings(OMBUDSMAN, plain, "Temuan.")  # published: oversight reads it, acts on nothing
    with pytest.raises(lc.NotFound):
        desk.conclude_escalation(OMBUDSMAN, str(lc.TrackingId.new()), "Selesai.")
    with pytest.raises(lc.ValidationError) as caught:
        desk.record_findings(OMBUDSMAN, tid, "")
    assert [e.field for e in caught.value.errors] == ["findings"]
    assert desk.store.get(tid).escalation is Escalation.OPEN


# --- the escalation's own lifecycle (pure) ----------------------------------------------------------------
_ESCALATION_ACTIONS = (Action.ESCALATE, Action.RECORD_FINDINGS, Action.CONCLUDE_ESCALATION)


def _model(state: Escalation | None, action: Action) -> Escalation | None:
    """The escalation rules written from the issue, apart from the state machine: None when refused."""
    if action is Action.ESCALATE:
        return Escalation.OPEN if state is None else None
    return (
        (Escalation.OPEN if action is Action.RECORD_FINDINGS else Escalation.CONCLUDED)
        if (state is Escalation.OPEN)
        else None
    )


@given(st.lists(st.sampled_from(_ESCALATION_ACTIONS), max_size=8))
def test_the_escalation_machine_follows_the_rules_for_any_sequence(actions: list[Action]):
    """Escalate once, findings while open, conclude once: the machine agrees with the model at every step."""
    state: Escalation | None = None
    for action in actions:
        expected = _model(state, action)
        if expected is None:
            with pytest.raises(lc.TransitionNotAllowed):
                next_escalation(state, action, complaint_id="X")
            continue
        state = next_escalation(state, action, complaint_id="X")
        assert state is expected


@pytest.mark.parametrize("action", [a for a in Action if a not in _ESCALATION_ACTIONS])
def test_no_other_action_moves_an_escalation(action: Action):
    """Every other action is refused by the escalation machine, from every state."""
    check: Callable[[Escalation | None], object] = lambda state: next_escalation(  # noqa: E731
        state, action, complaint_id="X"
    )
    for state in (None, *Escalation):
        with pytest.raises(lc.TransitionNotAllowed):
            check(state)


def test_the_ombudsman_lists_its_open_escalations(setup):
    """``Filters(escalations={"open"})``: the Ombudsman's inbox, on either store; not a statistics filter."""
    desk, _ = setup
    first, reporter = _submit(desk, "closed", confidential=True)
    second, other = _submit(desk, "closed")
    _submit(desk, "closed")  # published, never escalated: oversight reads it, but it is in no inbox
    desk.escalate(reporter, first, reason="Tidak puas.")
    desk.escalate(other, second, reason="Tidak puas.")
    desk.conclude_escalation(OMBUDSMAN, second, "Selesai.")

    def inbox(*states: str) -> list[str]:
        query = lc.ComplaintQuery(filters=lc.Filters(escalations=set(states)))
        return [view.tracking_id for view in desk.complaints(OMBUDSMAN, query).items]

    assert inbox("open") == [first]
    assert sorted(inbox("open", "concluded")) == sorted([first, second])
    assert inbox("open") == [v.tracking_id for v in desk.complaints(ADMIN, _open_query()).items]
    with pytest.raises(lc.ValidationError):
        desk.stats(OMBUDSMAN, filters={"escalation": "open"})


def _open_query() -> lc.ComplaintQuery:
    return lc.ComplaintQuery(filters=lc.Filters(escalations={"open"}))
