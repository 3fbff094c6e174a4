"""A zip archive written as a stream of bytes, member by member, never held whole."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO

from pixlake.formats.writers.chunks import CHUNK_SIZE

__all__ = ["ZipStream"]


class _Sink(io.RawIOBase):
    """A write-only, unseekable file: zipfile then writes data descriptors after each
    member instead of seeking back, and its output can be sent as it comes."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def drain(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        self.size = 0
        return out


class ZipStream:
    """Members go in with ``add`` or ``add_stream``; each yields the archive's bytes as
    they are ready; ``finish`` yields the rest (the central directory)."""

    def __init__(self) -> None:
        self._sink = _Sink()
        self._zip = zipfile.ZipFile(
            self._sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1
        )

    def _ready(self, *, everything: bool = False) -> Iterator[bytes]:
        if self._sink.size and (everything or self._sink.size >= CHUNK_SIZE):
            yield self._sink.drain()

    def add(self, name: str, data: bytes | str) -> Iterator[bytes]:
        self._zip.writestr(name, data)
        yield from self._ready()

    def add_stream(self, name: str, chunks: Iterable[bytes]) -> Iterator[bytes]:
        member: IO[bytes]
        with self._zip.open(name, "w", force_zip64=True) as member:
            for chunk in chunks:
                member.write(chunk)
                yield from self._ready()
        yield from self._ready()

    def finish(self) -> Iterator[bytes]:
        self._zip.close()
        yield from self._ready(everything=True)
