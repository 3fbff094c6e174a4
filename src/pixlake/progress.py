"""Progress bars for long work, silenced globally or with PIXLAKE_DISABLE_PROGRESS_BARS=1."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tqdm.auto import tqdm

__all__ = ["disable_progress_bars", "enable_progress_bars", "progress", "progress_enabled"]

_disabled = os.environ.get("PIXLAKE_DISABLE_PROGRESS_BARS", "").lower() in ("1", "true", "yes")


def disable_progress_bars() -> None:
    global _disabled
    _disabled = True


def enable_progress_bars() -> None:
    global _disabled
    _disabled = False


def progress_enabled() -> bool:
    return not _disabled


def progress(
    total: int, description: str, unit: str = "file", *, unit_scale: bool = False
) -> tqdm[Any]:
    # Imported on the first bar, not with the module: `import pixlake` loads this module for
    # its switches, and tqdm.auto costs more than the rest of the import.
    from tqdm.auto import tqdm

    # leave=True: the finished bar stays on screen as the record of what was done and how
    # fast, rather than vanishing when the work ends.
    return tqdm(
        total=total,
        desc=description,
        unit=unit,
        unit_scale=unit_scale,
        disable=_disabled or total == 0,
        leave=True,
        dynamic_ncols=True,
    )
