"""The BlobStore contract on S3, against moto's S3 server on 127.0.0.1 (never a real endpoint)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from lapor_core._domain.blobs import BlobStore
from lapor_core.errors import ConfigurationError, StorageError
from lapor_core.stores.s3 import S3BlobStore
from lapor_core.testing import BlobStoreContract
from lapor_core.testing.blob_contracts import address_of

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

_CREDENTIALS = {
    "aws_access_key_id": "lapor-test",
    "aws_secret_access_key": "lapor-test",
    "region_name": "us-east-1",
}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on a free port of 127.0.0.1, for this module."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _client(endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=endpoint, **_CREDENTIALS)


class TestS3BlobStore(BlobStoreContract):
    """The blob store contract on a fresh bucket of the local S3 server."""

    @pytest.fixture
    def blob_store(self, s3_endpoint: str) -> Iterator[BlobStore]:
        """An S3 blob store on a new bucket."""
        bucket = f"lapor-{secrets.token_hex(4)}"
        _client(s3_endpoint).create_bucket(Bucket=bucket)
        store = S3BlobStore(bucket, endpoint_url=s3_endpoint, **_CREDENTIALS)
        yield store
        store.close()


def test_a_large_blob_goes_up_in_parts_and_comes_back_whole(s3_endpoint: str) -> None:
    """20 MiB is uploaded as a multipart upload (boto3's threshold is 8 MiB) and read back byte for byte."""
    bucket = f"lapor-{secrets.token_hex(4)}"
    client = _client(s3_endpoint)
    client.create_bucket(Bucket=bucket)
    store = S3BlobStore(bucket, client=client, prefix="p/")
    data = secrets.token_bytes(20 * 1024 * 1024)
    store.put(address_of(data), (data[i : i + 3_000_000] for i in range(0, len(data), 3_000_000)))
    assert b"".join(store.get(address_of(data))) == data
    assert client.head_object(Bucket=bucket, Key="p/" + address_of(data))["ContentLength"] == len(data)
    listed = client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    assert listed == []


def test_a_missing_bucket_is_a_storage_error(s3_endpoint: str) -> None:
    """A bucket that does not exist: StorageError naming the S3 error, never a botocore exception."""
    store = S3BlobStore("no-such-bucket-lapor", endpoint_url=s3_endpoint, **_CREDENTIALS)
    with pytest.raises(StorageError) as raised:
        store.put(address_of(b"x"), [b"x"])
    assert "NoSuchBucket" in str(raised.value) or "404" in str(raised.value)


def test_an_empty_bucket_name_is_a_configuration_error() -> None:
    """The bucket is checked when the store is made."""
    with pytest.raises(ConfigurationError):
        S3BlobStore("")
