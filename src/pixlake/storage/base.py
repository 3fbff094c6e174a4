"""The storage interface the domain code relies on."""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import hashlib
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from pixlake.errors import InsufficientStorageError, StorageError
from pixlake.hashed_copy import copy_hashing
from pixlake.permissions import PRIVATE_FILE_MODE, create_private_file

__all__ = [
    "CHUNK_SIZE",
    "MEMORY_STAGING_MAX_FILE",
    "PIPELINED_STAGING_MIN",
    "DirectUpload",
    "MemoryBudget",
    "ObjectStorage",
    "Removed",
    "StagedObject",
    "StoredItem",
    "storage_error",
]

CHUNK_SIZE = 1024 * 1024
MEMORY_STAGING_MAX_FILE = 8 * 1024 * 1024
"""Largest file a backend with a memory budget stages in memory, unless it says less."""
PIPELINED_STAGING_MIN = 16 * 1024 * 1024
"""From this announced size a request body is hashed and written off the event loop,
overlapped with its receipt (below it, the hop to a thread costs more than it saves)."""

_STAGING_THREADS = concurrent.futures.ThreadPoolExecutor(
    max_workers=8, thread_name_prefix="pixlake-staging"
)
"""Where large bodies are hashed and written; each upload keeps at most one thread busy."""


_STAGING_FLAGS = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
"""A new staging file, read back by the hash of what is written to it."""

_OUT_OF_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})


def _raise_if_out_of_space(exc: OSError) -> None:
    """While staging, a full disk is the client's to hear about (507: retry later); other
    failures go on as they are."""
    if exc.errno in _OUT_OF_SPACE:
        raise storage_error(exc, "stage an upload") from exc


def storage_error(exc: OSError, doing: str) -> StorageError:
    """The error to raise for ``exc``, met while ``doing`` (``"stage an upload"``): a full
    disk or quota is an InsufficientStorageError (507, retry once space is freed), any
    other failure a StorageError."""
    if exc.errno in _OUT_OF_SPACE:
        return InsufficientStorageError(
            f"no space left to {doing}; retry once space is freed",
            details={"errno": errno.errorcode.get(exc.errno or 0, str(exc.errno))},
        )
    return StorageError(f"could not {doing}: {exc}")


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


@dataclass(frozen=True)
class StoredItem:
    """An object, or an upload the store never completed, as a listing saw it."""

    name: str
    """The object name (without the store's own prefix)."""
    size: int
    modified: float
    """POSIX time of its last write; for an unfinished upload, of its start."""
    version: Any = None
    """What tells this copy from a later write under the same name (or the upload's id)."""


@dataclass(frozen=True)
class Removed:
    """How many things were removed, and their bytes."""

    count: int = 0
    bytes: int = 0

    def __add__(self, other: Removed) -> Removed:
        return Removed(self.count + other.count, self.bytes + other.bytes)

    @classmethod
    def of(cls, items: Iterable[StoredItem]) -> Removed:
        sizes = [item.size for item in items]
        return cls(len(sizes), sum(sizes))


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


@dataclass(frozen=True)
class DirectUpload:
    """Where a client puts an object's bytes itself, straight into the store.

    ``urls`` are signed and expire. Without ``upload_id`` the whole object is one PUT to
    ``urls[0]``; with it, part ``n`` (from 1) is the ``part_size`` bytes from offset
    ``(n - 1) * part_size`` (the last part holds the rest), PUT to ``urls[n - 1]``, and
    ``finish_direct_upload`` makes the parts one object.
    """

    urls: list[str]
    part_size: int
    upload_id: str | None = None


