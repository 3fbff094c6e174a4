"""Small pieces of output gathered into chunks of a useful size for a streamed answer."""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["CHUNK_SIZE", "ChunkBuffer"]

CHUNK_SIZE = 256 * 1024
"""Bytes per chunk: one per image would mean a write (and an HTTP frame) per few bytes."""


class ChunkBuffer:
    """Collects bytes; ``take`` gives them back once at least ``CHUNK_SIZE`` are held."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._size = 0

    def add(self, data: bytes) -> None:
        self._parts.append(data)
        self._size += len(data)

    def take(self, *, everything: bool = False) -> Iterator[bytes]:
        """Yield what is held as one chunk, when it is large enough (or ``everything``)."""
        if self._size and (everything or self._size >= CHUNK_SIZE):
            chunk = b"".join(self._parts)
            self._parts.clear()
            self._size = 0
            yield chunk
