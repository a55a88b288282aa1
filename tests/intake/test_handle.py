"""The intake service: an inbound message runs against the desk, with the reporter proved, and is answered."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

import pytest

import lapor_core as lc
from lapor_core import ValidationError
from lapor_core.intake import (
    Answer,
    Contact,
    InboundMessage,
    NewComplaint,
    ReplyToComplaint,
    SenderLimiter,
    Unusable,
    handle,
)
from lapor_core.intake.sms import SmsIntake
from lapor_core.testing import FrozenClock

AT = datetime(2026, 3, 17, 9, tzinfo=UTC)
REPORTER = "0812-3456-7890"
STRANGER = "0813-1111-2222"
SMS = SmsIntake()
ADMIN = lc.Principal.admin("adm-1")
OFFICER = lc.Principal.institution_officer("off-1", institution="31.71")


@pytest.fixture
def desk():
    """A memory desk on a frozen clock."""
    with lc.ComplaintDesk(clock=FrozenClock(AT), pepper="intake test pepper 0123456789") as desk:
        yield desk


_ids = iter(range(10**6))


def sms(text: str, sender: str = REPORTER, message_id: str | None = None) -> InboundMessage:
    """An SMS as the gateway hands it over, with a fresh message ID unless given."""
    return InboundMessage("sms", message_id or f"gw-{next(_ids)}", sender, text, AT)


def _file(desk, text="LAPOR Lampu jalan mati di Jl. Melati 5", sender=REPORTER):
    handled = handle(desk, SMS, sms(text, sender))
    assert handled.answer.code == "intake.received"
    return handled.answer.tracking_id, handled.answer.params["access_key"]


def test_an_sms_report_is_stored_and_answered_with_tracking_id_and_key_in_one_sms(desk):
    """The answer is one SMS holding the tracking ID and a key that authenticates the reporter."""
    handled = handle(desk, SMS, sms("LAPOR Jalan berlubang depan SDN 3 😡"))
    tid, key = handled.answer.tracking_id, handled.answer.params["access_key"]
    assert handled.rendered.parts == (handled.rendered.text,)
    assert len(handled.rendered.text) <= 160
    assert tid in handled.rendered.text
    assert key in handled.rendered.text
    view = desk.view(desk.authenticate(tid, key), tid)
    assert (view.channel.value, view.body) == ("sms", "Jalan berlubang depan SDN 3 😡")
    assert isinstance(handled.decision, NewComplaint)


def test_the_sender_number_is_stored_only_as_the_reporters_contact(desk):
    """The identity holds the E.164 number; an anonymous complaint hides it from the institution."""
    tid, _ = _file(desk, "LAPOR ANONIM kepala dinas minta uang")
    complaint = desk.store.get(tid)
    assert desk.store.identity(complaint.identity_ref).phone == "+6281234567890"
    desk.forward(ADMIN, tid, institution="31.71")
    officer_view = desk.view(OFFICER, tid)
    assert "+6281234567890" not in repr(lc.to_dict(officer_view))
    assert "6281234567890" not in repr(lc.to_dict(officer_view)).replace("+", "")
    with pytest.raises(lc.NotAllowed):
        desk.reveal_identity(OFFICER, tid, "ingin tahu")


def test_a_gateway_delivering_the_same_sms_twice_files_one_complaint(desk):
    """The idempotency key ``sms:<message id>``: the same answer, the same key, one complaint."""
    message = sms("LAPOR Sampah menumpuk di pasar", message_id="gw-same")
    first, second = handle(desk, SMS, message), handle(desk, SMS, message)
    assert first.rendered.text == second.rendered.text
    assert len(desk.complaints(ADMIN).items) == 1


def test_concurrent_deliveries_of_one_sms_file_one_complaint(desk):
    """Eight threads handling one message get one tracking ID between them."""
    message = sms("LAPOR Banjir di RT 03", message_id="gw-race")
    answers: list[str] = []
    threads = [
        threading.Thread(target=lambda: answers.append(handle(desk, SMS, message).answer.tracking_id))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(answers)) == 1
    assert len(desk.complaints(ADMIN).items) == 1


def test_the_reporters_number_asks_the_status_of_an_unpublished_complaint(desk):
    """The stored contact proves the reporter: the status comes back; a stranger hears "not found"."""
    tid, _ = _file(desk)
    mine = handle(desk, SMS, sms(f"INFO {tid}"))
    assert mine.answer.code == "intake.status"
    assert "Belum" in mine.rendered.text
    theirs = handle(desk, SMS, sms(f"INFO {tid}", STRANGER))
    assert theirs.answer.code == "intake.not_found"
    unknown = handle(desk, SMS, sms("INFO 7K3M-9QXF-2HJ-Q", STRANGER))
    assert theirs.rendered.text.replace(tid, "X") == unknown.rendered.text.replace("7K3M-9QXF-2HJ-Q", "X")


def test_anyone_may_ask_the_status_of_a_published_complaint(desk):
    """Once forwarded (published, not confidential), a stranger's INFO gets what the public sees."""
    tid, _ = _file(desk)
    desk.forward(ADMIN, tid, institution="31.71")
    handled = handle(desk, SMS, sms(f"INFO {tid}", STRANGER))
    assert handled.answer.code == "intake.status"
    assert "Proses" in handled.rendered.text


