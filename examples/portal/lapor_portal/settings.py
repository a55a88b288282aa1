"""The portal's settings: one frozen value, built once and handed to :func:`lapor_portal.create_app`."""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Final
from urllib.parse import urlsplit

import attrs

from lapor_core.intake.telegram import TelegramBot
from lapor_core.notifiers import SmtpNotifier
from lapor_portal.accounts import DEMO_ACCOUNTS, Account

__all__ = [
    "DEBIAN_LEAFLET",
    "LEAFLET_PATH",
    "TILE_ATTRIBUTION_ENV",
    "TILE_URL_ENV",
    "PortalSettings",
    "installed_leaflet",
]

TILE_URL_ENV: Final = "LAPOR_TILE_URL"
"""The environment variable naming a tile server's URL template (unset: the offline base map only)."""
TILE_ATTRIBUTION_ENV: Final = "LAPOR_TILE_ATTRIBUTION"
"""The environment variable holding the tile server's credit line."""
DEBIAN_LEAFLET: Final = Path("/usr/share/javascript/leaflet")
"""Where Debian's ``libjs-leaflet`` package installs Leaflet."""
LEAFLET_PATH: Final = "/static/leaflet"
"""Where the portal serves ``PortalSettings.leaflet_dir``."""


def installed_leaflet(folder: Path = DEBIAN_LEAFLET) -> Path | None:
    """``folder`` if it holds ``leaflet.js`` and ``leaflet.css`` (default: Debian's package), else None."""
    return folder if (folder / "leaflet.js").is_file() and (folder / "leaflet.css").is_file() else None


