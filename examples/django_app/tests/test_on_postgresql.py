"""The example's pages and commands on PostgreSQL: the same tests, in a pytest run of their own.

pytest-django sets Django up once per run, on one database, so the PostgreSQL run is a second pytest process
with ``LAPOR_DJANGO_POSTGRES`` set (Django creates and drops its ``test_...`` database on the local server).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres?connect_timeout=3"


@pytest.mark.services
@pytest.mark.slow
def test_the_pages_principals_and_commands_pass_on_postgresql(tmp_path):
    """test_views, test_principals_and_settings and test_commands, run against PostgreSQL: all pass."""
    try:
        sa.create_engine(SERVER, poolclass=sa.NullPool).connect().close()
    except sa.exc.SQLAlchemyError as error:
        if os.environ.get("CI") == "true" or os.environ.get("LAPOR_REQUIRE_SERVICES") == "1":
            pytest.fail(f"PostgreSQL is not reachable: {type(error).__name__}")
        pytest.skip(f"PostgreSQL is not reachable: {type(error).__name__}")
    environment = os.environ | {
        "LAPOR_DJANGO_POSTGRES": f"127.0.0.1:5432:postgres:lapor_django_{secrets.token_hex(4)}",
        "LAPOR_DJANGO_DATA": str(tmp_path),
    }
    names = ("test_views.py", "test_principals_and_settings.py", "test_commands.py")
    tests = [str(HERE / name) for name in names]
    run = subprocess.run(  # noqa: S603 - this interpreter running this example's own tests
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-cov", *tests],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout
    assert "skipped" not in run.stdout