def test_a_stranger_cannot_reply_to_someone_elses_complaint(desk):
    """Without the reporter's number or key a reply is answered "not found" and nothing is recorded."""
    tid, _ = _file(desk)
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(OFFICER, tid, "Sudah diperbaiki.")
    version = desk.store.get(tid).version
    handled = handle(desk, SMS, sms(f"BALAS {tid} belum diperbaiki", STRANGER))
    assert handled.answer.code == "intake.not_found"
    wrong_key = handle(desk, SMS, sms(f"BALAS {tid} AAAA-BBBB-CCCC-DDDD belum diperbaiki", STRANGER))
    assert wrong_key.answer.code == "intake.not_found"
    assert desk.store.get(tid).version == version


def test_the_reporter_replies_from_their_number_or_with_the_key_from_another(desk):
    """A reply after the follow-up reopens the complaint; the key works from any number."""
    tid, key = _file(desk)
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(OFFICER, tid, "Sudah diperbaiki.")
    handled = handle(desk, SMS, sms(f"BALAS {tid} lampunya masih mati"))
    assert handled.answer.code == "intake.reply_recorded"
    assert desk.view(ADMIN, tid).status is lc.Status.FORWARDED
    desk.follow_up(OFFICER, tid, "Sudah diganti.")
    other = handle(desk, SMS, sms(f"BALAS {tid} {key} masih mati juga", STRANGER))
    assert other.answer.code == "intake.reply_recorded"


def test_a_reply_while_on_hold_is_the_information_asked_for(desk):
    """``<ID> <text>`` after the admin asked for more information provides it and resumes the clock."""
    tid, _ = _file(desk)
    desk.request_info(ADMIN, tid, "Di mana tepatnya?")
    handled = handle(desk, SMS, sms(f"{tid} depan rumah nomor 12"))
    assert handled.answer.code == "intake.reply_recorded"
    assert desk.view(ADMIN, tid).status is lc.Status.SUBMITTED


def test_a_reply_the_lifecycle_does_not_allow_yet_is_answered_with_the_status(desk):
    """Before any follow-up a reply is refused with ``intake.reply_not_now`` naming the status."""
    tid, _ = _file(desk)
    handled = handle(desk, SMS, sms(f"BALAS {tid} kapan diperbaiki?"))
    assert handled.answer.code == "intake.reply_not_now"
    assert "Menunggu verifikasi" in handled.rendered.text


def test_junk_and_foreign_senders_are_answered_never_silent(desk):
    """Empty texts, a foreign number: an answer in Indonesian, nothing stored."""
    for message in (sms(""), sms("LAPOR jalan", "+14155550100"), sms("INFO"), sms("\x00")):
        handled = handle(desk, SMS, message)
        assert isinstance(handled.decision, Unusable)
        assert handled.rendered.text
    assert desk.complaints(ADMIN).items == ()


