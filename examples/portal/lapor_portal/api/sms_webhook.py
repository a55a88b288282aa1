"""The inbound SMS webhook: an SMS gateway posts each SMS sent to 1708, and gets back the SMS to answer with.

``POST /api/sms/inbound`` with the JSON body ``{"id": "<gateway message ID>", "from": "0812...",
"text": "LAPOR ...", "received_at": "2026-03-17T09:00:00+07:00", "in_reply_to": null}`` (``received_at`` and
``in_reply_to`` optional), signed as lapor_core signs its own webhooks: ``X-Lapor-Timestamp`` (Unix seconds)
and ``X-Lapor-Signature`` (``v1=`` HMAC-SHA256 of ``f"{timestamp}."`` and the raw body under the secret
shared with the gateway, :attr:`PortalSettings.sms_gateway_secret`). Checked on the raw body before anything
else: an unsigned, wrongly signed or older than 5 minutes request is refused with 401 and never reaches the
desk. The signature is what makes the sender's number trustworthy, and the number equal to a complaint's
stored contact is what proves its reporter (see ``docs/topics/intake-channels.md``).

The answer (200) is what the gateway sends back to the sender: ``{"to": "+62...", "text": ..., "encoding":
"gsm7", "parts": [...], "code": "intake.received", "tracking_id": ...}``. A store failure is 503, so the
gateway delivers the SMS again later (the desk recognises a repeat by ``sms:<id>``); a body that is not the
shape above is 422. Texts and numbers are never logged.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

import lapor_core as lc
from lapor_core.intake import InboundMessage, SenderLimiter, handle
from lapor_core.intake.sms import SmsIntake
from lapor_core.notifiers.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from lapor_portal.context import get_portal

__all__ = ["MAX_BODY", "SIGNATURE_TOLERANCE", "install", "router"]

MAX_BODY = 64_000
"""The largest request body taken, in bytes (a concatenated SMS of 4,000 characters is far below it)."""
SIGNATURE_TOLERANCE = 300.0
"""How many seconds a request's timestamp may be off the portal's clock."""

router = APIRouter(prefix="/api/sms", include_in_schema=False)
_log = logging.getLogger(__name__)
_SMS = SmsIntake(sender_verified=True)  # the number comes through the signed gateway only


def install(app: FastAPI, *, messages_per_hour: int) -> None:
    """Serve the webhook on ``app``, with a per-sender limit of ``messages_per_hour``."""
    app.state.sms_limiter = SenderLimiter(max_messages=messages_per_hour, window_seconds=3600)
    app.include_router(router)


def _error(status: int, code: str) -> JSONResponse:
    return JSONResponse({"error": code}, status_code=status)


def _message(body: bytes, now: datetime) -> InboundMessage | None:
    """The inbound message the body describes, or None if it is not the documented shape."""
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or not {"id", "from", "text"} <= data.keys():
        return None
    if not data.keys() <= {"id", "from", "text", "received_at", "in_reply_to"}:
        return None
    try:
        return InboundMessage(
            "sms",
            data["id"],
            data["from"],
            data["text"],
            data.get("received_at") or now,
            in_reply_to=data.get("in_reply_to"),
        )
    except lc.ValidationError:
        return None


@router.post("/inbound")
async def inbound_sms(request: Request) -> JSONResponse:
    """Take one inbound SMS from the gateway and answer with the SMS to send back."""
    portal = get_portal(request)
    secret = portal.settings.sms_gateway_secret
    if secret is None:
        return _error(404, "sms.not_configured")
    body = await request.body()
    if len(body) > MAX_BODY:
        return _error(413, "sms.too_large")
    now = portal.clock.now()
    if not verify_signature(
        secret,
        timestamp=request.headers.get(TIMESTAMP_HEADER),
        body=body,
        signature=request.headers.get(SIGNATURE_HEADER),
        tolerance=SIGNATURE_TOLERANCE,
        now=now.timestamp(),
    ):
        return _error(401, "sms.signature_invalid")
    message = _message(body, now)
    if message is None:
        return _error(422, "sms.body_malformed")
    limiter: SenderLimiter = request.app.state.sms_limiter
    try:
        handled = await run_in_threadpool(handle, portal.desk, _SMS, message, limiter=limiter)
    except lc.StorageError:
        _log.warning(
            "inbound SMS %s: the store failed; the gateway will deliver it again", message.message_id
        )
        return _error(503, "sms.try_again")
    contact = _SMS.contact(message)
    return JSONResponse(
        {
            "to": contact.address if contact is not None else message.sender,
            "text": handled.rendered.text,
            "encoding": handled.rendered.encoding,
            "parts": list(handled.rendered.parts),
            "code": handled.answer.code,
            "tracking_id": handled.answer.tracking_id,
        },
        headers={"Cache-Control": "no-store"},  # the first answer holds the access key
    )
