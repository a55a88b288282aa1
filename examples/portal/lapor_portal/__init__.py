"""An example portal embedding lapor_core: pages, a JSON API and Open311 GeoReport v2 on one desk.

>>> from lapor_portal import create_app
>>> create_app("memory://", pepper="a long deployment secret").title
'LAPOR! Daerah API'
"""

from __future__ import annotations

from lapor_portal.accounts import DEMO_ACCOUNTS, Account, demo_directory
from lapor_portal.app import create_app, portal_of
from lapor_portal.settings import PortalSettings

__all__ = ["DEMO_ACCOUNTS", "Account", "PortalSettings", "create_app", "demo_directory", "portal_of"]
