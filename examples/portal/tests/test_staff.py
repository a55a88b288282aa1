from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient

import lapor_core as lc
from lapor_core.testing import FrozenClock
from lapor_portal import PortalSettings, create_app, portal_of
from portal_helpers import ADMIN, JAKPUS, PEPPER, csrf, error_summary, sign_in, submission

UNIT = lc.Principal.unit_officer("dinas-pu-jakpus", institution="31.71", unit="dinas-pu")


def _post(client: TestClient, path: str, **data: str) -> int:
    answer = client.post(path, data={**data, "csrf_token": csrf(client, "/")})
    return answer.status_code


def test_staff_pages_need_a_staff_sign_in(client: TestClient) -> None:
    """Without signing in, or as a citizen, staff pages redirect to the sign-in page with the way back."""
    answer = client.get("/staf/verifikasi")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/masuk?next=/staf/verifikasi"
    sign_in(client, "warga-demo")
    assert client.get("/staf/kotak-masuk").status_code == 303


def test_sign_in_page_offers_every_demo_role(client: TestClient) -> None:
    """The demonstration sign-in lists admin, institution, unit, supervisor and citizen accounts."""
    page = client.get("/masuk").text
    for role in ("admin", "institution", "unit", "supervisor", "citizen"):
        assert f'data-role="{role}"' in page


def test_an_unknown_account_signs_nobody_in(client: TestClient) -> None:
    """Posting an account key that does not exist goes back to the sign-in page."""
    answer = client.post("/masuk", data={"account": "root", "csrf_token": csrf(client, "/masuk")})
    assert answer.headers["location"] == "/masuk"
    assert client.get("/staf").status_code == 303


@pytest.mark.parametrize(
    ("account", "home"),
    [
        ("admin-demo", "/staf/verifikasi"),
        ("pemkot-jakpus", "/staf/kotak-masuk"),
        ("dinas-pu-jakpus", "/staf/kotak-masuk"),
        ("ombudsman-demo", "/staf/pengawasan"),
    ],
)
def test_each_role_starts_on_its_own_page(client: TestClient, account: str, home: str) -> None:
    """/staf sends each role to its queue, and that page renders."""
    sign_in(client, account)
    answer = client.get("/staf")
    assert answer.headers["location"] == home
    assert client.get(home).status_code == 200


def test_signing_in_returns_to_the_page_asked_for(client: TestClient) -> None:
    """After the redirect to sign in, the visitor lands on the page they wanted."""
    answer = client.post(
        "/masuk",
        data={"account": "admin-demo", "next": "/staf/verifikasi", "csrf_token": csrf(client, "/masuk")},
    )
    assert answer.headers["location"] == "/staf/verifikasi"


def test_verification_queue_is_sorted_by_deadline_with_countdowns(
    client: TestClient, desk: lc.ComplaintDesk, clock: FrozenClock
) -> None:
    """Older submissions (nearer deadlines) come first; each row counts the working days left."""
    old = desk.submit(
        submission(title="Lama sekali")
    ).tracking_id  # Tue 17 Mar: due after Fri 27 Mar (Nyepi, cuti)
    clock.advance(days=8)
    new = desk.submit(submission(title="Baru saja")).tracking_id  # Wed 25 Mar: due after Mon 30 Mar
    sign_in(client, "admin-demo")
    page = client.get("/staf/verifikasi").text
    assert page.index(old) < page.index(new)
    assert page.index("sisa 2 hari kerja") < page.index("sisa 3 hari kerja")
    clock.advance(days=14)
    late = client.get("/staf/verifikasi").text
    assert "terlambat" in late


