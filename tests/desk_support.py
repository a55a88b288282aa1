"""Builders shared by the desk tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import lapor_core as lc
from lapor_core.testing import FrozenClock

WIB = timezone(timedelta(hours=7), "WIB")
WITA = timezone(timedelta(hours=8), "WITA")
PEPPER = "test pepper, 32 bytes of entropy!"
ADMIN = lc.Principal.admin("adm-1")


def officer(institution: str = "31.71") -> lc.Principal:
    """An officer of ``institution``."""
    return lc.Principal.institution("off-7", institution=institution)


def make_desk(start: datetime | None = None, **options: Any) -> tuple[lc.ComplaintDesk, FrozenClock]:
    """An in-memory desk on a frozen clock (Tue 17 Mar 2026 10:00 WIB unless ``start`` is given)."""
    clock = FrozenClock(start or datetime(2026, 3, 17, 10, tzinfo=WIB))
    return lc.ComplaintDesk.open("memory://", clock=clock, pepper=PEPPER, **options), clock


def submission(**overrides: Any) -> lc.Submission:
    """A valid named submission in Jakarta Pusat, with ``overrides`` applied to its dict form."""
    data: dict[str, Any] = {
        "kind": "pengaduan",
        "channel": "web",
        "title": "Jalan berlubang",
        "body": "Lubang besar di depan SDN 3 Menteng.",
        "location": {"region": "31.71.01", "lat": -6.1865, "lon": 106.8341, "address": "Jl. Menteng Raya 1"},
        "reporter": {
            "name": "Siti Aminah",
            "email": "siti@example.id",
            "phone": "081234567890",
            "nik": "3171234567890001",
        },
    }
    data.update(overrides)
    return lc.Submission.from_dict(data)
