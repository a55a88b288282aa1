"""The contract of :class:`~lapor_core.intake.Intake`: what every channel adapter must do, as a pytest suite.

Subclass :class:`IntakeContract` in a test module with a ``Test`` name and override the fixture ``harness``
so that it returns an :class:`IntakeHarness`: the adapter, a sender address its channel delivers, and
realistic messages with the decision each must give::

    import pytest
    from lapor_core.intake import NewComplaint, StatusQuery, Unusable
    from lapor_core.testing.intake_contracts import IntakeContract, IntakeHarness


    class TestKioskIntake(IntakeContract):
        @pytest.fixture
        def harness(self):
            return IntakeHarness(
                intake=KioskIntake(),
                sender="kiosk-07",
                examples=[("Antrean KTP macet", NewComplaint), ("INFO 7K3M-9QXF-2HJ-Q", StatusQuery),
                          ("", Unusable)],
            )

The suite checks that ``parse`` is total and pure (any text, subject and reference, control characters and
the longest text included, give a decision and never an exception), that every reason an adapter gives is a
code the catalogue has in Indonesian and English, that ``contact`` never raises, and that every answer the
service (:func:`~lapor_core.intake.handle`) can choose renders in both languages without the access key in
the rendered value's ``repr`` (reprs reach logs).
"""

# A pytest suite speaks in asserts.

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lapor_core import _i18n
from lapor_core.errors import ValidationError
from lapor_core.intake import (
    MAX_INBOUND_TEXT,
    Answer,
    Contact,
    InboundMessage,
    Intake,
    NewComplaint,
    ReplyToComplaint,
    StatusQuery,
    Unusable,
)

__all__ = ["SERVICE_ANSWERS", "IntakeContract", "IntakeHarness"]

_AT: Final = datetime(2026, 3, 17, 2, tzinfo=UTC)
_TID: Final = "7K3M-9QXF-2HJ-Q"
_KEY: Final = "ABCD-EFGH-JKMN-PQRS"
_DECISIONS: Final = (NewComplaint, ReplyToComplaint, StatusQuery, Unusable)

SERVICE_ANSWERS: Final = (
    Answer("intake.received", {"tracking_id": _TID, "access_key": _KEY}, tracking_id=_TID),
    Answer(
        "intake.received_without_attachments", {"tracking_id": _TID, "access_key": _KEY}, tracking_id=_TID
    ),
    Answer(
        "intake.status", {"tracking_id": _TID, "status": "forwarded", "summary": "Proses"}, tracking_id=_TID
    ),
    Answer("intake.reply_recorded", {"tracking_id": _TID}, tracking_id=_TID),
    Answer("intake.reply_not_now", {"tracking_id": _TID, "status": "submitted"}, tracking_id=_TID),
    Answer("intake.reply_not_accepted", {"tracking_id": _TID}, tracking_id=_TID),
    Answer("intake.not_found", {"tracking_id": _TID}),
    Answer("intake.not_accepted"),
    Answer("intake.unreadable"),
    Answer("intake.rate_limited", {"minutes": 12}),
)
"""An example of each answer :func:`~lapor_core.intake.handle` chooses itself (besides an Unusable's)."""

_JUNK: Final = (
    "",
    " \n\t ",
    "\x00\x1b[2J",
    "\u202eabc",
    "🙏🙏🙏",
    "x" * 5000,
    "/" * 10,
    "????",
    "LAPOR",
    "INFO",
)


@attrs.frozen
class IntakeHarness:
    """An adapter under test and what its channel delivers.

    Attributes:
        intake: The adapter.
        sender: A sender address as the channel delivers it (``+6281234567890``, ``warga@contoh.id``).
        examples: Realistic texts and the decision type each must give (misspellings, emoji, mixed case,
            long and empty texts: the channel's own habits).
        subject: Whether the channel's messages carry a subject line (e-mail).
    """

    intake: Intake[Any]
    sender: str
    examples: Sequence[tuple[str, type]] = ()
    subject: bool = False


