"""The directory blob store: ``<root>/ab/cd/abcd...`` files, each written to a temporary file and renamed."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from lapor_core._domain.blobs import CHUNK, check_address
from lapor_core.errors import NotFound, StorageError

__all__ = ["DirectoryBlobStore"]

_TEMPORARY = ".incoming"


def _failed(operation: str, error: OSError) -> StorageError:
    return StorageError(
        detail="storage.operation_failed", params={"operation": operation, "cause": type(error).__name__}
    )


def _fsync_directory(path: Path) -> None:
    if os.name != "posix":  # pragma: no cover - directories cannot be opened for fsync elsewhere
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class DirectoryBlobStore:
    """A :class:`~lapor_core.plugins.BlobStore` in a directory, content-addressed.

    A blob is written to a temporary file in ``<root>/.incoming`` (the same file system), flushed and
    ``fsync``-ed, then renamed to ``<root>/ab/cd/<address>`` and the directory ``fsync``-ed: a crash (even
    ``kill -9`` or a power cut) during a ``put`` leaves the whole blob or none, never a part under its
    address. Temporary files a crash leaves behind are removed when a store next opens the directory.

    Args:
        root: The directory; created if missing (with its parents).

    Example:
        >>> import hashlib, tempfile
        >>> store = DirectoryBlobStore(tempfile.mkdtemp())
        >>> address = hashlib.sha256(b"foto").hexdigest()
        >>> store.put(address, [b"fo", b"to"])
        >>> b"".join(store.get(address))
        b'foto'
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self._root = Path(root)
        self._incoming = self._root / _TEMPORARY
        try:
            self._incoming.mkdir(parents=True, exist_ok=True)
            for leftover in self._incoming.iterdir():
                with contextlib.suppress(OSError):
                    leftover.unlink()
        except OSError as e:
            raise _failed("opening the blob directory", e) from e

    @property
    def root(self) -> Path:
        """The directory the blobs live in."""
        return self._root

    def _path(self, address: str) -> Path:
        check_address(address)
        return self._root / address[:2] / address[2:4] / address

    def put(self, address: str, chunks: Iterable[bytes]) -> None:
        """Store the concatenated ``chunks`` under ``address`` atomically (nothing if it is stored)."""
        final = self._path(address)
        if final.exists():
            return
        try:
            descriptor, temporary = tempfile.mkstemp(dir=self._incoming, prefix=address[:16])
        except OSError as e:
            raise _failed("writing a blob", e) from e
        try:
            with os.fdopen(descriptor, "wb") as handle:
                for chunk in chunks:
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temporary, final)
            _fsync_directory(final.parent)
        except OSError as e:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise _failed("writing a blob", e) from e
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def get(self, address: str) -> Iterator[bytes]:
        """The blob's bytes in chunks of 1 MiB; NotFound for an unknown address."""
        path = self._path(address)
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            raise NotFound(kind="blob", key=address) from None
        except OSError as e:
            raise _failed("reading a blob", e) from e
        return self._read(handle)

    @staticmethod
    def _read(handle: BinaryIO) -> Iterator[bytes]:
        with handle:
            while True:
                try:
                    chunk = handle.read(CHUNK)
                except OSError as e:
                    raise _failed("reading a blob", e) from e
                if not chunk:
                    return
                yield chunk

    def exists(self, address: str) -> bool:
        """Whether ``address`` is stored."""
        return self._path(address).is_file()

    def delete(self, address: str) -> bool:
        """Remove the blob; True if there was one."""
        path = self._path(address)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as e:
            raise _failed("deleting a blob", e) from e
        return True

    def close(self) -> None:
        """Nothing to release: every file is closed after each call."""
