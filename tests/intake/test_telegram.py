"""The Telegram intake adapter: updates to decisions, answers, the Bot API client against a fake server."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lapor_core as lc
from attachment_files import jpeg
from desk_support import ADMIN, make_desk, officer
from fake_telegram import TOKEN, FakeBotApi
from lapor_core.intake import (
    Answer,
    InboundMessage,
    NewComplaint,
    ReplyToComplaint,
    SenderLimiter,
    StatusQuery,
    Unusable,
)
from lapor_core.intake.telegram import TelegramBot, TelegramIntake, process_update, verify_secret_token
from lapor_core.notifiers import CompositeNotifier
from lapor_core.plugins import Address, DeliveryChannel, Recipient, ReporterIdentity
from lapor_core.testing.recording import RecordingNotifier, build_notification

TID = "7K3M-9QXF-2HJ-Q"
CHAT = 5501
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)


def _update(text: str | None = "/lapor Jalan rusak", *, message_id: int = 3, **extra: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": 1773716400,
        "chat": {"id": CHAT, "type": "private", "first_name": "Siti"},
        "from": {"id": CHAT, "is_bot": False, "first_name": "Siti", "language_code": "id"},
        **extra,
    }
    if text is not None:
        message["text"] = text
    return {"update_id": 900 + message_id, "message": message}


def _decide(update: dict[str, Any]) -> object:
    intake = TelegramIntake()
    message = intake.inbound(update)
    assert message is not None
    return intake.parse(message)


# --- decisions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "/lapor Jalan rusak di depan SDN 3 😡",
        "/LAPOR Jalan rusak di depan SDN 3 😡",
        "/lapor@LaporBot Jalan rusak di depan SDN 3 😡",
        "/lpor Jalan rusak di depan SDN 3 😡",
        "/lapor\nJalan rusak di depan SDN 3 😡",
    ],
)
def test_lapor_command_is_a_new_complaint(text: str) -> None:
    """``/lapor`` in any case, with the bot's name, misspelt as ``/lpor``, or with a line break."""
    decision = _decide(_update(text))
    assert isinstance(decision, NewComplaint)
    assert decision.submission.title == "Jalan rusak di depan SDN 3 😡"
    assert decision.submission.channel is lc.Channel.SOCIAL
    assert decision.submission.reporter is None
    assert decision.account == f"telegram:{CHAT}"  # stored as the identity's account, never shown


def test_long_report_keeps_its_body_and_gets_a_short_title() -> None:
    """A long first line becomes a title of at most 150 characters; the body is the whole text."""
    text = "Jembatan " + "retak dan miring " * 30
    decision = _decide(_update(f"/lapor {text}"))
    assert isinstance(decision, NewComplaint)
    assert len(decision.submission.title) <= 150
    assert decision.submission.body == text.strip()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("/lapor", "telegram.lapor_empty"),
        ("/lapor    ", "telegram.lapor_empty"),
        ("/lapor " + "x" * 4001, "telegram.too_long"),
        ("/start", "telegram.help"),
        ("/bantuan", "telegram.help"),
        ("halo min", "telegram.help"),
        ("/hapus 7K3M-9QXF-2HJ-Q", "telegram.unknown_command"),
        ("/info", "telegram.info_usage"),
        ("/info 7K3M-9QXF-2HJ-R", "telegram.info_usage"),
        ("", "telegram.empty"),
    ],
)
def test_unusable_messages_get_a_helpful_reason(text: str, code: str) -> None:
    """Empty, too long, unknown or incomplete commands, and chatter: each has its own answer."""
    decision = _decide(_update(text))
    assert isinstance(decision, Unusable)
    assert decision.reason == code


def test_info_reads_the_id_loosely_and_takes_a_key() -> None:
    """``/info 7k3m 9qxf 2hj q ABCD-EFGH-JKMN-PQRS``: a status query with the reporter's key."""
    decision = _decide(_update("/info 7k3m 9qxf 2hj q abcd-efgh-jkmn-pqrs"))
    assert decision == StatusQuery(TID, access_key="ABCD-EFGH-JKMN-PQRS")
    assert _decide(_update(f"/Status {TID}")) == StatusQuery(TID)


def test_reply_to_the_bots_message_continues_the_complaint_and_the_key_leaves_the_text() -> None:
    """Telegram's reply to a message naming a complaint is a reply to it; the key is proof, not text."""
    replied = {
        "message_id": 2,
        "from": {"id": 1, "is_bot": True},
        "text": f"Laporan diterima. ID laporan: {TID}",
    }
    decision = _decide(_update("ABCD-EFGH-JKMN-PQRS masih belum diperbaiki 🙏", reply_to_message=replied))
    assert decision == ReplyToComplaint(TID, "masih belum diperbaiki 🙏", access_key="ABCD-EFGH-JKMN-PQRS")


