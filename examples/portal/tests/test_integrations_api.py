"""The portal's institution integration API, driven by the reference client examples/integration_client.py."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import lapor_core as lc
from lapor_core.testing import FrozenClock
from lapor_portal import PortalSettings, create_app, portal_of
from lapor_portal.api.integrations import integrations_of
from portal_helpers import PEPPER, START, submission
from test_browser import LiveServer

ROOT = Path(__file__).resolve().parents[3]
ADMIN = lc.Principal.admin("adm-1")
JAKPUS, BANDUNG = "31.71", "32.73"
PATH = "/api/v1/integrations/{}/events"


def _load_client() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "integration_client", ROOT / "examples/integration_client.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("integration_client", module)
    spec.loader.exec_module(module)
    return module


reference = _load_client()


class Setup:
    """A portal with Jakarta Pusat and Bandung connected and a complaint forwarded to Jakarta Pusat."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.desk = portal_of(app).desk
        self.secret = integrations_of(app).add(JAKPUS).secret
        self.bandung_secret = integrations_of(app).add(BANDUNG).secret
        receipt = self.desk.submit(submission())
        self.tid, self.key = receipt.tracking_id, receipt.access_key
        self.desk.forward(ADMIN, self.tid, institution=JAKPUS)

    def post(
        self,
        client: TestClient,
        kind: str,
        text: str | None = None,
        *,
        tid: str | None = None,
        institution: str = JAKPUS,
        secret: str | None = None,
        event_id: str | None = None,
        at: float | None = None,
        **headers: str,
    ) -> Any:
        """POST one event signed by the reference client (at the portal's frozen time unless ``at``)."""
        body = reference.event_body(kind, tid or self.tid, text, "nip-198403")
        signed = reference.signed_headers(
            secret or self.secret, body, event_id=event_id, now=START.timestamp() if at is None else at
        )
        return client.post(PATH.format(institution), content=body, headers=signed | headers)


@pytest.fixture
def setup(app: FastAPI, client: TestClient) -> Setup:
    """The connected portal (the client fixture has run its startup)."""
    del client
    return Setup(app)


def test_a_follow_up_from_the_institutions_system_reaches_the_reporter(setup, client):
    """200 with the institution's view; the reporter's page of the complaint shows the follow-up."""
    answer = setup.post(client, "follow_up", "Jalan sudah ditambal pada 18 Maret.", event_id="evt-1")
    assert answer.status_code == 200, answer.text
    assert answer.json()["complaint"]["status"] == "followed_up"
    assert answer.headers["Cache-Control"] == "no-store"
    reporter = setup.desk.authenticate(setup.tid, setup.key)
    assert "Jalan sudah ditambal pada 18 Maret." in json.dumps(
        lc.to_dict(setup.desk.view(reporter, setup.tid))
    )


def test_a_repeated_event_gets_the_first_answer_and_a_stale_one_is_refused(setup, client):
    """The same webhook-id again: the same body; a request signed six minutes ago: 401."""
    first = setup.post(client, "follow_up", "Sudah.", event_id="evt-1")
    again = setup.post(client, "follow_up", "Sudah.", event_id="evt-1")
    assert again.json() == first.json()
    stale = setup.post(client, "status", at=START.timestamp() - 360)
    assert (stale.status_code, stale.json()["error"]) == (401, "webhook.timestamp_stale")


def test_another_institutions_complaint_is_answered_as_an_unknown_one(setup, client):
    """Bandung asking about Jakarta Pusat's complaint: 404, the body an unknown ID gets."""
    unknown = str(lc.TrackingId.new())
    theirs = setup.post(client, "status", institution=BANDUNG, secret=setup.bandung_secret, event_id="e")
    nobodys = setup.post(
        client, "status", tid=unknown, institution=BANDUNG, secret=setup.bandung_secret, event_id="e2"
    )
    assert theirs.status_code == nobodys.status_code == 404
    assert json.dumps(theirs.json()).replace(setup.tid, unknown).replace('"e"', '"e2"') == json.dumps(
        nobodys.json()
    )


def test_unsigned_oversized_and_unregistered_requests_are_refused(setup, client):
    """No signature or an unknown institution: 401; over 64 KB: 413. Error texts follow Accept-Language."""
    unsigned = client.post(PATH.format(JAKPUS), content=b"{}")
    assert (unsigned.status_code, unsigned.json()["error"]) == (401, "webhook.headers_missing")
    assert setup.post(client, "status", institution="99.99").status_code == 401
    huge = client.post(PATH.format(JAKPUS), content=b"x" * 70_000)
    assert huge.status_code == 413
    english = setup.post(client, "follow_up", "", **{"Accept-Language": "en"})
    assert english.status_code == 422
    assert english.json()["fields"][0]["message"] == "this field is required and must be text"


# --- over HTTP, with the reference client's own sending code ------------------------------------------------


@pytest.fixture
def live(sqlite_url: str) -> Iterator[tuple[LiveServer, Setup]]:
    """The portal on SQLite, its clock at the real time (the client signs with the real time)."""
    clock = FrozenClock(datetime.now(UTC))
    app = create_app(sqlite_url, pepper=PEPPER, clock=clock, settings=PortalSettings(sweep_seconds=None))
    with LiveServer(app) as server:
        yield server, Setup(app)


def test_the_reference_client_follows_up_and_repeats_safely_over_http(live, monkeypatch, capsys):
    """send() and the script's main(): 200, then the same event ID answered from the store, 0 exit status."""
    server, setup = live
    body = reference.event_body("follow_up", setup.tid, "Sudah ditambal.", "nip-1")
    status, answer = reference.send(server.url, JAKPUS, setup.secret, body, event_id="evt-http")
    assert (status, answer["complaint"]["status"]) == (200, "followed_up")
    monkeypatch.setenv(reference.SECRET_ENV, setup.secret)
    exit_status = reference.main(
        [
            server.url,
            JAKPUS,
            "follow_up",
            setup.tid,
            "Sudah ditambal.",
            "--officer",
            "nip-1",
            "--event-id",
            "evt-http",
        ]
    )
    assert exit_status == 0
    assert '"followed_up"' in capsys.readouterr().out
    history = setup.desk.history(ADMIN, setup.tid)
    assert [e.action for e in history].count("follow_up") == 1
    assert reference.main([server.url, JAKPUS, "status", str(lc.TrackingId.new())]) == 1
