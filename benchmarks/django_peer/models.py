"""The peer's tables: the complaint, its hash-chained history, and the outbox of messages to send.

Indexes are those a sensible developer adds for the screens and jobs a complaint desk has: the tracking ID
(unique), the admin's verification queue (status, submitted_at), an institution's inbox (institution, status),
the deadline sweep (next_due_at) and regional lists (region). The history's key is (complaint, seq), unique,
which also serves reading a complaint's history in order; Django's own index on that foreign key would
duplicate it, so it is left out.
"""

from __future__ import annotations

from django.db import models

__all__ = ["Complaint", "Event", "OutboxMessage"]


class Complaint(models.Model):
    """A complaint's current state, with its reporter's contact and its access key's keyed hash."""

    tracking_id = models.CharField(max_length=20, unique=True)
    version = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20)
    stage = models.CharField(max_length=20)  # which service-level clock runs: verification, follow_up...
    kind = models.CharField(max_length=40)
    channel = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    body = models.TextField()
    category = models.CharField(max_length=100, null=True)
    region = models.CharField(max_length=13, null=True)
    location = models.JSONField(null=True)
    anonymous = models.BooleanField(default=False)
    confidential = models.BooleanField(default=False)
    reporter_name = models.CharField(max_length=200, null=True)
    reporter_email = models.CharField(max_length=254, null=True)
    reporter_phone = models.CharField(max_length=20, null=True)
    reporter_nik = models.CharField(max_length=16, null=True)
    access_salt = models.BinaryField()
    access_digest = models.BinaryField()
    institution = models.CharField(max_length=100, null=True)
    supporters = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    next_due_at = models.DateTimeField(null=True)

    class Meta:
        """Indexes for the queue, the inbox, the sweep and regional lists."""

        indexes = (
            models.Index(fields=("status", "submitted_at"), name="complaint_queue"),
            models.Index(fields=("institution", "status"), name="complaint_inbox"),
            models.Index(fields=("next_due_at",), name="complaint_due"),
            models.Index(fields=("region",), name="complaint_region"),
        )


class Event(models.Model):
    """One step of a complaint's history; ``hash``: SHA-256 of its canonical JSON, ``prev_hash`` included."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events", db_index=False)
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=40)
    actor = models.JSONField()
    at = models.DateTimeField()
    payload = models.JSONField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        """One event per position in a complaint's history."""

        constraints = (models.UniqueConstraint(fields=("complaint", "seq"), name="event_position"),)


class OutboxMessage(models.Model):
    """A notification to send, written in the command's transaction; a sender deletes it once delivered."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="messages")
    event = models.CharField(max_length=40)
    recipient_role = models.CharField(max_length=40)
    recipient_ref = models.CharField(max_length=100, null=True)
    created_at = models.DateTimeField()
    context = models.JSONField()
