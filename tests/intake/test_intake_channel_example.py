"""The how-to's kiosk channel, held to the intake port's contract (the tests the how-to asks for)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from desk_support import make_desk
from intake_channel_example import KioskIntake, KioskScreen
from lapor_core.intake import (
    InboundMessage,
    Intake,
    NewComplaint,
    ReplyToComplaint,
    SenderLimiter,
    StatusQuery,
    Unusable,
    handle,
)

AT = datetime(2026, 3, 17, 3, tzinfo=UTC)


def _message(text: str, message_id: str = "k-1") -> InboundMessage:
    return InboundMessage("kiosk", message_id, "kiosk-07", text, AT)


def test_the_adapter_is_an_intake() -> None:
    """It satisfies the port's protocol (checked at run time too)."""
    assert isinstance(KioskIntake(), Intake)


@given(st.text(max_size=5000))
def test_parse_is_total(text: str) -> None:
    """Any text, emoji, control characters or 5,000 characters, gives a decision and never an exception."""
    decision = KioskIntake().parse(_message(text))
    assert isinstance(decision, NewComplaint | ReplyToComplaint | StatusQuery | Unusable)


def test_nothing_vouches_for_a_kiosk_sender() -> None:
    """A kiosk cannot tell who typed: contact is always None, so replies need the access key."""
    assert KioskIntake().contact(_message("LAPOR x")) is None


def test_end_to_end_from_the_screen_to_the_slip() -> None:
    """A complaint, its repeat (the kiosk retried), a status query and junk, through the port's service."""
    desk, _clock = make_desk()
    kiosk, limiter = KioskIntake(), SenderLimiter()
    filed = handle(desk, kiosk, _message("Antrean KTP tidak bergerak 3 jam 😩"), limiter=limiter)
    assert filed.answer.code == "intake.received"
    assert isinstance(filed.rendered, KioskScreen)
    key = str(filed.answer.params["access_key"])
    assert key in filed.rendered.text
    tid = str(filed.answer.tracking_id)
    again = handle(desk, kiosk, _message("Antrean KTP tidak bergerak 3 jam 😩"))
    assert again.answer.params == filed.answer.params
    status = handle(desk, kiosk, _message(f"info {tid.lower()} {key}", "k-2"))
    assert status.rendered.text == f"Status laporan {tid}: Belum (Menunggu verifikasi)."
    stranger = handle(desk, kiosk, _message(f"INFO {tid}", "k-5"))  # not published yet, and no key
    assert stranger.answer.code == "intake.not_found"
    assert handle(desk, kiosk, _message("   ", "k-3")).answer.code == "intake.report_empty"
    assert (
        handle(desk, kiosk, _message("INFO 7K3M-9QXF-2HJ-R", "k-4")).answer.code
        == "intake.tracking_id_malformed"
    )