def _frozen_mapping(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


def _frozen_set(values: Iterable[str]) -> frozenset[str]:
    return frozenset(values)


def _origin(url: str | None) -> str | None:
    """The ``scheme://host[:port]`` of an absolute URL, or None for none or a relative one."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def _tile_template(_instance: object, _attribute: object, value: str | None) -> None:
    if value is None:
        return
    placeholders = all(part in value for part in ("{z}", "{x}", "{y}"))
    if not placeholders or (_origin(value) is None and not value.startswith("/")):
        raise ValueError("tile_url must be an http(s) or site-relative URL with {z}, {x} and {y}")


def _webhook_secret(_instance: object, attribute: attrs.Attribute[bytes | None], value: bytes | None) -> None:
    if value is not None and (not isinstance(value, bytes) or len(value) < 16):
        raise ValueError(f"{attribute.name} must be at least 16 bytes")


def _sms_secret(_instance: object, _attribute: object, value: bytes | None) -> None:
    if value is not None and (not isinstance(value, bytes) or len(value) < 16):
        raise ValueError("sms_gateway_secret must be at least 16 bytes")


@attrs.frozen(kw_only=True)
class PortalSettings:
    """How one deployment of the portal is configured.

    Attributes:
        site_name: Shown in the header and page titles.
        timezone: IANA zone dates are shown in.
        tile_url: A tile server's URL template (``https://...{z}/{x}/{y}...``), or None (the default): the
            maps then draw only the offline base map shipped in ``static/basemap.geojson`` (provinces and
            coastline, no streets). Set it where a deployment has a tile server (see :meth:`with_tiles_from`).
        tile_attribution: Credit line for the tiles (shown on the map beside the base map's).
        leaflet_url: Base URL serving ``leaflet.js`` and ``leaflet.css`` (your own copy or a CDN), or None:
            the portal then serves ``leaflet_dir`` if given, else draws its maps with its own small script
            (SVG: the same shapes, no zooming).
        leaflet_dir: A folder holding ``leaflet.js``, ``leaflet.css`` and ``images/`` that the portal serves
            itself under ``/static/leaflet`` (Debian's ``libjs-leaflet``: see :func:`installed_leaflet`).
        accounts: Staff and citizen accounts offered by the demonstration sign-in; a real portal maps its
            own users to principals instead (see ``docs/topics/example-portal.md``).
        api_tokens: Bearer tokens of the JSON API, each naming an account key.
        open311_api_keys: Keys accepted by Open311 ``POST requests``.
        jurisdiction_id: The Open311 jurisdiction this endpoint serves.
        open311_contact: Open311 discovery: how to reach the maintainers.
        open311_key_service: Open311 discovery: how to get an API key.
        session_secret: Signs session cookies; None derives it from the desk's pepper.
        https_only: Mark cookies ``Secure`` (every deployment behind HTTPS should).
        session_minutes: How long a session cookie lasts after the session last changed (a sign-in).
        reporter_minutes: How long a reporter stays signed in after entering their access key.
        sweep_seconds: Interval of the background sweep (closing, breaches, reminders), or None to leave it to
            an external scheduler (cron calling ``desk.sweep()``).
        sms_gateway_secret: The secret shared with the SMS gateway, which signs every inbound SMS it posts
            to ``/api/sms/inbound`` (at least 16 bytes); None turns the SMS webhook off (404).
        sms_messages_per_hour: Inbound SMS one number may send in an hour before it is asked to wait.
        mail_webhook_secret: The secret your mail server signs each inbound e-mail with when it posts it to
            ``/api/mail/inbound`` (at least 16 bytes); None (or no ``mail_notifier``) turns it off (404).
        mail_notifier: Sends the answers to inbound e-mail (the same SMTP notifier as the outbox's).
        mail_authserv_id: The ``Authentication-Results`` name of your receiving mail server; a DMARC pass
            it records proves a sender is a complaint's reporter (None: replies need the access key).
        telegram_secret_token: The ``secret_token`` given to Telegram's ``setWebhook``, checked on every
            call to ``/api/telegram/webhook``; None (or no ``telegram_bot``) turns it off (404).
        telegram_bot: Sends the answers in the chat (and, as a notifier, the outbox's ``chat:`` messages).
        intake_messages_per_hour: Inbound e-mails or chat messages one sender may send in an hour.
    """

    site_name: str = "LAPOR! Daerah"
    timezone: str = "Asia/Jakarta"
    tile_url: str | None = attrs.field(default=None, validator=_tile_template)
    tile_attribution: str = ""
    leaflet_url: str | None = None
    leaflet_dir: Path | None = None
    accounts: tuple[Account, ...] = DEMO_ACCOUNTS
    api_tokens: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_mapping)
    open311_api_keys: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen_set)
    jurisdiction_id: str = "lapor.example.go.id"
    open311_contact: str = "Pengelola LAPOR! Daerah, pengaduan@example.go.id"
    open311_key_service: str = "Minta kunci API kepada pengelola: pengaduan@example.go.id"
    session_secret: bytes | None = attrs.field(default=None, repr=False)
    https_only: bool = False
    session_minutes: int = 8 * 60
    reporter_minutes: int = 30
    sweep_seconds: float | None = 300.0
    sms_gateway_secret: bytes | None = attrs.field(default=None, repr=False, validator=_sms_secret)
    sms_messages_per_hour: int = 20
    mail_webhook_secret: bytes | None = attrs.field(default=None, repr=False, validator=_webhook_secret)
    mail_notifier: SmtpNotifier | None = attrs.field(default=None, repr=False)
    mail_authserv_id: str | None = None
    telegram_secret_token: str | None = attrs.field(default=None, repr=False)
    telegram_bot: TelegramBot | None = attrs.field(default=None, repr=False)
    intake_messages_per_hour: int = 20

    def with_tiles_from(self, environ: Mapping[str, str]) -> PortalSettings:
        """These settings with the tile server named by ``LAPOR_TILE_URL`` and ``LAPOR_TILE_ATTRIBUTION``.

        Unset or empty variables change nothing, so without them the maps stay offline.

        Raises:
            ValueError: ``LAPOR_TILE_URL`` is not a URL template with ``{z}``, ``{x}`` and ``{y}``.

        >>> tiles = {"LAPOR_TILE_URL": "https://tiles.example/{z}/{x}/{y}.png"}
        >>> PortalSettings().with_tiles_from(tiles).tile_url
        'https://tiles.example/{z}/{x}/{y}.png'
        >>> PortalSettings().with_tiles_from({}).tile_url is None
        True
        """
        url = environ.get(TILE_URL_ENV, "").strip() or self.tile_url
        attribution = environ.get(TILE_ATTRIBUTION_ENV, "").strip() or self.tile_attribution
        return attrs.evolve(self, tile_url=url, tile_attribution=attribution)

    @property
    def tile_origin(self) -> str | None:
        """The origin map tiles load from (for the Content-Security-Policy)."""
        return _origin(self.tile_url)

    @property
    def leaflet_base(self) -> str | None:
        """Where pages load Leaflet from: ``leaflet_url``, else the portal's own copy, else None (no Leaflet).

        >>> PortalSettings(leaflet_dir=Path("/usr/share/javascript/leaflet")).leaflet_base
        '/static/leaflet'
        >>> PortalSettings(leaflet_url="https://cdn.example/leaflet/").leaflet_base
        'https://cdn.example/leaflet'
        """
        if self.leaflet_url:
            return self.leaflet_url.rstrip("/")
        return LEAFLET_PATH if self.leaflet_dir is not None else None

    @property
    def leaflet_origin(self) -> str | None:
        """The origin Leaflet loads from, when it is not served by the portal itself."""
        return _origin(self.leaflet_url)

    def account_for_token(self, token: str) -> Account | None:
        """The account a JSON API bearer token was issued to, or None (compared in constant time).

        >>> PortalSettings(api_tokens={"s3cret-token": "admin-demo"}).account_for_token("s3cret-token").key
        'admin-demo'
        """
        given = token.encode("utf-8")
        found = None
        for issued, account_key in self.api_tokens.items():
            if hmac.compare_digest(given, issued.encode("utf-8")):
                found = account_key
        return self.account(found)

    def account(self, key: object) -> Account | None:
        """The account with this key, or None.

        >>> PortalSettings().account("admin-demo").role.value
        'admin'
        >>> PortalSettings().account("nobody") is None
        True
        """
        return next((a for a in self.accounts if a.key == key), None)
