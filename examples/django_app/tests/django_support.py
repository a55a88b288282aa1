"""Helpers of the example's tests: complaints driven through the desk."""

from __future__ import annotations

from django.contrib.auth.models import Group, User

import lapor_core as lc

ADMIN = lc.Principal.admin("adm-1")


def submitted(
    desk: lc.ComplaintDesk,
    *,
    institution: str | None = "31.71",
    title: str = "Lampu jalan mati",
    follow_up: str | None = None,
    confidential: bool = False,
) -> lc.Receipt:
    """A complaint submitted, forwarded to ``institution`` (unless None) and followed up if asked."""
    receipt = desk.submit(
        lc.Submission.from_dict(
            {
                "kind": "pengaduan",
                "channel": "web",
                "title": title,
                "body": "Di Jl. Melati 5.",
                "confidential": confidential,
            }
        )
    )
    if institution is not None:
        desk.forward(ADMIN, receipt.tracking_id, institution=institution)
    if follow_up is not None:
        officer = lc.Principal.institution_officer("off-1", institution=institution or "31.71")
        desk.follow_up(officer, receipt.tracking_id, follow_up)
    return receipt


def user_in(*groups: str, username: str = "petugas") -> User:
    """A user in the given groups (created as needed)."""
    user = User.objects.create_user(username=username, password=None)
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user
