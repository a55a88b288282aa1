"""The desk of one regency: its institutions, its time zone, its address book and its mail server."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import lapor_core as lc
from lapor_core.notifiers import SmtpNotifier
from lapor_core.plugins import Clock

HERE = Path(__file__).parent
REGENCY = "73.06"  # Kabupaten Gowa, Sulawesi Selatan: deadlines run on WITA (Asia/Makassar)
SENDER = "LAPOR! Kabupaten Gowa <lapor@gowakab.example>"


def load_directory() -> lc.InstitutionDirectory:
    """Every government LAPOR! knows, with Gowa's units and its hospital added from institutions.json."""
    return lc.InstitutionDirectory.from_json(
        HERE / "institutions.json", base=lc.InstitutionDirectory.default()
    )


def load_calendar(path: Path = HERE / "calendar.json") -> lc.WorkingCalendar:
    """The national calendar with the changes of decrees the installed holidays package does not know yet.

    ``closed`` maps days to names (cuti bersama added mid-year), ``open`` lists days that are working days
    again (cuti bersama cancelled), ``decreed_through`` is the last year whose decree is applied.
    """
    changes = json.loads(path.read_text(encoding="utf-8"))
    closed = {date.fromisoformat(day): name for day, name in changes["closed"].items()}
    calendar = lc.WorkingCalendar.indonesia().with_holidays(closed, kind=lc.HolidayKind.COLLECTIVE_LEAVE)
    calendar = calendar.without_holidays(date.fromisoformat(day) for day in changes["open"])
    return calendar.with_decreed_through(changes["decreed_through"])


def load_address_book() -> lc.AddressBook:
    """Who receives which notification by e-mail (the reporter: the address they gave)."""
    return lc.AddressBook.from_dict(json.loads((HERE / "addresses.json").read_text(encoding="utf-8")))


def open_desk(
    url: str,
    *,
    pepper: str | None = None,
    clock: Clock | None = None,
    smtp: tuple[str, int] | None = None,
    calendar: lc.WorkingCalendar | None = None,
) -> lc.ComplaintDesk:
    """The regency's desk on the database at ``url``.

    Args:
        url: ``sqlite:///gowa.db`` (the schema is created on first open).
        pepper: The deployment secret; None reads ``$LAPOR_PEPPER``.
        clock: What stamps events; None is the system clock (the tutorial passes a FrozenClock).
        smtp: ``(host, port)`` of a mail relay that accepts plain SMTP from this machine; None sends nothing
            (notifications wait in the outbox).
        calendar: The national calendar; None reads calendar.json (:func:`load_calendar`).
    """
    notifier = None
    if smtp is not None:
        host, port = smtp
        notifier = SmtpNotifier(host, port, sender=SENDER, security="none", timeout=10)
    return lc.ComplaintDesk.open(
        url,
        pepper=pepper,
        clock=clock,
        calendar=calendar or load_calendar(),
        directory=load_directory(),
        notifier=notifier,
        recipients=load_address_book() if notifier is not None else None,
    )
