"""The storage interface the domain code relies on."""

from __future__ import annotations

import hashlib
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

__all__ = ["CHUNK_SIZE", "MEMORY_STAGING_MAX_FILE", "MemoryBudget", "ObjectStorage",
           "StagedObject"]

CHUNK_SIZE = 1024 * 1024
MEMORY_STAGING_MAX_FILE = 8 * 1024 * 1024
"""Largest file a backend with a memory budget stages in memory, unless it says less."""


@dataclass
class StagedObject:
    """Bytes received and hashed, waiting to be committed or dropped.

    Staging lets the media be probed and validated before anything becomes visible, and lets
    the object name be derived from the checksum, which is only known once every byte passed.
    The bytes sit in a local file (``path``) or, for small files bound for a remote store
    that allows it, in memory (``data``).
    """

    size: int
    checksum: str
    path: Path | None = None
    data: bytes | None = None

    @property
    def source(self) -> Path | bytes:
        """The staged bytes, or the file holding them."""
        if self.data is not None:
            return self.data
        if self.path is None:
            raise ValueError("staged bytes were dropped already")
        return self.path


class MemoryBudget:
    """Bytes that staging may hold in memory at once, shared by every request of a process.

    Once it is spent, further uploads are staged on disk until memory is given back, so a
    burst of requests can't grow the server without bound.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._free = limit
        self._lock = threading.Lock()

    def take(self, size: int) -> bool:
        with self._lock:
            if size > self._free:
                return False
            self._free -= size
            return True

    def give(self, size: int) -> None:
        with self._lock:
            self._free += size
            assert self._free <= self.limit, "memory given back twice"

    @property
    def free(self) -> int:
        return self._free


class ObjectStorage(ABC):
    """Where bytes live. Object names are chosen by pixlake, never by users."""

    memory_budget: MemoryBudget | None = None
    """Set by backends for which memory staging pays."""
    memory_staging_max_file: int = MEMORY_STAGING_MAX_FILE
    """Largest file such a backend stages in memory."""

    @abstractmethod
    def new_staging_path(self) -> Path:
        """A fresh local path to write incoming bytes to."""

    @abstractmethod
    def commit(self, staged: StagedObject, object_name: str) -> None:
        """Make staged bytes readable under ``object_name``; idempotent for identical bytes."""

    @abstractmethod
    def open(self, object_name: str) -> BinaryIO:
        """Open an object for reading. Raises StorageError when it is missing."""

    def open_sized(self, object_name: str) -> tuple[BinaryIO, int]:
        """Open an object for reading, with its size in bytes."""
        stream = self.open(object_name)
        return stream, os.fstat(stream.fileno()).st_size

    @abstractmethod
    def delete(self, object_name: str) -> None:
        """Remove an object; a missing object is not an error."""

    @abstractmethod
    def exists(self, object_name: str) -> bool: ...

    def local_path(self, object_name: str) -> Path | None:
        """The object's path on this machine, when the backend keeps it in a local file."""
        return None

    def presigned_url(self, object_name: str, content_type: str, expiry_seconds: int, *,
                      disposition: str | None = None,
                      cache_control: str | None = None) -> str | None:
        """A URL of the object store itself that reads the object until it expires, when
        the backend has such URLs (clients then never read bytes through the API). Its
        answer carries ``content_type`` and, if given, the ``disposition`` and
        ``cache_control`` headers."""
        return None

    def check(self) -> None:  # noqa: B027 - optional hook, most stores need no check
        """Raise StorageError, saying why, when the store can't be used."""

    def stage_stream(self, chunks: Iterable[bytes],
                     expected_size: int | None = None) -> StagedObject:
        """Stage a stream of bytes (in memory or in a staging file), hashing them on the
        way. ``expected_size``, when known, sends a large file straight to disk."""
        with _StagingWriter(self, expected_size) as writer:
            for chunk in chunks:
                writer.write(chunk)
        return writer.staged

    async def stage_async_stream(self, chunks: AsyncIterable[bytes],
                                 expected_size: int | None = None) -> StagedObject:
        """``stage_stream`` for a request body read on the event loop.

        Each chunk is written as it arrives (tens of kilobytes at a time), which is short
        enough not to hold the event loop up. So is moving what memory held to a file when
        a file of unknown size outgrows memory staging (at most the per-file limit, once).
        """
        with _StagingWriter(self, expected_size) as writer:
            async for chunk in chunks:
                writer.write(chunk)
        return writer.staged

    def stage_file(self, source: Path) -> StagedObject:
        """Copy a local file to staging, hashing it on the way."""
        with open(source, "rb") as src:
            return self.stage_stream(_read_chunks(src), os.fstat(src.fileno()).st_size)

    def discard(self, staged: StagedObject) -> None:
        """Drop staged bytes (committed or not); safe to call more than once."""
        if staged.data is not None:
            staged.data = None
            if self.memory_budget is not None:
                self.memory_budget.give(staged.size)
        if staged.path is not None:
            staged.path.unlink(missing_ok=True)


