"""A serving process's allocator keeps large blocks in its heap (``pixlake.server.allocator``):
measured where glibc puts a block of 1 MiB, above its default mmap threshold, in fresh
interpreters, with and without the tuning."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")

PROBE = """
import ctypes, sys
from pixlake.server.allocator import keep_large_blocks_in_heap
applied = keep_large_blocks_in_heap() if sys.argv[1] == "tuned" else None
blocks = [bytearray(1 << 20) for _ in range(4)]
addresses = [ctypes.addressof((ctypes.c_char * 1).from_buffer(block)) for block in blocks]
heap = [line for line in open("/proc/self/maps") if line.rstrip().endswith("[heap]")]
low, high = (int(bound, 16) for bound in heap[0].split()[0].split("-"))
print(applied, all(low <= address < high for address in addresses))
"""


def probe(mode: str, **environment: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")} | environment
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return done.stdout.strip()


def test_blocks_of_a_mebibyte_come_from_the_heap_once_tuned() -> None:
    assert probe("default") == "None False"  # glibc's default: a mapping of their own
    assert probe("tuned") == "True True"


def test_thresholds_the_environment_sets_are_left_alone() -> None:
    chosen = {"MALLOC_MMAP_THRESHOLD_": str(128 * 1024), "MALLOC_TRIM_THRESHOLD_": str(128 * 1024)}
    assert probe("tuned", **chosen) == "False False"