def test_wrong_keys_from_one_sender_are_limited(desk):
    """Wrong keys count per sender as on the portal: after five, ``intake.rate_limited``."""
    tid, _ = _file(desk)
    codes = [
        handle(desk, SMS, sms(f"INFO {tid} AAAA-BBBB-CCCC-DDD{n}", STRANGER)).answer.code for n in range(7)
    ]
    assert codes[:5] == ["intake.not_found"] * 5
    assert codes[5:] == ["intake.rate_limited"] * 2


def test_a_sender_over_the_rate_limit_is_told_when_to_retry_and_the_desk_is_untouched(desk):
    """Past ``max_messages`` in the window the answer is ``intake.rate_limited`` with the minutes."""
    limiter = SenderLimiter(max_messages=2, window_seconds=600, clock=lambda: 0.0)
    codes = [handle(desk, SMS, sms(f"LAPOR laporan {n}"), limiter=limiter).answer for n in range(3)]
    assert [a.code for a in codes] == ["intake.received", "intake.received", "intake.rate_limited"]
    assert codes[2].params == {"minutes": 10}
    assert handle(desk, SMS, sms("LAPOR lain", STRANGER), limiter=limiter).answer.code == "intake.received"
    assert len(desk.complaints(ADMIN).items) == 3


def test_the_limiter_forgets_the_oldest_senders_beyond_its_bound():
    """``max_senders`` bounds memory; configuration is checked."""
    limiter = SenderLimiter(max_senders=2)
    for sender in ("a", "b", "c"):
        limiter.check("sms", sender)
    assert limiter.tracked() == 2
    with pytest.raises(lc.ConfigurationError):
        SenderLimiter(max_messages=0)


def test_no_message_text_or_sender_reaches_the_logs(desk, caplog):
    """Only the channel, message ID and the answer's code are logged."""
    caplog.set_level(logging.DEBUG, logger="lapor_core")
    handle(desk, SMS, sms("LAPOR rahasia sekali isinya 081299887766"))
    handle(desk, SMS, sms("???"))
    logged = caplog.text
    assert "rahasia sekali" not in logged
    assert "3456" not in logged
    assert "081299887766" not in logged
    assert "intake.received" in logged


def test_a_message_of_another_channel_or_not_a_message_is_a_validation_error(desk):
    """Programming errors at the edge are ValidationErrors naming the input."""
    with pytest.raises(ValidationError) as raised:
        handle(desk, SMS, InboundMessage("email", "m1", "a@b.id", "x", AT))
    assert raised.value.errors[0].code == "intake.channel_mismatch"
    with pytest.raises(ValidationError):
        handle(desk, SMS, "LAPOR jalan")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"channel": "SMS!"}, "channel"),
        ({"message_id": ""}, "message_id"),
        ({"sender": 812}, "sender"),
        ({"text": b"bytes"}, "text"),
        ({"text": "x" * 100_001}, "text"),
        ({"received_at": datetime(2026, 3, 17)}, "received_at"),  # noqa: DTZ001 - the naive time refused
        ({"attachments": ["file"]}, "attachments"),
    ],
)
def test_an_inbound_message_refuses_bad_fields(fields, path):
    """Wrong types, naive times, malformed channel names: one ValidationError naming the field."""
    values = {
        "channel": "sms",
        "message_id": "m1",
        "sender": REPORTER,
        "text": "x",
        "received_at": AT,
    } | fields
    with pytest.raises(ValidationError) as raised:
        InboundMessage(**values)
    assert path in [e.field for e in raised.value.errors]


def test_an_inbound_message_repr_hides_sender_and_text():
    """Logs of a message never show who wrote it or what."""
    shown = repr(sms("LAPOR isi rahasia"))
    assert "rahasia" not in shown
    assert "3456" not in shown


