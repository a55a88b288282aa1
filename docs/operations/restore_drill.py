"""Restore drill: open a restored copy of a lapor_core database as the portal would, and check it.

Usage::

    LAPOR_PEPPER=... python restore_drill.py URL [TRACKING_ID ACCESS_KEY]

It checks that the copy's schema is the one the installed lapor_core expects (``schema="check"``), that every
complaint's hash-chained history verifies, and, given a reporter's tracking ID and access key (keep a test
complaint's receipt for this), that the key still opens the complaint: the pepper is not in the copy, so
this proves it was kept too. It prints what it found and exits 1 when anything failed.
"""

from __future__ import annotations

import sys

import attrs

import lapor_core as lc

DRILL_PRINCIPAL = lc.Principal.admin("restore-drill")


@attrs.frozen
class DrillReport:
    """What a drill found.

    Attributes:
        complaints: How many complaints the copy holds.
        broken: Tracking IDs whose history does not verify, or cannot even be read.
        reporter_opens: Whether the reporter's key opened their complaint (None: not asked).
    """

    complaints: int
    broken: tuple[str, ...]
    reporter_opens: bool | None

    @property
    def ok(self) -> bool:
        """Every history verifies, and the reporter's key opens when it was asked."""
        return not self.broken and self.reporter_opens is not False


def drill(url: str, *, pepper: str | None = None, reporter: tuple[str, str] | None = None) -> DrillReport:
    """Check the restored database at ``url``; ``pepper`` None reads ``$LAPOR_PEPPER``.

    Raises:
        ConfigurationError: The copy has no lapor_core schema, or another revision than this version's.
        StorageError: The copy cannot be read.
    """
    with lc.ComplaintDesk.open(url, schema="check", pepper=pepper) as desk:
        count, broken = 0, []
        cursor = None
        while True:
            page = desk.complaints(DRILL_PRINCIPAL, lc.ComplaintQuery(limit=1000, cursor=cursor))
            for view in page.items:
                count += 1
                try:
                    verified = desk.verify_history(view.tracking_id).ok
                except Exception:  # noqa: BLE001 - a damaged row may not even decode: that is a finding too
                    verified = False
                if not verified:
                    broken.append(view.tracking_id)
            cursor = page.next_cursor
            if cursor is None:
                break
        opens = None
        if reporter is not None:
            tracking_id, access_key = reporter
            try:
                desk.view(desk.authenticate(tracking_id, access_key), tracking_id)
                opens = True
            except lc.NotFound:
                opens = False
    return DrillReport(complaints=count, broken=tuple(broken), reporter_opens=opens)


def main(argv: list[str]) -> int:
    """Run the drill on ``argv`` (URL, optionally tracking ID and access key); the exit status."""
    if len(argv) not in (1, 3):
        print(__doc__)
        return 2
    report = drill(argv[0], reporter=(argv[1], argv[2]) if len(argv) == 3 else None)  # noqa: PLR2004
    print(f"complaints: {report.complaints}, histories broken: {len(report.broken)}")
    for tracking_id in report.broken:
        print(f"  broken: {tracking_id}")
    if report.reporter_opens is not None:
        print(f"reporter's key opens the complaint: {'yes' if report.reporter_opens else 'NO'}")
    print("restore drill passed" if report.ok else "restore drill FAILED")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
