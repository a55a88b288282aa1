#!/usr/bin/env python3
r"""A reference client for the LAPOR! integration API, what an institution's own system runs (stdlib only).

It signs each event the Standard Webhooks way (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``)
with the institution's secret, POSTs it to ``<base>/api/v1/integrations/<institution>/events`` and prints the
answer; it also verifies the notifications LAPOR! sends to the institution's endpoint. Copy it, or port its
forty lines of logic to the language of your system.

Usage (the secret, ``whsec_...``, from ``lapor integrations add``, in the environment)::

    export LAPOR_INTEGRATION_SECRET=whsec_...
    python integration_client.py https://lapor.example.go.id 31.71 status 7K3M-9QXF-2HJ-Q
    python integration_client.py https://lapor.example.go.id 31.71 follow_up 7K3M-9QXF-2HJ-Q \
        "Jalan sudah ditambal pada 18 Maret." --officer nip-198403
    python integration_client.py https://lapor.example.go.id 31.71 assign 7K3M-9QXF-2HJ-Q dinas-pu
    python integration_client.py https://lapor.example.go.id 31.71 decline 7K3M-9QXF-2HJ-Q \
        "Bukan wewenang kami."

Each event gets a fresh ID unless ``--event-id`` is given: send a failed event again *with the same ID*, and
LAPOR! applies it at most once (a repeat gets the first answer). Exit status: 0 for a 2xx answer, 1 for any
other answer, 2 when LAPOR! could not be reached.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

SECRET_ENV = "LAPOR_INTEGRATION_SECRET"  # noqa: S105 - the variable's name
TOLERANCE_SECONDS = 300
TEXT_FIELD = {"follow_up": "message", "decline": "reason", "assign": "unit"}


def _key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_`` secret: the bytes its base64 encodes."""
    return base64.b64decode(secret.removeprefix("whsec_"))


def signature(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header: ``v1,`` and the base64 HMAC-SHA256 of ``id.timestamp.body``."""
    signed = f"{event_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode()


def event_body(kind: str, tracking_id: str, text: str | None = None, officer: str | None = None) -> bytes:
    """The JSON body of an event: ``type``, ``tracking_id``, the command's text field, ``officer``."""
    event: dict[str, Any] = {"type": kind, "tracking_id": tracking_id}
    if kind in TEXT_FIELD:
        event[TEXT_FIELD[kind]] = text or ""
    if officer:
        event["officer"] = officer
    return json.dumps(event, ensure_ascii=False).encode("utf-8")


def signed_headers(
    secret: str, body: bytes, *, event_id: str | None = None, now: float | None = None
) -> dict[str, str]:
    """The headers of a signed request for ``body`` (a fresh event ID unless one is given)."""
    event_id = event_id or f"evt_{uuid.uuid4().hex}"
    timestamp = int(time.time() if now is None else now)
    return {
        "Content-Type": "application/json; charset=utf-8",
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, event_id, timestamp, body),
    }


def send(
    base_url: str,
    institution: str,
    secret: str,
    body: bytes,
    *,
    event_id: str | None = None,
    timeout: float = 10,
) -> tuple[int, dict[str, Any]]:
    """POST a signed event; return LAPOR!'s HTTP status and JSON answer (also for 4xx and 5xx answers)."""
    url = f"{base_url.rstrip('/')}/api/v1/integrations/{institution}/events"
    headers = signed_headers(secret, body, event_id=event_id)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) URL
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return int(response.status), json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        with error:
            return int(error.code), json.loads(error.read() or b"{}")


def verify(
    secrets: Sequence[str], headers: Mapping[str, str], body: bytes, *, now: float | None = None
) -> bool:
    """Whether a notification LAPOR! sent to the institution's endpoint is authentic and fresh."""
    lowered = {name.lower(): value for name, value in headers.items()}
    event_id, timestamp = lowered.get("webhook-id", ""), lowered.get("webhook-timestamp", "")
    offered = lowered.get("webhook-signature", "").split(" ")
    if not event_id or not timestamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    expected = [signature(secret, event_id, int(timestamp), body) for secret in secrets]
    return any(hmac.compare_digest(e, o) for e in expected for o in offered)


def main(argv: Sequence[str] | None = None) -> int:
    """Send one event from the command line and print the answer."""
    parser = argparse.ArgumentParser(description="Send a signed event to the LAPOR! integration API.")
    parser.add_argument("base_url", help="the LAPOR! portal, e.g. https://lapor.example.go.id")
    parser.add_argument("institution", help="your institution's code, e.g. 31.71")
    parser.add_argument("type", choices=["status", "follow_up", "decline", "assign"])
    parser.add_argument("tracking_id")
    parser.add_argument("text", nargs="?", help="the follow-up's message, the decline's reason or the unit")
    parser.add_argument("--officer", help="who acted, in your system (recorded in the complaint's history)")
    parser.add_argument("--event-id", help="send an event again under its first ID")
    args = parser.parse_args(argv)
    secret = os.environ.get(SECRET_ENV)
    if not secret:
        parser.error(f"set {SECRET_ENV} to your institution's secret")
    body = event_body(args.type, args.tracking_id, args.text, args.officer)
    try:
        status, answer = send(args.base_url, args.institution, secret, body, event_id=args.event_id)
    except (urllib.error.URLError, OSError) as error:
        print(f"LAPOR! could not be reached: {error}", file=sys.stderr)
        return 2
    print(status, json.dumps(answer, ensure_ascii=False, indent=2))
    return 0 if 200 <= status < 300 else 1


if __name__ == "__main__":
    sys.exit(main())