def test_a_reply_holding_only_the_key_asks_for_the_status_and_a_long_one_is_refused() -> None:
    """Replying to the bot with just the key is a status query; a reply over 4,000 characters is refused."""
    replied = {"message_id": 2, "from": {"id": 1, "is_bot": True}, "text": f"ID laporan: {TID}"}
    only_key = _decide(_update("ABCD-EFGH-JKMN-PQRS", reply_to_message=replied))
    assert only_key == StatusQuery(TID, access_key="ABCD-EFGH-JKMN-PQRS")
    too_long = _decide(_update("z" * 4001, reply_to_message=replied))
    assert too_long == Unusable("telegram.too_long", {"max": 4000})


def test_photo_caption_is_the_text() -> None:
    """A photo sent with ``/lapor ...`` as its caption files the complaint (the photo itself is not kept)."""
    update = _update(None, caption="/lapor Banjir setinggi lutut", photo=[{"file_id": "x", "file_size": 10}])
    decision = _decide(update)
    assert isinstance(decision, NewComplaint)
    assert decision.submission.body == "Banjir setinggi lutut"


@pytest.mark.parametrize(
    "update",
    [
        {"update_id": 1},
        {"update_id": 1, "edited_message": _update()["message"]},
        {"update_id": 1, "message": {**_update()["message"], "chat": {"id": -100, "type": "group"}}},
        {"update_id": 1, "message": {**_update()["message"], "from": {"id": 9, "is_bot": True}}},
        {"update_id": 1, "message": {**_update()["message"], "message_id": "3"}},
        {"update_id": 1, "message": {**_update()["message"], "chat": {"id": True, "type": "private"}}},
        [],
        "update",
        None,
    ],
)
def test_updates_the_bot_does_not_answer(update: object) -> None:
    """Edits, groups, other bots and malformed updates give None: nothing to file, nobody to answer."""
    assert TelegramIntake().inbound(update) is None


def test_message_id_is_chat_and_message_so_a_redelivered_update_is_the_same() -> None:
    """Telegram may deliver an update again (with another update ID): the idempotency key stays."""
    intake = TelegramIntake()
    first, again = intake.inbound(_update()), intake.inbound({**_update(), "update_id": 77})
    assert first is not None
    assert again is not None
    assert first.idempotency_key == again.idempotency_key == f"telegram:{CHAT}:3"
    assert first.received_at == datetime.fromtimestamp(1773716400, UTC)


@given(_json)
def test_arbitrary_json_never_raises(update: object) -> None:
    """Any decoded JSON gives None or a message whose decision is clean."""
    intake = TelegramIntake()
    message = intake.inbound(update)
    if message is not None:
        assert isinstance(intake.parse(message), NewComplaint | ReplyToComplaint | StatusQuery | Unusable)


@given(st.text(max_size=500), st.one_of(st.none(), st.sampled_from([TID, "junk", ""])))
def test_arbitrary_text_never_raises(text: str, in_reply_to: str | None) -> None:
    """Any text (commands, emoji, control characters) gives a decision."""
    try:
        message = InboundMessage(
            "telegram", "1:1", "5501", text, datetime(2026, 1, 1, tzinfo=UTC), in_reply_to=in_reply_to
        )
    except lc.ValidationError:
        return
    assert isinstance(
        TelegramIntake().parse(message), NewComplaint | ReplyToComplaint | StatusQuery | Unusable
    )


def test_render_uses_the_chat_wording_and_never_markup() -> None:
    """The receipt says how to go on in the chat; text stays plain (no parse_mode is ever sent)."""
    answer = Answer(
        "intake.received", {"tracking_id": TID, "access_key": "ABCD-EFGH-JKMN-PQRS"}, tracking_id=TID
    )
    reply = TelegramIntake().render(answer)
    assert f"/info {TID}" in reply.text
    assert "ABCD-EFGH-JKMN-PQRS" in reply.text
    assert "ABCD" not in repr(reply)
    assert "Report received" in TelegramIntake().render(answer, "en").text
    status = TelegramIntake().render(
        Answer("intake.status", {"tracking_id": TID, "summary": "Proses", "status": "x"}, tracking_id=TID)
    )
    assert "balas (reply) pesan ini" in status.text