class _StagingWriter:
    """Writes bytes to staging while hashing them; drops them on error.

    With a memory budget, a file stays in memory while it is at most the storage's
    ``memory_staging_max_file`` bytes and the budget lasts; otherwise (known to be larger
    from the start, or from the first chunk that does not fit) it goes to a staging file.
    """

    def __init__(self, storage: ObjectStorage, expected_size: int | None = None) -> None:
        self._storage = storage
        self._budget = storage.memory_budget
        self._max_in_memory = storage.memory_staging_max_file
        self._digest = hashlib.sha256()
        self._size = 0
        in_memory = self._budget is not None and (
            expected_size is None or expected_size <= self._max_in_memory)
        self._chunks: list[bytes] | None = [] if in_memory else None
        self._held = 0  # bytes of the budget taken by _chunks
        self._path: Path | None = None
        self._out: BinaryIO | None = None

    def __enter__(self) -> _StagingWriter:
        if self._chunks is None:
            self._open_file()
        return self

    def _open_file(self) -> None:
        self._path = self._storage.new_staging_path()
        self._out = open(self._path, "wb")  # noqa: SIM115 - closed by __exit__

    def write(self, chunk: bytes) -> None:
        chunk = bytes(chunk)  # a reused bytearray must not change what is held
        self._digest.update(chunk)
        self._size += len(chunk)
        if self._chunks is not None:
            assert self._budget is not None
            if self._size <= self._max_in_memory and self._budget.take(len(chunk)):
                self._chunks.append(chunk)
                self._held += len(chunk)
                return
            self._spill()
        assert self._out is not None
        self._out.write(chunk)

    def _spill(self) -> None:
        """Move what is held in memory to a staging file and go on there."""
        assert self._chunks is not None
        held, self._chunks = self._chunks, None
        self._release()
        self._open_file()
        assert self._out is not None
        for chunk in held:
            self._out.write(chunk)

    def _release(self) -> None:
        if self._held and self._budget is not None:
            self._budget.give(self._held)
        self._held = 0

    def __exit__(self, exc_type: object, *rest: object) -> None:
        failed = exc_type is not None
        try:
            if self._out is not None:
                self._out.close()  # may fail too: a full disk shows on the last flush
        except BaseException:
            failed = True
            raise
        finally:
            if failed:
                self._chunks = None
                self._release()
                if self._path is not None:
                    self._path.unlink(missing_ok=True)

    @property
    def staged(self) -> StagedObject:
        checksum = self._digest.hexdigest()
        if self._chunks is not None:
            return StagedObject(self._size, checksum, data=b"".join(self._chunks))
        return StagedObject(self._size, checksum, path=self._path)


def _read_chunks(stream: BinaryIO) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK_SIZE):
        yield chunk
