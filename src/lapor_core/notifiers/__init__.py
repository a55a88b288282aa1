"""The built-in notifiers: a log, a router, SMTP e-mail and signed webhooks.

Every one implements :class:`~lapor_core.plugins.Notifier` and passes
:class:`~lapor_core.testing.notifier_contracts.NotifierContract`; SMS gateways differ too much to ship one,
and the notifications docs show how to write one in a page. They use only the standard library.
"""

from __future__ import annotations

from lapor_core.notifiers.composite import CompositeNotifier, Route
from lapor_core.notifiers.logging import LoggingNotifier
from lapor_core.notifiers.smtp import SmtpNotifier
from lapor_core.notifiers.webhook import WebhookNotifier, verify_signature

__all__ = [
    "CompositeNotifier",
    "LoggingNotifier",
    "Route",
    "SmtpNotifier",
    "WebhookNotifier",
    "verify_signature",
]