class ObjectStorage(ABC):
    """Where bytes live. Object names are chosen by pixlake, never by users, and are
    content addressed: two writes under one name write the same bytes."""

    staging_dir: Path
    """The local folder of staging files (set by each backend)."""
    memory_budget: MemoryBudget | None = None
    """Set by backends for which memory staging pays."""
    memory_staging_max_file: int = MEMORY_STAGING_MAX_FILE
    """Largest file such a backend stages in memory."""
    memory_needs_size: bool = False
    """Whether only files whose size is announced beforehand are staged in memory (a file of
    unknown size then goes to a staging file from its first byte)."""
    direct_uploads: bool = False
    """Whether ``direct_upload`` gives URLs clients put bytes to themselves."""
    commit_workers: int = 8
    """Threads that put the objects of one upload in place at once: enough to cover a
    bucket's round trips."""

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

    @abstractmethod
    def list_objects(self) -> Iterator[StoredItem]:
        """Every object in the store, in no particular order, listed as it goes."""

    @abstractmethod
    def delete_unchanged(self, items: Sequence[StoredItem]) -> list[StoredItem]:
        """Remove these listed objects, except any written again since the listing, as far
        as the store can tell; returns the ones removed."""

    def list_unfinished_uploads(self, started_before: float) -> Iterator[StoredItem]:
        """Uploads begun before ``started_before`` (a POSIX time) and never completed,
        which hold bytes no listing of objects shows; none unless the store has such."""
        return iter(())

    def abort_upload(self, item: StoredItem) -> None:
        """Drop an unfinished upload and the bytes it holds."""
        raise NotImplementedError

    def sweep_staging(self, written_before: float) -> Removed:
        """Remove staging files last written before ``written_before`` (a POSIX time).

        A request writes to its staging file as the bytes arrive and drops it when it ends,
        so an old one is what a killed process left behind.
        """
        removed = Removed()
        try:
            entries = list(os.scandir(self.staging_dir))
        except FileNotFoundError:
            return removed
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
                if not entry.is_file(follow_symlinks=False) or info.st_mtime >= written_before:
                    continue
                os.unlink(entry.path)
            except FileNotFoundError:
                continue  # gone meanwhile: committed, dropped or swept by another process
            removed += Removed(1, info.st_size)
        return removed

    def local_path(self, object_name: str) -> Path | None:
        """The object's path on this machine, when the backend keeps it in a local file."""
        return None

    def presigned_url(
        self,
        object_name: str,
        content_type: str,
        expiry_seconds: int,
        *,
        disposition: str | None = None,
        cache_control: str | None = None,
    ) -> str | None:
        """A URL of the object store itself that reads the object until it expires, when
        the backend has such URLs (clients then never read bytes through the API). Its
        answer carries ``content_type`` and, if given, the ``disposition`` and
        ``cache_control`` headers."""
        return None

    def direct_upload(
        self, object_name: str, size: int, expiry_seconds: int
    ) -> DirectUpload | None:
        """Signed URLs a client puts ``size`` bytes to as ``object_name`` without the API
        in the way, when the backend has such URLs; None when the bytes must come through
        the API (a local folder)."""
        return None

    def finish_direct_upload(self, object_name: str, upload_id: str, size: int) -> bool:
        """Make the uploaded parts of ``upload_id`` the object ``object_name``; False (and
        nothing done) when they don't hold ``size`` bytes in all."""
        raise NotImplementedError

    def size_of(self, object_name: str) -> int | None:
        """The object's size in bytes, or None when there is no such object."""
        try:
            stream, size = self.open_sized(object_name)
        except StorageError:
            return None
        stream.close()
        return size

    def check(self) -> None:  # noqa: B027 - optional hook, most stores need no check
        """Raise StorageError, saying why, when the store can't be used."""

    def stage_stream(
        self, chunks: Iterable[bytes], expected_size: int | None = None
    ) -> StagedObject:
        """Stage a stream of bytes (in memory or in a staging file), hashing them on the
        way. ``expected_size``, when known, sends a large file straight to disk."""
        with _StagingWriter(self, expected_size) as writer:
            for chunk in chunks:
                writer.write(chunk)
        return writer.staged

    async def stage_async_stream(
        self, chunks: AsyncIterable[bytes], expected_size: int | None = None
    ) -> StagedObject:
        """``stage_stream`` for a request body read on the event loop.

        Each chunk is written as it arrives (tens of kilobytes at a time), which is short
        enough not to hold the event loop up. So is moving what memory held to a file when
        a file of unknown size outgrows memory staging (at most the per-file limit, once).
        """
        if expected_size is not None and expected_size >= PIPELINED_STAGING_MIN:
            return await self._stage_async_pipelined(chunks, expected_size)
        with _StagingWriter(self, expected_size) as writer:
            async for chunk in chunks:
                writer.write(chunk)
        return writer.staged

    async def _stage_async_pipelined(
        self, chunks: AsyncIterable[bytes], expected_size: int
    ) -> StagedObject:
        """``stage_async_stream`` for a large body: the chunks received are gathered into
        batches of ``CHUNK_SIZE`` and each batch is hashed and written in a worker thread
        while the event loop receives the next one. Hashing on the event loop held it up
        for most of the time of such a body; ``hashlib`` and file writes release the GIL,
        so the two now run at once. One batch is in flight at a time (bytes are hashed and
        written in order) and at most two are held: memory stays flat."""
        loop = asyncio.get_running_loop()
        pending: concurrent.futures.Future[None] | None = None
        with _StagingWriter(self, expected_size) as writer:
            try:
                batch: list[bytes] = []
                held = 0
                async for chunk in chunks:
                    batch.append(chunk)
                    held += len(chunk)
                    if held < CHUNK_SIZE:
                        continue
                    if pending is not None:
                        await asyncio.wrap_future(pending, loop=loop)
                    pending = _STAGING_THREADS.submit(writer.write_all, batch)
                    batch, held = [], 0
                if pending is not None:
                    await asyncio.wrap_future(pending, loop=loop)
                    pending = None
                writer.write_all(batch)
            finally:
                if pending is not None:
                    # Cancelled or failed meanwhile: the staging file is closed and removed
                    # on exit, which must not happen while a thread writes to it.
                    concurrent.futures.wait([pending])
        return writer.staged

    def stage_file(self, source: Path) -> StagedObject:
        """Copy a local file to staging, hashing it on the way."""
        with open(source, "rb", buffering=0) as src:
            size = os.fstat(src.fileno()).st_size
            # Reads of the file's own size (and one byte more, to see the end) rather than
            # of a whole chunk: a 1 MiB buffer per small file costs a mapping of fresh pages.
            return self.stage_stream(_read_chunks(src, min(CHUNK_SIZE, size + 1)), size)

    def stage_held(self, data: bytes, checksum: str) -> StagedObject | None:
        """Stage bytes this process holds already, read and hashed by pixlake's own code
        (``pixlake.probed_media``), without copying them; None when memory staging can't
        take them (no budget, too large, the budget spent): stage the file instead."""
        budget = self.memory_budget
        if budget is None or len(data) > self.memory_staging_max_file or not budget.take(len(data)):
            return None
        return StagedObject(len(data), checksum, data=data)

    def stage_file_copy(self, source: Path) -> StagedObject:
        """Copy a local file to a staging file with the kernel's copy while hashing the
        copy (``copy_hashing``: the two passes overlap, rather than one of Python chunks),
        for files that are not probed (model files). What is hashed is what is staged,
        read back, whatever happens to ``source`` meanwhile."""
        path = self.new_staging_path()
        try:
            with open(source, "rb") as src:
                try:
                    fd = os.open(path, _STAGING_FLAGS, PRIVATE_FILE_MODE)
                except OSError as exc:
                    _raise_if_out_of_space(exc)
                    raise
                try:
                    checksum = copy_hashing(src.fileno(), fd)
                    size = os.fstat(fd).st_size
                except OSError as exc:
                    _raise_if_out_of_space(exc)
                    raise
                finally:
                    os.close(fd)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return StagedObject(size, checksum, path=path)

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
        if expected_size is None:
            in_memory = self._budget is not None and not storage.memory_needs_size
        else:
            in_memory = self._budget is not None and expected_size <= self._max_in_memory
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
        try:
            self._out = create_private_file(self._path)  # closed by __exit__
        except OSError as exc:
            _raise_if_out_of_space(exc)
            raise

    def _write_out(self, chunk: bytes) -> None:
        assert self._out is not None
        try:
            self._out.write(chunk)
        except OSError as exc:
            _raise_if_out_of_space(exc)
            raise

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
        self._write_out(chunk)

    def write_all(self, chunks: Iterable[bytes]) -> None:
        for chunk in chunks:
            self.write(chunk)

    def _spill(self) -> None:
        """Move what is held in memory to a staging file and go on there."""
        assert self._chunks is not None
        held, self._chunks = self._chunks, None
        self._release()
        self._open_file()
        for chunk in held:
            self._write_out(chunk)

    def _release(self) -> None:
        if self._held and self._budget is not None:
            self._budget.give(self._held)
        self._held = 0

    def __exit__(self, exc_type: object, *rest: object) -> None:
        failed = exc_type is not None
        try:
            if self._out is not None:
                self._out.close()  # may fail too: a full disk shows on the last flush
        except OSError as exc:
            failed = True
            _raise_if_out_of_space(exc)
            raise
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


def _read_chunks(stream: Any, size: int = CHUNK_SIZE) -> Iterator[bytes]:
    while chunk := stream.read(size):
        yield chunk
