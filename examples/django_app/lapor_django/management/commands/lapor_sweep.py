"""``manage.py lapor_sweep``: the periodic sweep, for cron (every few minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lapor_django.desk import get_desk


class Command(BaseCommand):
    """Close quiet complaints, record breaches, queue reminders (``ComplaintDesk.sweep``)."""

    help = "Close quiet complaints, record breaches and queue reminders, as of now."

    def handle(self, *_args: Any, **_options: Any) -> None:
        """Sweep; fail (exit status 1) when a complaint could not be saved, so cron reports it."""
        report = get_desk().sweep()
        self.stdout.write(
            _("handled %(handled)d: closed %(closed)d, breached %(breached)d, reminded %(reminded)d")
            % {
                "handled": report.handled,
                "closed": len(report.closed),
                "breached": len(report.breached),
                "reminded": len(report.reminded),
            }
        )
        if report.failed:
            raise CommandError(_("%(count)d complaints could not be saved") % {"count": len(report.failed)})
