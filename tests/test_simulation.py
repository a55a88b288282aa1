from __future__ import annotations

import io
import re
from pathlib import Path

import lapor_core as lc
from lapor_core._demo.tour import run_demo


def _demo(url: str, seed: int = 3) -> str:
    out = io.StringIO()
    assert run_demo(seed=seed, out=out, url=url) == 0
    return out.getvalue()


def test_the_demo_repeats_exactly_for_a_seed_and_differs_for_another():
    """The same seed prints the same report (tracking IDs included); another seed prints another."""
    first = _demo("memory://")
    assert first == _demo("memory://")
    assert first != _demo("memory://", seed=4)


def test_the_demo_reports_every_institution_with_a_plausible_sla_table():
    """The report names the six institutions with their time zones and counts a few hundred complaints."""
    text = _demo("memory://")
    total = int(re.search(r"^(\d+) complaints:", text, re.MULTILINE).group(1))
    assert 150 <= total <= 600
    for code, zone in [("31.71", "Asia/Jakarta"), ("73.71", "Asia/Makassar"), ("91.71", "Asia/Jayapura")]:
        assert re.search(rf"^\s+{re.escape(code)}\s+{zone}\s+\d+", text, re.MULTILINE)
    assert "Timeline of" in text
    assert "breached" in text


def test_the_demo_on_a_sqlite_file_prints_what_the_memory_store_prints(tmp_path: Path):
    """The simulation gives the same report on a fresh SQLite file as in memory, and recreates the file."""
    url = f"sqlite:///{tmp_path / 'sub' / 'demo.db'}"
    memory, sqlite = _demo("memory://"), _demo(url)
    assert sqlite.split("\n", 1)[1] == memory.split("\n", 1)[1]
    assert _demo(url).split("\n", 1)[1] == memory.split("\n", 1)[1]
    desk = lc.ComplaintDesk.open(url, pepper="another long secret pepper")
    assert len(desk.complaints(lc.Principal.admin("a"), lc.ComplaintQuery(limit=1000)).items) > 100
    desk.close()
