"""A serving process's start-up objects are set aside from the cyclic collector, and what
it makes afterwards is still collected (run in a child process: freezing is
process-wide)."""

from __future__ import annotations

import subprocess
import sys

CHILD = """
import gc
from pixlake.server.app import create_app  # a served app's modules, as start-up imports them
from pixlake.server.startup_heap import freeze_startup_objects

walked_before = len(gc.get_objects())
freeze_startup_objects()
walked_after = len(gc.get_objects())

class Node:
    pass

a, b = Node(), Node()
a.other, b.other = b, a  # a cycle made after start-up, garbage once dropped
del a, b
print(walked_before, walked_after, gc.get_freeze_count(), gc.collect())
"""


def test_start_up_objects_leave_the_collectors_walk_and_later_garbage_is_collected() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120, check=True
    )
    walked_before, walked_after, frozen, collected = map(int, done.stdout.split())
    assert walked_after < walked_before // 10
    assert frozen > walked_before // 2  # what start-up left behind was collected first
    assert collected >= 2
