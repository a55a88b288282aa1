from __future__ import annotations

import io
from pathlib import Path

import pytest

import lapor_core as lc
from lapor_core.cli import main
from lapor_core.stores.sql import REVISIONS, SCHEMA_REVISION


def _run(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert main(list(argv), out=out, err=err) == 0, err.getvalue()
    return out.getvalue()


def _refused(*argv: str, status: int) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert main(list(argv), out=out, err=err) == status
    assert out.getvalue() == ""
    [line] = err.getvalue().splitlines()
    return line


@pytest.fixture
def url(tmp_path: Path) -> str:
    """The URL of a SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'lapor.db'}"


def test_db_upgrade_creates_the_schema_and_current_reports_it(url: str) -> None:
    """`lapor db upgrade` migrates an empty SQLite file to head; `lapor db current` names that revision."""
    assert (
        _run("db", "current", url)
        == f"belum ada skema lapor_core (versi ini memerlukan revisi {SCHEMA_REVISION})\n"
    )
    assert _run("db", "upgrade", url) == "skema diperbarui ke revisi head\n"
    assert (
        _run("db", "current", url) == f"{SCHEMA_REVISION} (versi ini memerlukan revisi {SCHEMA_REVISION})\n"
    )
    assert (
        _run("db", "current", url, "--lang", "en")
        == f"{SCHEMA_REVISION} (this code needs {SCHEMA_REVISION})\n"
    )
    desk = lc.ComplaintDesk.open(url, pepper="a long enough test pepper")
    desk.close()


def test_db_upgrade_to_a_named_revision_stops_there(url: str) -> None:
    """--revision 0003 migrates to 0003 only; `upgraded to 0003` in English."""
    assert _run("db", "upgrade", url, "--revision", "0003", "--lang", "en") == "upgraded to 0003\n"
    assert _run("db", "current", url).startswith("0003 ")


def test_db_upgrade_sql_prints_a_script_without_touching_the_database(url: str) -> None:
    """`--sql` prints the DDL a DBA would run and leaves the file without a schema."""
    script = _run("db", "upgrade", url, "--sql")
    assert "CREATE TABLE lapor_complaints" in script
    assert "belum ada skema lapor_core" in _run("db", "current", url)


@pytest.mark.parametrize(
    "argv",
    [
        ["--revision="],
        ["--revision", ""],
        ["--sql", "--revision", "5"],
        ["--revision", "5"],
        ["--revision", "9999"],
        ["--revision", "+1"],
        ["--sql", "--revision", "base"],
    ],
)
def test_an_unknown_revision_is_one_line_with_status_2(url: str, argv: list[str]) -> None:
    """Revisions Alembic would choke on (`--revision=`, `--sql --revision 5`) are refused by upgrade."""
    known = ", ".join(("head", *REVISIONS))
    assert (
        _refused("db", "upgrade", url, *argv, status=2)
        == f"lapor db: Masukan tidak valid: revision: harus salah satu dari: {known}"
    )
    assert _refused("db", "upgrade", url, *argv, "--lang", "en", status=2) == (
        f"lapor db: Invalid input: revision: must be one of {known}"
    )


def test_db_with_an_unsupported_url_is_a_configuration_error(url: str) -> None:
    """A URL no SQL store understands exits with status 3 and one line naming the scheme, not a traceback."""
    line = _refused("db", "upgrade", "oracle://nowhere/db", status=3)
    assert line.startswith("lapor db: Konfigurasi salah: ")
    assert "oracle" in line
    assert "lapor db: " in _refused("db", "current", "not a url", status=3)


def test_db_needs_an_action_it_knows(url: str) -> None:
    """`lapor db drop` is a usage error naming the choices."""
    line = _refused("db", "drop", url, status=2)
    assert line.startswith("lapor db: penggunaan salah: argument action: invalid choice: 'drop'")
