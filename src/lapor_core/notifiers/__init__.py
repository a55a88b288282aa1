"""The built-in notifiers: a log, a router, SMTP e-mail, signed webhooks and an HTTP SMS gateway.

Every one implements :class:`~lapor_core.plugins.Notifier` and passes
:class:`~lapor_core.testing.notifier_contracts.NotifierContract`. :class:`SmsNotifier` speaks one signed JSON
shape; a gateway with another API needs a notifier of its own, which the notifications docs show how to write
in a page. They use only the standard library.
"""

from __future__ import annotations

from lapor_core.notifiers.composite import CompositeNotifier, Route
from lapor_core.notifiers.logging import LoggingNotifier
from lapor_core.notifiers.sms import SmsNotifier
from lapor_core.notifiers.smtp import SmtpNotifier
from lapor_core.notifiers.webhook import WebhookNotifier, verify_signature, verify_webhook

__all__ = [
    "CompositeNotifier",
    "LoggingNotifier",
    "Route",
    "SmsNotifier",
    "SmtpNotifier",
    "WebhookNotifier",
    "verify_signature",
    "verify_webhook",
]
