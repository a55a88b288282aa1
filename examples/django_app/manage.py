#!/usr/bin/env python3
"""Django's command-line utility for the demonstration project (``python manage.py lapor_migrate``...)."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run a Django management command."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_project.settings")
    from django.core.management import execute_from_command_line  # noqa: PLC0415 - after the settings

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