class _Scripted:
    """An adapter whose parser returns what the test says (or raises it), to reach the service's edges."""

    channel = "sms"

    def __init__(self, outcome: object, contact: Contact | None = None) -> None:
        self._outcome = outcome
        self._contact = contact

    def parse(self, message: InboundMessage) -> object:
        """The scripted decision, or raise the scripted exception."""
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        return self._outcome

    def contact(self, message: InboundMessage) -> Contact | None:
        """The scripted contact."""
        return self._contact

    def render(self, answer: Answer, locale: str = "id") -> str:
        """The answer's text."""
        return answer.text(locale)


def test_a_parser_that_raises_still_gets_the_sender_an_answer(desk, caplog):
    """A broken adapter is logged by the exception's type only; the sender hears ``intake.unreadable``."""
    handled = handle(desk, _Scripted(KeyError("secret text")), sms("x"))
    assert handled.answer.code == "intake.unreadable"
    assert "Kirim" in handled.rendered
    assert "secret text" not in caplog.text


def test_a_parser_returning_no_decision_is_answered_unreadable(desk):
    """Anything but one of the four decisions is answered, never acted on."""
    assert handle(desk, _Scripted("not a decision"), sms("x")).answer.code == "intake.unreadable"


def test_a_submission_the_desk_refuses_is_answered_not_accepted(desk):
    """An unknown category (the desk's check, not the parser's): ``intake.not_accepted``, nothing stored."""
    submission = lc.Submission(kind="pengaduan", title="t", body="b", channel="sms", category="no-such-topic")
    assert handle(desk, _Scripted(NewComplaint(submission)), sms("x")).answer.code == "intake.not_accepted"
    assert desk.complaints(ADMIN).items == ()


def test_a_gateway_reusing_a_message_id_for_another_text_is_refused(desk):
    """Same idempotency key, other content: the desk's IdempotencyConflict becomes ``intake.not_accepted``."""
    handle(desk, SMS, sms("LAPOR Jalan rusak", message_id="gw-reused"))
    again = handle(desk, SMS, sms("LAPOR Banjir", message_id="gw-reused"))
    assert again.answer.code == "intake.not_accepted"
    assert len(desk.complaints(ADMIN).items) == 1


def test_a_reply_the_desk_refuses_as_text_is_answered_not_accepted(desk):
    """A reply with a character the desk refuses: ``intake.reply_not_accepted`` with the ID."""
    tid, _ = _file(desk)
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(OFFICER, tid, "Sudah.")
    contact = Contact("phone", "+6281234567890")
    handled = handle(desk, _Scripted(ReplyToComplaint(tid, "a\x00b"), contact), sms("x"))
    assert handled.answer.code == "intake.reply_not_accepted"
    assert tid in handled.rendered


def test_a_channel_that_vouches_for_no_sender_needs_the_key(desk):
    """``SmsIntake(sender_verified=False)``: the reporter's own number is not enough, the key is."""
    tid, key = _file(desk)
    unverified = SmsIntake(sender_verified=False)
    assert handle(desk, unverified, sms(f"INFO {tid}")).answer.code == "intake.not_found"
    assert handle(desk, unverified, sms(f"INFO {tid} {key}")).answer.code == "intake.status"


def test_a_store_failure_is_raised_for_the_channel_to_retry(desk, monkeypatch):
    """StorageError is not answered: the gateway delivers again, and the idempotency key makes that safe."""

    def broken(*_args: object, **_kwargs: object) -> None:
        raise lc.StorageError("database down")

    monkeypatch.setattr(desk, "submit", broken)
    with pytest.raises(lc.StorageError):
        handle(desk, SMS, sms("LAPOR jalan rusak"))


def test_a_reply_delivered_twice_is_recorded_once_and_answered_the_same(desk):
    """With a limiter, the gateway's retry of a reply gets the first answer and adds no second reply."""
    limiter = SenderLimiter()
    tid, _ = _file(desk)
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(OFFICER, tid, "Sudah.")
    message = sms(f"BALAS {tid} belum diperbaiki", message_id="gw-reply")
    first = handle(desk, SMS, message, limiter=limiter)
    version = desk.store.get(tid).version
    again = handle(desk, SMS, message, limiter=limiter)
    assert first.answer == again.answer
    assert again.answer.code == "intake.reply_recorded"
    assert again.decision is None
    assert desk.store.get(tid).version == version


