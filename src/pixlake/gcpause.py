"""Pausing Python's cyclic garbage collector around bulk work.

Listing 100,000 assets allocates millions of small objects that all survive; every full
collection triggered along the way walks every one of them again, which can cost more than
the work itself. Bulk paths run with the collector paused and turn it back on when they are
done (nested pauses are counted), so user code is never left without it.
"""

from __future__ import annotations

import gc
import threading
from contextlib import ContextDecorator
from typing import Any

__all__ = ["paused_gc"]

_lock = threading.Lock()
_depth = 0
_we_disabled = False


class _PausedGC(ContextDecorator):
    def __enter__(self) -> None:
        global _depth, _we_disabled
        with _lock:
            if _depth == 0:
                _we_disabled = gc.isenabled()  # a caller who turned it off keeps it off
                gc.disable()
            _depth += 1

    def __exit__(self, *exc_info: Any) -> None:
        global _depth
        with _lock:
            _depth -= 1
            if _depth == 0 and _we_disabled:
                gc.enable()


paused_gc = _PausedGC
