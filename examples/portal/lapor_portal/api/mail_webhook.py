"""The inbound e-mail webhook: the mail server posts each message sent to the complaints address.

``POST /api/mail/inbound`` with the raw message (RFC 5322, ``Content-Type: message/rfc822``) as the body,
signed as lapor_core signs its own webhooks: ``X-Lapor-Timestamp`` (Unix seconds) and
``X-Lapor-Signature`` (``v1=`` HMAC-SHA256 of ``f"{timestamp}."`` and the raw body under
:attr:`PortalSettings.mail_webhook_secret`).
Your receiving mail server posts it (a Postfix ``pipe`` transport or a provider's inbound route feeding a
small signer); the signature is checked on the raw body before anything else, and an unsigned, wrongly
signed or older than 5 minutes request is refused with 401 and never reaches the desk.

The message goes through :func:`lapor_core.intake.email.process_email`: the answer (the tracking ID and the
access key, a status, a helpful text for an unusable message) is e-mailed to the sender through
:attr:`PortalSettings.mail_notifier`, threaded under their message. The response says what was done:
``{"code": "intake.received", "tracking_id": ...}``; ``{"code": null}`` for a message left unanswered on
purpose (an auto-reply, a bounce, no sender address). A store failure, or an answer that could not be sent,
is 503: the mail server delivers the message again, and the desk recognises the repeat by its idempotency
key (``email:<digest of sender and Message-ID>``). Addresses and texts are never logged.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

import lapor_core as lc
from lapor_core.intake import SenderLimiter
from lapor_core.intake.email import EmailIntake, process_email
from lapor_core.notifiers.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from lapor_portal.context import get_portal

__all__ = ["MAX_BODY", "SIGNATURE_TOLERANCE", "install", "router"]

MAX_BODY = 10 * 1024 * 1024
"""The largest message taken, in bytes (attachments are counted, not kept)."""
SIGNATURE_TOLERANCE = 300.0
"""How many seconds a request's timestamp may be off the portal's clock."""

router = APIRouter(prefix="/api/mail", include_in_schema=False)
_log = logging.getLogger(__name__)


def install(app: FastAPI, *, messages_per_hour: int) -> None:
    """Serve the webhook on ``app``, with a per-sender limit of ``messages_per_hour``."""
    app.state.mail_limiter = SenderLimiter(max_messages=messages_per_hour, window_seconds=3600)
    app.include_router(router)


def _error(status: int, code: str) -> JSONResponse:
    return JSONResponse({"error": code}, status_code=status)


@router.post("/inbound")
async def inbound_mail(request: Request) -> JSONResponse:
    """Take one inbound e-mail from the mail server, act on it, and e-mail the answer to its sender."""
    portal = get_portal(request)
    settings = portal.settings
    if settings.mail_webhook_secret is None or settings.mail_notifier is None:
        return _error(404, "mail.not_configured")
    body = await request.body()
    if len(body) > MAX_BODY:
        return _error(413, "mail.too_large")
    now = portal.clock.now()
    if not verify_signature(
        settings.mail_webhook_secret,
        timestamp=request.headers.get(TIMESTAMP_HEADER),
        body=body,
        signature=request.headers.get(SIGNATURE_HEADER),
        tolerance=SIGNATURE_TOLERANCE,
        now=now.timestamp(),
    ):
        return _error(401, "mail.signature_invalid")
    intake = EmailIntake(authserv_id=settings.mail_authserv_id)
    limiter: SenderLimiter = request.app.state.mail_limiter
    try:
        handled = await run_in_threadpool(
            process_email,
            portal.desk,
            body,
            intake=intake,
            notifier=settings.mail_notifier,
            received_at=now,
            limiter=limiter,
        )
    except (lc.StorageError, lc.errors.NotificationError) as e:
        _log.warning("inbound e-mail: %s; the mail server will deliver it again", type(e).__name__)
        return _error(503, "mail.try_again")
    if handled is None:
        return JSONResponse({"code": None, "tracking_id": None})
    return JSONResponse({"code": handled.answer.code, "tracking_id": handled.answer.tracking_id})
