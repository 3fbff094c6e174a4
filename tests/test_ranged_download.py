"""Verified downloads in parallel ranges (``pixlake.sdk.file_transfer``), against a store
that answers ranges: whatever order the ranges land in, the file is hashed in order, and
bytes that don't match the checksum leave nothing behind."""

from __future__ import annotations

import hashlib
import os
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pixlake.errors import ChecksumMismatchError, StorageError
from pixlake.sdk import file_transfer
from pixlake.sdk.file_transfer import download_verified

KiB = 1024
RANGE = 256 * KiB
URL = "http://store.test/object"


@pytest.fixture(autouse=True)
def small_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(file_transfer, "RANGED_MIN", RANGE)
    monkeypatch.setattr(file_transfer, "RANGE_SIZE", RANGE)


def range_store(
    data: bytes, *, corrupt_at: int | None = None, seed: int = 0
) -> tuple[httpx.Client, list[str]]:
    """A client of a store holding ``data`` that answers ranges in chunks of 16 KiB, each
    after a random short delay (so ranges land out of order, interleaved); the byte at
    ``corrupt_at`` is sent wrong. Also the ranges asked for."""
    asked: list[str] = []
    delays = random.Random(seed)

    def handler(request: httpx.Request) -> httpx.Response:
        wanted = request.headers["range"]
        asked.append(wanted)
        found = re.fullmatch(r"bytes=(\d+)-(\d+)", wanted)
        assert found is not None
        start, last = int(found[1]), min(int(found[2]), len(data) - 1)
        body = bytearray(data[start : last + 1])
        if corrupt_at is not None and start <= corrupt_at <= last:
            body[corrupt_at - start] ^= 0xFF
        pauses = [delays.random() / 500 for _ in range(0, len(body), 16 * KiB)]

        def chunks() -> Iterator[bytes]:
            for index, at in enumerate(range(0, len(body), 16 * KiB)):
                time.sleep(pauses[index])
                yield bytes(body[at : at + 16 * KiB])

        return httpx.Response(
            206, headers={"content-range": f"bytes {start}-{last}/{len(data)}"}, content=chunks()
        )

    return httpx.Client(transport=httpx.MockTransport(handler)), asked


@pytest.mark.parametrize("seed", range(4))
def test_ranges_landing_in_any_order_are_hashed_in_order(
    tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_back: list[int] = []
    hash_range = file_transfer._hash_range

    def counted(digest: object, fd: int, start: int, end: int) -> None:
        read_back.append(end - start)
        hash_range(digest, fd, start, end)

    monkeypatch.setattr(file_transfer, "_hash_range", counted)
    data = os.urandom(9 * RANGE + 123)
    http, asked = range_store(data, seed=seed)
    target = tmp_path / "weights.bin"
    download_verified(http, URL, target, hashlib.sha256(data).hexdigest(), len(data))
    assert target.read_bytes() == data
    assert len(asked) == 10
    assert list(tmp_path.iterdir()) == [target]
    # The first range, fetched by the caller's thread, is hashed as it arrives, never
    # read back; the others are read back only for what arrived ahead of the hash.
    assert sum(read_back) <= len(data) - RANGE


@pytest.mark.parametrize("corrupt_at", [0, RANGE - 1, 5 * RANGE + 17, 9 * RANGE + 122])
def test_a_range_with_wrong_bytes_is_refused_and_leaves_nothing(
    tmp_path: Path, corrupt_at: int
) -> None:
    """Wherever the wrong byte is (in the first range, fetched by the caller's thread, in
    one hashed as it arrives or read back later), the download is refused."""
    data = os.urandom(9 * RANGE + 123)
    for seed in range(3):
        http, _ = range_store(data, corrupt_at=corrupt_at, seed=seed)
        with pytest.raises(ChecksumMismatchError):
            download_verified(
                http, URL, tmp_path / "weights.bin", hashlib.sha256(data).hexdigest(), len(data)
            )
        assert list(tmp_path.iterdir()) == []


def test_a_range_cut_short_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    data = os.urandom(4 * RANGE)

    def handler(request: httpx.Request) -> httpx.Response:
        found = re.fullmatch(r"bytes=(\d+)-(\d+)", request.headers["range"])
        assert found is not None
        start, last = int(found[1]), int(found[2])
        body = data[start : last + 1]
        if start == 2 * RANGE:
            body = body[:-1]
        return httpx.Response(
            206, headers={"content-range": f"bytes {start}-{last}/{len(data)}"}, content=body
        )

    http = httpx.Client(transport=httpx.MockTransport(handler))
    with pytest.raises(StorageError):
        download_verified(
            http, URL, tmp_path / "weights.bin", hashlib.sha256(data).hexdigest(), len(data)
        )
    assert list(tmp_path.iterdir()) == []
