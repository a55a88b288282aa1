"""A citizen acting on the complaint their account submitted is recorded as its reporter, as with the key.

The history, the files' origin and the erasure of the reporter's files must not depend on how the reporter
proved who they are (issue 21: the portal's "Laporan saya" acts with the account instead of the access key).
"""

from __future__ import annotations

import pytest

import attachment_files as files
import lapor_core as lc
from desk_support import ADMIN, drive_to, make_desk, officer, submission

OWNER = lc.Principal.citizen("warga-9", verified=True, region="31.71")
NEIGHBOUR = lc.Principal.citizen("warga-10", verified=True)


def _owned(desk: lc.ComplaintDesk, state: str = "followed_up", **flags: bool) -> lc.Receipt:
    receipt = desk.submit(submission(), OWNER)
    drive_to(
        desk,
        receipt.tracking_id,
        receipt.access_key,
        state,
        institution="31.71",
        unit="dinas-pu",
        flags=flags,
    )
    return receipt


def _roles(desk: lc.ComplaintDesk, tid: str) -> list[tuple[str, str]]:
    return [(e.action.value, e.actor_role) for e in desk.view(ADMIN, tid).timeline]


@pytest.mark.parametrize("by_key", [True, False], ids=["access key", "account"])
def test_replies_closing_rating_and_escalation_are_recorded_as_the_reporters(by_key: bool) -> None:
    """Either way in, the timeline names the reporter for each of their steps, never 'citizen'."""
    desk, _ = make_desk()
    receipt = _owned(desk)
    tid = receipt.tracking_id
    who = desk.authenticate(tid, receipt.access_key) if by_key else OWNER
    desk.reply(who, tid, "Belum, masih berlubang.")
    desk.follow_up(officer(), tid, "Sudah ditambal ulang.")
    desk.close_complaint(who, tid)
    desk.rate(who, tid, 4, comment="Cepat.")
    desk.escalate(who, tid, reason="Tambalan mengelupas lagi.")
    mine = [role for action, role in _roles(desk, tid) if action in ("reply", "close", "rate", "escalate")]
    assert mine == ["reporter"] * 4
    public_view = desk.view(lc.Principal.public(), tid)
    assert "citizen" not in {entry.actor_role for entry in public_view.timeline}


def test_an_answer_to_a_hold_keyed_by_message_is_the_reporters_once() -> None:
    """The idempotent path (a keyed answer) records the reporter too, and once per key."""
    desk, _ = make_desk()
    tid = _owned(desk, "on_hold").tracking_id
    desk.provide_info(OWNER, tid, "RT 04.", idempotency_key="pesan-1")
    desk.provide_info(OWNER, tid, "RT 04.", idempotency_key="pesan-1")
    assert [role for action, role in _roles(desk, tid) if action == "provide_info"] == ["reporter"]


def test_the_owners_file_on_an_anonymous_complaint_is_the_reporters_file() -> None:
    """Attached with the account: a plain name, staff warned, and erased with the identity."""
    desk, _ = make_desk()
    tid = _owned(desk, "forwarded", anonymous=True).tracking_id
    attached = desk.attach(OWNER, tid, filename="KTP_Siti_Aminah.jpg", data=files.jpeg())
    assert (attached.attached_by, attached.filename) == ("reporter", "lampiran.jpg")
    (for_staff,) = desk.attachments(officer(), tid)
    assert for_staff.anonymous_reporter
    assert "KTP_Siti_Aminah" not in repr(desk.history(ADMIN, tid))
    desk.erase_identity(ADMIN, tid, "Permintaan pelapor (UU PDP).", attachments=True)
    assert desk.attachments(ADMIN, tid) == ()


def test_another_citizen_is_still_recorded_as_a_citizen() -> None:
    """Support from someone else's account is a citizen's, not the reporter's; they cannot reply."""
    desk, _ = make_desk()
    tid = _owned(desk, "followed_up").tracking_id
    desk.support(NEIGHBOUR, tid)
    with pytest.raises(lc.NotAllowed):
        desk.reply(NEIGHBOUR, tid, "Saya juga.")
    assert {role for action, role in _roles(desk, tid) if action == "support"} <= {"citizen"}
