"""The in-memory blob store: attachments' bytes in a dictionary, lost at exit."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

from lapor_core._domain.blobs import CHUNK, check_address, chunked
from lapor_core.errors import NotFound

__all__ = ["InMemoryBlobStore"]


class InMemoryBlobStore:
    """A :class:`~lapor_core.plugins.BlobStore` in memory, for tests, demonstrations and the default desk.

    ``put`` gathers every chunk before it stores the blob, so a failing iterable stores nothing.
    """

    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, address: str, chunks: Iterable[bytes]) -> None:
        """Store the concatenated ``chunks`` under ``address`` (nothing if it is stored)."""
        check_address(address)
        with self._lock:
            if address in self._blobs:
                return
        data = b"".join(bytes(chunk) for chunk in chunks)
        with self._lock:
            self._blobs.setdefault(address, data)

    def get(self, address: str) -> Iterator[bytes]:
        """The blob's bytes in chunks of 1 MiB; NotFound for an unknown address."""
        check_address(address)
        with self._lock:
            data = self._blobs.get(address)
        if data is None:
            raise NotFound(kind="blob", key=address)
        return chunked(data, CHUNK)

    def exists(self, address: str) -> bool:
        """Whether ``address`` is stored."""
        check_address(address)
        with self._lock:
            return address in self._blobs

    def delete(self, address: str) -> bool:
        """Remove the blob; True if there was one."""
        check_address(address)
        with self._lock:
            return self._blobs.pop(address, None) is not None

    def close(self) -> None:
        """Nothing to release."""
