"""The bundle format: what the encoder sends reads back whole, however it is cut up."""

from __future__ import annotations

import asyncio
import io
import random
from collections.abc import AsyncIterator, Iterator

import pytest

from pixlake import bundle
from pixlake.bundle import (
    AsyncByteReader,
    ByteReader,
    encode_streams,
    read_frame_header,
    read_frames,
)
from pixlake.errors import BadRequestError


def _files(seed: int = 5) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    files = [(f"f{i}.jpg", rng.randbytes(rng.randint(0, 30_000))) for i in range(40)]
    files.insert(7, ("large.jpg", rng.randbytes(bundle.COALESCE_BYTES * 3 + 11)))
    files.append(("last.jpg", b"z"))
    return files


def _encoded(files: list[tuple[str, bytes]]) -> list[bytes]:
    return list(encode_streams((name, len(data), io.BytesIO(data)) for name, data in files))


def _cut(body: bytes, sizes: list[int]) -> Iterator[bytes]:
    start, i = 0, 0
    while start < len(body):
        size = sizes[i % len(sizes)]
        yield body[start : start + size]
        start, i = start + size, i + 1


def test_small_frames_are_sent_together_and_large_pieces_alone() -> None:
    files = _files()
    pieces = _encoded(files)
    body = b"".join(pieces)
    assert len(pieces) < len(files)  # 42 files, their headers included, in far fewer writes
    large = dict(files)["large.jpg"]
    assert large in pieces  # sent as read, not copied into a joined piece
    assert all(len(piece) < 2 * bundle.COALESCE_BYTES for piece in pieces if piece != large)
    expected = b"".join(bundle.frame_header(name, len(data)) + data for name, data in files)
    assert body == expected


@pytest.mark.parametrize("sizes", [[1], [3, 7, 1], [4096], [65_536, 13], [10**7]])
def test_the_sync_reader_reads_back_every_file(sizes: list[int]) -> None:
    files = _files()
    body = b"".join(_encoded(files))
    read = [(name, b"".join(chunks)) for name, chunks in read_frames(ByteReader(_cut(body, sizes)))]
    assert read == files


async def _async_read(chunks: Iterator[bytes]) -> list[tuple[str, bytes]]:
    async def stream() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    reader = AsyncByteReader(stream())
    read = []
    while not await reader.at_end():
        name, size = await read_frame_header(reader)
        read.append((name, b"".join([piece async for piece in reader.iter_exactly(size)])))
    return read


@pytest.mark.parametrize("sizes", [[1], [5, 2, 9], [65_536, 13], [10**7]])
def test_the_async_reader_reads_back_every_file(sizes: list[int]) -> None:
    files = _files()
    body = b"".join(_encoded(files))
    assert asyncio.run(_async_read(_cut(body, sizes))) == files


@pytest.mark.parametrize("cut", [3, 10, -1])
def test_a_body_cut_short_is_refused(cut: int) -> None:
    body = b"".join(_encoded(_files()[:3]))[:cut]
    with pytest.raises(BadRequestError):
        asyncio.run(_async_read(iter([body])))
    with pytest.raises(BadRequestError):
        for _name, chunks in read_frames(ByteReader(iter([body]))):
            b"".join(chunks)


def test_a_stream_shorter_than_announced_stops_the_body() -> None:
    items = [("a.jpg", 10, io.BytesIO(b"12345"))]
    with pytest.raises(OSError, match="changed size"):
        list(encode_streams(items))
