"""Fixtures of the portal's tests: an app on a frozen clock, a client, and helpers to drive the pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import lapor_core as lc
from lapor_core.testing import FrozenClock
from lapor_portal import PortalSettings, create_app, portal_of
from lapor_portal.context import Portal
from portal_helpers import OPEN311_KEY, PEPPER, START, TOKENS


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings() -> PortalSettings:
    return PortalSettings(api_tokens=TOKENS, open311_api_keys={OPEN311_KEY}, sweep_seconds=None)


@pytest.fixture
def store_url() -> str:
    return "memory://"


@pytest.fixture
def app(store_url: str, clock: FrozenClock, settings: PortalSettings) -> FastAPI:
    return create_app(store_url, pepper=PEPPER, clock=clock, settings=settings)


@pytest.fixture
def portal(app: FastAPI) -> Portal:
    return portal_of(app)


@pytest.fixture
def desk(portal: Portal) -> lc.ComplaintDesk:
    return portal.desk


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'portal.db'}"
