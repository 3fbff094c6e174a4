"""Progress bars for long work, silenced globally or with PIXLAKE_DISABLE_PROGRESS_BARS=1."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from tqdm.auto import tqdm

__all__ = ["Bar", "disable_progress_bars", "enable_progress_bars", "progress", "progress_enabled"]

_disabled = os.environ.get("PIXLAKE_DISABLE_PROGRESS_BARS", "").lower() in ("1", "true", "yes")


def disable_progress_bars() -> None:
    global _disabled
    _disabled = True


def enable_progress_bars() -> None:
    global _disabled
    _disabled = False


def progress_enabled() -> bool:
    return not _disabled


class Bar(Protocol):
    """What work does with its progress bar."""

    def update(self, n: float | None = 1) -> bool | None: ...

    def close(self) -> None: ...

    def write(self, s: str) -> None: ...


class _SilentBar:
    """A bar that shows nothing. Silenced bars skip tqdm altogether: building even a
    disabled tqdm bar creates its process-shared lock, which imports ``multiprocessing``
    (tens of milliseconds, once per process, inside the first upload's time)."""

    def update(self, n: float | None = 1) -> None:
        pass

    def close(self) -> None:
        pass

    def write(self, s: str) -> None:
        pass


def progress(total: int, description: str, unit: str = "file", *, unit_scale: bool = False) -> Bar:
    if _disabled or total == 0:
        return _SilentBar()
    # Imported on the first bar, not with the module: `import pixlake` loads this module for
    # its switches, and tqdm.auto costs more than the rest of the import.
    from tqdm.auto import tqdm

    # leave=True: the finished bar stays on screen as the record of what was done and how
    # fast, rather than vanishing when the work ends.
    bar: tqdm[Any] = tqdm(
        total=total,
        desc=description,
        unit=unit,
        unit_scale=unit_scale,
        leave=True,
        dynamic_ncols=True,
    )
    return bar
