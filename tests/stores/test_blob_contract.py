"""The BlobStore contract on the in-memory and directory stores, and a kill -9 during a directory put."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from lapor_core._domain.blobs import BlobStore
from lapor_core.errors import NotFound
from lapor_core.stores.directory import DirectoryBlobStore
from lapor_core.stores.memory import InMemoryBlobStore
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
