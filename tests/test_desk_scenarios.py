"""The issue's scenarios on real 2026 dates (Nyepi, Lebaran and cuti bersama inside the windows)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

import lapor_core as lc
from desk_support import ADMIN, WIB, WITA, make_desk, officer, submission


def test_forward_follow_up_and_silence_closes_exactly_ten_working_days_later():
    """Submitted Tue 17 Mar 10:00 WIB, followed up that day: the sweep closes it at Thu 9 Apr 00:00 WIB."""
    desk, clock = make_desk()
    receipt = desk.submit(submission())
    desk.forward(ADMIN, receipt.tracking_id, institution="31.71")
    desk.follow_up(officer(), receipt.tracking_id, "Sudah diperbaiki.")
    just_before = datetime(2026, 4, 8, 23, 59, 59, tzinfo=WIB)
    clock.set(just_before)
    assert receipt.tracking_id not in desk.sweep(just_before).closed
    due = datetime(2026, 4, 9, 0, 0, tzinfo=WIB)
    clock.set(due)
    report = desk.sweep(due)
    assert report.closed == (receipt.tracking_id,)
    view = desk.view(ADMIN, receipt.tracking_id)
    assert view.status is lc.Status.CLOSED
    assert view.timeline[-1].action == "close"
    assert desk.sweep(due) == lc.SweepReport()


def test_follow_up_clock_of_a_makassar_institution_breaches_at_midnight_wita():
    """Forwarded to Kota Makassar on Tue 17 Mar: the follow-up clock breaches at 00:00 WITA on its 6th day."""
    desk, clock = make_desk()
    receipt = desk.submit(submission())
    desk.forward(ADMIN, receipt.tracking_id, institution="73.71")
    view = desk.view(ADMIN, receipt.tracking_id)
    follow = next(d for d in view.deadlines if d.stage == "follow_up")
    assert follow.due_at == datetime(2026, 4, 1, 0, 0, tzinfo=WITA)
    before = follow.due_at - timedelta(seconds=1)
    clock.set(before)
    assert receipt.tracking_id not in desk.sweep(before).breached
    clock.set(follow.due_at)
    assert desk.sweep(follow.due_at).breached == (receipt.tracking_id,)
    assert desk.sweep(follow.due_at).breached == ()
    internal = [e.action for e in desk.history(ADMIN, receipt.tracking_id)]
    assert internal.count(lc.Action.BREACH) == 1
    superiors = [m for m in desk.store.pending_outbox() if m.recipient_role == "superior"]
    assert [m.recipient_ref for m in superiors] == ["73"]


def test_hold_and_resume_moves_the_verification_deadline():
    """A hold from Wed 18 Mar to Wed 25 Mar pauses verification for the working days in between."""
    desk, clock = make_desk()
    receipt = desk.submit(submission())
    tid = receipt.tracking_id
    first_due = next(d for d in desk.view(ADMIN, tid).deadlines if d.stage == "verification").due_at
    assert first_due == datetime(2026, 3, 28, 0, 0, tzinfo=WIB)
    clock.set(datetime(2026, 3, 18, 9, tzinfo=WIB))
    desk.request_info(ADMIN, tid, "Mohon kirim foto lokasi.")
    reporter = desk.authenticate(tid, receipt.access_key)
    clock.set(datetime(2026, 3, 25, 9, tzinfo=WIB))
    desk.provide_info(reporter, tid, "Foto terlampir.")
    resumed = next(d for d in desk.view(ADMIN, tid).deadlines if d.stage == "verification")
    assert resumed.due_at > first_due
    assert desk.view(ADMIN, tid).status is lc.Status.SUBMITTED


def test_decline_returns_it_to_the_admin_who_re_forwards_elsewhere():
    """Bukan wewenang: back to submitted, the first institution loses access, the second gets it."""
    desk, _ = make_desk()
    tid = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.decline(officer("31.71"), tid, "Kewenangan provinsi.")
    assert desk.view(ADMIN, tid).status is lc.Status.SUBMITTED
    with pytest.raises(lc.NotFound):
        desk.view(officer("31.71"), tid)
    desk.forward(ADMIN, tid, institution="31")
    assert desk.view(officer("31"), tid).institution == "31"


def test_reply_reopens_for_another_follow_up():
    """A reporter's reply after a follow-up reopens the complaint and the institution answers again."""
    desk, _ = make_desk()
    receipt = desk.submit(submission())
    tid = receipt.tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.assign(officer(), tid, "dinas-pu")
    desk.follow_up(officer(), tid, "Sudah diperbaiki.")
    reporter = desk.authenticate(tid, receipt.access_key)
    assert desk.reply(reporter, tid, "Belum, masih berlubang.").status is lc.Status.ASSIGNED
    assert desk.follow_up(officer(), tid, "Ditambal ulang.").status is lc.Status.FOLLOWED_UP
    assert desk.verify_history(tid).ok


def test_an_unknown_region_is_refused_with_suggestions_and_nothing_is_stored():
    """A well-formed but unknown region code fails validation naming close regions; no complaint is saved."""
    desk, _ = make_desk()
    bad = submission(location={"region": "31.79"})
    with pytest.raises(lc.ValidationError) as caught:
        desk.submit(bad)
    assert caught.value.errors[0].field == "location.region"
    assert "did you mean" in caught.value.errors[0].reason
    assert desk.store.pending_outbox() == ()
    assert desk.complaints(ADMIN).items == ()


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("", "text.empty"),
        ("   ", "text.empty"),
        ("x" * 4001, "text.too_long"),
        ("Sudah\x00 ditambal", "text.control_characters"),
        ("Sudah \x9b31m ditambal", "text.control_characters"),  # a C1 control (CSI), as in a body
        ("Sudah \ud800 ditambal", "text.control_characters"),
        ("Sudah \u202e ditambal", "text.bidi_control"),
        (42, "value.not_string"),
    ],
)
def test_a_bad_follow_up_message_is_refused_naming_the_field_and_nothing_changes(message, code):
    """Command text follows the same rule as a submission's body; a refusal saves no event and no notice."""
    desk, _ = make_desk()
    tid = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    before, outbox = desk.store.get(tid), len(desk.store.pending_outbox())
    with pytest.raises(lc.ValidationError) as caught:
        desk.follow_up(officer(), tid, message)
    assert caught.value.errors[0].field == "message"
    assert caught.value.errors[0].code == code
    assert desk.store.get(tid) == before
    assert len(desk.store.pending_outbox()) == outbox


def test_a_multi_line_message_keeps_its_line_breaks_and_loses_only_surrounding_space():
    """Tabs and line breaks are allowed inside a message; surrounding white space is stripped."""
    desk, _ = make_desk()
    tid = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    view = desk.follow_up(officer(), tid, "  Sudah ditambal.\n\tPetugas: Budi  ")
    assert view.timeline[-1].message == "Sudah ditambal.\n\tPetugas: Budi"
