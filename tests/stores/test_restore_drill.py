"""The restore drill of the operations guide (docs/operations/restore_drill.py) on real backups.

SQLite is backed up while a desk has it open, with the sqlite3 shell's ``.backup`` and ``VACUUM INTO``;
PostgreSQL with ``pg_dump --format=custom`` and ``pg_restore`` into another database on 127.0.0.1. The drill
passes on a good copy and fails on a copy whose history was altered or opened with another pepper.
"""

from __future__ import annotations

import importlib.util
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from types import ModuleType

import pytest

import lapor_core as lc
from lapor_core.errors import ConfigurationError

PEPPER = "restore drill test pepper 0123456789"
DRILL = Path(__file__).parent.parent.parent / "docs" / "operations" / "restore_drill.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("restore_drill", DRILL)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


restore_drill = _load()


def fill(desk: lc.ComplaintDesk, count: int) -> lc.Receipt:
    """Submit ``count`` complaints and forward the first; its receipt."""
    receipts = [
        desk.submit(
            lc.Submission.from_dict({"kind": "pengaduan", "channel": "web", "title": f"L{n}", "body": "Isi."})
        )
        for n in range(count)
    ]
    desk.forward(lc.Principal.admin("adm-1"), receipts[0].tracking_id, institution="73.06")
    return receipts[0]


def run(*command: str) -> None:
    """Run a database tool; fail the test with its output when it fails."""
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[Path, lc.Receipt]]:
    """A SQLite database with three complaints, open in a desk while the backups are taken."""
    database = tmp_path / "lapor.db"
    with lc.ComplaintDesk.open(f"sqlite:///{database}", pepper=PEPPER) as desk:
        yield database, fill(desk, 3)


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="the sqlite3 shell is not installed")
@pytest.mark.parametrize("how", [".backup", "VACUUM INTO"])
def test_sqlite_backup_taken_while_open_passes_the_drill(
    live: tuple[Path, lc.Receipt], tmp_path: Path, how: str
) -> None:
    """Both online backups hold every complaint with verified histories, and the reporter's key opens."""
    database, receipt = live
    copy = tmp_path / "copy.db"
    run("sqlite3", str(database), f".backup {copy}" if how == ".backup" else f"VACUUM INTO '{copy}'")
    reporter = (receipt.tracking_id, receipt.access_key)
    report = restore_drill.drill(f"sqlite:///{copy}", pepper=PEPPER, reporter=reporter)
    assert (report.complaints, report.broken, report.reporter_opens, report.ok) == (3, (), True, True)


@pytest.mark.parametrize(
    "change",
    ["payload = replace(payload, '\"L0\"', '\"L9\"')", "actor = 'not json'"],
    ids=["edited", "undecodable"],
)
def test_drill_fails_on_an_altered_history_and_on_another_pepper(
    live: tuple[Path, lc.Receipt], tmp_path: Path, change: str
) -> None:
    """An edited or undecodable event breaks its complaint; a copy with a new pepper refuses the key."""
    database, receipt = live
    copy = tmp_path / "copy.db"
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("VACUUM INTO ?", (str(copy),))
    with closing(sqlite3.connect(copy)) as connection, connection:
        changed = connection.execute(
            f"UPDATE lapor_events SET {change} WHERE complaint_id = ? AND seq = 0",  # noqa: S608 - the test's own
            (receipt.tracking_id,),
        )
        assert changed.rowcount == 1
    report = restore_drill.drill(f"sqlite:///{copy}", pepper=PEPPER)
    assert (report.complaints, report.broken, report.ok) == (3, (receipt.tracking_id,), False)
    reporter = (receipt.tracking_id, receipt.access_key)
    other = restore_drill.drill(f"sqlite:///{copy}", pepper="another pepper, 0123456789", reporter=reporter)
    assert (other.reporter_opens, other.ok) == (False, False)


def test_drill_refuses_a_file_without_the_schema(tmp_path: Path) -> None:
    """A copy that is not a lapor_core database (an empty file) is a configuration error, not a pass."""
    with pytest.raises(ConfigurationError):
        restore_drill.drill(f"sqlite:///{tmp_path / 'empty.db'}", pepper=PEPPER)


def test_drill_command_prints_and_exits_by_the_result(
    live: tuple[Path, lc.Receipt], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``python restore_drill.py URL ID KEY``: a summary and status 0; other arguments: usage, status 2."""
    database, receipt = live
    monkeypatch.setenv("LAPOR_PEPPER", PEPPER)
    assert restore_drill.main([f"sqlite:///{database}", receipt.tracking_id, receipt.access_key]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "complaints: 3, histories broken: 0",
        "reporter's key opens the complaint: yes",
        "restore drill passed",
    ]
    assert restore_drill.main([f"sqlite:///{database}", receipt.tracking_id]) == 2


@pytest.mark.services
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_postgresql_dump_restored_into_another_database_passes_the_drill(
    postgres_server: object, tmp_path: Path
) -> None:
    """pg_dump --format=custom of the database, pg_restore into a scratch database, then the drill."""
    source = postgres_server.create_database()  # type: ignore[attr-defined]
    scratch = postgres_server.create_database()  # type: ignore[attr-defined]
    with lc.ComplaintDesk.open(source, pepper=PEPPER) as desk:
        receipt = fill(desk, 3)
    dump = tmp_path / "lapor.dump"
    libpq = {url: url.replace("postgresql+psycopg://", "postgresql://") for url in (source, scratch)}
    run("pg_dump", "--format=custom", f"--file={dump}", f"--dbname={libpq[source]}")
    run("pg_restore", f"--dbname={libpq[scratch]}", "--no-owner", "--exit-on-error", str(dump))
    reporter = (receipt.tracking_id, receipt.access_key)
    report = restore_drill.drill(scratch, pepper=PEPPER, reporter=reporter)
    assert (report.complaints, report.broken, report.reporter_opens, report.ok) == (3, (), True, True)
