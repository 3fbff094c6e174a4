"""Copying a local file and hashing the copy at once, with flat memory.

A kernel copy (``copy_file_range``) and a SHA-256 each run near the speed of memory, but
one after the other they take the sum of their times. Here the copy runs in a thread a
block at a time while the calling thread hashes each block of the *target* as soon as it
is written (``hashlib`` releases the GIL on large buffers, the copy runs in the kernel):
what is hashed is what was written, read back from the page cache, and the two passes
overlap on a machine of two cores or more. Memory stays one read buffer whatever the size.

Standard library only: both the SDK (a verified download from a local file) and the
object stores (staging a local file) use it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import queue
import threading
from collections.abc import Callable

__all__ = ["BLOCK", "copy_hashing"]

BLOCK = 16 * 1024 * 1024
"""Bytes the copying thread copies before telling the hashing one: large enough that
the hand-over costs nothing, small enough that the hash follows the copy closely."""
_READ = 1024 * 1024
"""Bytes the hash reads back at a time: the memory the copy holds."""
_NO_KERNEL_COPY = frozenset({errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP})

Progress = Callable[[int], object]


def copy_hashing(source_fd: int, target_fd: int, progress: Progress | None = None) -> str:
    """Copy the whole of ``source_fd`` to the start of ``target_fd`` (an empty file open
    for reading and writing); returns the SHA-256 of the bytes written to the target.

    ``progress`` is told how many more bytes were copied and hashed. An error of either
    pass is raised here once the copying thread stopped; the target then holds a part of
    the bytes, for the caller to remove.
    """
    digest = hashlib.sha256()
    written: queue.SimpleQueue[int | BaseException | None] = queue.SimpleQueue()
    stop = threading.Event()
    copier = threading.Thread(
        target=_copy_blocks, args=(source_fd, target_fd, written, stop), daemon=True
    )
    copier.start()
    hashed = 0
    try:
        while (end := written.get()) is not None:
            if isinstance(end, BaseException):
                raise end
            _hash_region(digest, target_fd, hashed, end)
            if progress is not None:
                progress(end - hashed)
            hashed = end
    finally:
        stop.set()
        copier.join()
    return digest.hexdigest()


def _copy_blocks(
    source_fd: int,
    target_fd: int,
    written: queue.SimpleQueue[int | BaseException | None],
    stop: threading.Event,
) -> None:
    """Copy ``BLOCK`` bytes at a time, telling ``written`` how far the target is written
    after each; then None (done) or the error met."""
    offset = 0
    try:
        kernel = hasattr(os, "copy_file_range")
        while not stop.is_set():
            copied = 0
            if kernel:
                try:
                    copied = os.copy_file_range(source_fd, target_fd, BLOCK, offset, offset)
                except OSError as exc:
                    if exc.errno not in _NO_KERNEL_COPY or offset:
                        raise
                    kernel = False  # another kind of file system: copy in Python instead
            if not kernel:
                copied = _copy_in_python(source_fd, target_fd, offset)
            if not copied:
                break
            offset += copied
            written.put(offset)
        written.put(None)
    except BaseException as exc:
        written.put(exc)


def _copy_in_python(source_fd: int, target_fd: int, offset: int) -> int:
    """Up to ``BLOCK`` bytes from ``offset``, read and written a chunk at a time; how
    many were copied (0 at the end of the source)."""
    copied = 0
    while copied < BLOCK:
        chunk = os.pread(source_fd, _READ, offset + copied)
        if not chunk:
            break
        view = memoryview(chunk)
        while view:
            done = os.pwrite(target_fd, view, offset + copied)
            view = view[done:]
            copied += done
    return copied


def _hash_region(digest: hashlib._Hash, fd: int, start: int, end: int) -> None:
    """Feed bytes ``start`` to ``end - 1`` of ``fd`` to ``digest``."""
    offset = start
    while offset < end:
        chunk = os.pread(fd, min(_READ, end - offset), offset)
        if not chunk:
            raise OSError(errno.EIO, f"bytes {offset}-{end - 1} of the copy can't be read back")
        digest.update(chunk)
        offset += len(chunk)
