"""Running one function over many items on a few threads, a slice of the items each.

A thread pool given one task per item wakes a waiting thread for every item: on a busy
two-core machine each wake-up waits for a time slice, and a thousand small files spent
more time handing results over than reading and hashing. Here each thread takes every
n-th item and hands its results back once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["map_in_slices"]

T = TypeVar("T")
R = TypeVar("R")


def map_in_slices(
    work: Callable[[T], R], items: Sequence[T], workers: int
) -> tuple[list[R], BaseException | None]:
    """``work`` over ``items`` on at most ``workers`` threads (in this one for a single
    worker or item).

    Returns the results of the items done, in the items' order, and the first failure:
    once an item fails, the threads take no further item, so the caller has only the
    results it holds to undo.
    """
    results: list[R | None] = [None] * len(items)
    done = [False] * len(items)
    failures: list[BaseException] = []
    stop = threading.Event()
    threads = max(1, min(workers, len(items)))

    def run(first: int) -> None:
        for index in range(first, len(items), threads):
            if stop.is_set():
                return
            try:
                results[index] = work(items[index])
            except BaseException as exc:
                failures.append(exc)
                stop.set()
                return
            done[index] = True

    if threads == 1:
        run(0)
    else:
        with ThreadPoolExecutor(threads) as pool:
            for future in [pool.submit(run, first) for first in range(threads)]:
                future.result()
    finished = [result for result, ok in zip(results, done, strict=True) if ok]
    return finished, (failures[0] if failures else None)  # type: ignore[return-value]
