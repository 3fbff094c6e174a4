"""A process hosting the platform keeps large blocks in its heap (``pixlake.allocator``):
measured where glibc puts a block of 1 MiB, above its default mmap threshold, in fresh
interpreters, with and without the tuning, and once an embedded client has built its
application."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="glibc's malloc",
)

PROBE = """
import ctypes, sys
from pixlake.allocator import keep_large_blocks_in_heap
applied = keep_large_blocks_in_heap() if sys.argv[1] == "tuned" else None
if sys.argv[1] == "embedded":
    from pixlake import Client
    Client(workspace=sys.argv[2]).list_datasets()  # the first request builds the app
blocks = [bytearray(1 << 20) for _ in range(4)]
addresses = [ctypes.addressof((ctypes.c_char * 1).from_buffer(block)) for block in blocks]
heap = [line for line in open("/proc/self/maps") if line.rstrip().endswith("[heap]")]
low, high = (int(bound, 16) for bound in heap[0].split()[0].split("-"))
print(applied, all(low <= address < high for address in addresses))
"""


def probe(mode: str, *arguments: str, **environment: str) -> str:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("MALLOC_") and name != "GLIBC_TUNABLES"
    } | environment
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode, *arguments],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return done.stdout.strip()


def test_blocks_of_a_mebibyte_come_from_the_heap_once_tuned() -> None:
    assert probe("default") == "None False"  # glibc's default: a mapping of their own
    assert probe("tuned") == "True True"


@pytest.mark.parametrize(
    "chosen",
    [
        {"MALLOC_MMAP_THRESHOLD_": "131072", "MALLOC_TRIM_THRESHOLD_": "131072"},
        {"GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=131072:glibc.malloc.trim_threshold=131072"},
    ],
)
def test_thresholds_the_environment_sets_are_left_alone(chosen: dict[str, str]) -> None:
    assert probe("tuned", **chosen) == "False False"


def test_the_mmap_threshold_alone_is_set_when_the_environment_sets_the_trim_one() -> None:
    assert probe("tuned", MALLOC_TRIM_THRESHOLD_="131072") == "True True"


def test_an_embedded_client_tunes_its_process_once_it_hosts_the_platform(tmp_path: Path) -> None:
    assert probe("embedded", str(tmp_path / "workspace")) == "None True"
