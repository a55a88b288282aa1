"""A notifier that writes notifications to a logger instead of sending them: development and dry runs."""

from __future__ import annotations

import logging

from lapor_core._domain.notifications import Notification

__all__ = ["LoggingNotifier"]

LOGGER_NAME = "lapor_core._domain.notifications"


class LoggingNotifier:
    """A :class:`~lapor_core.plugins.Notifier` that logs each notification and never fails.

    By default it logs what was sent to whom by role (idempotency key, template, recipient role and
    reference, channel), never the address or the text: logs travel further than messages should. With
    ``include_text=True`` it also logs the subject and the short text, for a developer's console.

    Each record carries the fields as attributes too (``record.idempotency_key``, ``record.template``...),
    for structured log handlers.

    Args:
        logger: Where to log (default: the ``lapor_core._domain.notifications`` logger).
        level: The level of the records (default INFO).
        include_text: Also log the subject and the short text.
    """

    def __init__(
        self, logger: logging.Logger | None = None, *, level: int = logging.INFO, include_text: bool = False
    ) -> None:
        self._logger = logger or logging.getLogger(LOGGER_NAME)
        self._level = level
        self._include_text = include_text

    def send(self, notification: Notification) -> None:
        """Log ``notification``."""
        n = notification
        extra = {
            "idempotency_key": n.idempotency_key,
            "template": n.template,
            "tracking_id": n.tracking_id,
            "recipient_role": n.recipient.role.value,
            "recipient_ref": n.recipient.ref,
            "channel": n.channel.value,
            "locale": n.locale,
        }
        if self._include_text:
            self._logger.log(
                self._level,
                "notification %s %s to %s %s by %s: %s | %s",
                n.idempotency_key,
                n.template,
                n.recipient.role.value,
                n.recipient.ref or "-",
                n.channel.value,
                n.message.subject,
                n.message.short,
                extra=extra | {"subject": n.message.subject, "short": n.message.short},
            )
            return
        self._logger.log(
            self._level,
            "notification %s %s to %s %s by %s",
            n.idempotency_key,
            n.template,
            n.recipient.role.value,
            n.recipient.ref or "-",
            n.channel.value,
            extra=extra,
        )
