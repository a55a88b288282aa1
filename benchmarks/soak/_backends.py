"""The databases a soak runs on, each with its fault: a throwaway database created and dropped by the soak.

- SQLite: a file in the soak's folder; the fault is a second connection holding ``BEGIN EXCLUSIVE`` for
  10 s (every writer waits on its busy timeout meanwhile).
- PostgreSQL: a database ``lapor_soak_<random>`` on 127.0.0.1; the fault is ``pg_terminate_backend`` of
  every connection to it, from a separate admin connection (what a failover does to a client).
- MariaDB: a database ``lapor_soak_<random>`` on 127.0.0.1; the fault is ``KILL`` of every connection to it.

Only the soak's own database is touched. The admin URLs come from ``LAPOR_SOAK_PG_ADMIN`` and
``LAPOR_SOAK_MARIADB_ADMIN`` (a database that exists already, used to create and drop the soak's).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import threading
import time
from pathlib import Path

import sqlalchemy as sa

LOCK_SECONDS = 10.0
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MARIADB_ADMIN = "mysql+pymysql://root@127.0.0.1:3306/test"


class Backend:
    """A throwaway database for one soak, and the fault the soak injects into it now and then."""

    name = ""
    fault_name = ""

    def __init__(self) -> None:
        self.url = ""
        self.faults = 0
        self.fault_notes: list[str] = []

    def engine(self) -> sa.Engine:
        """An engine of its own for the final checks."""
        return sa.create_engine(self.url, poolclass=sa.NullPool)

    def inject_fault(self) -> None:
        """Inject the fault once (counted in ``faults``)."""
        raise NotImplementedError

    def observe(self) -> None:
        """Look at the database while the soak runs (called a few times a second)."""

    def notes(self) -> list[str]:
        """Lines for the report about the database and the faults injected."""
        return [f"{self.faults} x {self.fault_name}", *self.fault_notes]

    def drop(self) -> None:
        """Remove the database (the soak's folder is the runner's to remove)."""

    def kept(self) -> str:
        """Where the database is, for a report that keeps it."""
        return self.url


class SqliteBackend(Backend):
    """A SQLite file; the fault holds an exclusive lock for :data:`LOCK_SECONDS`."""

    name = "sqlite"
    fault_name = f"BEGIN EXCLUSIVE held {LOCK_SECONDS:.0f} s by another connection"

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self._path = folder / "soak.db"
        self.url = f"sqlite:///{self._path}"
        self._holder: threading.Thread | None = None
        self._largest_wal = 0

    def inject_fault(self) -> None:
        """Start holding the lock in a thread, unless the previous lock is still held."""
        if self._holder is not None and self._holder.is_alive():
            return
        self.faults += 1
        self._holder = threading.Thread(target=self._hold_lock, name="exclusive-lock", daemon=True)
        self._holder.start()

    def _hold_lock(self) -> None:
        connection = sqlite3.connect(self._path, timeout=60, isolation_level=None)
        try:
            began = time.monotonic()
            connection.execute("BEGIN EXCLUSIVE")
            waited = time.monotonic() - began
            if waited > 1:
                self.fault_notes.append(f"the exclusive lock waited {waited:.1f} s for the writers")
            time.sleep(LOCK_SECONDS)
            connection.execute("ROLLBACK")
        finally:
            connection.close()

    def observe(self) -> None:
        """Track the largest size the write-ahead log reached."""
        with contextlib.suppress(FileNotFoundError):
            self._largest_wal = max(self._largest_wal, os.stat(f"{self._path}-wal").st_size)

    def notes(self) -> list[str]:
        """The faults and the largest WAL."""
        if self._holder is not None:
            self._holder.join()
        return [*super().notes(), f"largest WAL file {self._largest_wal / 2**20:.1f} MiB"]


class ServerBackend(Backend):
    """A database created on a server on 127.0.0.1, dropped at the end."""

    admin_env = ""
    default_admin = ""

    def __init__(self) -> None:
        super().__init__()
        admin_url = sa.make_url(os.environ.get(self.admin_env, self.default_admin))
        self._admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        self.database = f"lapor_soak_{secrets.token_hex(4)}"
        with self._admin.connect() as connection:
            connection.exec_driver_sql(self.create_statement())
        self.url = admin_url.set(database=self.database, query={}).render_as_string(hide_password=False)
        self.terminated = 0

    def create_statement(self) -> str:
        """The CREATE DATABASE statement for :attr:`database`."""
        raise NotImplementedError

    def drop_statement(self) -> str:
        """The DROP DATABASE statement for :attr:`database`."""
        raise NotImplementedError

    def notes(self) -> list[str]:
        """The rounds and how many connections they ended."""
        return [f"{self.faults} x {self.fault_name}, {self.terminated} connections ended", *self.fault_notes]

    def drop(self) -> None:
        """Drop the soak's database."""
        with self._admin.connect() as connection:
            connection.exec_driver_sql(self.drop_statement())
        self._admin.dispose()


class PostgresBackend(ServerBackend):
    """PostgreSQL; the fault terminates every backend connected to the soak's database."""

    name = "postgresql"
    fault_name = "pg_terminate_backend of every connection"
    admin_env = "LAPOR_SOAK_PG_ADMIN"
    default_admin = PG_ADMIN

    def create_statement(self) -> str:
        """A plain database."""
        return f'CREATE DATABASE "{self.database}"'

    def drop_statement(self) -> str:
        """Dropped even with connections left."""
        return f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'

    def inject_fault(self) -> None:
        """Terminate every other connection to the soak's database."""
        self.faults += 1
        terminate = sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = :name AND pid <> pg_backend_pid()"
        )
        with self._admin.connect() as connection:
            self.terminated += connection.execute(terminate, {"name": self.database}).scalar_one()


class MariadbBackend(ServerBackend):
    """MariaDB; the fault kills every connection to the soak's database."""

    name = "mariadb"
    fault_name = "KILL of every connection"
    admin_env = "LAPOR_SOAK_MARIADB_ADMIN"
    default_admin = MARIADB_ADMIN

    def create_statement(self) -> str:
        """Byte-wise collation, as the store expects."""
        return f"CREATE DATABASE `{self.database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"

    def drop_statement(self) -> str:
        """Dropped with whatever is left in it."""
        return f"DROP DATABASE IF EXISTS `{self.database}`"

    def inject_fault(self) -> None:
        """Kill every other connection to the soak's database."""
        self.faults += 1
        find = sa.text(
            "SELECT id FROM information_schema.processlist WHERE db = :name AND id <> CONNECTION_ID()"
        )
        with self._admin.connect() as connection:
            for (thread,) in connection.execute(find, {"name": self.database}).all():
                try:
                    connection.exec_driver_sql(f"KILL {int(thread)}")
                except sa.exc.DBAPIError:
                    continue  # it ended meanwhile
                self.terminated += 1


def make_backend(name: str, folder: Path) -> Backend:
    """The backend called ``name`` (``sqlite``, ``postgresql`` or ``mariadb``)."""
    if name == "sqlite":
        return SqliteBackend(folder)
    if name == "postgresql":
        return PostgresBackend()
    if name == "mariadb":
        return MariadbBackend()
    raise ValueError(f"unknown backend {name!r}: sqlite, postgresql or mariadb")


BACKENDS = ("sqlite", "postgresql", "mariadb")
