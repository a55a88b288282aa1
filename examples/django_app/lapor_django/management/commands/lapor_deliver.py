"""``manage.py lapor_deliver``: send the queued notifications, for cron (every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lapor_django.conf import lapor_settings
from lapor_django.desk import get_desk


class Command(BaseCommand):
    """Drain the outbox with the notifier and address book of ``LAPOR`` (``ComplaintDesk.deliver``)."""

    help = "Send the queued notifications with LAPOR['NOTIFIER'] to LAPOR['ADDRESSES']."

    def handle(self, *_args: Any, **_options: Any) -> None:
        """Deliver; fail when no notifier is configured or a message was dead-lettered."""
        if lapor_settings().notifier is None:
            raise CommandError(_("LAPOR['NOTIFIER'] is not set: nothing to send with"))
        report = get_desk().deliver()
        self.stdout.write(
            _("sent %(sent)d, skipped %(skipped)d, retrying %(retrying)d, dead letters %(dead)d")
            % {
                "sent": len(report.sent),
                "skipped": len(report.skipped),
                "retrying": len(report.retrying),
                "dead": len(report.dead_lettered),
            }
        )
        if report.dead_lettered:
            dead = len(report.dead_lettered)
            raise CommandError(_("%(count)d messages became dead letters") % {"count": dead})
