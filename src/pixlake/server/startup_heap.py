"""Setting a server process's start-up objects aside from the cyclic garbage collector.

A served application builds some 150,000 objects that live as long as the process: its
routes and their models, the tables, the settings, the imported modules. The collector's
full collections walk every one of them each time, and the first of those come during the
first requests, when what start-up left in the young generations is promoted: 40 to 130
ms each on a shared 2-core machine, charged to whichever request allocated past the
threshold (a gallery page, which builds a few thousand dicts, rather than a listing, whose
JSON the database writes). Collected once and then frozen, start-up's objects are never
walked again; what requests make is collected as before.

Only a process that does nothing but serve calls this (``pixlake serve``, its workers,
``pixlake ui``): freezing is process-wide, and in a user's own process it would keep
whatever of theirs became garbage later.
"""

from __future__ import annotations

import gc

__all__ = ["freeze_startup_objects"]


def freeze_startup_objects() -> None:
    """Collect what start-up left behind, then move every live object to the permanent
    generation (``gc.freeze``), out of every later collection's walk."""
    gc.collect()
    gc.freeze()
