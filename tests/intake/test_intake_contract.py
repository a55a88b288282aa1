"""Every intake adapter of lapor_core, and the how-to's kiosk, passes the intake contract suite."""

from __future__ import annotations

import pytest

from intake_channel_example import KioskIntake
from lapor_core.intake import (
    Answer,
    Decision,
    InboundMessage,
    NewComplaint,
    ReplyToComplaint,
    StatusQuery,
    Unusable,
)
from lapor_core.intake.email import EmailIntake
from lapor_core.intake.sms import SmsIntake
from lapor_core.intake.telegram import TelegramIntake
from lapor_core.testing.intake_contracts import IntakeContract, IntakeHarness

TID = "7K3M-9QXF-2HJ-Q"


class TestSmsIntake(IntakeContract):
    """The SMS adapter."""

    @pytest.fixture
    def harness(self) -> IntakeHarness:
        """Messages as people send them to 1708."""
        return IntakeHarness(
            intake=SmsIntake(),
            sender="0812-3456-7890",
            examples=[
                ("LAPOR Lampu jalan mati di Jl. Melati", NewComplaint),
                ("lapr jalan berlubang 😡", NewComplaint),
                (f"INFO {TID}", StatusQuery),
                (f"BALAS {TID} masih rusak", ReplyToComplaint),
                ("", Unusable),
            ],
        )


class TestEmailIntake(IntakeContract):
    """The e-mail adapter."""

    @pytest.fixture
    def harness(self) -> IntakeHarness:
        """Texts as the e-mail adapter receives them (already trimmed of quotes)."""
        return IntakeHarness(
            intake=EmailIntake(authserv_id="mx.lapor.example"),
            sender="warga@contoh.id",
            subject=True,
            examples=[
                ("Sampah menumpuk di Pasar Minggu sejak Senin 😷", NewComplaint),
                ("", Unusable),
                ("x" * 4001, Unusable),
            ],
        )


class TestTelegramIntake(IntakeContract):
    """The Telegram adapter."""

    @pytest.fixture
    def harness(self) -> IntakeHarness:
        """Chat messages, commands in any case."""
        return IntakeHarness(
            intake=TelegramIntake(),
            sender="5501",
            examples=[
                ("/lapor Pohon tumbang 🌳", NewComplaint),
                ("/LAPOR@LaporBot Banjir", NewComplaint),
                (f"/info {TID.lower()}", StatusQuery),
                ("/start", Unusable),
                ("halo", Unusable),
            ],
        )


class TestKioskIntake(IntakeContract):
    """The how-to's kiosk adapter."""

    @pytest.fixture
    def harness(self) -> IntakeHarness:
        """What visitors type on the kiosk."""
        return IntakeHarness(
            intake=KioskIntake(),
            sender="kiosk-07",
            examples=[
                ("Antrean KTP tidak bergerak 3 jam 😩", NewComplaint),
                (f"info {TID}", StatusQuery),
                ("INFO 7K3M-9QXF-2HJ-R", Unusable),
                ("   ", Unusable),
            ],
        )


# --- the suite catches broken adapters ---------------------------------------------------------------------


class _RaisesOnEmoji(KioskIntake):
    def parse(self, message: InboundMessage) -> Decision:
        if "🙏" in message.text:
            raise ValueError("emoji")
        return super().parse(message)


class _RendersPlainText(KioskIntake):
    def render(self, answer: Answer, locale: str = "id") -> str:  # type: ignore[override]
        return answer.text(locale)


class _UncataloguedReason(KioskIntake):
    def parse(self, message: InboundMessage) -> Decision:
        return Unusable("kiosk.no_such_code")


def test_the_suite_catches_a_parser_that_raises() -> None:
    """An adapter whose parse raises on emoji fails the junk test."""
    with pytest.raises(ValueError, match="emoji"):
        IntakeContract().test_junk_gives_a_catalogued_reason_or_a_decision(
            IntakeHarness(_RaisesOnEmoji(), "k")
        )


def test_the_suite_catches_a_rendered_value_that_shows_the_key() -> None:
    """A plain string as the rendered answer shows the access key in its repr: the render test fails."""
    with pytest.raises(AssertionError, match=r"intake\.received"):
        IntakeContract().test_every_service_answer_renders_without_the_key_in_its_repr(
            IntakeHarness(_RendersPlainText(), "k"), "id"
        )


def test_the_suite_catches_a_reason_without_texts() -> None:
    """A reason code the catalogue lacks fails: the sender would read a code, not a helpful answer."""
    with pytest.raises(AssertionError, match=r"kiosk\.no_such_code"):
        IntakeContract().test_junk_gives_a_catalogued_reason_or_a_decision(
            IntakeHarness(_UncataloguedReason(), "k")
        )
