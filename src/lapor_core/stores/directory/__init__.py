"""Blobs in a directory on disk: one file per content address, written atomically.

For deployments that keep attachments beside the database on a local or network disk; the module's
internals are private.
"""

from __future__ import annotations

from lapor_core.stores.directory._blobs import DirectoryBlobStore

__all__ = ["DirectoryBlobStore"]
