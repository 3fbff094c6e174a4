"""map_in_slices: results in order, a failure stops the threads from taking more items."""

from __future__ import annotations

import threading

import pytest

from pixlake.core.slices import map_in_slices


@pytest.mark.parametrize("workers", [1, 3, 8])
def test_results_come_back_in_the_items_order(workers: int) -> None:
    threads: set[str] = set()

    def square(n: int) -> int:
        threads.add(threading.current_thread().name)
        return n * n

    results, failure = map_in_slices(square, list(range(20)), workers)
    assert failure is None
    assert results == [n * n for n in range(20)]
    assert len(threads) <= workers  # the pool may run quick slices on one thread
    if workers == 1:
        assert threads == {threading.current_thread().name}, "one worker: this thread"


def test_a_failure_is_returned_with_the_results_done_and_stops_the_rest() -> None:
    def fail_on_three(n: int) -> int:
        if n == 3:
            raise ValueError("three")
        return n

    results, failure = map_in_slices(fail_on_three, list(range(100)), 1)
    assert isinstance(failure, ValueError)
    assert results == [0, 1, 2]  # one thread: nothing after the failure was taken

    results, failure = map_in_slices(fail_on_three, list(range(100)), 4)
    assert isinstance(failure, ValueError) and 3 not in results
    assert len(results) < 99
