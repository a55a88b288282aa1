"""The Telegram webhook: the Bot API posts each update for the portal's bot.

Register it with ``setWebhook`` (``url=https://<portal>/api/telegram/webhook``, ``secret_token=`` the value
of :attr:`PortalSettings.telegram_secret_token`). Telegram sends that token in the
``X-Telegram-Bot-Api-Secret-Token`` header of every call; a call without it, or with another one, is refused
with 401 and never reaches the desk.

The update goes through :func:`lapor_core.intake.telegram.process_update`, and the answer is sent to the
chat by :attr:`PortalSettings.telegram_bot` (``sendMessage``). The response is 200 ``{}`` once handled
(Telegram then forgets the update). A store failure, or an answer that could not be sent, is 503: Telegram
delivers the update again later, and the desk recognises the repeat (``telegram:<chat>:<message>``). Updates
the bot does not answer (groups, edits, other bots) are 200 too. Texts and chat IDs are never logged.

The same bot, as a notifier for ``chat:`` addresses, sends the complaint's status changes back to the chat
through the outbox: put ``"chat"`` first in the address book's ``reporter_channels``.
"""

from __future__ import annotations

import json
import logging

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

import lapor_core as lc
from lapor_core.intake import SenderLimiter
from lapor_core.intake.telegram import (
    SECRET_TOKEN_HEADER,
    TelegramIntake,
    process_update,
    verify_secret_token,
)
from lapor_portal.context import get_portal

__all__ = ["MAX_BODY", "install", "router"]

MAX_BODY = 1024 * 1024
"""The largest update taken, in bytes."""

router = APIRouter(prefix="/api/telegram", include_in_schema=False)
_log = logging.getLogger(__name__)
_TELEGRAM = TelegramIntake()


def install(app: FastAPI, *, messages_per_hour: int) -> None:
    """Serve the webhook on ``app``, with a per-chat limit of ``messages_per_hour``."""
    app.state.telegram_limiter = SenderLimiter(max_messages=messages_per_hour, window_seconds=3600)
    app.include_router(router)


def _error(status: int, code: str) -> JSONResponse:
    return JSONResponse({"error": code}, status_code=status)


@router.post("/webhook")
async def telegram_update(request: Request) -> JSONResponse:
    """Take one Bot API update, act on it, and answer in the chat."""
    portal = get_portal(request)
    settings = portal.settings
    if settings.telegram_secret_token is None or settings.telegram_bot is None:
        return _error(404, "telegram.not_configured")
    if not verify_secret_token(settings.telegram_secret_token, request.headers.get(SECRET_TOKEN_HEADER)):
        return _error(401, "telegram.secret_token_invalid")
    body = await request.body()
    if len(body) > MAX_BODY:
        return _error(413, "telegram.too_large")
    try:
        update = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _error(422, "telegram.body_malformed")
    limiter: SenderLimiter = request.app.state.telegram_limiter
    try:
        await run_in_threadpool(
            process_update, portal.desk, update, intake=_TELEGRAM, bot=settings.telegram_bot, limiter=limiter
        )
    except (lc.StorageError, lc.errors.NotificationError) as e:
        _log.warning("telegram update: %s; Telegram will deliver it again", type(e).__name__)
        return _error(503, "telegram.try_again")
    return JSONResponse({})