def test_a_repeated_delivery_is_not_counted_against_the_sender():
    """Three deliveries of one message and a new one fit a limit of two messages."""
    with lc.ComplaintDesk(clock=FrozenClock(AT), pepper="intake test pepper 0123456789") as desk:
        limiter = SenderLimiter(max_messages=2)
        message = sms("LAPOR Sampah", message_id="gw-thrice")
        codes = [handle(desk, SMS, message, limiter=limiter).answer.code for _ in range(3)]
        codes.append(handle(desk, SMS, sms("LAPOR Banjir"), limiter=limiter).answer.code)
        codes.append(handle(desk, SMS, sms("LAPOR Macet"), limiter=limiter).answer.code)
    assert codes == ["intake.received"] * 4 + ["intake.rate_limited"]


def test_remembered_answers_expire_with_the_window_and_are_bounded():
    """After ``window_seconds`` a message is forgotten; at most ``max_senders`` answers are kept."""
    now = [0.0]
    limiter = SenderLimiter(window_seconds=60, max_senders=2, clock=lambda: now[0])
    for key in ("sms:a", "sms:b", "sms:c"):
        limiter.remember(key, lc_answer(key))
    assert limiter.answered("sms:a") is None
    assert limiter.answered("sms:c") == lc_answer("sms:c")
    now[0] = 61.0
    assert limiter.answered("sms:c") is None


def lc_answer(key: str) -> Answer:
    """An answer naming ``key``, to tell remembered answers apart."""
    return Answer("intake.empty", {"key": key})


def test_without_a_shared_limiter_a_reply_delivered_twice_is_recorded_once(desk):
    """Two processes share no limiter: the desk itself records the reply once, under the message's key."""
    tid, _ = _file(desk)
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(OFFICER, tid, "Sudah.")
    message = sms(f"BALAS {tid} belum diperbaiki", message_id="gw-reply-2")
    first, again = handle(desk, SMS, message), handle(desk, SMS, message)
    assert first.answer == again.answer
    assert again.answer.code == "intake.reply_recorded"
    replies = [e for e in desk.history(ADMIN, tid) if e.action is lc.Action.REPLY]
    assert len(replies) == 1
    # A new follow-up, then the same message delivered late: still nothing more is recorded.
    desk.follow_up(OFFICER, tid, "Sudah diganti.")
    assert handle(desk, SMS, message).answer.code == "intake.reply_recorded"
    assert [e.action for e in desk.history(ADMIN, tid)][-1] is lc.Action.FOLLOW_UP


def test_an_answer_to_a_hold_delivered_again_after_the_hold_ended_is_not_a_second_reply(desk):
    """The first delivery answered the hold; the second finds the complaint verifying and records nothing."""
    tid, _ = _file(desk)
    desk.request_info(ADMIN, tid, "Di mana tepatnya?")
    message = sms(f"{tid} depan rumah nomor 12", message_id="gw-hold")
    assert handle(desk, SMS, message).answer.code == "intake.reply_recorded"
    assert handle(desk, SMS, message).answer.code == "intake.reply_recorded"
    actions = [e.action for e in desk.history(ADMIN, tid)]
    assert actions == [lc.Action.SUBMIT, lc.Action.REQUEST_INFO, lc.Action.PROVIDE_INFO]


def test_concurrent_deliveries_of_one_reply_record_one_reply(desk):
    """Eight threads handling one reply: every sender answer says recorded, the history holds one reply."""
    tid, _ = _file(desk)
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(OFFICER, tid, "Sudah.")
    message = sms(f"BALAS {tid} masih gelap", message_id="gw-reply-race")
    start = threading.Barrier(8, timeout=30)
    codes: list[str] = []

    def deliver() -> None:
        start.wait()
        codes.append(handle(desk, SMS, message).answer.code)

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == ["intake.reply_recorded"] * 8
    assert [e.action for e in desk.history(ADMIN, tid)].count(lc.Action.REPLY) == 1
