from __future__ import annotations

import io
from pathlib import Path

import pytest

import lapor_core as lc
from lapor_core.cli import main


def _run(*argv: str) -> str:
    out = io.StringIO()
    assert main(list(argv), out=out) == 0
    return out.getvalue()


def test_db_upgrade_creates_the_schema_and_current_reports_it(tmp_path: Path):
    """`lapor db upgrade` migrates an empty SQLite file to head; `lapor db current` names that revision."""
    url = f"sqlite:///{tmp_path / 'lapor.db'}"
    assert "no lapor_core schema" in _run("db", "current", url)
    assert "upgraded to head" in _run("db", "upgrade", url)
    from lapor_core.stores.sql import SCHEMA_REVISION

    assert _run("db", "current", url).startswith(SCHEMA_REVISION)
    desk = lc.ComplaintDesk.open(url, pepper="a long enough test pepper")
    desk.dispose()


def test_db_upgrade_sql_prints_a_script_without_touching_the_database(tmp_path: Path):
    """`--sql` prints the DDL a DBA would run and leaves the file without a schema."""
    url = f"sqlite:///{tmp_path / 'offline.db'}"
    script = _run("db", "upgrade", url, "--sql")
    assert "CREATE TABLE lapor_complaints" in script
    assert "no lapor_core schema" in _run("db", "current", url)


def test_db_with_an_unsupported_url_is_a_usage_error(capsys: pytest.CaptureFixture[str]):
    """A URL no SQL store understands exits with status 2 and a message, not a traceback."""
    with pytest.raises(SystemExit) as caught:
        main(["db", "upgrade", "oracle://nowhere/db"])
    assert caught.value.code == 2
    assert "lapor" in capsys.readouterr().err