def test_secret_token_is_compared_exactly() -> None:
    """The webhook's secret token: equal passes; missing, empty expected or different fails."""
    assert verify_secret_token("t0ken-abc_DEF", "t0ken-abc_DEF")
    assert not verify_secret_token("t0ken-abc_DEF", "t0ken-abc_DEG")
    assert not verify_secret_token("t0ken-abc_DEF", None)
    assert not verify_secret_token("", "")


# --- the Bot API client against the fake server ------------------------------------------------------------


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    """A fake Bot API server on 127.0.0.1."""
    with FakeBotApi() as running:
        yield running


def test_bot_posts_plain_text_to_the_chat(api: FakeBotApi) -> None:
    """``sendMessage`` with the chat ID and text, no parse mode."""
    TelegramBot(TOKEN, base_url=api.base_url).send_message(CHAT, "Halo <b>warga</b> 👋")
    assert api.sent == [{"chat_id": CHAT, "text": "Halo <b>warga</b> 👋"}]


@pytest.mark.parametrize(
    ("chat", "error", "status"),
    [
        (1403, lc.errors.PermanentNotificationError, "403"),
        (1429, lc.errors.TemporaryNotificationError, "429"),
        (1500, lc.errors.TemporaryNotificationError, "500"),
    ],
)
def test_bot_failures_are_classified_and_name_no_chat(
    api: FakeBotApi, chat: int, error: type[Exception], status: str
) -> None:
    """Blocked by the user is permanent; flood limits and server errors temporary; no chat ID, no token."""
    with pytest.raises(error) as caught:
        TelegramBot(TOKEN, base_url=api.base_url).send_message(chat, "x")
    assert caught.value.params == {"status": status}  # type: ignore[attr-defined]
    assert str(chat) not in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_wrong_token_is_permanent(api: FakeBotApi) -> None:
    """A token the server does not know (401) will not start working by itself."""
    other = "987654321:AAAnotherFakeTokenForTests_01234567"
    with pytest.raises(lc.errors.PermanentNotificationError):
        TelegramBot(other, base_url=api.base_url).send_message(CHAT, "x")


def test_unreachable_server_is_temporary() -> None:
    """Nothing listening: try again later."""
    with pytest.raises(lc.errors.TemporaryNotificationError) as caught:
        TelegramBot(TOKEN, base_url="http://127.0.0.1:9", timeout=2).send_message(CHAT, "x")
    assert caught.value.detail == "telegram.unreachable"


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"token": "not-a-token"}, "telegram.token_malformed"),
        ({"token": TOKEN, "base_url": "ftp://api.telegram.org"}, "telegram.base_url_malformed"),
        ({"token": TOKEN, "base_url": "https://user@api.telegram.org"}, "telegram.base_url_malformed"),
        ({"token": TOKEN, "timeout": 0}, "telegram.timeout_not_positive"),
    ],
)
def test_bot_options_are_checked(options: dict[str, Any], code: str) -> None:
    """A bad option is a configuration error naming it, never echoing the token."""
    with pytest.raises(lc.ConfigurationError) as caught:
        TelegramBot(**options)
    assert caught.value.detail == code
    assert "not-a-token" not in str(caught.value)


# --- end to end ---------------------------------------------------------------------------------------------


def test_from_lapor_command_to_receipt_status_and_reply_in_the_chat(
    api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    """/lapor files and answers with ID and key; a repeat answers the same; /info and a keyed reply work."""
    caplog.set_level(logging.DEBUG, logger="lapor_core")
    desk, _clock = make_desk()
    intake, bot = TelegramIntake(), TelegramBot(TOKEN, base_url=api.base_url)

    handled = process_update(
        desk, _update("/lapor Lampu jalan mati di Jl. Kenanga 🙏"), intake=intake, bot=bot
    )
    assert handled is not None
    tid, key = str(handled.answer.params["tracking_id"]), str(handled.answer.params["access_key"])
    (receipt,) = api.texts_to(CHAT)
    assert tid in receipt
    assert key in receipt

    again = process_update(
        desk, {**_update("/lapor Lampu jalan mati di Jl. Kenanga 🙏"), "update_id": 1}, intake=intake, bot=bot
    )
    assert again is not None
    assert again.answer.params == handled.answer.params
    assert api.texts_to(CHAT)[-1] == receipt

    process_update(desk, _update(f"/info {tid} {key}", message_id=4), intake=intake, bot=bot)
    assert api.texts_to(CHAT)[-1].startswith(f"Status laporan {tid}: Belum (Menunggu verifikasi).")

    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(officer(), tid, "Sudah dijadwalkan.")
    replied_to = {"message_id": 2, "from": {"id": 1, "is_bot": True}, "text": receipt}
    reply = process_update(
        desk,
        _update(f"{key} terima kasih, ditunggu", message_id=5, reply_to_message=replied_to),
        intake=intake,
        bot=bot,
    )
    assert reply is not None
    assert reply.answer.code == "intake.reply_recorded"
    last = desk.history(ADMIN, tid)[-1]
    assert (last.action.value, last.payload["message"]) == ("reply", "terima kasih, ditunggu")

    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("lapor_core"))
    assert "intake telegram message 5501:3" in logged
    assert "Kenanga" not in logged
    assert key not in logged


