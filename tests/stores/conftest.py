"""Fixtures for the store tests: throwaway databases on the local PostgreSQL and MariaDB servers.

Each test session creates its own databases (``lapor_test_<random>``) on 127.0.0.1 and drops them at the
end; nothing else on the servers is touched. A server that cannot be reached skips its tests, except when
``CI=true`` or ``LAPOR_REQUIRE_SERVICES=1``: then it fails them, so CI cannot pass by skipping.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest
import sqlalchemy as sa

from lapor_core.stores.sql._schema import metadata

HOST = "127.0.0.1"
POSTGRES_PORT = 5432
MARIADB_PORT = 3306
SQL_BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.services),
    pytest.param("mariadb", marks=pytest.mark.services),
]


def services_required() -> bool:
    """Whether an unreachable server must fail the tests instead of skipping them."""
    ci = os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}
    return ci or os.environ.get("LAPOR_REQUIRE_SERVICES", "").strip() == "1"


def unavailable(service: str, error: BaseException) -> NoReturn:
    """Skip the test, or fail it when services are required, because ``service`` cannot be reached."""
    reason = f"{service} on {HOST} is not reachable ({type(error).__name__}: {str(error).strip()[:200]})"
    if services_required():
        pytest.fail(f"{reason}; CI=true or LAPOR_REQUIRE_SERVICES=1 requires it", pytrace=False)
    pytest.skip(reason)


class Server:
    """A database server on 127.0.0.1 on which the session creates and finally drops its own databases."""

    def __init__(self, name: str, admin_url: str, url_template: str) -> None:
        self.name = name
        self._admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        self._template = url_template
        self._created: list[str] = []
        with self._admin.connect() as connection:
            connection.execute(sa.text("SELECT 1"))

    def create_database(self) -> str:
        """Create an empty database and return its URL."""
        name = f"lapor_test_{secrets.token_hex(4)}"
        with self._admin.connect() as connection:
            if self._admin.dialect.name == "postgresql":
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
            else:
                connection.execute(
                    sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
                )
        self._created.append(name)
        return self._template.format(database=name)

    def drop_databases(self) -> None:
        """Drop every database this session created."""
        with self._admin.connect() as connection:
            for name in self._created:
                if self._admin.dialect.name == "postgresql":
                    connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                else:
                    connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        self._created.clear()
        self._admin.dispose()


def _server(name: str, admin_url: str, url_template: str) -> Iterator[Server]:
    try:
        server = Server(name, admin_url, url_template)
    except sa.exc.SQLAlchemyError as e:
        unavailable(name, e)
    try:
        yield server
    finally:
        server.drop_databases()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    """The PostgreSQL server on 127.0.0.1:5432 (user postgres, trust authentication)."""
    yield from _server(
        "PostgreSQL",
        f"postgresql+psycopg://postgres@{HOST}:{POSTGRES_PORT}/test?connect_timeout=3",
        f"postgresql+psycopg://postgres@{HOST}:{POSTGRES_PORT}/{{database}}",
    )


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[Server]:
    """The MariaDB server on 127.0.0.1:3306 (user root, empty password)."""
    yield from _server(
        "MariaDB",
        f"mysql+pymysql://root@{HOST}:{MARIADB_PORT}/test?connect_timeout=3",
        f"mysql+pymysql://root@{HOST}:{MARIADB_PORT}/{{database}}",
    )


@pytest.fixture(scope="session")
def postgres_url(postgres_server: Server) -> str:
    """A database on PostgreSQL shared by this session's tests (each test empties it first)."""
    return postgres_server.create_database()


@pytest.fixture(scope="session")
def mariadb_url(mariadb_server: Server) -> str:
    """A database on MariaDB shared by this session's tests (each test empties it first)."""
    return mariadb_server.create_database()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'lapor.db'}"


@pytest.fixture(params=SQL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each SQL backend in turn."""
    name: str = request.param
    return name


@pytest.fixture
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    """A factory of new, empty databases on a backend (``"sqlite"``, ``"postgresql"`` or ``"mariadb"``)."""
    counter = iter(range(1_000))

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'new-{next(counter)}.db'}"
        server: Server = request.getfixturevalue(
            f"{'postgres' if backend == 'postgresql' else backend}_server"
        )
        return server.create_database()

    return make


@pytest.fixture
def empty_url(backend: str, new_database: Callable[[str], str]) -> str:
    """A new, empty database on the backend under test."""
    return new_database(backend)


def _empty_tables(url: str) -> str:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.begin() as connection:
            existing = set(sa.inspect(connection).get_table_names())
            for table in reversed(metadata.sorted_tables):
                if table.name in existing:
                    connection.execute(table.delete())
    finally:
        engine.dispose()
    return url


@pytest.fixture
def clean_postgres_url(postgres_url: str) -> str:
    """The session's PostgreSQL database, with lapor_core's tables (if any) emptied for this test."""
    return _empty_tables(postgres_url)


@pytest.fixture
def clean_mariadb_url(mariadb_url: str) -> str:
    """The session's MariaDB database, with lapor_core's tables (if any) emptied for this test."""
    return _empty_tables(mariadb_url)


@pytest.fixture
def store_url(request: pytest.FixtureRequest, backend: str) -> str:
    """A database with no complaints on the backend under test (a new file for SQLite)."""
    if backend == "sqlite":
        url: str = request.getfixturevalue("sqlite_url")
        return url
    clean: str = request.getfixturevalue(f"clean_{'postgres' if backend == 'postgresql' else backend}_url")
    return clean
