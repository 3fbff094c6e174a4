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


def frame_header(name: str, size: int) -> bytes:
    header = json.dumps({"filename": name, "size": size}).encode()
    return _LENGTH.pack(len(header)) + header


def encode_streams(items: Iterable[tuple[str, int, BinaryIO]]) -> Iterator[bytes]:
    """A bundle body of open streams ``(name, size, stream)``, read as it is sent; each
    stream is closed once sent."""
    for name, size, stream in items:
        with stream:
            yield frame_header(name, size)
            sent = 0
            while sent < size and (chunk := stream.read(min(_CHUNK, size - sent))):
                sent += len(chunk)
                yield chunk
        if sent != size:
            raise OSError(f"{name} changed size while being sent")


def encode_bundle(paths: Sequence[Path]) -> Iterator[bytes]:
    """The bundle body for ``paths``, produced as the files are read."""
    return encode_streams((path.name, path.stat().st_size, open(path, "rb")) for path in paths)


class ByteReader:
    """Reads exact byte counts from a stream of chunks of any size (the SDK's side)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def _fill(self) -> bool:
        chunk = next(self._chunks, None)
        if chunk is None:
            return False
        self._buffer += chunk
        return True

    def at_end(self) -> bool:
        while not self._buffer:
            if not self._fill():
                return True
        return False

    def read_exactly(self, count: int) -> bytes:
        while len(self._buffer) < count:
            if not self._fill():
                raise BadRequestError("bundle ends in the middle of a frame")
        data, self._buffer = self._buffer[:count], self._buffer[count:]
        return data

    def iter_exactly(self, count: int) -> Iterator[bytes]:
        remaining = count
        while remaining > 0:
            if not self._buffer and not self._fill():
                raise BadRequestError("bundle ends in the middle of a file")
            piece, self._buffer = self._buffer[:remaining], self._buffer[remaining:]
            remaining -= len(piece)
            yield piece


def read_frames(reader: ByteReader) -> Iterator[tuple[str, Iterator[bytes]]]:
    """``(name, chunks)`` for every frame; consume each frame's chunks before the next."""
    while not reader.at_end():
        (length,) = _LENGTH.unpack(reader.read_exactly(_LENGTH.size))
        if length > MAX_HEADER_BYTES:
            raise BadRequestError(f"bundle frame header of {length} bytes is too long")
        name, size = _parse_header(reader.read_exactly(length), length)
        yield name, reader.iter_exactly(size)


class AsyncByteReader:
    """Reads exact byte counts from an async stream of chunks of any size."""

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""
        self._done = False

    async def _fill(self) -> bool:
        if self._done:
            return False
        try:
            chunk = await self._chunks.__anext__()
        except StopAsyncIteration:
            self._done = True
            return False
        self._buffer += chunk
        return True

    async def at_end(self) -> bool:
        while not self._buffer:
            if not await self._fill():
                return True
        return False

    async def read_exactly(self, count: int) -> bytes:
        while len(self._buffer) < count:
            if not await self._fill():
                raise BadRequestError("bundle ends in the middle of a frame")
        data, self._buffer = self._buffer[:count], self._buffer[count:]
        return data

    async def iter_exactly(self, count: int) -> AsyncIterator[bytes]:
        """Yield exactly ``count`` bytes, in the chunks they arrive in."""
        remaining = count
        while remaining > 0:
            if not self._buffer and not await self._fill():
                raise BadRequestError("bundle ends in the middle of a file")
            piece, self._buffer = self._buffer[:remaining], self._buffer[remaining:]
            remaining -= len(piece)
            yield piece


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