def test_a_photo_with_lapor_in_its_caption_is_attached(api: FakeBotApi) -> None:
    """The photo's largest size is fetched (getFile) and stored with the complaint, checked and stripped."""
    api.files["big"] = jpeg((120, 90))
    desk, _clock = make_desk()
    bot = TelegramBot(TOKEN, base_url=api.base_url)
    update = _update(None, caption="/lapor Got mampet", photo=[{"file_id": "small"}, {"file_id": "big"}])
    handled = process_update(desk, update, intake=TelegramIntake(), bot=bot)
    assert handled is not None
    assert handled.answer.code == "intake.received"
    (attachment,) = desk.attachments(ADMIN, str(handled.answer.tracking_id))
    assert attachment.filename == "foto.jpg"


def test_a_file_that_cannot_be_fetched_or_is_refused_never_loses_the_report(api: FakeBotApi) -> None:
    """A missing file is left out; a document the desk refuses: filed without it, and the chat is told."""
    desk, _clock = make_desk()
    bot = TelegramBot(TOKEN, base_url=api.base_url)
    gone = _update(None, caption="/lapor Banjir", photo=[{"file_id": "hilang"}])
    handled = process_update(desk, gone, intake=TelegramIntake(), bot=bot)
    assert handled is not None
    assert handled.answer.code == "intake.received"
    api.files["exe"] = b"MZ" * 100
    document = {"file_id": "exe", "file_name": "virus.exe", "mime_type": "application/x-msdownload"}
    refused = process_update(
        desk,
        _update(None, message_id=8, caption="/lapor Banjir lagi", document=document),
        intake=TelegramIntake(),
        bot=bot,
    )
    assert refused is not None
    assert refused.answer.code == "intake.received_without_attachments"
    assert "tanpa lampiran" in api.texts_to(CHAT)[-1]
    assert f"/info {refused.answer.tracking_id}" in api.texts_to(CHAT)[-1]
    assert desk.attachments(ADMIN, str(refused.answer.tracking_id)) == ()


def test_download_refuses_a_file_over_the_limit(api: FakeBotApi) -> None:
    """The size getFile reports is checked before the download."""
    api.files["big"] = b"x" * 2000
    with pytest.raises(lc.errors.PermanentNotificationError) as caught:
        TelegramBot(TOKEN, base_url=api.base_url).download("big", max_bytes=1000)
    assert caught.value.detail == "telegram.file_too_large"


def test_the_reporters_chat_replies_without_the_key_and_another_chat_cannot(api: FakeBotApi) -> None:
    """The chat that filed the complaint is its reporter (Telegram vouches); another chat needs the key."""
    desk, _clock = make_desk()
    intake, bot = TelegramIntake(), TelegramBot(TOKEN, base_url=api.base_url)
    handled = process_update(desk, _update("/lapor Sampah menumpuk"), intake=intake, bot=bot)
    assert handled is not None
    tid = str(handled.answer.tracking_id)
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(officer(), tid, "Sudah diangkut.")
    replied_to = {"message_id": 2, "from": {"id": 1, "is_bot": True}, "text": f"ID laporan: {tid}"}

    stranger = _update("bohong, belum diangkut", message_id=9, reply_to_message=replied_to)
    stranger["message"]["chat"] = {"id": 7777, "type": "private"}
    stranger["message"]["from"] = {"id": 7777, "is_bot": False}
    version = desk.store.get(tid).version
    process_update(desk, stranger, intake=intake, bot=bot)
    assert "tidak ditemukan" in api.texts_to(7777)[-1]
    assert desk.store.get(tid).version == version

    own = process_update(
        desk, _update("belum diangkut", message_id=10, reply_to_message=replied_to), intake=intake, bot=bot
    )
    assert own is not None
    assert own.answer.code == "intake.reply_recorded"
    assert desk.history(ADMIN, tid)[-1].payload["message"] == "belum diangkut"


