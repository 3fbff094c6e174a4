"""The storage interface the domain code relies on."""

from __future__ import annotations

import hashlib
import os
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

__all__ = ["CHUNK_SIZE", "ObjectStorage", "StagedObject"]

CHUNK_SIZE = 1024 * 1024


@dataclass
class StagedObject:
    """Bytes received and hashed, sitting in a local staging file until committed or dropped.

    Staging lets the media be probed and validated before anything becomes visible, and lets
    the object name be derived from the checksum, which is only known once every byte passed.
    """

    path: Path
    size: int
    checksum: str


class ObjectStorage(ABC):
    """Where bytes live. Object names are chosen by pixlake, never by users."""

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

    def presigned_url(self, object_name: str, content_type: str,
                      expiry_seconds: int) -> str | None:
        """A URL of the object store itself that reads the object until it expires, when
        the backend has such URLs (clients then never read bytes through the API)."""
        return None

    def check(self) -> None:  # noqa: B027 - optional hook, most stores need no check
        """Raise StorageError, saying why, when the store can't be used."""

    def stage_stream(self, chunks: Iterable[bytes]) -> StagedObject:
        """Write a stream of bytes to a staging file, hashing them on the way."""
        with _StagingWriter(self.new_staging_path()) as writer:
            for chunk in chunks:
                writer.write(chunk)
        return writer.staged

    async def stage_async_stream(self, chunks: AsyncIterable[bytes]) -> StagedObject:
        """``stage_stream`` for a request body read on the event loop.

        Each chunk is written as it arrives (tens of kilobytes at a time), which is short
        enough not to hold the event loop up.
        """
        with _StagingWriter(self.new_staging_path()) as writer:
            async for chunk in chunks:
                writer.write(chunk)
        return writer.staged

    def stage_file(self, source: Path) -> StagedObject:
        """Copy a local file to a staging file, hashing it on the way."""
        with open(source, "rb") as src:
            return self.stage_stream(_read_chunks(src))

    def discard(self, staged: StagedObject) -> None:
        staged.path.unlink(missing_ok=True)


class _StagingWriter:
    """Writes bytes to a staging file while hashing them; removes the file on error."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._digest = hashlib.sha256()
        self._size = 0

    def __enter__(self) -> _StagingWriter:
        self._out = open(self.path, "wb")
        return self

    def write(self, chunk: bytes) -> None:
        self._digest.update(chunk)
        self._out.write(chunk)
        self._size += len(chunk)

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self._out.close()
        if exc_type is not None:
            self.path.unlink(missing_ok=True)

    @property
    def staged(self) -> StagedObject:
        return StagedObject(path=self.path, size=self._size, checksum=self._digest.hexdigest())


def _read_chunks(stream: BinaryIO) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK_SIZE):
        yield chunk
