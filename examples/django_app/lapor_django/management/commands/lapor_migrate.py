"""``manage.py lapor_migrate``: create or upgrade lapor_core's tables in the project's database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from lapor_core.stores.sql import SCHEMA_REVISION, upgrade
from lapor_django.desk import database_url, forget_desk


class Command(BaseCommand):
    """Run lapor_core's Alembic migrations (what ``lapor db upgrade URL`` does) on the Django database."""

    help = "Create or upgrade lapor_core's tables (lapor_*) in the project's database."

    def handle(self, *_args: Any, **_options: Any) -> None:
        """Upgrade to the newest revision; the desk reopens on the new schema."""
        forget_desk()
        upgrade(database_url())
        self.stdout.write(_("lapor_core schema at revision %(revision)s") % {"revision": SCHEMA_REVISION})