def test_status_changes_reach_the_chat_through_the_outbox(api: FakeBotApi) -> None:
    """With ``chat`` among the reporter's channels the dispatcher sends their messages to the chat."""
    desk, _clock = make_desk()
    intake, bot = TelegramIntake(), TelegramBot(TOKEN, base_url=api.base_url)
    handled = process_update(desk, _update("/lapor Drainase mampet"), intake=intake, bot=bot)
    assert handled is not None
    tid = str(handled.answer.tracking_id)
    desk.forward(ADMIN, tid, institution="31.71")
    book = lc.AddressBook.from_dict(
        {
            "admin": "mailto:admin@lapor.example",
            "institutions": {"31.71": "mailto:pu@jakarta.example"},
            "reporter_channels": ["chat", "email", "sms"],
        }
    )
    mail = RecordingNotifier()
    notifier = CompositeNotifier.by_channel({"chat": bot, "email": mail})
    report = lc.Dispatcher(desk.store, notifier, book).deliver()
    assert len(report.sent) == 4
    chat_texts = api.texts_to(CHAT)[1:]  # after the receipt
    assert len(chat_texts) == 2  # submit.reporter and forward.reporter
    assert all(tid in text for text in chat_texts)
    assert {n.recipient.role.value for n in mail.sent} == {"admin", "institution"}


def test_without_chat_in_the_book_the_chat_reporter_is_skipped(api: FakeBotApi) -> None:
    """The default reporter channels (e-mail, SMS) do not reach a chat account: skipped, not dead-lettered."""
    desk, _clock = make_desk()
    intake, bot = TelegramIntake(), TelegramBot(TOKEN, base_url=api.base_url)
    process_update(desk, _update("/lapor Drainase mampet"), intake=intake, bot=bot)
    report = lc.Dispatcher(
        desk.store, RecordingNotifier(), lc.AddressBook(admin="mailto:a@lapor.example")
    ).deliver()
    assert (len(report.sent), len(report.skipped), len(report.dead_lettered)) == (1, 1, 0)


def test_chat_addresses_and_the_account_rule() -> None:
    """``chat:telegram:5501`` parses; a portal account without a platform is not a chat; junk is refused."""
    assert Address.parse("chat:telegram:5501").channel is DeliveryChannel.CHAT
    book = lc.AddressBook.from_dict({"reporter_channels": ["chat"]})
    assert [
        a.target
        for a in book.resolve(Recipient("reporter"), ReporterIdentity("r1", account_id="telegram:5501"))
    ] == ["telegram:5501"]
    assert book.resolve(Recipient("reporter"), ReporterIdentity("r1", account_id="acc-123")) == ()
    with pytest.raises(lc.ValidationError) as caught:
        Address("chat", "telegram 5501")
    assert caught.value.fields_by_name == {"target": ("address.chat_malformed",)}


def test_the_bot_as_notifier_refuses_other_channels() -> None:
    """An e-mail notification handed to the bot is a permanent failure naming the channel, not the address."""
    notification = build_notification(address=Address.parse("mailto:warga@contoh.id"))
    with pytest.raises(lc.errors.PermanentNotificationError) as caught:
        TelegramBot(TOKEN, base_url="http://127.0.0.1:9").send(notification)
    assert caught.value.detail == "telegram.wrong_channel"
    assert "warga" not in str(caught.value)


def test_rate_limit_and_group_messages(api: FakeBotApi) -> None:
    """Over the limit the chat is told when to try again; a group message is not answered at all."""
    desk, _clock = make_desk()
    intake, bot = TelegramIntake(), TelegramBot(TOKEN, base_url=api.base_url)
    limiter = SenderLimiter(max_messages=1, window_seconds=600, clock=lambda: 0.0)
    process_update(desk, _update("/start"), intake=intake, bot=bot, limiter=limiter)
    limited = process_update(
        desk, _update("/lapor Jalan", message_id=4), intake=intake, bot=bot, limiter=limiter
    )
    assert limited is not None
    assert limited.answer.code == "intake.rate_limited"
    assert "Terlalu banyak pesan dari akun ini" in api.texts_to(CHAT)[-1]
    group = _update("/lapor Jalan")
    group["message"]["chat"] = {"id": -100200, "type": "supergroup"}
    assert process_update(desk, group, intake=intake, bot=bot) is None
    assert desk.store.pending_outbox() == ()
