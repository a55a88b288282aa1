"""Issue 22 in the portal: the admin's merge form and the reporter's escalation to the Ombudsman."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

import lapor_core as lc
from lapor_core.testing import FrozenClock
from portal_helpers import ADMIN, JAKPUS, csrf, error_summary, sign_in, submission


def _post(client: TestClient, path: str, **data: str) -> int:
    return client.post(path, data={**data, "csrf_token": csrf(client)}).status_code


def _open(client: TestClient, receipt: lc.Receipt) -> None:
    data = {"tracking_id": receipt.tracking_id, "access_key": receipt.access_key, "csrf_token": csrf(client)}
    assert client.post("/lacak", data=data).status_code == 303


def test_the_admin_merges_a_duplicate_and_its_reporter_follows_the_original(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """The merge form closes the duplicate; its reporter's page names the original and shows its status."""
    original = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, original, institution="31.71")
    duplicate = desk.submit(submission())
    sign_in(client, "admin-demo")
    assert (
        f'action="/staf/pengaduan/{duplicate.tracking_id}/gabungkan"'
        in client.get(f"/staf/pengaduan/{duplicate.tracking_id}").text
    )
    assert _post(client, f"/staf/pengaduan/{duplicate.tracking_id}/gabungkan", into=original) == 303
    assert desk.view(ADMIN, duplicate.tracking_id).merged_into == original
    assert "/gabungkan" not in client.get(f"/staf/pengaduan/{duplicate.tracking_id}").text  # merged: no form
    _open(client, duplicate)
    page = client.get(f"/lacak/{duplicate.tracking_id}").text
    assert "digabung ke sana" in page
    assert original in page
    assert f'href="/pengaduan/{original}"' in page
    assert 'action="/lacak/' + duplicate.tracking_id + '/ombudsman"' not in page


def test_merging_into_itself_is_shown_on_the_form(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The library's reason comes back on the ``into`` input; nothing is merged."""
    tid = desk.submit(submission()).tracking_id
    sign_in(client, "admin-demo")
    answer = client.post(f"/staf/pengaduan/{tid}/gabungkan", data={"into": tid, "csrf_token": csrf(client)})
    assert answer.status_code == 422
    assert error_summary(answer.text) == ["Laporan asli: laporan tidak dapat digabung ke dirinya sendiri"]
    assert desk.view(ADMIN, tid).status is lc.Status.SUBMITTED


def test_only_admins_get_the_merge_form(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The institution's officer sees no merge form, and posting it anyway is refused by the desk."""
    original, duplicate = desk.submit(submission()).tracking_id, desk.submit(submission()).tracking_id
    for tid in (original, duplicate):
        desk.forward(ADMIN, tid, institution="31.71")
    sign_in(client, "pemkot-jakpus")
    assert "/gabungkan" not in client.get(f"/staf/pengaduan/{duplicate}").text
    assert _post(client, f"/staf/pengaduan/{duplicate}/gabungkan", into=original) == 403
    assert desk.view(ADMIN, duplicate).status is lc.Status.FORWARDED


def test_the_reporter_escalates_after_a_missed_deadline(
    client: TestClient, desk: lc.ComplaintDesk, clock: FrozenClock
) -> None:
    """Too early: the rule is explained and the library's reason shown; after the deadline: escalated."""
    receipt = desk.submit(submission())
    tid = receipt.tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    _open(client, receipt)
    page = client.get(f"/lacak/{tid}").text
    assert "30 hari setelah laporan ditutup" in page
    answer = client.post(f"/lacak/{tid}/ombudsman", data={"reason": "Lama.", "csrf_token": csrf(client)})
    assert answer.status_code == 422
    assert error_summary(answer.text) == ["Alasan: belum ada batas waktu yang terlampaui"]
    clock.advance(days=30)
    assert (
        client.post(
            f"/lacak/{tid}/ombudsman", data={"reason": "Lama.", "csrf_token": csrf(client)}
        ).status_code
        == 303
    )
    assert desk.view(ADMIN, tid).escalation is lc.Escalation.OPEN
    page = client.get(f"/lacak/{tid}").text
    assert "Diteruskan ke Ombudsman" in page
    assert f'action="/lacak/{tid}/ombudsman"' not in page
    desk.follow_up(JAKPUS, tid, "Maaf terlambat.")


def test_escalating_needs_the_reporters_key(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Without the key the post goes back to the tracking form; nothing changes."""
    tid = desk.submit(submission()).tracking_id
    assert _post(client, f"/lacak/{tid}/ombudsman", reason="Lama.") == 303
    assert desk.view(ADMIN, tid).escalation is None
    assert timedelta(days=30) == desk.escalation_window


def test_the_ombudsman_finds_escalations_records_findings_and_concludes(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """The inbox lists open escalations (a confidential one too); the forms record findings and conclude."""
    receipt = desk.submit(submission(confidential=True, anonymous=True))
    tid = receipt.tracking_id
    plain = desk.submit(submission()).tracking_id
    for each in (tid, plain):
        desk.forward(ADMIN, each, institution="31.71")
        desk.follow_up(JAKPUS, each, "Sudah.")
    desk.close_complaint(desk.authenticate(tid, receipt.access_key), tid)
    desk.escalate(desk.authenticate(tid, receipt.access_key), tid, reason="Tidak puas.")
    sign_in(client, "ombudsman-demo")
    inbox = client.get("/staf/ombudsman").text
    assert tid in inbox
    assert plain not in inbox
    page = client.get(f"/staf/pengaduan/{tid}").text
    assert "/temuan" in page
    assert "/simpulkan" in page
    assert "Anonim" in page
    assert _post(client, f"/staf/pengaduan/{tid}/temuan", findings="Penundaan berlarut.") == 303
    assert _post(client, f"/staf/pengaduan/{tid}/simpulkan", conclusion="Saran perbaikan.") == 303
    assert desk.view(ADMIN, tid).escalation is lc.Escalation.CONCLUDED
    assert tid not in client.get("/staf/ombudsman").text
    assert "/temuan" not in client.get(f"/staf/pengaduan/{tid}").text


def test_empty_findings_are_shown_on_the_form(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The library's reason comes back on the findings input; the escalation stays open."""
    receipt = desk.submit(submission())
    tid = receipt.tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(JAKPUS, tid, "Sudah.")
    desk.close_complaint(desk.authenticate(tid, receipt.access_key), tid)
    desk.escalate(desk.authenticate(tid, receipt.access_key), tid, reason="Tidak puas.")
    sign_in(client, "ombudsman-demo")
    answer = client.post(f"/staf/pengaduan/{tid}/temuan", data={"findings": "  ", "csrf_token": csrf(client)})
    assert answer.status_code == 422
    assert error_summary(answer.text) == ["Temuan: tidak boleh kosong"]
    assert desk.view(ADMIN, tid).escalation is lc.Escalation.OPEN


def test_only_oversight_and_admins_open_the_ombudsman_inbox(client: TestClient) -> None:
    """An institution's officer is refused the page (403)."""
    sign_in(client, "pemkot-jakpus")
    assert client.get("/staf/ombudsman").status_code == 403
