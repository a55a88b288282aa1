"""One desk per process, opened on first use from the settings and closed when they change."""

from __future__ import annotations

import threading
from typing import Any

from django.db import connections

import lapor_core as lc
from lapor_django.conf import lapor_settings, sqlalchemy_url

__all__ = ["database_url", "forget_desk", "get_desk"]

_lock = threading.Lock()
_desk: lc.ComplaintDesk | None = None


def database_url() -> str:
    """The SQLAlchemy URL of the Django database lapor_core shares (the test database under tests)."""
    return sqlalchemy_url(connections[lapor_settings().database].settings_dict)


def get_desk() -> lc.ComplaintDesk:
    """The process's desk, on the project's database; its schema must be current (``lapor_migrate``).

    Raises:
        ConfigurationError: The database has no lapor_core schema, or an older one.
    """
    global _desk  # noqa: PLW0603 - one desk per process, like Django's own connections
    with _lock:
        if _desk is None:
            chosen = lapor_settings()
            options: dict[str, Any] = {"schema": "check", "pepper": chosen.pepper}
            if chosen.clock is not None:
                options["clock"] = chosen.clock
            if chosen.notifier is not None:
                options["notifier"] = chosen.notifier
                options["recipients"] = lc.AddressBook.from_dict(dict(chosen.addresses))
            _desk = lc.ComplaintDesk.open(database_url(), **options)
        return _desk


def forget_desk(**_signal: object) -> None:
    """Close the desk; the next :func:`get_desk` opens one from the current settings."""
    global _desk  # noqa: PLW0603
    with _lock:
        if _desk is not None:
            _desk.close()
            _desk = None
