from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import lapor_core as lc
from lapor_core import PollState
from lapor_core.stores.memory import InMemoryPollStore
from lapor_portal import PortalSettings, __main__, create_app, portal_of
from lapor_portal.seed import SeedReport, seed
from portal_helpers import ADMIN, PEPPER, START


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, InMemoryPollStore, SeedReport]:
    url = f"sqlite:///{tmp_path_factory.mktemp('seed') / 'portal.db'}"
    polls = InMemoryPollStore()
    return url, polls, seed(url, pepper=PEPPER, now=START, poll_store=polls)


def test_seeding_reaches_every_status(seeded: tuple[str, InMemoryPollStore, SeedReport]) -> None:
    """The demonstration database holds complaints in each of the eight statuses (a merged one too)."""
    _, _, report = seeded
    assert set(report.by_status) == set(lc.Status)


def test_seeded_histories_are_the_librarys_own(seeded: tuple[str, InMemoryPollStore, SeedReport]) -> None:
    """Every seeded complaint went through the desk: its hash chain verifies, its access key works."""
    url, polls, report = seeded
    app = create_app(url, pepper=PEPPER, settings=PortalSettings(sweep_seconds=None), poll_store=polls)
    desk = portal_of(app).desk
    for receipt in report.receipts:
        assert desk.verify_history(receipt.tracking_id).ok
        desk.authenticate(receipt.tracking_id, receipt.access_key)
    closed = report.receipt(lc.Status.CLOSED).tracking_id
    assert any(entry.action is lc.Action.CLOSE for entry in desk.view(ADMIN, closed).timeline)
    desk.close()


def test_seeded_polls_show_one_closed_and_one_running(
    seeded: tuple[str, InMemoryPollStore, SeedReport],
) -> None:
    """The portal on the seeded store and poll store lists both polls, with results where published."""
    url, polls, report = seeded
    app = create_app(url, pepper=PEPPER, settings=PortalSettings(sweep_seconds=None), poll_store=polls)
    desk = portal_of(app).desk
    closed_id, running_id = report.polls
    states = {poll.id: poll.state_at(START) for poll in desk.polls(lc.Principal.public())}
    assert states == {closed_id: PollState.CLOSED, running_id: PollState.OPEN}
    assert desk.poll_results(lc.Principal.public(), closed_id).total > 10
    with TestClient(app) as client:
        assert "results-chart" in client.get(f"/jajak-pendapat/{closed_id}").text
        assert "results-chart" in client.get(f"/jajak-pendapat/{running_id}").text


def test_the_demo_command_seeds_and_explains_each_role(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``python -m lapor_portal --seed-db`` seeds, tells how to sign in as each role, serves on 127.0.0.1."""
    served: dict[str, Any] = {}
    monkeypatch.setattr(__main__.uvicorn, "run", lambda app, **kwargs: served.update(app=app, **kwargs))
    out = io.StringIO()
    __main__.main(["--seed-db", "--db", str(tmp_path / "demo.db"), "--port", "8123"], out=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8123/" in text
    for account in ("Admin LAPOR!", "Pemkot Jakarta Pusat", "Dinas PU", "Ombudsman", "Warga"):
        assert account in text
    assert "Try the reporter's view" in text
    assert (served["host"], served["port"], served["access_log"]) == ("127.0.0.1", 8123, False)
    assert (tmp_path / "demo.db").exists()
