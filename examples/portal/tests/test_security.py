from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx import Response

import lapor_core as lc
from lapor_core.testing import FrozenClock
from lapor_portal import PortalSettings, create_app
from lapor_portal.context import Portal
from lapor_portal.security import ClientKeys
from lapor_portal.sessions import COOKIE_NAME, decode, encode
from lapor_portal.web import polls, public, reporter, staff
from portal_helpers import ADMIN, JAKPUS, PEPPER, csrf, sign_in, submission, submit

_POST_FORM = re.compile(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", re.DOTALL)


def _page_post_routes() -> list[str]:
    routes = [route for module in (public, reporter, staff, polls) for route in module.router.routes]
    return [
        route.path.replace("{tracking_id}", "0AY3-0547-1W7-S").replace("{poll_id}", "poll-1")
        for route in routes
        if isinstance(route, APIRoute) and "POST" in route.methods
    ]


def test_every_page_form_post_needs_the_csrf_token(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Each POST route of the pages answers 403 without the token, and nothing is stored."""
    paths = _page_post_routes()
    assert len(paths) >= 19
    for path in paths:
        answer = client.post(
            path, data={"kind": "pengaduan", "title": "T", "body": "B", "account": "admin-demo"}
        )
        assert answer.status_code == 403, path
    assert desk.complaints(ADMIN).items == ()


def test_a_token_from_another_session_is_refused(app: FastAPI, client: TestClient) -> None:
    """A valid token of one session does not work in another."""
    token = csrf(client)
    with TestClient(app, follow_redirects=False) as other:
        csrf(other)
        answer = other.post(
            "/lapor", data={"kind": "pengaduan", "title": "T", "body": "B", "csrf_token": token}
        )
    assert answer.status_code == 403


def test_a_cross_site_origin_is_refused_even_with_the_token(client: TestClient) -> None:
    """A POST whose Origin is another site is refused."""
    token = csrf(client)
    data = {"kind": "pengaduan", "title": "T", "body": "B", "csrf_token": token}
    assert client.post("/lapor", data=data, headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.post("/lapor", data=data, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.post("/lapor", data=data, headers={"Origin": "http://testserver"}).status_code == 200


def test_every_rendered_post_form_carries_the_token(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The forms on public, reporter and staff pages all include the hidden CSRF field."""
    receipt = submit(client)
    pages = ["/", "/lapor", "/lacak", "/masuk"]
    sign_in(client, "admin-demo")
    pages += ["/staf/verifikasi", f"/staf/pengaduan/{receipt.tracking_id}"]
    forms = [form for path in pages for form in _POST_FORM.findall(client.get(path).text)]
    assert len(forms) >= 8
    assert all('name="csrf_token"' in form for form in forms)


def test_no_ip_address_or_user_agent_is_stored(
    tmp_path: Path, clock: FrozenClock, settings: PortalSettings
) -> None:
    """After submissions through the pages and the API, the database files hold neither."""
    app = create_app(f"sqlite:///{tmp_path / 'p.db'}", pepper=PEPPER, clock=clock, settings=settings)
    headers = {
        "User-Agent": "CanaryBrowser/9.9",
        "X-Forwarded-For": "203.0.113.77",
        "X-Real-IP": "203.0.113.78",
    }
    with TestClient(app, client=("198.51.100.23", 4711), headers=headers) as client:
        submit(client, name="Siti")
        created = client.post(
            "/api/v1/complaints", json={"kind": "aspirasi", "channel": "api", "title": "T", "body": "B"}
        )
        wrong = {"X-Access-Key": "salah"}
        for _ in range(6):
            client.get(f"/api/v1/complaints/{created.json()['tracking_id']}", headers=wrong)
    stored = b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.is_file())
    assert b"Siti" in stored  # the data is there, so the search below can fail
    for canary in (b"CanaryBrowser", b"203.0.113.7", b"198.51.100.23", b"4711"):
        assert canary not in stored


def test_pages_send_the_security_headers(client: TestClient) -> None:
    """Pages have a strict CSP, nosniff, no framing, no off-site referrer, no caching; static files cache."""
    page = client.get("/")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert "img-src 'self' data:;" in policy  # no tile server unless one is configured: the maps are offline
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["cache-control"] == "no-store"
    assert client.get("/static/portal.css").headers["cache-control"] == "public, max-age=3600"


def test_configured_leaflet_and_tiles_are_allowed_by_the_policy(clock: FrozenClock) -> None:
    """Leaflet's origin may serve scripts and styles; the tile origin may serve images."""
    settings = PortalSettings(
        leaflet_url="https://cdn.example/leaflet", tile_url="https://tiles.example/{z}/{x}/{y}.png"
    )
    with TestClient(create_app("memory://", pepper=PEPPER, clock=clock, settings=settings)) as client:
        page = client.get("/")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self' https://cdn.example;" in policy
    assert "https://tiles.example" in policy
    assert 'src="https://cdn.example/leaflet/leaflet.js"' in page.text


@pytest.mark.parametrize("path", ["/lacak/{tid}", "/staf/verifikasi", "/staf/pengaduan/{tid}"])
def test_pages_with_identities_or_secrets_are_never_cached(
    client: TestClient, desk: lc.ComplaintDesk, path: str
) -> None:
    """Reporter and staff pages answer Cache-Control: no-store."""
    receipt = desk.submit(submission(reporter={"name": "Siti"}))
    client.post(
        "/lacak",
        data={
            "tracking_id": receipt.tracking_id,
            "access_key": receipt.access_key,
            "csrf_token": csrf(client),
        },
    )
    if path.startswith("/staf"):
        sign_in(client, "admin-demo")
    answer = client.get(path.format(tid=receipt.tracking_id))
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"


def _track(client: TestClient, tracking_id: str, access_key: str) -> Response:
    data = {"tracking_id": tracking_id, "access_key": access_key, "csrf_token": csrf(client)}
    return client.post("/lacak", data=data)


def test_wrong_access_keys_from_one_address_get_429_and_never_lock_the_reporter_out(
    app: FastAPI, client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Five wrong keys from one address: its sixth is refused with Retry-After; the reporter still opens.

    The reporter opens from another address at once, and even from the refused one: a correct key always
    opens.
    """
    receipt = desk.submit(submission())
    for _ in range(5):
        assert _track(client, receipt.tracking_id, "salah").status_code == 404
    locked = _track(client, receipt.tracking_id, "salah")
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert "Terlalu banyak percobaan" in locked.text
    owner = TestClient(app, follow_redirects=False, client=("203.0.113.9", 50000))
    assert _track(owner, receipt.tracking_id, "salah").status_code == 404
    opened = _track(owner, receipt.tracking_id, receipt.access_key)
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/lacak/{receipt.tracking_id}"
    assert _track(client, receipt.tracking_id, receipt.access_key).status_code == 303


def test_the_desk_gets_a_keyed_hash_of_the_address_never_the_address(
    app: FastAPI, portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages and API pass the same opaque 64-hex client key for one address; the address is not in it."""
    seen: list[object] = []
    real = portal.desk.authenticate

    def spy(tracking_id: object, access_key: object, *, client: object = None) -> lc.Principal:
        seen.append(client)
        return real(tracking_id, access_key, client=client)

    monkeypatch.setattr(portal.desk, "authenticate", spy)
    tid = portal.desk.submit(submission()).tracking_id
    for address in ("198.51.100.23", "198.51.100.24"):
        visitor = TestClient(app, follow_redirects=False, client=(address, 4711))
        _track(visitor, tid, "salah")
        visitor.get(f"/api/v1/complaints/{tid}", headers={"X-Access-Key": "salah"})
    assert len(seen) == 4
    assert seen[0] == seen[1] != seen[2] == seen[3]
    assert all(isinstance(key, str) and re.fullmatch(r"[0-9a-f]{64}", key) for key in seen)
    assert all("198.51.100" not in str(key) for key in seen)


def test_client_keys_are_secret_per_process_and_group_an_ipv6_subscriber() -> None:
    """Two portals key one address differently; an IPv6 /64 is one client, the next /64 another."""
    first, second = ClientKeys(), ClientKeys()
    assert first.of_address("198.51.100.23") != second.of_address("198.51.100.23")
    assert first.of_address("2001:db8:1:2::1") == first.of_address("2001:db8:1:2:ffff:ffff:ffff:ffff")
    assert first.of_address("2001:db8:1:2::1") != first.of_address("2001:db8:1:3::1")
    assert first.of_address("::ffff:198.51.100.23") == first.of_address("198.51.100.23")
    assert first.of_address("198.51.100.23") != first.of_address("198.51.100.24")
    assert first.of_address("testclient") != first.of_address("")
    known = ClientKeys(secret=b"k" * 32)
    assert repr(known) == "ClientKeys(<secret>)"
    assert known.of_address("198.51.100.23") == ClientKeys(secret=b"k" * 32).of_address("198.51.100.23")


def test_one_ipv6_subscriber_cannot_reset_its_count_by_changing_address(
    app: FastAPI, desk: lc.ComplaintDesk
) -> None:
    """Wrong keys from five addresses of one /64 use up one count; a different /64 is answered normally."""
    tid = desk.submit(submission()).tracking_id
    for host in range(1, 6):
        visitor = TestClient(app, client=(f"2001:db8:7:7::{host}", 443))
        answer = visitor.get(f"/api/v1/complaints/{tid}", headers={"X-Access-Key": "salah"})
        assert answer.status_code == 404
    same_block = TestClient(app, client=("2001:db8:7:7::99", 443))
    assert same_block.get(f"/api/v1/complaints/{tid}", headers={"X-Access-Key": "x"}).status_code == 429
    elsewhere = TestClient(app, client=("2001:db8:7:8::1", 443))
    assert elsewhere.get(f"/api/v1/complaints/{tid}", headers={"X-Access-Key": "x"}).status_code == 404


def test_wrong_key_and_unknown_id_answer_the_same(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """A wrong key for a real ID reads exactly like any key for an ID that does not exist."""
    receipt = desk.submit(submission())
    real = client.post(
        "/lacak", data={"tracking_id": receipt.tracking_id, "access_key": "x", "csrf_token": csrf(client)}
    )
    fake = client.post(
        "/lacak", data={"tracking_id": "0AY3-0547-1W7-S", "access_key": "x", "csrf_token": csrf(client)}
    )
    assert real.status_code == fake.status_code == 404
    assert "Nomor pelacakan atau kunci akses salah." in real.text
    assert "Nomor pelacakan atau kunci akses salah." in fake.text


def _session(client: TestClient) -> dict[str, object]:
    value = client.cookies[COOKIE_NAME]
    payload = value.split(".")[0]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def test_the_session_keeps_the_desks_proof_never_the_access_key(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """After opening the reporter's view the cookie holds a proof bound to one complaint, not the key."""
    receipt = desk.submit(submission())
    client.post(
        "/lacak",
        data={
            "tracking_id": receipt.tracking_id,
            "access_key": receipt.access_key,
            "csrf_token": csrf(client),
        },
    )
    cookie = client.cookies[COOKIE_NAME]
    assert receipt.access_key not in cookie
    session = _session(client)
    reporter = session["reporter"]
    assert isinstance(reporter, dict)
    assert reporter["id"] == receipt.tracking_id


def test_the_reporter_session_opens_only_its_own_complaint(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Signed in as the reporter of one complaint, another complaint's reporter page is not open."""
    mine, other = desk.submit(submission()), desk.submit(submission())
    client.post(
        "/lacak",
        data={"tracking_id": mine.tracking_id, "access_key": mine.access_key, "csrf_token": csrf(client)},
    )
    assert client.get(f"/lacak/{mine.tracking_id}").status_code == 200
    assert client.get(f"/lacak/{other.tracking_id}").status_code == 303


def test_a_tampered_session_cookie_is_ignored(client: TestClient) -> None:
    """Editing the signed cookie (to become another account) signs the visitor out instead."""
    sign_in(client, "warga-demo")
    value = client.cookies[COOKIE_NAME]
    forged = base64.urlsafe_b64encode(json.dumps({"account": "admin-demo"}).encode()).rstrip(b"=").decode()
    client.cookies.set(COOKIE_NAME, forged + value[value.index(".") :])
    answer = client.get("/staf/verifikasi")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/masuk")


def test_signing_in_rotates_the_csrf_token(client: TestClient) -> None:
    """A token taken before signing in no longer works after it (no session fixation)."""
    before = csrf(client, "/masuk")
    sign_in(client, "admin-demo")
    answer = client.post("/staf/sweep", data={"csrf_token": before})
    assert answer.status_code == 403


def test_sessions_expire_and_reject_forgeries() -> None:
    """A cookie older than its max age, or signed with another secret, reads as an empty session."""
    value = encode({"account": "admin-demo"}, secret=b"s" * 32, issued=1000)
    assert decode(value, secret=b"s" * 32, now=1500, max_age=600) == {"account": "admin-demo"}
    assert decode(value, secret=b"s" * 32, now=1601, max_age=600) == {}
    assert decode(value, secret=b"t" * 32, now=1500, max_age=600) == {}
    assert decode("garbage", secret=b"s" * 32, now=1500, max_age=600) == {}
    assert decode("a.b.c", secret=b"s" * 32, now=1500, max_age=600) == {}


def test_a_validly_signed_non_object_session_is_empty() -> None:
    """Only a JSON object is a session."""
    value = encode([1, 2], secret=b"s" * 32, issued=1000)  # type: ignore[arg-type]
    assert decode(value, secret=b"s" * 32, now=1000, max_age=60) == {}


def test_signing_out_clears_the_cookie(client: TestClient) -> None:
    """Signing out removes the account from the session."""
    sign_in(client, "admin-demo")
    client.post("/keluar", data={"csrf_token": csrf(client, "/")})
    assert "account" not in _session(client)
    assert client.get("/staf/verifikasi").status_code == 303


def test_https_deployments_mark_cookies_secure(clock: FrozenClock) -> None:
    """With https_only the session and language cookies are Secure."""
    app = create_app("memory://", pepper=PEPPER, clock=clock, settings=PortalSettings(https_only=True))
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        page = client.get("/lacak")
        language = client.get("/bahasa/en")
    assert "Secure" in page.headers["set-cookie"]
    assert "Secure" in language.headers["set-cookie"]


def test_institution_staff_cannot_open_the_admin_queue(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """An institution officer gets 403 on the verification queue and cannot see unverified complaints."""
    receipt = desk.submit(submission())
    sign_in(client, "pemkot-jakpus")
    assert client.get("/staf/verifikasi").status_code == 403
    assert client.get(f"/staf/pengaduan/{receipt.tracking_id}").status_code == 404
    with pytest.raises(lc.NotFound):
        desk.view(JAKPUS, receipt.tracking_id)
