"""Thumbnails held in a server process's memory, most recently used first, bounded in bytes.

A thumbnail's bytes depend on its content's checksum alone (its name in the store is
derived from it), so a cached one can never be stale, whoever asked for it first. The cache
holds bytes and nothing about who may read them: every answer is still decided by the data
row of the caller's organization, read on each request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

__all__ = ["ThumbnailCache"]


class ThumbnailCache:
    """Thumbnail bytes by checksum, at most ``max_bytes`` in all (0 holds none).

    Safe to share between threads: the routes' worker threads put what they read or made,
    the event loop reads.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._held: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, checksum: str) -> bytes | None:
        with self._lock:
            content = self._held.get(checksum)
            if content is not None:
                self._held.move_to_end(checksum)
            return content

    def put(self, checksum: str, content: bytes) -> None:
        if len(content) > self.max_bytes:
            return  # larger than the whole cache (or the cache is off): not kept
        with self._lock:
            previous = self._held.pop(checksum, None)
            if previous is not None:
                self._size -= len(previous)
            self._held[checksum] = content
            self._size += len(content)
            while self._size > self.max_bytes:
                _name, dropped = self._held.popitem(last=False)
                self._size -= len(dropped)

    @property
    def size(self) -> int:
        """Bytes held now."""
        return self._size

    def __len__(self) -> int:
        return len(self._held)
