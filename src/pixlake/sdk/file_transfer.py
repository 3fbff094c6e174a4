"""Moving one large file (a model's weights) both ways with flat memory.

Bytes are read and written a chunk at a time, whatever the size of the file: hashed in
place, zipped into a temporary file, put to presigned URLs part by part (each part streamed
from the file, several in parallel), streamed to the API, and downloaded through a
temporary file that is renamed into place only once its SHA-256 matched.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import httpx

from pixlake.errors import ChecksumMismatchError, StorageError
from pixlake.hashed_copy import copy_hashing
from pixlake.sdk.connection import DEFAULT_RETRIES, raise_for_error
from pixlake.sdk.socket_stream import receive_hashing
from pixlake.sdk.transfer import temporary_path

__all__ = [
    "CHUNK",
    "PART_WORKERS",
    "Fetch",
    "download_verified",
    "file_chunks",
    "put_direct",
    "sha256_of",
    "zipped",
]

CHUNK = 1024 * 1024
"""Bytes read or written at a time: what a transfer holds in memory (per part in flight)."""
PART_WORKERS = 4
"""Parts of a multipart upload sent at once: enough to fill a link to a bucket, each
holding one chunk in memory."""
_PART_ATTEMPTS = 3

# Bodies are read as httpx receives them (at most 64 KiB at a time), not rechunked into
# ``CHUNK``s: joining them cost twice the CPU time of the whole receipt (measured on a 256
# MiB download from a local server: 0.31-0.44 s against 0.14-0.18 s).

RANGED_MIN = 64 * 1024 * 1024
"""From this size an HTTP download from a bucket fetches ranges of the file in parallel (as
boto3's transfer manager does), each written at its offset, then hashes the file written;
below it, one stream is hashed on the way."""
RANGE_SIZE = 16 * 1024 * 1024
RANGE_WORKERS = 4

_NEW_FILE_FLAGS = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)

Progress = Callable[[int], object]
"""Told how many more bytes went through (a progress bar's ``update``)."""


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read a chunk at a time (the hashing releases the GIL)."""
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


@contextmanager
def zipped(source: Path) -> Iterator[Path]:
    """A zip of ``source`` (a folder, with everything below it, or one file) in a
    temporary folder, removed on exit; named ``<source name>.zip``.

    Members are stored, not compressed: weights hardly compress, and a folder of several
    gigabytes then zips at the speed of the disk. They are written a chunk at a time.
    """
    with tempfile.TemporaryDirectory(prefix="pixlake-zip-") as folder:
        target = Path(folder) / f"{source.name}.zip"
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            if source.is_dir():
                for root, dirs, names in os.walk(source):
                    dirs.sort()
                    for name in sorted(names):
                        path = Path(root) / name
                        zf.write(path, path.relative_to(source).as_posix())
            else:
                zf.write(source, source.name)
        yield target


def file_chunks(
    path: Path, offset: int = 0, length: int | None = None, progress: Progress | None = None
) -> Iterator[bytes]:
    """``length`` bytes of a file from ``offset`` (to its end when None), a chunk at a time."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        left = length
        while left is None or left > 0:
            chunk = stream.read(CHUNK if left is None else min(CHUNK, left))
            if not chunk:
                break
            if left is not None:
                left -= len(chunk)
            if progress is not None:
                progress(len(chunk))
            yield chunk


def put_direct(
    http: httpx.Client,
    urls: list[str],
    part_size: int,
    path: Path,
    size: int,
    progress: Progress | None = None,
) -> None:
    """Put a file to the presigned URL(s) of a direct upload: one PUT, or one per part,
    ``PART_WORKERS`` at a time. A part that fails is sent again (a PUT to a presigned URL
    writes the same part), up to three times."""
    if len(urls) == 1:
        _put_part(http, urls[0], path, 0, size, progress)
        return
    with ThreadPoolExecutor(min(PART_WORKERS, len(urls))) as pool:
        futures = [
            pool.submit(
                _put_part,
                http,
                url,
                path,
                index * part_size,
                min(part_size, size - index * part_size),
                progress,
            )
            for index, url in enumerate(urls)
        ]
        for future in futures:
            future.result()


def _put_part(
    http: httpx.Client, url: str, path: Path, offset: int, length: int, progress: Progress | None
) -> None:
    for attempt in range(1, _PART_ATTEMPTS + 1):
        sent = 0

        def counted(n: int) -> None:
            nonlocal sent
            sent += n

        try:
            response = http.put(
                url,
                content=file_chunks(path, offset, length, counted),
                headers={"content-length": str(length)},
            )
        except httpx.TransportError as exc:
            failure = f"{type(exc).__name__}: {exc}"
        else:
            if response.status_code < 300:
                if progress is not None:
                    progress(sent)
                return
            failure = f"HTTP {response.status_code} {response.text[:300]}"
            if response.status_code < 500:
                break  # refused (an expired URL...): sending it again won't help
        if attempt < _PART_ATTEMPTS:
            time.sleep(DEFAULT_RETRIES.delay(attempt))
    raise StorageError(
        f"could not upload {path.name} (bytes {offset}-{offset + length}) to the store: {failure}"
    )


class Fetch(Enum):
    """How an HTTP download is read."""

    RANGES = "ranges"
    """From a bucket: from ``RANGED_MIN``, ranges fetched in parallel (as boto3 does)."""
    STREAM = "stream"
    """One stream through httpx, hashed on the way."""
    SOCKET = "socket"
    """One stream read straight off the socket (``socket_stream``), for the API's own
    route over plain HTTP: httpx's parser cost more CPU than the hash there."""


def download_verified(
    http: httpx.Client,
    url: str,
    target: Path,
    checksum: str,
    size: int,
    progress: Progress | None = None,
    *,
    fetch: Fetch = Fetch.RANGES,
) -> None:
    """Write the ``size`` bytes at ``url`` to ``target`` through a temporary file; it is
    renamed into place only if their SHA-256 is ``checksum``. ``fetch`` says how an
    HTTP(S) URL is read (``http``'s timeouts apply to each way).

    Raises:
        ChecksumMismatchError: the bytes read are not those stored; nothing is left.
        StorageError: the bytes could not be read.
    """
    temporary = temporary_path(target)
    try:
        parsed = urlparse(url)
        if parsed.scheme == "file":  # the object's own file, for an API in this process
            found = _copy_local(Path(unquote(parsed.path)), temporary, progress)
        elif fetch is Fetch.SOCKET:
            fd = os.open(temporary, _NEW_FILE_FLAGS, 0o666)
            try:
                found = receive_hashing(url, fd, target.name, http.timeout, progress)
            finally:
                os.close(fd)
        else:
            ranged = fetch is Fetch.RANGES and size >= RANGED_MIN
            found = _fetch_hashing(http, url, temporary, size, progress, ranged=ranged)
        if found != checksum:
            raise ChecksumMismatchError(
                f"the bytes read for {target.name} don't match their checksum "
                f"({found} instead of {checksum}); nothing was written",
                details={"filename": target.name, "checksum": checksum},
            )
        os.replace(temporary, target)
    except BaseException as exc:
        temporary.unlink(missing_ok=True)
        if isinstance(exc, FileNotFoundError):
            raise StorageError(f"bytes of {target.name} are missing from the store") from exc
        if isinstance(exc, httpx.TransportError):
            raise StorageError(f"could not download {target.name}: {exc}") from exc
        raise


def _copy_local(source: Path, temporary: Path, progress: Progress | None) -> str:
    """Copy a file of this machine to ``temporary`` with the kernel's copy, hashing what
    was written as it goes (``copy_hashing``); returns the SHA-256 of the copy."""
    with open(source, "rb") as src:
        fd = os.open(temporary, _NEW_FILE_FLAGS, 0o666)
        try:
            return copy_hashing(src.fileno(), fd, progress)
        finally:
            os.close(fd)


def _fetch_hashing(
    http: httpx.Client,
    url: str,
    temporary: Path,
    size: int,
    progress: Progress | None,
    *,
    ranged: bool,
) -> str:
    """Write the bytes of an HTTP(S) URL to ``temporary``; returns their SHA-256.

    With ``ranged``, the file is asked for its first range: a store that answers 206 gets the
    other ranges asked for in parallel; one that sends the whole file (200) is read as one
    stream.
    """
    headers = {"range": f"bytes=0-{RANGE_SIZE - 1}"} if ranged else {}
    with open(temporary, "w+b") as out, http.stream("GET", url, headers=headers) as response:
        if response.status_code >= 400:
            response.read()
            raise_for_error(response)
        if not (ranged and _is_range(response, 0, min(size, RANGE_SIZE))):
            digest = hashlib.sha256()
            for chunk in response.iter_bytes():
                digest.update(chunk)
                out.write(chunk)
                if progress is not None:
                    progress(len(chunk))
            return digest.hexdigest()
        out.truncate(size)
        ordered = _InOrderDigest(out.fileno())
        with ThreadPoolExecutor(RANGE_WORKERS) as pool:
            others = [
                (start, pool.submit(_fetch_range, http, url, ordered, start, size, progress))
                for start in range(RANGE_SIZE, size, RANGE_SIZE)
            ]
            try:
                _write_range(response, ordered, 0, min(size, RANGE_SIZE), progress)
                # Ranges are hashed in order as they are written, while the next ones
                # arrive: the hash costs no pass of its own after the download.
                ordered.complete_to(min(size, RANGE_SIZE))
                for start, future in others:
                    future.result()
                    ordered.complete_to(min(size, start + RANGE_SIZE))
            except BaseException:
                for _start, future in others:
                    future.cancel()
                raise
    return ordered.hexdigest()


class _InOrderDigest:
    """The SHA-256 of a file whose ranges are written in parallel, fed in order.

    A chunk written right where the hash has got to is hashed at once, from memory (the
    bytes hashed are the bytes just written, whole); a chunk written ahead of that point
    is read back from the file once every range before it is complete. The range that
    is oldest in flight is then hashed as it arrives, and only what others received
    meanwhile is read back: most bytes are never read twice.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._digest = hashlib.sha256()
        self._lock = threading.Lock()
        self._hashed = 0  # bytes 0 to _hashed - 1 are hashed

    def written(self, offset: int, chunk: bytes) -> None:
        """``chunk`` was written whole at ``offset``."""
        if offset != self._hashed:  # read without the lock: it only ever grows
            return
        with self._lock:
            if offset == self._hashed:
                self._digest.update(chunk)
                self._hashed += len(chunk)

    def complete_to(self, end: int) -> None:
        """Every byte before ``end`` is written: hash, read back, those not hashed yet."""
        with self._lock:
            if self._hashed < end:
                _hash_range(self._digest, self.fd, self._hashed, end)
                self._hashed = end

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def _hash_range(digest: Any, fd: int, start: int, end: int) -> None:
    """Feed bytes ``start`` to ``end - 1`` of a file, read back a chunk at a time."""
    offset = start
    while offset < end:
        chunk = os.pread(fd, min(CHUNK, end - offset), offset)
        if not chunk:
            raise StorageError(f"bytes {offset}-{end - 1} were not written")
        digest.update(chunk)
        offset += len(chunk)


def _fetch_range(
    http: httpx.Client,
    url: str,
    digest: _InOrderDigest,
    start: int,
    size: int,
    progress: Progress | None,
) -> None:
    end = min(size, start + RANGE_SIZE)
    with http.stream("GET", url, headers={"range": f"bytes={start}-{end - 1}"}) as response:
        if response.status_code >= 400:
            response.read()
            raise_for_error(response)
        if not _is_range(response, start, end):
            raise StorageError(f"the store did not send bytes {start}-{end - 1} alone")
        _write_range(response, digest, start, end, progress)


def _is_range(response: httpx.Response, start: int, end: int) -> bool:
    """Whether the answer holds bytes ``start`` to ``end - 1`` only: a 206, or (as some S3
    servers answer, rclone's among them) a 200 that says so in its Content-Range."""
    content_range = response.headers.get("content-range", "")
    return content_range.startswith(f"bytes {start}-{end - 1}/") or (
        response.status_code == 206 and not content_range
    )


def _write_range(
    response: httpx.Response,
    digest: _InOrderDigest,
    start: int,
    end: int,
    progress: Progress | None,
) -> None:
    """Write the body of a 206 answer at its offset; it must hold exactly the range."""
    offset = start
    for chunk in response.iter_bytes():
        if offset + len(chunk) > end:
            raise StorageError(f"the store sent more than bytes {start}-{end - 1}")
        _pwrite_all(digest.fd, chunk, offset)
        digest.written(offset, chunk)
        offset += len(chunk)
        if progress is not None:
            progress(len(chunk))
    if offset != end:
        raise StorageError(f"the store sent bytes {start}-{offset - 1} of {start}-{end - 1}")


def _pwrite_all(fd: int, chunk: bytes, offset: int) -> None:
    """Write all of ``chunk`` at ``offset`` (a write may take only a part)."""
    view = memoryview(chunk)
    while view:
        done = os.pwrite(fd, view, offset)
        view, offset = view[done:], offset + done