def _message(harness: IntakeHarness, text: str, **extra: Any) -> InboundMessage:
    return InboundMessage(harness.intake.channel, "contract-1", harness.sender, text, _AT, **extra)


def _reasons_are_catalogued(decision: object) -> None:
    if isinstance(decision, Unusable):
        for locale in ("id", "en"):
            assert _i18n.translate(decision.reason, locale) != decision.reason, (locale, decision.reason)


class IntakeContract:
    """Tests every :class:`~lapor_core.intake.Intake` must pass (override the ``harness`` fixture)."""

    @pytest.fixture
    def harness(self) -> Any:  # pragma: no cover - every subclass overrides it
        """The adapter under test and its channel's messages."""
        raise NotImplementedError

    def test_is_an_intake(self, harness: IntakeHarness) -> None:
        """The adapter satisfies the port's protocol, and its channel name makes valid messages."""
        assert isinstance(harness.intake, Intake)
        assert _message(harness, "x").channel == harness.intake.channel

    def test_examples_give_their_decisions(self, harness: IntakeHarness) -> None:
        """Each realistic message gives the decision the harness names; reasons are catalogued."""
        for text, expected in harness.examples:
            decision = harness.intake.parse(_message(harness, text))
            assert isinstance(decision, expected), (text[:40], decision)
            _reasons_are_catalogued(decision)

    def test_junk_gives_a_catalogued_reason_or_a_decision(self, harness: IntakeHarness) -> None:
        """Empty text, control characters, emoji only, a lone keyword: a decision, and readable reasons."""
        for text in _JUNK:
            decision = harness.intake.parse(_message(harness, text))
            assert isinstance(decision, _DECISIONS)
            _reasons_are_catalogued(decision)

    def test_the_longest_text_gives_a_decision(self, harness: IntakeHarness) -> None:
        """A message of the longest text the port takes is decided, not raised on."""
        decision = harness.intake.parse(_message(harness, "Jalan rusak. " * (MAX_INBOUND_TEXT // 13)))
        assert isinstance(decision, _DECISIONS)
        _reasons_are_catalogued(decision)

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.differing_executors],
    )
    @given(
        text=st.text(max_size=400),
        subject=st.none() | st.text(max_size=60),
        in_reply_to=st.none() | st.sampled_from([_TID, "lapor:" + _TID, "junk", "<a@b>"]),
    )
    def test_parse_is_total_and_pure(
        self, harness: IntakeHarness, text: str, subject: str | None, in_reply_to: str | None
    ) -> None:
        """Any text, subject and reference gives a decision, the same one each time, and no exception."""
        try:
            message = _message(
                harness, text, subject=subject if harness.subject else None, in_reply_to=in_reply_to
            )
        except ValidationError:
            return  # the port refused it (a control character in the reference): it never reaches a parser
        decision = harness.intake.parse(message)
        assert isinstance(decision, _DECISIONS)
        assert harness.intake.parse(message) == decision

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.differing_executors],
    )
    @given(sender=st.text(min_size=1, max_size=60).filter(str.strip))
    def test_contact_never_raises(self, harness: IntakeHarness, sender: str) -> None:
        """Whatever the sender field holds, ``contact`` gives a Contact or None."""
        try:
            message = InboundMessage(harness.intake.channel, "contract-2", sender, "x", _AT)
        except ValidationError:
            return
        contact = harness.intake.contact(message)
        assert contact is None or isinstance(contact, Contact)

    @pytest.mark.parametrize("locale", ["id", "en"])
    def test_every_service_answer_renders_without_the_key_in_its_repr(
        self, harness: IntakeHarness, locale: str
    ) -> None:
        """Each answer the service chooses renders in both languages; the access key stays out of ``repr``."""
        for answer in SERVICE_ANSWERS:
            rendered = harness.intake.render(answer, locale)
            assert _KEY not in repr(rendered), answer.code
