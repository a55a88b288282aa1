"""The BlobStore contract on memory, directory, SQLite, PostgreSQL and MariaDB; kill -9 mid-write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

import attachment_files as files
import lapor_core as lc
from lapor_core._domain.blobs import BlobStore
from lapor_core.errors import NotFound
from lapor_core.stores.directory import DirectoryBlobStore
from lapor_core.stores.memory import InMemoryBlobStore
from lapor_core.stores.sql import SqlBlobStore, SqlComplaintStore
from lapor_core.testing import BlobStoreContract
from lapor_core.testing.blob_contracts import address_of


class TestInMemoryBlobStore(BlobStoreContract):
    """The blob store contract in memory."""

    @pytest.fixture
    def blob_store(self) -> Iterator[BlobStore]:
        """A new in-memory blob store."""
        store = InMemoryBlobStore()
        yield store
        store.close()


class TestDirectoryBlobStore(BlobStoreContract):
    """The blob store contract in a directory."""

    @pytest.fixture
    def blob_store(self, tmp_path: Path) -> Iterator[BlobStore]:
        """A new directory blob store in a temporary directory."""
        store = DirectoryBlobStore(tmp_path / "blobs")
        yield store
        store.close()


_WRITER = textwrap.dedent(
    """
    import sys, time
    from lapor_core.stores.directory import DirectoryBlobStore

    root, address, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    chunk = bytes(range(256)) * 4096  # 1 MiB

    def chunks():
        for index in range(size):
            yield chunk
            if index == 2:
                print("writing", flush=True)
                time.sleep(60)  # killed here, with 3 MiB written to the temporary file

    DirectoryBlobStore(root).put(address, chunks())
    print("done", flush=True)
    """
)


def test_kill_9_during_a_put_leaves_no_part_of_the_blob(tmp_path: Path) -> None:
    """A process killed with SIGKILL mid-write leaves no blob under the address; a new put then works."""
    root = tmp_path / "blobs"
    size = 8
    data = (bytes(range(256)) * 4096) * size
    address = address_of(data)
    with subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(root), address, str(size)],
        stdout=subprocess.PIPE,
        text=True,
    ) as writer:
        try:
            assert writer.stdout is not None
            assert writer.stdout.readline().strip() == "writing"
            incoming = list((root / ".incoming").iterdir())
            assert len(incoming) == 1
            assert incoming[0].stat().st_size >= 3 * 1024 * 1024  # the write was under way
        finally:
            os.kill(writer.pid, signal.SIGKILL)
            writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    store = DirectoryBlobStore(root)  # reopening removes what the killed put left
    assert not store.exists(address)
    with pytest.raises(NotFound):
        store.get(address)
    assert list((root / ".incoming").iterdir()) == []
    assert [p for p in root.rglob("*") if p.is_file()] == []
    store.put(address, [data])
    assert b"".join(store.get(address)) == data


def test_a_finished_put_survives_the_process(tmp_path: Path) -> None:
    """A put that returned is complete on disk for another process (here: another store on the root)."""
    root = tmp_path / "blobs"
    data = b"tanda terima retribusi" * 1000
    DirectoryBlobStore(root).put(address_of(data), [data])
    reopened = DirectoryBlobStore(root)
    assert b"".join(reopened.get(address_of(data))) == data
    assert (root / address_of(data)[:2] / address_of(data)[2:4] / address_of(data)).is_file()


class TestSqliteBlobStore(BlobStoreContract):
    """The blob store contract on a SQLite file."""

    @pytest.fixture
    def blob_store(self, sqlite_url: str) -> Iterator[BlobStore]:
        """A SQL blob store on a new SQLite file."""
        store = SqlBlobStore(sqlite_url)
        yield store
        store.close()


class TestSqliteSharedBlobStore(BlobStoreContract):
    """The blob store contract on in-memory SQLite, sharing a complaint store's single connection."""

    @pytest.fixture
    def blob_store(self) -> Iterator[BlobStore]:
        """A SQL blob store on the database of an in-memory SQL complaint store."""
        complaints = SqlComplaintStore("sqlite://")
        store = SqlBlobStore(complaints)
        yield store
        store.close()
        complaints.close()


