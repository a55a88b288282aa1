"""The application factory: one desk, the pages, the JSON API and Open311, with the security middleware."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

import lapor_core as lc
from lapor_core.plugins import Clock, PollStore, SystemClock
from lapor_portal.accounts import demo_directory
from lapor_portal.api import docs as api_docs
from lapor_portal.api import integrations, json_api, mail_webhook, open311, sms_webhook, telegram_webhook
from lapor_portal.context import Portal
from lapor_portal.limits import JSON_BODY_LIMIT, BodyLimit
from lapor_portal.notes import InMemoryNoteStore, NoteStore
from lapor_portal.security import SecurityHeaders, content_security_policy
from lapor_portal.sessions import SignedCookieSessions
from lapor_portal.settings import LEAFLET_PATH, PortalSettings
from lapor_portal.web import files, mine, polls, public, reporter, reveal, staff
from lapor_portal.web.errors import install_page_errors
from lapor_portal.web.rendering import make_templates

__all__ = ["create_app", "portal_of"]

STATIC = Path(__file__).resolve().parent / "static"
_log = logging.getLogger(__name__)


def _session_secret(settings: PortalSettings, pepper: str | bytes) -> bytes:
    """The configured session secret, or one derived from the pepper (a different key for a different use)."""
    if settings.session_secret is not None:
        return settings.session_secret
    raw = pepper.encode("utf-8") if isinstance(pepper, str) else pepper
    return hmac.new(raw, b"lapor_portal session cookies", hashlib.sha256).digest()


async def _sweep_forever(portal: Portal, interval: float) -> None:
    """Run the desk's sweep every ``interval`` seconds (closing, breaches, reminders)."""
    while True:
        await asyncio.sleep(interval)
        try:
            report = await run_in_threadpool(portal.desk.sweep)
        except lc.LaporError:
            _log.exception("the sweep failed; trying again in %s s", interval)
        else:
            _log.info(
                "sweep: %d closed, %d breached, %d reminded",
                *map(len, (report.closed, report.breached, report.reminded)),
            )


def portal_of(app: FastAPI) -> Portal:
    """The portal an app created by :func:`create_app` serves (its desk, settings and reference data)."""
    portal = app.state.portal
    if not isinstance(portal, Portal):
        raise TypeError("not an app made by lapor_portal.create_app")
    return portal


def create_app(
    url: str,
    *,
    pepper: str | bytes,
    clock: Clock | None = None,
    settings: PortalSettings | None = None,
    directory: lc.InstitutionDirectory | None = None,
    poll_store: PollStore | None = None,
    notes: NoteStore | None = None,
) -> FastAPI:
    """The portal on the complaint store at ``url`` (``sqlite:///portal.db``, ``memory://``, ...).

    Args:
        url: The store URL, as :meth:`lapor_core.ComplaintDesk.open` takes it.
        pepper: The deployment secret for access-key hashes (keep it out of the database).
        clock: The desk's clock (default: the system clock); tests pass a frozen one.
        settings: The deployment's settings (default: :class:`PortalSettings`, the demonstration accounts).
        directory: Institutions and their work units (default: the default directory plus demonstration
            work units for Jakarta Pusat and Bandung).
        poll_store: Where polls live (default: the desk's own in-memory poll store).
        notes: Where staff's internal notes live (default: in memory;
            :class:`~lapor_portal.notes.SqliteNoteStore` keeps them in a file).

    Example:
        >>> app = create_app("memory://", pepper="a long deployment secret")
        >>> portal_of(app).desk.complaints(lc.Principal.public()).items
        ()
    """
    settings = settings or PortalSettings()
    clock = clock or SystemClock()
    directory = directory or demo_directory()
    polls_option = {} if poll_store is None else {"poll_store": poll_store}
    desk = lc.ComplaintDesk.open(url, pepper=pepper, clock=clock, directory=directory, **polls_option)
    portal = Portal(
        desk=desk,
        settings=settings,
        clock=clock,
        regions=lc.RegionTable.default(),
        topics=lc.TopicTree.default(),
        directory=directory,
        started_at=clock.now(),
        notes=notes if notes is not None else InMemoryNoteStore(),
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        sweeper = (
            asyncio.create_task(_sweep_forever(portal, settings.sweep_seconds))
            if settings.sweep_seconds
            else None
        )
        try:
            yield
        finally:
            if sweeper is not None:
                sweeper.cancel()
            desk.close()

    app = FastAPI(
        title=f"{settings.site_name} API",
        version=lc.__version__,
        description="SP4N-LAPOR! complaints over lapor_core: the portal's JSON API and Open311 GeoReport v2.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.portal = portal
    app.state.templates = make_templates()
    for module in (public, reporter, staff, reveal, polls, files, mine):
        app.include_router(module.router)
    app.include_router(json_api.router)
    app.include_router(api_docs.router)
    app.include_router(open311.router)
    sms_webhook.install(app, messages_per_hour=settings.sms_messages_per_hour)
    mail_webhook.install(app, messages_per_hour=settings.intake_messages_per_hour)
    telegram_webhook.install(app, messages_per_hour=settings.intake_messages_per_hour)
    integrations.install(app, desk)
    if settings.leaflet_dir is not None:  # before /static, which would otherwise answer its paths
        app.mount(LEAFLET_PATH, StaticFiles(directory=settings.leaflet_dir), name="leaflet")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_page_errors(app)
    app.add_middleware(
        SignedCookieSessions,
        secret=_session_secret(settings, pepper),
        max_age=settings.session_minutes * 60,
        https_only=settings.https_only,
    )
    body_limits = (
        ("/api/v1/integrations/", integrations.MAX_BODY),
        ("/api/v1/", JSON_BODY_LIMIT),
        ("/api/sms/", sms_webhook.MAX_BODY),
        ("/api/mail/", mail_webhook.MAX_BODY),
        ("/api/telegram/", telegram_webhook.MAX_BODY),
    )
    app.add_middleware(BodyLimit, limits=body_limits)
    policy = content_security_policy(tile_origin=settings.tile_origin, leaflet_origin=settings.leaflet_origin)
    app.add_middleware(SecurityHeaders, policy=policy)
    return app
