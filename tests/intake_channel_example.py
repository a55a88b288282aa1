"""An intake channel in one file: the complaint kiosks of a public service mall (Mal Pelayanan Publik).

The "Add an intake channel" how-to (``docs/topics/intake-channels.md``) shows this module; the tests in
``tests/intake/test_intake_channel_example.py`` hold it to the port's contract. A kiosk posts what a visitor
typed on its screen; it shows the answer and prints the tracking ID and access key on a slip.
"""

from __future__ import annotations

from typing import Final

import attrs

import lapor_core as lc
from lapor_core.intake import (
    Answer,
    Contact,
    Decision,
    InboundMessage,
    NewComplaint,
    StatusQuery,
    Unusable,
    clean_text,
)

BODY_MAX: Final = 4000
TITLE_MAX: Final = 150


@attrs.frozen
class KioskScreen:
    """What the kiosk shows: the answer's text and, when the answer is about a complaint, its ID."""

    text: str = attrs.field(repr=False)  # the first answer holds the access key: never in a log by accident
    tracking_id: str | None = None


@attrs.frozen
class KioskIntake:
    """The kiosk channel: ``INFO <tracking ID> [<key>]`` asks for a status; any other text is a complaint."""

    @property
    def channel(self) -> str:
        """The channel's name: the first half of every idempotency key (``kiosk:<message ID>``)."""
        return "kiosk"

    def parse(self, message: InboundMessage) -> Decision:
        """Pure and total: every text gives a decision, junk an Unusable with a catalogue code."""
        text = clean_text(message.text)
        if not text:
            return Unusable("intake.report_empty")
        keyword, *words = text.split()
        if keyword.upper() == "INFO":  # INFO <tracking ID> [<access key from the slip>]
            if not words or not lc.TrackingId.is_valid(words[0]):
                return Unusable("intake.tracking_id_malformed", {"keyword": "INFO"})
            key = words[1] if len(words) > 1 else None
            return StatusQuery(str(lc.TrackingId.parse(words[0])), access_key=key)
        if len(text) > BODY_MAX:
            return Unusable("intake.text_too_long", {"max": BODY_MAX, "actual": len(text)})
        title = text.split("\n", 1)[0][:TITLE_MAX]
        try:
            submission = lc.Submission(kind=lc.Kind.PENGADUAN, title=title, body=text, channel=lc.Channel.WEB)
        except lc.ValidationError:
            return Unusable("intake.not_accepted")
        return NewComplaint(submission)

    def contact(self, message: InboundMessage) -> Contact | None:
        """None: anybody can walk up to a kiosk, so nothing vouches for who is typing."""
        return None

    def render(self, answer: Answer, locale: str = "id") -> KioskScreen:
        """The answer's text from the catalogue (labels included), in the visitor's language."""
        return KioskScreen(answer.text(locale), answer.tracking_id)
