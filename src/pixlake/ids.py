"""Time-ordered UUIDs (version 7, RFC 9562).

Every row gets one as primary key. Because they grow with time, ordering by id is ordering by
creation, so a single indexed column serves keyset pagination and stable listing order.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

__all__ = ["new_id", "new_ids"]

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def new_id() -> uuid.UUID:
    """A fresh UUIDv7, strictly increasing within this process."""
    global _last_ms, _counter
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > _last_ms:
            _last_ms = now_ms
            # Start the 12-bit counter low so many ids fit into one millisecond.
            _counter = int.from_bytes(os.urandom(1), "big")
        else:
            _counter += 1
            if _counter > 0xFFF:  # counter exhausted: borrow the next millisecond
                _last_ms += 1
                _counter = 0
        ms, counter = _last_ms, _counter
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= rand_b
    return uuid.UUID(int=value)


def new_ids(count: int) -> list[uuid.UUID]:
    """``count`` fresh UUIDv7s in increasing order, as ``new_id`` would give them one by
    one, for bulk writes: the lock is taken once and the randomness read once for all."""
    global _last_ms, _counter
    stamps: list[tuple[int, int]] = []
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > _last_ms:
            _last_ms = now_ms
            _counter = int.from_bytes(os.urandom(1), "big")
        for _ in range(count):
            _counter += 1
            if _counter > 0xFFF:
                _last_ms += 1
                _counter = 0
            stamps.append((_last_ms, _counter))
    random_bits = os.urandom(8 * count)
    ids = []
    mask, version, variant = (1 << 62) - 1, 0x7 << 76, 0b10 << 62
    for index, (ms, counter) in enumerate(stamps):
        rand_b = int.from_bytes(random_bits[8 * index : 8 * index + 8], "big") & mask
        value = ((ms & ((1 << 48) - 1)) << 80) | version | (counter << 64) | variant | rand_b
        ids.append(uuid.UUID(int=value))
    return ids
