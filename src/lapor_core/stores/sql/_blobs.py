"""Attachments' bytes in the SQL database: the :class:`SqlBlobStore` on the complaint store's connections.

For small deployments (and the default of a desk on a ``sqlite:///`` URL): the bytes live beside the
complaints, in one file or one database to back up. A blob is its chunks of at most 1 MiB in
``lapor_blob_chunks``, all inserted in one transaction (whole or absent); reading fetches one chunk at a
time, so a large blob is never in memory at once on the reading side.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import attrs
import sqlalchemy as sa

from lapor_core._domain.blobs import CHUNK, check_address
from lapor_core.errors import NotFound
from lapor_core.stores.sql._driver import Driver, Prepared
from lapor_core.stores.sql._outbox import _failure
from lapor_core.stores.sql._schema import blob_chunks
from lapor_core.stores.sql._sharing import SharingStore

__all__ = ["SqlBlobStore"]

_B = blob_chunks.c
_ADDRESS = sa.bindparam("b_address", type_=sa.String)
_SEQ = sa.bindparam("b_seq", type_=sa.Integer)


@attrs.frozen
class _BlobStatements:
    """The blob statements, compiled once for the store's dialect."""

    insert: Prepared
    seqs: Prepared
    chunk: Prepared
    delete: Prepared

    @classmethod
    def compile(cls, driver: Driver) -> _BlobStatements:
        return cls(
            insert=driver.prepare(blob_chunks.insert(), keys=("address", "seq", "data"), insert=True),
            seqs=driver.prepare(
                sa.select(_B.seq).where(_B.address == _ADDRESS).order_by(_B.seq), keys=("b_address",)
            ),
            chunk=driver.prepare(
                sa.select(_B.data).where(_B.address == _ADDRESS, _B.seq == _SEQ), keys=("b_address", "b_seq")
            ),
            delete=driver.prepare(blob_chunks.delete().where(_B.address == _ADDRESS), keys=("b_address",)),
        )


class SqlBlobStore(SharingStore):
    """A :class:`~lapor_core.plugins.BlobStore` in the lapor_core SQL schema (table ``lapor_blob_chunks``).

    Args:
        source: A database URL (a store of its own, closed with it), or a :class:`SqlComplaintStore` whose
            connections it shares (left open when this store closes).
        options: The options of :class:`SqlComplaintStore`, for a URL.

    Example:
        >>> import hashlib
        >>> store = SqlBlobStore("sqlite://")
        >>> address = hashlib.sha256(b"kwitansi").hexdigest()
        >>> store.put(address, [b"kwi", b"tansi"])
        >>> b"".join(store.get(address)), store.exists(address)
        (b'kwitansi', True)
        >>> store.close()
    """

    @functools.cached_property
    def _sql(self) -> _BlobStatements:
        return _BlobStatements.compile(self._driver)

    def _seqs(self, address: str) -> list[int]:
        try:
            rows: Sequence[Sequence[Any]] = self._driver.fetch(self._sql.seqs, (address,))
        except sa.exc.SQLAlchemyError as e:
            raise _failure("reading a blob", e) from e
        return [int(row[0]) for row in rows]

    def put(self, address: str, chunks: Iterable[bytes]) -> None:
        """Store the concatenated ``chunks`` under ``address`` in one transaction (nothing if it is stored).

        Chunks are re-cut to at most 1 MiB. Of two writers of one address, the second finds the first's rows
        (or its primary key refuses the insert) and stores nothing: the content is the same.
        """
        check_address(address)
        if self._seqs(address):
            return
        try:
            with self._driver.writing() as session:
                seq = 0
                pending = b""
                for chunk in chunks:
                    pending += bytes(chunk)
                    while len(pending) >= CHUNK:
                        session.execute(self._sql.insert, (address, seq, pending[:CHUNK]))
                        pending, seq = pending[CHUNK:], seq + 1
                if pending or seq == 0:
                    session.execute(self._sql.insert, (address, seq, pending))
        except sa.exc.IntegrityError as e:
            if not self._seqs(address):
                raise _failure("writing a blob", e) from e
        except sa.exc.SQLAlchemyError as e:
            raise _failure("writing a blob", e) from e

    def get(self, address: str) -> Iterator[bytes]:
        """The blob's bytes, one chunk per query; NotFound for an unknown address."""
        check_address(address)
        seqs = self._seqs(address)
        if not seqs:
            raise NotFound(kind="blob", key=address)
        return self._chunks(address, seqs)

    def _chunks(self, address: str, seqs: Sequence[int]) -> Iterator[bytes]:
        for seq in seqs:
            try:
                rows = self._driver.fetch(self._sql.chunk, (address, seq))
            except sa.exc.SQLAlchemyError as e:
                raise _failure("reading a blob", e) from e
            if not rows:  # deleted while it was read
                raise NotFound(kind="blob", key=address)
            yield bytes(rows[0][0])

    def exists(self, address: str) -> bool:
        """Whether ``address`` is stored."""
        check_address(address)
        return bool(self._seqs(address))

    def delete(self, address: str) -> bool:
        """Remove the blob; True if there was one."""
        check_address(address)
        try:
            with self._driver.writing() as session:
                return session.execute(self._sql.delete, (address,)) > 0
        except sa.exc.SQLAlchemyError as e:
            raise _failure("deleting a blob", e) from e