def test_a_queue_page_reads_no_history(
    client: TestClient, desk: lc.ComplaintDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The queue's countdowns come from the complaints' rows: fifty rows, not fifty history reads."""
    for index in range(5):
        desk.submit(submission(title=f"Aduan {index}"))
    reads: list[str] = []
    history = desk.store.history

    def counting(tracking_id: str) -> object:
        reads.append(tracking_id)
        return history(tracking_id)

    monkeypatch.setattr(desk.store, "history", counting)
    sign_in(client, "admin-demo")
    page = client.get("/staf/verifikasi").text
    assert page.count("sisa 3 hari kerja") == 5
    assert reads == []


def test_admin_forwards_with_topic_and_flags(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Forwarding from the page sets the institution, the topic and the confidential flag."""
    tid = desk.submit(submission()).tracking_id
    sign_in(client, "admin-demo")
    page = client.get(f"/staf/pengaduan/{tid}").text
    assert 'action="/staf/pengaduan/' + tid + '/teruskan"' in page
    status = _post(
        client, f"/staf/pengaduan/{tid}/teruskan", institution="31.71", category="waste", confidential="1"
    )
    assert status == 303
    view = desk.view(ADMIN, tid)
    assert (view.status, view.institution, view.category, view.confidential) == (
        lc.Status.FORWARDED,
        "31.71",
        "waste",
        True,
    )


def test_forwarding_to_another_institution_by_code(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The free institution code overrides the suggested one."""
    tid = desk.submit(submission(location={"region": "31.71"})).tracking_id
    sign_in(client, "admin-demo")
    _post(client, f"/staf/pengaduan/{tid}/teruskan", institution="31.71", other_institution="kemenkes")
    assert desk.view(ADMIN, tid).institution == "kemenkes"


def test_forwarding_to_an_unknown_institution_shows_the_reason(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """An unknown institution code is a validation error shown on the page, the complaint unchanged."""
    tid = desk.submit(submission()).tracking_id
    sign_in(client, "admin-demo")
    answer = client.post(
        f"/staf/pengaduan/{tid}/teruskan",
        data={"other_institution": "xx-nope", "csrf_token": csrf(client, "/")},
    )
    assert answer.status_code == 422
    assert error_summary(answer.text) == ["Instansi: kode instansi tidak dikenal"]
    assert desk.view(ADMIN, tid).status is lc.Status.SUBMITTED


def test_admin_holds_and_archives(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Hold asks the reporter for information; archive ends it with the reason kept internal."""
    held, archived = desk.submit(submission()).tracking_id, desk.submit(submission()).tracking_id
    sign_in(client, "admin-demo")
    assert _post(client, f"/staf/pengaduan/{held}/tunda", message="Mohon lampirkan lokasi.") == 303
    assert _post(client, f"/staf/pengaduan/{archived}/arsipkan", reason="Duplikat.") == 303
    assert desk.view(ADMIN, held).status is lc.Status.ON_HOLD
    assert desk.view(ADMIN, archived).status is lc.Status.ARCHIVED
    assert "Duplikat." in client.get(f"/staf/pengaduan/{archived}").text


def test_a_second_forward_is_a_conflict_page(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Forwarding what is already forwarded answers 409 with an explanation."""
    tid = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    sign_in(client, "admin-demo")
    answer = client.post(
        f"/staf/pengaduan/{tid}/teruskan", data={"institution": "31.71", "csrf_token": csrf(client, "/")}
    )
    assert answer.status_code == 409
    assert "Tidak dapat dilakukan sekarang" in answer.text


def test_institution_inbox_assign_and_follow_up(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The inbox lists the forwarded complaint; the officer assigns it and posts the follow-up."""
    tid = desk.submit(
        submission(title="Drainase tersumbat", anonymous=True, reporter={"name": "Siti"})
    ).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    sign_in(client, "pemkot-jakpus")
    inbox = client.get("/staf/kotak-masuk").text
    assert "Drainase tersumbat" in inbox
    detail = client.get(f"/staf/pengaduan/{tid}").text
    assert "Siti" not in detail  # anonim: hidden from the institution
    assert "Dinas Pekerjaan Umum" in detail
    assert _post(client, f"/staf/pengaduan/{tid}/disposisi", unit="dinas-pu") == 303
    assert _post(client, f"/staf/pengaduan/{tid}/tindak-lanjut", message="Sudah dibersihkan.") == 303
    view = desk.view(JAKPUS, tid)
    assert (view.status, view.unit) == (lc.Status.FOLLOWED_UP, "dinas-pu")


def test_assigning_to_an_unknown_unit_is_refused(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """A unit the directory does not know for the institution is a validation error."""
    tid = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    sign_in(client, "pemkot-jakpus")
    answer = client.post(
        f"/staf/pengaduan/{tid}/disposisi", data={"unit": "dinas-x", "csrf_token": csrf(client, "/")}
    )
    assert answer.status_code == 422
    assert desk.view(JAKPUS, tid).status is lc.Status.FORWARDED


def test_the_unit_sees_only_its_assignments_and_follows_up(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """A unit officer's inbox holds what is assigned to their unit, and they may follow it up."""
    mine, other = (
        desk.submit(submission(title="Untuk PU")).tracking_id,
        desk.submit(submission(title="Lain")).tracking_id,
    )
    for tid in (mine, other):
        desk.forward(ADMIN, tid, institution="31.71")
    desk.assign(JAKPUS, mine, "dinas-pu")
    sign_in(client, "dinas-pu-jakpus")
    inbox = client.get("/staf/kotak-masuk").text
    assert "Untuk PU" in inbox
    assert other not in inbox  # by its tracking ID: the filter form names a topic "Lainnya"
    assert _post(client, f"/staf/pengaduan/{mine}/tindak-lanjut", message="Selesai dikerjakan.") == 303
    assert desk.view(UNIT, mine).status is lc.Status.FOLLOWED_UP


def test_declining_sends_it_back_and_ends_access(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Bukan wewenang returns the complaint to verification; the officer can no longer open it."""
    tid = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    sign_in(client, "pemkot-jakpus")
    answer = client.post(
        f"/staf/pengaduan/{tid}/bukan-wewenang",
        data={"reason": "Wewenang provinsi.", "csrf_token": csrf(client, "/")},
    )
    assert answer.headers["location"] == "/staf/kotak-masuk"
    assert desk.view(ADMIN, tid).status is lc.Status.SUBMITTED
    assert client.get(f"/staf/pengaduan/{tid}").status_code == 404


def test_another_institution_cannot_touch_the_complaint(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Bandung's officer gets 404 for a complaint at Jakarta Pusat, on reads and on actions."""
    tid = desk.submit(submission(confidential=True)).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    sign_in(client, "pemkot-bandung")
    assert client.get(f"/staf/pengaduan/{tid}").status_code == 404
    assert _post(client, f"/staf/pengaduan/{tid}/tindak-lanjut", message="Bukan urusan kami.") == 404


def test_admin_replies_to_a_follow_up(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """An admin's reply reopens a followed-up complaint."""
    tid = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(JAKPUS, tid, "Sudah.")
    sign_in(client, "admin-demo")
    assert _post(client, f"/staf/pengaduan/{tid}/balas", message="Mohon foto hasil perbaikan.") == 303
    assert desk.view(ADMIN, tid).status is lc.Status.FORWARDED


def test_supervisor_reads_but_gets_no_forms(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Oversight sees published complaints without action forms, and no confidential ones."""
    public = desk.submit(submission(title="Terbuka")).tracking_id
    secret = desk.submit(submission(title="Tertutup", confidential=True)).tracking_id
    for tid in (public, secret):
        desk.forward(ADMIN, tid, institution="31.71")
    sign_in(client, "ombudsman-demo")
    oversight = client.get("/staf/pengawasan").text
    assert "Terbuka" in oversight
    assert "Tertutup" not in oversight
    detail = client.get(f"/staf/pengaduan/{public}").text
    assert 'method="post" action="/staf/pengaduan' not in detail
    assert client.get(f"/staf/pengaduan/{secret}").status_code == 404


def test_the_sweep_button_closes_quiet_follow_ups(
    client: TestClient, desk: lc.ComplaintDesk, clock: FrozenClock
) -> None:
    """Ten quiet working days after a follow-up, the admin's sweep closes the complaint."""
    tid = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(JAKPUS, tid, "Sudah.")
    clock.advance(days=30)
    sign_in(client, "admin-demo")
    answer = client.post("/staf/sweep", data={"csrf_token": csrf(client, "/")})
    assert answer.status_code == 303
    assert re.search(r"Pemeriksaan tenggat: 1 ditutup", client.get("/staf/verifikasi").text)
    assert desk.view(ADMIN, tid).status is lc.Status.CLOSED


def test_only_admins_run_the_sweep(client: TestClient) -> None:
    """An institution officer's sweep request is refused."""
    sign_in(client, "pemkot-jakpus")
    assert _post(client, "/staf/sweep") == 403


def test_the_background_sweep_runs_by_itself(clock: FrozenClock) -> None:
    """With sweep_seconds set, the running portal closes quiet follow-ups without anyone asking."""
    app = create_app("memory://", pepper=PEPPER, clock=clock, settings=PortalSettings(sweep_seconds=0.02))
    desk = portal_of(app).desk
    tid = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(JAKPUS, tid, "Sudah.")
    clock.advance(days=30)
    with TestClient(app):
        give_up = time.monotonic() + 10
        while desk.view(ADMIN, tid).status is not lc.Status.CLOSED and time.monotonic() < give_up:
            time.sleep(0.02)
    assert desk.view(ADMIN, tid).status is lc.Status.CLOSED
