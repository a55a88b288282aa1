"""Blobs in S3-compatible object storage (AWS S3, MinIO, Ceph, Wasabi...), with the ``s3`` extra (boto3).

The module's internals are private.
"""

from __future__ import annotations

from lapor_core.stores.s3._blobs import S3BlobStore

__all__ = ["S3BlobStore"]
