"""Intake channels: inbound SMS, e-mail and chat messages become complaints, replies and status queries.

The port (:class:`Intake`, with its value types) is what a channel adapter implements; :func:`handle` is the
one service that runs an adapter's decision against a :class:`~lapor_core.ComplaintDesk` and says what to
answer, on the channel the message came from. Adapters: :mod:`lapor_core.intake.sms`,
:mod:`lapor_core.intake.email`, :mod:`lapor_core.intake.telegram`.

Example:
    >>> import lapor_core as lc
    >>> from datetime import UTC, datetime
    >>> from lapor_core.intake import InboundMessage, handle
    >>> from lapor_core.intake.sms import SmsIntake
    >>> desk = lc.ComplaintDesk(pepper="doctest pepper 0123456789")
    >>> sms = InboundMessage("sms", "gw-1", "0812-3456-7890", "LAPOR Lampu jalan mati di Jl. Melati",
    ...                      datetime(2026, 3, 17, 9, tzinfo=UTC))
    >>> handled = handle(desk, SmsIntake(), sms)
    >>> handled.answer.code, handled.rendered.parts[0][:22]
    ('intake.received', 'Laporan diterima. ID: ')
"""

from lapor_core.intake._port import (
    MAX_INBOUND_TEXT,
    Answer,
    Contact,
    Decision,
    InboundAttachment,
    InboundMessage,
    Intake,
    NewComplaint,
    ReplyToComplaint,
    StatusQuery,
    Unusable,
    clean_text,
)
from lapor_core.intake._service import Handled, SenderLimiter, handle

_HOMES = {"MAX_INBOUND_TEXT": "lapor_core.intake._port", "Decision": "lapor_core.intake._port"}
"""Where the constants re-exported here are documented (read by the tests of the public surface)."""

__all__ = [
    "MAX_INBOUND_TEXT",
    "Answer",
    "Contact",
    "Decision",
    "Handled",
    "InboundAttachment",
    "InboundMessage",
    "Intake",
    "NewComplaint",
    "ReplyToComplaint",
    "SenderLimiter",
    "StatusQuery",
    "Unusable",
    "clean_text",
    "handle",
]
