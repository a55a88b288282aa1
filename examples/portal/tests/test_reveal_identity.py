"""Issue 21: a LAPOR! admin can reveal an anonymous reporter's identity, with a reason, in the audit trail."""

from __future__ import annotations

from fastapi.testclient import TestClient

import lapor_core as lc
from portal_helpers import ADMIN, csrf, error_summary, sign_in, submission

IDENTITY = {"name": "Siti Rahayu", "email": "siti@contoh.go.id", "phone": "081234567890"}
REASON = "Permintaan resmi Polda Metro Jaya, surat B/123/III/2026"


def _anonymous(desk: lc.ComplaintDesk) -> str:
    return desk.submit(submission(anonymous=True, reporter=IDENTITY)).tracking_id


def test_the_admin_reveals_with_a_reason_and_the_timeline_records_it(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """The form is on an anonymous complaint's admin page; the answer shows who; the timeline the act."""
    tracking_id = _anonymous(desk)
    sign_in(client, "admin-demo")
    page = client.get(f"/staf/pengaduan/{tracking_id}").text
    assert "/buka-identitas" in page
    assert "Siti Rahayu" not in page
    answer = client.post(
        f"/staf/pengaduan/{tracking_id}/buka-identitas", data={"reason": REASON, "csrf_token": csrf(client)}
    )
    assert answer.status_code == 200
    assert "Siti Rahayu" in answer.text
    assert "siti@contoh.go.id" in answer.text
    assert answer.headers["cache-control"] == "no-store"
    entry = desk.view(ADMIN, tracking_id).timeline[-1]
    assert (entry.action, entry.reason) == (lc.Action.REVEAL_IDENTITY, REASON)
    later = client.get(f"/staf/pengaduan/{tracking_id}").text
    assert "Siti Rahayu" not in later  # shown on that answer only
    assert REASON in later
    assert "Identitas pelapor dibuka admin" in later


def test_a_reveal_without_a_reason_is_refused_in_indonesian(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """An empty reason shows the form again with the library's message; nothing is revealed or recorded."""
    tracking_id = _anonymous(desk)
    sign_in(client, "admin-demo")
    answer = client.post(
        f"/staf/pengaduan/{tracking_id}/buka-identitas", data={"reason": " ", "csrf_token": csrf(client)}
    )
    assert answer.status_code == 422
    assert error_summary(answer.text) == ["Alasan: tidak boleh kosong"]
    assert "Siti Rahayu" not in answer.text
    assert desk.view(ADMIN, tracking_id).timeline[-1].action is not lc.Action.REVEAL_IDENTITY


def test_only_an_admin_may_reveal_and_only_anonymous_complaints_offer_it(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """An institution officer is refused (403) and never sees the form; a named complaint offers no form."""
    tracking_id = _anonymous(desk)
    desk.forward(ADMIN, tracking_id, institution="31.71")
    named = desk.submit(submission(reporter=IDENTITY)).tracking_id
    sign_in(client, "pemkot-jakpus")
    assert "/buka-identitas" not in client.get(f"/staf/pengaduan/{tracking_id}").text
    refused = client.post(
        f"/staf/pengaduan/{tracking_id}/buka-identitas", data={"reason": REASON, "csrf_token": csrf(client)}
    )
    assert refused.status_code == 403
    assert "Siti Rahayu" not in refused.text
    sign_in(client, "admin-demo")
    assert "/buka-identitas" not in client.get(f"/staf/pengaduan/{named}").text
