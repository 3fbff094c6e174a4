"""glibc's malloc kept from mapping and unmapping the large buffers the platform moves.

By default glibc serves a block of 128 KiB or more with a fresh ``mmap`` and returns it with
``munmap`` when freed (raising that threshold as such blocks are freed, up to 32 MiB), and
gives the top of its heap back to the system once 128 KiB of it is free. The platform's
blocks are larger than that: a request body comes off the socket in blocks of 256 KiB and
is copied a few times on its way to the staging file, a download goes out in blocks of
1 MiB, a page of a listing is one JSON document of several megabytes, copied from the
database to Python and parsed. Each was memory the kernel had to map and zero page by page
again. Measured on a 2-core machine: uvicorn receiving a 1 GiB body and dropping it took
2.3 s of CPU by default and 0.5 s with thresholds set; an embedded ``list_assets()`` of
100,000 assets 2.9-3.5 s and 2.0-2.9 s (docs/models.md, docs/scaling.md).

Blocks up to ``MMAP_THRESHOLD`` (glibc's largest) now come from the heap, and each heap
(one per arena: the main one and those of busy threads) keeps up to ``TRIM_THRESHOLD`` of
free memory at its top for the next ones: a process may hold about that much more per
arena than it uses. Its peak is what the platform's work holds at once, as before.

A process that hosts the platform calls this: ``pixlake serve`` and its workers, and one
that runs a workspace's application itself (an embedded ``Client``, when its first request
builds the application). Allocator settings are process-wide; a threshold the environment
sets, with glibc's own variables (``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``, or
``GLIBC_TUNABLES``), is left as it is, which is also how a user keeps glibc's defaults
(``MALLOC_MMAP_THRESHOLD_=131072``).
"""

from __future__ import annotations

import os
import sys

__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "keep_large_blocks_in_heap"]

MMAP_THRESHOLD = 32 * 1024 * 1024
TRIM_THRESHOLD = 64 * 1024 * 1024

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
    import ctypes  # here: most processes that import pixlake never call this

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
