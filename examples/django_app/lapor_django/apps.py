"""The app's configuration."""

from __future__ import annotations

from django.apps import AppConfig


class LaporConfig(AppConfig):
    """lapor_django: complaints through lapor_core (no Django models: lapor_core keeps its own tables)."""

    name = "lapor_django"
    verbose_name = "LAPOR!"

    def ready(self) -> None:
        """Close the desk when Django's test runner or a reload swaps settings."""
        from django.core.signals import setting_changed  # noqa: PLC0415 - Django's signals load with the app

        from lapor_django.desk import forget_desk  # noqa: PLC0415

        setting_changed.connect(forget_desk, dispatch_uid="lapor_django.forget_desk")
