"""The S3 blob store: one object per content address, uploaded whole (multipart when large) or not at all."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Any

from lapor_core._domain.blobs import CHUNK, check_address
from lapor_core.errors import ConfigurationError, NotFound, StorageError

__all__ = ["S3BlobStore"]

_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})


class _ChunkReader(io.RawIOBase):
    """A binary file over an iterable of chunks, for boto3's managed (multipart) upload."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = bytes(chunk)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _failed(operation: str, error: Exception) -> StorageError:
    code = getattr(error, "response", {}).get("Error", {}).get("Code") if hasattr(error, "response") else None
    cause = type(error).__name__ + (f" {code}" if code else "")
    return StorageError(detail="storage.operation_failed", params={"operation": operation, "cause": cause})


def _missing(error: Exception) -> bool:
    response = getattr(error, "response", None)
    return isinstance(response, dict) and str(response.get("Error", {}).get("Code")) in _MISSING


class S3BlobStore:
    """A :class:`~lapor_core.plugins.BlobStore` in an S3 bucket: object ``<prefix><address>``.

    S3 makes an object visible only when its upload completes (a multipart upload when its last part is
    committed), so a crash or a failing stream during ``put`` leaves the whole blob or none; boto3 aborts a
    failed multipart upload. Reads stream the object in 1 MiB chunks.

    Args:
        bucket: The bucket (it must exist; the store never creates or configures buckets).
        prefix: Prepended to every address (default ``lapor/blobs/``).
        client: A boto3 S3 client; by default one is made from ``client_options`` (``endpoint_url=`` for
            MinIO or another S3-compatible service, ``region_name=``, credentials...) or the environment.

    Raises:
        ConfigurationError: boto3 is not installed (the ``s3`` extra), or ``bucket`` is empty.
    """

    def __init__(
        self, bucket: str, *, prefix: str = "lapor/blobs/", client: Any = None, **client_options: Any
    ) -> None:
        if not isinstance(bucket, str) or not bucket:
            raise ConfigurationError("bucket must be a bucket name")
        if client is None:
            try:
                import boto3  # noqa: PLC0415 - the s3 extra loads with the first S3 store
            except ImportError:  # pragma: no cover - the extra is installed wherever the tests run
                raise ConfigurationError("S3BlobStore needs boto3: pip install 'lapor_core[s3]'") from None
            client = boto3.client("s3", **client_options)
        self._client = client
        self._bucket = bucket
        self._prefix = prefix

    def __repr__(self) -> str:
        return f"S3BlobStore(bucket={self._bucket!r}, prefix={self._prefix!r})"

    def _key(self, address: str) -> str:
        return self._prefix + check_address(address)

    def put(self, address: str, chunks: Iterable[bytes]) -> None:
        """Upload the concatenated ``chunks`` as one object (nothing if the address is stored)."""
        key = self._key(address)
        if self.exists(address):
            return
        try:
            self._client.upload_fileobj(_ChunkReader(chunks), self._bucket, key)
        except Exception as e:
            if type(e).__module__.split(".")[0] in ("botocore", "boto3", "s3transfer"):
                raise _failed("writing a blob", e) from e
            raise

    def get(self, address: str) -> Iterator[bytes]:
        """The object's bytes in 1 MiB chunks; NotFound for an unknown address."""
        key = self._key(address)
        try:
            body = self._client.get_object(Bucket=self._bucket, Key=key)["Body"]
        except Exception as e:
            if _missing(e):
                raise NotFound(kind="blob", key=address) from None
            raise _failed("reading a blob", e) from e
        return self._read(body)

    @staticmethod
    def _read(body: Any) -> Iterator[bytes]:
        try:
            yield from body.iter_chunks(CHUNK)
        except Exception as e:
            raise _failed("reading a blob", e) from e
        finally:
            body.close()

    def exists(self, address: str) -> bool:
        """Whether an object is stored under ``address``."""
        key = self._key(address)
        try:
            self._client.head_object(Bucket=self._bucket, Key=key)
        except Exception as e:
            if _missing(e):
                return False
            raise _failed("reading a blob", e) from e
        return True

    def delete(self, address: str) -> bool:
        """Delete the object; True if there was one."""
        if not self.exists(address):
            return False
        try:
            self._client.delete_object(Bucket=self._bucket, Key=self._key(address))
        except Exception as e:
            raise _failed("deleting a blob", e) from e
        return True

    def close(self) -> None:
        """Close the client's connections."""
        close = getattr(self._client, "close", None)
        if callable(close):
            close()
