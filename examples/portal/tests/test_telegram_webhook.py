"""The Telegram webhook: the secret token checked, updates answered in the chat through a fake Bot API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fake_telegram import TOKEN, FakeBotApi
from fastapi.testclient import TestClient

import lapor_core as lc
from lapor_core.intake.telegram import SECRET_TOKEN_HEADER, TelegramBot
from lapor_core.notifiers import CompositeNotifier
from lapor_core.testing import FrozenClock
from lapor_core.testing.recording import RecordingNotifier
from lapor_portal import PortalSettings, create_app
from portal_helpers import PEPPER, START

SECRET_TOKEN = "webhook-secret_0123456789"
CHAT = 5501


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    """A fake Bot API server on 127.0.0.1."""
    with FakeBotApi() as running:
        yield running


@pytest.fixture
def settings(api: FakeBotApi) -> PortalSettings:
    """Telegram on, answering through the fake Bot API, with a small per-chat limit."""
    return PortalSettings(
        sweep_seconds=None,
        telegram_secret_token=SECRET_TOKEN,
        telegram_bot=TelegramBot(TOKEN, base_url=api.base_url),
        intake_messages_per_hour=3,
    )


def _update(text: str, message_id: int = 3, **extra: Any) -> dict[str, Any]:
    message = {
        "message_id": message_id,
        "date": int(START.timestamp()),
        "text": text,
        "chat": {"id": CHAT, "type": "private"},
        "from": {"id": CHAT, "is_bot": False},
        **extra,
    }
    return {"update_id": 100 + message_id, "message": message}


def _post(client: TestClient, update: object, token: str | None = SECRET_TOKEN):
    headers = {} if token is None else {SECRET_TOKEN_HEADER: token}
    return client.post("/api/telegram/webhook", json=update, headers=headers)


def test_lapor_files_a_complaint_and_the_chat_gets_id_and_key(client, desk, api):
    """200 ``{}``; the chat gets the tracking ID and a working key; the complaint came by social media."""
    response = _post(client, _update("/lapor Pohon tumbang menutup jalan 🌳"))
    assert (response.status_code, response.json()) == (200, {})
    (text,) = api.texts_to(CHAT)
    tid = text.split("ID laporan: ")[1].split(",")[0]
    key = text.split("kunci akses: ")[1].split(" ")[0]
    assert desk.view(desk.authenticate(tid, key), tid).channel is lc.Channel.SOCIAL


@pytest.mark.parametrize("token", [None, "", "wrong-secret_0123456789", SECRET_TOKEN + "x"])
def test_a_missing_or_wrong_secret_token_is_refused_before_the_desk(client, desk, api, token):
    """401 without the exact secret token; nothing filed, nothing sent."""
    response = _post(client, _update("/lapor Jalan rusak"), token=token)
    assert response.status_code == 401
    assert desk.store.pending_outbox() == ()
    assert api.sent == []


def test_malformed_and_unanswered_updates(client, desk, api):
    """Not JSON: 422. A group message or an edit: 200 and no answer."""
    bad = client.post(
        "/api/telegram/webhook", content=b"{not json", headers={SECRET_TOKEN_HEADER: SECRET_TOKEN}
    )
    assert bad.status_code == 422
    group = _update("/lapor Jalan rusak")
    group["message"]["chat"] = {"id": -100, "type": "group"}
    assert _post(client, group).status_code == 200
    assert _post(client, {"update_id": 1, "edited_message": _update("x")["message"]}).status_code == 200
    assert api.sent == []


def test_telegram_redelivering_an_update_files_one_complaint(client, desk, api):
    """The same message again (another update ID): the same answer, one complaint."""
    _post(client, _update("/lapor Banjir di RT 03"))
    _post(client, {**_update("/lapor Banjir di RT 03"), "update_id": 999})
    first, again = api.texts_to(CHAT)
    assert first == again
    assert len(desk.complaints(lc.Principal.admin("adm-1")).items) == 1


def test_a_chat_over_the_limit_is_told_to_wait(client, api):
    """The fourth message in an hour from one chat is answered with the limit."""
    for number in range(3):
        _post(client, _update("/start", message_id=10 + number))
    _post(client, _update("/lapor Jalan", message_id=20))
    assert "Terlalu banyak pesan dari akun ini" in api.texts_to(CHAT)[-1]


def test_status_changes_go_back_to_the_chat_through_the_outbox(client, desk, api, settings):
    """The portal's bot is also the outbox's notifier for ``chat:`` addresses."""
    _post(client, _update("/lapor Sampah menumpuk di pasar"))
    tid = api.texts_to(CHAT)[0].split("ID laporan: ")[1].split(",")[0]
    desk.forward(lc.Principal.admin("adm-1"), tid, institution="31.71")
    book = lc.AddressBook.from_dict(
        {"admin": "mailto:admin@pemda.example", "reporter_channels": ["chat", "email"]}
    )
    notifier = CompositeNotifier.by_channel({"chat": settings.telegram_bot, "email": RecordingNotifier()})
    lc.Dispatcher(desk.store, notifier, book).deliver()
    assert sum(tid in text for text in api.texts_to(CHAT)[1:]) == 2  # received, then forwarded


def test_an_unreachable_bot_api_is_503_so_telegram_delivers_again(settings):
    """The answer could not be sent: 503 (Telegram retries; the repeat is recognised)."""
    dead = TelegramBot(TOKEN, base_url="http://127.0.0.1:9", timeout=2)
    app = create_app(
        "memory://",
        pepper=PEPPER,
        clock=FrozenClock(START),
        settings=PortalSettings(sweep_seconds=None, telegram_secret_token=SECRET_TOKEN, telegram_bot=dead),
    )
    with TestClient(app) as client:
        response = _post(client, _update("/lapor Jalan rusak"))
    assert (response.status_code, response.json()) == (503, {"error": "telegram.try_again"})


def test_without_a_token_the_webhook_is_off():
    """The default settings serve no Telegram webhook."""
    app = create_app(
        "memory://", pepper=PEPPER, clock=FrozenClock(START), settings=PortalSettings(sweep_seconds=None)
    )
    with TestClient(app) as client:
        assert _post(client, _update("/lapor Jalan")).status_code == 404