@pytest.mark.services
class TestPostgresBlobStore(BlobStoreContract):
    """The blob store contract on PostgreSQL."""

    @pytest.fixture
    def blob_store(self, clean_postgres_url: str) -> Iterator[BlobStore]:
        """A SQL blob store on the session's PostgreSQL database, emptied for the test."""
        store = SqlBlobStore(clean_postgres_url, pool_size=4)
        yield store
        store.close()


@pytest.mark.services
class TestMariadbBlobStore(BlobStoreContract):
    """The blob store contract on MariaDB."""

    @pytest.fixture
    def blob_store(self, clean_mariadb_url: str) -> Iterator[BlobStore]:
        """A SQL blob store on the session's MariaDB database, emptied for the test."""
        store = SqlBlobStore(clean_mariadb_url, pool_size=4)
        yield store
        store.close()


def test_the_sql_store_keeps_a_blob_in_chunks_of_at_most_one_mebibyte(sqlite_url: str) -> None:
    """A 2.5 MiB blob is three rows, numbered 0 to 2, however it was chunked when put."""
    data = os.urandom(5 * 512 * 1024)
    store = SqlBlobStore(sqlite_url)
    try:
        store.put(address_of(data), [data[:10], data[10:]])
    finally:
        store.close()
    engine = sa.create_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT seq, length(data) FROM lapor_blob_chunks ORDER BY seq")
            ).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in rows] == [(0, 1024 * 1024), (1, 1024 * 1024), (2, 512 * 1024)]


_SQL_WRITER = textwrap.dedent(
    """
    import sys, time
    from lapor_core.stores.sql import SqlBlobStore

    url, address, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    chunk = bytes(range(256)) * 4096  # 1 MiB

    def chunks():
        for index in range(size):
            yield chunk
            if index == 2:
                print("writing", flush=True)
                time.sleep(60)  # killed here, inside the transaction, 3 chunks inserted

    SqlBlobStore(url).put(address, chunks())
    print("done", flush=True)
    """
)


def test_kill_9_during_a_sql_put_leaves_no_part_of_the_blob(sqlite_url: str) -> None:
    """On SQLite a put killed mid-transaction leaves no chunk: the whole blob or none."""
    size = 6
    data = (bytes(range(256)) * 4096) * size
    address = address_of(data)
    SqlBlobStore(sqlite_url).close()  # the schema, created before the writer starts
    with subprocess.Popen(
        [sys.executable, "-c", _SQL_WRITER, sqlite_url, address, str(size)], stdout=subprocess.PIPE, text=True
    ) as writer:
        try:
            assert writer.stdout is not None
            assert writer.stdout.readline().strip() == "writing"
        finally:
            os.kill(writer.pid, signal.SIGKILL)
            writer.wait(timeout=30)
    store = SqlBlobStore(sqlite_url)
    try:
        assert not store.exists(address)
        store.put(address, [data])
        assert b"".join(store.get(address)) == data
    finally:
        store.close()
    engine = sa.create_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            count = connection.execute(sa.text("SELECT count(*) FROM lapor_blob_chunks")).scalar_one()
    finally:
        engine.dispose()
    assert count == size


def test_a_desk_on_each_sql_database_keeps_its_attachments_there(store_url: str) -> None:
    """A desk opened on SQLite, PostgreSQL or MariaDB keeps files in the database: they survive reopening."""
    pepper = "test pepper, 32 bytes of entropy!"
    report = lc.Submission.from_dict(
        {"kind": "pengaduan", "channel": "web", "title": "Banjir", "body": "Sebetis."}
    )
    desk = lc.ComplaintDesk.open(store_url, pepper=pepper)
    try:
        receipt = desk.submit(
            report, attachments=[("a.jpg", files.jpeg((1200, 900))), ("b.pdf", files.pdf())]
        )
    finally:
        desk.close()
    admin = lc.Principal.admin("adm-1")
    reopened = lc.ComplaintDesk.open(store_url, pepper=pepper)
    try:
        stored = reopened.attachments(admin, receipt.tracking_id)
        assert [a.content_type for a in stored] == ["image/jpeg", "application/pdf"]
        for attachment in stored:
            data = reopened.read_attachment(admin, receipt.tracking_id, attachment.id)
            assert address_of(data) == attachment.sha256
        small = reopened.read_attachment(admin, receipt.tracking_id, stored[0].id, thumbnail=True)
        assert address_of(small) == stored[0].thumbnail_sha256
    finally:
        reopened.close()
