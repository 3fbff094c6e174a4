"""A streamed bundle of files: many small uploads in one request.

One HTTP request per small file spends far more on the request than on the bytes. A bundle
carries several files in one streamed body, framed by length so that neither side parses
multipart boundaries or encodes anything::

    frame  := header_length (4 bytes, big endian) header (JSON, UTF-8) bytes (header.size)
    body   := frame*

The header is ``{"filename": str, "size": int}``. Both sides stream: the SDK reads files as
it sends them, the API hashes and stages each file as its bytes arrive. Downloads through
the API come back in the same format, one frame per data (named by the data's id).
"""

from __future__ import annotations

import json
import struct
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import orjson

from pixlake.errors import BadRequestError

__all__ = [
    "BUNDLE_CONTENT_TYPE",
    "COALESCE_BYTES",
    "MAX_BUNDLE_FILES",
    "MAX_HEADER_BYTES",
    "AsyncByteReader",
    "ByteReader",
    "encode_bundle",
    "encode_streams",
    "frame_header",
    "read_frame_header",
    "read_frames",
]

BUNDLE_CONTENT_TYPE = "application/x-pixlake-bundle"
MAX_BUNDLE_FILES = 1000
MAX_HEADER_BYTES = 64 * 1024
_LENGTH = struct.Struct(">I")
_CHUNK = 1024 * 1024
COALESCE_BYTES = 256 * 1024
"""Frames smaller than this are sent together in writes of about this size."""


def frame_header(name: str, size: int) -> bytes:
    header = json.dumps({"filename": name, "size": size}).encode()
    return _LENGTH.pack(len(header)) + header


def encode_streams(items: Iterable[tuple[str, int, BinaryIO]]) -> Iterator[bytes]:
    """A bundle body of open streams ``(name, size, stream)``, read as it is sent; each
    stream is closed once sent.

    Small frames are sent together, up to ``COALESCE_BYTES`` at a time: a frame header and
    a 20 kB file sent apart cost a write, an HTTP chunk and a receiving event each on both
    sides. A piece as large as that bound goes alone, uncopied.
    """
    pending: list[bytes] = []
    held = 0
    for name, size, stream in items:
        with stream:
            header = frame_header(name, size)
            pending.append(header)
            held += len(header)
            sent = 0
            while sent < size and (chunk := stream.read(min(_CHUNK, size - sent))):
                sent += len(chunk)
                if len(chunk) >= COALESCE_BYTES:
                    yield from _joined(pending)
                    pending, held = [], 0
                    yield chunk
                    continue
                pending.append(chunk)
                held += len(chunk)
                if held >= COALESCE_BYTES:
                    yield from _joined(pending)
                    pending, held = [], 0
        if sent != size:
            raise OSError(f"{name} changed size while being sent")
    yield from _joined(pending)


def _joined(pieces: list[bytes]) -> Iterator[bytes]:
    if len(pieces) == 1:
        yield pieces[0]
    elif pieces:
        yield b"".join(pieces)


def encode_bundle(paths: Sequence[Path]) -> Iterator[bytes]:
    """The bundle body for ``paths``, produced as the files are read."""
    return encode_streams((path.name, path.stat().st_size, open(path, "rb")) for path in paths)


class ByteReader:
    """Reads exact byte counts from a stream of chunks of any size (the SDK's side).

    What was read is skipped by an offset into the chunk at hand, not sliced off: slicing
    the rest after each read copied a whole chunk for every small file it held."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""
        self._offset = 0

    def _fill(self) -> bool:
        chunk = next(self._chunks, None)
        if chunk is None:
            return False
        self._buffer = self._buffer[self._offset :] + chunk if self._buffered else chunk
        self._offset = 0
        return True

    @property
    def _buffered(self) -> int:
        return len(self._buffer) - self._offset

    def at_end(self) -> bool:
        while not self._buffered:
            if not self._fill():
                return True
        return False

    def read_exactly(self, count: int) -> bytes:
        while self._buffered < count:
            if not self._fill():
                raise BadRequestError("bundle ends in the middle of a frame")
        return self._take(count)

    def iter_exactly(self, count: int) -> Iterator[bytes]:
        remaining = count
        while remaining > 0:
            if not self._buffered and not self._fill():
                raise BadRequestError("bundle ends in the middle of a file")
            piece = self._take(min(remaining, self._buffered))
            remaining -= len(piece)
            yield piece

    def _take(self, count: int) -> bytes:
        start, self._offset = self._offset, self._offset + count
        if start == 0 and count == len(self._buffer):
            return self._buffer  # a whole chunk: no copy
        return self._buffer[start : self._offset]


def read_frames(reader: ByteReader) -> Iterator[tuple[str, Iterator[bytes]]]:
    """``(name, chunks)`` for every frame; consume each frame's chunks before the next."""
    while not reader.at_end():
        (length,) = _LENGTH.unpack(reader.read_exactly(_LENGTH.size))
        if length > MAX_HEADER_BYTES:
            raise BadRequestError(f"bundle frame header of {length} bytes is too long")
        name, size = _parse_header(reader.read_exactly(length), length)
        yield name, reader.iter_exactly(size)


class AsyncByteReader:
    """Reads exact byte counts from an async stream of chunks of any size (see
    ``ByteReader`` for why an offset)."""

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""
        self._offset = 0
        self._done = False

    async def _fill(self) -> bool:
        if self._done:
            return False
        try:
            chunk = await self._chunks.__anext__()
        except StopAsyncIteration:
            self._done = True
            return False
        self._buffer = self._buffer[self._offset :] + chunk if self._buffered else chunk
        self._offset = 0
        return True

    @property
    def _buffered(self) -> int:
        return len(self._buffer) - self._offset

    async def at_end(self) -> bool:
        while not self._buffered:
            if not await self._fill():
                return True
        return False

    async def read_exactly(self, count: int) -> bytes:
        while self._buffered < count:
            if not await self._fill():
                raise BadRequestError("bundle ends in the middle of a frame")
        return self._take(count)

    async def iter_exactly(self, count: int) -> AsyncIterator[bytes]:
        """Yield exactly ``count`` bytes, in the chunks they arrive in."""
        remaining = count
        while remaining > 0:
            if not self._buffered and not await self._fill():
                raise BadRequestError("bundle ends in the middle of a file")
            piece = self._take(min(remaining, self._buffered))
            remaining -= len(piece)
            yield piece

    def _take(self, count: int) -> bytes:
        start, self._offset = self._offset, self._offset + count
        if start == 0 and count == len(self._buffer):
            return self._buffer  # a whole chunk: no copy
        return self._buffer[start : self._offset]


async def read_frame_header(reader: AsyncByteReader) -> tuple[str, int]:
    """The next frame's filename and size."""
    (length,) = _LENGTH.unpack(await reader.read_exactly(_LENGTH.size))
    if length > MAX_HEADER_BYTES:  # checked before reading that much
        raise BadRequestError(f"bundle frame header of {length} bytes is too long")
    return _parse_header(await reader.read_exactly(length), length)


def _parse_header(raw: bytes, length: int) -> tuple[str, int]:
    try:
        # orjson, not json: it refuses nesting beyond 1,024 with a ValueError, where json
        # recursed until a RecursionError on a 60,000-deep header.
        header = orjson.loads(raw)
        filename, size = header["filename"], header["size"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BadRequestError(f"malformed bundle frame header: {exc}") from exc
    if not isinstance(filename, str) or not isinstance(size, int) or size < 0:
        raise BadRequestError("bundle frame header needs a filename and a size >= 0")
    return filename, size
