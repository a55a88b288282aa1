"""The peer's commands and view: what a regional developer writes around the Django models.

Each command is one ``transaction.atomic`` block: read the complaint (``SELECT ... FOR UPDATE`` where the
database has it), check the role and the status, read the last event's hash, save the new state, append the
hashed event and queue the messages. The view reads the complaint and, for the timeline, its history.
Deadlines are the end of the Nth working day after the start day, in Jakarta time, counted by
``numpy.busday_offset`` over the holidays package's public holidays and cuti bersama.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import numpy as np
from django.db import transaction
from django.utils import timezone

from benchmarks.django_peer.models import Complaint, Event, OutboxMessage

__all__ = ["Deadlines", "PeerDesk", "PeerError"]

JAKARTA = ZoneInfo("Asia/Jakarta")
ZERO_HASH = "0" * 64
# PermenPANRB 62/2018 (now 5/2025): verify in 3 working days, follow up in 5, finished 10 after a follow-up.
STAGE_DAYS = {"verification": 3, "follow_up": 5, "closing": 10}

# action -> (statuses it applies to, the role that may take it, the status after it, the clock it starts)
RULES: dict[str, tuple[frozenset[str], str, str | None, str | None]] = {
    "forward": (frozenset({"submitted"}), "admin", "forwarded", "follow_up"),
    "follow_up": (frozenset({"forwarded"}), "institution", "followed_up", "closing"),
    "reply": (frozenset({"followed_up"}), "reporter", "forwarded", "follow_up"),
    "support": (frozenset({"forwarded", "followed_up"}), "citizen", None, None),
}
# action -> who is told (the reporter, the admin desk, the complaint's institution)
MESSAGES = {
    "submit": ("reporter", "admin"),
    "forward": ("reporter", "institution"),
    "follow_up": ("reporter",),
    "reply": ("institution",),
    "support": (),
}


class PeerError(Exception):
    """A command refused: the role may not take it, or not in the complaint's status."""


