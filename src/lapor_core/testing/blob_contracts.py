"""The contract every :class:`~lapor_core.plugins.BlobStore` must pass.

Subclass :class:`BlobStoreContract` in a test module with a ``Test`` name and override the fixture
``blob_store`` so that it yields a new, empty store (and closes it afterwards)::

    import pytest
    from lapor_core.testing import BlobStoreContract

    from my_package import MyBlobStore


    class TestMyBlobStore(BlobStoreContract):
        @pytest.fixture
        def blob_store(self):
            store = MyBlobStore(...)
            yield store
            store.close()

It needs pytest and Hypothesis, which a test environment has; lapor_core does not depend on them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lapor_core._domain.blobs import BlobStore
from lapor_core.errors import NotFound, ValidationError

__all__ = ["BlobStoreContract", "address_of"]


def address_of(data: bytes) -> str:
    """The content address of ``data``: its hex SHA-256."""
    return hashlib.sha256(data).hexdigest()


class _Boom(Exception):
    """Raised by a chunk iterable half-way through, to show a failing put stores nothing."""


def _failing_chunks(first: bytes) -> Iterator[bytes]:
    yield first
    raise _Boom


class BlobStoreContract:
    """The behaviour every blob store must show; run it by subclassing (see the module docstring)."""

    @pytest.fixture
    def blob_store(self) -> Iterator[BlobStore]:
        """A new, empty store; override in the subclass."""
        raise NotImplementedError("override the blob_store fixture")

    def test_a_stored_blob_reads_back_byte_for_byte(self, blob_store: BlobStore) -> None:
        """What put stores under an address, get returns, whatever the chunking."""
        data = os.urandom(3 * 1024 * 1024 + 17)
        address = address_of(data)
        blob_store.put(address, [data[:5], data[5 : 2 * 1024 * 1024], data[2 * 1024 * 1024 :]])
        assert blob_store.exists(address)
        assert b"".join(blob_store.get(address)) == data

    def test_large_blobs_are_read_in_chunks(self, blob_store: BlobStore) -> None:
        """Get streams: a 5 MiB blob comes back in more than one chunk, none larger than 8 MiB."""
        data = os.urandom(5 * 1024 * 1024)
        address = address_of(data)
        blob_store.put(address, iter([data]))
        chunks = list(blob_store.get(address))
        assert len(chunks) > 1
        assert max(len(c) for c in chunks) <= 8 * 1024 * 1024
        assert b"".join(chunks) == data

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.differing_executors],
    )
    @given(st.lists(st.binary(max_size=2000), min_size=1, max_size=5))
    def test_any_bytes_survive_a_round_trip(self, blob_store: BlobStore, chunks: list[bytes]) -> None:
        """Any bytes at all (NUL, invalid UTF-8, nothing) come back equal."""
        data = b"".join(chunks)
        address = address_of(data)
        blob_store.put(address, chunks)
        assert b"".join(blob_store.get(address)) == data

    def test_putting_a_stored_address_again_changes_nothing(self, blob_store: BlobStore) -> None:
        """Put is idempotent: the same address twice keeps one blob with its bytes."""
        data = b"foto jalan rusak"
        address = address_of(data)
        blob_store.put(address, [data])
        blob_store.put(address, [data])
        assert b"".join(blob_store.get(address)) == data
        assert blob_store.delete(address)
        assert not blob_store.exists(address)

    def test_an_unknown_address_is_not_found_at_once(self, blob_store: BlobStore) -> None:
        """Get raises NotFound when called, before any chunk is read; exists says False."""
        address = address_of(b"never stored")
        with pytest.raises(NotFound) as raised:
            blob_store.get(address)
        assert raised.value.kind == "blob"
        assert not blob_store.exists(address)

    def test_delete_removes_and_says_whether_there_was_a_blob(self, blob_store: BlobStore) -> None:
        """Delete returns True once, then False; the blob is gone and other blobs stay."""
        first, second = b"pertama", b"kedua"
        blob_store.put(address_of(first), [first])
        blob_store.put(address_of(second), [second])
        assert blob_store.delete(address_of(first)) is True
        assert blob_store.delete(address_of(first)) is False
        with pytest.raises(NotFound):
            blob_store.get(address_of(first))
        assert b"".join(blob_store.get(address_of(second))) == second

    def test_a_put_that_fails_half_way_stores_nothing(self, blob_store: BlobStore) -> None:
        """When the chunks fail part-way, the address holds nothing (not the first part)."""
        data = b"setengah" * 1000
        address = address_of(data)
        with pytest.raises(_Boom):
            blob_store.put(address, _failing_chunks(data[:100]))
        assert not blob_store.exists(address)
        with pytest.raises(NotFound):
            blob_store.get(address)
        blob_store.put(address, [data])
        assert b"".join(blob_store.get(address)) == data

    @pytest.mark.parametrize(
        "address",
        ["", "0" * 63, "0" * 65, "A" * 64, "../" + "0" * 61, "/etc/passwd", None, 42, b"0" * 64],
    )
    def test_a_malformed_address_is_refused_before_any_io(
        self, blob_store: BlobStore, address: object
    ) -> None:
        """Every method refuses anything but 64 lowercase hex digits with ValidationError."""
        for call in (
            lambda: blob_store.put(address, [b"x"]),  # type: ignore[arg-type]
            lambda: blob_store.get(address),  # type: ignore[arg-type]
            lambda: blob_store.exists(address),  # type: ignore[arg-type]
            lambda: blob_store.delete(address),  # type: ignore[arg-type]
        ):
            with pytest.raises(ValidationError) as raised:
                call()
            assert raised.value.errors[0].code == "blob.address_bad"

    def test_concurrent_puts_of_the_same_and_different_blobs(self, blob_store: BlobStore) -> None:
        """Threads putting the same blob and different blobs at once leave each whole."""
        blobs = [os.urandom(200_000) for _ in range(4)]
        jobs = [blobs[i % 4] for i in range(16)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda data: blob_store.put(address_of(data), [data]), jobs))
        for data in blobs:
            assert b"".join(blob_store.get(address_of(data))) == data
