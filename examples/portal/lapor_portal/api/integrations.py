"""The institution integration API: an institution's own case system posts signed events for its complaints.

``POST /api/v1/integrations/{institution}/events`` with a JSON event (``{"type": "follow_up", "tracking_id":
..., "message": ..., "officer": ...}``; also ``decline`` with ``reason``, ``assign`` with ``unit`` and
``status``), signed the Standard Webhooks way with the institution's secret (from ``lapor integrations add``):
``webhook-id`` (the sender's event ID), ``webhook-timestamp`` and ``webhook-signature``. Everything else is
:meth:`lapor_core.integrations.Integrations.receive`: the signature and freshness checked on the raw body, the
event ID claimed (a repeat gets the first answer), the event run as the desk command an officer of that
institution would run. The answer is its status and JSON body (error texts in Indonesian, or English with
``Accept-Language: en``); a request larger than 64 KB is 413. ``examples/integration_client.py`` is a client.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

import lapor_core as lc
from lapor_core.integrations import Integrations

__all__ = ["MAX_BODY", "install", "integrations_of", "router"]

MAX_BODY = 65_536
"""The largest request body taken, in bytes."""

router = APIRouter(prefix="/api/v1/integrations", include_in_schema=False)
_log = logging.getLogger(__name__)


def install(app: FastAPI, desk: lc.ComplaintDesk) -> None:
    """Serve the integration API on ``app``, for the institutions registered in ``desk``'s database."""
    app.state.integrations = Integrations(desk)
    app.include_router(router)


def integrations_of(app: FastAPI) -> Integrations:
    """The integrations the app serves (register institutions on it in tests and scripts)."""
    found: Integrations = app.state.integrations
    return found


@router.post("/{institution}/events")
async def institution_event(institution: str, request: Request) -> JSONResponse:
    """Verify, deduplicate and run one event sent by ``institution``'s system."""
    body = await request.body()
    if len(body) > MAX_BODY:
        return JSONResponse({"error": "integration.body_too_large"}, status_code=413)
    locale = "en" if request.headers.get("accept-language", "").lower().startswith("en") else "id"
    integrations = integrations_of(request.app)
    answer = await run_in_threadpool(
        integrations.receive, institution, dict(request.headers), body, locale=locale
    )
    if answer.status >= 500:  # the store failed: the sender sends the event again later
        _log.warning("integration event from %s: the store failed; the sender will retry", institution[:100])
    return JSONResponse(dict(answer.body), status_code=answer.status, headers={"Cache-Control": "no-store"})
