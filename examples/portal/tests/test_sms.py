"""The inbound SMS webhook: signed gateway requests in, the SMS to answer with out; status changes go back."""

from __future__ import annotations

import json

import pytest
from fake_sms_gateway import FakeSmsGateway
from fastapi import FastAPI
from fastapi.testclient import TestClient

import lapor_core as lc
from lapor_core.notifiers.sms import SmsNotifier
from lapor_core.notifiers.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from lapor_core.testing import FrozenClock
from lapor_portal import PortalSettings, create_app, portal_of
from portal_helpers import PEPPER, START

SECRET = b"gateway secret shared with the portal"
NOW = int(START.timestamp())
ADMIN = lc.Principal.admin("adm-1")
OFFICER = lc.Principal.institution_officer("off-1", institution="31.71")


@pytest.fixture
def settings() -> PortalSettings:
    """SMS on, with a small per-number limit."""
    return PortalSettings(sweep_seconds=None, sms_gateway_secret=SECRET, sms_messages_per_hour=5)


def _post(client: TestClient, payload: object, *, secret: bytes = SECRET, at: int = NOW, signed: bool = True):
    body = json.dumps(payload).encode("utf-8")
    headers = {"Content-Type": "application/json"}
    if signed:
        headers |= {TIMESTAMP_HEADER: str(at), SIGNATURE_HEADER: sign(secret, str(at), body)}
    return client.post("/api/sms/inbound", content=body, headers=headers)


def _sms(
    text: str, sender: str = "0812-3456-7890", message_id: str = "gw-1", **extra: object
) -> dict[str, object]:
    return {"id": message_id, "from": sender, "text": text, **extra}


def test_an_inbound_sms_files_a_complaint_and_answers_with_tracking_id_and_key(client, desk):
    """200 with one GSM-7 SMS holding the tracking ID and a key that opens the complaint."""
    response = _post(client, _sms("LAPOR Lampu jalan mati di Jl. Melati 5"))
    assert response.status_code == 200
    answer = response.json()
    assert answer["to"] == "+6281234567890"
    assert answer["code"] == "intake.received"
    assert answer["parts"] == [answer["text"]]
    assert len(answer["text"]) <= 160
    assert response.headers["Cache-Control"] == "no-store"
    tid = answer["tracking_id"]
    key = answer["text"].split("Kunci akses: ")[1].split(" ")[0]
    assert desk.view(desk.authenticate(tid, key), tid).channel is lc.Channel.SMS


def test_the_gateway_retrying_one_sms_gets_the_same_answer_and_files_one_complaint(client, desk):
    """The gateway's message ID is the idempotency key."""
    first = _post(client, _sms("LAPOR Banjir di RT 03", message_id="gw-retry")).json()
    again = _post(client, _sms("LAPOR Banjir di RT 03", message_id="gw-retry")).json()
    assert first == again
    assert len(desk.complaints(ADMIN).items) == 1


@pytest.mark.parametrize(
    "case",
    ["unsigned", "wrong secret", "too old", "from the future", "body changed"],
)
def test_unsigned_wrongly_signed_or_old_requests_are_refused_before_the_desk(client, desk, case):
    """401 for every request whose signature does not hold; nothing is filed."""
    payload = _sms("LAPOR jalan rusak")
    if case == "unsigned":
        response = _post(client, payload, signed=False)
    elif case == "wrong secret":
        response = _post(client, payload, secret=b"some other secret of 16+ bytes")
    elif case == "too old":
        response = _post(client, payload, at=NOW - 301)
    elif case == "from the future":
        response = _post(client, payload, at=NOW + 301)
    else:
        body = json.dumps(payload).encode()
        headers = {TIMESTAMP_HEADER: str(NOW), SIGNATURE_HEADER: sign(SECRET, str(NOW), body)}
        response = client.post("/api/sms/inbound", content=body + b" ", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"error": "sms.signature_invalid"}
    assert desk.complaints(ADMIN).items == ()


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"id": "gw-1", "from": "0812"},
        {"id": "gw-1", "from": "0812-3456-7890", "text": "x", "extra": 1},
        {"id": "", "from": "0812-3456-7890", "text": "x"},
        {"id": "gw-1", "from": "0812-3456-7890", "text": 5},
        {"id": "gw-1", "from": "0812-3456-7890", "text": "x", "received_at": "yesterday"},
    ],
)
def test_a_signed_body_of_the_wrong_shape_is_422(client, payload):
    """The gateway hears its request was malformed, so it does not retry it forever."""
    response = _post(client, payload)
    assert response.status_code == 422
    assert response.json() == {"error": "sms.body_malformed"}


