"""copy_hashing: a local file copied by the kernel while the copy is hashed."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from pixlake import hashed_copy
from pixlake.hashed_copy import copy_hashing

MiB = 1024 * 1024


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 1 MiB, so that a file of a few MiB is copied in several."""
    monkeypatch.setattr(hashed_copy, "BLOCK", MiB)


def copy(source: Path, target: Path) -> tuple[str, list[int]]:
    told: list[int] = []
    with open(source, "rb") as src:
        fd = os.open(target, os.O_RDWR | os.O_CREAT | os.O_EXCL)
        try:
            return copy_hashing(src.fileno(), fd, told.append), told
        finally:
            os.close(fd)


@pytest.mark.parametrize("size", [0, 1, MiB, 3 * MiB + 7])
def test_the_copy_holds_the_bytes_and_its_hash_is_theirs(
    tmp_path: Path, small_blocks: None, size: int
) -> None:
    data = os.urandom(size)
    (tmp_path / "source").write_bytes(data)
    checksum, told = copy(tmp_path / "source", tmp_path / "target")
    assert (tmp_path / "target").read_bytes() == data
    assert checksum == hashlib.sha256(data).hexdigest()
    assert sum(told) == size
    assert all(0 < n <= MiB for n in told)


def test_without_a_kernel_copy_the_bytes_are_copied_in_python(
    tmp_path: Path, small_blocks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: object) -> int:
        raise OSError(errno.EXDEV, "cross-device")

    monkeypatch.setattr(os, "copy_file_range", refused, raising=False)
    data = os.urandom(2 * MiB + 5)
    (tmp_path / "source").write_bytes(data)
    checksum, _ = copy(tmp_path / "source", tmp_path / "target")
    assert (tmp_path / "target").read_bytes() == data
    assert checksum == hashlib.sha256(data).hexdigest()


def test_what_is_hashed_is_what_was_written(
    tmp_path: Path, small_blocks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hash reads the target back: a copy that wrote other bytes than the source's
    gives the hash of what it wrote, which a caller's check then refuses."""
    real = os.copy_file_range

    def corrupting(source: int, target: int, count: int, src_at: int, dst_at: int) -> int:
        copied = real(source, target, count, src_at, dst_at)
        if copied and src_at == 0:
            os.pwrite(target, b"X", 0)
        return copied

    monkeypatch.setattr(os, "copy_file_range", corrupting)
    data = b"\0" * (2 * MiB)
    (tmp_path / "source").write_bytes(data)
    checksum, _ = copy(tmp_path / "source", tmp_path / "target")
    assert checksum == hashlib.sha256(b"X" + data[1:]).hexdigest()


def test_an_error_of_the_copy_is_raised_in_the_caller(tmp_path: Path) -> None:
    (tmp_path / "source").write_bytes(os.urandom(MiB))
    (tmp_path / "target").write_bytes(b"")
    with (
        open(tmp_path / "source", "rb") as src,
        open(tmp_path / "target", "rb") as read_only,
        pytest.raises(OSError) as raised,
    ):
        copy_hashing(src.fileno(), read_only.fileno())
    assert raised.value.errno == errno.EBADF
