"""The :class:`BlobStore` port: where the bytes of attachments live, by address.

The core decides what is stored (a file checked and stripped by :mod:`lapor_core._domain.attachments`) and
under which address (:func:`blob_address`: one per complaint and content); a blob store only keeps bytes.
Who may read them, and which complaint refers to which blob, is the core's business and lives in the
complaint's history.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from typing import Final, Protocol, runtime_checkable

from lapor_core._i18n import N_
from lapor_core.errors import ValidationError

__all__ = ["CHUNK", "BlobStore", "blob_address", "check_address", "chunked"]

CHUNK: Final = 1024 * 1024
"""The size of the chunks blob stores read and write (1 MiB)."""
_ADDRESS = re.compile(r"[0-9a-f]{64}")


def check_address(address: object) -> str:
    """``address`` itself when it is a content address (64 lowercase hex digits), else ValidationError.

    Every blob store checks its addresses with this rule, so none can be used to reach outside the store
    (a directory store never sees ``../`` in a file name).

    >>> check_address("0" * 64) == "0" * 64
    True
    >>> check_address("../etc/passwd")
    Traceback (most recent call last):
    lapor_core.errors.ValidationError: invalid input: address: ...
    """
    if not isinstance(address, str) or not _ADDRESS.fullmatch(address):
        raise ValidationError.single("address", N_("blob.address_bad"))
    return address


def blob_address(tracking_id: str, digest: str) -> str:
    """Where a complaint's file (or thumbnail) whose bytes have the hex SHA-256 ``digest`` is kept.

    The hex SHA-256 of the tracking ID and the digest: one blob per complaint and content. The same photo
    attached to two complaints (a picture forwarded to two reporters) is two blobs, so erasing one reporter's
    files never removes another complaint's, and equal addresses never tell that two complaints share a file.

    >>> a = blob_address("7K3M-9QXF-2HJ-Q", "0" * 64)
    >>> len(a), a == blob_address("7K3M-9QXF-2HJ-R", "0" * 64)
    (64, False)
    """
    return hashlib.sha256(f"{tracking_id}\n{digest}".encode()).hexdigest()


def chunked(data: bytes, size: int = CHUNK) -> Iterator[bytes]:
    """``data`` in chunks of ``size`` bytes (one empty chunk for no bytes)."""
    if not data:
        yield b""
        return
    for start in range(0, len(data), size):
        yield data[start : start + size]


@runtime_checkable
class BlobStore(Protocol):
    """Keeps bytes under an address the caller computes (64 hex digits; lapor_core uses :func:`blob_address`).

    Contract (pinned down by :class:`lapor_core.testing.BlobStoreContract`):

    - ``put`` is atomic: after it returns, ``get`` gives every byte; if it fails or the process dies during
      it, the address holds either the whole blob or nothing, never a part. Putting an address that is
      already stored changes nothing (the content is the same, by definition of the address). The store
      trusts the caller's address: the core checks the digest of what it reads back.
    - ``put`` takes the bytes as an iterable of chunks and ``get`` returns them as an iterator of chunks, so
      a large blob never has to be in memory at once. ``get`` raises :class:`~lapor_core.NotFound`
      (``kind="blob"``) at once for an unknown address, not when the iterator is first read.
    - ``delete`` removes a blob and says whether there was one.
    - Every address is checked with :func:`check_address` (``ValidationError`` for a malformed one) before
      any I/O.
    - Every method is safe to call from several threads at once. Failures of the backend are raised as
      :class:`~lapor_core.StorageError` with the backend's error as ``__cause__``.
    """

    def put(self, address: str, chunks: Iterable[bytes]) -> None:
        """Store the concatenated ``chunks`` under ``address``, atomically; nothing if it is stored."""
        ...

    def get(self, address: str) -> Iterator[bytes]:
        """The blob's bytes, in chunks; NotFound for an unknown address."""
        ...

    def exists(self, address: str) -> bool:
        """Whether a blob is stored under ``address``."""
        ...

    def delete(self, address: str) -> bool:
        """Remove the blob; True if there was one."""
        ...

    def close(self) -> None:
        """Release resources; the store is not used afterwards."""
        ...