class Deadlines:
    """Working-day deadlines by ``numpy.busday_offset`` with a ``busdaycalendar`` built once."""

    def __init__(self, years: range) -> None:
        days = holidays.country_holidays("ID", years=years, categories=("public", "government"))
        self.calendar = np.busdaycalendar(weekmask="1111100", holidays=sorted(days))

    def add_working_days(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day`` (rolled back to a working day first)."""
        found = np.busday_offset(day, count, roll="backward", busdaycal=self.calendar).item()
        assert isinstance(found, date)
        return found

    def due(self, start: datetime, stage: str) -> datetime:
        """When a ``stage`` clock started at ``start`` runs out: the end of its last working day (Jakarta)."""
        last = self.add_working_days(start.astimezone(JAKARTA).date(), STAGE_DAYS[stage])
        return datetime.combine(last + timedelta(days=1), time(), JAKARTA)


def _canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class PeerDesk:
    """Complaint commands over the Django models on one database alias."""

    def __init__(self, alias: str, *, pepper: bytes, deadlines: Deadlines) -> None:
        self.alias = alias
        self.pepper = pepper
        self.deadlines = deadlines

    def _append(
        self,
        complaint: Complaint,
        seq: int,
        prev_hash: str,
        action: str,
        actor: dict[str, Any],
        **payload: Any,
    ) -> None:
        at = complaint.updated_at
        document = {
            "complaint": complaint.tracking_id,
            "seq": seq,
            "action": action,
            "actor": actor,
            "at": at.isoformat(),
            "payload": payload,
            "prev_hash": prev_hash,
        }
        digest = hashlib.sha256(_canonical(document)).hexdigest()
        Event.objects.using(self.alias).create(
            complaint=complaint,
            seq=seq,
            action=action,
            actor=actor,
            at=at,
            payload=payload,
            prev_hash=prev_hash,
            hash=digest,
        )
        recipients = MESSAGES[action]
        if recipients:
            OutboxMessage.objects.using(self.alias).bulk_create(
                OutboxMessage(
                    complaint=complaint,
                    event=action,
                    recipient_role=role,
                    recipient_ref=complaint.institution if role == "institution" else None,
                    created_at=at,
                    context={"status": complaint.status},
                )
                for role in recipients
            )

    def submit(self, data: dict[str, Any]) -> tuple[str, str]:
        """Store a validated submission; return its tracking ID and the reporter's access key."""
        now = timezone.now()
        key = secrets.token_urlsafe(12)
        salt = os.urandom(16)
        reporter = data.get("reporter") or {}
        location = data.get("location")
        complaint = Complaint(
            tracking_id=secrets.token_hex(7).upper(),
            status="submitted",
            stage="verification",
            kind=data["kind"],
            channel=data["channel"],
            title=data["title"],
            body=data["body"],
            category=data.get("category"),
            region=location["region"] if location else None,
            location=location,
            anonymous=data.get("anonymous", False),
            confidential=data.get("confidential", False),
            reporter_name=reporter.get("name"),
            reporter_email=reporter.get("email"),
            reporter_phone=reporter.get("phone"),
            reporter_nik=reporter.get("nik"),
            access_salt=salt,
            access_digest=hmac.digest(self.pepper, salt + key.encode(), "sha256"),
            submitted_at=now,
            updated_at=now,
            next_due_at=self.deadlines.due(now, "verification"),
        )
        payload = {
            name: data.get(name) for name in ("kind", "channel", "title", "body", "category", "location")
        }
        with transaction.atomic(using=self.alias):
            complaint.save(using=self.alias, force_insert=True)
            self._append(complaint, 0, ZERO_HASH, "submit", {"role": "reporter"}, **payload)
        return complaint.tracking_id, key

    def _command(
        self, actor: dict[str, Any], tracking_id: str, action: str, **payload: Any
    ) -> dict[str, Any]:
        statuses, role, status_after, stage_after = RULES[action]
        if actor["role"] != role:
            raise PeerError(f"{actor['role']} may not {action}")
        now = timezone.now()
        with transaction.atomic(using=self.alias):
            complaint = Complaint.objects.using(self.alias).select_for_update().get(tracking_id=tracking_id)
            if complaint.status not in statuses:
                raise PeerError(f"cannot {action} a complaint that is {complaint.status}")
            if role == "institution" and actor["institution"] != complaint.institution:
                raise PeerError(f"{action}: the complaint is not at {actor['institution']}")
            seq, prev_hash = (
                Event.objects.using(self.alias)
                .filter(complaint=complaint)
                .order_by("-seq")
                .values_list("seq", "hash")
                .first()
            )
            changed = ["version", "updated_at"]
            if action == "forward":
                complaint.institution = payload["institution"]
                changed.append("institution")
            if action == "support":
                complaint.supporters += 1
                changed.append("supporters")
            if status_after is not None and stage_after is not None:
                complaint.status, complaint.stage = status_after, stage_after
                complaint.next_due_at = self.deadlines.due(now, stage_after)
                changed += ["status", "stage", "next_due_at"]
            complaint.version += 1
            complaint.updated_at = now
            complaint.save(using=self.alias, update_fields=changed)
            self._append(complaint, seq + 1, prev_hash, action, actor, **payload)
        return self._state(complaint)

    def forward(self, actor: dict[str, Any], tracking_id: str, institution: str) -> dict[str, Any]:
        """The admin forwards a verified complaint to an institution; its follow-up clock starts."""
        return self._command(actor, tracking_id, "forward", institution=institution)

    def follow_up(self, actor: dict[str, Any], tracking_id: str, message: str) -> dict[str, Any]:
        """The institution answers; the closing clock starts."""
        return self._command(actor, tracking_id, "follow_up", message=message)

    def reply(self, actor: dict[str, Any], tracking_id: str, message: str) -> dict[str, Any]:
        """The reporter answers a follow-up: the complaint goes back to the institution."""
        return self._command(actor, tracking_id, "reply", by="reporter", message=message)

    def support(self, actor: dict[str, Any], tracking_id: str) -> dict[str, Any]:
        """A citizen supports a published complaint."""
        return self._command(actor, tracking_id, "support", supporter=actor["user_id"])

    @staticmethod
    def _state(complaint: Complaint) -> dict[str, Any]:
        return {
            "tracking_id": complaint.tracking_id,
            "status": complaint.status,
            "institution": complaint.institution,
            "updated_at": complaint.updated_at,
            "deadline": {"stage": complaint.stage, "due_at": complaint.next_due_at},
        }

    def view(self, tracking_id: str, *, timeline: bool = True) -> dict[str, Any]:
        """The complaint as the admin sees it: every field, its reporter, its deadline and its timeline.

        With ``timeline`` false it is one query and reads no history.
        """
        complaint = Complaint.objects.using(self.alias).get(tracking_id=tracking_id)
        steps = (
            [
                {
                    "at": at,
                    "action": action,
                    "role": actor["role"],
                    "message": payload.get("message"),
                    "institution": payload.get("institution"),
                }
                for at, action, actor, payload in Event.objects.using(self.alias)
                .filter(complaint=complaint)
                .order_by("seq")
                .values_list("at", "action", "actor", "payload")
                if action != "support"
            ]
            if timeline
            else None
        )
        return {
            **self._state(complaint),
            "kind": complaint.kind,
            "channel": complaint.channel,
            "title": complaint.title,
            "body": complaint.body,
            "category": complaint.category,
            "region": complaint.region,
            "location": complaint.location,
            "anonymous": complaint.anonymous,
            "confidential": complaint.confidential,
            "submitted_at": complaint.submitted_at,
            "reporter": {
                "name": complaint.reporter_name,
                "email": complaint.reporter_email,
                "phone": complaint.reporter_phone,
                "nik": complaint.reporter_nik,
            },
            "supporters": complaint.supporters,
            "timeline": steps,
        }
