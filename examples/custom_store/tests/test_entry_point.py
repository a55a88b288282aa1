"""Installed, the package's entry point makes ``redis://`` URLs open this store through lapor_core."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from lapor_redis_store import RedisComplaintStore

import lapor_core as lc
from lapor_core.stores import ENTRY_POINT_GROUP, known_schemes, open_store

EXAMPLE = Path(__file__).resolve().parents[1]


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What ``pip install`` writes for the package's metadata: a dist-info with its entry points."""
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]
    info = tmp_path / f"lapor_redis_store-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    )
    points = project["entry-points"][ENTRY_POINT_GROUP]
    lines = "".join(f"{name} = {target}\n" for name, target in points.items())
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{lines}")
    monkeypatch.syspath_prepend(str(tmp_path))


@pytest.mark.usefixtures("installed")
def test_entry_point_registers_the_redis_scheme(redis_url: str) -> None:
    """The redis scheme is known, and open_store gives this package's store."""
    assert "redis" in known_schemes()
    store = open_store(redis_url)
    try:
        assert isinstance(store, RedisComplaintStore)
    finally:
        store.close()


@pytest.mark.usefixtures("installed")
def test_desk_runs_on_the_plugin(redis_url: str) -> None:
    """A desk opened on a redis:// URL submits, forwards and verifies a complaint's history."""
    desk = lc.ComplaintDesk.open(redis_url, pepper="redis example pepper 0123456789")
    try:
        receipt = desk.submit(
            lc.Submission.from_dict(
                {"kind": "pengaduan", "channel": "web", "title": "Banjir", "body": "Air naik."}
            )
        )
        desk.forward(lc.Principal.admin("adm-1"), receipt.tracking_id, institution="31.71")
        assert desk.verify_history(receipt.tracking_id).ok
        assert desk.store.get(receipt.tracking_id).status is lc.Status.FORWARDED
    finally:
        desk.close()
