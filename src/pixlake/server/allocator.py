"""glibc's malloc kept from mapping and unmapping the large buffers a server moves bytes in.

By default glibc serves a block of 128 KiB or more with a fresh ``mmap`` and returns it with
``munmap`` when freed (raising that threshold as such blocks are freed, up to 32 MiB), and
gives the top of its heap back to the system once 128 KiB of it is free. A request body
comes off the socket in blocks of 256 KiB and is copied a few times on its way to the
staging file; a download goes out in blocks of 1 MiB. Each of those blocks was memory the
kernel had to map and zero page by page again. Measured on a 2-core machine, uvicorn
receiving a 1 GiB body and dropping it took 2.3 s of CPU by default and 0.5 s with the
thresholds below (docs/models.md has what it does for model files).

Blocks up to ``MMAP_THRESHOLD`` now come from the heap, and each heap (one per arena:
the main one and those of busy threads) keeps up to ``TRIM_THRESHOLD`` of free memory at
its top for the next ones: a serving process may hold about that much more per arena than
it uses.

Only a process that does nothing but serve calls this, as with ``startup_heap``: allocator
settings are process-wide. A threshold the environment sets, with glibc's own variables
(``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``, or ``GLIBC_TUNABLES``), is left as
it is.
"""

from __future__ import annotations

import ctypes
import os
import sys

__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "keep_large_blocks_in_heap"]

MMAP_THRESHOLD = 4 * 1024 * 1024
TRIM_THRESHOLD = 32 * 1024 * 1024

# mallopt's parameters, from glibc's malloc.h
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

_SETTINGS = (
    (_M_MMAP_THRESHOLD, MMAP_THRESHOLD, "MALLOC_MMAP_THRESHOLD_", "glibc.malloc.mmap_threshold"),
    (_M_TRIM_THRESHOLD, TRIM_THRESHOLD, "MALLOC_TRIM_THRESHOLD_", "glibc.malloc.trim_threshold"),
)


def keep_large_blocks_in_heap() -> bool:
    """Set both thresholds in this process, where the C library is glibc; returns whether
    any was set (not on other systems or C libraries, nor where the environment set them)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        # glibc's alone: musl's mallopt does nothing, and its thresholds are not these.
        libc.gnu_get_libc_version  # noqa: B018
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    applied = False
    for parameter, value, variable, tunable in _SETTINGS:
        if variable not in os.environ and tunable not in tunables:
            applied = mallopt(parameter, value) == 1 or applied
    return applied
