"""The grace period of crash residue, and the sweep of staging files every open runs.

Apart from ``pixlake.core.services.orphans`` (the full sweep, which knows every kind of
object name and so imports most services) because opening a workspace sweeps staging files
only, and should not pay to import what the full sweep needs (docs/startup.md).
"""

from __future__ import annotations

import time

from pixlake.settings import Settings
from pixlake.storage.base import ObjectStorage, Removed

__all__ = ["grace_cutoff", "sweep_staging"]


def grace_cutoff(settings: Settings, now: float | None = None) -> float:
    """The POSIX time before which residue is old enough to be removed."""
    return (time.time() if now is None else now) - settings.orphan_grace_hours * 3600


def sweep_staging(storage: ObjectStorage, settings: Settings, now: float | None = None) -> Removed:
    """Remove staging files older than the grace period: a local folder, quick to list."""
    return storage.sweep_staging(grace_cutoff(settings, now))