def test_junk_text_and_foreign_numbers_still_get_an_answer(client, desk):
    """Never silence: an empty SMS and a foreign number are answered in Indonesian."""
    empty = _post(client, _sms("   ", message_id="gw-e")).json()
    foreign = _post(client, _sms("LAPOR jalan", "+14155550100", message_id="gw-f")).json()
    assert empty["code"] == "intake.empty"
    assert "Kirim" in empty["text"]
    assert foreign["code"] == "sms.sender_not_indonesian"
    assert desk.complaints(ADMIN).items == ()


def test_a_number_over_its_hourly_limit_is_asked_to_wait(client):
    """Past ``sms_messages_per_hour`` the answer is ``intake.rate_limited``."""
    codes = [_post(client, _sms(f"LAPOR laporan {n}", message_id=f"gw-{n}")).json()["code"] for n in range(6)]
    assert codes == ["intake.received"] * 5 + ["intake.rate_limited"]


def test_the_webhook_is_off_without_a_secret(store_url, clock):
    """No ``sms_gateway_secret``: 404, whatever is posted."""
    app = create_app(store_url, pepper=PEPPER, clock=clock, settings=PortalSettings(sweep_seconds=None))
    with TestClient(app) as client:
        assert _post(client, _sms("LAPOR jalan")).status_code == 404


def test_a_short_gateway_secret_is_refused_in_the_settings():
    """The secret must be at least 16 bytes."""
    with pytest.raises(ValueError, match="16 bytes"):
        PortalSettings(sms_gateway_secret=b"short")


@pytest.fixture
def file_app(sqlite_url: str, clock: FrozenClock, settings: PortalSettings) -> FastAPI:
    """The portal on a SQLite file, so a delivery worker can open the same store."""
    return create_app(sqlite_url, pepper=PEPPER, clock=clock, settings=settings)


def test_end_to_end_an_sms_report_then_its_status_changes_reach_the_reporter_by_sms(
    file_app, sqlite_url, clock
):
    """Inbound SMS -> complaint stored -> answer with ID and key; forwarding -> SmsNotifier -> the gateway."""
    with TestClient(file_app) as client:
        answer = _post(client, _sms("LAPOR ANONIM Jalan berlubang depan SDN 3")).json()
        tid = answer["tracking_id"]
        desk = portal_of(file_app).desk
        desk.forward(ADMIN, tid, institution="31.71")
        desk.follow_up(OFFICER, tid, "Sudah ditambal.")
        reply = _post(client, _sms(f"BALAS {tid} belum, masih berlubang", message_id="gw-2")).json()
        assert reply["code"] == "intake.reply_recorded"
        officer_view = lc.to_dict(desk.view(OFFICER, tid))
        assert "6281234567890" not in json.dumps(officer_view)
    with FakeSmsGateway(SECRET.decode()) as gateway:
        notifier = SmsNotifier(gateway.url, secret=SECRET, sender_id="1708", timeout=5)
        with lc.ComplaintDesk.open(sqlite_url, pepper=PEPPER, clock=clock, notifier=notifier) as worker:
            report = worker.deliver()
        to_reporter = [m for m in gateway.messages if m["to"] == "+6281234567890"]
        assert report.retrying == ()
        assert len(report.sent) == len(to_reporter) >= 2  # received, forwarded, followed up...
        assert all(m["reference"] == f"lapor:{tid}" for m in to_reporter)
        assert any(tid in m["text"] for m in to_reporter)
        assert all("".join(m["parts"]) == m["text"] for m in to_reporter)
